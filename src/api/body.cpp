#include "api/body.hpp"

#include <charconv>

namespace civicloop::api {

namespace {
Error type_error(std::string_view key, const char* expected) {
  return make_error("request.invalid_type", std::string(key)).with("expected", expected);
}
}  // namespace

const json::value* Body::get(std::string_view key) {
  read_.emplace(key);
  return o_.if_contains(key);
}

std::optional<std::string> Body::str(std::string_view key) {
  const auto* v = get(key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (!v->is_string()) {
    fail(type_error(key, "string"));
    return std::nullopt;
  }
  return std::string(v->as_string());
}

std::string Body::req_str(std::string_view key) {
  const auto* v = get(key);
  if (v == nullptr || v->is_null()) {
    fail(make_error("field.required", std::string(key)));
    return {};
  }
  if (!v->is_string()) {
    fail(type_error(key, "string"));
    return {};
  }
  return std::string(v->as_string());
}

std::optional<std::optional<std::string>> Body::nullable_str(std::string_view key) {
  const auto* v = get(key);
  if (v == nullptr) return std::nullopt;
  if (v->is_null()) return std::optional<std::string>{};
  if (!v->is_string()) {
    fail(type_error(key, "string"));
    return std::nullopt;
  }
  return std::optional<std::string>(std::string(v->as_string()));
}

std::optional<std::int64_t> Body::int64(std::string_view key) {
  const auto* v = get(key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64() && v->as_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
    return static_cast<std::int64_t>(v->as_uint64());
  }
  fail(type_error(key, "integer"));
  return std::nullopt;
}

std::int64_t Body::req_int64(std::string_view key) {
  const auto* v = o_.if_contains(key);
  if (v == nullptr || v->is_null()) {
    read_.emplace(key);
    fail(make_error("field.required", std::string(key)));
    return 0;
  }
  return int64(key).value_or(0);
}

std::optional<std::optional<std::int64_t>> Body::nullable_int64(std::string_view key) {
  const auto* v = o_.if_contains(key);
  if (v == nullptr) {
    read_.emplace(key);
    return std::nullopt;
  }
  if (v->is_null()) {
    read_.emplace(key);
    return std::optional<std::int64_t>{};
  }
  auto i = int64(key);
  if (!i) return std::nullopt;
  return std::optional<std::int64_t>(*i);
}

std::optional<int> Body::int32(std::string_view key) {
  auto v = int64(key);
  if (!v) return std::nullopt;
  if (*v < INT32_MIN || *v > INT32_MAX) {
    fail(make_error("field.out_of_range", std::string(key))
             .with("min", std::to_string(INT32_MIN))
             .with("max", std::to_string(INT32_MAX)));
    return std::nullopt;
  }
  return static_cast<int>(*v);
}

int Body::req_int32(std::string_view key) {
  const auto* v = o_.if_contains(key);
  if (v == nullptr || v->is_null()) {
    read_.emplace(key);
    fail(make_error("field.required", std::string(key)));
    return 0;
  }
  return int32(key).value_or(0);
}

std::optional<bool> Body::boolean(std::string_view key) {
  const auto* v = get(key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (!v->is_bool()) {
    fail(type_error(key, "boolean"));
    return std::nullopt;
  }
  return v->as_bool();
}

const json::value* Body::raw(std::string_view key) { return get(key); }

Status Body::finish() {
  if (error_) return *error_;
  for (const auto& [key, value] : o_) {
    if (!read_.contains(std::string_view(key))) {
      return make_error("request.unknown_field", std::string(key));
    }
  }
  return Ok{};
}

Expected<Body> parse_body(const http::Request& req) {
  if (auto ct = req.header("content-type");
      ct && !req.body.empty() && ct->find("application/json") == std::string::npos) {
    return make_error("request.unsupported_media_type").with("expected", "application/json");
  }
  if (req.body.empty()) return Body(json::object{});
  boost::system::error_code ec;
  json::parse_options opts;
  opts.max_depth = 64;
  auto v = json::parse(req.body, ec, {}, opts);
  if (ec) return make_error("request.malformed_json").with("reason", ec.message());
  if (!v.is_object()) return make_error("request.not_object");
  return Body(std::move(v.as_object()));
}

Expected<std::optional<std::int64_t>> query_int(const http::Request& req, std::string_view name) {
  auto v = req.query_param(name);
  if (!v || v->empty()) return std::optional<std::int64_t>{};
  std::int64_t out = 0;
  auto r = std::from_chars(v->data(), v->data() + v->size(), out);
  if (r.ec != std::errc() || r.ptr != v->data() + v->size()) {
    return make_error("request.invalid_parameter", std::string(name));
  }
  return std::optional<std::int64_t>(out);
}

Expected<bool> query_bool(const http::Request& req, std::string_view name) {
  auto v = req.query_param(name);
  if (!v || v->empty() || *v == "false" || *v == "0") return false;
  if (*v == "true" || *v == "1") return true;
  return make_error("request.invalid_parameter", std::string(name));
}

Expected<int> query_limit(const http::Request& req) {
  auto v = query_int(req, "limit");
  if (!v) return v.error();
  if (!*v) return 50;
  if (**v < 1 || **v > 200) {
    return make_error("request.invalid_parameter", "limit").with("min", "1").with("max", "200");
  }
  return static_cast<int>(**v);
}

Expected<std::int64_t> path_id(const http::Request& req, std::string_view name) {
  auto it = req.path_params.find(std::string(name));
  if (it == req.path_params.end()) return make_error("not_found");
  std::int64_t out = 0;
  const auto& s = it->second;
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size() || out <= 0) {
    return make_error("not_found");
  }
  return out;
}

}  // namespace civicloop::api
