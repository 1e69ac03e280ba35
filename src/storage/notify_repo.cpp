#include "storage/notify_repo.hpp"

namespace civicloop::storage {

namespace {
Value opt_i(const std::optional<std::int64_t>& v) { return v ? Value(*v) : Value(nullptr); }
Value opt_s(const std::optional<std::string>& v) { return v ? Value(*v) : Value(nullptr); }

Notification notification_from(const Row& r) {
  return {r.get_int(0),  r.get_int(1), r.get_opt_int(2), r.get_text(3),     r.get_text(4),
          r.get_text(5), r.get_int(6), r.get_opt_int(7), r.get_opt_text(8), r.get_opt_text(9)};
}

Webhook webhook_from(const Row& r) {
  return {r.get_int(0),      r.get_text(1), r.get_text(2), r.get_text(3),
          r.get_opt_text(4), r.get_bool(5), r.get_text(6), r.get_opt_int(7)};
}

constexpr const char* kOutboxColumns =
    "tenant_id, id, webhook_id, payload, attempts, next_attempt_at, delivered_at, failed, "
    "last_error, created_at";

OutboxItem outbox_from(const Row& r) {
  OutboxItem o;
  o.tenant_id = r.get_int(0);
  o.id = r.get_int(1);
  o.webhook_id = r.get_int(2);
  o.payload = r.get_text(3);
  o.attempts = static_cast<int>(r.get_int(4));
  o.next_attempt_at = r.get_int(5);
  o.delivered_at = r.get_opt_int(6);
  o.failed = r.get_bool(7);
  o.last_error = r.get_opt_text(8);
  o.created_at = r.get_int(9);
  return o;
}
}  // namespace

void NotifyRepo::insert_notification(const Notification& n) {
  c_.execute(
      "INSERT INTO notifications (tenant_id, id, user_id, case_id, kind, title, body, "
      "created_at, read_at, message_key, message_args) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {tenant_, n.id, n.user_id, opt_i(n.case_id), n.kind, n.title, n.body, n.created_at,
       opt_i(n.read_at), opt_s(n.message_key), opt_s(n.message_args)});
}

std::vector<Notification> NotifyRepo::inbox(std::int64_t user_id, bool unread_only, int limit,
                                            std::optional<std::int64_t> before_id) {
  std::string sql =
      "SELECT id, user_id, case_id, kind, title, body, created_at, read_at, message_key, "
      "message_args FROM notifications "
      "WHERE tenant_id = ? AND user_id = ?";
  std::vector<Value> p{tenant_, user_id};
  if (unread_only) sql += " AND read_at IS NULL";
  if (before_id) {
    sql += " AND id < ?";
    p.emplace_back(*before_id);
  }
  sql += " ORDER BY id DESC LIMIT ?";
  p.emplace_back(static_cast<std::int64_t>(limit));
  std::vector<Notification> out;
  for (const auto& r : c_.query(sql, p)) out.push_back(notification_from(r));
  return out;
}

int NotifyRepo::unread_count(std::int64_t user_id) {
  return static_cast<int>(c_.query("SELECT count(*) FROM notifications WHERE tenant_id = ? AND "
                                   "user_id = ? AND read_at IS NULL",
                                   {tenant_, user_id})
                              .at(0)
                              .get_int(0));
}

bool NotifyRepo::mark_read(std::int64_t user_id, std::int64_t id, Millis at) {
  return c_.execute(
             "UPDATE notifications SET read_at = ? WHERE tenant_id = ? AND user_id = ? "
             "AND id = ? AND read_at IS NULL",
             {at, tenant_, user_id, id}) == 1;
}

int NotifyRepo::mark_all_read(std::int64_t user_id, Millis at) {
  return static_cast<int>(
      c_.execute("UPDATE notifications SET read_at = ? WHERE tenant_id = ? "
                 "AND user_id = ? AND read_at IS NULL",
                 {at, tenant_, user_id}));
}

std::vector<Webhook> NotifyRepo::webhooks(bool active_only) {
  std::vector<Webhook> out;
  for (const auto& r : c_.query(
           std::string(
               "SELECT id, name, flavour, url, secret, active, locale, unit_id FROM webhooks WHERE "
               "tenant_id = ?") +
               (active_only ? " AND active = 1" : "") + " ORDER BY id",
           {tenant_})) {
    out.push_back(webhook_from(r));
  }
  return out;
}

