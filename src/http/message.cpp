#include "http/message.hpp"

#include <algorithm>
#include <cctype>

namespace civicloop::http {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_cookie_space(char c) { return c == ' ' || c == '\t'; }

std::string_view trim_cookie_space(std::string_view s) {
  while (!s.empty() && is_cookie_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_cookie_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::optional<std::string> Request::header(std::string_view name) const {
  auto it = headers.find(to_lower(name));
  if (it == headers.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> Request::query_param(std::string_view name) const {
  // lower_bound, not find: equal keys keep their insertion order, so this is the first value.
  auto it = query.lower_bound(std::string(name));
  if (it == query.end() || it->first != name) return std::nullopt;
  return it->second;
}

// RFC 6265 section 5.4 says a user agent sends `name=value` pairs separated by "; ". Servers
// meet hand-written and proxied headers too, so this accepts any run of spaces or tabs around
// the separators and around '=', skips pieces without '=', and strips one pair of double quotes
// (the cookie-value grammar allows DQUOTE *cookie-octet DQUOTE). The first match wins: browsers
// send the cookie with the most specific path first.
std::optional<std::string> Request::cookie(std::string_view name) const {
  auto it = headers.find("cookie");
  if (it == headers.end() || name.empty()) return std::nullopt;
  std::string_view rest = it->second;
  while (!rest.empty()) {
    std::size_t semi = rest.find(';');
    std::string_view piece = rest.substr(0, semi);
    rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
    std::size_t eq = piece.find('=');
    if (eq == std::string_view::npos) continue;
    if (trim_cookie_space(piece.substr(0, eq)) != name) continue;
    std::string_view value = trim_cookie_space(piece.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    return std::string(value);
  }
  return std::nullopt;
}

Response Response::json(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Response Response::no_content() {
  Response r;
  r.status = 204;
  r.content_type.clear();  // a 204 has no body, so no type either
  return r;
}

std::optional<std::string> percent_decode(std::string_view in, bool form) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (in.size() - i < 3) return std::nullopt;  // "%" or "%4" at the end
      int hi = hex_value(in[i + 1]);
      int lo = hex_value(in[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (form && c == '+') {
      c = ' ';
    }
    // A NUL, literal or escaped, would cut the string short in every C API behind us.
    if (c == '\0') return std::nullopt;
    out.push_back(c);
  }
  return out;
}

bool parse_target(std::string_view target, std::string& path,
                  std::multimap<std::string, std::string>& query) {
  path.clear();
  query.clear();
  // Origin form only (RFC 9112 section 3.2.1): absolute-path [ "?" query ]. No fragment.
  if (target.empty() || target.front() != '/') return false;
  if (target.find('#') != std::string_view::npos) return false;
  std::size_t qmark = target.find('?');
  auto decoded_path = percent_decode(target.substr(0, qmark), false);
  if (!decoded_path) return false;
  path = std::move(*decoded_path);
  if (qmark == std::string_view::npos) return true;

  std::string_view rest = target.substr(qmark + 1);
  while (!rest.empty()) {
    std::size_t amp = rest.find('&');
    std::string_view piece = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    if (piece.empty()) continue;  // "a=1&&b=2"
    std::size_t eq = piece.find('=');
    auto key = percent_decode(piece.substr(0, eq), true);
    auto value = eq == std::string_view::npos ? std::optional<std::string>(std::string{})
                                              : percent_decode(piece.substr(eq + 1), true);
    if (!key || !value) {
      path.clear();
      query.clear();
      return false;
    }
    query.emplace(std::move(*key), std::move(*value));
  }
  return true;
}

bool if_none_match(const Request& req, std::string_view etag) {
  const auto header = req.header("if-none-match");
  if (!header) return false;
  std::string_view list(*header);
  std::size_t i = 0;
  while (i < list.size()) {
    auto j = list.find(',', i);
    if (j == std::string_view::npos) j = list.size();
    auto item = list.substr(i, j - i);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (item.rfind("W/", 0) == 0) item.remove_prefix(2);
    if (item == "*" || item == etag) return true;
    i = j + 1;
  }
  return false;
}

std::string log_safe(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f || c == '\\') {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += ch;
    }
  }
  return out;
}

std::string access_log_line(const Request& req, int status, std::int64_t micros) {
  std::string out = log_safe(req.method);
  out += ' ';
  out += log_safe(req.path.empty() ? req.target : req.path);
  out += ' ';
  out += std::to_string(status);
  out += ' ';
  out += std::to_string(micros);
  out += "us ";
  out += log_safe(req.remote_address);
  return out;
}

}  // namespace civicloop::http
