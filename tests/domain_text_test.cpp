#include "domain/text.hpp"

#include <gtest/gtest.h>

#include <string>

namespace civicloop::text {
namespace {

std::string detail(const Error& e, const std::string& key) {
  for (const auto& [k, v] : e.details) {
    if (k == key) return v;
  }
  return "";
}

std::string code_of(const Status& s) { return s.ok() ? "ok" : s.error().code; }

// ---- utf8_length ----

TEST(TextUtf8Length, CountsAsciiBytes) {
  EXPECT_EQ(utf8_length(""), 0u);
  EXPECT_EQ(utf8_length("hello"), 5u);
  EXPECT_EQ(utf8_length(std::string("a\0b", 3)), 3u);  // NUL is a character; check() refuses it
}

TEST(TextUtf8Length, CountsChineseAsOneEach) {
  EXPECT_EQ(utf8_length("平城区"), 3u);  // 9 bytes
  EXPECT_EQ(utf8_length("永泰街道 Yongtai"), 12u);
  EXPECT_EQ(utf8_length("\xE3\x80\x80"), 1u);  // U+3000 ideographic space
}

TEST(TextUtf8Length, CountsFourByteEmojiAsOne) {
  EXPECT_EQ(utf8_length("\xF0\x9F\x98\x80"), 1u);  // U+1F600
  EXPECT_EQ(utf8_length("a\xF0\x9F\x98\x80z"), 3u);
  EXPECT_EQ(utf8_length("\xF4\x8F\xBF\xBF"), 1u);  // U+10FFFF, the last code point
}

TEST(TextUtf8Length, AcceptsCodePointsBesideTheSurrogates) {
  EXPECT_EQ(utf8_length("\xED\x9F\xBF"), 1u);      // U+D7FF
  EXPECT_EQ(utf8_length("\xEE\x80\x80"), 1u);      // U+E000
  EXPECT_EQ(utf8_length("\xC2\x80"), 1u);          // U+0080, smallest two-byte form
  EXPECT_EQ(utf8_length("\xE0\xA0\x80"), 1u);      // U+0800, smallest three-byte form
  EXPECT_EQ(utf8_length("\xF0\x90\x80\x80"), 1u);  // U+10000, smallest four-byte form
}

TEST(TextUtf8Length, RefusesOverlongForms) {
  EXPECT_EQ(utf8_length("\xC0\x80"), std::nullopt);          // NUL in two bytes
  EXPECT_EQ(utf8_length("\xC1\xBF"), std::nullopt);          // U+007F in two bytes
  EXPECT_EQ(utf8_length("\xE0\x80\xAF"), std::nullopt);      // '/' in three bytes
  EXPECT_EQ(utf8_length("\xE0\x9F\xBF"), std::nullopt);      // U+07FF in three bytes
  EXPECT_EQ(utf8_length("\xF0\x8F\xBF\xBF"), std::nullopt);  // U+FFFF in four bytes
}

TEST(TextUtf8Length, RefusesSurrogates) {
  EXPECT_EQ(utf8_length("\xED\xA0\x80"), std::nullopt);  // U+D800
  EXPECT_EQ(utf8_length("\xED\xBF\xBF"), std::nullopt);  // U+DFFF
  // CESU-8 style pair for U+1F600.
  EXPECT_EQ(utf8_length("\xED\xA0\xBD\xED\xB8\x80"), std::nullopt);
}

TEST(TextUtf8Length, RefusesBeyondU10FFFF) {
  EXPECT_EQ(utf8_length("\xF4\x90\x80\x80"), std::nullopt);  // U+110000
  EXPECT_EQ(utf8_length("\xF5\x80\x80\x80"), std::nullopt);
  EXPECT_EQ(utf8_length("\xF8\x88\x80\x80\x80"), std::nullopt);  // old five-byte form
  EXPECT_EQ(utf8_length("\xFF"), std::nullopt);
}

TEST(TextUtf8Length, RefusesTruncatedAndStraySequences) {
  EXPECT_EQ(utf8_length("\xE5\xB9"), std::nullopt);        // 平 cut after two bytes
  EXPECT_EQ(utf8_length("ok\xF0\x9F\x98"), std::nullopt);  // emoji cut at the end
  EXPECT_EQ(utf8_length("\xE5"
                        "a"
                        "\xB9"),
            std::nullopt);                                   // interrupted
  EXPECT_EQ(utf8_length("\x80"), std::nullopt);              // lone continuation byte
  EXPECT_EQ(utf8_length("\xE5\xB9\xB3\xB3"), std::nullopt);  // one continuation too many
  EXPECT_EQ(utf8_length("\xC2"), std::nullopt);
}

// ---- trim ----

TEST(TextTrim, RemovesAsciiSpaceAtBothEnds) {
  EXPECT_EQ(trim("  a b  "), "a b");
  EXPECT_EQ(trim("\t\r\n a \r\n\t"), "a");
  EXPECT_EQ(trim("abc"), "abc");
  EXPECT_EQ(trim(""), "");
  EXPECT_EQ(trim(" \t\n "), "");
}

TEST(TextTrim, RemovesIdeographicSpace) {
  EXPECT_EQ(trim("\xE3\x80\x80平城\xE3\x80\x80"), "平城");
  EXPECT_EQ(trim("\xE3\x80\x80 \xE3\x80\x80x \xE3\x80\x80 "), "x");  // mixed, repeated
  EXPECT_EQ(trim("\xE3\x80\x80\xE3\x80\x80"), "");
}

TEST(TextTrim, KeepsInnerSpace) {
  EXPECT_EQ(trim(" 永泰\xE3\x80\x80街道 "), "永泰\xE3\x80\x80街道");
  EXPECT_EQ(trim("a  b"), "a  b");
}

TEST(TextTrim, DoesNotCutIntoOtherCharacters) {
  // 、 is E3 80 81: shares two bytes with U+3000 but is not space.
  EXPECT_EQ(trim("\xE3\x80\x81"), "\xE3\x80\x81");
  EXPECT_EQ(trim("a\xE3\x80\x81"), "a\xE3\x80\x81");
}

// ---- check ----

TEST(TextCheck, AcceptsWithinLimits) {
  EXPECT_TRUE(check("name", "平城区", {.min_chars = 1, .max_chars = 3}).ok());
  EXPECT_TRUE(check("note", "", {.min_chars = 0, .max_chars = 3}).ok());
}

TEST(TextCheck, RequiredTooShortTooLong) {
  auto s = check("name", "", {.min_chars = 1, .max_chars = 10});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "field.required");
  EXPECT_EQ(s.error().field, "name");

