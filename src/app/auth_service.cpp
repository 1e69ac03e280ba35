#include "app/auth_service.hpp"

#include <sodium.h>

#include <array>
#include <charconv>

#include "app/views.hpp"
#include "domain/text.hpp"
#include "storage/ledger_repo.hpp"
#include "storage/org_repo.hpp"

namespace civicloop::app {

namespace {
// libsodium must be initialised once before its random generator and hashes are used.
void ensure_sodium() {
  static const bool ready = sodium_init() >= 0;
  if (!ready) throw std::runtime_error("libsodium failed to initialise");
}

std::optional<std::pair<std::int64_t, std::string>> split_tenant(std::string_view value) {
  const auto dot = value.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot > 18) return std::nullopt;
  std::int64_t tenant = 0;
  auto r = std::from_chars(value.data(), value.data() + dot, tenant);
  if (r.ec != std::errc() || r.ptr != value.data() + dot) return std::nullopt;
  auto secret = value.substr(dot + 1);
  if (secret.size() != 64) return std::nullopt;
  return std::make_pair(tenant, std::string(secret));
}
}  // namespace

std::string hash_password(std::string_view password, const Settings& settings) {
  ensure_sodium();
  const bool min = settings.pwhash == "min";
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(),
                        min ? crypto_pwhash_OPSLIMIT_MIN : crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        min ? crypto_pwhash_MEMLIMIT_MIN : crypto_pwhash_MEMLIMIT_INTERACTIVE) !=
      0) {
    throw std::runtime_error("out of memory while hashing a password");
  }
  return out;
}

