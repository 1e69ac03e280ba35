// Persistence of the KPI counters (domain/kpi.hpp): the counter rows per tenant × cohort day ×
// unit × grid × community × subdistrict × category × source, the field staff's rows per person and
// day, each case's projector marks, the projector's watermark (the last ledger event projected)
// and the tenant's KPI rules document. Written once for SQLite and PostgreSQL. A KpiRepo is bound
// to one connection and tenant; use it on one thread, inside the caller's transaction.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "domain/kpi.hpp"
#include "storage/db.hpp"

namespace civicloop::storage {

// The column a sum is grouped by.
enum class KpiLevel { kUnit, kGrid, kCommunity, kSubdistrict, kGroup };

class KpiRepo {
 public:
  KpiRepo(Connection& conn, std::int64_t tenant_id) : c_(conn), tenant_(tenant_id) {}

  // The watermark, after locking the tenant's row for the rest of the (write) transaction, so
  // that two projector runs never project the same events twice (PostgreSQL: row lock; SQLite:
  // the one writer).
  std::int64_t lock_watermark();
  void set_watermark(std::int64_t seq, Millis now);
  std::int64_t watermark();

  std::optional<kpi::CaseMarks> marks(std::int64_t case_id);
  void save_marks(std::int64_t case_id, const kpi::CaseMarks& m);

  // Adds to a row (creating it), and its reports to the dashboard's report sums per day and
  // source or category and per month, grid and category (kpi_report_days, kpi_hotspot_months).
  void add(const kpi::Key& key, const kpi::Counts& c);
  void add_staff(const kpi::StaffKey& key, const kpi::StaffCounts& c);
  // Adds to the level's row of an entity and day (kpi_rollups: what sums() reads).
  void add_rollup(KpiLevel level, std::int64_t entity_id, kpi::Day day, const kpi::Counts& c);

  // Removes every counter, mark and the watermark of the tenant (before a rebuild).
  void clear();

  // Sums over days from..to (inclusive) per entity of the level (from kpi_rollups); only `id`
  // when given.
  std::vector<std::pair<std::int64_t, kpi::Counts>> sums(KpiLevel level, kpi::Day from, kpi::Day to,
                                                         std::optional<std::int64_t> id);
  std::vector<std::pair<std::int64_t, kpi::StaffCounts>> staff_sums(
      kpi::Day from, kpi::Day to, std::optional<std::int64_t> user_id);

  // Every row (tests and the rebuild check).
  std::map<kpi::Key, kpi::Counts> all();
  std::map<kpi::StaffKey, kpi::StaffCounts> all_staff();
  // level name, entity, day → counts.
  std::map<std::tuple<std::string, std::int64_t, kpi::Day>, kpi::Counts> all_rollups();

  std::optional<std::string> settings_doc();
  void save_settings_doc(const std::string& doc, Millis now);

 private:
  Connection& c_;
  std::int64_t tenant_;
};

}  // namespace civicloop::storage
