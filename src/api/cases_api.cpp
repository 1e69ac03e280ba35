// /api/v1/cases, /attachments, /notices, /responsibility: the closed loop and its lists.
// Handlers parse, call one use case, render.
#include <cmath>
#include <set>

#include "api/common.hpp"
#include "app/case_service.hpp"
#include "app/evidence_service.hpp"
#include "app/notice_service.hpp"
#include "app/views.hpp"
#include "reports/table.hpp"
#include "storage/case_repo.hpp"

namespace civicloop::api {

namespace {

json::value ref(const app::TenantCaseConfig& cfg, const std::optional<std::int64_t>& id) {
  if (!id) return nullptr;
  const auto* u = cfg.unit(*id);
  return json::object{{"id", *id}, {"name", u != nullptr ? u->name : ""}};
}

json::value opt_time(const std::optional<Millis>& t) {
  return t ? json::value(format_iso_utc(*t)) : json::value(nullptr);
}

json::object case_json(const app::TenantCaseConfig& cfg, const cases::Record& r, Millis now) {
  json::object o;
  o.reserve(48);  // every field below without rehashing as it grows
  o["id"] = r.id;
  o["case_no"] = r.case_no;
  o["state"] = cases::to_string(r.state);
  o["source"] = cases::to_string(r.source);
  o["category"] = r.category_code;
  const auto* cat = cfg.category(r.category_code);
  o["category_name"] = cat != nullptr ? cat->name : "";
  o["category_name_en"] = cat != nullptr && cat->name_en ? *cat->name_en : "";
  o["title"] = r.title;
  o["description"] = r.description;
  o["address"] = r.address;
  o["lat"] = r.lat ? json::value(*r.lat) : json::value(nullptr);
  o["lng"] = r.lng ? json::value(*r.lng) : json::value(nullptr);
  o["grid"] = ref(cfg, r.grid_id);
  o["community"] = ref(cfg, r.community_id);
  o["subdistrict"] = ref(cfg, r.subdistrict_id);
  // Waiting for triage with no area to route by and no unit yet (a point outside the area
  // accepted under the "flag" policy, or an address only): the office places it by hand when it
  // dispatches (dispatch takes a unit).
  o["needs_placement"] = (r.state == cases::State::kReported || r.state == cases::State::kFiled) &&
                         !r.grid_id && !r.community_id && !r.subdistrict_id && !r.assigned_unit_id;
  o["assigned_unit"] = ref(cfg, r.assigned_unit_id);
  o["supervising_group"] = ref(cfg, r.supervising_group_id);
  o["routing_rule"] = r.routing_rule ? json::value(*r.routing_rule) : json::value(nullptr);
  o["duplicate_of"] = r.duplicate_of ? json::value(*r.duplicate_of) : json::value(nullptr);
  o["rework_count"] = r.rework_count;
  o["escalation_level"] = r.escalation_level;
  o["extension_pending"] = r.extension_pending;
  if (r.extension_request) {
    const auto& e = *r.extension_request;
    o["extension_request"] = json::object{{"amount", e.amount},
                                          {"unit", calendar::to_string(e.unit)},
                                          {"reason", e.reason},
                                          {"requested_at", format_iso_utc(e.requested_at)}};
  } else {
    o["extension_request"] = nullptr;
  }
  o["parked_from"] =
      r.parked_from ? json::value(cases::to_string(*r.parked_from)) : json::value(nullptr);
  o["park_review_date"] =
      r.park_review_date ? json::value(*r.park_review_date) : json::value(nullptr);
  o["notice_id"] = r.notice_id ? json::value(*r.notice_id) : json::value(nullptr);
  if (r.timer) {
    o["timer"] = json::object{{"stage", cases::to_string(r.timer->stage)},
                              {"deadline_at", format_iso_utc(r.timer->deadline)},
                              {"estimated", r.timer->estimated},
                              {"paused", r.timer->paused()},
                              {"percent_used", cases::percent_used(*r.timer, now, cfg.calendar)}};
  } else {
    o["timer"] = nullptr;
  }
  o["overdue"] = r.overdue;
  o["reporter_name"] = r.reporter_name;
  o["reported_at"] = format_iso_utc(r.reported_at);
  o["filed_at"] = opt_time(r.filed_at);
  o["dispatched_at"] = opt_time(r.dispatched_at);
  o["rectified_at"] = opt_time(r.rectified_at);
  o["closed_at"] = opt_time(r.closed_at);
  o["version"] = r.version;
  return o;
}

// The case as its reporter sees it: the same shape, with everything internal to the office and the
// units (routing reasons, supervising group, rework and escalation counts, extension requests,
// timers, other cases' ids) left empty. An allow-list, so a new internal field stays hidden.
json::object public_case_json(const app::TenantCaseConfig& cfg, const cases::Record& r,
                              Millis now) {
  static const std::set<std::string, std::less<>> kShown = {"id",
                                                            "case_no",
                                                            "state",
                                                            "source",
                                                            "category",
                                                            "category_name",
                                                            "category_name_en",
                                                            "title",
                                                            "description",
                                                            "address",
                                                            "lat",
                                                            "lng",
                                                            "grid",
                                                            "community",
                                                            "subdistrict",
                                                            "assigned_unit",
                                                            "reporter_name",
                                                            "reported_at",
                                                            "filed_at",
                                                            "dispatched_at",
                                                            "rectified_at",
                                                            "closed_at",
                                                            "version"};
  auto full = case_json(cfg, r, now);
  json::object o;
  for (auto& [key, value] : full) {
    if (kShown.contains(key)) {
      o[key] = std::move(value);
    } else if (value.is_bool()) {
      o[key] = false;
    } else {
      o[key] = nullptr;
    }
  }
  return o;
}

// The case as this actor may read it: the whole record for staff in scope, the public view for
// its reporter.
json::object case_for(const access::Actor& actor, const app::TenantCaseConfig& cfg,
                      const cases::Record& r, Millis now) {
  return app::CaseService::reporter_only(actor, r) ? public_case_json(cfg, r, now)
                                                   : case_json(cfg, r, now);
}

json::object attachment_json(const storage::Attachment& a, const cases::Record* r) {
  json::object o;
  o["id"] = a.id;
  o["case_id"] = a.case_id;
  o["stage"] = a.stage;
  o["content_type"] = a.content_type;
  o["size"] = a.size;
  o["width"] = a.width;
  o["height"] = a.height;
  o["lat"] = a.lat ? json::value(*a.lat) : json::value(nullptr);
  o["lng"] = a.lng ? json::value(*a.lng) : json::value(nullptr);
  o["taken_at"] = opt_time(a.taken_at);
  json::array flags;
  for (const auto& f : app::split_flags(a.flags)) flags.emplace_back(f);
  o["flags"] = flags;
  if (r != nullptr && a.lat && r->lat) {
    o["distance_m"] = std::round(cases::distance_m(*a.lat, *a.lng, *r->lat, *r->lng));
  } else {
    o["distance_m"] = nullptr;
  }
  o["uploaded_at"] = format_iso_utc(a.uploaded_at);
  o["url"] = "/api/v1/attachments/" + std::to_string(a.id);
  o["thumbnail_url"] = "/api/v1/attachments/" + std::to_string(a.id) + "/thumbnail";
  return o;
}

json::object notice_json(const app::TenantCaseConfig& cfg, const storage::Notice& n, Millis now) {
  json::object o;
  o["id"] = n.id;
  o["kind"] = n.kind;
  o["number"] = n.number;
  o["unit"] = ref(cfg, n.unit_id);
  o["requirement"] = n.requirement;
  o["deadline_at"] = opt_time(n.deadline_at);
  o["open"] = n.open;
  // A notice whose cases are all finished has no time left to count.
  o["remaining_ms"] =
      n.deadline_at && n.open ? json::value(*n.deadline_at - now) : json::value(nullptr);
  o["issued_at"] = format_iso_utc(n.issued_at);
  o["case_ids"] = json::value_from(n.case_ids);
  o["pdf_url"] = "/api/v1/notices/" + std::to_string(n.id) + ".pdf";
  return o;
}

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
  for (auto [name, field] :
       {std::pair{"unit_id", &q.assigned_unit_id}, std::pair{"subdistrict_id", &q.subdistrict_id},
        std::pair{"community_id", &q.community_id}, std::pair{"grid_id", &q.grid_id}}) {
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
  if (auto o = req.query_param("overdue"); o && !o->empty()) {
    auto b = query_bool(req, "overdue");
    if (!b) return b.error();
    q.overdue = *b;
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
  app::EvidenceService evidence;
  app::NoticeService notices;
  explicit CaseApi(Api& a)
      : api(a),
        config(a.case_config),
        cases(a.ctx, config),
        evidence(a.ctx, config),
        notices(a.ctx, config) {}
};

std::string state_zh(cases::State s) {
  switch (s) {
    case cases::State::kReported:
      return "待立案";
    case cases::State::kFiled:
      return "待派遣";
    case cases::State::kDispatched:
      return "待签收";
    case cases::State::kAcknowledged:
      return "整改中";
    case cases::State::kRectified:
      return "待核查";
    case cases::State::kVerified:
      return "待销号";
    case cases::State::kClosed:
      return "已销号";
    case cases::State::kVoided:
      return "已作废";
    case cases::State::kDuplicate:
      return "重复";
    case cases::State::kParked:
      return "挂账";
  }
  return "";
}

std::string local_time(const app::TenantCaseConfig& cfg, std::optional<Millis> t) {
  if (!t) return "";
  const auto iso =
      format_iso_utc(*t + static_cast<Millis>(cfg.calendar.utc_offset_minutes()) * 60000);
  return iso.substr(0, 10) + " " + iso.substr(11, 5);
}

std::string unit_name(const app::TenantCaseConfig& cfg, std::optional<std::int64_t> id) {
  if (!id) return "";
  const auto* u = cfg.unit(*id);
  return u != nullptr ? u->name : "";
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
          for (const auto& d : res->possible_duplicates) {
            dups.push_back(case_for(who.actor, **cfg, d, now));
          }
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
          auto page = ca->cases.list(who.actor, *q, text);
          if (!page) return fail(page.error(), req);
          const Millis now = ca->api.ctx.clock.now();
          json::array items;
          for (const auto& c : page->items) items.push_back(case_for(who.actor, **cfg, c, now));
          return json_response(page_json(std::move(items), page->next_cursor));
        }));

