// The open, overdue and escalated cases of places (subdistricts, communities and villages): a
// leader's "my places" (我的联系点). Counted from the partial indexes of migration 0013, which hold
// the open cases of each place with their overdue flag and escalation level, so a count reads the
// index entries of that place's open cases and never the table. Written once for SQLite and
// PostgreSQL; bound to one connection and tenant, inside the caller's transaction.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "storage/db.hpp"

namespace civicloop::storage {

struct PlaceCounts {
  std::int64_t open = 0;
  std::int64_t overdue = 0;    // open and overdue
  std::int64_t escalated = 0;  // open, escalated at least once (escalation_level > 0)
};

// Which column of the cases places the case: its subdistrict or its community or village.
enum class PlaceLevel { kSubdistrict, kCommunity };

class PlacesRepo {
 public:
  PlacesRepo(Connection& conn, std::int64_t tenant_id) : c_(conn), tenant_(tenant_id) {}

  // The counts of each place in `ids` (places without an open case are absent).
  std::map<std::int64_t, PlaceCounts> counts(PlaceLevel level,
                                             const std::vector<std::int64_t>& ids);

 private:
  Connection& c_;
  std::int64_t tenant_;
};

}  // namespace civicloop::storage
