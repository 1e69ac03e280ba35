#include "domain/text.hpp"

namespace civicloop::text {

std::optional<std::size_t> utf8_length(std::string_view s) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      n = 1;
      cp = c;
    } else if ((c & 0xE0) == 0xC0) {
      n = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 4;
      cp = c & 0x07;
    } else {
      return std::nullopt;
    }
    if (i + n > s.size()) return std::nullopt;
    for (std::size_t k = 1; k < n; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return std::nullopt;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return std::nullopt;
    }
    i += n;
    ++count;
  }
  return count;
}

namespace {
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}
}  // namespace

std::string trim(std::string_view s) {
  constexpr std::string_view kIdeographicSpace = "\xE3\x80\x80";
  bool changed = true;
  while (changed && !s.empty()) {
    changed = false;
    if (is_space(s.front())) {
      s.remove_prefix(1);
      changed = true;
    } else if (s.substr(0, 3) == kIdeographicSpace) {
      s.remove_prefix(3);
      changed = true;
    }
    if (s.empty()) break;
    if (is_space(s.back())) {
      s.remove_suffix(1);
      changed = true;
    } else if (s.size() >= 3 && s.substr(s.size() - 3) == kIdeographicSpace) {
      s.remove_suffix(3);
      changed = true;
    }
  }
  return std::string(s);
}

Status check(std::string_view field, std::string_view value, Limits limits) {
  const auto len = utf8_length(value);
  if (!len) return make_error("field.invalid_text", std::string(field));
  for (const char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 && !(limits.multiline && (c == '\n' || c == '\t' || c == '\r'))) {
      return make_error("field.invalid_text", std::string(field));
    }
    if (c == 0x7F) return make_error("field.invalid_text", std::string(field));
  }
  if (*len < limits.min_chars) {
    if (limits.min_chars == 1) return make_error("field.required", std::string(field));
    return make_error("field.too_short", std::string(field))
        .with("min", std::to_string(limits.min_chars));
  }
  if (*len > limits.max_chars) {
    return make_error("field.too_long", std::string(field))
        .with("max", std::to_string(limits.max_chars));
  }
  return Ok{};
}

Status check_code(std::string_view field, std::string_view value) {
  if (value.empty()) return make_error("field.required", std::string(field));
  if (value.size() > 40) {
    return make_error("field.too_long", std::string(field)).with("max", "40");
  }
  for (const char c : value) {
    const bool good = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == '-' || c == '.';
    if (!good) return make_error("field.invalid_code", std::string(field));
  }
  return Ok{};
}

}  // namespace civicloop::text
