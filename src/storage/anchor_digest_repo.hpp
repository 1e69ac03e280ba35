// Persistence of the daily anchor digest's days (table anchor_digests): which local days a tenant's
// digest was queued for, with the head it reported. The key (tenant, day) makes "queued for this
// day" a fact one insert decides, in the same transaction as the robot messages. One per
// transaction; not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "domain/clock.hpp"
#include "storage/db.hpp"

namespace civicloop::storage {

struct AnchorDigest {
  std::string day;  // the tenant's local date, YYYY-MM-DD
  std::int64_t head_seq = 0;
  std::string head_hash;
  Millis sent_at = 0;
};

class AnchorDigestRepo {
 public:
  AnchorDigestRepo(Connection& conn, std::int64_t tenant_id) : c_(conn), tenant_(tenant_id) {}

  // Records the day; false (and nothing written) when the day already has its digest.
  bool record(const AnchorDigest& d);
  // The latest day recorded, if any.
  std::optional<AnchorDigest> last();

 private:
  Connection& c_;
  std::int64_t tenant_;
};

}  // namespace civicloop::storage
