// The command-centre dashboard and the hotspots (issue 8 parts 6 and 4) on both backends: the
// figures follow a small loop and a sweep, each opens its own cases through the case list's
// filters, the trigger-kept open counts equal a recount (`ledger replay --check`), the day
// counters equal a rebuild, and every reader sees his own scope only (citizens refused).
#include "app/dashboard_service.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "app/case_service.hpp"
#include "app/ledger_replay.hpp"
#include "domain/dashboard.hpp"
#include "storage/dashboard_repo.hpp"
#include "storage/kpi_repo.hpp"
#include "support/api_fixture.hpp"
#include "support/loop_test.hpp"
#include "support/test_db.hpp"

namespace civicloop::test {
namespace {

namespace json = boost::json;

std::string query_of(const json::value& figure) {
  std::string q;
  for (const auto& [k, p] : figure.at("cases").at("params").as_object()) {
    q += (q.empty() ? "?" : "&") + std::string(k) + "=" + std::string(p.as_string());
  }
  return q;
}

class Dashboard : public LoopTest {
 protected:
  // Three reports in grid G1 (two of 0102), all filed, two dispatched to 永泰街道, one closed.
  void loop() {
    auto grid = server().login("grid");
    auto office = server().login("office");
    auto unit = server().login("unit");
    auto supervisor = server().login("supervisor");
    const auto unit_id = std::to_string(server().unit_id("140213050"));
    closed_ = report(*grid, "0102", "路边堆放生活垃圾");
    open_ = report(*grid, "0102", "垃圾桶满溢");
    filed_ = report(*grid, "0507", "商铺门口堆放纸箱");
    for (auto id : {closed_, open_, filed_}) act(*office, id, R"({"action":"file"})");
    for (auto id : {closed_, open_}) {
      act(*office, id, R"({"action":"dispatch","unit_id":)" + unit_id + "}");
    }
    act(*unit, closed_, R"({"action":"acknowledge"})");
    photo(*unit, closed_, "after");
    act(*unit, closed_, R"({"action":"rectify"})");
    act(*supervisor, closed_, R"({"action":"verify","passed":true})");
    act(*office, closed_, R"({"action":"close"})");
  }

  json::value board(TestClient& c) {
    auto r = c.request("GET", "/api/v1/dashboard");
    EXPECT_EQ(r.status, 200) << r.body;
    return parse(r);
  }
  std::size_t listed(TestClient& c, const json::value& figure) {
    auto r = c.request("GET", "/api/v1/cases" + query_of(figure) +
                                  (query_of(figure).empty() ? "?" : "&") + "limit=200");
    EXPECT_EQ(r.status, 200) << r.body;
    return parse(r).at("items").as_array().size();
  }
  app::ReplayResult replay() { return app::replay_check(server().ctx(), 1); }

