#include "app/context.hpp"

namespace civicloop::app {

namespace {
std::atomic<std::uint64_t> g_generation{0};
}  // namespace

std::uint64_t config_generation() { return g_generation.load(); }
void config_changed() { g_generation.fetch_add(1); }

access::Actor system_actor(std::int64_t tenant_id) {
  access::Actor a;
  a.tenant_id = tenant_id;
  a.user_id = 0;
  a.username = "system";
  a.display_name = "system";
  a.role = access::Role::kHqAdmin;
  a.scope.all = true;
  return a;
}

ledger::Event make_event(const access::Actor& actor, Millis at, std::string entity_type,
                         std::int64_t entity_id, std::string action,
                         std::optional<std::string> before, std::optional<std::string> after,
                         std::optional<std::string> note) {
  ledger::Event e;
  e.tenant_id = actor.tenant_id;
  e.at = at;
  if (actor.user_id != 0) e.actor_user_id = actor.user_id;
  e.actor_name = actor.display_name.empty() ? actor.username : actor.display_name;
  e.entity_type = std::move(entity_type);
  e.entity_id = entity_id;
  e.action = std::move(action);
  e.before = std::move(before);
  e.after = std::move(after);
  e.note = std::move(note);
  return e;
}

}  // namespace civicloop::app
