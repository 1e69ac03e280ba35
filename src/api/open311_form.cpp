#include "api/open311_form.hpp"

#include <cctype>

#include "http/message.hpp"

namespace civicloop::api {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The value of a parameter (boundary=..., name="...") in a header value, quotes removed.
std::optional<std::string> param_of(std::string_view header, std::string_view name) {
  const auto low = lower(header);
  std::size_t at = 0;
  while ((at = low.find(name, at)) != std::string::npos) {
    const bool starts = at == 0 || low[at - 1] == ';' || low[at - 1] == ' ';
    const auto eq = at + name.size();
    if (starts && eq < low.size() && low[eq] == '=') {
      auto v = header.substr(eq + 1);
      if (!v.empty() && v.front() == '"') {
        const auto close = v.find('"', 1);
        if (close == std::string_view::npos) return std::nullopt;
        return std::string(v.substr(1, close - 1));
      }
      const auto end = v.find(';');
      std::string out(v.substr(0, end));
      while (!out.empty() && out.back() == ' ') out.pop_back();
      return out;
    }
    at = eq;
  }
  return std::nullopt;
}

}  // namespace

std::optional<Open311Form> parse_urlencoded(std::string_view body) {
  Open311Form f;
  std::size_t i = 0;
  while (i < body.size()) {
    auto j = body.find('&', i);
    if (j == std::string_view::npos) j = body.size();
    const auto pair = body.substr(i, j - i);
    i = j + 1;
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    auto name = http::percent_decode(pair.substr(0, eq), true);
    auto value = http::percent_decode(
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true);
    if (!name || !value) return std::nullopt;
    f.fields.emplace(std::move(*name), std::move(*value));
  }
  return f;
}

std::optional<Open311Form> parse_multipart(std::string_view body, std::string_view content_type) {
  auto boundary = param_of(content_type, "boundary");
  if (!boundary || boundary->empty() || boundary->size() > 70) return std::nullopt;
  const std::string delim = "--" + *boundary;
  Open311Form f;
  auto at = body.find(delim);
  if (at == std::string_view::npos) return std::nullopt;
  at += delim.size();
  for (int parts = 0; parts < 100; ++parts) {
    if (body.substr(at, 2) == "--") return f;  // the closing delimiter
    if (body.substr(at, 2) != "\r\n") return std::nullopt;
    at += 2;
    const auto head_end = body.find("\r\n\r\n", at);
    if (head_end == std::string_view::npos) return std::nullopt;
    const auto headers = body.substr(at, head_end - at);
    const auto content_start = head_end + 4;
    const auto next = body.find("\r\n" + delim, content_start);
    if (next == std::string_view::npos) return std::nullopt;
    const auto content = body.substr(content_start, next - content_start);
    std::optional<std::string> name;
    bool file = false;
    std::size_t h = 0;
    while (h < headers.size()) {
      auto e = headers.find("\r\n", h);
      if (e == std::string_view::npos) e = headers.size();
      const auto line = headers.substr(h, e - h);
      h = e + 2;
      const auto colon = line.find(':');
      if (colon == std::string_view::npos) return std::nullopt;
      if (lower(line.substr(0, colon)) == "content-disposition") {
        const auto v = line.substr(colon + 1);
        name = param_of(v, "name");
        file = param_of(v, "filename").has_value();
      }
    }
    if (!name) return std::nullopt;
    if (file) {
      f.files.emplace_back(content);
    } else {
      f.fields.emplace(*name, std::string(content));
    }
    at = next + 2 + delim.size();
  }
  return std::nullopt;
}

}  // namespace civicloop::api
