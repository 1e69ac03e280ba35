#include "storage/kpi_repo.hpp"

#include <array>

namespace civicloop::storage {
namespace {

using kpi::Counts;
using kpi::StaffCounts;

struct Col {
  const char* name;
  std::int64_t Counts::*field;
};
// The counter columns, in the order of the SQL below.
constexpr std::array<Col, 21> kCols = {{
    {"reported", &Counts::reported},
    {"filed", &Counts::filed},
    {"voided", &Counts::voided},
    {"duplicates", &Counts::duplicates},
    {"dispatched", &Counts::dispatched},
    {"returned", &Counts::returned},
    {"acknowledged", &Counts::acknowledged},
    {"ack_on_time", &Counts::ack_on_time},
    {"fixed_on_site", &Counts::fixed_on_site},
    {"parked", &Counts::parked},
    {"rectified", &Counts::rectified},
    {"rectified_on_time", &Counts::rectified_on_time},
    {"verified", &Counts::verified},
    {"verify_failed", &Counts::verify_failed},
    {"extended", &Counts::extended},
    {"overdue", &Counts::overdue},
    {"closed", &Counts::closed},
    {"closed_on_time", &Counts::closed_on_time},
    {"handling_ms", &Counts::handling_ms},
    {"handling_n", &Counts::handling_n},
    {"recurred", &Counts::recurred},
}};

struct StaffCol {
  const char* name;
  std::int64_t StaffCounts::*field;
};
constexpr std::array<StaffCol, 6> kStaffCols = {{
    {"reported", &StaffCounts::reported},
    {"filed", &StaffCounts::filed},
    {"voided", &StaffCounts::voided},
    {"duplicates", &StaffCounts::duplicates},
    {"verified", &StaffCounts::verified},
    {"verified_on_time", &StaffCounts::verified_on_time},
}};

template <class Cols>
std::string list(const Cols& cols, const char* prefix = "") {
  std::string s;
  for (const auto& c : cols) {
    if (!s.empty()) s += ", ";
    s += prefix;
    s += c.name;
  }
  return s;
}

template <class Cols>
std::string placeholders(const Cols& cols) {
  std::string s;
  for (std::size_t i = 0; i < cols.size(); ++i) s += ", ?";
  return s;
}

template <class Cols>
std::string increments(const Cols& cols, const char* table) {
  std::string s;
  for (const auto& c : cols) {
    if (!s.empty()) s += ", ";
    s += std::string(c.name) + " = " + table + "." + c.name + " + excluded." + c.name;
  }
  return s;
}

template <class Cols>
std::string sums_of(const Cols& cols) {
  std::string s;
  for (const auto& c : cols) {
    s += ", sum(";
    s += c.name;
    s += ")";
  }
  return s;
}

const std::string& add_sql() {
  static const std::string s =
      "INSERT INTO kpi_counters (tenant_id, day, unit_id, grid_id, community_id, subdistrict_id, "
      "category_code, source, " +
      list(kCols) + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?" + placeholders(kCols) +
      ") ON CONFLICT (tenant_id, day, unit_id, grid_id, community_id, subdistrict_id, "
      "category_code, source) DO UPDATE SET " +
      increments(kCols, "kpi_counters");
  return s;
}

const std::string& add_staff_sql() {
  static const std::string s = "INSERT INTO kpi_staff_counters (tenant_id, day, user_id, " +
                               list(kStaffCols) + ") VALUES (?, ?, ?" + placeholders(kStaffCols) +
                               ") ON CONFLICT (tenant_id, day, user_id) DO UPDATE SET " +
                               increments(kStaffCols, "kpi_staff_counters");
  return s;
}

const char* level_name(KpiLevel l) {
  switch (l) {
    case KpiLevel::kUnit:
      return "unit";
    case KpiLevel::kGrid:
      return "grid";
    case KpiLevel::kCommunity:
      return "community";
    case KpiLevel::kSubdistrict:
      return "subdistrict";
    case KpiLevel::kGroup:
      return "group";
  }
  return "unit";
}

const std::string& add_rollup_sql() {
  static const std::string s = "INSERT INTO kpi_rollups (tenant_id, level, day, entity_id, " +
                               list(kCols) + ") VALUES (?, ?, ?, ?" + placeholders(kCols) +
                               ") ON CONFLICT (tenant_id, level, day, entity_id) DO UPDATE SET " +
                               increments(kCols, "kpi_rollups");
  return s;
}

Counts counts_from(const Row& r, std::size_t first) {
  Counts c;
  for (std::size_t i = 0; i < kCols.size(); ++i) c.*kCols[i].field = r.get_int(first + i);
  return c;
}

StaffCounts staff_from(const Row& r, std::size_t first) {
  StaffCounts c;
  for (std::size_t i = 0; i < kStaffCols.size(); ++i) {
    c.*kStaffCols[i].field = r.get_int(first + i);
  }
  return c;
}

}  // namespace

std::int64_t KpiRepo::lock_watermark() {
  c_.execute(
      "INSERT INTO kpi_watermarks (tenant_id, last_seq, updated_at) VALUES (?, 0, 0) "
      "ON CONFLICT (tenant_id) DO NOTHING",
      {tenant_});
  // An update of the row takes its lock (PostgreSQL) before it is read.
  c_.execute("UPDATE kpi_watermarks SET last_seq = last_seq WHERE tenant_id = ?", {tenant_});
  return watermark();
}

std::int64_t KpiRepo::watermark() {
  auto rows = c_.query("SELECT last_seq FROM kpi_watermarks WHERE tenant_id = ?", {tenant_});
  return rows.empty() ? 0 : rows[0].get_int(0);
}

void KpiRepo::set_watermark(std::int64_t seq, Millis now) {
  c_.execute("UPDATE kpi_watermarks SET last_seq = ?, updated_at = ? WHERE tenant_id = ?",
             {seq, now, tenant_});
}

std::optional<kpi::CaseMarks> KpiRepo::marks(std::int64_t case_id) {
  auto rows = c_.query(
      "SELECT cohort_day, late, overdue_counted, extended FROM kpi_case_marks "
      "WHERE tenant_id = ? AND case_id = ?",
      {tenant_, case_id});
  if (rows.empty()) return std::nullopt;
  kpi::CaseMarks m;
  m.cohort_day = rows[0].get_int(0);
  m.late = rows[0].get_bool(1);
  m.overdue_counted = rows[0].get_bool(2);
  m.extended = rows[0].get_bool(3);
  return m;
}

void KpiRepo::save_marks(std::int64_t case_id, const kpi::CaseMarks& m) {
  c_.execute(
      "INSERT INTO kpi_case_marks (tenant_id, case_id, cohort_day, late, overdue_counted, "
      "extended) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, case_id) DO UPDATE SET "
      "cohort_day = excluded.cohort_day, late = excluded.late, "
      "overdue_counted = excluded.overdue_counted, extended = excluded.extended",
      {tenant_, case_id, m.cohort_day, std::int64_t{m.late ? 1 : 0},
       std::int64_t{m.overdue_counted ? 1 : 0}, std::int64_t{m.extended ? 1 : 0}});
}

void KpiRepo::add(const kpi::Key& k, const kpi::Counts& c) {
  std::vector<Value> p = {tenant_,          k.day,           k.unit_id, k.grid_id, k.community_id,
                          k.subdistrict_id, k.category_code, k.source};
  for (const auto& col : kCols) p.emplace_back(c.*col.field);
  c_.execute(add_sql(), p);
  if (c.reported == 0) return;
  // The dashboard's report sums (migration 0018), kept with the row they sum.
  static const char* const kDaySql =
      "INSERT INTO kpi_report_days (tenant_id, day, kind, code, reported) VALUES (?, ?, ?, ?, ?) "
      "ON CONFLICT (tenant_id, day, kind, code) DO UPDATE SET "
      "reported = kpi_report_days.reported + excluded.reported";
  c_.execute(kDaySql, {tenant_, k.day, std::string("source"), k.source, c.reported});
  c_.execute(kDaySql, {tenant_, k.day, std::string("category"), k.category_code, c.reported});
  if (k.grid_id == 0) return;
  c_.execute(
      "INSERT INTO kpi_hotspot_months (tenant_id, month, grid_id, category_code, reported) "
      "VALUES (?, ?, ?, ?, ?) ON CONFLICT (tenant_id, month, grid_id, category_code) DO UPDATE SET "
      "reported = kpi_hotspot_months.reported + excluded.reported",
      {tenant_, k.day / 100, k.grid_id, k.category_code, c.reported});
}

void KpiRepo::add_staff(const kpi::StaffKey& k, const kpi::StaffCounts& c) {
  std::vector<Value> p = {tenant_, k.day, k.user_id};
  for (const auto& col : kStaffCols) p.emplace_back(c.*col.field);
  c_.execute(add_staff_sql(), p);
}

void KpiRepo::clear() {
  for (const char* t : {"kpi_counters", "kpi_rollups", "kpi_report_days", "kpi_hotspot_months",
                        "kpi_staff_counters", "kpi_case_marks", "kpi_watermarks"}) {
    c_.execute(std::string("DELETE FROM ") + t + " WHERE tenant_id = ?", {tenant_});
  }
}

std::vector<std::pair<std::int64_t, kpi::Counts>> KpiRepo::sums(KpiLevel level, kpi::Day from,
                                                                kpi::Day to,
                                                                std::optional<std::int64_t> id) {
  std::string sql =
      "SELECT entity_id" + sums_of(kCols) + " FROM kpi_rollups WHERE tenant_id = ? AND level = ?";
  std::vector<Value> p = {tenant_, std::string(level_name(level))};
  if (id) {
    sql += " AND entity_id = ?";
    p.emplace_back(*id);
  }
  sql += " AND day >= ? AND day <= ? GROUP BY entity_id ORDER BY entity_id";
  p.emplace_back(from);
  p.emplace_back(to);
  std::vector<std::pair<std::int64_t, kpi::Counts>> out;
  for (const auto& r : c_.query(sql, p)) out.emplace_back(r.get_int(0), counts_from(r, 1));
  return out;
}

void KpiRepo::add_rollup(KpiLevel level, std::int64_t entity_id, kpi::Day day,
                         const kpi::Counts& c) {
  std::vector<Value> p = {tenant_, std::string(level_name(level)), day, entity_id};
  for (const auto& col : kCols) p.emplace_back(c.*col.field);
  c_.execute(add_rollup_sql(), p);
}

std::map<std::tuple<std::string, std::int64_t, kpi::Day>, kpi::Counts> KpiRepo::all_rollups() {
  std::map<std::tuple<std::string, std::int64_t, kpi::Day>, kpi::Counts> out;
  for (const auto& r : c_.query(
           "SELECT level, entity_id, day, " + list(kCols) + " FROM kpi_rollups WHERE tenant_id = ?",
           {tenant_})) {
    auto c = counts_from(r, 3);
    if (!c.empty()) out[{r.get_text(0), r.get_int(1), r.get_int(2)}] = c;
  }
  return out;
}

std::vector<std::pair<std::int64_t, kpi::StaffCounts>> KpiRepo::staff_sums(
    kpi::Day from, kpi::Day to, std::optional<std::int64_t> user_id) {
  std::string sql =
      "SELECT user_id" + sums_of(kStaffCols) + " FROM kpi_staff_counters WHERE tenant_id = ?";
  std::vector<Value> p = {tenant_};
  if (user_id) {
    sql += " AND user_id = ?";
    p.emplace_back(*user_id);
  }
  sql += " AND day >= ? AND day <= ? GROUP BY user_id ORDER BY user_id";
  p.emplace_back(from);
  p.emplace_back(to);
  std::vector<std::pair<std::int64_t, kpi::StaffCounts>> out;
  for (const auto& r : c_.query(sql, p)) out.emplace_back(r.get_int(0), staff_from(r, 1));
  return out;
}

std::map<kpi::Key, kpi::Counts> KpiRepo::all() {
  std::map<kpi::Key, kpi::Counts> out;
  for (const auto& r : c_.query("SELECT day, unit_id, grid_id, community_id, subdistrict_id, "
                                "category_code, source, " +
                                    list(kCols) + " FROM kpi_counters WHERE tenant_id = ?",
                                {tenant_})) {
    kpi::Key k{r.get_int(0), r.get_int(1),  r.get_int(2), r.get_int(3),
               r.get_int(4), r.get_text(5), r.get_text(6)};
    auto c = counts_from(r, 7);
    if (!c.empty()) out[k] = c;
  }
  return out;
}

std::map<kpi::StaffKey, kpi::StaffCounts> KpiRepo::all_staff() {
  std::map<kpi::StaffKey, kpi::StaffCounts> out;
  for (const auto& r : c_.query("SELECT day, user_id, " + list(kStaffCols) +
                                    " FROM kpi_staff_counters WHERE tenant_id = ?",
                                {tenant_})) {
    auto c = staff_from(r, 2);
    if (!c.empty()) out[kpi::StaffKey{r.get_int(0), r.get_int(1)}] = c;
  }
  return out;
}

std::optional<std::string> KpiRepo::settings_doc() {
  auto rows = c_.query("SELECT doc FROM kpi_settings WHERE tenant_id = ?", {tenant_});
  if (rows.empty()) return std::nullopt;
  return rows[0].get_text(0);
}

void KpiRepo::save_settings_doc(const std::string& doc, Millis now) {
  c_.execute(
      "INSERT INTO kpi_settings (tenant_id, doc, updated_at) VALUES (?, ?, ?) "
      "ON CONFLICT (tenant_id) DO UPDATE SET doc = excluded.doc, updated_at = excluded.updated_at",
      {tenant_, doc, now});
}

}  // namespace civicloop::storage
