// Reading what a request carries, strictly: the JSON body (wrong types and unknown fields are
// errors naming the field) and query and path parameters. Pure: no service, no database, so the
// fuzz target (fuzz/json_body_fuzz.cpp) runs exactly what the handlers run.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "domain/error.hpp"
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
  // An integer kept as an int (orders, versions, amounts): "field.out_of_range" when it does not
  // fit, never a value cut to 32 bits.
  std::optional<int> int32(std::string_view key);
  int req_int32(std::string_view key);
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

// The body as a JSON object (at most 64 levels deep); an empty body is an empty object.
Expected<Body> parse_body(const http::Request& req);

// Query parameters: nullopt when absent; an error when present but malformed.
Expected<std::optional<std::int64_t>> query_int(const http::Request& req, std::string_view name);
Expected<bool> query_bool(const http::Request& req, std::string_view name);
Expected<int> query_limit(const http::Request& req);
// A path parameter that must be a positive id; "not_found" otherwise.
Expected<std::int64_t> path_id(const http::Request& req, std::string_view name = "id");

}  // namespace civicloop::api
