#include "storage/dashboard_repo.hpp"

#include <algorithm>

namespace civicloop::storage {

std::vector<OpenCount> DashboardRepo::open_counts() {
  std::vector<OpenCount> out;
  for (const auto& r : c_.query(
           "SELECT unit_id, grid_id, open_cases, overdue_cases, escalated_cases "
           "FROM case_open_counts WHERE tenant_id = ? AND (open_cases <> 0 OR overdue_cases <> 0 "
           "OR escalated_cases <> 0) ORDER BY unit_id, grid_id",
           {tenant_})) {
    out.push_back({r.get_int(0), r.get_int(1), r.get_int(2), r.get_int(3), r.get_int(4)});
  }
  return out;
}

void DashboardRepo::add_activity(const dashboard::ActivityKey& k, const dashboard::Activity& a) {
  c_.execute(
      "INSERT INTO dashboard_activity (tenant_id, day, unit_id, grid_id, reported, closed, "
      "overdue, escalated) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT (tenant_id, day, unit_id, grid_id) DO UPDATE SET "
      "reported = dashboard_activity.reported + excluded.reported, "
      "closed = dashboard_activity.closed + excluded.closed, "
      "overdue = dashboard_activity.overdue + excluded.overdue, "
      "escalated = dashboard_activity.escalated + excluded.escalated",
      {tenant_, k.day, k.unit_id, k.grid_id, a.reported, a.closed, a.overdue, a.escalated});
  c_.execute(
      "INSERT INTO dashboard_activity_days (tenant_id, day, reported, closed, overdue, escalated) "
      "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, day) DO UPDATE SET "
      "reported = dashboard_activity_days.reported + excluded.reported, "
      "closed = dashboard_activity_days.closed + excluded.closed, "
      "overdue = dashboard_activity_days.overdue + excluded.overdue, "
      "escalated = dashboard_activity_days.escalated + excluded.escalated",
      {tenant_, k.day, a.reported, a.closed, a.overdue, a.escalated});
}

void DashboardRepo::add_alert(const AlertRow& a) {
  c_.execute(
      "INSERT INTO dashboard_alerts (tenant_id, seq, case_id, case_no, title, escalation_level, "
      "unit_id, grid_id, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT (tenant_id, seq) DO NOTHING",
      {tenant_, a.seq, a.case_id, a.case_no, a.title, std::int64_t{a.escalation_level}, a.unit_id,
       a.grid_id, a.at});
}

void DashboardRepo::clear() {
  for (const char* t : {"dashboard_activity", "dashboard_activity_days", "dashboard_alerts"}) {
    c_.execute(std::string("DELETE FROM ") + t + " WHERE tenant_id = ?", {tenant_});
  }
}

std::map<kpi::Day, dashboard::Activity> DashboardRepo::days(kpi::Day from, kpi::Day to) {
  std::map<kpi::Day, dashboard::Activity> out;
  for (const auto& r :
       c_.query("SELECT day, reported, closed, overdue, escalated FROM dashboard_activity_days "
                "WHERE tenant_id = ? AND day >= ? AND day <= ? ORDER BY day",
                {tenant_, from, to})) {
    out[r.get_int(0)] = {r.get_int(1), r.get_int(2), r.get_int(3), r.get_int(4)};
  }
  return out;
}

std::vector<std::pair<dashboard::ActivityKey, dashboard::Activity>> DashboardRepo::activity(
    kpi::Day from, kpi::Day to) {
  std::vector<std::pair<dashboard::ActivityKey, dashboard::Activity>> out;
  for (const auto& r : c_.query(
           "SELECT day, unit_id, grid_id, reported, closed, overdue, escalated "
           "FROM dashboard_activity WHERE tenant_id = ? AND day >= ? AND day <= ? ORDER BY day",
           {tenant_, from, to})) {
    out.emplace_back(dashboard::ActivityKey{r.get_int(0), r.get_int(1), r.get_int(2)},
                     dashboard::Activity{r.get_int(3), r.get_int(4), r.get_int(5), r.get_int(6)});
  }
  return out;
}

std::vector<ReportSum> DashboardRepo::reports(kpi::Day from, kpi::Day to,
                                              const std::vector<std::int64_t>* ids) {
  std::string sql;
  std::vector<Value> p;
  if (ids == nullptr) {
    sql =
        "SELECT unit_id, grid_id, category_code, source, sum(reported) FROM kpi_counters "
        "WHERE tenant_id = ? AND day >= ? AND day <= ? AND reported <> 0 "
        "GROUP BY unit_id, grid_id, category_code, source";
    p = {tenant_, from, to};
  } else {
    if (ids->empty()) return {};
    // The rows of the reader's units, then those of his grids assigned elsewhere: each part reads
    // its own index (kpi_counters_unit, kpi_counters_grid) where one OR of both would scan every
    // row of the days.
    std::string in;
    for (std::size_t i = 0; i < ids->size(); ++i) in += i == 0 ? "?" : ", ?";
    const std::string cols =
        "SELECT unit_id, grid_id, category_code, source, reported FROM kpi_counters "
        "WHERE tenant_id = ? AND ";
    const std::string days = " AND day >= ? AND day <= ? AND reported <> 0";
    sql = "SELECT unit_id, grid_id, category_code, source, sum(reported) FROM (" + cols +
          "unit_id IN (" + in + ")" + days + " UNION ALL " + cols + "grid_id IN (" + in +
          ") AND unit_id NOT IN (" + in + ")" + days +
          ") AS r GROUP BY unit_id, grid_id, category_code, source";
    p.emplace_back(tenant_);
    for (auto id : *ids) p.emplace_back(id);
    p.emplace_back(from);
    p.emplace_back(to);
    p.emplace_back(tenant_);
    for (int k = 0; k < 2; ++k) {
      for (auto id : *ids) p.emplace_back(id);
    }
    p.emplace_back(from);
    p.emplace_back(to);
  }
  std::vector<ReportSum> out;
  for (const auto& r : c_.query(sql, p)) {
    out.push_back({r.get_int(0), r.get_int(1), r.get_text(2), r.get_text(3), r.get_int(4)});
  }
  return out;
}

std::vector<MixSum> DashboardRepo::mix(kpi::Day from, kpi::Day to) {
  std::vector<MixSum> out;
  for (const auto& r : c_.query("SELECT kind, code, sum(reported) FROM kpi_report_days "
                                "WHERE tenant_id = ? AND day >= ? AND day <= ? GROUP BY kind, code",
                                {tenant_, from, to})) {
    if (r.get_int(2) != 0) out.push_back({r.get_text(0), r.get_text(1), r.get_int(2)});
  }
  return out;
}

namespace {

// One month: the rows as they are (the index kpi_hotspot_months_top serves the order); several:
// their sums.
std::string hotspot_select(bool one_month) {
  return one_month ? "SELECT grid_id, category_code, reported AS n FROM kpi_hotspot_months "
                     "WHERE tenant_id = ? AND month = ? AND reported >= ?"
                   : "SELECT grid_id, category_code, sum(reported) AS n FROM kpi_hotspot_months "
                     "WHERE tenant_id = ? AND month >= ? AND month <= ? "
                     "GROUP BY grid_id, category_code HAVING sum(reported) >= ?";
}

std::vector<Value> hotspot_params(std::int64_t tenant, std::int64_t from, std::int64_t to,
                                  std::int64_t min_reports) {
  if (from == to) return {tenant, from, min_reports};
  return {tenant, from, to, min_reports};
}

}  // namespace

std::vector<GridCategorySum> DashboardRepo::hotspots(std::int64_t from_month, std::int64_t to_month,
                                                     std::int64_t min_reports, std::size_t limit) {
  std::string sql =
      hotspot_select(from_month == to_month) + " ORDER BY n DESC, grid_id, category_code";
  auto p = hotspot_params(tenant_, from_month, to_month, std::max<std::int64_t>(min_reports, 1));
  if (limit != 0) {
    sql += " LIMIT ?";
    p.emplace_back(static_cast<std::int64_t>(limit));
  }
  std::vector<GridCategorySum> out;
  for (const auto& r : c_.query(sql, p)) {
    out.push_back({r.get_int(0), r.get_text(1), r.get_int(2)});
  }
  return out;
}

std::int64_t DashboardRepo::hotspot_count(std::int64_t from_month, std::int64_t to_month,
                                          std::int64_t min_reports) {
  const auto rows = c_.query(
      "SELECT count(*) FROM (" + hotspot_select(from_month == to_month) + ") AS h",
      hotspot_params(tenant_, from_month, to_month, std::max<std::int64_t>(min_reports, 1)));
  return rows.empty() ? 0 : rows[0].get_int(0);
}

std::vector<AlertRow> DashboardRepo::alerts(int limit) {
  std::vector<AlertRow> out;
  for (const auto& r :
       c_.query("SELECT seq, case_id, case_no, title, escalation_level, unit_id, grid_id, at "
                "FROM dashboard_alerts WHERE tenant_id = ? ORDER BY seq DESC LIMIT ?",
                {tenant_, std::int64_t{limit}})) {
    out.push_back({r.get_int(0), r.get_int(1), r.get_text(2), r.get_text(3),
                   static_cast<int>(r.get_int(4)), r.get_int(5), r.get_int(6), r.get_int(7)});
  }
  return out;
}

}  // namespace civicloop::storage
