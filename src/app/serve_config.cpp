#include "app/serve_config.hpp"

#include <cctype>
#include <charconv>

#include "domain/net.hpp"

namespace civicloop::app {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::optional<bool> parse_bool(std::string_view v) {
  std::string s(v);
  for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (s == "true" || s == "yes" || s == "on" || s == "1") return true;
  if (s == "false" || s == "no" || s == "off" || s == "0") return false;
  return std::nullopt;
}

Status bad(std::string_view key, std::string_view why) {
  return make_error("config.bad_value", std::string(key)).with("reason", std::string(why));
}

Status address_list(std::string_view key, std::string_view value, std::string& out) {
  std::string entry;
  if (!net::AllowList::parse(value, &entry)) {
    return bad(key, "not an address, CIDR block or host name: " + entry);
  }
  out = std::string(value);
  return Ok{};
}

}  // namespace

const std::vector<std::string>& serve_config_keys() {
  static const std::vector<std::string> keys = {"db",
                                                "listen",
                                                "threads",
                                                "web_root",
                                                "media_dir",
                                                "secure_cookies",
                                                "trusted_proxies",
                                                "client_ip_header",
                                                "ops_allow",
                                                "webhook_allow",
                                                "anchor_file",
                                                "anchor_key_file",
                                                "anchor_interval_seconds",
                                                "kpi_interval_seconds"};
  return keys;
}

Status set_serve_config(ServeConfig& c, std::string_view key, std::string_view raw) {
  const auto value = trim(raw);
  if (key == "db") {
    if (value.rfind("sqlite:", 0) != 0 && value.rfind("postgresql://", 0) != 0 &&
        value.rfind("postgres://", 0) != 0) {
      return bad(key, "sqlite:PATH or postgresql://…");
    }
    c.db = std::string(value);
  } else if (key == "listen") {
    const auto colon = value.rfind(':');
    int port = -1;
    if (colon != std::string_view::npos && colon > 0) {
      const auto p = value.substr(colon + 1);
      auto r = std::from_chars(p.data(), p.data() + p.size(), port);
      if (r.ec != std::errc() || r.ptr != p.data() + p.size()) port = -1;
    }
    if (port < 0 || port > 65535) return bad(key, "HOST:PORT");
    c.listen = std::string(value);
  } else if (key == "threads") {
    int n = 0;
    auto r = std::from_chars(value.data(), value.data() + value.size(), n);
    if (r.ec != std::errc() || r.ptr != value.data() + value.size() || n < 1 || n > 256) {
      return bad(key, "a number from 1 to 256");
    }
    c.threads = n;
  } else if (key == "web_root") {
    c.web_root = std::string(value);
  } else if (key == "media_dir") {
    if (value.empty()) return bad(key, "a directory");
    c.media_dir = std::string(value);
  } else if (key == "secure_cookies") {
    auto b = parse_bool(value);
    if (!b) return bad(key, "true or false");
    c.secure_cookies = *b;
  } else if (key == "trusted_proxies") {
    return address_list(key, value, c.trusted_proxies);
  } else if (key == "client_ip_header") {
    std::string h(value);
    for (auto& ch : h) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (h != "x-forwarded-for" && h != "x-real-ip") return bad(key, "x-forwarded-for or x-real-ip");
    c.client_ip_header = h;
  } else if (key == "ops_allow") {
    return address_list(key, value, c.ops_allow);
  } else if (key == "webhook_allow") {
    return address_list(key, value, c.webhook_allow);
  } else if (key == "anchor_file") {
    c.anchor_file = std::string(value);
  } else if (key == "anchor_key_file") {
    c.anchor_key_file = std::string(value);
  } else if (key == "anchor_interval_seconds") {
    int n = 0;
    auto r = std::from_chars(value.data(), value.data() + value.size(), n);
    if (r.ec != std::errc() || r.ptr != value.data() + value.size() || n < 60 || n > 604800) {
      return bad(key, "a number of seconds from 60 to 604800 (a week)");
    }
    c.anchor_interval_seconds = n;
  } else if (key == "kpi_interval_seconds") {
    int n = 0;
    auto r = std::from_chars(value.data(), value.data() + value.size(), n);
    if (r.ec != std::errc() || r.ptr != value.data() + value.size() || n < 0 || n > 3600) {
      return bad(key, "a number of seconds from 0 (off: the KPI reads catch up alone) to 3600");
    }
    c.kpi_interval_seconds = n;
  } else {
    return make_error("config.unknown_key", std::string(key));
  }
  return Ok{};
}

Status apply_config_file(ServeConfig& c, std::string_view text) {
  int line_no = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    auto j = text.find('\n', i);
    if (j == std::string_view::npos) j = text.size();
    auto line = text.substr(i, j - i);
    i = j + 1;
    ++line_no;
    if (auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    line = trim(line);
    if (line.empty()) continue;
    const auto eq = line.find('=');
    if (eq == std::string_view::npos) {
      return make_error("config.bad_line").with("line", std::to_string(line_no));
    }
    auto s = set_serve_config(c, trim(line.substr(0, eq)), line.substr(eq + 1));
    if (!s) {
      auto e = s.error();
      e.details.emplace_back("line", std::to_string(line_no));
      return e;
    }
  }
  return Ok{};
}

Status apply_environment(ServeConfig& c, const std::map<std::string, std::string>& env) {
  for (const auto& key : serve_config_keys()) {
    std::string name = "CIVICLOOP_";
    for (const char ch : key)
      name += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    if (auto it = env.find(name); it != env.end()) {
      if (auto s = set_serve_config(c, key, it->second); !s) {
        auto e = s.error();
        e.details.emplace_back("variable", name);
        return e;
      }
    }
  }
  return Ok{};
}

}  // namespace civicloop::app
