// GET /api/v1/digests (what a unit's head was sent, and to whom it goes) and GET
// /api/v1/digests/preview (the digest the head would get now, worded in the reader's language).
// Calls the digest use cases (app/digest_service.hpp), renders.
#include "api/body.hpp"
#include "api/common.hpp"
#include "app/digest_service.hpp"

namespace civicloop::api {

namespace {

json::object period_json(const kpi::Period& p) {
  return json::object{{"kind", kpi::to_string(p.kind)},
                      {"from", calendar::format_date(p.from)},
                      {"to", calendar::format_date(p.to)}};
}

// unit_id is required.
Expected<std::int64_t> unit_of(const http::Request& req) {
  auto id = query_int(req, "unit_id");
  if (!id) return id.error();
  if (!*id) return make_error("field.required", "unit_id");
  return **id;
}

}  // namespace

void add_digest_routes(Api& api) {
  auto digests = std::make_shared<app::DigestService>(api.ctx, api.case_config);

  api.router.add("GET", "/api/v1/digests",
                 authed(api, [digests](http::Request& req, const app::Principal& who) {
                   auto unit = unit_of(req);
                   if (!unit) return fail(unit.error(), req);
                   auto h = digests->history(who.actor, *unit);
                   if (!h) return fail(h.error(), req);
                   json::array runs;
                   for (const auto& r : h->runs) {
                     runs.push_back(json::object{{"kind", r.kind},
                                                 {"period_from", r.period_from},
                                                 {"robots", r.robots},
                                                 {"notified", r.notified},
                                                 {"sent_at", r.sent_at}});
                   }
                   json::array schedule;
                   for (const auto& s : h->schedule) {
                     json::object o{{"kind", digest::to_string(s.kind)},
                                    {"time", calendar::format_minute_of_day(s.minute)}};
                     if (s.kind == digest::Kind::kWeekly) o["weekday"] = s.weekday;
                     schedule.push_back(std::move(o));
                   }
                   return json_response(json::object{{"unit_id", *unit},
                                                     {"robots", h->robots},
                                                     {"heads", h->heads},
                                                     {"schedule", std::move(schedule)},
                                                     {"items", std::move(runs)}});
                 }));

  api.router.add("GET", "/api/v1/digests/preview",
                 authed(api, [digests](http::Request& req, const app::Principal& who) {
                   auto unit = unit_of(req);
                   if (!unit) return fail(unit.error(), req);
                   const auto kind = req.query_param("kind").value_or("daily");
                   auto m = digests->preview(who.actor, *unit, kind, locale_of(req));
                   if (!m) return fail(m.error(), req);
                   return json_response(json::object{{"unit_id", m->unit_id},
                                                     {"unit_name", m->unit_name},
                                                     {"kind", digest::to_string(m->kind)},
                                                     {"figures", period_json(m->due.figures)},
                                                     {"ranking", period_json(m->due.ranking)},
                                                     {"title", m->title},
                                                     {"markdown", m->markdown}});
                 }));
}

}  // namespace civicloop::api
