#include "app/user_service.hpp"

#include "app/auth_service.hpp"
#include "app/views.hpp"
#include "domain/text.hpp"
#include "storage/ledger_repo.hpp"
#include "storage/org_repo.hpp"

namespace civicloop::app {

namespace {

Status check_username(std::string_view name) {
  if (name.size() < 2 || name.size() > 40) {
    return make_error("auth.invalid_username", "username").with("min", "2").with("max", "40");
  }
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || c == '.' || c == '@';
    if (!ok) return make_error("auth.invalid_username", "username");
  }
  return Ok{};
}

// Unit-bound roles need a unit that exists and is active; others may have one.
Status check_unit_for_role(storage::Connection& c, std::int64_t tenant, access::Role role,
                           const std::optional<std::int64_t>& unit_id) {
  if (access::needs_unit(role) && !unit_id) return make_error("auth.unit_required", "unit_id");
  if (unit_id) {
    auto u = storage::OrgRepo(c, tenant).find_unit(*unit_id);
    if (!u) return make_error("org.unit_not_found", "unit_id");
    if (u->retired) return make_error("org.unit_retired", "unit_id");
  }
  return Ok{};
}

}  // namespace

Expected<storage::User> UserService::create_in(storage::Connection& c, const access::Actor& actor,
                                               const NewUser& in) {
  if (auto s = access::require(actor, access::Permission::kUsersManage); !s) return s.error();
  if (auto s = check_username(in.username); !s) return s.error();
  auto role = access::parse_role(in.role);
  if (!role) return make_error("auth.invalid_role", "role");
  if (auto s = check_password_strength(in.password); !s) return s.error();
  const std::string display = in.display_name.empty() ? in.username : in.display_name;
  if (auto s = text::check("display_name", display, {.min_chars = 1, .max_chars = 50}); !s) {
    return s.error();
  }
  storage::UserRepo users(c, actor.tenant_id);
  if (users.find_by_username(in.username)) {
    return make_error("auth.duplicate_username", "username");
  }
  if (auto s = check_unit_for_role(c, actor.tenant_id, *role, in.unit_id); !s) return s.error();
  if (in.person_id && !storage::OrgRepo(c, actor.tenant_id).find_person(*in.person_id)) {
    return make_error("org.person_not_found", "person_id");
  }
  const Millis now = ctx_.clock.now();
  storage::User u;
  u.id = storage::next_id(c, actor.tenant_id, "users");
  u.username = in.username;
  u.password_hash = hash_password(in.password, ctx_.settings);
  u.role = *role;
  u.display_name = display;
  u.unit_id = in.unit_id;
  u.person_id = in.person_id;
  u.is_demo = in.is_demo;
  users.insert(u, now);
  auto ev = make_event(actor, now, "user", u.id, "create", std::nullopt, to_text(user_json(u)));
  storage::LedgerRepo(c, actor.tenant_id).append(ev);
  return u;
}

Expected<storage::User> UserService::create(const access::Actor& actor, const NewUser& in) {
  return in_tx<storage::User>(ctx_.db, true,
                              [&](storage::Connection& c) { return create_in(c, actor, in); });
}

Expected<storage::User> UserService::update(const access::Actor& actor, std::int64_t id,
                                            const UserPatch& p) {
  if (auto s = access::require(actor, access::Permission::kUsersManage); !s) return s.error();
  if (p.password) {
    if (auto s = check_password_strength(*p.password); !s) return s.error();
  }
  return in_tx<storage::User>(
      ctx_.db, true, [&](storage::Connection& c) -> Expected<storage::User> {
        storage::UserRepo users(c, actor.tenant_id);
        auto u = users.find(id);
        if (!u) return make_error("auth.user_not_found");
        const auto before = *u;
        if (p.role) {
          auto role = access::parse_role(*p.role);
          if (!role) return make_error("auth.invalid_role", "role");
          u->role = *role;
        }
        if (p.display_name) {
          if (auto s =
                  text::check("display_name", *p.display_name, {.min_chars = 1, .max_chars = 50});
              !s) {
            return s.error();
          }
          u->display_name = *p.display_name;
        }
        if (p.unit_id) u->unit_id = *p.unit_id;
        if (p.disabled) {
          // The last way in must stay open: an administrator cannot lock themself out.
          if (*p.disabled && u->id == actor.user_id) return make_error("auth.cannot_disable_self");
          u->disabled = *p.disabled;
        }
        if (auto s = check_unit_for_role(c, actor.tenant_id, u->role, u->unit_id); !s) {
          return s.error();
        }
        if (p.password) u->password_hash = hash_password(*p.password, ctx_.settings);
        const Millis now = ctx_.clock.now();
        if (!users.update(*u, u->version, now)) {
          return make_error("conflict.stale_version", "version");
        }
        u->version += 1;
        // Sessions end, and API tokens are revoked, when the password changes or the account is
        // disabled: re-enabling an account or resetting a password must not bring back a key
        // that someone else may hold. The owner makes new tokens.
        int revoked = 0;
        if (p.password || u->disabled) {
          users.delete_sessions_of_user(u->id);
          revoked = users.revoke_tokens_of_user(u->id);
        }
        if (p.reset_totp.value_or(false) && u->totp_enabled) {
          users.set_totp_secret(u->id, std::nullopt);
          users.delete_sessions_of_user(u->id);
          u->totp_enabled = false;
        }
        auto ev = make_event(
            actor, now, "user", u->id,
            p.password && !p.role && !p.display_name && !p.unit_id && !p.disabled ? "reset_password"
                                                                                  : "update",
            to_text(user_json(before)), to_text(user_json(*u)),
            revoked > 0
                ? std::optional<std::string>("revoked_api_tokens=" + std::to_string(revoked))
                : std::nullopt);
        storage::LedgerRepo(c, actor.tenant_id).append(ev);
        return *u;
      });
}

Expected<storage::User> UserService::update_by_username(const access::Actor& actor,
                                                        const std::string& username,
                                                        const UserPatch& patch) {
  auto id =
      in_tx<std::int64_t>(ctx_.db, false, [&](storage::Connection& c) -> Expected<std::int64_t> {
        auto u = storage::UserRepo(c, actor.tenant_id).find_by_username(username);
        if (!u) return make_error("auth.user_not_found", "username");
        return u->id;
      });
  if (!id) return id.error();
  return update(actor, *id, patch);
}

Expected<Page<storage::User>> UserService::list(const access::Actor& actor,
                                                storage::UserQuery query) {
  if (auto s = access::require(actor, access::Permission::kUsersManage); !s) return s.error();
  return in_tx<Page<storage::User>>(
      ctx_.db, false, [&](storage::Connection& c) -> Expected<Page<storage::User>> {
        const int want = query.limit < 1 ? 50 : (query.limit > 200 ? 200 : query.limit);
        query.limit = want + 1;
        auto users = storage::UserRepo(c, actor.tenant_id).list(query);
        Page<storage::User> page;
        if (static_cast<int>(users.size()) > want) {
          users.pop_back();
          page.next_cursor = storage::encode_cursor({0, users.back().id});
        }
        page.items = std::move(users);
        return page;
      });
}

}  // namespace civicloop::app
