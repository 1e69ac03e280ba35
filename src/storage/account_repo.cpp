#include "storage/account_repo.hpp"

#include "storage/sql_util.hpp"

namespace civicloop::storage {

namespace {

Tenant tenant_from(const Row& r) {
  Tenant t;
  t.id = r.get_int(0);
  t.code = r.get_text(1);
  t.name = r.get_text(2);
  t.name_en = r.get_opt_text(3);
  t.admin_code = r.get_opt_text(4);
  t.timezone = r.get_text(5);
  if (!r.is_null(6)) t.center_lat = r.get_double(6);
  if (!r.is_null(7)) t.center_lng = r.get_double(7);
  return t;
}
constexpr const char* kTenantColumns =
    "tenant_id, code, name, name_en, admin_code, timezone, center_lat, center_lng";

constexpr const char* kUserColumns =
    "id, username, password_hash, role, display_name, unit_id, person_id, disabled, is_demo, "
    "version, CASE WHEN totp_secret IS NULL THEN 0 ELSE 1 END";

User user_from(const Row& r) {
  User u;
  u.id = r.get_int(0);
  u.username = r.get_text(1);
  u.password_hash = r.get_text(2);
  u.role = access::parse_role(r.get_text(3)).value_or(access::Role::kCitizen);
  u.display_name = r.get_text(4);
  u.unit_id = r.get_opt_int(5);
  u.person_id = r.get_opt_int(6);
  u.disabled = r.get_bool(7);
  u.is_demo = r.get_bool(8);
  u.version = static_cast<int>(r.get_int(9));
  u.totp_enabled = r.get_bool(10);
  return u;
}

Value opt_int(const std::optional<std::int64_t>& v) { return v ? Value(*v) : Value(nullptr); }
Value opt_text(const std::optional<std::string>& v) { return v ? Value(*v) : Value(nullptr); }
Value opt_double(const std::optional<double>& v) { return v ? Value(*v) : Value(nullptr); }

ApiToken token_from(const Row& r) {
  ApiToken t;
  t.id = r.get_int(0);
  t.user_id = r.get_int(1);
  t.name = r.get_text(2);
  t.token_hash = r.get_text(3);
  t.revoked = r.get_bool(4);
  t.created_at = r.get_int(5);
  return t;
}
constexpr const char* kTokenColumns = "id, user_id, name, token_hash, revoked, created_at";

}  // namespace

std::optional<Tenant> TenantRepo::find(std::int64_t id) {
  auto rows =
      c_.query(std::string("SELECT ") + kTenantColumns + " FROM tenants WHERE tenant_id = ?", {id});
  if (rows.empty()) return std::nullopt;
  return tenant_from(rows[0]);
}

std::optional<Tenant> TenantRepo::find_by_code(std::string_view code) {
  auto rows = c_.query(std::string("SELECT ") + kTenantColumns + " FROM tenants WHERE code = ?",
                       {std::string(code)});
  if (rows.empty()) return std::nullopt;
  return tenant_from(rows[0]);
}

std::vector<Tenant> TenantRepo::all() {
  std::vector<Tenant> out;
  for (const auto& r :
       c_.query(std::string("SELECT ") + kTenantColumns + " FROM tenants ORDER BY tenant_id")) {
    out.push_back(tenant_from(r));
  }
  return out;
}

std::int64_t TenantRepo::upsert(const Tenant& t, Millis now) {
  if (auto existing = find_by_code(t.code)) {
    c_.execute(
        "UPDATE tenants SET name = ?, name_en = ?, admin_code = ?, timezone = ?, center_lat = ?, "
        "center_lng = ? WHERE tenant_id = ?",
        {t.name, opt_text(t.name_en), opt_text(t.admin_code), t.timezone, opt_double(t.center_lat),
         opt_double(t.center_lng), existing->id});
    return existing->id;
  }
  const auto id = c_.query("SELECT coalesce(max(tenant_id), 0) + 1 FROM tenants").at(0).get_int(0);
  c_.execute(
      "INSERT INTO tenants (tenant_id, code, name, name_en, admin_code, timezone, center_lat, "
      "center_lng, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {id, t.code, t.name, opt_text(t.name_en), opt_text(t.admin_code), t.timezone,
       opt_double(t.center_lat), opt_double(t.center_lng), now});
  c_.execute("INSERT INTO ledger_heads (tenant_id, seq, hash) VALUES (?, 0, ?)",
             {id, std::string(64, '0')});
  return id;
}

