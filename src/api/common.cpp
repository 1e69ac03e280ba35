#include "api/common.hpp"

#include <sodium.h>

#include "app/json_text.hpp"
#include "app/messages.hpp"

namespace civicloop::api {

Expected<std::optional<storage::Cursor>> query_cursor(const http::Request& req) {
  auto v = req.query_param("cursor");
  if (!v || v->empty()) return std::optional<storage::Cursor>{};
  auto c = storage::decode_cursor(*v);
  if (!c) return make_error("request.invalid_cursor", "cursor");
  return std::optional<storage::Cursor>(*c);
}

http::Response json_response(const json::value& v, int status) {
  return http::Response::json(status, app::json_text(v));
}

http::Response fail(const Error& e, const http::Request& req) {
  return http::error_response(e, req);
}

std::string locale_of(const http::Request& req) {
  return app::locale_for(http::language_of(req) == http::Lang::kEn);
}

json::object page_json(json::array items, const std::optional<std::string>& next_cursor) {
  json::object o;
  o["items"] = std::move(items);
  o["next_cursor"] = next_cursor ? json::value(*next_cursor) : json::value(nullptr);
  return o;
}

http::Router::Fn authed(Api& api, AuthedFn fn) {
  return [&api, fn = std::move(fn)](http::Request& req) -> http::Response {
    Expected<app::Principal> who = make_error("auth.required");
    if (auto h = req.header("authorization"); h && h->rfind("Bearer ", 0) == 0) {
      who = api.auth.from_token(std::string_view(*h).substr(7));
    } else if (auto cookie = req.cookie("civicloop_session")) {
      who = api.auth.from_session(*cookie);
      const bool write = req.method != "GET" && req.method != "HEAD";
      if (who && write) {
        auto token = req.header("x-csrf-token");
        const auto& expected = who->csrf_token;
        if (!token || token->size() != expected.size() ||
            sodium_memcmp(token->data(), expected.data(), expected.size()) != 0) {
          return fail(make_error("auth.csrf"), req);
        }
      }
    }
    if (!who) return fail(who.error(), req);
    return fn(req, *who);
  };
}

}  // namespace civicloop::api
