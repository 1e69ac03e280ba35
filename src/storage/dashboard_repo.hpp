// Persistence of the command-centre dashboard (migration 0014): the open, overdue and escalated
// cases per assigned unit × grid that triggers keep as cases change (case_open_counts), the day
// counters and alerts that the KPI projector keeps (dashboard_activity, dashboard_activity_days,
// dashboard_alerts), and the report sums for the source mix, the top categories and the hotspots:
// the district's from the sums the KPI projector keeps for them (kpi_report_days,
// kpi_hotspot_months, migration 0018), a scoped reader's from his rows of kpi_counters. Written
// once for SQLite and PostgreSQL. Bound to one connection and tenant; use inside the caller's
// transaction, on one thread.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "domain/dashboard.hpp"
#include "storage/db.hpp"

namespace civicloop::storage {

struct OpenCount {
  std::int64_t unit_id = 0;  // assigned unit, 0 for none
  std::int64_t grid_id = 0;  // 0 for none
  std::int64_t open = 0;
  std::int64_t overdue = 0;
  std::int64_t escalated = 0;
  bool operator==(const OpenCount&) const = default;
};

struct ReportSum {
  std::int64_t unit_id = 0;
  std::int64_t grid_id = 0;
  std::string category_code;
  std::string source;
  std::int64_t reported = 0;
};

// Reports of one source or category (kpi_report_days).
struct MixSum {
  std::string kind;  // "source" | "category"
  std::string code;
  std::int64_t reported = 0;
};

// Reports of one grid and category (kpi_hotspot_months).
struct GridCategorySum {
  std::int64_t grid_id = 0;
  std::string category_code;
  std::int64_t reported = 0;
};

struct AlertRow {
  std::int64_t seq = 0;
  std::int64_t case_id = 0;
  std::string case_no;
  std::string title;
  int escalation_level = 0;
  std::int64_t unit_id = 0;
  std::int64_t grid_id = 0;
  Millis at = 0;
};

class DashboardRepo {
 public:
  DashboardRepo(Connection& conn, std::int64_t tenant_id) : c_(conn), tenant_(tenant_id) {}

  // Kept by triggers; rows left at zero are skipped. Ordered by unit, grid.
  std::vector<OpenCount> open_counts();

  // The projector's writes: a day row (and the tenant's day total), an alert.
  void add_activity(const dashboard::ActivityKey& key, const dashboard::Activity& a);
  void add_alert(const AlertRow& a);
  // Empties the projector's tables of the tenant (before a rebuild); not case_open_counts.
  void clear();

  // The tenant's totals per day in from..to.
  std::map<kpi::Day, dashboard::Activity> days(kpi::Day from, kpi::Day to);
  // The rows per day, unit and grid in from..to (scoped readers filter them).
  std::vector<std::pair<dashboard::ActivityKey, dashboard::Activity>> activity(kpi::Day from,
                                                                               kpi::Day to);
  // Reports in from..to (report days) per unit, grid, category and source, from kpi_counters;
  // with `ids`, only the rows whose unit or grid is one of them (a scoped reader's).
  std::vector<ReportSum> reports(kpi::Day from, kpi::Day to,
                                 const std::vector<std::int64_t>* ids = nullptr);
  // The tenant's reports in from..to per source and per category.
  std::vector<MixSum> mix(kpi::Day from, kpi::Day to);
  // The tenant's grid × category report sums of the months from..to (YYYYMM) with at least
  // `min_reports`, most first (then by grid and category), at most `limit` of them (0: all).
  std::vector<GridCategorySum> hotspots(std::int64_t from_month, std::int64_t to_month,
                                        std::int64_t min_reports, std::size_t limit);
  // How many there are in all.
  std::int64_t hotspot_count(std::int64_t from_month, std::int64_t to_month,
                             std::int64_t min_reports);
  // The newest alerts first.
  std::vector<AlertRow> alerts(int limit);

 private:
  Connection& c_;
  std::int64_t tenant_;
};

}  // namespace civicloop::storage