std::optional<User> UserRepo::find(std::int64_t id) {
  auto rows =
      c_.query(std::string("SELECT ") + kUserColumns + " FROM users WHERE tenant_id = ? AND id = ?",
               {tenant_, id});
  if (rows.empty()) return std::nullopt;
  return user_from(rows[0]);
}

std::optional<User> UserRepo::find_by_username(std::string_view username) {
  auto rows = c_.query(
      std::string("SELECT ") + kUserColumns + " FROM users WHERE tenant_id = ? AND username = ?",
      {tenant_, std::string(username)});
  if (rows.empty()) return std::nullopt;
  return user_from(rows[0]);
}

std::vector<User> UserRepo::list(const UserQuery& q) {
  std::string sql = std::string("SELECT ") + kUserColumns + " FROM users WHERE tenant_id = ?";
  std::vector<Value> params{tenant_};
  if (!q.q.empty()) {
    const auto p = sql::contains_pattern(q.q);
    // lower() on both sides: PostgreSQL folds more than ASCII (see OrgRepo::list_units).
    sql +=
        " AND (lower(username) LIKE lower(CAST(? AS TEXT)) ESCAPE '\\' "
        "OR lower(display_name) LIKE lower(CAST(? AS TEXT)) ESCAPE '\\')";
    params.emplace_back(p);
    params.emplace_back(p);
  }
  if (q.role) {
    sql += " AND role = ?";
    params.emplace_back(std::string(access::to_string(*q.role)));
  }
  if (q.after) {
    sql += " AND id > ?";
    params.emplace_back(q.after->id);
  }
  sql += " ORDER BY id LIMIT ?";
  params.emplace_back(static_cast<std::int64_t>(q.limit));
  std::vector<User> out;
  for (const auto& r : c_.query(sql, params)) out.push_back(user_from(r));
  return out;
}

void UserRepo::insert(const User& u, Millis now) {
  c_.execute(
      "INSERT INTO users (tenant_id, id, username, password_hash, role, display_name, unit_id, "
      "person_id, disabled, is_demo, version, created_at, updated_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {tenant_, u.id, u.username, u.password_hash, std::string(access::to_string(u.role)),
       u.display_name, opt_int(u.unit_id), opt_int(u.person_id),
       static_cast<std::int64_t>(u.disabled), static_cast<std::int64_t>(u.is_demo),
       static_cast<std::int64_t>(u.version), now, now});
}

bool UserRepo::update(const User& u, int expected_version, Millis now) {
  return c_.execute(
             "UPDATE users SET password_hash = ?, role = ?, display_name = ?, unit_id = ?, "
             "person_id = ?, disabled = ?, version = version + 1, updated_at = ? "
             "WHERE tenant_id = ? AND id = ? AND version = ?",
             {u.password_hash, std::string(access::to_string(u.role)), u.display_name,
              opt_int(u.unit_id), opt_int(u.person_id), static_cast<std::int64_t>(u.disabled), now,
              tenant_, u.id, static_cast<std::int64_t>(expected_version)}) == 1;
}

std::vector<std::int64_t> UserRepo::users_of_unit(std::int64_t unit_id) {
  std::vector<std::int64_t> out;
  for (const auto& r : c_.query(
           "SELECT id FROM users WHERE tenant_id = ? AND disabled = 0 AND (unit_id = ? OR "
           "person_id IN (SELECT person_id FROM memberships WHERE tenant_id = ? AND unit_id = ?)) "
           "ORDER BY id",
           {tenant_, unit_id, tenant_, unit_id})) {
    out.push_back(r.get_int(0));
  }
  return out;
}

