// /api/v1/meetings and /api/v1/action-items (例会, 推进会, 督办事项; issue 8 part 8): parse, call
// the meeting use case (app/meeting_service.hpp), render. Meeting bodies carry the attendees,
// agenda and decisions as arrays, read strictly (wrong types and unknown members name the field).
// An item is closed with the photo as the request body (like a case's attachment) and the note
// and version in the query.
#include "api/common.hpp"
#include "app/meeting_service.hpp"

#include <algorithm>
#include <set>

namespace civicloop::api {

namespace {

json::value opt(const std::optional<std::int64_t>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}

std::string iso(Millis t) { return format_iso_utc(t); }

json::object item_json(const meetings::ActionItem& it, const app::TenantCaseConfig* cfg) {
  json::object o{
      {"id", it.id},
      {"meeting_id", it.meeting_id},
      {"seq", it.seq},
      {"text", it.text},
      {"owner_unit_id", it.owner_unit_id},
      {"owner_unit_name", cfg != nullptr ? cfg->unit_name(it.owner_unit_id) : std::string()},
      {"owner_person_id", opt(it.owner_person_id)},
      {"limit", json::object{{"amount", it.limit.amount},
                             {"unit", std::string(calendar::to_string(it.limit.unit))}}},
      {"deadline", iso(it.timer.deadline)},
      {"deadline_estimated", it.timer.estimated},
      {"state", std::string(meetings::to_string(it.state))},
      {"overdue", it.overdue},
      {"escalation_level", it.escalation_level},
      {"warned_percent", it.timer.warned_percent},
      {"close_note", it.close_note},
      {"closed_at", it.closed_at ? json::value(iso(*it.closed_at)) : json::value(nullptr)},
      {"closed_by", opt(it.closed_by)},
      {"has_photo", it.photo_sha256.has_value()},
      {"photo_flags", it.photo_flags},
      {"version", it.version}};
  return o;
}

json::object meeting_json(const meetings::Meeting& m) {
  json::array attendees;
  for (const auto& a : m.attendees) {
    attendees.push_back(json::object{{"unit_id", opt(a.unit_id)}, {"person_id", opt(a.person_id)}});
  }
  json::array agenda;
  for (const auto& a : m.agenda) {
    agenda.push_back(json::object{{"title", a.title}, {"minutes", a.minutes}});
  }
  json::array decisions;
  for (const auto& d : m.decisions) {
    decisions.push_back(json::object{
        {"text", d.text},
        {"owner_unit_id", d.owner_unit_id},
        {"owner_person_id", opt(d.owner_person_id)},
        {"limit", json::object{{"amount", d.limit.amount},
                               {"unit", std::string(calendar::to_string(d.limit.unit))}}}});
  }
  return json::object{
      {"id", m.id},
      {"kind", std::string(meetings::to_string(m.kind))},
      {"title", m.title},
      {"starts_at", iso(m.starts_at)},
      {"place", m.place},
      {"state", std::string(meetings::to_string(m.state))},
      {"attendees", std::move(attendees)},
      {"agenda", std::move(agenda)},
      {"decisions", std::move(decisions)},
      {"issued_at", m.issued_at ? json::value(iso(*m.issued_at)) : json::value(nullptr)},
      {"created_at", iso(m.created_at)},
      {"updated_at", iso(m.updated_at)},
      {"version", m.version}};
}

json::object view_json(const app::MeetingView& v, const app::TenantCaseConfig* cfg) {
  json::array items;
  for (const auto& it : v.items) items.push_back(item_json(it, cfg));
  return json::object{{"meeting", meeting_json(v.meeting)}, {"items", std::move(items)}};
}

// A member of an array element, strictly.
struct Members {
  const json::object& o;
  std::string where;
  std::optional<Error> error;
  std::set<std::string> seen;