  r.add("GET", "/api/v1/cases.xlsx",
        authed(api, [ca](http::Request& req, const app::Principal& who) {
          auto cfg = ca->config.get(who.actor.tenant_id);
          if (!cfg) return fail(cfg.error(), req);
          auto q = case_query(req, **cfg);
          if (!q) return fail(q.error(), req);
          const auto text = req.query_param("q").value_or("");
          reports::Table rows;
          // Page through everything the filters select, up to the export limit.
          constexpr std::size_t kMaxRows = 100000;
          q->limit = 200;
          for (;;) {
            auto page = ca->cases.list(who.actor, *q, text);
            if (!page) return fail(page.error(), req);
            for (const auto& c : page->items) {
              const auto* cat = (*cfg)->category(c.category_code);
              rows.push_back(
                  {c.case_no, state_zh(c.state), cat ? cat->name : c.category_code, c.title,
                   c.address, unit_name(**cfg, c.subdistrict_id), unit_name(**cfg, c.community_id),
                   unit_name(**cfg, c.assigned_unit_id), std::string(cases::to_string(c.source)),
                   local_time(**cfg, c.reported_at),
                   c.timer ? local_time(**cfg, c.timer->deadline) : "", c.overdue ? "是" : "",
                   std::to_string(c.rework_count), local_time(**cfg, c.closed_at)});
            }
            if (!page->next_cursor || rows.size() >= kMaxRows) break;
            if (!app::set_case_cursor(*q, *page->next_cursor)) break;
          }
          return xlsx(reports::to_xlsx("问题清单",
                                       {"问题编号", "状态", "问题类别", "标题", "位置", "街道",
                                        "社区/村", "责任单位", "来源", "上报时间", "截止时间",
                                        "超期", "返工次数", "销号时间"},
                                       rows, {12}),  // 返工次数 is a number
                      "cases.xlsx");
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
            place[key] = it == p->place.at.end() ? json::value(nullptr) : ref(**cfg, it->second);
          }
          return json_response(
              json::object{{"unit", ref(**cfg, p->unit_id)},
                           {"supervising_group", ref(**cfg, p->supervising_group_id)},
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
    const Millis now = ca->api.ctx.clock.now();
    json::array events;
    for (const auto& e : v.events) events.push_back(app::event_json(e));
    json::array steps;
    for (const auto& st : v.steps) {
      steps.push_back(
          json::object{{"at", format_iso_utc(st.at)}, {"action", st.action}, {"state", st.state}});
    }
    json::array atts;
    for (const auto& a : v.attachments) atts.push_back(attachment_json(a, &v.record));
    json::array allowed;
    for (const auto a : v.allowed) allowed.emplace_back(cases::to_string(a));
    return json::object{{"case", v.reporter_view ? public_case_json(**cfg, v.record, now)
                                                 : case_json(**cfg, v.record, now)},
                        {"view", v.reporter_view ? "reporter" : "staff"},
                        {"events", events},
                        {"steps", steps},
                        {"attachments", atts},
                        {"allowed", allowed},
                        {"notice", v.notice ? json::value(notice_json(**cfg, *v.notice, now))
                                            : json::value(nullptr)}};
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
        authed(api, [ca, view_json](http::Request& req, const app::Principal& who) {
          auto id = path_id(req);
          if (!id) return fail(id.error(), req);
          auto body = parse_body(req);
          if (!body) return fail(body.error(), req);
          app::TransitionInput in;
          in.action = body->req_str("action");
          in.note = body->str("note").value_or("");
          in.unit_id = body->int64("unit_id");
          in.notice_kind = body->str("notice_kind");
          in.requirement = body->str("requirement");
          in.passed = body->boolean("passed");
          in.extension_amount = body->int32("extension_amount");
          in.extension_unit = body->str("extension_unit");
          in.decision = body->str("decision");
          in.review_date = body->str("review_date");
          in.duplicate_of = body->int64("duplicate_of");
          in.version = body->int32("version");
          if (auto s = body->finish(); !s) return fail(s.error(), req);
          auto v = ca->cases.transition(who.actor, *id, in);
          if (!v) return fail(v.error(), req);
          return json_response(view_json(who, *v));
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

  auto list_notices = [ca](const http::Request& req, const app::Principal& who, int limit,
                           std::optional<std::int64_t> before) -> Expected<app::NoticePage> {
    app::NoticeListQuery q;
    auto unit = query_int(req, "unit_id");
    if (!unit) return unit.error();
    q.unit_id = *unit;
    const auto open_param = req.query_param("open");
    q.open_only = !open_param || (*open_param != "false" && *open_param != "0");
    q.limit = limit;
    q.before_id = before;
    return ca->notices.list(who.actor, q);
  };

  r.add("GET", "/api/v1/notices",
        authed(api, [ca, list_notices](http::Request& req, const app::Principal& who) {
          auto limit = query_limit(req);
          auto cursor = query_int(req, "cursor");
          if (!limit) return fail(limit.error(), req);
          if (!cursor) return fail(make_error("request.invalid_cursor", "cursor"), req);
          auto page = list_notices(req, who, *limit, *cursor);
          if (!page) return fail(page.error(), req);
          auto cfg = ca->config.get(who.actor.tenant_id);
          json::array items;
          for (const auto& n : page->items) {
            items.push_back(notice_json(**cfg, n, ca->api.ctx.clock.now()));
          }
          return json_response(page_json(std::move(items), page->next_cursor));
        }));

  r.add("GET", "/api/v1/notices.xlsx",
        authed(api, [ca, list_notices](http::Request& req, const app::Principal& who) {
          reports::Table rows;
          const Millis now = ca->api.ctx.clock.now();
          auto cfg = ca->config.get(who.actor.tenant_id);
          if (!cfg) return fail(cfg.error(), req);
          std::optional<std::int64_t> before;
          constexpr std::size_t kMaxRows = 5000;
          for (;;) {
            auto page = list_notices(req, who, 200, before);
            if (!page) return fail(page.error(), req);
            for (const auto& n : page->items) {
              const auto left = n.deadline_at ? (*n.deadline_at - now) / 3600000 : 0;
              rows.push_back({n.number, n.kind == "reminder" ? "提醒卡" : "整改通知单",
                              unit_name(**cfg, n.unit_id), std::to_string(n.case_ids.size()),
                              local_time(**cfg, n.issued_at), local_time(**cfg, n.deadline_at),
                              n.deadline_at && n.open
                                  ? (left >= 0 ? "剩余" + std::to_string(left) + "小时"
                                               : "超期" + std::to_string(-left) + "小时")
                                  : ""});
            }
            if (!page->next_cursor || rows.size() >= kMaxRows) break;
            before = std::stoll(*page->next_cursor);
          }
          return xlsx(reports::to_xlsx("整改清单",
                                       {"编号", "类别", "责任单位", "问题数", "下发时间",
                                        "整改时限", "剩余时间"},
                                       rows, {3}),  // 问题数 is a number
                      "notices.xlsx");
        }));

  r.add("GET", "/api/v1/notices/{id}.pdf",
        authed(api, [ca](http::Request& req, const app::Principal& who) {
          auto id = path_id(req);
          if (!id) return fail(id.error(), req);
          auto pdf = ca->notices.pdf(who.actor, *id);
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
