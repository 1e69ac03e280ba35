// Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP): the second factor that the HQ
// administrator and the office may turn on. HMAC-SHA1, six digits, 30-second steps, which is what
// every authenticator app (微信/支付宝 小程序, Google, Microsoft, FreeOTP) reads from the otpauth
// URI. Pure: no clock and no storage; the caller passes the time and keeps the last step used.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace civicloop::totp {

constexpr int kDigits = 6;
constexpr std::int64_t kStepSeconds = 30;

// RFC 4648 base32 without padding (what otpauth URIs carry); decoding ignores case, spaces and
// '=' padding. nullopt on any other character.
std::string base32_encode(std::string_view bytes);
std::optional<std::string> base32_decode(std::string_view text);

// The HOTP value of a counter, zero-padded to kDigits.
std::string hotp(std::string_view key, std::uint64_t counter);
// The time step of a Unix time in seconds.
std::int64_t step_of(std::int64_t unix_seconds);

// Checks a code typed by the user against the steps around now (one step either way for clock
// drift). A step at or before last_used_step is refused, so a code works once. Returns the
// matching step (to store as the new last used step), or nullopt. Compares in constant time.
std::optional<std::int64_t> verify(std::string_view key, std::string_view code,
                                   std::int64_t unix_seconds, std::int64_t last_used_step);

// otpauth://totp/<issuer>:<account>?secret=<base32>&issuer=<issuer>&algorithm=SHA1&digits=6&period=30
std::string otpauth_uri(std::string_view issuer, std::string_view account, std::string_view key);

}  // namespace civicloop::totp
