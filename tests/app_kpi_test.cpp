// KPIs end to end on both backends: the whole loop (report, file, dispatch, a notice of two cases,
// acknowledge, an extension, rework, close, park and unpark, a fix on the spot, a void) projected
// in steps as it runs, then a sweep far past every deadline; the counters always equal a rebuild
// from the ledger. The KPI and ranking API on top: figures checked by hand, the case list behind
// a figure, scope denials, bad level and period.
#include "app/kpi_service.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <fstream>
#include <sstream>

#include "app/case_service.hpp"
#include "storage/kpi_repo.hpp"
#include "support/api_fixture.hpp"
#include "support/loop_test.hpp"
#include "support/test_db.hpp"

namespace civicloop::test {
namespace {

class Kpi : public LoopTest {
 protected:
  void SetUp() override {
    LoopTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    cache_ = std::make_unique<app::CaseConfigCache>(server_->ctx());
    kpis_ = std::make_unique<app::KpiService>(server_->ctx(), *cache_);
  }

  // Projects what is new (as the scheduler would between requests).
  void step() { kpis_->project(1, 7); }

  void whole_loop() {
    auto grid = server().login("grid");
    auto office = server().login("office");
    auto unit = server().login("unit");
    auto supervisor = server().login("supervisor");
    const auto unit_id = std::to_string(server().unit_id("140213050"));
    first_ = report(*grid, "0102", "路边堆放生活垃圾");
    photo(*grid, first_, "before");
    act(*office, first_, R"({"action":"file"})");
    step();
    act(*office, first_, R"({"action":"dispatch","unit_id":)" + unit_id + R"(,"note":"属地"})");
    act(*unit, first_, R"({"action":"acknowledge"})");
    act(*unit, first_,
        R"({"action":"request_extension","extension_amount":3,"extension_unit":"working_days","note":"需协调环卫车辆"})");
    step();
    act(*office, first_,
        R"({"action":"decide_extension","decision":"partial","extension_amount":1})");
    photo(*unit, first_, "after");
    act(*unit, first_, R"({"action":"rectify"})");
    act(*supervisor, first_, R"({"action":"verify","passed":false,"note":"仍有残留"})");
    step();
    photo(*unit, first_, "after");
    act(*unit, first_, R"({"action":"rectify"})");
    act(*supervisor, first_, R"({"action":"verify","passed":true})");
    act(*office, first_, R"({"action":"close"})");
    // Two cases of one unit under one notice; one parked and back.
    a_ = report(*grid, "0507", "商铺门口堆放纸箱");
    b_ = report(*grid, "0506", "店外经营");
    act(*office, a_, R"({"action":"file"})");
    act(*office, b_, R"({"action":"file"})");
    step();
    auto n = office->request("POST", "/api/v1/notices",
                             R"({"case_ids":[)" + std::to_string(a_) + "," + std::to_string(b_) +
                                 R"(],"unit_id":)" + unit_id +
                                 R"(,"kind":"reminder","requirement":"立即清理"})");
    EXPECT_EQ(n.status, 201) << n.body;
    act(*office, a_, R"({"action":"park","note":"纳入改造工程","review_date":"2099-06-30"})");
    step();
    act(*office, a_, R"({"action":"unpark"})");
    // Fixed on the spot; one voided.
    const auto c = report(*grid, "0507", "共享单车乱停放");
    photo(*grid, c, "on_site");
    act(*grid, c, R"({"action":"fix_on_site"})");
    const auto v = report(*grid, "0102", "重复上报的垃圾");
    act(*office, v, R"({"action":"void","note":"无效"})");
  }

  struct Stored {
    std::map<kpi::Key, kpi::Counts> first;
    std::map<kpi::StaffKey, kpi::StaffCounts> second;
    std::map<std::tuple<std::string, std::int64_t, kpi::Day>, kpi::Counts> rollups;
  };
  Stored stored() {
    auto lease = server().db().acquire();
    storage::KpiRepo repo(*lease, 1);
    return {repo.all(), repo.all_staff(), repo.all_rollups()};
  }

