// Accounts and sign-in: password hashing (argon2id), sessions, API tokens, throttling of failed
// logins, and turning a session or token into an Actor with its data scope.
// Thread-safe: all state (sessions, tokens, the throttle counters) is in the database, so several
// servers on one database share it.
#pragma once

#include <atomic>
#include <cstdint>
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

// What a sign-in needs besides the password.
struct LoginInput {
  std::string tenant_code;  // may be empty when the deployment has one tenant
  std::string username;
  std::string password;
  std::string totp_code;      // when the account has the second factor
  std::string recovery_code;  // instead of the TOTP code, once each
  std::string remote;         // the client address (after the trusted-proxy rule)
};

// Setting up the second factor: the secret to show once, as text, as an otpauth URI and as its QR
// code.
struct TotpSetup {
  std::string secret_base32;
  std::string otpauth_uri;
  std::string qr_svg;  // the URI as a QR code, for the authenticator app's camera
};

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
  std::string csrf_token;    // empty for API tokens (they need none)
  std::string session_hash;  // the session's stored hash; empty for API tokens
  bool via_token = false;
};

class AuthService {
 public:
  // Hashes the dummy password that unknown names are checked against, at the settings' cost.
  explicit AuthService(Context& ctx);

  // What a sign-in with an unknown name is verified against: the same argon2id cost as a real
  // account's hash, so that known and unknown names take the same time.
  const std::string& dummy_hash() const { return dummy_hash_; }

  // Errors: auth.bad_credentials (also for unknown names: same answer, same time),
  // auth.throttled (details retry_after_seconds), auth.totp_required, auth.totp_invalid,
  // auth.disabled, auth.tenant_required.
  Expected<LoginResult> login(const LoginInput& in);
  void logout(std::string_view session_cookie);
  // From the session cookie or an "Authorization: Bearer" secret; "auth.required" otherwise.
  Expected<Principal> from_session(std::string_view session_cookie);
  Expected<Principal> from_token(std::string_view bearer);

  Expected<std::pair<storage::ApiToken, std::string>> create_token(const access::Actor& actor,
                                                                   std::string_view name);
  Expected<std::vector<storage::ApiToken>> list_tokens(const access::Actor& actor);
  Status revoke_token(const access::Actor& actor, std::int64_t id);

  // The second factor, for the roles that may have it (access::may_use_totp). Setup makes a new
  // pending secret; enabling it needs a code from it and returns the ten recovery codes (shown
  // once; only their hashes are kept); disabling needs the password.
  Expected<TotpSetup> totp_setup(const access::Actor& actor);
  // Enabling ends the user's other sessions (opened with the password alone); keep_session_hash
  // is the caller's own.
  Expected<std::vector<std::string>> totp_enable(const access::Actor& actor, std::string_view code,
                                                 std::string_view keep_session_hash);
  Status totp_disable(const access::Actor& actor, std::string_view password);

 private:
  Expected<Principal> principal_for(storage::Connection& conn, std::int64_t tenant_id,
                                    std::int64_t user_id);
  Context& ctx_;
  std::string dummy_hash_;
  std::atomic<unsigned> failures_seen_{0};  // evict stale throttle rows every so many failures
};

// The data scope of a user: the whole tenant for district-wide roles, otherwise the subtrees of
// the user's unit and of the units the user's person belongs to.
access::Scope scope_of(storage::Connection& conn, std::int64_t tenant_id, const storage::User& u);

}  // namespace civicloop::app
