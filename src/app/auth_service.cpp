#include "app/auth_service.hpp"

#include <sodium.h>

#include <array>
#include <charconv>

#include "app/views.hpp"
#include "domain/text.hpp"
#include "domain/totp.hpp"
#include "reports/qr.hpp"
#include "storage/ledger_repo.hpp"
#include "storage/org_repo.hpp"
#include "storage/throttle_repo.hpp"

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

namespace {

// Recovery codes are typed by people: case, spaces and hyphens do not matter.
std::string normalize_recovery_code(std::string_view code) {
  std::string out;
  for (const char c : code) {
    if (c == '-' || c == ' ') continue;
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

// The throttle's keys. Accounts are counted by tenant id and name whether or not the request
// named the tenant, so that naming it does not open a second counter.
struct ThrottleKeys {
  std::int64_t tenant = 0;
  bool known = false;  // the account exists
  std::string account;
  std::string pair;
  std::string address;
};

ThrottleKeys keys_for(std::int64_t tenant, std::string_view tenant_code, bool known,
                      std::string_view username, std::string_view remote) {
  ThrottleKeys k;
  k.tenant = tenant;
  k.known = known;
  const std::string who = tenant != 0
                              ? std::string(username)
                              : "?" + std::string(tenant_code) + "/" + std::string(username);
  k.account = "acct:" + who;
  k.pair = "pair:" + who + "@" + std::string(remote);
  k.address = "addr:" + std::string(remote);
  return k;
}

}  // namespace

AuthService::AuthService(Context& ctx)
    : ctx_(ctx), dummy_hash_(hash_password(random_token(), ctx.settings)) {}

Expected<LoginResult> AuthService::login(const LoginInput& in) {
  const Millis now = ctx_.clock.now();
  // 1. Who is this? (tenant and account; an unknown name goes through the same steps.)
  auto found = in_tx<std::pair<std::int64_t, std::optional<storage::User>>>(
      ctx_.db, false,
      [&](storage::Connection& c)
          -> Expected<std::pair<std::int64_t, std::optional<storage::User>>> {
        storage::TenantRepo tenants(c);
        std::optional<storage::Tenant> tenant;
        if (in.tenant_code.empty()) {
          auto all = tenants.all();
          if (all.size() == 1) tenant = all[0];
          if (all.size() > 1) return make_error("auth.tenant_required", "tenant");
        } else {
          tenant = tenants.find_by_code(in.tenant_code);
        }
        if (!tenant) return std::make_pair<std::int64_t, std::optional<storage::User>>(0, {});
        storage::UserRepo users(c, tenant->id);
        return std::make_pair(tenant->id, users.find_by_username(in.username));
      });
  if (!found) return found.error();
  // Plain variables, not a structured binding: the lambdas below capture them (clang 14).
  const std::int64_t tenant_id = found->first;
  const std::optional<storage::User> user = std::move(found->second);
  const auto keys = keys_for(tenant_id, in.tenant_code, user.has_value(), in.username, in.remote);
  const auto& policies = ctx_.settings.sign_in;

  // 2. Still waiting? Say for how long; the password is not even looked at.
  auto wait = in_tx<Millis>(ctx_.db, false, [&](storage::Connection& c) -> Expected<Millis> {
    storage::ThrottleRepo repo(c);
    Millis until = 0;
    for (const auto& [tenant, key] :
         {std::pair{keys.tenant, keys.account}, std::pair{keys.tenant, keys.pair},
          std::pair{std::int64_t{0}, keys.address}}) {
      if (auto counter = repo.find(tenant, key)) until = std::max(until, counter->blocked_until);
    }
    return until;
  });
  if (!wait) return wait.error();
  if (*wait > now) {
    const auto seconds = (*wait - now + 999) / 1000;
    return make_error("auth.throttled").with("retry_after_seconds", std::to_string(seconds));
  }

  // 3. The password, against a dummy hash of the same cost when there is no such account, so
  // that the time taken does not tell a known name from an unknown one.
  const bool good = verify_password(in.password, user ? user->password_hash : dummy_hash_) && user;

  auto record_failure = [&]() {
    (void)in_tx<Ok>(ctx_.db, true, [&](storage::Connection& c) -> Status {
      storage::ThrottleRepo repo(c);
      auto bump = [&](std::int64_t tenant, const std::string& key, bool known,
                      const throttle::Policy& p) {
        auto counter =
            throttle::after_failure(p, repo.find(tenant, key).value_or(throttle::Counter{}), now);
        repo.save(tenant, key, known, counter);
      };
      // The counters of a real account are never evicted for room (see ThrottleRepo::evict);
      // they are few, since each costs a real failed sign-in against that account.
      bump(keys.tenant, keys.account, keys.known, policies.account);
      bump(keys.tenant, keys.pair, keys.known, policies.pair);
      bump(0, keys.address, false, policies.address);
      if (failures_seen_.fetch_add(1) % 64 == 0) {
        repo.evict(now, now - policies.pair.window, ctx_.settings.throttle_max_unknown);
      }
      return Ok{};
    });
  };
  if (!good) {
    record_failure();
    return make_error("auth.bad_credentials");
  }
  if (user->disabled) return make_error("auth.disabled");

  // 4. The second factor, when the account has it: a TOTP code, or one of the recovery codes.
  if (user->totp_enabled) {
    if (in.totp_code.empty() && in.recovery_code.empty()) return make_error("auth.totp_required");
    auto passed = in_tx<bool>(ctx_.db, true, [&](storage::Connection& c) -> Expected<bool> {
      storage::UserRepo users(c, tenant_id);
      if (!in.recovery_code.empty()) {
        return users.use_recovery_code(user->id,
                                       sha256_hex(normalize_recovery_code(in.recovery_code)), now);
      }
      const auto state = users.totp(user->id);
      const auto key = totp::base32_decode(state.secret.value_or(""));
      if (!key) return false;
      auto step = totp::verify(*key, in.totp_code, now / 1000, state.last_step);
      return step && users.use_totp_step(user->id, *step);
    });
    if (!passed) return passed.error();
    if (!*passed) {
      record_failure();
      return make_error("auth.totp_invalid");
    }
  }

  // 5. A session. The account's counters are cleared; the address's stays (it counts others).
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
    storage::ThrottleRepo throttle_repo(c);
    throttle_repo.remove(keys.tenant, keys.account);
    throttle_repo.remove(keys.tenant, keys.pair);
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
    if (p) {
      p->csrf_token = session->csrf_token;
      p->session_hash = session->token_hash;
    }
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

Expected<TotpSetup> AuthService::totp_setup(const access::Actor& actor) {
  if (!access::may_use_totp(actor.role) || actor.user_id == 0) return make_error("auth.forbidden");
  ensure_sodium();
  std::string key(20, '\0');  // 160 bits, RFC 4226's recommendation for HMAC-SHA1
  randombytes_buf(key.data(), key.size());
  const auto base32 = totp::base32_encode(key);
  return in_tx<TotpSetup>(ctx_.db, true, [&](storage::Connection& c) -> Expected<TotpSetup> {
    storage::UserRepo users(c, actor.tenant_id);
    if (users.totp(actor.user_id).secret) return make_error("auth.totp_already_enabled");
    users.set_totp_pending(actor.user_id, base32);
    auto tenant = storage::TenantRepo(c).find(actor.tenant_id);
    const std::string issuer = tenant ? tenant->name : "civicloop";
    const auto uri = totp::otpauth_uri(issuer, actor.username, key);
    return TotpSetup{base32, uri, reports::qr_svg(uri)};
  });
}

Expected<std::vector<std::string>> AuthService::totp_enable(const access::Actor& actor,
                                                            std::string_view code,
                                                            std::string_view keep_session_hash) {
  if (!access::may_use_totp(actor.role) || actor.user_id == 0) return make_error("auth.forbidden");
  const Millis now = ctx_.clock.now();
  ensure_sodium();
  std::vector<std::string> codes;
  std::vector<std::string> hashes;
  for (int i = 0; i < 10; ++i) {
    std::string raw(5, '\0');
    randombytes_buf(raw.data(), raw.size());
    const auto b32 = totp::base32_encode(raw);  // 8 characters
    codes.push_back(b32.substr(0, 4) + "-" + b32.substr(4));
    hashes.push_back(sha256_hex(normalize_recovery_code(b32)));
  }
  return in_tx<std::vector<std::string>>(
      ctx_.db, true, [&](storage::Connection& c) -> Expected<std::vector<std::string>> {
        storage::UserRepo users(c, actor.tenant_id);
        const auto state = users.totp(actor.user_id);
        if (state.secret) return make_error("auth.totp_already_enabled");
        const auto key = totp::base32_decode(state.pending.value_or(""));
        if (!state.pending || !key) return make_error("auth.totp_not_set_up");
        auto step = totp::verify(*key, code, now / 1000, 0);
        if (!step) return make_error("auth.totp_invalid", "code");
        users.set_totp_secret(actor.user_id, *state.pending);
        users.use_totp_step(actor.user_id, *step);
        users.replace_recovery_codes(actor.user_id, hashes);
        // Other sessions were opened with the password alone: they end.
        users.delete_sessions_of_user_except(actor.user_id, keep_session_hash);
        auto ev = make_event(actor, now, "user", actor.user_id, "totp_enable", std::nullopt,
                             std::nullopt);
        storage::LedgerRepo(c, actor.tenant_id).append(ev);
        return codes;
      });
}

Status AuthService::totp_disable(const access::Actor& actor, std::string_view password) {
  if (actor.user_id == 0) return make_error("auth.forbidden");
  const Millis now = ctx_.clock.now();
  return in_tx<Ok>(ctx_.db, true, [&](storage::Connection& c) -> Status {
    storage::UserRepo users(c, actor.tenant_id);
    auto u = users.find(actor.user_id);
    if (!u || !verify_password(password, u->password_hash)) {
      return make_error("auth.bad_credentials", "password");
    }
    if (!u->totp_enabled) return Ok{};
    users.set_totp_secret(actor.user_id, std::nullopt);
    auto ev =
        make_event(actor, now, "user", actor.user_id, "totp_disable", std::nullopt, std::nullopt);
    storage::LedgerRepo(c, actor.tenant_id).append(ev);
    return Ok{};
  });
}

}  // namespace civicloop::app
