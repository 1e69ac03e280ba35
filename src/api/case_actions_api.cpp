// GET /api/v1/case-actions: what each case action needs (a reason always or when, the photo that
// must be uploaded first, the fields it takes) for every action, from the domain's one table
// (domain/case_actions.hpp). The web dialog reads the same entries from the case view's `actions`
// (the actions this actor may take on that case now).
#include "api/case_render.hpp"
#include "api/common.hpp"
#include "domain/case.hpp"

namespace civicloop::api {

void add_case_action_routes(Api& api) {
  api.router.add("GET", "/api/v1/case-actions",
                 authed(api, [](http::Request&, const app::Principal&) {
                   json::array items;
                   for (const auto a : cases::all_actions()) items.push_back(action_needs_json(a));
                   return json_response(json::object{{"items", items}});
                 }));
}

}  // namespace civicloop::api
