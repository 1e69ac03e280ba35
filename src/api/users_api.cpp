// /api/v1/users: accounts, for the HQ administrator.
#include "api/common.hpp"
#include "app/views.hpp"

namespace civicloop::api {

void add_user_routes(Api& api) {
  api.router.add("GET", "/api/v1/users",
                 authed(api, [&api](http::Request& req, const app::Principal& who) {
                   storage::UserQuery q;
                   auto limit = query_limit(req);
                   auto cursor = query_cursor(req);
                   if (!limit) return fail(limit.error(), req);
                   if (!cursor) return fail(cursor.error(), req);
                   q.limit = *limit;
                   q.after = *cursor;
                   q.q = req.query_param("q").value_or("");
                   if (auto role = req.query_param("role"); role && !role->empty()) {
                     q.role = access::parse_role(*role);
                     if (!q.role) return fail(make_error("request.invalid_parameter", "role"), req);
                   }
                   auto page = api.users.list(who.actor, q);
                   if (!page) return fail(page.error(), req);
                   json::array items;
                   for (const auto& u : page->items) items.push_back(app::user_json(u));
                   return json_response(page_json(std::move(items), page->next_cursor));
                 }));

  api.router.add("POST", "/api/v1/users",
                 authed(api, [&api](http::Request& req, const app::Principal& who) {
                   auto body = parse_body(req);
                   if (!body) return fail(body.error(), req);
                   app::NewUser in;
                   in.username = body->req_str("username");
                   in.password = body->req_str("password");
                   in.role = body->req_str("role");
                   in.display_name = body->str("display_name").value_or("");
                   in.unit_id = body->int64("unit_id");
                   in.person_id = body->int64("person_id");
                   if (auto s = body->finish(); !s) return fail(s.error(), req);
                   auto u = api.users.create(who.actor, in);
                   if (!u) return fail(u.error(), req);
                   return json_response(app::user_json(*u), 201);
                 }));

  api.router.add("PATCH", "/api/v1/users/{id}",
                 authed(api, [&api](http::Request& req, const app::Principal& who) {
                   auto id = path_id(req);
                   if (!id) return fail(id.error(), req);
                   auto body = parse_body(req);
                   if (!body) return fail(body.error(), req);
                   app::UserPatch p;
                   p.role = body->str("role");
                   p.display_name = body->str("display_name");
                   p.unit_id = body->nullable_int64("unit_id");
                   p.disabled = body->boolean("disabled");
                   p.password = body->str("password");
                   p.reset_totp = body->boolean("reset_totp");
                   if (auto s = body->finish(); !s) return fail(s.error(), req);
                   auto u = api.users.update(who.actor, *id, p);
                   if (!u) return fail(u.error(), req);
                   return json_response(app::user_json(*u));
                 }));
}

}  // namespace civicloop::api
