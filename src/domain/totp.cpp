#include "domain/totp.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>

#include <array>
#include <cctype>

namespace civicloop::totp {

namespace {

constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

// Percent-encodes everything but RFC 3986 unreserved characters.
std::string uri_escape(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : s) {
    if (std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace

std::string base32_encode(std::string_view bytes) {
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const unsigned char c : bytes) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 5) {
      out += kAlphabet[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += kAlphabet[(buffer << (5 - bits)) & 31];
  return out;
}

std::optional<std::string> base32_decode(std::string_view text) {
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const char raw : text) {
    if (raw == ' ' || raw == '=' || raw == '-') continue;
    const char c = static_cast<char>(std::toupper(static_cast<unsigned char>(raw)));
    const auto v = kAlphabet.find(c);
    if (v == std::string_view::npos) return std::nullopt;
    buffer = (buffer << 5) | static_cast<std::uint32_t>(v);
    bits += 5;
    if (bits >= 8) {
      out += static_cast<char>((buffer >> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return out;
}

std::string hotp(std::string_view key, std::uint64_t counter) {
  std::array<unsigned char, 8> msg{};
  for (int i = 7; i >= 0; --i) {
    msg[static_cast<std::size_t>(i)] = static_cast<unsigned char>(counter & 0xff);
    counter >>= 8;
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int len = 0;
  HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()), msg.data(), msg.size(), mac.data(),
       &len);
  const int offset = mac[len - 1] & 0x0f;
  const std::uint32_t bin = ((mac[offset] & 0x7fU) << 24) | (mac[offset + 1] << 16) |
                            (mac[offset + 2] << 8) | mac[offset + 3];
  std::uint32_t mod = 1;
  for (int i = 0; i < kDigits; ++i) mod *= 10;
  std::string code = std::to_string(bin % mod);
  return std::string(static_cast<std::size_t>(kDigits) - code.size(), '0') + code;
}

std::int64_t step_of(std::int64_t unix_seconds) { return unix_seconds / kStepSeconds; }

std::optional<std::int64_t> verify(std::string_view key, std::string_view code,
                                   std::int64_t unix_seconds, std::int64_t last_used_step) {
  std::string typed;
  for (const char c : code) {
    if (c == ' ') continue;
    if (std::isdigit(static_cast<unsigned char>(c)) == 0) return std::nullopt;
    typed += c;
  }
  if (typed.size() != static_cast<std::size_t>(kDigits) || key.empty()) return std::nullopt;
  const std::int64_t now = step_of(unix_seconds);
  std::optional<std::int64_t> match;
  for (std::int64_t step = now - 1; step <= now + 1; ++step) {
    if (step < 0) continue;
    const auto expected = hotp(key, static_cast<std::uint64_t>(step));
    // Every candidate is compared, matching or not, so the time taken tells nothing.
    const bool same = sodium_memcmp(expected.data(), typed.data(), expected.size()) == 0;
    if (same && step > last_used_step && !match) match = step;
  }
  return match;
}

std::string otpauth_uri(std::string_view issuer, std::string_view account, std::string_view key) {
  const auto i = uri_escape(issuer);
  return "otpauth://totp/" + i + ":" + uri_escape(account) + "?secret=" + base32_encode(key) +
         "&issuer=" + i + "&algorithm=SHA1&digits=6&period=30";
}

}  // namespace civicloop::totp
