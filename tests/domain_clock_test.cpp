#include "domain/clock.hpp"

#include <gtest/gtest.h>

#include <string>

namespace civicloop {
namespace {

constexpr Millis kRelease = 1795813500000;  // 2026-11-27T21:05:00Z

TEST(ClockFormat, GoldenValues) {
  EXPECT_EQ(format_iso_utc(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_iso_utc(kRelease), "2026-11-27T21:05:00Z");
  EXPECT_EQ(format_iso_utc(kRelease + 123), "2026-11-27T21:05:00.123Z");
  EXPECT_EQ(format_iso_utc(kRelease + 7), "2026-11-27T21:05:00.007Z");
  EXPECT_EQ(format_iso_utc(1709164800000), "2024-02-29T00:00:00Z");
  EXPECT_EQ(format_iso_utc(1709251200000 - 1), "2024-02-29T23:59:59.999Z");
  EXPECT_EQ(format_iso_utc(1709251200000), "2024-03-01T00:00:00Z");
  EXPECT_EQ(format_iso_utc(951782400000), "2000-02-29T00:00:00Z");
  EXPECT_EQ(format_iso_utc(253402300799000), "9999-12-31T23:59:59Z");
}

TEST(ClockFormat, BeforeTheEpoch) {
  EXPECT_EQ(format_iso_utc(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(format_iso_utc(-1000), "1969-12-31T23:59:59Z");
  EXPECT_EQ(format_iso_utc(-86400000), "1969-12-31T00:00:00Z");
}

TEST(ClockParse, GoldenValues) {
  EXPECT_EQ(parse_iso_utc("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_iso_utc("2026-11-27T21:05:00Z"), kRelease);
  EXPECT_EQ(parse_iso_utc("2026-11-27T21:05:00.123Z"), kRelease + 123);
  EXPECT_EQ(parse_iso_utc("2026-11-27T21:05:00.000Z"), kRelease);
  EXPECT_EQ(parse_iso_utc("2024-02-29T00:00:00Z"), 1709164800000);
  EXPECT_EQ(parse_iso_utc("2000-02-29T00:00:00Z"), 951782400000);
  EXPECT_EQ(parse_iso_utc("1969-12-31T23:59:59Z"), -1000);
}

TEST(ClockParse, RefusesDaysThatDoNotExist) {
  EXPECT_EQ(parse_iso_utc("2026-02-30T00:00:00Z"), std::nullopt);
  EXPECT_EQ(parse_iso_utc("2026-02-29T00:00:00Z"), std::nullopt);  // 2026 is no leap year
  EXPECT_EQ(parse_iso_utc("1900-02-29T00:00:00Z"), std::nullopt);  // centuries are not
  EXPECT_EQ(parse_iso_utc("2026-04-31T00:00:00Z"), std::nullopt);
  EXPECT_EQ(parse_iso_utc("2026-12-32T00:00:00Z"), std::nullopt);
  EXPECT_EQ(parse_iso_utc("2026-00-10T00:00:00Z"), std::nullopt);
  EXPECT_EQ(parse_iso_utc("2026-13-01T00:00:00Z"), std::nullopt);
  EXPECT_EQ(parse_iso_utc("2026-11-00T00:00:00Z"), std::nullopt);
}

TEST(ClockParse, RefusesTimesOutOfRange) {
  EXPECT_EQ(parse_iso_utc("2026-11-27T24:00:00Z"), std::nullopt);
  EXPECT_EQ(parse_iso_utc("2026-11-27T23:60:00Z"), std::nullopt);
  EXPECT_EQ(parse_iso_utc("2026-11-27T23:59:60Z"), std::nullopt);  // no leap seconds
}

TEST(ClockParse, RefusesGarbage) {
  for (const char* bad : {
           "",
           "garbage",
           "2026-11-27",
           "2026-11-27T21:05:00",        // no zone
           "2026-11-27T21:05:00+08:00",  // only UTC
           "2026-11-27 21:05:00Z",
           "2026-11-27t21:05:00z",
           "2026/11/27T21:05:00Z",
           "26-11-27T21:05:00Z",
           "2026-1-27T21:05:00Z",
           "2026-11-27T21:05Z",
           "2026-11-27T21:05:00.1Z",  // milliseconds are three digits
           "2026-11-27T21:05:00.1234Z",
           "2026-11-27T21:05:00.Z",
           "2026-11-27T21:05:00Zjunk",
           " 2026-11-27T21:05:00Z",
           "2026-11-27T21:05:00Z ",
           "2026-1a-27T21:05:00Z",
           "+026-11-27T21:05:00Z",
       }) {
    EXPECT_EQ(parse_iso_utc(bad), std::nullopt) << '"' << bad << '"';
  }
}

TEST(ClockParse, RoundTripsWhatFormatWrites) {
  for (const Millis at : {Millis{0}, Millis{1}, Millis{999}, kRelease, kRelease + 1,
                          Millis{1709164800000}, Millis{1709251199999}, Millis{4102444799999}}) {
    const auto text = format_iso_utc(at);
    EXPECT_EQ(parse_iso_utc(text), at) << text;
  }
}

TEST(ClockFixed, StandsStillUntilMoved) {
  FixedClock clock(kRelease);
  EXPECT_EQ(clock.now(), kRelease);
  EXPECT_EQ(clock.now(), kRelease);
  clock.advance(1500);
  EXPECT_EQ(clock.now(), kRelease + 1500);
  clock.set(0);
  EXPECT_EQ(clock.now(), 0);
  const Clock& as_base = clock;  // usable through the interface
  EXPECT_EQ(as_base.now(), 0);
}

TEST(ClockSystem, IsMillisecondsSinceTheEpoch) {
  SystemClock clock;
  const Millis now = clock.now();
  // After 2024-01-01 and before 2100-01-01: catches seconds or microseconds by mistake.
  EXPECT_GT(now, 1704067200000);
  EXPECT_LT(now, 4102444800000);
  EXPECT_GE(clock.now(), now);
}

}  // namespace
}  // namespace civicloop
