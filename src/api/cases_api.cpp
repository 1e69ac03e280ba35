// /api/v1/cases, /attachments, /notices, /responsibility: the closed loop and its lists.
// Handlers parse, call one use case, render.
#include <cmath>

#include "api/common.hpp"
#include "app/case_service.hpp"
#include "app/evidence_service.hpp"
#include "app/views.hpp"
#include "reports/notice_pdf.hpp"
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
  o["assigned_unit"] = ref(cfg, r.assigned_unit_id);
  o["supervising_group"] = ref(cfg, r.supervising_group_id);
  o["routing_rule"] = r.routing_rule ? json::value(*r.routing_rule) : json::value(nullptr);
  o["duplicate_of"] = r.duplicate_of ? json::value(*r.duplicate_of) : json::value(nullptr);
  o["rework_count"] = r.rework_count;
  o["escalation_level"] = r.escalation_level;
  o["extension_pending"] = r.extension_pending;
  if (r.extension_request) {
    boost::system::error_code ec;
    auto v = json::parse(*r.extension_request, ec);
    o["extension_request"] = ec ? json::value(nullptr) : v;
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
  o["remaining_ms"] = n.deadline_at ? json::value(*n.deadline_at - now) : json::value(nullptr);
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
  auto cursor = query_int(req, "cursor");
  if (!cursor) return make_error("request.invalid_cursor", "cursor");
  q.before_id = *cursor;
  return q;
}

