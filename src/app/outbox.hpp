// Notifications (the in-app inbox) and robot messages (the outbox the scheduler delivers), queued
// in the caller's transaction and worded from the tenant's templates (app/messages.hpp): `key`
// names "notify.<key>.title" / ".body" and "robot.<key>.title" / ".markdown". Used by the case use
// cases and the daily anchor digest. A value for one transaction; not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "app/case_config.hpp"
#include "app/messages.hpp"
#include "domain/case_record.hpp"
#include "storage/db.hpp"
#include "storage/notify_repo.hpp"

namespace civicloop::app {

struct Outbox {
  storage::Connection& c;
  std::int64_t tenant;
  Millis now;
  const TenantCaseConfig& cfg;
  std::optional<std::vector<storage::Webhook>> hooks{};  // the active tenant robots, read once

  // One notification per user (each once), about case r; stored in the tenant's first locale,
  // with the key and arguments for each reader's own.
  void notify(const std::vector<std::int64_t>& users, const cases::Record& r,
              const std::string& kind, const std::string& key, const MessageArgs& args);
  // The same about something else than a case (a published bulletin, a meeting's action item):
  // case_id none.
  void notify(const std::vector<std::int64_t>& users, std::optional<std::int64_t> case_id,
              const std::string& kind, const std::string& key, const MessageArgs& args);
  // One message per active tenant-wide robot, in the robot's locale; answers how many were queued.
  int robots(const std::string& key, const MessageArgs& args);
  // The same to the active robots of one unit (its own group chat; app/digest_service.hpp).
  int unit_robots(std::int64_t unit_id, const std::string& key, const MessageArgs& args);

 private:
  int queue(const std::vector<storage::Webhook>& to, const std::string& key,
            const MessageArgs& args);
};

}  // namespace civicloop::app
