// A leader's places (我的联系点, issue 8 part 5): the subdistricts, communities and villages the
// signed-in user's person is the liaison leader (包联领导) for, each with its open, overdue and
// escalated cases. Counts come from the open-case indexes of each place (storage/places_repo),
// never from a scan of the cases table. Role and scope are checked here: every staff role may ask
// (a leader has his liaisons; a community's liaison is often a subdistrict's staff member; anyone
// else gets an empty list), citizens are refused (auth.forbidden); places outside the caller's
// data scope are left out. Thread-safe: every call runs its own read transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "app/context.hpp"
#include "domain/access.hpp"
#include "storage/places_repo.hpp"

namespace civicloop::app {

struct MyPlace {
  std::int64_t unit_id = 0;
  std::string kind;  // subdistrict | community | village
  std::string name;
  std::optional<std::string> name_en;
  std::string path;
  std::optional<std::int64_t> parent_id;  // the subdistrict of a community or village
  std::string parent_name;
  std::optional<std::string> parent_name_en;
  storage::PlaceCounts counts;
};

class PlacesService {
 public:
  explicit PlacesService(Context& ctx) : ctx_(ctx) {}

  // In the order of the organisation's paths (a place before the places inside it).
  Expected<std::vector<MyPlace>> mine(const access::Actor& actor);

 private:
  Context& ctx_;
};

}  // namespace civicloop::app
