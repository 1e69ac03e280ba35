#include "app/places_service.hpp"

#include <algorithm>

#include "storage/account_repo.hpp"
#include "storage/org_repo.hpp"

namespace civicloop::app {

Expected<std::vector<MyPlace>> PlacesService::mine(const access::Actor& actor) {
  if (actor.role == access::Role::kCitizen) return make_error("auth.forbidden");
  return in_tx<std::vector<MyPlace>>(
      ctx_.db, false, [&](storage::Connection& c) -> Expected<std::vector<MyPlace>> {
        std::vector<MyPlace> out;
        auto me = storage::UserRepo(c, actor.tenant_id).find(actor.user_id);
        if (!me || !me->person_id) return out;  // an account without a person has no places
        storage::OrgRepo org(c, actor.tenant_id);
        std::vector<std::int64_t> subdistricts;
        std::vector<std::int64_t> communities;
        for (const auto& l : org.list_liaisons(std::nullopt, *me->person_id)) {
          auto u = org.find_unit(l.l.unit_id);
          if (!u || u->retired || !actor.scope.covers(u->path)) continue;
          MyPlace p;
          p.unit_id = u->id;
          p.kind = std::string(org::to_string(u->kind));
          p.name = u->name;
          p.name_en = u->name_en;
          p.path = u->path;
          p.parent_id = u->parent_id;
          if (u->kind == org::UnitKind::kSubdistrict) {
            subdistricts.push_back(u->id);
          } else if (u->kind == org::UnitKind::kCommunity || u->kind == org::UnitKind::kVillage) {
            communities.push_back(u->id);
            if (u->parent_id) {
              if (auto parent = org.find_unit(*u->parent_id)) {
                p.parent_name = parent->name;
                p.parent_name_en = parent->name_en;
              }
            }
          } else {
            continue;  // liaisons are of these kinds only (org::check_liaison)
          }
          out.push_back(std::move(p));
        }
        storage::PlacesRepo repo(c, actor.tenant_id);
        const auto by_sub = repo.counts(storage::PlaceLevel::kSubdistrict, subdistricts);
        const auto by_com = repo.counts(storage::PlaceLevel::kCommunity, communities);
        for (auto& p : out) {
          const auto& m = p.kind == "subdistrict" ? by_sub : by_com;
          if (auto it = m.find(p.unit_id); it != m.end()) p.counts = it->second;
        }
        std::sort(out.begin(), out.end(),
                  [](const MyPlace& a, const MyPlace& b) { return a.path < b.path; });
        return out;
      });
}

}  // namespace civicloop::app