  void expect_rebuild_equal(const std::string& when) {
    kpis_->project(1);
    const auto kept = stored();
    const auto r = kpis_->rebuild(1);
    EXPECT_GT(r.events, 0);
    const auto rebuilt = stored();
    EXPECT_FALSE(kept.first.empty());
    EXPECT_EQ(kept.first.size(), rebuilt.first.size()) << when;
    EXPECT_TRUE(kept.first == rebuilt.first) << "counters differ from a rebuild " << when;
    EXPECT_TRUE(kept.second == rebuilt.second) << "staff counters differ from a rebuild " << when;
    EXPECT_FALSE(kept.rollups.empty());
    EXPECT_TRUE(kept.rollups == rebuilt.rollups) << "rollups differ from a rebuild " << when;
    // Each level's rollups sum to the rows' totals of that level.
    kpi::Counts units;
    kpi::Counts unit_rows;
    for (const auto& [k, c] : kept.rollups) {
      if (std::get<0>(k) == "unit") units += c;
    }
    for (const auto& [k, c] : kept.first) {
      if (k.unit_id != 0) unit_rows += c;
    }
    EXPECT_TRUE(units == unit_rows) << when;
  }

  kpi::Counts total() {
    kpi::Counts t;
    for (const auto& [k, c] : stored().first) t += c;
    return t;
  }

