// Text rules shared by every input: valid UTF-8, lengths counted in characters (a Chinese name of
// 10 characters is 10, not 30), no control characters in one-line fields.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "domain/error.hpp"

namespace civicloop::text {

// Number of code points, or nullopt when the bytes are not valid UTF-8.
std::optional<std::size_t> utf8_length(std::string_view s);

// Removes leading and trailing ASCII white space and U+3000 (ideographic space).
std::string trim(std::string_view s);

struct Limits {
  std::size_t min_chars = 0;
  std::size_t max_chars = 100;
  bool multiline = false;  // allow \n and \t
};

// Checks one text field; the error names the field ("field.required", "field.too_long",
// "field.invalid_text").
Status check(std::string_view field, std::string_view value, Limits limits);

// Codes: 1-40 of [A-Za-z0-9_.-].
Status check_code(std::string_view field, std::string_view value);

}  // namespace civicloop::text
