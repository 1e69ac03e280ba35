// Helpers shared by the handlers: reading JSON bodies and query parameters strictly (wrong
// types and unknown fields are errors naming the field), authentication with the CSRF check,
// and rendering. No business rule lives here.
#pragma once

#include <boost/json.hpp>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "api/api.hpp"
#include "app/auth_service.hpp"
#include "domain/error.hpp"
#include "http/errors.hpp"
#include "http/message.hpp"

namespace civicloop::api {

namespace json = boost::json;

// Reads members of a JSON object, remembering the first problem; finish() also refuses members
// that were never read (unknown fields).
class Body {
 public:
  explicit Body(json::object o) : o_(std::move(o)) {}

  std::optional<std::string> str(std::string_view key);
  std::string req_str(std::string_view key);
  // absent: nullopt; null: optional holding nullopt; string: the value.
  std::optional<std::optional<std::string>> nullable_str(std::string_view key);
  std::optional<std::int64_t> int64(std::string_view key);
  std::int64_t req_int64(std::string_view key);
  std::optional<std::optional<std::int64_t>> nullable_int64(std::string_view key);
  std::optional<bool> boolean(std::string_view key);
  const json::value* raw(std::string_view key);  // marks as read; nullptr when absent
  Status finish();

 private:
  const json::value* get(std::string_view key);
  void fail(Error e) {
    if (!error_) error_ = std::move(e);
  }
  json::object o_;
  std::set<std::string, std::less<>> read_;
  std::optional<Error> error_;
};

Expected<Body> parse_body(const http::Request& req);

// Query parameters: nullopt when absent; an error when present but malformed.
Expected<std::optional<std::int64_t>> query_int(const http::Request& req, std::string_view name);
Expected<bool> query_bool(const http::Request& req, std::string_view name);
Expected<int> query_limit(const http::Request& req);
Expected<std::optional<storage::Cursor>> query_cursor(const http::Request& req);
Expected<std::int64_t> path_id(const http::Request& req, std::string_view name = "id");

http::Response json_response(const json::value& v, int status = 200);
http::Response fail(const Error& e, const http::Request& req);
json::object page_json(json::array items, const std::optional<std::string>& next_cursor);

using AuthedFn = std::function<http::Response(http::Request&, const app::Principal&)>;
// Wraps a handler: answers 401 without a valid session or token and 403 on a write whose
// X-CSRF-Token does not match the session.
http::Router::Fn authed(Api& api, AuthedFn fn);

}  // namespace civicloop::api