  std::unique_ptr<app::CaseConfigCache> cache_;
  std::unique_ptr<app::KpiService> kpis_;
  std::int64_t first_ = 0;
  std::int64_t a_ = 0;
  std::int64_t b_ = 0;
};

TEST_P(Kpi, CountersKeptInStepsEqualARebuildFromTheLedgerAfterTheLoopAndASweep) {
  whole_loop();
  expect_rebuild_equal("after the loop");
  const auto t = total();
  EXPECT_EQ(t.reported, 5);
  EXPECT_EQ(t.filed, 4);  // three filed, one fixed on the spot
  EXPECT_EQ(t.voided, 1);
  EXPECT_EQ(t.dispatched, 3);
  EXPECT_EQ(t.fixed_on_site, 1);
  EXPECT_EQ(t.acknowledged, 1);
  EXPECT_EQ(t.verified, 2);
  EXPECT_EQ(t.verify_failed, 1);
  EXPECT_EQ(t.extended, 1);
  EXPECT_EQ(t.closed, 1);
  EXPECT_EQ(t.closed_on_time, 1);
  EXPECT_EQ(t.parked, 0);  // parked and back
  EXPECT_EQ(t.due(), 4);

  // The sweep, far past every deadline: the open cases turn overdue, once each.
  app::CaseService svc(server().ctx(), *cache_);
  server().clock().advance(30LL * 24 * 3600 * 1000);
  auto swept = svc.sweep(server().clock().now());
  EXPECT_GE(swept.escalations, 1);
  expect_rebuild_equal("after the sweep");
  EXPECT_EQ(total().overdue, 2);  // the two cases of the notice, never acknowledged
}

TEST_P(Kpi, TheApiServesFiguresWithIntervalsAndTheCasesBehindThem) {
  whole_loop();
  auto office = server().login("office");
  const auto unit = server().unit_id("140213050");
  auto r = office->request(
      "GET", "/api/v1/kpis?level=unit&period=month&date=2026-11-30&id=" + std::to_string(unit));
  ASSERT_EQ(r.status, 200) << r.body;
  const auto v = parse(r);
  EXPECT_EQ(v.at("period").at("from").as_string(), "2026-11-01");
  EXPECT_EQ(v.at("period").at("to").as_string(), "2026-11-30");
  ASSERT_EQ(v.at("items").as_array().size(), 1u);
  const auto& row = v.at("items").at(0);
  EXPECT_EQ(row.at("due").as_int64(), 3);
  EXPECT_EQ(row.at("closed").as_int64(), 1);
  const auto& closure = row.at("rates").at("closure");
  EXPECT_EQ(closure.at("num").as_int64(), 1);
  EXPECT_EQ(closure.at("den").as_int64(), 3);
  EXPECT_LT(closure.at("low").as_double(), 1.0 / 3);
  EXPECT_GT(closure.at("high").as_double(), 1.0 / 3);
  EXPECT_EQ(row.at("rates").at("rework").at("value").as_double(), 0.5);
  EXPECT_FALSE(row.at("grade").as_string().empty());
  // The closed case behind the figure, through the case list's own filters.
  std::string query;
  for (const auto& [k, p] : row.at("cases").at("closed").at("params").as_object()) {
    query += (query.empty() ? "?" : "&") + std::string(k) + "=" + std::string(p.as_string());
  }
  auto list = office->request("GET", "/api/v1/cases" + query);
  ASSERT_EQ(list.status, 200) << list.body;
  const auto lv = parse(list);
  ASSERT_EQ(lv.at("items").as_array().size(), 1u) << query;
  EXPECT_EQ(lv.at("items").at(0).at("id").as_int64(), first_);
  // The dispatched window holds the three dispatched cases.
  query.clear();
  for (const auto& [k, p] : row.at("cases").at("dispatched").at("params").as_object()) {
    query += (query.empty() ? "?" : "&") + std::string(k) + "=" + std::string(p.as_string());
  }
  EXPECT_EQ(parse(office->request("GET", "/api/v1/cases" + query)).at("items").as_array().size(),
            3u);
  // Nothing dispatched in December yet.
  auto dec = office->request("GET", "/api/v1/cases?dispatched_from=2026-12-01");
  EXPECT_EQ(parse(dec).at("items").as_array().size(), 0u);

  // The grid worker's own figures: five reports, four valid.
  auto grid = server().login("grid");
  auto g = parse(grid->request("GET", "/api/v1/kpis?level=reporter&period=week&date=2026-12-02"));
  ASSERT_EQ(g.at("items").as_array().size(), 1u);
  EXPECT_EQ(g.at("items").at(0).at("reported").as_int64(), 5);
  EXPECT_EQ(g.at("items").at(0).at("rates").at("valid_report").at("num").as_int64(), 4);
  // Behind 上报数: his reports, through the case list's reporter filter.
  query.clear();
  for (const auto& [k, p] :
       g.at("items").at(0).at("cases").at("reported").at("params").as_object()) {
    query += (query.empty() ? "?" : "&") + std::string(k) + "=" + std::string(p.as_string());
  }
  EXPECT_NE(query.find("reporter_id="), std::string::npos);
  EXPECT_EQ(parse(office->request("GET", "/api/v1/cases" + query)).at("items").as_array().size(),
            5u)
      << query;
  EXPECT_EQ(parse(office->request("GET", "/api/v1/cases?reporter_id=999999"))
                .at("items")
                .as_array()
                .size(),
            0u);
}

TEST_P(Kpi, RankingsListSmallUnitsApartAndOnlyWithinTheCallersScope) {
  whole_loop();
  auto leader = server().login("leader");
  auto r =
      leader->request("GET", "/api/v1/rankings?level=subdistrict&period=month&date=2026-11-30");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto v = parse(r);
  // Every subdistrict has fewer cases than the preset's minimum of 5: all listed apart.
  EXPECT_EQ(v.at("items").as_array().size(), 0u);
  EXPECT_EQ(v.at("insufficient").as_array().size(), 18u);
  EXPECT_EQ(v.at("min_sample").as_int64(), 5);
  EXPECT_EQ(v.at("previous").at("from").as_string(), "2026-10-01");
  const auto yongtai = server().unit_id("140213050");
  const auto& first = v.at("insufficient").at(0);  // the largest sample first
  EXPECT_EQ(first.at("id").as_int64(), yongtai);
  EXPECT_TRUE(first.at("insufficient").as_bool());
  EXPECT_TRUE(first.at("rank").is_null());

  // The unit operator of 永泰街道 sees his own subdistrict only.
  auto unit = server().login("unit");
  auto u = parse(
      unit->request("GET", "/api/v1/rankings?level=subdistrict&period=month&date=2026-11-30"));
  ASSERT_EQ(u.at("insufficient").as_array().size(), 1u);
  EXPECT_EQ(u.at("insufficient").at(0).at("id").as_int64(), yongtai);
}

// The service keeps the last rankings for their watermark (the dashboard embeds two on every
// read): asked again with nothing new, the same answer; after a settings change or a new event,
// the new one.
TEST_P(Kpi, AKeptRankingFollowsChangedSettingsAndNewEvents) {
  whole_loop();
  auto leader = server().login("leader");
  const std::string q = "/api/v1/rankings?level=subdistrict&period=month&date=2026-11-30";
  const auto first = leader->request("GET", q);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(leader->request("GET", q).body, first.body);
  EXPECT_TRUE(parse(first).at("items").as_array().empty());  // all below 5 cases

  // The preset's minimum sample lowered to 1 (as a reload stores it): 永泰街道 is ranked now.
  {
    auto lease = server().db().acquire();
    storage::KpiRepo repo(*lease, 1);
    auto doc = boost::json::parse(repo.settings_doc().value()).as_object();
    doc["min_sample"] = 1;
    repo.save_settings_doc(boost::json::serialize(doc), server().clock().now());
  }
  const auto yongtai = server().unit_id("140213050");
  auto dispatched_of = [&](const boost::json::value& v) -> std::int64_t {
    for (const auto& e : v.at("items").as_array()) {
      if (e.at("id").as_int64() == yongtai) return e.at("dispatched").as_int64();
    }
    ADD_FAILURE() << "永泰街道 not ranked: " << boost::json::serialize(v);
    return -1;
  };
  const auto before = dispatched_of(parse(leader->request("GET", q)));

  // One more case dispatched to 永泰街道 today: counted on the next read.
  auto grid = server().login("grid");
  auto office = server().login("office");
  const auto id = report(*grid, "0102", "又见垃圾堆放");
  act(*office, id, R"({"action":"file"})");
  act(*office, id,
      R"({"action":"dispatch","unit_id":)" + std::to_string(yongtai) + R"(,"note":"属地"})");
  EXPECT_EQ(dispatched_of(parse(leader->request("GET", q))), before + 1);
}

// Part 1's supervision-group level (督导组): a case of 私搭乱建 (0101) is overseen by SG10 (the
// preset's category), so SG10's KPIs count it, its figure's case list holds it, the group ranking
// lists the groups, a unit that is no group is refused, and the rollups equal a rebuild.
TEST_P(Kpi, ASupervisionGroupHasTheFiguresOfTheCasesItOversees) {
  auto grid = server().login("grid");
  auto office = server().login("office");
  const auto id = report(*grid, "0101", "楼顶私搭彩钢房");
  act(*office, id, R"({"action":"file"})");
  act(*office, id,
      R"({"action":"dispatch","unit_id":)" + std::to_string(server().unit_id("140213050")) +
          R"(,"note":"属地"})");
  const auto sg = server().unit_id("SG10");
  auto c = office->request("GET", "/api/v1/cases/" + std::to_string(id));
  ASSERT_EQ(c.status, 200) << c.body;
  ASSERT_FALSE(parse(c).at("case").at("supervising_group").is_null()) << c.body;
  EXPECT_EQ(parse(c).at("case").at("supervising_group").at("id").as_int64(), sg);
  step();
  const auto q = "/api/v1/kpis?level=group&period=month&id=" + std::to_string(sg);
  auto r = office->request("GET", q);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto v = parse(r);
  const auto& row = v.at("items").at(0);
  EXPECT_EQ(row.at("id").as_int64(), sg);
  EXPECT_EQ(row.at("dispatched").as_int64(), 1);
  // The cases behind the figure: the case list by supervising_group_id.
  std::string list = "/api/v1/cases?limit=50";
  for (const auto& [k, val] : row.at("cases").at("dispatched").at("params").as_object()) {
    list += "&" + std::string(k) + "=" + std::string(val.as_string());
  }
  EXPECT_NE(list.find("supervising_group_id=" + std::to_string(sg)), std::string::npos) << list;
  auto l = office->request("GET", list);
  ASSERT_EQ(l.status, 200) << l.body;
  const auto lv = parse(l);
  ASSERT_EQ(lv.at("items").as_array().size(), 1u) << l.body;
  EXPECT_EQ(lv.at("items").at(0).at("id").as_int64(), id);
  // The ranking of the groups: every supervision group, SG10 with its case.
  r = office->request("GET", "/api/v1/rankings?level=group&period=month");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto rk = parse(r);
  bool found = false;
  for (const char* part : {"items", "insufficient"}) {
    for (const auto& e : rk.at(part).as_array()) {
      if (e.at("id").as_int64() == sg) found = e.at("dispatched").as_int64() == 1;
    }
  }
  EXPECT_TRUE(found) << r.body;
  // A unit that is no supervision group.
  r = office->request("GET", "/api/v1/kpis?level=group&period=month&id=" +
                                 std::to_string(server().unit_id("140213050")));
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_EQ(error_code(r), "org.unit_not_found");
  // Kept and rebuilt give the same figure.
  kpis_->rebuild(1);
  r = office->request("GET", q);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(parse(r).at("items").at(0).at("dispatched").as_int64(), 1);
}

TEST_P(Kpi, ScopeAndBadInputAreRefused) {
  auto unit = server().login("unit");
  const auto other = server().unit_id("140213051");
  auto r = unit->request("GET", "/api/v1/kpis?level=subdistrict&id=" + std::to_string(other));
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(error_code(r), "auth.out_of_scope");
  auto citizen = server().login("citizen");
  r = citizen->request("GET", "/api/v1/kpis?level=unit");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(error_code(r), "auth.forbidden");
  r = citizen->request("GET", "/api/v1/rankings?level=unit");
  EXPECT_EQ(error_code(r), "auth.forbidden");
  auto office = server().login("office");
  r = office->request("GET", "/api/v1/kpis?level=province");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(error_code(r), "kpi.bad_level");
  r = office->request("GET", "/api/v1/kpis?level=unit&period=year");
  EXPECT_EQ(error_code(r), "kpi.bad_period");
  r = office->request("GET",
                      "/api/v1/rankings?level=unit&period=range&from=2026-12-01&to=2026-11-01");
  EXPECT_EQ(error_code(r), "kpi.bad_period");
  r = office->request("GET", "/api/v1/kpis?level=unit&period=range&from=2026-11-01");
  EXPECT_EQ(error_code(r), "kpi.bad_period");
  r = office->request("GET", "/api/v1/kpis?level=unit&date=30.11.2026");
  EXPECT_EQ(error_code(r), "request.invalid_parameter");
  // A grid asked for as a subdistrict does not exist as one.
  r = office->request("GET", "/api/v1/kpis?level=subdistrict&id=" +
                                 std::to_string(server().unit_id("140213050001-G1")));
  EXPECT_EQ(r.status, 404);
  // The message is worded in both languages.
  r = office->request("GET", "/api/v1/kpis?level=x", "", {{"Accept-Language", "en"}});
  EXPECT_NE(parse(r).at("error").at("message").as_string().find("KPI level"), std::string::npos);
}

TEST_P(Kpi, APeriodWithNoCasesGivesEmptyFiguresNotZeroRates) {
  auto office = server().login("office");
  const auto unit = server().unit_id("140213050");
  auto r = office->request("GET", "/api/v1/kpis?level=subdistrict&period=day&date=2026-01-05&id=" +
                                      std::to_string(unit));
  ASSERT_EQ(r.status, 200) << r.body;
  const auto v = parse(r);
  ASSERT_EQ(v.at("items").as_array().size(), 1u);
  const auto& row = v.at("items").at(0);
  EXPECT_EQ(row.at("due").as_int64(), 0);
  EXPECT_TRUE(row.at("rates").at("closure").at("value").is_null());
  EXPECT_TRUE(row.at("score").is_null());
}

INSTANTIATE_TEST_SUITE_P(Backends, Kpi, ::testing::ValuesIn(test_backends()), backend_name);

}  // namespace
}  // namespace civicloop::test
