// /api/v1/org: the 1+11+7 structure, units, people, posts, memberships, liaisons, and the
// structure and people as files. Handlers parse, call one use case, render.
#include "api/common.hpp"
#include "app/people_io.hpp"
#include "app/structure_io.hpp"
#include "app/views.hpp"
#include "domain/text.hpp"

namespace civicloop::api {

namespace {

json::object card_json(const app::UnitCard& c) {
  auto o = app::unit_json(c.unit);
  json::array members;
  json::value head = nullptr;
  for (const auto& m : c.members) {
    members.push_back(app::membership_json(m));
    if (m.m.is_head && head.is_null()) head = app::membership_json(m);
  }
  o["member_count"] = static_cast<std::int64_t>(c.members.size());
  o["members"] = members;
  o["head"] = head;
  return o;
}

template <class T, class F>
json::array to_array(const std::vector<T>& items, F f) {
  json::array a;
  a.reserve(items.size());
  for (const auto& i : items) a.push_back(f(i));
  return a;
}

// Reads the boundary member: absent, null (clear), or a GeoJSON Polygon.
Expected<std::optional<std::optional<std::string>>> read_boundary(Body& body) {
  const auto* b = body.raw("boundary");
  if (b == nullptr) return std::optional<std::optional<std::string>>{};
  if (b->is_null()) return std::optional<std::optional<std::string>>(std::optional<std::string>{});
  auto nb = app::normalize_boundary(*b);
  if (!nb) return nb.error();
  return std::optional<std::optional<std::string>>(std::optional<std::string>(*nb));
}

Expected<int> read_version(Body& body) {
  auto v = body.req_int64("version");
  if (v < 0 || v > INT32_MAX) return make_error("field.out_of_range", "version");
  return static_cast<int>(v);
}

}  // namespace

void add_org_routes(Api& api) {
  auto& r = api.router;

  r.add("GET", "/api/v1/org/structure",
        authed(api, [&api](http::Request& req, const app::Principal& who) {
          auto st = api.org.structure(who.actor);
          if (!st) return fail(st.error(), req);
          json::object o;
          o["hq"] = st->hq ? json::value(card_json(*st->hq)) : json::value(nullptr);
          o["office"] = st->office ? json::value(card_json(*st->office)) : json::value(nullptr);
          o["supervision_groups"] = to_array(st->supervision_groups, card_json);
          o["task_forces"] = to_array(st->task_forces, card_json);
          return json_response(o);
        }));

  r.add("GET", "/api/v1/org/units",
        authed(api, [&api](http::Request& req, const app::Principal& who) {
          storage::UnitQuery q;
          if (auto k = req.query_param("kind"); k && !k->empty()) {
            q.kind = org::parse_unit_kind(*k);
            if (!q.kind) return fail(make_error("request.invalid_parameter", "kind"), req);
          }
          auto parent = query_int(req, "parent_id");
          auto retired = query_bool(req, "include_retired");
          auto limit = query_limit(req);
          auto cursor = query_cursor(req);
          if (!parent) return fail(parent.error(), req);
          if (!retired) return fail(retired.error(), req);
          if (!limit) return fail(limit.error(), req);
          if (!cursor) return fail(cursor.error(), req);
          q.parent_id = *parent;
          q.include_retired = *retired;
          q.limit = *limit;
          q.after = *cursor;
          q.q = req.query_param("q").value_or("");
          if (q.q.size() > 200)
            return fail(make_error("field.too_long", "q").with("max", "200"), req);
          auto page = api.org.list_units(who.actor, q);
          if (!page) return fail(page.error(), req);
          json::array items;
          for (const auto& [u, children] : page->items)
            items.push_back(app::unit_json(u, children));
          return json_response(page_json(std::move(items), page->next_cursor));
        }));

  r.add("GET", "/api/v1/org/units/{id}",
        authed(api, [&api](http::Request& req, const app::Principal& who) {
          auto id = path_id(req);
          if (!id) return fail(id.error(), req);
          auto d = api.org.get_unit(who.actor, *id);
          if (!d) return fail(d.error(), req);
          json::object o;
          o["unit"] = app::unit_json(d->unit, d->child_count);
          o["ancestors"] = to_array(d->ancestors, [](const org::Unit& u) {
            json::object a;
            a["id"] = u.id;
            a["kind"] = org::to_string(u.kind);
            a["name"] = u.name;
            a["name_en"] = u.name_en ? json::value(*u.name_en) : json::value(nullptr);
            return a;
          });
          json::array children;
          for (std::size_t i = 0; i < d->children.size(); ++i) {
            children.push_back(app::unit_json(d->children[i], d->child_counts[i]));
          }
          o["children"] = std::move(children);
          o["members"] = to_array(d->members, app::membership_json);
          o["liaison"] =
              d->liaison ? json::value(app::liaison_json(*d->liaison)) : json::value(nullptr);
          return json_response(o);
        }));

  r.add("POST", "/api/v1/org/units",
        authed(api, [&api](http::Request& req, const app::Principal& who) {
          auto body = parse_body(req);
          if (!body) return fail(body.error(), req);
          app::NewUnit in;
          in.parent_id = body->int64("parent_id");
          in.kind = body->req_str("kind");
          in.name = text::trim(body->req_str("name"));
          in.code = body->str("code");
          in.name_en = body->str("name_en");
          in.duties = body->str("duties").value_or("");
          in.sort_order = body->int32("sort_order").value_or(0);
          auto boundary = read_boundary(*body);
          if (!boundary) return fail(boundary.error(), req);
          if (*boundary) in.boundary_geojson = **boundary;
          if (auto s = body->finish(); !s) return fail(s.error(), req);
          auto u = api.org.create_unit(who.actor, in);
          if (!u) return fail(u.error(), req);
          return json_response(app::unit_json(*u, 0), 201);
        }));

  r.add("PATCH", "/api/v1/org/units/{id}",
        authed(api, [&api](http::Request& req, const app::Principal& who) {
          auto id = path_id(req);
          if (!id) return fail(id.error(), req);
          auto body = parse_body(req);
          if (!body) return fail(body.error(), req);
          app::UnitPatch p;
          if (auto n = body->str("name")) p.name = text::trim(*n);
          p.name_en = body->nullable_str("name_en");
          p.code = body->nullable_str("code");
          p.duties = body->str("duties");
          p.sort_order = body->int32("sort_order");
          auto boundary = read_boundary(*body);
          if (!boundary) return fail(boundary.error(), req);
          p.boundary_geojson = *boundary;
          auto version = read_version(*body);
          if (auto s = body->finish(); !s) return fail(s.error(), req);
          if (!version) return fail(version.error(), req);
          auto u = api.org.update_unit(who.actor, *id, p, *version);
          if (!u) return fail(u.error(), req);
          return json_response(app::unit_json(*u));
        }));

  r.add("POST", "/api/v1/org/units/{id}/move",
        authed(api, [&api](http::Request& req, const app::Principal& who) {
          auto id = path_id(req);
          if (!id) return fail(id.error(), req);
          auto body = parse_body(req);
          if (!body) return fail(body.error(), req);
          auto parent = body->req_int64("parent_id");
          auto version = read_version(*body);
          if (auto s = body->finish(); !s) return fail(s.error(), req);
          if (!version) return fail(version.error(), req);
          auto u = api.org.move_unit(who.actor, *id, parent, *version);
          if (!u) return fail(u.error(), req);
          return json_response(app::unit_json(*u));
        }));

  r.add("POST", "/api/v1/org/units/{id}/retire",
        authed(api, [&api](http::Request& req, const app::Principal& who) {
          auto id = path_id(req);
          if (!id) return fail(id.error(), req);
          auto body = parse_body(req);
          if (!body) return fail(body.error(), req);
          auto version = read_version(*body);
          if (auto s = body->finish(); !s) return fail(s.error(), req);
          if (!version) return fail(version.error(), req);
          auto u = api.org.retire_unit(who.actor, *id, *version);
          if (!u) return fail(u.error(), req);
          return json_response(app::unit_json(*u));
        }));

  r.add(
      "GET", "/api/v1/org/people",
      authed(api, [&api](http::Request& req, const app::Principal& who) {
        storage::PersonQuery q;
        auto unit = query_int(req, "unit_id");
        auto retired = query_bool(req, "include_retired");
        auto limit = query_limit(req);
        auto cursor = query_cursor(req);
        if (!unit) return fail(unit.error(), req);
        if (!retired) return fail(retired.error(), req);
        if (!limit) return fail(limit.error(), req);
        if (!cursor) return fail(cursor.error(), req);
        q.unit_id = *unit;
        q.include_retired = *retired;
        q.limit = *limit;
        q.after = *cursor;
        q.q = req.query_param("q").value_or("");
        if (q.q.size() > 200)
          return fail(make_error("field.too_long", "q").with("max", "200"), req);
        auto page = api.org.list_people(who.actor, q);
        if (!page) return fail(page.error(), req);
        return json_response(page_json(to_array(page->items, app::person_json), page->next_cursor));
      }));

  r.add("GET", "/api/v1/org/people/{id}",
        authed(api, [&api](http::Request& req, const app::Principal& who) {
          auto id = path_id(req);
          if (!id) return fail(id.error(), req);
          auto d = api.org.get_person(who.actor, *id);
          if (!d) return fail(d.error(), req);
          json::object o;
          o["person"] = app::person_json(d->person);
          o["memberships"] = to_array(d->memberships, app::membership_json);
          o["liaisons"] = to_array(d->liaisons, app::liaison_json);
          return json_response(o);
        }));

  r.add("POST", "/api/v1/org/people",
        authed(api, [&api](http::Request& req, const app::Principal& who) {
          auto body = parse_body(req);
          if (!body) return fail(body.error(), req);
          app::NewPerson in;
          in.name = text::trim(body->req_str("name"));
          in.phone = body->str("phone");
          in.title = body->str("title");
          if (auto s = body->finish(); !s) return fail(s.error(), req);
          auto p = api.org.create_person(who.actor, in);
          if (!p) return fail(p.error(), req);
          return json_response(app::person_json(*p), 201);
        }));

  r.add("PATCH", "/api/v1/org/people/{id}",
        authed(api, [&api](http::Request& req, const app::Principal& who) {
          auto id = path_id(req);
          if (!id) return fail(id.error(), req);
          auto body = parse_body(req);
          if (!body) return fail(body.error(), req);
          app::PersonPatch p;
          if (auto n = body->str("name")) p.name = text::trim(*n);
          p.phone = body->nullable_str("phone");
          p.title = body->nullable_str("title");
          auto version = read_version(*body);
          if (auto s = body->finish(); !s) return fail(s.error(), req);
          if (!version) return fail(version.error(), req);
          auto r2 = api.org.update_person(who.actor, *id, p, *version);
          if (!r2) return fail(r2.error(), req);
          return json_response(app::person_json(*r2));
        }));

  r.add("POST", "/api/v1/org/people/{id}/retire",
        authed(api, [&api](http::Request& req, const app::Principal& who) {
          auto id = path_id(req);
          if (!id) return fail(id.error(), req);
          auto body = parse_body(req);
          if (!body) return fail(body.error(), req);
          auto version = read_version(*body);
          if (auto s = body->finish(); !s) return fail(s.error(), req);
          if (!version) return fail(version.error(), req);
          auto p = api.org.retire_person(who.actor, *id, *version);
          if (!p) return fail(p.error(), req);
          return json_response(app::person_json(*p));
        }));

  r.add("GET", "/api/v1/org/posts",
        authed(api, [&api](http::Request& req, const app::Principal& who) {
          auto posts = api.org.posts(who.actor);
          if (!posts) return fail(posts.error(), req);
          return json_response(page_json(to_array(*posts, app::post_json), std::nullopt));
        }));

  r.add("GET", "/api/v1/org/memberships",
        authed(api, [&api](http::Request& req, const app::Principal& who) {
          auto unit = query_int(req, "unit_id");
          auto person = query_int(req, "person_id");
          if (!unit) return fail(unit.error(), req);
          if (!person) return fail(person.error(), req);
          auto ms = api.org.list_memberships(who.actor, *unit, *person);
          if (!ms) return fail(ms.error(), req);
          return json_response(page_json(to_array(*ms, app::membership_json), std::nullopt));
        }));

  r.add("POST", "/api/v1/org/memberships",
        authed(api, [&api](http::Request& req, const app::Principal& who) {
          auto body = parse_body(req);
          if (!body) return fail(body.error(), req);
          auto person = body->req_int64("person_id");
          auto unit = body->req_int64("unit_id");
          auto post = body->req_str("post_code");
          auto head = body->boolean("is_head").value_or(false);
          if (auto s = body->finish(); !s) return fail(s.error(), req);
          auto m = api.org.add_membership(who.actor, person, unit, post, head);
          if (!m) return fail(m.error(), req);
          return json_response(app::membership_json(*m), 201);
        }));

  r.add("DELETE", "/api/v1/org/memberships/{id}",
        authed(api, [&api](http::Request& req, const app::Principal& who) {
          auto id = path_id(req);
          if (!id) return fail(id.error(), req);
          if (auto s = api.org.remove_membership(who.actor, *id); !s) return fail(s.error(), req);
          return http::Response::no_content();
        }));

  r.add("GET", "/api/v1/org/liaisons",
        authed(api, [&api](http::Request& req, const app::Principal& who) {
          auto unit = query_int(req, "unit_id");
          auto leader = query_int(req, "leader_id");
          if (!unit) return fail(unit.error(), req);
          if (!leader) return fail(leader.error(), req);
          auto ls = api.org.list_liaisons(who.actor, *unit, *leader);
          if (!ls) return fail(ls.error(), req);
          return json_response(page_json(to_array(*ls, app::liaison_json), std::nullopt));
        }));

  r.add("PUT", "/api/v1/org/liaisons",
        authed(api, [&api](http::Request& req, const app::Principal& who) {
          auto body = parse_body(req);
          if (!body) return fail(body.error(), req);
          auto unit = body->req_int64("unit_id");
          auto leader = body->req_int64("leader_id");
          if (auto s = body->finish(); !s) return fail(s.error(), req);
          auto l = api.org.assign_liaison(who.actor, unit, leader);
          if (!l) return fail(l.error(), req);
          return json_response(app::liaison_json(*l));
        }));

  r.add("DELETE", "/api/v1/org/liaisons/{id}",
        authed(api, [&api](http::Request& req, const app::Principal& who) {
          auto id = path_id(req);
          if (!id) return fail(id.error(), req);
          if (auto s = api.org.remove_liaison(who.actor, *id); !s) return fail(s.error(), req);
          return http::Response::no_content();
        }));

  r.add("GET", "/api/v1/org/export",
        authed(api, [&api](http::Request& req, const app::Principal& who) {
          auto doc = app::export_structure(api.ctx, who.actor);
          if (!doc) return fail(doc.error(), req);
          auto resp = json_response(*doc);
          resp.add_header("Content-Disposition", "attachment; filename=\"org-structure.json\"");
          return resp;
        }));

  r.add("POST", "/api/v1/org/import",
        authed(api, [&api](http::Request& req, const app::Principal& who) {
          boost::system::error_code ec;
          json::parse_options opts;
          opts.max_depth = 64;
          auto doc = json::parse(req.body, ec, {}, opts);
          if (ec)
            return fail(make_error("request.malformed_json").with("reason", ec.message()), req);
          auto stats = app::import_structure(api.ctx, who.actor, doc, false);
          if (!stats) return fail(stats.error(), req);
          json::object o;
          o["created"] = stats->created;
          o["updated"] = stats->updated;
          o["unchanged"] = stats->unchanged;
          return json_response(o);
        }));

  r.add("GET", "/api/v1/org/people.csv",
        authed(api, [&api](http::Request& req, const app::Principal& who) {
          auto bytes = app::export_people(api.ctx, who.actor, app::TableFormat::kCsv);
          if (!bytes) return fail(bytes.error(), req);
          http::Response resp;
          resp.content_type = "text/csv; charset=utf-8";
          resp.body = std::move(bytes.value());
          resp.add_header("Content-Disposition", "attachment; filename=\"people.csv\"");
          return resp;
        }));

  r.add("GET", "/api/v1/org/people.xlsx",
        authed(api, [&api](http::Request& req, const app::Principal& who) {
          auto bytes = app::export_people(api.ctx, who.actor, app::TableFormat::kXlsx);
          if (!bytes) return fail(bytes.error(), req);
          http::Response resp;
          resp.content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
          resp.body = std::move(bytes.value());
          resp.add_header("Content-Disposition", "attachment; filename=\"people.xlsx\"");
          return resp;
        }));

  r.add("POST", "/api/v1/org/people/import",
        authed(api, [&api](http::Request& req, const app::Principal& who) {
          if (auto ct = req.header("content-type");
              !ct || ct->find("text/csv") == std::string::npos) {
            return fail(make_error("request.unsupported_media_type").with("expected", "text/csv"),
                        req);
          }
          auto stats = app::import_people_csv(api.ctx, who.actor, req.body);
          if (!stats) return fail(stats.error(), req);
          json::object o;
          o["created"] = stats->created;
          o["updated"] = stats->updated;
          o["unchanged"] = stats->unchanged;
          return json_response(o);
        }));
}

}  // namespace civicloop::api
