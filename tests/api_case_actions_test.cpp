// The case view's `allowed` through the real server on SQLite and PostgreSQL: `allowed` names
// the actions this actor may take now, and `actions` carries each of them with what it needs (the
// domain's action table), so the web dialog builds itself from the case. An action the actor may
// not take (another role's, out of his scope, or his own work to verify) is in neither.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <memory>
#include <sstream>

#include "support/api_fixture.hpp"
#include "support/test_db.hpp"

namespace civicloop::test {
namespace {

namespace json = boost::json;

class CaseActions : public ::testing::TestWithParam<std::string> {
 protected:
  static void TearDownTestSuite() { servers().clear(); }

  void SetUp() override {
    if (GetParam() == kPostgresBackend && !pg_configured()) {
      if (pg_required()) FAIL() << "CIVICLOOP_REQUIRE_PG=1 but CIVICLOOP_TEST_PG is not set";
      GTEST_SKIP() << "PostgreSQL not configured: run under scripts/with-pg.sh";
    }
    auto& s = servers()[GetParam()];
    if (!s) s = std::make_unique<ApiServer>(GetParam());
    ASSERT_TRUE(s->ready());
    server_ = s.get();
  }

  static std::map<std::string, std::unique_ptr<ApiServer>>& servers() {
    static std::map<std::string, std::unique_ptr<ApiServer>> m;
    return m;
  }

  std::pair<double, double> grid_centre() {
    auto c = server_->login("admin");
    const auto r = c->request(
        "GET", "/api/v1/org/units/" + std::to_string(server_->unit_id("140213050001-G1")));
    const auto v = parse(r);
    return point_inside(v.at("unit").at("boundary"));
  }

  std::int64_t report(TestClient& c, const std::string& description) {
    const auto [lat, lng] = grid_centre();
    std::ostringstream body;
    body.precision(10);
    body << R"({"category":"0102","description":")" << description
         << R"(","address":"永泰路12号","lat":)" << lat << R"(,"lng":)" << lng << "}";
    const auto r = c.request("POST", "/api/v1/cases", body.str());
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? parse(r).at("case").at("id").as_int64() : 0;
  }

  static HttpResponse act(TestClient& c, std::int64_t id, const std::string& body) {
    return c.request("POST", "/api/v1/cases/" + std::to_string(id) + "/transitions", body);
  }

  static HttpResponse photo(TestClient& c, std::int64_t id, const std::string& stage) {
    std::ifstream in(std::string(CIVICLOOP_SOURCE_DIR) + "/tests/fixtures/district_gps.jpg",
                     std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return c.request("POST", "/api/v1/cases/" + std::to_string(id) + "/attachments?stage=" + stage,
                     ss.str(), {{"Content-Type", "image/jpeg"}});
  }

  // The case view as this client reads it: the names in `allowed` and the entries of `actions`
  // by name, which must list the same actions in the same order.
  struct Allowed {
    std::vector<std::string> names;
    std::map<std::string, json::object> needs;
  };
  static Allowed allowed(TestClient& c, std::int64_t id) {
    const auto r = c.request("GET", "/api/v1/cases/" + std::to_string(id));
    EXPECT_EQ(r.status, 200) << r.body;
    const auto v = parse(r);
    Allowed out;
    for (const auto& a : v.at("allowed").as_array()) out.names.emplace_back(a.as_string());
    std::vector<std::string> order;
    for (const auto& x : v.at("actions").as_array()) {
      const std::string name(x.at("action").as_string());
      order.push_back(name);
      out.needs[name] = x.as_object();
    }
    EXPECT_EQ(order, out.names);
    return out;
  }

  static std::vector<std::string> strings(const json::value& v) {
    std::vector<std::string> out;
    for (const auto& s : v.as_array()) out.emplace_back(s.as_string());
    return out;
  }

  ApiServer* server_ = nullptr;
};

