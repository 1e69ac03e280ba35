// The command-centre dashboard (指挥中心, issue 8 part 6) and the hotspots (part 4): today's new,
// closed and overdue cases, the open cases now (total, overdue, escalated), a 30-day trend, the
// source mix, the top categories, the unit and subdistrict rankings (KpiService), the open cases
// per grid for the map, the hotspots and the latest escalations. Reads counters only, never the
// cases table (docs/architecture.md, "How the dashboard reads"): case_open_counts (kept by
// triggers), the KPI counters and the dashboard's day counters and alerts (kept by the KPI
// projector). Role and data scope are checked here: citizens refused; a unit operator sees what
// lies in his subtree, a grid worker his grid, tenant-wide roles the district. Every figure
// carries the GET /api/v1/cases filter of its cases. Thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "app/case_config.hpp"
#include "app/context.hpp"
#include "app/kpi_service.hpp"
#include "domain/access.hpp"
#include "domain/kpi.hpp"

namespace civicloop::app {

// The case-list filter of a figure (GET /api/v1/cases parameters). The list applies the reader's
// own scope, so a scoped reader's filter needs no place. `exact` is false where the list can only
// approximate the figure (a day counter kept with the unit and grid at the event, the overdue
// flag now for "turned overdue today").
struct CasesLink {
  std::vector<std::pair<std::string, std::string>> params;
  bool exact = true;
};

struct DashFigure {
  std::int64_t value = 0;
  CasesLink cases;
};

struct DayPoint {
  calendar::Date date;
  DashFigure reported;
  DashFigure closed;
};

struct MixEntry {
  std::string code;  // source or category code
  std::string name;  // category name in the locale ("" for sources: the page names them)
  DashFigure reported;
};

struct RankEntry {
  std::int64_t id = 0;
  std::string name;
  std::optional<int> rank;
  std::optional<double> score;
  std::string grade;
  CasesLink cases;  // the cases due in the period
};

struct GridEntry {
  std::int64_t id = 0;
  std::string name;
  DashFigure open;
  DashFigure overdue;
  DashFigure escalated;
};

struct HotspotEntry {
  std::int64_t grid_id = 0;
  std::string grid_name;
  std::string category_code;
  std::string category_name;
  std::int64_t reports = 0;
  int rank = 0;
  CasesLink cases;
};

struct HotspotView {
  kpi::Period period;
  int min_reports = 0;
  std::vector<HotspotEntry> items;  // the dashboard embeds the first 20; GET /hotspots all
  std::int64_t total = 0;           // how many hotspots there are in all
  std::int64_t as_of_seq = 0;
};

struct AlertEntry {
  std::int64_t seq = 0;
  std::int64_t case_id = 0;
  std::string case_no;
  std::string title;
  int escalation_level = 0;
  std::string unit_name;
  std::string grid_name;
  Millis at = 0;
};

struct DashboardView {
  std::string scope;  // tenant | unit | grid: what the figures cover
  calendar::Date today;
  DashFigure today_reported, today_closed, today_overdue;
  DashFigure open_total, open_overdue, open_escalated;
  kpi::Period trend_period;  // the last 30 days, today included
  std::vector<DayPoint> trend;
  std::vector<MixEntry> sources;     // over the trend's days, most reports first
  std::vector<MixEntry> categories;  // the top 10 over the trend's days
  kpi::Period ranking_period;        // this month
  std::vector<RankEntry> units_top, units_bottom;
  std::vector<RankEntry> subdistricts_top, subdistricts_bottom;
  std::vector<GridEntry> grids;    // grids with open cases, most first
  HotspotView hotspots;            // this month's
  std::vector<AlertEntry> alerts;  // the latest 10 escalations
  std::int64_t as_of_seq = 0;      // the last ledger event in the day counters
};

struct HotspotQuery {
  std::string period = "month";  // day | week | month | quarter | range
  std::optional<std::string> date;
  std::optional<std::string> from;
  std::optional<std::string> to;
};

class DashboardService {
 public:
  DashboardService(Context& ctx, CaseConfigCache& config, KpiService& kpis)
      : ctx_(ctx), config_(config), kpis_(kpis) {}

  // "auth.forbidden" (citizens), "auth.out_of_scope" (a unit-bound role with no unit).
  Expected<DashboardView> dashboard(const access::Actor& actor, std::string_view locale);
  // The same errors, and "kpi.bad_period", "request.invalid_parameter" (date, from, to).
  Expected<HotspotView> hotspots(const access::Actor& actor, const HotspotQuery& q,
                                 std::string_view locale);

 private:
  void catch_up(std::int64_t tenant_id);
  Context& ctx_;
  CaseConfigCache& config_;
  KpiService& kpis_;
};

}  // namespace civicloop::app
