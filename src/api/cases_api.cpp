// /api/v1/cases, /attachments, /notices, /responsibility: the closed loop and its lists.
// Handlers parse, call one use case, render.
#include <cmath>
#include <set>

#include "api/case_render.hpp"
#include "api/common.hpp"
#include "app/case_export.hpp"
#include "app/case_service.hpp"
#include "app/evidence_service.hpp"
#include "app/notice_service.hpp"
#include "app/views.hpp"
#include "storage/case_repo.hpp"

namespace civicloop::api {

namespace {

// "YYYY-MM-DD" in the tenant's zone → the UTC instant of local midnight.
Expected<std::optional<Millis>> query_date(const http::Request& req, std::string_view name,
                                           const app::TenantCaseConfig& cfg, int add_days = 0) {
  auto v = req.query_param(name);
  if (!v || v->empty()) return std::optional<Millis>{};
  auto d = calendar::parse_date(*v);
  if (!d) return make_error("request.invalid_parameter", std::string(name));
  return std::optional<Millis>(cfg.calendar.at_local(*d, 0) + add_days * 86400000LL);
}

Expected<std::optional<double>> query_double(const http::Request& req, std::string_view name) {
  auto v = req.query_param(name);
  if (!v || v->empty()) return std::optional<double>{};
  try {
    std::size_t used = 0;
    const double d = std::stod(*v, &used);
    if (used != v->size() || !std::isfinite(d)) throw std::invalid_argument("x");
    return std::optional<double>(d);
  } catch (...) {
    return make_error("request.invalid_parameter", std::string(name));
  }
}

// The filters of the problem list, shared by the JSON list and its Excel export.
Expected<storage::CaseQuery> case_query(const http::Request& req,
                                        const app::TenantCaseConfig& cfg) {
  storage::CaseQuery q;
  if (auto s = req.query_param("state"); s && !s->empty()) {
    std::size_t i = 0;
    while (i <= s->size()) {
      auto j = s->find(',', i);
      if (j == std::string::npos) j = s->size();
      auto st = cases::parse_state(s->substr(i, j - i));
      if (!st) return make_error("request.invalid_parameter", "state");
      q.states.push_back(*st);
      i = j + 1;
    }
  }
  auto open = query_bool(req, "open");
  if (!open) return open.error();
  q.open_only = *open;
  auto recurrence = query_bool(req, "recurrence");
  if (!recurrence) return recurrence.error();
  q.recurrence = *recurrence;
  for (auto [name, field] :
       {std::pair{"unit_id", &q.assigned_unit_id}, std::pair{"subdistrict_id", &q.subdistrict_id},
        std::pair{"community_id", &q.community_id}, std::pair{"grid_id", &q.grid_id},
        std::pair{"reporter_id", &q.reporter_user_id},
        std::pair{"recurrence_unit_id", &q.recurrence_unit_id},
        std::pair{"supervising_group_id", &q.supervising_group_id}}) {
    auto v = query_int(req, name);
    if (!v) return v.error();
    *field = *v;
  }
  if (auto c = req.query_param("category"); c && !c->empty()) {
    if (c->size() > 10) return make_error("request.invalid_parameter", "category");
    q.category = *c;
  }
  if (auto s = req.query_param("source"); s && !s->empty()) {
    q.source = cases::parse_source(*s);
    if (!q.source) return make_error("request.invalid_parameter", "source");
  }
  auto from = query_date(req, "from", cfg);
  auto to = query_date(req, "to", cfg, 1);  // inclusive of the whole "to" day
  if (!from) return from.error();
  if (!to) return to.error();
  q.reported_from = *from;
  q.reported_to = *to;
  auto dfrom = query_date(req, "dispatched_from", cfg);
  auto dto = query_date(req, "dispatched_to", cfg, 1);
  if (!dfrom) return dfrom.error();
  if (!dto) return dto.error();
  q.dispatched_from = *dfrom;
  q.dispatched_to = *dto;
  auto cfrom = query_date(req, "closed_from", cfg);
  auto cto = query_date(req, "closed_to", cfg, 1);
  if (!cfrom) return cfrom.error();
  if (!cto) return cto.error();
  q.closed_from = *cfrom;
  q.closed_to = *cto;
  if (auto o = req.query_param("overdue"); o && !o->empty()) {
    auto b = query_bool(req, "overdue");
    if (!b) return b.error();
    q.overdue = *b;
  }
  if (auto e = req.query_param("escalated"); e && !e->empty()) {
    auto b = query_bool(req, "escalated");
    if (!b) return b.error();
    q.escalated = *b;
  }
  auto limit = query_limit(req);
  if (!limit) return limit.error();
  q.limit = *limit;
  if (auto c = req.query_param("cursor"); c && !c->empty()) {
    if (!app::set_case_cursor(q, *c)) return make_error("request.invalid_cursor", "cursor");
  }
  return q;
}

struct CaseApi {
  Api& api;
  app::CaseConfigCache& config;
  app::CaseService cases;
  app::EvidenceService& evidence;
  app::NoticeService notices;
  app::CaseExport exports;
  explicit CaseApi(Api& a)
      : api(a),
        config(a.case_config),
        cases(a.ctx, config),
        evidence(a.evidence),
        notices(a.ctx, config),
        exports(cases, config) {}
};

// The filters of the notice list, shared by the JSON list and its Excel export.
Expected<app::NoticeListQuery> notice_query(const http::Request& req) {
  app::NoticeListQuery q;
  auto unit = query_int(req, "unit_id");
  if (!unit) return unit.error();
  q.unit_id = *unit;
  const auto open_param = req.query_param("open");
  q.open_only = !open_param || (*open_param != "false" && *open_param != "0");
  return q;
}

http::Response xlsx(std::string bytes, const std::string& filename) {
  http::Response r;
  r.content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  r.body = std::move(bytes);
  r.add_header("Content-Disposition", "attachment; filename=\"" + filename + "\"");
  return r;
}

}  // namespace

void add_case_routes(Api& api) {
  auto ca = std::make_shared<CaseApi>(api);
  auto& r = api.router;
  auto cfg_of = [ca](const app::Principal& who) { return ca->config.get(who.actor.tenant_id); };

  r.add("POST", "/api/v1/cases", authed(api, [ca](http::Request& req, const app::Principal& who) {
          auto body = parse_body(req);
          if (!body) return fail(body.error(), req);
          app::NewCase in;
          in.category = body->req_str("category");
          in.title = body->str("title").value_or("");
          in.description = body->str("description").value_or("");
          in.address = body->str("address").value_or("");
          in.source = body->str("source");
          for (auto [key, out] : {std::pair{"lat", &in.lat}, std::pair{"lng", &in.lng}}) {
            const auto* v = body->raw(key);
            if (v == nullptr || v->is_null()) continue;
            if (!v->is_number()) {
              return fail(make_error("request.invalid_type", key).with("expected", "number"), req);
            }
            *out = v->to_number<double>();
          }
          if (auto s = body->finish(); !s) return fail(s.error(), req);
          auto res = ca->cases.report(who.actor, in);
          if (!res) return fail(res.error(), req);
          auto cfg = ca->config.get(who.actor.tenant_id);
          const Millis now = ca->api.ctx.clock.now();
          json::array dups;
          dups.reserve(res->possible_duplicates.size());
          for (const auto& d : res->possible_duplicates) dups.push_back(near_case_json(d));
          return json_response(json::object{{"case", case_for(who.actor, **cfg, res->record, now)},
                                            {"possible_duplicates", dups},
                                            {"similar_in_progress", res->similar_in_progress}},
                               201);
        }));

  r.add("GET", "/api/v1/cases", authed(api, [ca](http::Request& req, const app::Principal& who) {
          auto cfg = ca->config.get(who.actor.tenant_id);
          if (!cfg) return fail(cfg.error(), req);
          auto q = case_query(req, **cfg);
          if (!q) return fail(q.error(), req);
          const auto text = req.query_param("q").value_or("");
          if (text.size() > 200)
            return fail(make_error("field.too_long", "q").with("max", "200"), req);
          // photos=before: each case with its before-photos (the triage queue's thumbnails).
          const auto photos = req.query_param("photos").value_or("");
          if (!photos.empty() && photos != "before")
            return fail(make_error("request.invalid_parameter", "photos"), req);
          auto page = ca->cases.list(who.actor, *q, text, photos == "before");
          if (!page) return fail(page.error(), req);
          const Millis now = ca->api.ctx.clock.now();
          json::array items;
          for (const auto& c : page->items) {
            auto o = case_for(who.actor, **cfg, c, now);
            if (page->with_before_photos) {
              json::array atts;
              if (auto it = page->before_photos.find(c.id); it != page->before_photos.end()) {
                for (const auto& a : it->second) atts.push_back(attachment_json(a, &c));
              }
              o["before_photos"] = std::move(atts);
            }
            items.push_back(std::move(o));
          }
          return json_response(page_json(std::move(items), page->next_cursor));
        }));

  r.add("GET", "/api/v1/cases.xlsx",
        authed(api, [ca](http::Request& req, const app::Principal& who) {
          auto cfg = ca->config.get(who.actor.tenant_id);
          if (!cfg) return fail(cfg.error(), req);
          auto q = case_query(req, **cfg);
          if (!q) return fail(q.error(), req);
          const auto text = req.query_param("q").value_or("");
          auto bytes = ca->exports.xlsx(who.actor, *q, text, locale_of(req));
          if (!bytes) return fail(bytes.error(), req);
          return xlsx(std::move(*bytes), "cases.xlsx");
        }));

  r.add("GET", "/api/v1/cases/route-preview",
        authed(api, [ca](http::Request& req, const app::Principal& who) {
          auto lat = query_double(req, "lat");
          auto lng = query_double(req, "lng");
          if (!lat) return fail(lat.error(), req);
          if (!lng) return fail(lng.error(), req);
          if (!*lat || !*lng) return fail(make_error("field.required", "lat"), req);
          if (auto s = access::require(who.actor, access::Permission::kCasesRead); !s) {
            return fail(s.error(), req);
          }
          auto p = ca->cases.preview_route(who.actor, req.query_param("category").value_or(""),
                                           **lat, **lng, std::nullopt);
          if (!p) return fail(p.error(), req);
          auto cfg = ca->config.get(who.actor.tenant_id);
          json::object place;
          for (auto [key, kind] : {std::pair{"grid", org::UnitKind::kGrid},
                                   std::pair{"community", org::UnitKind::kCommunity},
                                   std::pair{"subdistrict", org::UnitKind::kSubdistrict}}) {
            auto it = p->place.at.find(kind);
            place[key] =
                it == p->place.at.end() ? json::value(nullptr) : unit_ref(**cfg, it->second);
          }
          return json_response(
              json::object{{"unit", unit_ref(**cfg, p->unit_id)},
                           {"supervising_group", unit_ref(**cfg, p->supervising_group_id)},
                           {"rule", p->rule},
                           {"place", place}});
        }));

  r.add("GET", "/api/v1/cases/nearby",
        authed(api, [ca](http::Request& req, const app::Principal& who) {
          auto lat = query_double(req, "lat");
          auto lng = query_double(req, "lng");
          if (!lat) return fail(lat.error(), req);
          if (!lng) return fail(lng.error(), req);
          if (!*lat || !*lng) return fail(make_error("field.required", "lat"), req);
          auto list =
              ca->cases.nearby(who.actor, req.query_param("category").value_or(""), **lat, **lng);
          if (!list) return fail(list.error(), req);
          auto cfg = ca->config.get(who.actor.tenant_id);
          const Millis now = ca->api.ctx.clock.now();
          json::array items;
          for (const auto& c : *list) items.push_back(case_for(who.actor, **cfg, c, now));
          return json_response(page_json(std::move(items), std::nullopt));
        }));

  auto view_json = [ca](const app::Principal& who, const app::CaseView& v) {
    auto cfg = ca->config.get(who.actor.tenant_id);
    return case_view_json(**cfg, v, ca->api.ctx.clock.now());
  };

  r.add("GET", "/api/v1/cases/{id}",
        authed(api, [ca, view_json](http::Request& req, const app::Principal& who) {
          auto id = path_id(req);
          if (!id) return fail(id.error(), req);
          auto v = ca->cases.get(who.actor, *id);
          if (!v) return fail(v.error(), req);
          return json_response(view_json(who, *v));
        }));

  r.add("POST", "/api/v1/cases/{id}/transitions",
        action_route<app::TransitionInput>(
            api,
            [](Body& body) {
              app::TransitionInput in;
              in.action = body.req_str("action");
              in.note = body.str("note").value_or("");
              in.unit_id = body.int64("unit_id");
              in.notice_kind = body.str("notice_kind");
              in.requirement = body.str("requirement");
              in.passed = body.boolean("passed");
              in.extension_amount = body.int32("extension_amount");
              in.extension_unit = body.str("extension_unit");
              in.decision = body.str("decision");
              in.review_date = body.str("review_date");
              in.duplicate_of = body.int64("duplicate_of");
              return in;
            },
            [ca, view_json](const app::Principal& who, std::int64_t id, app::TransitionInput& in,
                            std::optional<int> version) -> Expected<json::value> {
              in.version = version;
              auto v = ca->cases.transition(who.actor, id, in);
              if (!v) return v.error();
              return json::value(view_json(who, *v));
            }));

  r.add("POST", "/api/v1/cases/{id}/attachments",
        authed(api, [ca](http::Request& req, const app::Principal& who) {
          auto id = path_id(req);
          if (!id) return fail(id.error(), req);
          const auto stage = req.query_param("stage").value_or("");
          auto a = ca->evidence.upload(who.actor, *id, stage, req.body);
          if (!a) return fail(a.error(), req);
          return json_response(attachment_json(*a, nullptr), 201);
        }));

  for (const bool thumb : {false, true}) {
    r.add("GET", thumb ? "/api/v1/attachments/{id}/thumbnail" : "/api/v1/attachments/{id}",
          authed(api, [ca, thumb](http::Request& req, const app::Principal& who) {
            auto id = path_id(req);
            if (!id) return fail(id.error(), req);
            auto f = ca->evidence.open(who.actor, *id, thumb);
            if (!f) return fail(f.error(), req);
            // Personal data: only the browser keeps it, and asks again each time (the scope check
            // runs on every request); an unchanged photo costs a 304 without its bytes.
            http::Response resp;
            resp.add_header("Cache-Control", "private, no-cache");
            resp.add_header("ETag", f->etag);
            if (http::if_none_match(req, f->etag)) {
              resp.status = 304;
              resp.content_type.clear();
              return resp;
            }
            resp.content_type = f->content_type;
            resp.file_path = f->path;
            return resp;
          }));
  }

  r.add("POST", "/api/v1/notices", authed(api, [ca](http::Request& req, const app::Principal& who) {
          auto body = parse_body(req);
          if (!body) return fail(body.error(), req);
          std::vector<std::int64_t> ids;
          if (const auto* v = body->raw("case_ids"); v != nullptr && v->is_array()) {
            for (const auto& x : v->as_array()) {
              if (!x.is_int64()) {
                return fail(
                    make_error("request.invalid_type", "case_ids").with("expected", "integer[]"),
                    req);
              }
              ids.push_back(x.as_int64());
            }
          } else {
            return fail(make_error("field.required", "case_ids"), req);
          }
          auto unit = body->int64("unit_id");
          auto kind = body->str("kind").value_or("rectification");
          auto requirement = body->str("requirement").value_or("");
          if (auto s = body->finish(); !s) return fail(s.error(), req);
          auto n = ca->cases.dispatch_with_notice(who.actor, ids, unit, kind, requirement);
          if (!n) return fail(n.error(), req);
          auto cfg = ca->config.get(who.actor.tenant_id);
          return json_response(notice_json(**cfg, *n, ca->api.ctx.clock.now()), 201);
        }));

  r.add("GET", "/api/v1/notices", authed(api, [ca](http::Request& req, const app::Principal& who) {
          auto limit = query_limit(req);
          auto cursor = query_int(req, "cursor");
          if (!limit) return fail(limit.error(), req);
          if (!cursor) return fail(make_error("request.invalid_cursor", "cursor"), req);
          auto q = notice_query(req);
          if (!q) return fail(q.error(), req);
          q->limit = *limit;
          q->before_id = *cursor;
          auto page = ca->notices.list(who.actor, *q);
          if (!page) return fail(page.error(), req);
          auto cfg = ca->config.get(who.actor.tenant_id);
          json::array items;
          for (const auto& n : page->items) {
            items.push_back(notice_json(**cfg, n, ca->api.ctx.clock.now()));
          }
          return json_response(page_json(std::move(items), page->next_cursor));
        }));

  r.add("GET", "/api/v1/notices.xlsx",
        authed(api, [ca](http::Request& req, const app::Principal& who) {
          auto q = notice_query(req);
          if (!q) return fail(q.error(), req);
          auto bytes = ca->notices.xlsx(who.actor, *q, locale_of(req));
          if (!bytes) return fail(bytes.error(), req);
          return xlsx(std::move(*bytes), "notices.xlsx");
        }));

  r.add("GET", "/api/v1/notices/{id}.pdf",
        authed(api, [ca](http::Request& req, const app::Principal& who) {
          auto id = path_id(req);
          if (!id) return fail(id.error(), req);
          auto pdf = ca->notices.pdf(who.actor, *id, locale_of(req));
          if (!pdf) return fail(pdf.error(), req);
          http::Response resp;
          resp.content_type = "application/pdf";
          resp.body = std::move(*pdf);
          resp.add_header("Content-Disposition",
                          "inline; filename=\"notice-" + std::to_string(*id) + ".pdf\"");
          return resp;
        }));
  r.add("GET", "/api/v1/notices/{id}",
        authed(api, [ca](http::Request& req, const app::Principal& who) {
          auto id = path_id(req);
          if (!id) return fail(id.error(), req);
          auto d = ca->notices.detail(who.actor, *id);
          if (!d) return fail(d.error(), req);
          auto cfg = ca->config.get(who.actor.tenant_id);
          const Millis now = ca->api.ctx.clock.now();
          auto o = notice_json(**cfg, d->notice, now);
          json::array cs;
          for (const auto& c : d->cases) {
            cs.push_back(case_for(who.actor, **cfg, c, now));
          }
          o["cases"] = cs;
          return json_response(o);
        }));
}

}  // namespace civicloop::api
