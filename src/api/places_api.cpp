// GET /api/v1/places/mine (我的联系点): the places the caller is the liaison leader for, with their
// open, overdue and escalated cases and the case-list filter behind each number. Calls the places
// use case (app/places_service.hpp), renders.
#include "api/common.hpp"
#include "app/places_service.hpp"

namespace civicloop::api {

namespace {

// The GET /api/v1/cases filter of a place's open cases, plus `extra` (overdue or escalated).
json::object place_filter(const app::MyPlace& p, const char* extra) {
  json::object f{
      {p.kind == "subdistrict" ? "subdistrict_id" : "community_id", std::to_string(p.unit_id)},
      {"open", "true"}};
  if (extra != nullptr) f[extra] = "true";
  return f;
}

}  // namespace

void add_places_routes(Api& api) {
  auto places = std::make_shared<app::PlacesService>(api.ctx);

  api.router.add(
      "GET", "/api/v1/places/mine",
      authed(api, [places](http::Request& req, const app::Principal& who) {
        auto v = places->mine(who.actor);
        if (!v) return fail(v.error(), req);
        json::array items;
        for (const auto& p : *v) {
          items.push_back(json::object{
              {"unit_id", p.unit_id},
              {"kind", p.kind},
              {"name", p.name},
              {"name_en", p.name_en ? json::value(*p.name_en) : json::value(nullptr)},
              {"parent_id", p.parent_id ? json::value(*p.parent_id) : json::value(nullptr)},
              {"parent_name", p.parent_name},
              {"parent_name_en",
               p.parent_name_en ? json::value(*p.parent_name_en) : json::value(nullptr)},
              {"open", p.counts.open},
              {"overdue", p.counts.overdue},
              {"escalated", p.counts.escalated},
              {"cases", json::object{{"open", place_filter(p, nullptr)},
                                     {"overdue", place_filter(p, "overdue")},
                                     {"escalated", place_filter(p, "escalated")}}}});
        }
        return json_response(json::object{{"items", std::move(items)}});
      }));
}

}  // namespace civicloop::api
