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
json::object page_json(json::array items, const std::optional<std::string>& next_cursor);

using AuthedFn = std::function<http::Response(http::Request&, const app::Principal&)>;
// Wraps a handler: answers 401 without a valid session or token and 403 on a write whose
// X-CSRF-Token does not match the session.
http::Router::Fn authed(Api& api, AuthedFn fn);

}  // namespace civicloop::api
