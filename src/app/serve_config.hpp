// The server's configuration: built-in defaults, then a configuration file (--config FILE), then
// the environment (CIVICLOOP_<KEY>), then the command line (--key value), each overriding the one
// before. The file is lines of `key = value`; `#` starts a comment; an unknown key or a malformed
// value is an error naming its line, so a typo never passes silently. docs/operations.md lists
// the keys; etc/civicloop.conf.example is a commented file with every key.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/error.hpp"

namespace civicloop::app {

struct ServeConfig {
  std::string db = "sqlite:var/civicloop.db";
  std::string listen = "127.0.0.1:8080";
  int threads = 4;
  std::string web_root;  // empty: the built web app beside the binary's source tree
  std::string media_dir = "var/media";
  // Behind TLS: the session cookie gets Secure and answers carry Strict-Transport-Security.
  bool secure_cookies = false;
  // Peers whose client-address header is believed, and the header ("x-forwarded-for" or
  // "x-real-ip"). Empty: the socket's peer is the client.
  std::string trusted_proxies;
  std::string client_ip_header = "x-forwarded-for";
  // Addresses that may read /metrics and the version in /healthz.
  std::string ops_allow = "127.0.0.1, ::1";
  // Internal destinations robot webhooks may reach (a relay); by default only public https.
  std::string webhook_allow;
  // Ledger anchors (docs/security.md): signed checkpoints of every tenant's ledger head appended
  // to anchor_file (empty: off) with the Ed25519 key in anchor_key_file (mode 0600 or stricter),
  // each interval and on the next pass after a case is closed.
  std::string anchor_file;
  std::string anchor_key_file;
  int anchor_interval_seconds = 3600;
  // How often the scheduler projects new case events into the KPI counters; 0: never (the KPI
  // and ranking reads then catch up by themselves).
  int kpi_interval_seconds = 10;
};

// The keys, in the order docs/operations.md lists them.
const std::vector<std::string>& serve_config_keys();

// Sets one key from text; errors: config.unknown_key, config.bad_value (field = key).
Status set_serve_config(ServeConfig& c, std::string_view key, std::string_view value);

// Applies a configuration file's text. Errors carry the line number in details ("line").
Status apply_config_file(ServeConfig& c, std::string_view text);

// Applies CIVICLOOP_<KEY> variables (upper case, '-' and '.' as '_') from an environment.
Status apply_environment(ServeConfig& c, const std::map<std::string, std::string>& env);

}  // namespace civicloop::app
