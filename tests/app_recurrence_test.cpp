// Recurrence (举一反三, issue 8 part 4) on both backends: a report of the same category at the
// place of a case closed within the workflow's recurrence_days is marked as its recurrence, with
// the unit that closed it; another category, a later report past the window or the check turned
// off are not. Once filed it counts against that unit in the KPIs (复发数, 复发率), the figure's
// case list finds it, and the ledger still rebuilds every case.
#include <gtest/gtest.h>

#include <sstream>

#include "app/case_config.hpp"
#include "app/kpi_service.hpp"
#include "app/ledger_replay.hpp"
#include "storage/kpi_repo.hpp"
#include "support/api_fixture.hpp"
#include "support/loop_test.hpp"
#include "support/test_db.hpp"

namespace civicloop::test {
namespace {

class Recurrence : public LoopTest {
 protected:
  void SetUp() override {
    LoopTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    cache_ = std::make_unique<app::CaseConfigCache>(server_->ctx());
    kpis_ = std::make_unique<app::KpiService>(server_->ctx(), *cache_);
    unit_id_ = server().unit_id("140213050");
  }

  // A report at the grid's centre; answers the case as the API rendered it.
  boost::json::value report_at_centre(TestClient& c, const std::string& category) {
    const auto [lat, lng] = centre();
    std::ostringstream body;
    body.precision(10);
    body << R"({"category":")" << category << R"(","description":"又有垃圾堆放","lat":)" << lat
         << R"(,"lng":)" << lng << "}";
    auto r = c.request("POST", "/api/v1/cases", body.str());
    EXPECT_EQ(r.status, 201) << r.body;
    const auto v = parse(r);
    return v.at("case");
  }

  // A case of 0102 at the centre taken through the loop to its close-out by 永泰街道.
  std::int64_t closed_case() {
    auto grid = server().login("grid");
    auto office = server().login("office");
    auto unit = server().login("unit");
    auto supervisor = server().login("supervisor");
    const auto id = report(*grid, "0102", "路边堆放生活垃圾");
    act(*office, id, R"({"action":"file"})");
    act(*office, id,
        R"({"action":"dispatch","unit_id":)" + std::to_string(unit_id_) + R"(,"note":"属地"})");
    act(*unit, id, R"({"action":"acknowledge"})");
    photo(*unit, id, "after");
    act(*unit, id, R"({"action":"rectify"})");
    act(*supervisor, id, R"({"action":"verify","passed":true})");
    act(*office, id, R"({"action":"close"})");
    return id;
  }

  std::unique_ptr<app::CaseConfigCache> cache_;
  std::unique_ptr<app::KpiService> kpis_;
  std::int64_t unit_id_ = 0;
};

TEST_P(Recurrence, ASecondReportAtAClosedPlaceIsMarkedAndCountedAgainstTheUnitThatClosedIt) {
  const auto first = closed_case();
  auto grid = server().login("grid");
  auto office = server().login("office");

  const auto again = report_at_centre(*grid, "0102");
  ASSERT_TRUE(again.at("recurrence_of").is_int64()) << boost::json::serialize(again);
  EXPECT_EQ(again.at("recurrence_of").as_int64(), first);
  EXPECT_EQ(again.at("recurrence_unit").at("id").as_int64(), unit_id_);
  const auto again_id = again.at("id").as_int64();

  // Another category at the same place is no recurrence.
  const auto other = report_at_centre(*grid, "0507");
  EXPECT_TRUE(other.at("recurrence_of").is_null());
  EXPECT_TRUE(other.at("recurrence_unit").is_null());

  // Reported, not yet found valid: not counted.
  kpis_->project(1);
  auto k = parse(office->request("GET", "/api/v1/kpis?level=unit&period=month&date=2026-11-30&id=" +
                                            std::to_string(unit_id_)));
  ASSERT_EQ(k.at("items").as_array().size(), 1u);
  EXPECT_EQ(k.at("items").at(0).at("recurred").as_int64(), 0);

  // Filed: one recurrence against 永泰街道, over its one close-out.
  act(*office, again_id, R"({"action":"file"})");
  kpis_->project(1);
  k = parse(office->request("GET", "/api/v1/kpis?level=unit&period=month&date=2026-11-30&id=" +
                                       std::to_string(unit_id_)));
  const auto& row = k.at("items").at(0);
  EXPECT_EQ(row.at("recurred").as_int64(), 1);
  EXPECT_EQ(row.at("rates").at("recurrence").at("num").as_int64(), 1);
  EXPECT_EQ(row.at("rates").at("recurrence").at("den").as_int64(), 1);
  // The case list behind the figure holds the recurrence and nothing else.
  std::string query;
  for (const auto& [key, p] : row.at("cases").at("recurred").at("params").as_object()) {
    query += (query.empty() ? "?" : "&") + std::string(key) + "=" + std::string(p.as_string());
  }
  EXPECT_NE(query.find("recurrence_unit_id="), std::string::npos) << query;
  auto list = parse(office->request("GET", "/api/v1/cases" + query));
  ASSERT_EQ(list.at("items").as_array().size(), 1u) << query;
  EXPECT_EQ(list.at("items").at(0).at("id").as_int64(), again_id);
  EXPECT_EQ(
      parse(office->request("GET", "/api/v1/cases?recurrence=true")).at("items").as_array().size(),
      1u);

  // The grid's own figure counts it at the place.
  const auto grid_unit = server().unit_id("140213050001-G1");
  auto g = parse(office->request("GET", "/api/v1/kpis?level=grid&period=month&date=2026-11-30&id=" +
                                            std::to_string(grid_unit)));
  EXPECT_EQ(g.at("items").at(0).at("recurred").as_int64(), 1);

  // The counters equal a rebuild from the ledger, and every case rebuilds from its events.
  auto lease = server().db().acquire();
  const auto kept = storage::KpiRepo(*lease, 1).all();
  kpis_->rebuild(1);
  EXPECT_TRUE(kept == storage::KpiRepo(*lease, 1).all());
  auto replay = app::replay_check(server().ctx(), 1);
  EXPECT_TRUE(replay.ok()) << replay.problem_count;
}

TEST_P(Recurrence, PastTheWindowOrWithTheCheckOffNothingIsMarked) {
  closed_case();
  // 31 days later: past the preset's 30 (and past every session: sign in again).
  server().clock().advance(31LL * 24 * 3600 * 1000);
  auto grid = server().login("grid");
  EXPECT_TRUE(report_at_centre(*grid, "0102").at("recurrence_of").is_null());

  // A new close-out, then the office turns the check off: the next report is no recurrence.
  closed_case();
  auto admin = server().login("admin");
  auto w = admin->request("GET", "/api/v1/workflow");
  ASSERT_EQ(w.status, 200) << w.body;
  auto settings = parse(w).as_object();
  EXPECT_EQ(settings.at("recurrence_days").as_int64(), 30);
  EXPECT_EQ(settings.at("bounds").at("recurrence_days").at("max").as_int64(), 365);
  settings["recurrence_days"] = 400;
  auto bad = admin->request("PUT", "/api/v1/workflow", boost::json::serialize(settings));
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_EQ(error_code(bad), "field.out_of_range");
  settings["recurrence_days"] = 0;
  auto ok = admin->request("PUT", "/api/v1/workflow", boost::json::serialize(settings));
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_TRUE(report_at_centre(*grid, "0102").at("recurrence_of").is_null());
}

INSTANTIATE_TEST_SUITE_P(Backends, Recurrence, ::testing::ValuesIn(test_backends()), backend_name);

}  // namespace
}  // namespace civicloop::test
