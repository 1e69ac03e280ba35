// What every use case needs: the database, the clock, and a few settings. Owned by main();
// shared by all request threads (Database is thread-safe; Clock::now is const).
#pragma once

#include <atomic>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "domain/access.hpp"
#include "domain/clock.hpp"
#include "domain/error.hpp"
#include "domain/ledger.hpp"
#include "domain/throttle.hpp"
#include "storage/db.hpp"

namespace civicloop::app {

struct Settings {
  // argon2id cost: "interactive" (libsodium's, for production) or "min" (tests only).
  std::string pwhash = "interactive";
  Millis session_ttl = 12LL * 3600 * 1000;
  // Sign-in throttling: progressive delays per account and address, per account, per address.
  throttle::SignInPolicies sign_in;
  // Rows kept for names of no account before the oldest make room (a spray of made-up names).
  int throttle_max_unknown = 50000;
  // Where photo evidence is kept: <media_dir>/<tenant>/<sha256 prefix>/<sha256>.<ext>.
  std::string media_dir = "var/media";
  std::size_t max_photo_bytes = 15 * 1024 * 1024;
  // Photo decoding runs on its own bounded pool, never on the HTTP threads without limit.
  int decode_threads = 2;
  std::size_t decode_queue = 16;
  // Decoded pixels one account may upload per minute (a 12 Mpx phone photo counts 12 M).
  long long decode_pixels_per_user_minute = 400'000'000;
  // Internal destinations robot webhooks may reach (addresses, CIDR blocks, host names; see
  // net::AllowList). Empty: only public addresses over https.
  std::string webhook_allow;
};

struct Context {
  storage::Database& db;
  const Clock& clock;
  Settings settings;
};

// A counter bumped by every write to the organisation or the case configuration in this process,
// so that caches built from them (the area index, routing rules, the calendar) know to reload.
// Caches also expire after a minute, for writes made by another process on the same database.
std::uint64_t config_generation();
void config_changed();

// The actor for work that no signed-in user asked for: init, import from the CLI, jobs.
access::Actor system_actor(std::int64_t tenant_id);

// Runs fn(Connection&) -> Expected<T> in one transaction: commits on a value, rolls back on an
// error or an exception (which it rethrows). Nothing is half-written either way.
template <class T, class F>
Expected<T> in_tx(storage::Database& db, bool write, F&& fn) {
  auto lease = db.acquire();
  lease->begin(write);
  try {
    Expected<T> result = fn(*lease);
    if (result.ok()) {
      lease->commit();
    } else {
      lease->rollback();
    }
    return result;
  } catch (...) {
    lease->rollback();
    throw;
  }
}

// Runs fn(Connection&) -> Expected<T> in the group-commit writer (storage::Database::write): in a
// savepoint of the writer's next batch transaction, kept on a value and rolled back alone on an
// error or an exception (which it rethrows). Returns once the batch is committed and on disk, so a
// value returned here may be acknowledged. For short write use cases that touch only the
// database (a report); fn must not open a transaction or wait for anything else.
template <class T, class F>
Expected<T> in_write(storage::Database& db, F&& fn) {
  std::optional<Expected<T>> result;
  db.write([&](storage::Connection& c) {
    result.reset();  // a job the writer had to run again starts clean
    result.emplace(fn(c));
    return result->ok();
  });
  return std::move(*result);
}

// An event for the ledger from the actor and what changed; the repo fills seq and hashes.
ledger::Event make_event(const access::Actor& actor, Millis at, std::string entity_type,
                         std::int64_t entity_id, std::string action,
                         std::optional<std::string> before, std::optional<std::string> after,
                         std::optional<std::string> note = std::nullopt);

}  // namespace civicloop::app