std::vector<std::int64_t> UserRepo::users_of_person(std::int64_t person_id) {
  std::vector<std::int64_t> out;
  for (const auto& r : c_.query("SELECT id FROM users WHERE tenant_id = ? AND disabled = 0 AND "
                                "person_id = ? ORDER BY id",
                                {tenant_, person_id})) {
    out.push_back(r.get_int(0));
  }
  return out;
}

std::vector<std::int64_t> UserRepo::users_with_role(access::Role role) {
  std::vector<std::int64_t> out;
  for (const auto& r : c_.query("SELECT id FROM users WHERE tenant_id = ? AND disabled = 0 AND "
                                "role = ? ORDER BY id",
                                {tenant_, std::string(access::to_string(role))})) {
    out.push_back(r.get_int(0));
  }
  return out;
}

void UserRepo::insert_session(const Session& s) {
  c_.execute(
      "INSERT INTO sessions (tenant_id, token_hash, user_id, csrf_token, created_at, expires_at) "
      "VALUES (?, ?, ?, ?, ?, ?)",
      {tenant_, s.token_hash, s.user_id, s.csrf_token, s.created_at, s.expires_at});
}

std::optional<Session> UserRepo::find_session(std::string_view token_hash, Millis now) {
  auto rows = c_.query(
      "SELECT token_hash, user_id, csrf_token, created_at, expires_at FROM sessions "
      "WHERE tenant_id = ? AND token_hash = ? AND expires_at > ?",
      {tenant_, std::string(token_hash), now});
  if (rows.empty()) return std::nullopt;
  const auto& r = rows[0];
  return Session{r.get_text(0), r.get_int(1), r.get_text(2), r.get_int(3), r.get_int(4)};
}

void UserRepo::delete_session(std::string_view token_hash) {
  c_.execute("DELETE FROM sessions WHERE tenant_id = ? AND token_hash = ?",
             {tenant_, std::string(token_hash)});
}

int UserRepo::delete_sessions_of_user(std::int64_t user_id) {
  return static_cast<int>(
      c_.execute("DELETE FROM sessions WHERE tenant_id = ? AND user_id = ?", {tenant_, user_id}));
}

int UserRepo::delete_sessions_of_user_except(std::int64_t user_id,
                                             std::string_view keep_token_hash) {
  return static_cast<int>(
      c_.execute("DELETE FROM sessions WHERE tenant_id = ? AND user_id = ? AND token_hash <> ?",
                 {tenant_, user_id, std::string(keep_token_hash)}));
}

int UserRepo::delete_expired_sessions(Millis now) {
  return static_cast<int>(
      c_.execute("DELETE FROM sessions WHERE tenant_id = ? AND expires_at <= ?", {tenant_, now}));
}

void UserRepo::insert_token(const ApiToken& t) {
  c_.execute(
      "INSERT INTO api_tokens (tenant_id, id, user_id, name, token_hash, revoked, created_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)",
      {tenant_, t.id, t.user_id, t.name, t.token_hash, static_cast<std::int64_t>(t.revoked),
       t.created_at});
}

std::optional<ApiToken> UserRepo::find_token_by_hash(std::string_view token_hash) {
  auto rows = c_.query(std::string("SELECT ") + kTokenColumns +
                           " FROM api_tokens WHERE tenant_id = ? AND token_hash = ?",
                       {tenant_, std::string(token_hash)});
  if (rows.empty()) return std::nullopt;
  return token_from(rows[0]);
}

std::optional<ApiToken> UserRepo::find_token(std::int64_t id) {
  auto rows = c_.query(
      std::string("SELECT ") + kTokenColumns + " FROM api_tokens WHERE tenant_id = ? AND id = ?",
      {tenant_, id});
  if (rows.empty()) return std::nullopt;
  return token_from(rows[0]);
}

