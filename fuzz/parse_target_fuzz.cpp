// Fuzzes what the HTTP layer parses from a request before any handler runs: the target (path
// and query), percent-decoding, and the Cookie header. Besides "no crash, no sanitizer report",
// it checks the promises message.hpp makes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>

#include "http/message.hpp"

namespace {

using civicloop::http::parse_target;
using civicloop::http::percent_decode;
using civicloop::http::Request;

void check(bool ok) {
  if (!ok) std::abort();
}

bool has_nul(std::string_view s) { return s.find('\0') != std::string_view::npos; }

std::string encode_all(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    out += '%';
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

}  // namespace

// NOLINTNEXTLINE(readability-identifier-naming): the name libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);

  for (bool form : {false, true}) {
    auto decoded = percent_decode(input, form);
    if (decoded) {
      check(decoded->size() <= input.size());
      check(!has_nul(*decoded));
      // Encoding every byte and decoding again gives the same bytes back.
      auto again = percent_decode(encode_all(*decoded), form);
      check(again && *again == *decoded);
    } else {
      check(has_nul(input) || input.find('%') != std::string_view::npos);
    }
  }

  std::string path;
  std::multimap<std::string, std::string> query;
  if (parse_target(input, path, query)) {
    check(!input.empty() && input.front() == '/');
    check(!path.empty() && path.front() == '/');
    check(path.size() <= input.size());
    check(!has_nul(path));
    for (const auto& [key, value] : query) {
      check(!has_nul(key) && !has_nul(value));
    }
    Request req;
    req.query = query;
    for (const auto& [key, value] : query) {
      auto first = req.query_param(key);
      check(first.has_value());
    }
  } else {
    check(path.empty() && query.empty());
  }

  // The same bytes as a Cookie header; ask for the first name in it and for a few fixed ones.
  Request req;
  req.headers["cookie"] = std::string(input);
  std::string_view first_name = input.substr(0, input.find('='));
  auto value = req.cookie(first_name);
  if (value) check(value->size() <= input.size());
  for (std::string_view name : {"sid", "csrf", "lang", ""}) {
    auto v = req.cookie(name);
    if (v) check(v->size() <= input.size());
  }
  return 0;
}
