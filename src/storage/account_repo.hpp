// Persistence of accounts: tenants, users, sessions and API tokens. Written once against
// storage::Connection. One per transaction; not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/access.hpp"
#include "domain/clock.hpp"
#include "storage/db.hpp"
#include "storage/org_repo.hpp"

namespace civicloop::storage {

struct Tenant {
  std::int64_t id = 0;
  std::string code;
  std::string name;
  std::optional<std::string> name_en;
  std::optional<std::string> admin_code;
  std::string timezone = "Asia/Shanghai";
  std::optional<double> center_lat;
  std::optional<double> center_lng;
};

struct User {
  std::int64_t id = 0;
  std::string username;
  std::string password_hash;
  access::Role role = access::Role::kCitizen;
  std::string display_name;
  std::optional<std::int64_t> unit_id;
  std::optional<std::int64_t> person_id;
  bool disabled = false;
  bool is_demo = false;
  int version = 1;
  bool totp_enabled = false;  // read only: set through the TOTP methods of UserRepo
};

// The second factor of one user (RFC 6238). Secrets are held as base32 text.
struct TotpState {
  std::optional<std::string> secret;   // enabled when set
  std::optional<std::string> pending;  // set up but not yet confirmed with a code
  std::int64_t last_step = 0;          // the last time step accepted (a code works once)
};

struct Session {
  std::string token_hash;
  std::int64_t user_id = 0;
  std::string csrf_token;
  Millis created_at = 0;
  Millis expires_at = 0;
};

struct ApiToken {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  std::string name;
  std::string token_hash;
  bool revoked = false;
  Millis created_at = 0;
};

class TenantRepo {
 public:
  explicit TenantRepo(Connection& conn) : c_(conn) {}
  std::optional<Tenant> find(std::int64_t id);
  std::optional<Tenant> find_by_code(std::string_view code);
  std::vector<Tenant> all();
  // Inserts with the next free id, or updates the names of an existing code. Returns the id.
  std::int64_t upsert(const Tenant& t, Millis now);

 private:
  Connection& c_;
};

struct UserQuery {
  std::string q;
  std::optional<access::Role> role;
  int limit = 50;
  std::optional<Cursor> after;
};

class UserRepo {
 public:
  UserRepo(Connection& conn, std::int64_t tenant_id) : c_(conn), tenant_(tenant_id) {}

  std::optional<User> find(std::int64_t id);
  std::optional<User> find_by_username(std::string_view username);
  std::vector<User> list(const UserQuery& q);
  void insert(const User& u, Millis now);
  bool update(const User& u, int expected_version, Millis now);

  // Active accounts bound to a unit or to a person who belongs to it (notifications).
  std::vector<std::int64_t> users_of_unit(std::int64_t unit_id);
  std::vector<std::int64_t> users_of_person(std::int64_t person_id);
  std::vector<std::int64_t> users_with_role(access::Role role);

  void insert_session(const Session& s);
  std::optional<Session> find_session(std::string_view token_hash, Millis now);
  void delete_session(std::string_view token_hash);
  int delete_sessions_of_user(std::int64_t user_id);
  int delete_sessions_of_user_except(std::int64_t user_id, std::string_view keep_token_hash);
  int delete_expired_sessions(Millis now);

  void insert_token(const ApiToken& t);
  std::optional<ApiToken> find_token_by_hash(std::string_view token_hash);
  std::optional<ApiToken> find_token(std::int64_t id);
  std::vector<ApiToken> tokens_of_user(std::int64_t user_id);
  bool revoke_token(std::int64_t id);
  // Revokes every live token of the user (password reset, disabling); returns how many.
  int revoke_tokens_of_user(std::int64_t user_id);

  TotpState totp(std::int64_t user_id);
  void set_totp_pending(std::int64_t user_id, const std::optional<std::string>& secret);
  // Enables the pending secret (or clears the factor when secret is nullopt).
  void set_totp_secret(std::int64_t user_id, const std::optional<std::string>& secret);
  // Records a used step; false when a step at or after it was used already (a replay, or two
  // sign-ins with the same code racing).
  bool use_totp_step(std::int64_t user_id, std::int64_t step);
  void replace_recovery_codes(std::int64_t user_id, const std::vector<std::string>& hashes);
  // Marks an unused recovery code used; false when there is none with this hash.
  bool use_recovery_code(std::int64_t user_id, std::string_view hash, Millis now);
  int unused_recovery_codes(std::int64_t user_id);

 private:
  Connection& c_;
  std::int64_t tenant_;
};

}  // namespace civicloop::storage