TEST_P(CaseActions, TheViewCarriesEachAllowedActionWithWhatItNeeds) {
  auto grid = server_->login("grid");
  auto office = server_->login("office");
  auto unit = server_->login("unit");
  const auto id = report(*grid, "桥下堆放建筑垃圾");

  auto triage = allowed(*office, id);
  EXPECT_EQ(triage.names, (std::vector<std::string>{"file", "void", "mark_duplicate", "escalate"}));
  EXPECT_EQ(triage.needs["void"].at("note").as_string(), "required");
  EXPECT_EQ(strings(triage.needs["mark_duplicate"].at("required")),
            (std::vector<std::string>{"duplicate_of"}));
  EXPECT_EQ(strings(triage.needs["file"].at("optional")), (std::vector<std::string>{"unit_id"}));
  EXPECT_TRUE(triage.needs["file"].at("photo_stage").is_null());
  // The grid worker who reported it may fix it on the spot (his place), with a photo first.
  auto own = allowed(*grid, id);
  EXPECT_EQ(own.names, (std::vector<std::string>{"fix_on_site"}));
  EXPECT_EQ(own.needs["fix_on_site"].at("photo_stage").as_string(), "on_site");

  ASSERT_EQ(act(*office, id, R"({"action":"file"})").status, 200);
  auto filed = allowed(*office, id);
  EXPECT_EQ(filed.needs["dispatch"].at("note").as_string(), "if_other_unit");
  EXPECT_EQ(strings(filed.needs["dispatch"].at("optional")),
            (std::vector<std::string>{"unit_id", "notice_kind", "requirement"}));
  EXPECT_EQ(strings(filed.needs["park"].at("required")), (std::vector<std::string>{"review_date"}));
  const auto sub = std::to_string(server_->unit_id("140213050"));
  const auto dispatched =
      act(*office, id, R"({"action":"dispatch","unit_id":)" + sub + R"(,"note":"属地街道负责"})");
  ASSERT_EQ(dispatched.status, 200) << dispatched.body;
  // The answer of an action carries the same lists.
  const auto after = parse(dispatched);
  EXPECT_EQ(after.at("allowed").as_array().size(), after.at("actions").as_array().size());

  // The unit now answers for it; the office no longer acknowledges or rectifies in its name.
  auto theirs = allowed(*unit, id);
  EXPECT_EQ(theirs.names, (std::vector<std::string>{"acknowledge", "return"}));
  EXPECT_EQ(theirs.needs["return"].at("note").as_string(), "required");
  auto office_now = allowed(*office, id);
  EXPECT_FALSE(office_now.needs.contains("acknowledge"));
  EXPECT_TRUE(office_now.needs.contains("park"));
  ASSERT_EQ(act(*unit, id, R"({"action":"acknowledge"})").status, 200);
  auto working = allowed(*unit, id);
  EXPECT_EQ(working.needs["rectify"].at("photo_stage").as_string(), "after");
  EXPECT_EQ(strings(working.needs["request_extension"].at("required")),
            (std::vector<std::string>{"extension_amount", "extension_unit"}));
  // A citizen who did not report it is offered nothing: he does not see the case at all.
  EXPECT_EQ(server_->login("citizen")->request("GET", "/api/v1/cases/" + std::to_string(id)).status,
            403);
}

TEST_P(CaseActions, TheOneWhoDidTheWorkIsNotOfferedTheVerification) {
  auto admin = server_->login("admin");
  const auto me = parse(server_->login("grid")->request("GET", "/api/v1/auth/me"));
  const auto person = me.at("user").at("person_id").as_int64();
  const auto made = admin->request(
      "POST", "/api/v1/users",
      R"({"username":"grid-verifies","password":"Demo@2026","role":"supervisor","display_name":"白国栋（督导）","unit_id":)" +
          std::to_string(server_->unit_id("SG10")) + R"(,"person_id":)" + std::to_string(person) +
          "}");
  ASSERT_TRUE(made.status == 201 || made.status == 409) << made.body;
  auto grid = server_->login("grid");
  const auto id = report(*grid, "共享单车乱停放，已摆放整齐");
  ASSERT_EQ(photo(*grid, id, "on_site").status, 201);
  ASSERT_EQ(act(*grid, id, R"({"action":"fix_on_site"})").status, 200);

  auto twin = allowed(*server_->login("grid-verifies"), id);
  EXPECT_FALSE(twin.needs.contains("verify"));
  EXPECT_EQ(std::find(twin.names.begin(), twin.names.end(), "verify"), twin.names.end());
  auto other = allowed(*server_->login("supervisor"), id);
  ASSERT_TRUE(other.needs.contains("verify"));
  EXPECT_EQ(other.needs["verify"].at("note").as_string(), "if_failed");
  EXPECT_EQ(strings(other.needs["verify"].at("required")), (std::vector<std::string>{"passed"}));
}