  const json::value* get(std::string_view k) {
    seen.insert(std::string(k));
    return o.if_contains(k);
  }
  void bad(std::string_view k, const char* expected) {
    if (!error) {
      error = make_error("request.invalid_type", where + "." + std::string(k))
                  .with("expected", expected);
    }
  }
  std::string str(std::string_view k, bool required) {
    const auto* v = get(k);
    if (v == nullptr || v->is_null()) {
      if (required && !error) error = make_error("field.required", where + "." + std::string(k));
      return {};
    }
    if (!v->is_string()) {
      bad(k, "string");
      return {};
    }
    return std::string(v->as_string());
  }
  std::optional<std::int64_t> int64(std::string_view k) {
    const auto* v = get(k);
    if (v == nullptr || v->is_null()) return std::nullopt;
    if (!v->is_int64()) {
      bad(k, "integer");
      return std::nullopt;
    }
    return v->as_int64();
  }
  Status finish() {
    if (error) return *error;
    for (const auto& kv : o) {
      if (!seen.contains(std::string(kv.key()))) {
        return make_error("request.unknown_field", where + "." + std::string(kv.key()));
      }
    }
    return Ok{};
  }
};

const json::array* array_field(Body& b, std::string_view key, Status& st) {
  const auto* v = b.raw(key);
  if (v == nullptr || v->is_null()) return nullptr;
  if (!v->is_array()) {
    if (st) st = make_error("request.invalid_type", std::string(key)).with("expected", "array");
    return nullptr;
  }
  return &v->as_array();
}

// A meeting from a body (create and edit); the version is read by the caller.
Expected<meetings::Meeting> read_meeting(Body& b) {
  meetings::Meeting m;
  const auto kind = b.req_str("kind");
  m.title = b.req_str("title");
  const auto starts = b.req_str("starts_at");
  m.place = b.str("place").value_or("");
  Status st = Ok{};
  auto each = [&](std::string_view key, auto&& fn) {
    const auto* arr = array_field(b, key, st);
    if (arr == nullptr) return;
    for (std::size_t i = 0; i < arr->size() && st; ++i) {
      const auto where = std::string(key) + "[" + std::to_string(i) + "]";
      if (!(*arr)[i].is_object()) {
        st = make_error("request.invalid_type", where).with("expected", "object");
        return;
      }
      Members mem{(*arr)[i].as_object(), where, std::nullopt, {}};
      fn(mem);
      if (auto s = mem.finish(); !s) st = s;
    }
  };
  each("attendees", [&](Members& x) {
    m.attendees.push_back({x.int64("unit_id"), x.int64("person_id")});
  });
  each("agenda", [&](Members& x) {
    m.agenda.push_back({x.str("title", true), x.str("minutes", false)});
  });
  each("decisions", [&](Members& x) {
    meetings::Decision d;
    d.text = x.str("text", true);
    d.owner_unit_id = x.int64("owner_unit_id").value_or(0);
    d.owner_person_id = x.int64("owner_person_id");
    if (const auto* l = x.get("limit"); l != nullptr && !l->is_null()) {
      if (!l->is_object()) {
        x.bad("limit", "object");
      } else {
        Members lm{l->as_object(), x.where + ".limit", std::nullopt, {}};
        const auto amount = lm.int64("amount");
        const auto unit = lm.str("unit", true);
        if (auto s = lm.finish(); !s && !x.error) x.error = s.error();
        d.limit.amount = static_cast<int>(std::clamp<std::int64_t>(amount.value_or(0), -1, 100000));
        if (auto u = calendar::parse_limit_unit(unit)) {
          d.limit.unit = *u;
        } else if (!x.error) {
          x.error = make_error("meeting.bad_limit_unit", x.where + ".limit.unit");
        }
      }
    }
    m.decisions.push_back(std::move(d));
  });
  if (!st) return st.error();
  if (!kind.empty()) {
    auto k = meetings::parse_kind(kind);
    if (!k) return make_error("meeting.bad_kind", "kind");
    m.kind = *k;
  }
  if (!starts.empty()) {
    auto t = parse_iso_utc(starts);
    if (!t) return make_error("request.invalid_parameter", "starts_at");
    m.starts_at = *t;
  }
  return m;
}

}  // namespace

void add_meeting_routes(Api& api) {
  auto svc = std::make_shared<app::MeetingService>(api.ctx, api.case_config, &api.evidence);
  auto& r = api.router;
  auto cfg_of = [&api](const app::Principal& who) -> std::shared_ptr<const app::TenantCaseConfig> {
    auto c = api.case_config.get(who.actor.tenant_id);
    return c ? *c : nullptr;
  };

  r.add("GET", "/api/v1/meetings",
        authed(api, [svc](http::Request& req, const app::Principal& who) {
          std::optional<meetings::Kind> kind;
          if (auto k = req.query_param("kind"); k && !k->empty()) {
            kind = meetings::parse_kind(*k);
            if (!kind) return fail(make_error("meeting.bad_kind", "kind"), req);
          }
          auto limit = query_limit(req);
          if (!limit) return fail(limit.error(), req);
          auto cursor = req.query_param("cursor");
          if (cursor && cursor->empty()) cursor.reset();
          auto page = svc->list(who.actor, kind, *limit, cursor);
          if (!page) return fail(page.error(), req);
          json::array items;
          for (const auto& m : page->items) items.push_back(meeting_json(m));
          return json_response(page_json(std::move(items), page->next_cursor));
        }));

  r.add("POST", "/api/v1/meetings",
        authed(api, [svc, cfg_of](http::Request& req, const app::Principal& who) {
          auto body = parse_body(req);
          if (!body) return fail(body.error(), req);
          auto m = read_meeting(*body);
          if (!m) return fail(m.error(), req);
          if (auto s = body->finish(); !s) return fail(s.error(), req);
          auto v = svc->create(who.actor, std::move(*m));
          if (!v) return fail(v.error(), req);
          return json_response(view_json(*v, cfg_of(who).get()), 201);
        }));

  r.add("GET", "/api/v1/meetings/{id}",
        authed(api, [svc, cfg_of](http::Request& req, const app::Principal& who) {
          auto id = path_id(req);
          if (!id) return fail(id.error(), req);
          auto v = svc->get(who.actor, *id);
          if (!v) return fail(v.error(), req);
          return json_response(view_json(*v, cfg_of(who).get()));
        }));

  r.add("PUT", "/api/v1/meetings/{id}",
        authed(api, [svc, cfg_of](http::Request& req, const app::Principal& who) {
          auto id = path_id(req);
          if (!id) return fail(id.error(), req);
          auto body = parse_body(req);
          if (!body) return fail(body.error(), req);
          auto m = read_meeting(*body);
          const int version = body->req_int32("version");
          if (auto s = body->finish(); !s) return fail(s.error(), req);
          if (!m) return fail(m.error(), req);
          auto v = svc->update(who.actor, *id, std::move(*m), version);
          if (!v) return fail(v.error(), req);
          return json_response(view_json(*v, cfg_of(who).get()));
        }));

  for (const bool issue : {true, false}) {
    r.add("POST", issue ? "/api/v1/meetings/{id}/issue" : "/api/v1/meetings/{id}/cancel",
          authed(api, [svc, cfg_of, issue](http::Request& req, const app::Principal& who) {
            auto id = path_id(req);
            if (!id) return fail(id.error(), req);
            auto body = parse_body(req);
            if (!body) return fail(body.error(), req);
            const int version = body->req_int32("version");
            if (auto s = body->finish(); !s) return fail(s.error(), req);
            auto v =
                issue ? svc->issue(who.actor, *id, version) : svc->cancel(who.actor, *id, version);
            if (!v) return fail(v.error(), req);
            return json_response(view_json(*v, cfg_of(who).get()));
          }));
  }

  r.add("GET", "/api/v1/meetings/{id}/report",
        authed(api, [svc](http::Request& req, const app::Principal& who) {
          auto id = path_id(req);
          if (!id) return fail(id.error(), req);
          auto v = svc->report(who.actor, *id);
          if (!v) return fail(v.error(), req);
          return json_response(json::object{{"report", std::move(*v)}});
        }));

  r.add("GET", "/api/v1/meetings/{id}/minutes.pdf",
        authed(api, [svc](http::Request& req, const app::Principal& who) {
          auto id = path_id(req);
          if (!id) return fail(id.error(), req);
          auto pdf = svc->minutes_pdf(who.actor, *id, locale_of(req));
          if (!pdf) return fail(pdf.error(), req);
          http::Response resp;
          resp.content_type = "application/pdf";
          resp.body = std::move(*pdf);
          resp.add_header("Content-Disposition",
                          "inline; filename=\"minutes-" + std::to_string(*id) + ".pdf\"");
          return resp;
        }));

  r.add("GET", "/api/v1/action-items",
        authed(api, [svc, cfg_of](http::Request& req, const app::Principal& who) {
          auto meeting = query_int(req, "meeting_id");
          if (!meeting) return fail(meeting.error(), req);
          std::optional<meetings::ItemState> state;
          if (auto s = req.query_param("state"); s && !s->empty()) {
            state = meetings::parse_item_state(*s);
            if (!state) return fail(make_error("request.invalid_parameter", "state"), req);
          }
          auto overdue = query_bool(req, "overdue");
          if (!overdue) return fail(overdue.error(), req);
          auto limit = query_limit(req);
          if (!limit) return fail(limit.error(), req);
          auto cursor = req.query_param("cursor");
          if (cursor && cursor->empty()) cursor.reset();
          auto page = svc->items(who.actor, *meeting, state, *overdue, *limit, cursor);
          if (!page) return fail(page.error(), req);
          const auto cfg = cfg_of(who);
          json::array items;
          for (const auto& it : page->items) items.push_back(item_json(it, cfg.get()));
          return json_response(page_json(std::move(items), page->next_cursor));
        }));

  r.add("GET", "/api/v1/action-items/{id}",
        authed(api, [svc, cfg_of](http::Request& req, const app::Principal& who) {
          auto id = path_id(req);
          if (!id) return fail(id.error(), req);
          auto it = svc->item(who.actor, *id);
          if (!it) return fail(it.error(), req);
          return json_response(json::object{{"item", item_json(*it, cfg_of(who).get())}});
        }));

  r.add("POST", "/api/v1/action-items/{id}/close",
        authed(api, [svc, cfg_of](http::Request& req, const app::Principal& who) {
          auto id = path_id(req);
          if (!id) return fail(id.error(), req);
          auto version = query_int(req, "version");
          if (!version) return fail(version.error(), req);
          const auto note = req.query_param("note").value_or("");
          std::optional<int> v;
          if (*version) v = static_cast<int>(**version);
          auto it = svc->close_item(who.actor, *id, note, req.body, v);
          if (!it) return fail(it.error(), req);
          return json_response(json::object{{"item", item_json(*it, cfg_of(who).get())}});
        }));

  for (const bool thumb : {false, true}) {
    r.add("GET",
          thumb ? "/api/v1/action-items/{id}/photo/thumbnail" : "/api/v1/action-items/{id}/photo",
          authed(api, [svc, thumb](http::Request& req, const app::Principal& who) {
            auto id = path_id(req);
            if (!id) return fail(id.error(), req);
            auto f = svc->item_photo(who.actor, *id, thumb);
            if (!f) return fail(f.error(), req);
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
}

}  // namespace civicloop::api
