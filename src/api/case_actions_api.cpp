// GET /api/v1/case-actions: what each case action needs (a reason always or when, the photo that
// must be uploaded first, the fields it takes), from the domain's one table. The web app's action
// dialog is built from this answer rather than from its own copy of the rules.
#include "api/common.hpp"
#include "domain/case.hpp"

namespace civicloop::api {

void add_case_action_routes(Api& api) {
  api.router.add(
      "GET", "/api/v1/case-actions", authed(api, [](http::Request&, const app::Principal&) {
        json::array items;
        for (const auto a : cases::all_actions()) {
          const auto& n = cases::needs(a);
          json::array required;
          for (const auto f : n.required) required.emplace_back(f);
          json::array optional;
          for (const auto f : n.optional) optional.emplace_back(f);
          items.push_back(
              json::object{{"action", cases::to_string(a)},
                           {"note", cases::to_string(n.note)},
                           {"photo_stage", n.photo_stage.empty() ? json::value(nullptr)
                                                                 : json::value(n.photo_stage)},
                           {"required", required},
                           {"optional", optional}});
        }
        return json_response(json::object{{"items", items}});
      }));
}

}  // namespace civicloop::api
