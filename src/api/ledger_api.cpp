// /api/v1/ledger: the hash-chained record of every write, newest first, and its verification.
#include "api/common.hpp"
#include "app/ledger_service.hpp"
#include "app/views.hpp"

namespace civicloop::api {

void add_ledger_routes(Api& api) {
  api.router.add("GET", "/api/v1/ledger",
                 authed(api, [&api](http::Request& req, const app::Principal& who) {
                   storage::LedgerQuery q;
                   auto limit = query_limit(req);
                   auto cursor = query_cursor(req);
                   auto entity_id = query_int(req, "entity_id");
                   if (!limit) return fail(limit.error(), req);
                   if (!cursor) return fail(cursor.error(), req);
                   if (!entity_id) return fail(entity_id.error(), req);
                   q.limit = *limit;
                   if (*cursor) q.before_seq = (*cursor)->id;
                   q.entity_id = *entity_id;
                   if (auto t = req.query_param("entity_type"); t && !t->empty()) {
                     if (t->size() > 40) {
                       return fail(make_error("request.invalid_parameter", "entity_type"), req);
                     }
                     q.entity_type = *t;
                   }
                   auto page = app::list_ledger(api.ctx, who.actor, q);
                   if (!page) return fail(page.error(), req);
                   json::array items;
                   for (const auto& e : page->items) items.push_back(app::event_json(e));
                   return json_response(page_json(std::move(items), page->next_cursor));
                 }));

  api.router.add("GET", "/api/v1/ledger/verify",
                 authed(api, [&api](http::Request& req, const app::Principal& who) {
                   auto r = app::verify_ledger(api.ctx, who.actor);
                   if (!r) return fail(r.error(), req);
                   json::object o;
                   o["ok"] = r->ok;
                   o["events"] = r->events;
                   if (!r->ok) {
                     o["first_bad_seq"] =
                         r->bad_seq ? json::value(*r->bad_seq) : json::value(nullptr);
                     o["reason"] = r->reason;
                   }
                   return json_response(o);
                 }));
}

}  // namespace civicloop::api
