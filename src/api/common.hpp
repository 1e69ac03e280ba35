// Helpers shared by the handlers: reading JSON bodies and query parameters strictly (api/body.hpp:
// wrong types and unknown fields are errors naming the field), authentication with the CSRF check,
// and rendering. No business rule lives here.
#pragma once

#include <boost/json.hpp>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "api/api.hpp"
#include "api/body.hpp"
#include "app/auth_service.hpp"
#include "domain/error.hpp"
#include "http/errors.hpp"
#include "http/message.hpp"

namespace civicloop::api {

// The cursor of a keyset page ("key.id"); nullopt when absent.
Expected<std::optional<storage::Cursor>> query_cursor(const http::Request& req);

http::Response json_response(const json::value& v, int status = 200);
http::Response fail(const Error& e, const http::Request& req);
// The locale of the answer ("zh-CN", "en"), chosen by Accept-Language like the error messages.
std::string locale_of(const http::Request& req);
json::object page_json(json::array items, const std::optional<std::string>& next_cursor);

using AuthedFn = std::function<http::Response(http::Request&, const app::Principal&)>;
// Wraps a handler: answers 401 without a valid session or token and 403 on a write whose
// X-CSRF-Token does not match the session.
http::Router::Fn authed(Api& api, AuthedFn fn);

// The preamble every action on one resource repeats (POST /…/{id}/…): the path id, the JSON body,
// the fields `read` takes from it, the body's "version", the refusal of unknown fields; then
// `run` with them, whose value is the answer (or whose error is). `read` only reads: a wrong
// type or a missing field is reported by the body, after it returns.
template <class In>
http::Router::Fn action_route(Api& api, std::function<In(Body&)> read,
                              std::function<Expected<json::value>(
                                  const app::Principal&, std::int64_t, In&, std::optional<int>)>
                                  run,
                              int status = 200) {
  return authed(api,
                [read = std::move(read), run = std::move(run), status](
                    http::Request& req, const app::Principal& who) -> http::Response {
                  auto id = path_id(req);
                  if (!id) return fail(id.error(), req);
                  auto body = parse_body(req);
                  if (!body) return fail(body.error(), req);
                  In in = read(*body);
                  const auto version = body->int32("version");
                  if (auto s = body->finish(); !s) return fail(s.error(), req);
                  auto out = run(who, *id, in, version);
                  if (!out) return fail(out.error(), req);
                  return json_response(*out, status);
                });
}

}  // namespace civicloop::api