  std::int64_t closed_ = 0, open_ = 0, filed_ = 0;
};

TEST_P(Dashboard, FiguresFollowTheLoopAndEachOpensItsCases) {
  loop();
  auto office = server().login("office");
  const auto v = board(*office);
  EXPECT_EQ(v.at("scope").as_string(), "tenant");
  EXPECT_EQ(v.at("date").as_string(), "2026-11-30");
  const auto& today = v.at("today");
  EXPECT_EQ(today.at("reported").at("value").as_int64(), 3);
  EXPECT_EQ(today.at("closed").at("value").as_int64(), 1);
  EXPECT_EQ(today.at("overdue").at("value").as_int64(), 0);
  const auto& open = v.at("open");
  EXPECT_EQ(open.at("total").at("value").as_int64(), 2);
  EXPECT_EQ(open.at("overdue").at("value").as_int64(), 0);
  EXPECT_EQ(open.at("escalated").at("value").as_int64(), 0);
  // Each figure's filter lists its cases.
  EXPECT_EQ(listed(*office, today.at("reported")), 3u);
  EXPECT_EQ(listed(*office, today.at("closed")), 1u);
  EXPECT_EQ(listed(*office, open.at("total")), 2u);
  EXPECT_EQ(listed(*office, open.at("overdue")), 0u);
  // Thirty days up to today.
  const auto& days = v.at("trend").at("days").as_array();
  ASSERT_EQ(days.size(), 30u);
  EXPECT_EQ(days.back().at("date").as_string(), "2026-11-30");
  EXPECT_EQ(days.front().at("date").as_string(), "2026-11-01");
  EXPECT_EQ(days.back().at("closed").at("value").as_int64(), 1);
  EXPECT_EQ(listed(*office, days.back().at("closed")), 1u);
  // Sources and categories over the 30 days.
  std::int64_t by_source = 0;
  for (const auto& s : v.at("sources").as_array())
    by_source += s.at("reported").at("value").as_int64();
  EXPECT_EQ(by_source, 3);
  const auto& top = v.at("categories").at(0);
  EXPECT_EQ(top.at("code").as_string(), "0102");
  EXPECT_EQ(top.at("reported").at("value").as_int64(), 2);
  EXPECT_FALSE(top.at("name").as_string().empty());
  EXPECT_EQ(listed(*office, top.at("reported")), 2u);
  // The map: grid G1 holds both open cases.
  const auto g1 = server().unit_id("140213050001-G1");
  ASSERT_EQ(v.at("grids").as_array().size(), 1u);
  EXPECT_EQ(v.at("grids").at(0).at("id").as_int64(), g1);
  EXPECT_EQ(v.at("grids").at(0).at("open").at("value").as_int64(), 2);
  EXPECT_EQ(listed(*office, v.at("grids").at(0).at("open")), 2u);
  // Two reports of 0102 are below the preset's threshold of three: no hotspot yet.
  EXPECT_EQ(v.at("hotspots").at("min_reports").as_int64(), 3);
  EXPECT_TRUE(v.at("hotspots").at("items").as_array().empty());
  EXPECT_TRUE(v.at("alerts").as_array().empty());
  EXPECT_TRUE(v.at("rankings").at("units").at("top").is_array());

  // A third one makes G1 × 0102 a hotspot of the month.
  auto grid = server().login("grid");
  report(*grid, "0102", "又见垃圾堆放");
  auto h = office->request("GET", "/api/v1/hotspots?period=month");
  ASSERT_EQ(h.status, 200) << h.body;
  const auto hv = parse(h);
  ASSERT_EQ(hv.at("items").as_array().size(), 1u);
  EXPECT_EQ(hv.at("items").at(0).at("grid_id").as_int64(), g1);
  EXPECT_EQ(hv.at("items").at(0).at("category").as_string(), "0102");
  EXPECT_EQ(hv.at("items").at(0).at("reports").as_int64(), 3);
  EXPECT_EQ(hv.at("items").at(0).at("rank").as_int64(), 1);
  EXPECT_EQ(listed(*office, hv.at("items").at(0)), 3u);
  EXPECT_EQ(hv.at("period").at("from").as_string(), "2026-11-01");
  // Last month had none.
  EXPECT_TRUE(parse(office->request("GET", "/api/v1/hotspots?period=month&date=2026-10-15"))
                  .at("items")
                  .as_array()
                  .empty());
  EXPECT_TRUE(replay().ok());

  // Far past every deadline: overdue and escalated, with alerts; counts still equal a recount.
  app::CaseConfigCache cache(server().ctx());
  app::CaseService svc(server().ctx(), cache);
  server().clock().advance(30LL * 24 * 3600 * 1000);
  auto swept = svc.sweep(server().clock().now());
  EXPECT_GE(swept.escalations, 1);
  office = server().login("office");  // the session ran out with the 30 days
  const auto after = board(*office);
  const auto& o = after.at("open");
  EXPECT_GE(o.at("overdue").at("value").as_int64(), 1);
  EXPECT_EQ(listed(*office, o.at("overdue")),
            static_cast<std::size_t>(o.at("overdue").at("value").as_int64()));
  EXPECT_GE(o.at("escalated").at("value").as_int64(), 1);
  EXPECT_EQ(listed(*office, o.at("escalated")),
            static_cast<std::size_t>(o.at("escalated").at("value").as_int64()));
  EXPECT_FALSE(after.at("alerts").as_array().empty());
  EXPECT_GE(after.at("today").at("overdue").at("value").as_int64(), 1);
  EXPECT_GE(after.at("grids").at(0).at("overdue").at("value").as_int64(), 1);
  auto r = replay();
  EXPECT_TRUE(r.ok()) << r.problem_count << (r.problems.empty() ? "" : " " + r.problems[0].kind);

  // The projector's day counters, alerts and report sums equal a rebuild from the ledger, and
  // the report sums equal their counter rows grouped.
  using Sums = std::map<std::pair<std::string, std::string>, std::int64_t>;
  auto kept = [&] {
    auto lease = server().db().acquire();
    storage::DashboardRepo repo(*lease, 1);
    std::vector<std::int64_t> alerts;
    for (const auto& a : repo.alerts(100)) alerts.push_back(a.seq);
    Sums kept_sums;
    Sums grouped;
    for (const auto& m : repo.mix(20260101, 20261231)) kept_sums[{m.kind, m.code}] = m.reported;
    for (const auto& h : repo.hotspots(202601, 202612, 1, 0)) {
      kept_sums[{std::to_string(h.grid_id), h.category_code}] = h.reported;
    }
    for (const auto& r : repo.reports(20260101, 20261231)) {
      grouped[{"source", r.source}] += r.reported;
      grouped[{"category", r.category_code}] += r.reported;
      if (r.grid_id != 0) grouped[{std::to_string(r.grid_id), r.category_code}] += r.reported;
    }
    EXPECT_EQ(kept_sums, grouped);
    EXPECT_EQ(repo.hotspot_count(202601, 202612, 1),
              static_cast<std::int64_t>(repo.hotspots(202601, 202612, 1, 0).size()));
    return std::tuple{repo.days(20260101, 20261231), alerts, kept_sums};
  };
  app::KpiService kpis(server().ctx(), cache);
  kpis.project(1);
  const auto before = kept();
  EXPECT_FALSE(std::get<0>(before).empty());
  EXPECT_FALSE(std::get<2>(before).empty());
  kpis.rebuild(1);
  EXPECT_TRUE(kept() == before);

  // The district's hotspots of the month (the month sums) equal those of the same days as a
  // range (its counter rows); November, the clock being 30 days on.
  const auto month = parse(office->request("GET", "/api/v1/hotspots?period=month&date=2026-11-15"));
  const auto range =
      parse(office->request("GET", "/api/v1/hotspots?period=range&from=2026-11-01&to=2026-11-30"));
  ASSERT_FALSE(month.at("items").as_array().empty());
  EXPECT_EQ(month.at("items"), range.at("items"));
  EXPECT_EQ(month.at("total"), range.at("total"));

  // An edited count is caught by the replay check, naming unit and grid.
  {
    auto lease = server().db().acquire();
    lease->execute(
        "UPDATE case_open_counts SET escalated_cases = escalated_cases + 1 WHERE tenant_id = 1 "
        "AND grid_id = ?",
        {g1});
  }
  r = replay();
  ASSERT_GE(r.problem_count, 1);
  EXPECT_EQ(r.problems[0].kind, "open_counts");
  ASSERT_GE(r.problems[0].fields.size(), 2u);
  EXPECT_EQ(r.problems[0].fields[0], "grid_id=" + std::to_string(g1));
  EXPECT_EQ(r.problems[0].fields[1].rfind("escalated_cases=", 0), 0u);
}

TEST_P(Dashboard, EveryReaderSeesHisOwnScopeOnly) {
  loop();
  // The unit operator of 永泰街道: the cases dispatched to it and located in it.
  auto unit = server().login("unit");
  const auto u = board(*unit);
  EXPECT_EQ(u.at("scope").as_string(), "unit");
  EXPECT_EQ(u.at("open").at("total").at("value").as_int64(), 2);
  EXPECT_EQ(listed(*unit, u.at("open").at("total")), 2u);
  // The grid worker: his grid.
  auto grid = server().login("grid");
  const auto g = board(*grid);
  EXPECT_EQ(g.at("scope").as_string(), "grid");
  EXPECT_EQ(g.at("open").at("total").at("value").as_int64(), 2);
  EXPECT_EQ(g.at("today").at("reported").at("value").as_int64(), 3);
  // The leader: the district.
  auto leader = server().login("leader");
  EXPECT_EQ(board(*leader).at("scope").as_string(), "tenant");

  // A unit of another subdistrict sees nothing of them.
  auto admin = server().login("admin");
  auto made = admin->request(
      "POST", "/api/v1/users",
      R"({"username":"gucheng","password":"Gucheng#2026","role":"unit_operator","unit_id":)" +
          std::to_string(server().unit_id("140213051")) + "}");
  ASSERT_EQ(made.status, 201) << made.body;
  auto other = server().login("gucheng", "Gucheng#2026");
  const auto x = board(*other);
  EXPECT_EQ(x.at("open").at("total").at("value").as_int64(), 0);
  EXPECT_EQ(x.at("today").at("reported").at("value").as_int64(), 0);
  EXPECT_EQ(x.at("today").at("closed").at("value").as_int64(), 0);
  EXPECT_TRUE(x.at("grids").as_array().empty());
  EXPECT_TRUE(x.at("sources").as_array().empty());
  EXPECT_TRUE(x.at("categories").as_array().empty());
  for (const auto& r : x.at("rankings").at("subdistricts").at("top").as_array()) {
    EXPECT_EQ(r.at("id").as_int64(), server().unit_id("140213051"));
  }
  report(*grid, "0102", "又见垃圾堆放");
  EXPECT_TRUE(parse(other->request("GET", "/api/v1/hotspots")).at("items").as_array().empty());
  EXPECT_EQ(parse(unit->request("GET", "/api/v1/hotspots")).at("items").as_array().size(), 1u);

  // Citizens are refused; bad periods and dates are named.
  auto citizen = server().login("citizen");
  auto r = citizen->request("GET", "/api/v1/dashboard");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(error_code(r), "auth.forbidden");
  EXPECT_EQ(error_code(citizen->request("GET", "/api/v1/hotspots")), "auth.forbidden");
  auto office = server().login("office");
  r = office->request("GET", "/api/v1/hotspots?period=year");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(error_code(r), "kpi.bad_period");
  EXPECT_EQ(error_code(office->request("GET", "/api/v1/hotspots?date=30.11.2026")),
            "request.invalid_parameter");
  EXPECT_EQ(error_code(office->request("GET", "/api/v1/hotspots?period=range&from=2026-11-01")),
            "kpi.bad_period");
}

TEST_P(Dashboard, TheDashboardEmbedsTheFirstTwentyHotspotsAndCountsThemAll) {
  loop();
  const auto g1 = server().unit_id("140213050001-G1");
  {
    // 25 grid × category sums of this month, as the projector keeps them: 25 reports for the
    // first down to 1 for the last (the preset's threshold is 3, so 23 are hotspots).
    auto lease = server().db().acquire();
    storage::KpiRepo repo(*lease, 1);
    for (int i = 1; i <= 25; ++i) {
      kpi::Key k;
      k.day = 20261115;
      k.grid_id = g1;
      k.category_code = "T" + std::to_string(100 + i);
      k.source = "inspection";
      kpi::Counts c;
      c.reported = 26 - i;
      repo.add(k, c);
    }
  }
  auto office = server().login("office");
  const auto v = parse(office->request("GET", "/api/v1/dashboard")).at("hotspots");
  const auto& items = v.at("items").as_array();
  ASSERT_EQ(items.size(), 20u);
  EXPECT_EQ(v.at("total").as_int64(), 23);
  EXPECT_EQ(items.front().at("category").as_string(), "T101");
  EXPECT_EQ(items.front().at("rank").as_int64(), 1);
  EXPECT_EQ(items.back().at("reports").as_int64(), 6);
  const auto all = parse(office->request("GET", "/api/v1/hotspots"));
  EXPECT_EQ(all.at("items").as_array().size(), 23u);
  EXPECT_EQ(all.at("total").as_int64(), 23);
  for (std::size_t i = 0; i < items.size(); ++i) EXPECT_EQ(items[i], all.at("items").at(i));
  EXPECT_EQ(items.front().at("grid_name").as_string(), "永泰北社区第1网格");
  // In English the places are named in English.
  const auto en =
      parse(office->request("GET", "/api/v1/dashboard", "", {{"Accept-Language", "en"}}));
  EXPECT_EQ(en.at("hotspots").at("items").at(0).at("grid_name").as_string(),
            "Yongtai North Community, Grid 1");
  EXPECT_EQ(en.at("grids").at(0).at("name").as_string(), "Yongtai North Community, Grid 1");
  // A scoped reader (his counter rows): the same rule, within his scope.
  auto grid = server().login("grid");
  const auto g = parse(grid->request("GET", "/api/v1/dashboard")).at("hotspots");
  EXPECT_EQ(g.at("items").as_array().size(), 20u);
  EXPECT_EQ(g.at("total").as_int64(), 23);
}

INSTANTIATE_TEST_SUITE_P(Backends, Dashboard, ::testing::ValuesIn(test_backends()), backend_name);

// ---- the pure rules ----

TEST(DashboardRules, HotspotsKeepTheThresholdRankMostFirstAndShareTies) {
  const auto out = dashboard::hotspots({{7, "0102", 3},
                                        {5, "0507", 5},
                                        {9, "0102", 3},
                                        {4, "0102", 2},
                                        {0, "0102", 9}},  // no grid: never a hotspot
                                       3);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].grid_id, 5);
  EXPECT_EQ(out[0].rank, 1);
  EXPECT_EQ(out[1].grid_id, 7);
  EXPECT_EQ(out[1].rank, 2);
  EXPECT_EQ(out[2].grid_id, 9);
  EXPECT_EQ(out[2].rank, 2);
  EXPECT_TRUE(dashboard::hotspots({{7, "0102", 2}}, 3).empty());
}

TEST(DashboardRules, TheHotspotThresholdIsCheckedLikeTheOtherKpiSettings) {
  auto doc = json::parse(R"({"format":"civicloop-kpi/1","hotspot":{"min_reports":0}})");
  auto s = app::parse_kpi_settings(doc);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, "kpi.bad_hotspot");
  doc = json::parse(R"({"format":"civicloop-kpi/1","hotspot":4})");
  s = app::parse_kpi_settings(doc);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, "kpi.bad_settings");
  EXPECT_EQ(s.error().field, "hotspot");
  doc = json::parse(R"({"format":"civicloop-kpi/1","hotspot":{"min_reports":5}})");
  s = app::parse_kpi_settings(doc);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->hotspot_min_reports, 5);
  EXPECT_EQ(
      app::parse_kpi_settings(json::parse(R"({"format":"civicloop-kpi/1"})"))->hotspot_min_reports,
      3);
}

}  // namespace
}  // namespace civicloop::test