// A refused action stores nothing: the photo an action takes first (on_site for a fix on the spot,
// after for a rectification) is refused up front to whom may not take that action now, so no
// photo of a refused action stays on the case. The problem's own photo (before) is the reporter's.
TEST_P(CaseActions, APhotoForAnActionTheUploaderMayNotTakeIsRefusedAndNothingIsStored) {
  auto citizen = server_->login("citizen");
  auto admin = server_->login("admin");
  const auto id = report(*citizen, "人行道上堆放装修垃圾");
  const auto attachments = [&] {
    const auto v = parse(admin->request("GET", "/api/v1/cases/" + std::to_string(id)));
    return v.at("attachments").as_array().size();
  };
  const auto attach_events = [&] {
    const auto v = parse(admin->request("GET", "/api/v1/cases/" + std::to_string(id)));
    std::size_t n = 0;
    for (const auto& e : v.at("events").as_array()) n += e.at("action").as_string() == "attach";
    return n;
  };
  ASSERT_EQ(photo(*citizen, id, "before").status, 201);
  ASSERT_EQ(attachments(), 1U);
  ASSERT_EQ(attach_events(), 1U);
  // The citizen is offered no action on his own report, and his on-site photo is refused.
  EXPECT_TRUE(allowed(*citizen, id).names.empty());
  const auto refused = photo(*citizen, id, "on_site");
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_EQ(error_code(refused), "case.photo_not_allowed");
  const auto body = parse(refused);
  EXPECT_EQ(body.at("error").at("details").at("stage").as_string(), "on_site") << refused.body;
  EXPECT_EQ(error_code(photo(*citizen, id, "after")), "case.photo_not_allowed");
  EXPECT_EQ(error_code(act(*citizen, id, R"({"action":"fix_on_site"})")), "auth.forbidden");
  EXPECT_EQ(attachments(), 1U);
  EXPECT_EQ(attach_events(), 1U);

  // The office may not fix it on the spot either (not a unit-side role).
  auto office = server_->login("office");
  EXPECT_EQ(error_code(photo(*office, id, "on_site")), "case.photo_not_allowed");
  // The grid worker of the place may: his on-site photo is taken.
  auto grid = server_->login("grid");
  ASSERT_EQ(allowed(*grid, id).names, (std::vector<std::string>{"fix_on_site"}));
  EXPECT_EQ(photo(*grid, id, "on_site").status, 201);
  EXPECT_EQ(attachments(), 2U);
}

TEST_P(CaseActions, TheUnitsAfterPhotoIsTakenOnlyWhenItMayRectify) {
  auto grid = server_->login("grid");
  auto office = server_->login("office");
  auto unit = server_->login("unit");
  const auto id = report(*grid, "绿化带内倾倒垃圾");
  ASSERT_EQ(photo(*grid, id, "before").status, 201);
  ASSERT_EQ(act(*office, id, R"({"action":"file"})").status, 200);
  const auto sub = std::to_string(server_->unit_id("140213050"));
  ASSERT_EQ(
      act(*office, id, R"({"action":"dispatch","unit_id":)" + sub + R"(,"note":"属地街道负责"})")
          .status,
      200);
  // Dispatched, not yet acknowledged: no rectification yet, so no after-photo.
  EXPECT_EQ(error_code(photo(*unit, id, "after")), "case.photo_not_allowed");
  ASSERT_EQ(act(*unit, id, R"({"action":"acknowledge"})").status, 200);
  EXPECT_EQ(error_code(photo(*office, id, "after")), "case.photo_not_allowed");
  ASSERT_EQ(photo(*unit, id, "after").status, 201);
  ASSERT_EQ(act(*unit, id, R"({"action":"rectify"})").status, 200);
  // Rectified: the verifier may still add a photo of the problem as he finds it.
  EXPECT_EQ(photo(*server_->login("supervisor"), id, "before").status, 201);
}

INSTANTIATE_TEST_SUITE_P(Backends, CaseActions, ::testing::ValuesIn(test_backends()), backend_name);

}  // namespace
}  // namespace civicloop::test
