// Persistence of notifications: the in-app inbox, the tenant's robots (webhooks) and the outbox of
// messages waiting to be posted to them. One per transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/clock.hpp"
#include "storage/db.hpp"

namespace civicloop::storage {

struct Notification {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  std::optional<std::int64_t> case_id;
  std::string kind;  // dispatched, warning_50, warning_75, overdue, escalated, returned, ...
  std::string title;
  std::string body;
  Millis created_at = 0;
  std::optional<Millis> read_at;
  // The template (app/messages.hpp) and its arguments as a JSON object, so that each reader sees
  // the notification in his language; title and body are the text in the tenant's first locale.
  std::optional<std::string> message_key;
  std::optional<std::string> message_args;
};

struct Webhook {
  std::int64_t id = 0;
  std::string name;
  std::string flavour;  // wecom, dingtalk, generic
  std::string url;
  std::optional<std::string> secret;
  bool active = true;
  std::string locale = "zh-CN";  // the language its group chat is written in
  // A unit's own robot (its group chat, migration 0017): it gets that unit's digests and none of
  // the tenant-wide messages. None: the tenant's robot.
  std::optional<std::int64_t> unit_id;
};

struct OutboxItem {
  std::int64_t tenant_id = 0;
  std::int64_t id = 0;
  std::int64_t webhook_id = 0;
  std::string payload;  // the message: {"title","markdown"}
  int attempts = 0;
  Millis next_attempt_at = 0;
  std::optional<Millis> delivered_at;
  bool failed = false;
  std::optional<std::string> last_error;
  Millis created_at = 0;
};

class NotifyRepo {
 public:
  NotifyRepo(Connection& conn, std::int64_t tenant_id) : c_(conn), tenant_(tenant_id) {}

  void insert_notification(const Notification& n);
  std::vector<Notification> inbox(std::int64_t user_id, bool unread_only, int limit,
                                  std::optional<std::int64_t> before_id);
  int unread_count(std::int64_t user_id);
  bool mark_read(std::int64_t user_id, std::int64_t id, Millis at);
  int mark_all_read(std::int64_t user_id, Millis at);

  std::vector<Webhook> webhooks(bool active_only);
  // The active robots of one unit, or (none) the tenant-wide ones.
  std::vector<Webhook> active_robots(std::optional<std::int64_t> unit_id);
  // How many active robots belong to a unit (any unit).
  std::int64_t unit_robot_count();
  std::optional<Webhook> find_webhook(std::int64_t id);
  void insert_webhook(const Webhook& w);
  bool update_webhook(const Webhook& w);
  bool delete_webhook(std::int64_t id);

  void enqueue(const OutboxItem& item);
  // Due items of every tenant (the delivery job works across tenants).
  std::vector<OutboxItem> due(Millis now, int limit);
  void record_attempt(const OutboxItem& item);
  std::vector<OutboxItem> recent_outbox(int limit);

 private:
  Connection& c_;
  std::int64_t tenant_;
};

}  // namespace civicloop::storage
