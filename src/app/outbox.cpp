#include "app/outbox.hpp"

#include <boost/json.hpp>
#include <set>

#include "storage/notify_repo.hpp"
#include "storage/org_repo.hpp"

namespace civicloop::app {

namespace json = boost::json;

void Outbox::notify(const std::vector<std::int64_t>& users, const cases::Record& r,
                    const std::string& kind, const std::string& key, const MessageArgs& args) {
  notify(users, std::optional<std::int64_t>(r.id), kind, key, args);
}

void Outbox::notify(const std::vector<std::int64_t>& users, std::optional<std::int64_t> case_id,
                    const std::string& kind, const std::string& key, const MessageArgs& args) {
  std::set<std::int64_t> seen;
  storage::NotifyRepo repo(c, tenant);
  const auto title = cfg.word(kFirstLocale, "notify." + key + ".title", args);
  const auto body = cfg.word(kFirstLocale, "notify." + key + ".body", args);
  const auto args_json = args_to_json(args);
  std::vector<std::int64_t> to;
  for (const auto u : users) {
    if (seen.insert(u).second) to.push_back(u);
  }
  if (to.empty()) return;
  // One counter update for all of them (the sweep sends thousands).
  std::int64_t id =
      storage::next_ids(c, tenant, "notifications", static_cast<std::int64_t>(to.size()));
  for (const auto u : to) {
    storage::Notification n;
    n.id = id++;
    n.user_id = u;
    n.case_id = case_id;
    n.kind = kind;
    n.title = title;
    n.body = body;
    n.message_key = "notify." + key;
    n.message_args = args_json;
    n.created_at = now;
    repo.insert_notification(n);
  }
}

int Outbox::robots(const std::string& key, const MessageArgs& args) {
  // Read once per Outbox (one transaction): the sweep sends one message per escalation.
  if (!hooks) hooks = storage::NotifyRepo(c, tenant).active_robots(std::nullopt);
  return queue(*hooks, key, args);
}

int Outbox::unit_robots(std::int64_t unit_id, const std::string& key, const MessageArgs& args) {
  return queue(storage::NotifyRepo(c, tenant).active_robots(unit_id), key, args);
}

int Outbox::queue(const std::vector<storage::Webhook>& to, const std::string& key,
                  const MessageArgs& args) {
  storage::NotifyRepo repo(c, tenant);
  int queued = 0;
  for (const auto& w : to) {
    const auto title = cfg.word(w.locale, "robot." + key + ".title", args);
    const auto markdown = cfg.word(w.locale, "robot." + key + ".markdown", args);
    storage::OutboxItem o;
    o.tenant_id = tenant;
    o.id = storage::next_id(c, tenant, "webhook_outbox");
    o.webhook_id = w.id;
    json::object payload{{"title", title}, {"markdown", markdown}};
    o.payload = json::serialize(payload);
    o.next_attempt_at = now;
    o.created_at = now;
    repo.enqueue(o);
    ++queued;
  }
  return queued;
}

}  // namespace civicloop::app
