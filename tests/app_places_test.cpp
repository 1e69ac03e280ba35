// A leader's places (我的联系点, issue 8 part 5) on both backends: GET /api/v1/places/mine lists
// the demo leader's three liaison subdistricts with open, overdue and escalated counts equal to
// the case list behind each number; citizens are refused, staff without liaisons get an empty
// list. An escalation by the sweep reaches the liaison leader of the case's place (in-app
// notification, preset wording) and not a leader of other places.
#include "app/places_service.hpp"

#include <gtest/gtest.h>

#include <set>

#include "app/case_service.hpp"
#include "support/loop_test.hpp"

namespace civicloop::test {
namespace {

class Places : public LoopTest {
 protected:
  // A case reported in 永泰北社区 (140213050001), filed and dispatched to 永泰街道.
  std::int64_t dispatched() {
    auto grid = server().login("grid");
    auto office = server().login("office");
    const auto id = report(*grid, "0102", "路边堆放生活垃圾");
    act(*office, id, R"({"action":"file"})");
    act(*office, id,
        R"({"action":"dispatch","unit_id":)" + std::to_string(server().unit_id("140213050")) +
            R"(,"note":"属地"})");
    return id;
  }

  boost::json::value mine(TestClient& c) {
    auto r = c.request("GET", "/api/v1/places/mine");
    EXPECT_EQ(r.status, 200) << r.body;
    return parse(r);
  }

  // How many cases the case list gives for a place's filter (small lists: one page).
  std::size_t listed(TestClient& c, const boost::json::object& filter) {
    std::string q = "/api/v1/cases?limit=200";
    for (const auto& [k, v] : filter) q += "&" + std::string(k) + "=" + std::string(v.as_string());
    auto r = c.request("GET", q);
    EXPECT_EQ(r.status, 200) << r.body;
    const auto v = parse(r);
    return v.at("items").as_array().size();
  }

  // The notifications of a user about one case.
  std::vector<std::string> told(TestClient& c, std::int64_t case_id) {
    auto r = c.request("GET", "/api/v1/notifications?limit=100");
    EXPECT_EQ(r.status, 200) << r.body;
    const auto v = parse(r);
    std::vector<std::string> out;
    for (const auto& n : v.at("items").as_array()) {
      if (!n.at("case_id").is_null() && n.at("case_id").as_int64() == case_id)
        out.emplace_back(n.at("title").as_string());
    }
    return out;
  }
};

TEST_P(Places, ALeaderSeesHisLiaisonPlacesWithTheCountsOfTheCaseList) {
  const auto id = dispatched();
  auto leader = server().login("leader");
  const auto v = mine(*leader);
  const auto& items = v.at("items").as_array();
  std::set<std::int64_t> ids;
  for (const auto& p : items) {
    ids.insert(p.at("unit_id").as_int64());
    EXPECT_EQ(p.at("kind").as_string(), "subdistrict");
  }
  EXPECT_EQ(ids,
            (std::set<std::int64_t>{server().unit_id("140213050"), server().unit_id("140213051"),
                                    server().unit_id("140213052")}));
  bool found = false;
  for (const auto& p : items) {
    const auto& cases = p.at("cases").as_object();
    EXPECT_EQ(static_cast<std::size_t>(p.at("open").as_int64()),
              listed(*leader, cases.at("open").as_object()));
    EXPECT_EQ(static_cast<std::size_t>(p.at("overdue").as_int64()),
              listed(*leader, cases.at("overdue").as_object()));
    EXPECT_EQ(static_cast<std::size_t>(p.at("escalated").as_int64()),
              listed(*leader, cases.at("escalated").as_object()));
    if (p.at("unit_id").as_int64() == server().unit_id("140213050")) {
      found = true;
      EXPECT_GE(p.at("open").as_int64(), 1) << "case " << id << " is open in 永泰街道";
      EXPECT_EQ(p.at("name").as_string(), "永泰街道");
    }
  }
  EXPECT_TRUE(found);

  // A community's liaison (the demo unit operator is 永泰南社区's) gets his community.
  auto unit = server().login("unit");
  const auto u = mine(*unit);
  ASSERT_EQ(u.at("items").as_array().size(), 1u) << u;
  EXPECT_EQ(u.at("items").at(0).at("unit_id").as_int64(), server().unit_id("140213050002"));
  EXPECT_EQ(u.at("items").at(0).at("kind").as_string(), "community");
  EXPECT_EQ(u.at("items").at(0).at("parent_name").as_string(), "永泰街道");
  // Staff who are nobody's liaison: an empty list; citizens: refused.
  auto office = server().login("office");
  EXPECT_TRUE(mine(*office).at("items").as_array().empty());
  auto citizen = server().login("citizen");
  auto refused = citizen->request("GET", "/api/v1/places/mine");
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(error_code(refused), "auth.forbidden");
  // The case list's new filter is validated like the others.
  EXPECT_EQ(error_code(leader->request("GET", "/api/v1/cases?escalated=maybe")),
            "request.invalid_parameter");
}

TEST_P(Places, AnEscalationReachesTheLiaisonLeaderOfThePlaceAndNoOtherLeader) {
  // Another leader, the liaison of 新建街道 and others (not of 永泰街道).
  auto admin = server().login("admin");
  auto made = admin->request(
      "POST", "/api/v1/users",
      R"({"username":"leader2","password":"longenough1","role":"leader","display_name":"王美玲","unit_id":)" +
          std::to_string(server().unit_id("HQ")) + R"(,"person_id":)" +
          std::to_string(server().person_id_by_name("王美玲")) + "}");
  ASSERT_EQ(made.status, 201) << made.body;
  const auto id = dispatched();
  auto leader = server().login("leader");
  auto other = server().login("leader2", "longenough1");
  EXPECT_TRUE(told(*leader, id).empty());

  app::CaseConfigCache cache(server().ctx());
  app::CaseService svc(server().ctx(), cache);
  const Millis start = server().clock().now();
  server().clock().set(start + 30LL * 24 * 3600 * 1000);  // far past every mark of the ladder
  const auto s = svc.sweep(server().clock().now());
  EXPECT_GE(s.escalations, 1);
  server().clock().set(start);

  const auto heard = told(*leader, id);
  bool liaison = false;
  for (const auto& t : heard) liaison |= t.rfind("包联点督办", 0) == 0;
  EXPECT_TRUE(liaison) << "the liaison leader of 永泰街道 was not told (" << heard.size()
                       << " notifications)";
  EXPECT_TRUE(told(*other, id).empty()) << "a leader of other places was told";

  // His places show it as overdue and escalated, and the escalated filter lists it.
  const auto v = mine(*leader);
  for (const auto& p : v.at("items").as_array()) {
    if (p.at("unit_id").as_int64() != server().unit_id("140213050")) continue;
    EXPECT_GE(p.at("overdue").as_int64(), 1);
    EXPECT_GE(p.at("escalated").as_int64(), 1);
    EXPECT_EQ(static_cast<std::size_t>(p.at("escalated").as_int64()),
              listed(*leader, p.at("cases").at("escalated").as_object()));
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, Places, ::testing::ValuesIn(test_backends()), backend_name);

}  // namespace
}  // namespace civicloop::test
