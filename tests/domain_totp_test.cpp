#include "domain/totp.hpp"

#include <gtest/gtest.h>

namespace civicloop::totp {
namespace {

// RFC 6238 appendix B, SHA-1 rows (the 8-digit values; we use the last six digits).
TEST(Totp, MatchesTheRfc6238TestVectors) {
  const std::string key = "12345678901234567890";
  EXPECT_EQ(hotp(key, step_of(59)), "287082");
  EXPECT_EQ(hotp(key, step_of(1111111109)), "081804");
  EXPECT_EQ(hotp(key, step_of(1111111111)), "050471");
  EXPECT_EQ(hotp(key, step_of(1234567890)), "005924");
  EXPECT_EQ(hotp(key, step_of(2000000000)), "279037");
  EXPECT_EQ(hotp(key, step_of(20000000000)), "353130");
}

// RFC 4226 appendix D.
TEST(Totp, MatchesTheRfc4226HotpVectors) {
  const std::string key = "12345678901234567890";
  const char* expected[] = {"755224", "287082", "359152", "969429", "338314",
                            "254676", "287922", "162583", "399871", "520489"};
  for (int i = 0; i < 10; ++i) EXPECT_EQ(hotp(key, static_cast<std::uint64_t>(i)), expected[i]);
}

TEST(Totp, Base32RoundTripsAndReadsWhatPeopleType) {
  EXPECT_EQ(base32_encode("foobar"), "MZXW6YTBOI");
  EXPECT_EQ(base32_decode("MZXW6YTBOI").value(), "foobar");
  EXPECT_EQ(base32_decode("mzxw 6ytb oi==").value(), "foobar");
  EXPECT_FALSE(base32_decode("MZXW1").has_value());
  const std::string key = "\x01\x02\xff\x00\x10 random bytes";
  EXPECT_EQ(base32_decode(base32_encode(key)).value(), key);
}

TEST(Totp, ACodeIsAcceptedOnceWithinOneStepOfDrift) {
  const std::string key = "12345678901234567890";
  const std::int64_t now = 1111111109;
  const auto step = step_of(now);
  EXPECT_EQ(verify(key, hotp(key, step), now, 0), step);
  EXPECT_EQ(verify(key, hotp(key, step - 1), now, 0), step - 1);
  EXPECT_EQ(verify(key, hotp(key, step + 1), now, 0), step + 1);
  EXPECT_FALSE(verify(key, hotp(key, step - 2), now, 0));
  EXPECT_FALSE(verify(key, hotp(key, step), now, step));  // used already
  EXPECT_EQ(verify(key, "081 804", now, 0), step);
  EXPECT_FALSE(verify(key, "08180", now, 0));
  EXPECT_FALSE(verify(key, "08180x", now, 0));
  EXPECT_FALSE(verify("", "081804", now, 0));
}

TEST(Totp, TheUriCarriesIssuerAccountAndSecret) {
  EXPECT_EQ(
      otpauth_uri("平城区", "office", "foobar"),
      "otpauth://totp/%E5%B9%B3%E5%9F%8E%E5%8C%BA:office?secret=MZXW6YTBOI&issuer=%E5%B9%B3%E5%"
      "9F%8E%E5%8C%BA&algorithm=SHA1&digits=6&period=30");
}

}  // namespace
}  // namespace civicloop::totp
