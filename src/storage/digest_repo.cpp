#include "storage/digest_repo.hpp"

namespace civicloop::storage {

bool DigestRepo::record(const DigestRun& r) {
  return c_.execute(
             "INSERT INTO digest_runs (tenant_id, kind, period_from, unit_id, robots, notified, "
             "sent_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
             "ON CONFLICT (tenant_id, kind, period_from, unit_id) DO NOTHING",
             {tenant_, r.kind, r.period_from, r.unit_id, static_cast<std::int64_t>(r.robots),
              static_cast<std::int64_t>(r.notified), r.sent_at}) == 1;
}

std::set<std::int64_t> DigestRepo::units_sent(const std::string& kind,
                                              const std::string& period_from) {
  std::set<std::int64_t> out;
  for (const auto& row : c_.query("SELECT unit_id FROM digest_runs WHERE tenant_id = ? AND "
                                  "kind = ? AND period_from = ?",
                                  {tenant_, kind, period_from})) {
    out.insert(row.get_int(0));
  }
  return out;
}

std::vector<DigestRun> DigestRepo::of_unit(std::int64_t unit_id, int limit) {
  std::vector<DigestRun> out;
  for (const auto& row :
       c_.query("SELECT kind, period_from, unit_id, robots, notified, sent_at FROM digest_runs "
                "WHERE tenant_id = ? AND unit_id = ? ORDER BY sent_at DESC, kind LIMIT ?",
                {tenant_, unit_id, static_cast<std::int64_t>(limit)})) {
    DigestRun r;
    r.kind = row.get_text(0);
    r.period_from = row.get_text(1);
    r.unit_id = row.get_int(2);
    r.robots = static_cast<int>(row.get_int(3));
    r.notified = static_cast<int>(row.get_int(4));
    r.sent_at = row.get_int(5);
    out.push_back(r);
  }
  return out;
}

}  // namespace civicloop::storage
