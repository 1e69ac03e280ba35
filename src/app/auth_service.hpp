// Accounts and sign-in: password hashing (argon2id), sessions, API tokens, throttling of failed
// logins, and turning a session or token into an Actor with its data scope.
// Thread-safe: the throttle is guarded by a mutex; everything else goes through the database.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "app/context.hpp"
#include "storage/account_repo.hpp"

namespace civicloop::app {

std::string hash_password(std::string_view password, const Settings& settings);
bool verify_password(std::string_view password, const std::string& hash);
Status check_password_strength(std::string_view password);
// 32 random bytes, hex: session tokens, CSRF tokens, API token secrets.
std::string random_token();
std::string sha256_hex(std::string_view data);

struct LoginResult {
  std::int64_t tenant_id = 0;
  storage::User user;
  std::string session_cookie;  // "<tenant_id>.<secret>": the value of the session cookie
  std::string csrf_token;
  Millis expires_at = 0;
};

struct Principal {
  access::Actor actor;
  storage::User user;
  std::string csrf_token;  // empty for API tokens (they need none)
  bool via_token = false;
};

class AuthService {
 public:
  explicit AuthService(Context& ctx) : ctx_(ctx) {}

  // tenant_code may be empty when the deployment has one tenant.
  Expected<LoginResult> login(std::string_view tenant_code, std::string_view username,
                              std::string_view password, std::string_view remote);
  void logout(std::string_view session_cookie);
  // From the session cookie or an "Authorization: Bearer" secret; "auth.required" otherwise.
  Expected<Principal> from_session(std::string_view session_cookie);
  Expected<Principal> from_token(std::string_view bearer);

  Expected<std::pair<storage::ApiToken, std::string>> create_token(const access::Actor& actor,
                                                                   std::string_view name);
  Expected<std::vector<storage::ApiToken>> list_tokens(const access::Actor& actor);
  Status revoke_token(const access::Actor& actor, std::int64_t id);

 private:
  Expected<Principal> principal_for(storage::Connection& conn, std::int64_t tenant_id,
                                    std::int64_t user_id);
  bool throttled(const std::string& key, Millis now, int limit);
  void record_failure(const std::string& key, Millis now);
  void clear_failures(const std::string& key);

  Context& ctx_;
  std::mutex mutex_;
  struct Failures {
    int count = 0;
    Millis first = 0;
  };
  std::map<std::string, Failures> failures_;
};

// The data scope of a user: the whole tenant for district-wide roles, otherwise the subtrees of
// the user's unit and of the units the user's person belongs to.
access::Scope scope_of(storage::Connection& conn, std::int64_t tenant_id, const storage::User& u);

}  // namespace civicloop::app