bool verify_password(std::string_view password, const std::string& hash) {
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

Status check_password_strength(std::string_view password) {
  const auto len = text::utf8_length(password);
  if (!len) return make_error("field.invalid_text", "password");
  if (*len < 8) return make_error("auth.password_too_short", "password").with("min", "8");
  if (*len > 128) return make_error("field.too_long", "password").with("max", "128");
  return Ok{};
}

std::string random_token() {
  ensure_sodium();
  std::array<unsigned char, 32> bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  std::string hex(64, '0');
  sodium_bin2hex(hex.data(), hex.size() + 1, bytes.data(), bytes.size());
  return hex;
}

std::string sha256_hex(std::string_view data) {
  std::array<unsigned char, crypto_hash_sha256_BYTES> d{};
  crypto_hash_sha256(d.data(), reinterpret_cast<const unsigned char*>(data.data()), data.size());
  std::string hex(64, '0');
  sodium_bin2hex(hex.data(), hex.size() + 1, d.data(), d.size());
  return hex;
}

access::Scope scope_of(storage::Connection& conn, std::int64_t tenant_id, const storage::User& u) {
  access::Scope scope;
  if (access::tenant_wide(u.role)) {
    scope.all = true;
    return scope;
  }
  if (u.role == access::Role::kCitizen) return scope;
  storage::OrgRepo org(conn, tenant_id);
  if (u.unit_id) {
    if (auto unit = org.find_unit(*u.unit_id); unit && !unit->retired) {
      scope.roots.push_back(unit->path);
    }
  }
  if (u.person_id) {
    for (const auto& [kind, path] : org.person_unit_paths(*u.person_id)) {
      scope.roots.push_back(path);
    }
  }
  return scope;
}

bool AuthService::throttled(const std::string& key, Millis now, int limit) {
  std::lock_guard lock(mutex_);
  auto it = failures_.find(key);
  if (it == failures_.end()) return false;
  if (now - it->second.first > ctx_.settings.login_lock_window) {
    failures_.erase(it);
    return false;
  }
  return it->second.count >= limit;
}

void AuthService::record_failure(const std::string& key, Millis now) {
  std::lock_guard lock(mutex_);
  if (failures_.size() > 100000) failures_.clear();  // bound memory under a spray of names
  auto& f = failures_[key];
  if (f.count == 0 || now - f.first > ctx_.settings.login_lock_window) {
    f.count = 0;
    f.first = now;
  }
  ++f.count;
}

void AuthService::clear_failures(const std::string& key) {
  std::lock_guard lock(mutex_);
  failures_.erase(key);
}

Expected<LoginResult> AuthService::login(std::string_view tenant_code, std::string_view username,
                                         std::string_view password, std::string_view remote) {
  const Millis now = ctx_.clock.now();
  // Throttle per account name and per address, so neither guessing one account from many
  // addresses nor many accounts from one address goes unchecked. An address gets ten times the
  // allowance of an account: a whole office often signs in from behind one address.
  const std::string user_key = "u:" + std::string(tenant_code) + "/" + std::string(username);
  const std::string addr_key = "a:" + std::string(remote);
  const int per_user = ctx_.settings.login_failures_before_lock;
  if (throttled(user_key, now, per_user) || throttled(addr_key, now, per_user * 10)) {
    return make_error("auth.throttled");
  }
  auto found = in_tx<std::pair<std::int64_t, std::optional<storage::User>>>(
      ctx_.db, false,
      [&](storage::Connection& c)
          -> Expected<std::pair<std::int64_t, std::optional<storage::User>>> {
        storage::TenantRepo tenants(c);
        std::optional<storage::Tenant> tenant;
        if (tenant_code.empty()) {
          auto all = tenants.all();
          if (all.size() == 1) tenant = all[0];
          if (all.size() > 1) return make_error("auth.tenant_required", "tenant");
        } else {
          tenant = tenants.find_by_code(tenant_code);
        }
        if (!tenant) return std::make_pair<std::int64_t, std::optional<storage::User>>(0, {});
        storage::UserRepo users(c, tenant->id);
        return std::make_pair(tenant->id, users.find_by_username(username));
      });
  if (!found) return found.error();
  // Plain variables, not a structured binding: the lambda below captures them (clang 14).
  const std::int64_t tenant_id = found->first;
  const std::optional<storage::User> user = std::move(found->second);
  // Verify against a dummy hash when the user does not exist, so timing does not tell.
  static const std::string kDummy = hash_password("civicloop-dummy-password", {.pwhash = "min"});
  const bool good = verify_password(password, user ? user->password_hash : kDummy) && user;
  if (!good || user->disabled) {
    record_failure(user_key, now);
    record_failure(addr_key, now);
    return make_error(good ? "auth.disabled" : "auth.bad_credentials");
  }
  clear_failures(user_key);
  LoginResult result;
  const std::string secret = random_token();
  result.session_cookie = std::to_string(tenant_id) + "." + secret;
  result.csrf_token = random_token();
  result.expires_at = now + ctx_.settings.session_ttl;
  result.user = *user;
  result.tenant_id = tenant_id;
  auto stored = in_tx<Ok>(ctx_.db, true, [&](storage::Connection& c) -> Status {
    storage::UserRepo users(c, tenant_id);
    users.delete_expired_sessions(now);
    users.insert_session({sha256_hex(secret), user->id, result.csrf_token, now, result.expires_at});
    return Ok{};
  });
  if (!stored) return stored.error();
  return result;
}

void AuthService::logout(std::string_view session_cookie) {
  auto parts = split_tenant(session_cookie);
  if (!parts) return;
  (void)in_tx<Ok>(ctx_.db, true, [&](storage::Connection& c) -> Status {
    storage::UserRepo(c, parts->first).delete_session(sha256_hex(parts->second));
    return Ok{};
  });
}

Expected<Principal> AuthService::principal_for(storage::Connection& c, std::int64_t tenant_id,
                                               std::int64_t user_id) {
  storage::UserRepo users(c, tenant_id);
  auto user = users.find(user_id);
  if (!user || user->disabled) return make_error("auth.required");
  Principal p;
  p.user = *user;
  p.actor.tenant_id = tenant_id;
  p.actor.user_id = user->id;
  p.actor.username = user->username;
  p.actor.display_name = user->display_name;
  p.actor.role = user->role;
  p.actor.scope = scope_of(c, tenant_id, *user);
  return p;
}

Expected<Principal> AuthService::from_session(std::string_view session_cookie) {
  auto parts = split_tenant(session_cookie);
  if (!parts) return make_error("auth.required");
  const Millis now = ctx_.clock.now();
  return in_tx<Principal>(ctx_.db, false, [&](storage::Connection& c) -> Expected<Principal> {
    storage::UserRepo users(c, parts->first);
    auto session = users.find_session(sha256_hex(parts->second), now);
    if (!session) return make_error("auth.required");
    auto p = principal_for(c, parts->first, session->user_id);
    if (p) p->csrf_token = session->csrf_token;
    return p;
  });
}

Expected<Principal> AuthService::from_token(std::string_view bearer) {
  // API tokens look like "clp_<tenant>.<secret>".
  if (bearer.substr(0, 4) != "clp_") return make_error("auth.required");
  auto parts = split_tenant(bearer.substr(4));
  if (!parts) return make_error("auth.required");
  return in_tx<Principal>(ctx_.db, false, [&](storage::Connection& c) -> Expected<Principal> {
    storage::UserRepo users(c, parts->first);
    auto token = users.find_token_by_hash(sha256_hex(parts->second));
    if (!token || token->revoked) return make_error("auth.required");
    auto p = principal_for(c, parts->first, token->user_id);
    if (p) p->via_token = true;
    return p;
  });
}

Expected<std::pair<storage::ApiToken, std::string>> AuthService::create_token(
    const access::Actor& actor, std::string_view name) {
  if (auto s = text::check("name", name, {.min_chars = 1, .max_chars = 100}); !s) return s.error();
  if (actor.role == access::Role::kCitizen) return make_error("auth.forbidden");
  const Millis now = ctx_.clock.now();
  const std::string secret = random_token();
  return in_tx<std::pair<storage::ApiToken, std::string>>(
      ctx_.db, true,
      [&](storage::Connection& c) -> Expected<std::pair<storage::ApiToken, std::string>> {
        storage::ApiToken t;
        t.id = storage::next_id(c, actor.tenant_id, "api_tokens");
        t.user_id = actor.user_id;
        t.name = std::string(name);
        t.token_hash = sha256_hex(secret);
        t.created_at = now;
        storage::UserRepo(c, actor.tenant_id).insert_token(t);
        auto ev = make_event(actor, now, "api_token", t.id, "create", std::nullopt,
                             to_text(token_json(t)));
        storage::LedgerRepo(c, actor.tenant_id).append(ev);
        return std::make_pair(t, "clp_" + std::to_string(actor.tenant_id) + "." + secret);
      });
}

Expected<std::vector<storage::ApiToken>> AuthService::list_tokens(const access::Actor& actor) {
  return in_tx<std::vector<storage::ApiToken>>(
      ctx_.db, false, [&](storage::Connection& c) -> Expected<std::vector<storage::ApiToken>> {
        return storage::UserRepo(c, actor.tenant_id).tokens_of_user(actor.user_id);
      });
}

Status AuthService::revoke_token(const access::Actor& actor, std::int64_t id) {
  const Millis now = ctx_.clock.now();
  return in_tx<Ok>(ctx_.db, true, [&](storage::Connection& c) -> Status {
    storage::UserRepo users(c, actor.tenant_id);
    auto t = users.find_token(id);
    // Another user's token is reported as missing: its existence is not the caller's business.
    if (!t || (t->user_id != actor.user_id && !actor.can(access::Permission::kUsersManage))) {
      return make_error("auth.token_not_found");
    }
    if (t->revoked) return Ok{};
    users.revoke_token(id);
    auto after = *t;
    after.revoked = true;
    auto ev = make_event(actor, now, "api_token", id, "revoke", to_text(token_json(*t)),
                         to_text(token_json(after)));
    storage::LedgerRepo(c, actor.tenant_id).append(ev);
    return Ok{};
  });
}

}  // namespace civicloop::app