std::vector<ApiToken> UserRepo::tokens_of_user(std::int64_t user_id) {
  std::vector<ApiToken> out;
  for (const auto& r :
       c_.query(std::string("SELECT ") + kTokenColumns +
                    " FROM api_tokens WHERE tenant_id = ? AND user_id = ? ORDER BY id",
                {tenant_, user_id})) {
    out.push_back(token_from(r));
  }
  return out;
}

bool UserRepo::revoke_token(std::int64_t id) {
  return c_.execute("UPDATE api_tokens SET revoked = 1 WHERE tenant_id = ? AND id = ?",
                    {tenant_, id}) == 1;
}

int UserRepo::revoke_tokens_of_user(std::int64_t user_id) {
  return static_cast<int>(
      c_.execute("UPDATE api_tokens SET revoked = 1 WHERE tenant_id = ? AND user_id = ? AND "
                 "revoked = 0",
                 {tenant_, user_id}));
}

TotpState UserRepo::totp(std::int64_t user_id) {
  TotpState t;
  auto rows = c_.query(
      "SELECT totp_secret, totp_pending, totp_last_step FROM users WHERE tenant_id = ? AND id = ?",
      {tenant_, user_id});
  if (rows.empty()) return t;
  t.secret = rows[0].get_opt_text(0);
  t.pending = rows[0].get_opt_text(1);
  t.last_step = rows[0].get_int(2);
  return t;
}

void UserRepo::set_totp_pending(std::int64_t user_id, const std::optional<std::string>& secret) {
  c_.execute("UPDATE users SET totp_pending = ? WHERE tenant_id = ? AND id = ?",
             {secret ? Value(*secret) : Value(nullptr), tenant_, user_id});
}

void UserRepo::set_totp_secret(std::int64_t user_id, const std::optional<std::string>& secret) {
  c_.execute(
      "UPDATE users SET totp_secret = ?, totp_pending = NULL, totp_last_step = 0 "
      "WHERE tenant_id = ? AND id = ?",
      {secret ? Value(*secret) : Value(nullptr), tenant_, user_id});
  if (!secret) {
    c_.execute("DELETE FROM recovery_codes WHERE tenant_id = ? AND user_id = ?",
               {tenant_, user_id});
  }
}

bool UserRepo::use_totp_step(std::int64_t user_id, std::int64_t step) {
  return c_.execute(
             "UPDATE users SET totp_last_step = ? WHERE tenant_id = ? AND id = ? AND "
             "totp_last_step < ?",
             {step, tenant_, user_id, step}) == 1;
}

void UserRepo::replace_recovery_codes(std::int64_t user_id,
                                      const std::vector<std::string>& hashes) {
  c_.execute("DELETE FROM recovery_codes WHERE tenant_id = ? AND user_id = ?", {tenant_, user_id});
  for (const auto& h : hashes) {
    c_.execute("INSERT INTO recovery_codes (tenant_id, user_id, code_hash) VALUES (?, ?, ?)",
               {tenant_, user_id, h});
  }
}

bool UserRepo::use_recovery_code(std::int64_t user_id, std::string_view hash, Millis now) {
  return c_.execute(
             "UPDATE recovery_codes SET used_at = ? WHERE tenant_id = ? AND user_id = ? "
             "AND code_hash = ? AND used_at IS NULL",
             {now, tenant_, user_id, std::string(hash)}) == 1;
}

int UserRepo::unused_recovery_codes(std::int64_t user_id) {
  auto rows = c_.query(
      "SELECT COUNT(*) FROM recovery_codes WHERE tenant_id = ? AND user_id = ? AND used_at IS NULL",
      {tenant_, user_id});
  return rows.empty() ? 0 : static_cast<int>(rows[0].get_int(0));
}

}  // namespace civicloop::storage