std::vector<Webhook> NotifyRepo::active_robots(std::optional<std::int64_t> unit_id) {
  std::vector<Webhook> out;
  const auto rows =
      unit_id ? c_.query(
                    "SELECT id, name, flavour, url, secret, active, locale, unit_id FROM "
                    "webhooks WHERE tenant_id = ? AND active = 1 AND unit_id = ? ORDER BY id",
                    {tenant_, *unit_id})
              : c_.query(
                    "SELECT id, name, flavour, url, secret, active, locale, unit_id FROM "
                    "webhooks WHERE tenant_id = ? AND active = 1 AND unit_id IS NULL "
                    "ORDER BY id",
                    {tenant_});
  for (const auto& r : rows) out.push_back(webhook_from(r));
  return out;
}

std::int64_t NotifyRepo::unit_robot_count() {
  return c_
      .query(
          "SELECT count(*) FROM webhooks WHERE tenant_id = ? AND active = 1 AND unit_id IS NOT "
          "NULL",
          {tenant_})[0]
      .get_int(0);
}

std::optional<Webhook> NotifyRepo::find_webhook(std::int64_t id) {
  auto rows = c_.query(
      "SELECT id, name, flavour, url, secret, active, locale, unit_id FROM webhooks WHERE "
      "tenant_id = ? AND id = ?",
      {tenant_, id});
  if (rows.empty()) return std::nullopt;
  return webhook_from(rows[0]);
}

void NotifyRepo::insert_webhook(const Webhook& w) {
  c_.execute(
      "INSERT INTO webhooks (tenant_id, id, name, flavour, url, secret, active, locale, unit_id) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {tenant_, w.id, w.name, w.flavour, w.url, opt_s(w.secret),
       static_cast<std::int64_t>(w.active), w.locale, opt_i(w.unit_id)});
}

bool NotifyRepo::update_webhook(const Webhook& w) {
  return c_.execute(
             "UPDATE webhooks SET name = ?, flavour = ?, url = ?, secret = ?, active = ?, locale = "
             "? "
             "WHERE tenant_id = ? AND id = ?",
             {w.name, w.flavour, w.url, opt_s(w.secret), static_cast<std::int64_t>(w.active),
              w.locale, tenant_, w.id}) == 1;
}

bool NotifyRepo::delete_webhook(std::int64_t id) {
  return c_.execute("DELETE FROM webhooks WHERE tenant_id = ? AND id = ?", {tenant_, id}) == 1;
}

void NotifyRepo::enqueue(const OutboxItem& o) {
  c_.execute(std::string("INSERT INTO webhook_outbox (") + kOutboxColumns +
                 ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
             {tenant_, o.id, o.webhook_id, o.payload, static_cast<std::int64_t>(o.attempts),
              o.next_attempt_at, opt_i(o.delivered_at), static_cast<std::int64_t>(o.failed),
              opt_s(o.last_error), o.created_at});
}

std::vector<OutboxItem> NotifyRepo::due(Millis now, int limit) {
  std::vector<OutboxItem> out;
  for (const auto& r : c_.query(std::string("SELECT ") + kOutboxColumns +
                                    " FROM webhook_outbox WHERE delivered_at IS NULL AND "
                                    "failed = 0 AND next_attempt_at <= ? "
                                    "ORDER BY next_attempt_at LIMIT ?",
                                {now, static_cast<std::int64_t>(limit)})) {
    out.push_back(outbox_from(r));
  }
  return out;
}

void NotifyRepo::record_attempt(const OutboxItem& o) {
  c_.execute(
      "UPDATE webhook_outbox SET attempts = ?, next_attempt_at = ?, delivered_at = ?, "
      "failed = ?, last_error = ? WHERE tenant_id = ? AND id = ?",
      {static_cast<std::int64_t>(o.attempts), o.next_attempt_at, opt_i(o.delivered_at),
       static_cast<std::int64_t>(o.failed), opt_s(o.last_error), o.tenant_id, o.id});
}

std::vector<OutboxItem> NotifyRepo::recent_outbox(int limit) {
  std::vector<OutboxItem> out;
  for (const auto& r : c_.query(std::string("SELECT ") + kOutboxColumns +
                                    " FROM webhook_outbox WHERE tenant_id = ? ORDER BY id DESC "
                                    "LIMIT ?",
                                {tenant_, static_cast<std::int64_t>(limit)})) {
    out.push_back(outbox_from(r));
  }
  return out;
}

}  // namespace civicloop::storage
