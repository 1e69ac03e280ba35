// Persistence of the digests sent (table digest_runs, migration 0017): which unit got which
// digest for which period. The key (tenant, kind, period, unit) makes "sent for this period" a
// fact one insert decides, in the same transaction as the messages. One per transaction; not
// thread-safe.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "domain/clock.hpp"
#include "storage/db.hpp"

namespace civicloop::storage {

struct DigestRun {
  std::string kind;         // daily, weekly
  std::string period_from;  // the first day of the period the figures cover, YYYY-MM-DD
  std::int64_t unit_id = 0;
  int robots = 0;    // robot messages queued
  int notified = 0;  // inbox notifications written
  Millis sent_at = 0;
};

class DigestRepo {
 public:
  DigestRepo(Connection& conn, std::int64_t tenant_id) : c_(conn), tenant_(tenant_id) {}

  // Records the run; false (and nothing written) when the unit has this digest already.
  bool record(const DigestRun& r);
  // The units that have the digest of this kind and period.
  std::set<std::int64_t> units_sent(const std::string& kind, const std::string& period_from);
  // A unit's runs, newest first.
  std::vector<DigestRun> of_unit(std::int64_t unit_id, int limit);

 private:
  Connection& c_;
  std::int64_t tenant_;
};

}  // namespace civicloop::storage
