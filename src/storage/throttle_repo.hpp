// The sign-in throttle's counters (table login_throttle), shared by every server on the database.
// Keys are opaque strings built by app/auth_service; tenant_id is 0 for keys of no tenant.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "domain/throttle.hpp"
#include "storage/db.hpp"

namespace civicloop::storage {

class ThrottleRepo {
 public:
  explicit ThrottleRepo(Connection& conn) : c_(conn) {}

  std::optional<throttle::Counter> find(std::int64_t tenant_id, std::string_view key);
  // known: the key belongs to an existing account; such rows are never evicted for room.
  void save(std::int64_t tenant_id, std::string_view key, bool known, const throttle::Counter& c);
  void remove(std::int64_t tenant_id, std::string_view key);
  // Deletes rows whose last failure is older than stale_before and that are not blocked any
  // more, then, while more than max_unknown rows of unknown keys remain, the oldest of them.
  // Returns how many rows went.
  int evict(Millis now, Millis stale_before, int max_unknown);
  int count();

 private:
  Connection& c_;
};

}  // namespace civicloop::storage
