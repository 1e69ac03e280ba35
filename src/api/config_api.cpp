// /api/v1/categories, /routing-rules, /calendar, /webhooks, /notifications, /responsibility.
#include "api/common.hpp"
#include "app/config_service.hpp"
#include "reports/table.hpp"

namespace civicloop::api {

namespace {

json::object category_json(const storage::Category& c) {
  json::object o;
  o["code"] = c.code;
  o["parent_code"] = c.parent_code ? json::value(*c.parent_code) : json::value(nullptr);
  o["kind"] = c.kind;
  o["name"] = c.name;
  o["name_en"] = c.name_en ? json::value(*c.name_en) : json::value(nullptr);
  o["drive"] = c.drive ? json::value(*c.drive) : json::value(nullptr);
  o["filing_condition"] = c.filing_condition;
  o["closing_condition"] = c.closing_condition;
  o["notice_kind"] = c.notice_kind;
  o["time_limit"] = c.limit
                        ? json::value(json::object{{"amount", c.limit->amount},
                                                   {"unit", calendar::to_string(c.limit->unit)}})
                        : json::value(nullptr);
  o["responsible_kind"] =
      c.responsible_kind ? json::value(*c.responsible_kind) : json::value(nullptr);
  o["responsible_unit_id"] =
      c.responsible_unit_id ? json::value(*c.responsible_unit_id) : json::value(nullptr);
  o["supervising_group_id"] =
      c.supervising_group_id ? json::value(*c.supervising_group_id) : json::value(nullptr);
  json::array kw;
  std::size_t i = 0;
  while (i < c.keywords.size()) {
    auto j = c.keywords.find(' ', i);
    if (j == std::string::npos) j = c.keywords.size();
    if (j > i) kw.emplace_back(c.keywords.substr(i, j - i));
    i = j + 1;
  }
  o["keywords"] = kw;
  o["active"] = c.active;
  o["version"] = c.version;
  return o;
}

json::object rule_json(const routing::Rule& r) {
  json::object o;
  o["id"] = r.id;
  o["name"] = r.name;
  o["category"] = r.category ? json::value(*r.category) : json::value(nullptr);
  o["category_prefix"] = r.category_prefix ? json::value(*r.category_prefix) : json::value(nullptr);
  o["area_unit_id"] = r.area_unit_id ? json::value(*r.area_unit_id) : json::value(nullptr);
  o["area_kind"] = r.area_kind ? json::value(org::to_string(*r.area_kind)) : json::value(nullptr);
  if (r.from_minute && r.to_minute) {
    o["hours"] = json::object{{"from", calendar::format_minute_of_day(*r.from_minute)},
                              {"to", calendar::format_minute_of_day(*r.to_minute)}};
  } else {
    o["hours"] = nullptr;
  }
  o["unit_id"] = r.unit_id ? json::value(*r.unit_id) : json::value(nullptr);
  o["unit_by_area"] =
      r.unit_by_area ? json::value(org::to_string(*r.unit_by_area)) : json::value(nullptr);
  o["supervising_group_id"] =
      r.supervising_group_id ? json::value(*r.supervising_group_id) : json::value(nullptr);
  o["active"] = r.active;
  return o;
}

json::object calendar_json(const storage::CalendarConfig& c) {
  json::array periods;
  for (const auto& p : c.periods) {
    periods.push_back(json::object{{"start", calendar::format_minute_of_day(p.start_minute)},
                                   {"end", calendar::format_minute_of_day(p.end_minute)}});
  }
  json::array years;
  for (const auto& y : c.years) {
    json::array h;
    json::array m;
    for (const auto& d : y.holidays) h.emplace_back(calendar::format_date(d));
    for (const auto& d : y.makeup_workdays) m.emplace_back(calendar::format_date(d));
    years.push_back(json::object{{"year", y.year}, {"holidays", h}, {"makeup_workdays", m}});
  }
  return json::object{
      {"utc_offset_minutes", c.utc_offset_minutes}, {"periods", periods}, {"years", years}};
}

json::object webhook_json(const storage::Webhook& w) {
  // The URL carries the robot's token: show its start only.
  std::string shown = w.url.substr(0, std::min<std::size_t>(w.url.size(), 40));
  if (w.url.size() > 40) shown += "…";
  return json::object{{"id", w.id},
                      {"name", w.name},
                      {"flavour", w.flavour},
                      {"url", shown},
                      {"has_secret", w.secret.has_value()},
                      {"active", w.active},
                      {"locale", w.locale},
                      {"unit_id", w.unit_id ? json::value(*w.unit_id) : json::value(nullptr)}};
}

Expected<std::vector<calendar::Date>> dates(Body& b, std::string_view key) {
  std::vector<calendar::Date> out;
  const auto* v = b.raw(key);
  if (v == nullptr) return out;
  if (!v->is_array())
    return make_error("request.invalid_type", std::string(key)).with("expected", "date[]");
  for (const auto& d : v->as_array()) {
    auto parsed = d.is_string() ? calendar::parse_date(d.as_string()) : std::nullopt;
    if (!parsed) return make_error("calendar.invalid_date", std::string(key));
    out.push_back(*parsed);
  }
  return out;
}

Expected<routing::Rule> parse_rule(const json::value& v, std::size_t i) {
  const std::string at = "items[" + std::to_string(i) + "]";
  if (!v.is_object()) return make_error("request.invalid_type", at).with("expected", "object");
  Body b(v.as_object());
  routing::Rule r;
  r.name = b.req_str("name");
  r.category = b.str("category");
  r.category_prefix = b.str("category_prefix");
  r.area_unit_id = b.int64("area_unit_id");
  if (auto k = b.str("area_kind")) {
    r.area_kind = org::parse_unit_kind(*k);
    if (!r.area_kind) return make_error("org.invalid_kind", at + ".area_kind");
  }
  if (const auto* h = b.raw("hours"); h != nullptr && !h->is_null()) {
    if (!h->is_object()) return make_error("routing.bad_hours", at + ".hours");
    Body hb(h->as_object());
    auto f = calendar::parse_minute_of_day(hb.req_str("from"));
    auto t = calendar::parse_minute_of_day(hb.req_str("to"));
    if (!f || !t || !hb.finish()) return make_error("routing.bad_hours", at + ".hours");
    r.from_minute = f;
    r.to_minute = t;
  }
  r.unit_id = b.int64("unit_id");
  if (auto k = b.str("unit_by_area")) {
    r.unit_by_area = org::parse_unit_kind(*k);
    if (!r.unit_by_area) return make_error("org.invalid_kind", at + ".unit_by_area");
  }
  r.supervising_group_id = b.int64("supervising_group_id");
  r.active = b.boolean("active").value_or(true);
  b.int64("id");  // ignored: positions are the order of the list
  if (auto s = b.finish(); !s) {
    return make_error(s.error().code, at + "." + s.error().field);
  }
  return r;
}

}  // namespace

void add_config_routes(Api& api) {
  struct Services {
    app::CaseConfigCache& cache;
    app::ConfigService config;
    explicit Services(Api& a) : cache(a.case_config), config(a.ctx, cache) {}
  };
  auto sv = std::make_shared<Services>(api);
  auto& r = api.router;

  r.add(
      "GET", "/api/v1/categories", authed(api, [sv](http::Request& req, const app::Principal& who) {
        if (auto s = access::require(who.actor, access::Permission::kCasesReport); !s) {
          return fail(s.error(), req);
        }
        auto cfg = sv->cache.get(who.actor.tenant_id);
        if (!cfg) return fail(cfg.error(), req);
        json::array drives;
        for (const auto& d : (*cfg)->drives) {
          drives.push_back(json::object{
              {"code", d.code},
              {"name", d.name},
              {"name_en", d.name_en ? json::value(*d.name_en) : json::value(nullptr)}});
        }
        std::vector<const storage::Category*> sorted;
        for (const auto& [code, c] : (*cfg)->categories) sorted.push_back(&c);
        std::sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) {
          return a->sort_order != b->sort_order ? a->sort_order < b->sort_order : a->code < b->code;
        });
        json::array items;
        for (const auto* c : sorted) items.push_back(category_json(*c));
        return json_response(json::object{{"drives", drives}, {"items", items}});
      }));

  r.add("PUT", "/api/v1/categories/{code}",
        authed(api, [sv](http::Request& req, const app::Principal& who) {
          auto body = parse_body(req);
          if (!body) return fail(body.error(), req);
          storage::Category c;
          c.code = req.path_params["code"];
          c.name = body->req_str("name");
          c.name_en = body->str("name_en");
          c.drive = body->str("drive");
          c.filing_condition = body->str("filing_condition").value_or("");
          c.closing_condition = body->str("closing_condition").value_or("");
          c.notice_kind = body->str("notice_kind").value_or("rectification");
          if (const auto* tl = body->raw("time_limit"); tl != nullptr && !tl->is_null()) {
            if (!tl->is_object())
              return fail(make_error("request.invalid_type", "time_limit"), req);
            Body tb(tl->as_object());
            const auto amount = tb.req_int32("amount");
            auto unit = calendar::parse_limit_unit(tb.req_str("unit"));
            if (!tb.finish() || !unit)
              return fail(make_error("case.bad_limit_unit", "time_limit"), req);
            c.limit = calendar::TimeLimit{amount, *unit};
          }
          c.responsible_kind = body->str("responsible_kind");
          c.responsible_unit_id = body->int64("responsible_unit_id");
          c.supervising_group_id = body->int64("supervising_group_id");
          if (const auto* kw = body->raw("keywords"); kw != nullptr && kw->is_array()) {
            for (const auto& k : kw->as_array()) {
              if (!k.is_string()) continue;
              if (!c.keywords.empty()) c.keywords += ' ';
              c.keywords += std::string(k.as_string());
            }
          }
          c.active = body->boolean("active").value_or(true);
          const auto version = body->req_int32("version");
          for (const char* ignored : {"code", "parent_code", "kind"}) body->raw(ignored);
          if (auto s = body->finish(); !s) return fail(s.error(), req);
          auto out = sv->config.update_category(who.actor, c, version);
          if (!out) return fail(out.error(), req);
          return json_response(category_json(*out));
        }));

  r.add("GET", "/api/v1/routing-rules",
        authed(api, [sv](http::Request& req, const app::Principal& who) {
          if (auto s = access::require(who.actor, access::Permission::kCasesRead); !s) {
            return fail(s.error(), req);
          }
          auto cfg = sv->cache.get(who.actor.tenant_id);
          if (!cfg) return fail(cfg.error(), req);
          json::array items;
          for (const auto& rule : (*cfg)->rules) items.push_back(rule_json(rule));
          return json_response(json::object{{"items", items}});
        }));

  r.add("PUT", "/api/v1/routing-rules",
        authed(api, [sv](http::Request& req, const app::Principal& who) {
          auto body = parse_body(req);
          if (!body) return fail(body.error(), req);
          const auto* items = body->raw("items");
          if (auto s = body->finish(); !s) return fail(s.error(), req);
          if (items == nullptr || !items->is_array())
            return fail(make_error("field.required", "items"), req);
          std::vector<routing::Rule> rules;
          for (std::size_t i = 0; i < items->as_array().size(); ++i) {
            auto rule = parse_rule(items->as_array()[i], i);
            if (!rule) return fail(rule.error(), req);
            rules.push_back(std::move(*rule));
          }
          auto out = sv->config.replace_rules(who.actor, std::move(rules));
          if (!out) return fail(out.error(), req);
          json::array a;
          for (const auto& rule : *out) a.push_back(rule_json(rule));
          return json_response(json::object{{"items", a}});
        }));

  r.add("GET", "/api/v1/calendar", authed(api, [sv](http::Request& req, const app::Principal& who) {
          auto c = sv->config.calendar(who.actor);
          if (!c) return fail(c.error(), req);
          return json_response(calendar_json(*c));
        }));

  r.add("PUT", "/api/v1/calendar/years/{year}",
        authed(api, [sv](http::Request& req, const app::Principal& who) {
          int year = 0;
          try {
            year = std::stoi(req.path_params["year"]);
          } catch (...) {
            return fail(make_error("not_found"), req);
          }
          if (year < 2000 || year > 2100)
            return fail(make_error("calendar.invalid_year", "year"), req);
          auto body = parse_body(req);
          if (!body) return fail(body.error(), req);
          auto holidays = dates(*body, "holidays");
          auto makeup = dates(*body, "makeup_workdays");
          if (!holidays) return fail(holidays.error(), req);
          if (!makeup) return fail(makeup.error(), req);
          if (auto s = body->finish(); !s) return fail(s.error(), req);
          auto c = sv->config.save_year(who.actor, {year, *holidays, *makeup});
          if (!c) return fail(c.error(), req);
          return json_response(calendar_json(*c));
        }));

  r.add("GET", "/api/v1/webhooks",
        authed(api, [sv, &api](http::Request& req, const app::Principal& who) {
          auto ws = sv->config.webhooks(who.actor);
          if (!ws) return fail(ws.error(), req);
          auto cfg = api.case_config.get(who.actor.tenant_id);
          json::array items;
          for (const auto& w : *ws) {
            auto o = webhook_json(w);
            if (w.unit_id && cfg) o["unit_name"] = (*cfg)->unit_name(*w.unit_id);
            items.push_back(std::move(o));
          }
          return json_response(json::object{{"items", items}});
        }));

  r.add("POST", "/api/v1/webhooks",
        authed(api, [sv](http::Request& req, const app::Principal& who) {
          auto body = parse_body(req);
          if (!body) return fail(body.error(), req);
          storage::Webhook w;
          w.name = body->req_str("name");
          w.flavour = body->req_str("flavour");
          w.url = body->req_str("url");
          w.secret = body->str("secret");
          if (auto l = body->str("locale")) w.locale = *l;
          w.unit_id = body->int64("unit_id");
          if (auto s = body->finish(); !s) return fail(s.error(), req);
          auto out = sv->config.add_webhook(who.actor, w);
          if (!out) return fail(out.error(), req);
          return json_response(webhook_json(*out), 201);
        }));

  r.add("DELETE", "/api/v1/webhooks/{id}",
        authed(api, [sv](http::Request& req, const app::Principal& who) {
          auto id = path_id(req);
          if (!id) return fail(id.error(), req);
          if (auto s = sv->config.remove_webhook(who.actor, *id); !s) return fail(s.error(), req);
          return http::Response::no_content();
        }));

  r.add("GET", "/api/v1/notifications",
        authed(api, [sv](http::Request& req, const app::Principal& who) {
          auto unread = query_bool(req, "unread");
          auto limit = query_limit(req);
          auto cursor = query_int(req, "cursor");
          if (!unread) return fail(unread.error(), req);
          if (!limit) return fail(limit.error(), req);
          if (!cursor) return fail(make_error("request.invalid_cursor", "cursor"), req);
          auto in = sv->config.inbox(who.actor, *unread, *limit, *cursor, locale_of(req));
          if (!in) return fail(in.error(), req);
          json::array items;
          for (const auto& n : in->items) {
            items.push_back(json::object{
                {"id", n.id},
                {"case_id", n.case_id ? json::value(*n.case_id) : json::value(nullptr)},
                {"kind", n.kind},
                {"title", n.title},
                {"body", n.body},
                {"created_at", format_iso_utc(n.created_at)},
                {"read", n.read_at.has_value()}});
          }
          auto o = page_json(std::move(items), in->next_cursor);
          o["unread"] = in->unread;
          return json_response(o);
        }));

  r.add("POST", "/api/v1/notifications/{id}/read",
        authed(api, [sv](http::Request& req, const app::Principal& who) {
          auto id = path_id(req);
          if (!id) return fail(id.error(), req);
          if (auto s = sv->config.mark_read(who.actor, *id); !s) return fail(s.error(), req);
          return http::Response::no_content();
        }));

  r.add("POST", "/api/v1/notifications/read-all",
        authed(api, [sv](http::Request& req, const app::Principal& who) {
          if (auto s = sv->config.mark_read(who.actor, std::nullopt); !s)
            return fail(s.error(), req);
          return http::Response::no_content();
        }));

  auto responsibility = [sv](const http::Request& req, const app::Principal& who)
      -> Expected<std::pair<std::shared_ptr<const app::TenantCaseConfig>,
                            std::vector<app::ResponsibilityRow>>> {
    auto unit = query_int(req, "unit_id");
    if (!unit) return unit.error();
    auto cfg = sv->cache.get(who.actor.tenant_id);
    if (!cfg) return cfg.error();
    auto rows = sv->config.responsibility(who.actor, *unit);
    if (!rows) return rows.error();
    return std::make_pair(*cfg, std::move(*rows));
  };

  r.add("GET", "/api/v1/responsibility",
        authed(api, [responsibility](http::Request& req, const app::Principal& who) {
          auto res = responsibility(req, who);
          if (!res) return fail(res.error(), req);
          const auto& cfg = *res->first;
          json::array items;
          for (const auto& row : res->second) {
            const auto* u = cfg.unit(row.unit_id);
            json::array cats;
            for (const auto& c : row.categories) {
              const auto* cat = cfg.category(c);
              cats.push_back(json::object{{"code", c}, {"name", cat ? cat->name : c}});
            }
            json::array areas;
            for (const auto a : row.areas) {
              areas.push_back(
                  json::object{{"id", a}, {"name", cfg.unit(a) ? cfg.unit(a)->name : ""}});
            }
            items.push_back(
                json::object{{"unit", json::object{{"id", row.unit_id},
                                                   {"name", u ? u->name : ""},
                                                   {"kind", u ? org::to_string(u->kind) : ""}}},
                             {"categories", cats},
                             {"areas", areas},
                             {"open_cases", row.open_cases},
                             {"overdue_cases", row.overdue_cases}});
          }
          return json_response(json::object{{"items", items}});
        }));

  r.add("GET", "/api/v1/responsibility.xlsx",
        authed(api, [responsibility](http::Request& req, const app::Principal& who) {
          auto res = responsibility(req, who);
          if (!res) return fail(res.error(), req);
          const auto& cfg = *res->first;
          const auto locale = locale_of(req);
          const auto sep = cfg.word(locale, "common.list_separator");
          reports::Table rows;
          for (const auto& row : res->second) {
            std::string cats;
            for (const auto& c : row.categories) {
              cats += (cats.empty() ? "" : sep) + cfg.category_name(c, locale);
            }
            std::string areas;
            for (const auto a : row.areas) areas += (areas.empty() ? "" : sep) + cfg.unit_name(a);
            rows.push_back({cfg.unit_name(row.unit_id), cats, areas, std::to_string(row.open_cases),
                            std::to_string(row.overdue_cases)});
          }
          std::vector<std::string> header;
          for (const char* k : {"unit", "categories", "areas", "open", "overdue"}) {
            header.push_back(cfg.word(locale, std::string("xlsx.responsibility.") + k));
          }
          http::Response resp;
          resp.content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
          resp.body = reports::to_xlsx(cfg.word(locale, "xlsx.responsibility.sheet"), header, rows,
                                       {3, 4});  // the counts are numbers
          resp.add_header("Content-Disposition", "attachment; filename=\"responsibility.xlsx\"");
          return resp;
        }));
}

}  // namespace civicloop::api