  s = check("password", "abc", {.min_chars = 8, .max_chars = 100});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "field.too_short");
  EXPECT_EQ(detail(s.error(), "min"), "8");

  s = check("name", "平城区", {.min_chars = 1, .max_chars = 2});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "field.too_long");
  EXPECT_EQ(detail(s.error(), "max"), "2");
}

TEST(TextCheck, ControlCharactersOnlyInMultilineFields) {
  EXPECT_EQ(code_of(check("name", "a\nb", {})), "field.invalid_text");
  EXPECT_EQ(code_of(check("name", "a\tb", {})), "field.invalid_text");
  EXPECT_EQ(code_of(check("name", "a\x1b[0m", {})), "field.invalid_text");
  EXPECT_TRUE(check("duties", "a\nb\tc\r\n", {.multiline = true}).ok());
  // Other controls stay out even of multiline text.
  EXPECT_EQ(code_of(check("duties", "a\x01", {.multiline = true})), "field.invalid_text");
  EXPECT_EQ(code_of(check("duties", "a\x7F", {.multiline = true})), "field.invalid_text");
  EXPECT_EQ(code_of(check("duties", std::string("a\0b", 3), {.multiline = true})),
            "field.invalid_text");
}

TEST(TextCheck, InvalidUtf8IsInvalidText) {
  const auto s = check("name", "\xC0\x80", {});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "field.invalid_text");
  EXPECT_EQ(s.error().field, "name");
}

TEST(TextCheckCode, LettersDigitsDotDashUnderscore) {
  EXPECT_TRUE(check_code("code", "140213050").ok());
  EXPECT_TRUE(check_code("code", "Ab_9.-z").ok());
  EXPECT_TRUE(check_code("code", std::string(40, 'a')).ok());
  EXPECT_EQ(code_of(check_code("code", "")), "field.required");
  const auto s = check_code("code", std::string(41, 'a'));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "field.too_long");
  EXPECT_EQ(detail(s.error(), "max"), "40");
  for (const std::string bad : {"a b", "a/b", "a%", "a_\\", "码", "a\n"}) {
    const auto e = check_code("code", bad);
    ASSERT_FALSE(e.ok()) << bad;
    EXPECT_EQ(e.error().code, "field.invalid_code") << bad;
    EXPECT_EQ(e.error().field, "code");
  }
}

}  // namespace
}  // namespace civicloop::text
