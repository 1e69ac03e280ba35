// /api/v1/auth: sign in and out, who am I, API tokens.
#include "api/common.hpp"
#include "app/views.hpp"
#include "storage/account_repo.hpp"

namespace civicloop::api {

namespace {

json::object user_with_context(Api& api, const storage::User& u, std::int64_t tenant_id) {
  auto o = app::user_json(u);
  json::array perms;
  for (auto p : access::permissions_of(u.role)) perms.emplace_back(access::to_string(p));
  o["permissions"] = perms;
  auto tenant = app::in_tx<storage::Tenant>(
      api.ctx.db, false, [&](storage::Connection& c) -> Expected<storage::Tenant> {
        auto t = storage::TenantRepo(c).find(tenant_id);
        if (!t) return make_error("auth.required");
        return *t;
      });
  if (tenant) {
    json::object t;
    t["code"] = tenant->code;
    t["name"] = tenant->name;
    t["name_en"] = tenant->name_en ? json::value(*tenant->name_en) : json::value(nullptr);
    t["timezone"] = tenant->timezone;
    o["tenant"] = t;
  }
  return o;
}

std::string session_cookie(const Api& api, const std::string& value, long max_age) {
  std::string c = "civicloop_session=" + value +
                  "; Path=/; HttpOnly; SameSite=Lax; Max-Age=" + std::to_string(max_age);
  if (api.options.secure_cookies) c += "; Secure";
  return c;
}

}  // namespace

void add_auth_routes(Api& api) {
  api.router.add("POST", "/api/v1/auth/login", [&api](http::Request& req) {
    auto body = parse_body(req);
    if (!body) return fail(body.error(), req);
    app::LoginInput in;
    in.username = body->req_str("username");
    in.password = body->req_str("password");
    in.tenant_code = body->str("tenant").value_or("");
    in.totp_code = body->str("totp").value_or("");
    in.recovery_code = body->str("recovery_code").value_or("");
    in.remote = req.remote_address;
    if (auto s = body->finish(); !s) return fail(s.error(), req);
    if (in.username.size() > 100 || in.password.size() > 1024 || in.tenant_code.size() > 100 ||
        in.totp_code.size() > 20 || in.recovery_code.size() > 40) {
      return fail(make_error("auth.bad_credentials"), req);
    }
    auto r = api.auth.login(in);
    if (!r) {
      auto resp = fail(r.error(), req);
      for (const auto& [key, value] : r.error().details) {
        if (key == "retry_after_seconds") resp.add_header("Retry-After", value);
      }
      return resp;
    }
    json::object out;
    out["user"] = user_with_context(api, r->user, r->tenant_id);
    out["csrf_token"] = r->csrf_token;
    auto resp = json_response(out);
    resp.add_header("Set-Cookie",
                    session_cookie(api, r->session_cookie, api.ctx.settings.session_ttl / 1000));
    resp.add_header("Cache-Control", "no-store");
    return resp;
  });

  api.router.add("POST", "/api/v1/auth/logout", [&api](http::Request& req) {
    // Logging out needs no CSRF token: the worst a forged request can do is sign someone out.
    if (auto cookie = req.cookie("civicloop_session")) api.auth.logout(*cookie);
    auto resp = http::Response::no_content();
    resp.add_header("Set-Cookie", session_cookie(api, "", 0));
    return resp;
  });

  api.router.add("GET", "/api/v1/auth/me",
                 authed(api, [&api](http::Request&, const app::Principal& who) {
                   json::object out;
                   out["user"] = user_with_context(api, who.user, who.actor.tenant_id);
                   out["csrf_token"] =
                       who.csrf_token.empty() ? json::value(nullptr) : json::value(who.csrf_token);
                   auto resp = json_response(out);
                   resp.add_header("Cache-Control", "no-store");
                   return resp;
                 }));

  // The second factor (TOTP) of the signed-in user: set up, confirm with a first code, turn off.
  api.router.add(
      "POST", "/api/v1/auth/totp/setup",
      authed(api, [&api](http::Request& req, const app::Principal& who) {
        if (who.via_token) return fail(make_error("auth.forbidden"), req);
        auto r = api.auth.totp_setup(who.actor);
        if (!r) return fail(r.error(), req);
        auto resp = json_response(json::object{
            {"secret", r->secret_base32}, {"otpauth_uri", r->otpauth_uri}, {"qr_svg", r->qr_svg}});
        resp.add_header("Cache-Control", "no-store");
        return resp;
      }));
  api.router.add(
      "POST", "/api/v1/auth/totp/enable",
      authed(api, [&api](http::Request& req, const app::Principal& who) {
        if (who.via_token) return fail(make_error("auth.forbidden"), req);
        auto body = parse_body(req);
        if (!body) return fail(body.error(), req);
        auto code = body->req_str("code");
        if (auto s = body->finish(); !s) return fail(s.error(), req);
        auto r = api.auth.totp_enable(who.actor, code, who.session_hash);
        if (!r) return fail(r.error(), req);
        auto resp = json_response(json::object{{"recovery_codes", json::value_from(*r)}});
        resp.add_header("Cache-Control", "no-store");
        return resp;
      }));
  api.router.add("POST", "/api/v1/auth/totp/disable",
                 authed(api, [&api](http::Request& req, const app::Principal& who) {
                   if (who.via_token) return fail(make_error("auth.forbidden"), req);
                   auto body = parse_body(req);
                   if (!body) return fail(body.error(), req);
                   auto password = body->req_str("password");
                   if (auto s = body->finish(); !s) return fail(s.error(), req);
                   if (auto s = api.auth.totp_disable(who.actor, password); !s) {
                     return fail(s.error(), req);
                   }
                   return http::Response::no_content();
                 }));

  api.router.add("GET", "/api/v1/auth/tokens",
                 authed(api, [&api](http::Request& req, const app::Principal& who) {
                   auto r = api.auth.list_tokens(who.actor);
                   if (!r) return fail(r.error(), req);
                   json::array items;
                   for (const auto& t : *r) items.push_back(app::token_json(t));
                   return json_response(page_json(std::move(items), std::nullopt));
                 }));

  api.router.add("POST", "/api/v1/auth/tokens",
                 authed(api, [&api](http::Request& req, const app::Principal& who) {
                   auto body = parse_body(req);
                   if (!body) return fail(body.error(), req);
                   auto name = body->req_str("name");
                   if (auto s = body->finish(); !s) return fail(s.error(), req);
                   auto r = api.auth.create_token(who.actor, name);
                   if (!r) return fail(r.error(), req);
                   json::object out;
                   out["token"] = app::token_json(r->first);
                   out["secret"] = r->second;
                   auto resp = json_response(out, 201);
                   resp.add_header("Cache-Control", "no-store");
                   return resp;
                 }));

  api.router.add("DELETE", "/api/v1/auth/tokens/{id}",
                 authed(api, [&api](http::Request& req, const app::Principal& who) {
                   auto id = path_id(req);
                   if (!id) return fail(id.error(), req);
                   if (auto s = api.auth.revoke_token(who.actor, *id); !s) {
                     return fail(s.error(), req);
                   }
                   return http::Response::no_content();
                 }));
}

}  // namespace civicloop::api
