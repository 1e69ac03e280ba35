#include "storage/throttle_repo.hpp"

namespace civicloop::storage {

std::optional<throttle::Counter> ThrottleRepo::find(std::int64_t tenant_id, std::string_view key) {
  auto rows = c_.query(
      "SELECT failures, last_failure, blocked_until FROM login_throttle "
      "WHERE tenant_id = ? AND throttle_key = ?",
      {tenant_id, std::string(key)});
  if (rows.empty()) return std::nullopt;
  return throttle::Counter{static_cast<int>(rows[0].get_int(0)), rows[0].get_int(1),
                           rows[0].get_int(2)};
}

void ThrottleRepo::save(std::int64_t tenant_id, std::string_view key, bool known,
                        const throttle::Counter& c) {
  c_.execute(
      "INSERT INTO login_throttle (tenant_id, throttle_key, known, failures, window_start, "
      "last_failure, blocked_until) VALUES (?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT (tenant_id, throttle_key) DO UPDATE SET known = excluded.known, "
      "failures = excluded.failures, last_failure = excluded.last_failure, "
      "blocked_until = excluded.blocked_until",
      {tenant_id, std::string(key), static_cast<std::int64_t>(known),
       static_cast<std::int64_t>(c.failures), c.last_failure, c.last_failure, c.blocked_until});
}

void ThrottleRepo::remove(std::int64_t tenant_id, std::string_view key) {
  c_.execute("DELETE FROM login_throttle WHERE tenant_id = ? AND throttle_key = ?",
             {tenant_id, std::string(key)});
}

int ThrottleRepo::evict(Millis now, Millis stale_before, int max_unknown) {
  auto gone = c_.execute("DELETE FROM login_throttle WHERE last_failure < ? AND blocked_until <= ?",
                         {stale_before, now});
  auto rows = c_.query("SELECT COUNT(*) FROM login_throttle WHERE known = 0");
  const auto unknown = rows.empty() ? 0 : rows[0].get_int(0);
  if (unknown > max_unknown) {
    // The oldest unknown names make room; a real account's counter stays.
    gone += c_.execute(
        "DELETE FROM login_throttle WHERE known = 0 AND (tenant_id, throttle_key) IN "
        "(SELECT tenant_id, throttle_key FROM login_throttle WHERE known = 0 "
        "ORDER BY last_failure LIMIT ?)",
        {unknown - max_unknown});
  }
  return static_cast<int>(gone);
}

int ThrottleRepo::count() {
  auto rows = c_.query("SELECT COUNT(*) FROM login_throttle");
  return rows.empty() ? 0 : static_cast<int>(rows[0].get_int(0));
}

}  // namespace civicloop::storage
