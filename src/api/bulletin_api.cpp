// The bulletins (通报) API: the list, drafting, one bulletin, editing (versioned), the workflow's
// transitions, the PDF, and the tenant's template. Each handler parses, calls one use case of
// app/bulletin_service.hpp, and renders.
#include "api/common.hpp"
#include "app/bulletin_service.hpp"

namespace civicloop::api {

namespace {

json::value parse_text(const std::string& text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  return ec ? json::value(nullptr) : v;
}

json::value opt(const std::optional<std::int64_t>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}
json::value opt(const std::optional<int>& v) { return v ? json::value(*v) : json::value(nullptr); }
json::value opt(const std::optional<std::string>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}
json::value when(const std::optional<Millis>& v) {
  return v ? json::value(format_iso_utc(*v)) : json::value(nullptr);
}

json::object bulletin_json(const storage::BulletinRow& b, const app::BulletinAllowed& a,
                           bool full) {
  json::object o{
      {"id", b.id},
      {"kind", b.kind},
      {"state", b.state},
      {"title", b.title},
      {"period",
       json::object{{"kind", b.period_kind}, {"from", b.period_from}, {"to", b.period_to}}},
      {"version", b.version},
      {"number", opt(b.number)},
      {"year", opt(b.year)},
      {"seq", opt(b.seq)},
      {"scheduled", b.schedule_key.has_value()},
      {"created_by", opt(b.created_by)},
      {"created_at", format_iso_utc(b.created_at)},
      {"updated_at", format_iso_utc(b.updated_at)},
      {"submitted_by", opt(b.submitted_by)},
      {"submitted_at", when(b.submitted_at)},
      {"approved_by", opt(b.approved_by)},
      {"approved_at", when(b.approved_at)},
      {"published_at", b.state == "published" ? when(b.published_at) : json::value(nullptr)},
      {"pdf_sha256", opt(b.pdf_sha256)},
      {"pdf_size", opt(b.pdf_size)},
      {"recipients", json::value_from(b.recipients)},
      {"allowed", json::object{{"edit", a.edit},
                               {"submit", a.submit},
                               {"withdraw", a.withdraw},
                               {"reject", a.reject},
                               {"approve", a.approve},
                               {"publish", a.publish}}}};
  if (full) {
    auto content = parse_text(b.content);
    o["sections"] = content.is_object() && content.as_object().contains("sections")
                        ? content.as_object().at("sections")
                        : json::array{};
    o["snapshot"] = parse_text(b.snapshot);
  }
  return o;
}

// ["…"] of integers, or an error naming the field.
Expected<std::vector<std::int64_t>> ids_of(const json::value* v, const char* field) {
  std::vector<std::int64_t> out;
  if (!v->is_array()) return make_error("request.invalid_type", field);
  for (const auto& x : v->as_array()) {
    if (!x.is_int64()) return make_error("request.invalid_type", field);
    out.push_back(x.as_int64());
  }
  return out;
}

Expected<std::vector<bulletin::Section>> sections_of(const json::value* v) {
  std::vector<bulletin::Section> out;
  if (!v->is_array()) return make_error("request.invalid_type", "sections");
  std::size_t i = 0;
  for (const auto& x : v->as_array()) {
    const auto at = "sections[" + std::to_string(i++) + "]";
    if (!x.is_object()) return make_error("request.invalid_type", at);
    Body b(x.as_object());
    bulletin::Section s;
    s.kind = b.req_str("kind");
    s.heading = b.str("heading").value_or("");
    s.text = b.str("text").value_or("");
    if (auto st = b.finish(); !st) {
      auto e = st.error();
      e.field = at + "." + e.field;
      return e;
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace

void add_bulletin_routes(Api& api) {
  auto svc = std::make_shared<app::BulletinService>(api.ctx, api.case_config);
  auto& r = api.router;

  r.add("GET", "/api/v1/bulletins",
        authed(api, [svc](http::Request& req, const app::Principal& who) {
          auto limit = query_limit(req);
          if (!limit) return fail(limit.error(), req);
          auto cursor = query_int(req, "cursor");
          if (!cursor) return fail(make_error("request.invalid_cursor", "cursor"), req);
          app::BulletinListQuery q;
          q.limit = *limit;
          q.before_id = *cursor;
          if (auto s = req.query_param("state"); s && !s->empty()) q.state = *s;
          if (auto k = req.query_param("kind"); k && !k->empty()) q.kind = *k;
          auto page = svc->list(who.actor, q);
          if (!page) return fail(page.error(), req);
          json::array items;
          for (const auto& b : page->items) {
            items.push_back(bulletin_json(b, svc->allowed(who.actor, b), false));
          }
          return json_response(page_json(std::move(items), page->next_cursor));
        }));

  r.add("POST", "/api/v1/bulletins",
        authed(api, [svc](http::Request& req, const app::Principal& who) {
          auto body = parse_body(req);
          if (!body) return fail(body.error(), req);
          app::BulletinDraftRequest q;
          q.kind = body->req_str("kind");
          q.date = body->str("date");
          q.from = body->str("from");
          q.to = body->str("to");
          if (auto s = body->finish(); !s) return fail(s.error(), req);
          auto b = svc->draft(who.actor, q);
          if (!b) return fail(b.error(), req);
          return json_response(bulletin_json(*b, svc->allowed(who.actor, *b), true), 201);
        }));

  r.add("GET", "/api/v1/bulletins/{id}.pdf",
        authed(api, [svc](http::Request& req, const app::Principal& who) {
          auto id = path_id(req);
          if (!id) return fail(id.error(), req);
          auto pdf = svc->pdf(who.actor, *id);
          if (!pdf) return fail(pdf.error(), req);
          http::Response resp;
          resp.content_type = "application/pdf";
          resp.body = std::move(*pdf);
          resp.add_header("Content-Disposition",
                          "inline; filename=\"bulletin-" + std::to_string(*id) + ".pdf\"");
          return resp;
        }));

  r.add("GET", "/api/v1/bulletins/{id}",
        authed(api, [svc](http::Request& req, const app::Principal& who) {
          auto id = path_id(req);
          if (!id) return fail(id.error(), req);
          auto b = svc->get(who.actor, *id);
          if (!b) return fail(b.error(), req);
          return json_response(bulletin_json(*b, svc->allowed(who.actor, *b), true));
        }));

  r.add("PUT", "/api/v1/bulletins/{id}",
        authed(api, [svc](http::Request& req, const app::Principal& who) {
          auto id = path_id(req);
          if (!id) return fail(id.error(), req);
          auto body = parse_body(req);
          if (!body) return fail(body.error(), req);
          app::BulletinEdit e;
          e.version = body->req_int32("version");
          e.title = body->str("title");
          if (const auto* v = body->raw("sections")) {
            auto s = sections_of(v);
            if (!s) return fail(s.error(), req);
            e.sections = std::move(*s);
          }
          if (const auto* v = body->raw("recipients")) {
            auto s = ids_of(v, "recipients");
            if (!s) return fail(s.error(), req);
            e.recipients = std::move(*s);
          }
          if (const auto* v = body->raw("typical_case_ids")) {
            auto s = ids_of(v, "typical_case_ids");
            if (!s) return fail(s.error(), req);
            e.typical_case_ids = std::move(*s);
          }
          if (auto s = body->finish(); !s) return fail(s.error(), req);
          auto b = svc->edit(who.actor, *id, e);
          if (!b) return fail(b.error(), req);
          return json_response(bulletin_json(*b, svc->allowed(who.actor, *b), true));
        }));

  r.add("POST", "/api/v1/bulletins/{id}/transitions",
        authed(api, [svc](http::Request& req, const app::Principal& who) {
          auto id = path_id(req);
          if (!id) return fail(id.error(), req);
          auto body = parse_body(req);
          if (!body) return fail(body.error(), req);
          const auto action = body->req_str("action");
          const auto version = body->int32("version");
          const auto note = body->str("note").value_or("");
          if (auto s = body->finish(); !s) return fail(s.error(), req);
          auto b = svc->transition(who.actor, *id, action, version, note);
          if (!b) return fail(b.error(), req);
          return json_response(bulletin_json(*b, svc->allowed(who.actor, *b), true));
        }));

  r.add("GET", "/api/v1/bulletin-template",
        authed(api, [svc](http::Request& req, const app::Principal& who) {
          auto doc = svc->template_doc(who.actor);
          if (!doc) return fail(doc.error(), req);
          return json_response(*doc);
        }));

  r.add("PUT", "/api/v1/bulletin-template",
        authed(api, [svc](http::Request& req, const app::Principal& who) {
          boost::system::error_code ec;
          auto doc = json::parse(req.body, ec);
          if (ec) return fail(make_error("request.malformed_json"), req);
          auto saved = svc->save_template(who.actor, doc);
          if (!saved) return fail(saved.error(), req);
          return json_response(*saved);
        }));
}

}  // namespace civicloop::api