struct CaseApi {
  Api& api;
  app::CaseConfigCache& config;
  app::CaseService cases;
  app::EvidenceService evidence;
  explicit CaseApi(Api& a)
      : api(a), config(a.case_config), cases(a.ctx, config), evidence(a.ctx, config) {}
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
          if (auto s = access::require(who.actor, access::Permission::kCasesReport); !s) {
            return fail(s.error(), req);
          }
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
          for (const auto& d : res->possible_duplicates) dups.push_back(case_json(**cfg, d, now));
          return json_response(json::object{{"case", case_json(**cfg, res->record, now)},
                                            {"possible_duplicates", dups}},
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
          for (const auto& c : page->items) items.push_back(case_json(**cfg, c, now));
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
            q->before_id = std::stoll(*page->next_cursor);
          }
          return xlsx(reports::to_xlsx("问题清单",
                                       {"问题编号", "状态", "问题类别", "标题", "位置", "街道",
                                        "社区/村", "责任单位", "来源", "上报时间", "截止时间",
                                        "超期", "返工次数", "销号时间"},
                                       rows),
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
          for (const auto& c : *list) items.push_back(case_json(**cfg, c, now));
          return json_response(page_json(std::move(items), std::nullopt));
        }));

  auto view_json = [ca](const app::Principal& who, const app::CaseView& v) {
    auto cfg = ca->config.get(who.actor.tenant_id);
    const Millis now = ca->api.ctx.clock.now();
    json::array events;
    for (const auto& e : v.events) events.push_back(app::event_json(e));
    json::array atts;
    for (const auto& a : v.attachments) atts.push_back(attachment_json(a, &v.record));
    json::array allowed;
    for (const auto a : v.allowed) allowed.emplace_back(cases::to_string(a));
    return json::object{{"case", case_json(**cfg, v.record, now)},
                        {"events", events},
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
          if (auto a = body->int64("extension_amount")) in.extension_amount = static_cast<int>(*a);
          in.extension_unit = body->str("extension_unit");
          in.decision = body->str("decision");
          in.review_date = body->str("review_date");
          in.duplicate_of = body->int64("duplicate_of");
          if (auto v = body->int64("version")) in.version = static_cast<int>(*v);
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
            http::Response resp;
            resp.content_type = f->content_type;
            resp.file_path = f->path;
            resp.add_header("Cache-Control", "private, max-age=86400");
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

  auto list_notices =
      [ca](const http::Request& req, const app::Principal& who, int limit,
           std::optional<std::int64_t> before) -> Expected<std::vector<storage::Notice>> {
    if (auto s = access::require(who.actor, access::Permission::kCasesRead); !s) return s.error();
    auto unit = query_int(req, "unit_id");
    if (!unit) return unit.error();
    const auto open_param = req.query_param("open");
    const bool open = !open_param || (*open_param != "false" && *open_param != "0");
    return app::in_tx<std::vector<storage::Notice>>(
        ca->api.ctx.db, false,
        [&](storage::Connection& c) -> Expected<std::vector<storage::Notice>> {
          return storage::CaseRepo(c, who.actor.tenant_id)
              .list_notices(*unit, open, &who.actor.scope, limit, before);
        });
  };

  r.add("GET", "/api/v1/notices",
        authed(api, [ca, list_notices](http::Request& req, const app::Principal& who) {
          auto limit = query_limit(req);
          auto cursor = query_int(req, "cursor");
          if (!limit) return fail(limit.error(), req);
          if (!cursor) return fail(make_error("request.invalid_cursor", "cursor"), req);
          auto ns = list_notices(req, who, *limit + 1, *cursor);
          if (!ns) return fail(ns.error(), req);
          auto cfg = ca->config.get(who.actor.tenant_id);
          std::optional<std::string> next;
          if (static_cast<int>(ns->size()) > *limit) {
            ns->pop_back();
            next = std::to_string(ns->back().id);
          }
          json::array items;
          for (const auto& n : *ns) items.push_back(notice_json(**cfg, n, ca->api.ctx.clock.now()));
          return json_response(page_json(std::move(items), next));
        }));

  r.add("GET", "/api/v1/notices.xlsx",
        authed(api, [ca, list_notices](http::Request& req, const app::Principal& who) {
          auto ns = list_notices(req, who, 5000, std::nullopt);
          if (!ns) return fail(ns.error(), req);
          auto cfg = ca->config.get(who.actor.tenant_id);
          const Millis now = ca->api.ctx.clock.now();
          reports::Table rows;
          for (const auto& n : *ns) {
            const auto left = n.deadline_at ? (*n.deadline_at - now) / 3600000 : 0;
            rows.push_back({n.number, n.kind == "reminder" ? "提醒卡" : "整改通知单",
                            unit_name(**cfg, n.unit_id), std::to_string(n.case_ids.size()),
                            local_time(**cfg, n.issued_at), local_time(**cfg, n.deadline_at),
                            n.deadline_at ? (left >= 0 ? "剩余" + std::to_string(left) + "小时"
                                                       : "超期" + std::to_string(-left) + "小时")
                                          : ""});
          }
          return xlsx(
              reports::to_xlsx(
                  "整改清单",
                  {"编号", "类别", "责任单位", "问题数", "下发时间", "整改时限", "剩余时间"}, rows),
              "notices.xlsx");
        }));

  auto notice_detail = [ca](const http::Request& req, const app::Principal& who)
      -> Expected<std::pair<storage::Notice, std::vector<cases::Record>>> {
    auto id = path_id(req);
    if (!id) return id.error();
    return app::in_tx<std::pair<storage::Notice, std::vector<cases::Record>>>(
        ca->api.ctx.db, false,
        [&](storage::Connection& c)
            -> Expected<std::pair<storage::Notice, std::vector<cases::Record>>> {
          storage::CaseRepo repo(c, who.actor.tenant_id);
          auto n = repo.find_notice(*id);
          if (!n) return make_error("case.notice_not_found");
          std::vector<cases::Record> rs;
          bool visible = who.actor.scope.all;
          for (const auto cid : n->case_ids) {
            if (auto r = repo.find(cid)) {
              visible = visible || app::CaseService::in_scope(who.actor, *r);
              rs.push_back(std::move(*r));
            }
          }
          if (!visible) return make_error("auth.out_of_scope");
          return std::make_pair(*n, rs);
        });
  };

  r.add("GET", "/api/v1/notices/{id}.pdf",
        authed(api, [ca, notice_detail](http::Request& req, const app::Principal& who) {
          auto d = notice_detail(req, who);
          if (!d) return fail(d.error(), req);
          auto cfg = ca->config.get(who.actor.tenant_id);
          const auto& n = d->first;
          reports::NoticeDoc doc;
          doc.kind = n.kind == "reminder" ? reports::NoticeDoc::Kind::kReminder
                                          : reports::NoticeDoc::Kind::kRectification;
          doc.number = n.number;
          doc.issuer = (*cfg)->workflow.issuer;
          doc.recipient = unit_name(**cfg, n.unit_id);
          doc.requirement = n.requirement;
          auto cn_date = [&](Millis t) {
            const auto s = local_time(**cfg, t);
            return std::to_string(std::stoi(s.substr(0, 4))) + "年" +
                   std::to_string(std::stoi(s.substr(5, 2))) + "月" +
                   std::to_string(std::stoi(s.substr(8, 2))) + "日";
          };
          if (n.deadline_at) {
            doc.deadline =
                cn_date(*n.deadline_at) + " " + local_time(**cfg, n.deadline_at).substr(11) + "前";
          }
          doc.issued_on = cn_date(n.issued_at);
          doc.footer_note = "整改完成后请在平台上传整改前后对比照片，由督导组核查销号。";
          for (const auto& c : d->second) {
            const auto* cat = (*cfg)->category(c.category_code);
            doc.items.push_back({c.case_no, cat ? cat->name : c.category_code, c.address,
                                 c.description.empty() ? c.title : c.description, doc.deadline});
          }
          http::Response resp;
          resp.content_type = "application/pdf";
          resp.body = reports::render_notice_pdf(doc);
          resp.add_header("Content-Disposition",
                          "inline; filename=\"notice-" + std::to_string(n.id) + ".pdf\"");
          return resp;
        }));
  r.add("GET", "/api/v1/notices/{id}",
        authed(api, [ca, notice_detail](http::Request& req, const app::Principal& who) {
          auto d = notice_detail(req, who);
          if (!d) return fail(d.error(), req);
          auto cfg = ca->config.get(who.actor.tenant_id);
          const Millis now = ca->api.ctx.clock.now();
          auto o = notice_json(**cfg, d->first, now);
          json::array cs;
          for (const auto& c : d->second) cs.push_back(case_json(**cfg, c, now));
          o["cases"] = cs;
          return json_response(o);
        }));
}

}  // namespace civicloop::api
