// Plain request and response values exchanged between the connection code (server.cpp, the only
// file that knows Beast) and the handlers. Handlers see no socket and no Beast type, so they
// compile fast and are tested by calling them directly.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace civicloop::http {

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // raw target, "/api/v1/org/units?kind=hq"
  std::string path;    // percent-decoded path without the query, "/api/v1/org/units"
  std::multimap<std::string, std::string> query;  // decoded query parameters
  std::map<std::string, std::string> headers;  // names lower-cased; repeated headers joined by ", "
  std::string body;
  // The client's IP: the socket's peer, or what a trusted proxy says it forwarded for. For
  // throttling, the ops allow-list and the request log.
  std::string remote_address;
  std::string peer_address;                        // the socket's peer, always
  std::map<std::string, std::string> path_params;  // filled by the router: {"id": "42"}

  std::optional<std::string> header(std::string_view name) const;       // name in lower case
  std::optional<std::string> query_param(std::string_view name) const;  // first value
  std::optional<std::string> cookie(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers (Set-Cookie, ...)
  // When set, the body is the content of this file (static files); the server streams it.
  std::string file_path;

  static Response json(int status, std::string body);
  static Response no_content();
  void add_header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
  }
};

// Percent-decodes a URL component; '+' becomes a space when form is true. Returns nullopt on a
// malformed escape or a decoded NUL byte.
std::optional<std::string> percent_decode(std::string_view in, bool form);

// Splits a request target into path and query. Returns false on a malformed target.
bool parse_target(std::string_view target, std::string& path,
                  std::multimap<std::string, std::string>& query);

// True when the request's If-None-Match lists etag (a quoted strong validator) or is "*": the
// client's copy is current and the answer can be 304 Not Modified. Weak "W/" forms match too
// (RFC 9110 section 13.1.2 uses the weak comparison for If-None-Match).
bool if_none_match(const Request& req, std::string_view etag);

// Text that is safe to put in one log line: control characters (CR, LF, tab, ESC, DEL, ...) and
// the backslash become \xNN escapes, so a request path with an encoded newline cannot forge a
// line and a terminal escape cannot reach the operator's screen. Other bytes are kept as they are
// (Chinese paths stay readable).
std::string log_safe(std::string_view text);

// The request log's line: `METHOD PATH STATUS MICROSus CLIENT`, every field through log_safe.
std::string access_log_line(const Request& req, int status, std::int64_t micros);

}  // namespace civicloop::http
