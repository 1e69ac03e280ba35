// A tenant's case configuration, loaded once and shared: categories, the working-time calendar,
// routing rules, workflow settings, and the area index built from the organisation's boundaries.
// Reloaded when config_generation() moves or after a minute. Thread-safe: the cache hands out
// shared_ptr<const TenantCaseConfig>, which readers keep for the length of a request.
#pragma once

#include <boost/json/value.hpp>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>

#include "app/context.hpp"
#include "app/messages.hpp"
#include "domain/calendar.hpp"
#include "domain/geo.hpp"
#include "domain/routing.hpp"
#include "storage/config_repo.hpp"

namespace civicloop::app {

struct UnitInfo {
  org::Id id = 0;
  org::UnitKind kind = org::UnitKind::kGrid;
  std::optional<org::Id> parent_id;
  std::string path;
  std::string name;
  std::optional<std::string> name_en;
  bool retired = false;
};

struct TenantCaseConfig {
  explicit TenantCaseConfig(calendar::WorkCalendar cal) : calendar(std::move(cal)) {}

  std::int64_t tenant_id = 0;
  std::map<std::string, storage::Category, std::less<>> categories;
  std::vector<storage::Drive> drives;
  calendar::WorkCalendar calendar;
  std::vector<routing::Rule> rules;
  storage::WorkflowSettings workflow;
  std::shared_ptr<const geo::AreaIndex> areas;  // the units with a boundary, but the root
  // The tenant's area: the root unit's (the HQ's) boundary, the outline of the whole district.
  // Null when the root has none; the areas together then stand for the tenant's area.
  std::shared_ptr<const geo::Region> tenant_area;
  std::map<org::Id, UnitInfo> units;  // every unit, for names, paths and kinds
  Messages messages;                  // the tenant's wording per locale (app/messages.hpp)
  std::uint64_t generation = 0;
  Millis loaded_at = 0;

  const storage::Category* category(std::string_view code) const;
  const UnitInfo* unit(org::Id id) const;
  // The unit's name, "" for none.
  std::string unit_name(std::optional<org::Id> id) const;
  // The unit's name in a locale (the English name when there is one).
  std::string unit_name(std::optional<org::Id> id, std::string_view locale) const;
  // The category's name in a locale (the English name when there is one), its code when unknown.
  std::string category_name(std::string_view code, std::string_view locale) const;
  // The tenant's wording (messages.text).
  std::string word(std::string_view locale, std::string_view key,
                   const MessageArgs& args = {}) const {
    return messages.text(locale, key, args);
  }
  // The units at a point by kind (grid, community/village, subdistrict, and the subdistrict's
  // enforcement team and the community's property company), deepest area path, containing ids.
  // One branch: the point is placed in one area (geo::AreaIndex::place: the deepest, and on an
  // edge shared by two the one with the smaller unit id), and the community or village and the
  // subdistrict are that area's ancestors in the organisation, never other polygons' hits.
  // `containing` is that area and its ancestors. A point in no area is `outside` when it is also
  // outside the tenant's area (or, without one, when there are areas at all), `distance_m` metres
  // (rounded) from it.
  struct Place {
    std::map<org::UnitKind, org::Id> at;
    std::string area_path;
    std::vector<org::Id> containing;
    bool outside = false;
    std::int64_t distance_m = 0;
  };
  Place locate(double lat, double lng) const;
  // The place's names from the subdistrict down, for a printed location: "永泰街道 永泰北社区
  // 第1网格". A name that begins with its parent's name is shortened to the rest (grids are
  // named after their community). "" when the place has no area.
  std::string place_name(const Place& place) const;
  // "2026-12-03 18:00": an instant in the tenant's zone, "" for none.
  std::string local_text(std::optional<Millis> at) const;
  // Local minutes since midnight of an instant, in the tenant's zone.
  int local_minute(Millis at) const;
};

class CaseConfigCache {
 public:
  explicit CaseConfigCache(Context& ctx) : ctx_(ctx) {}
  // The configuration of a tenant; "case.not_configured" when its calendar is missing.
  Expected<std::shared_ptr<const TenantCaseConfig>> get(std::int64_t tenant_id);

 private:
  Context& ctx_;
  std::mutex mutex_;
  std::map<std::int64_t, std::shared_ptr<const TenantCaseConfig>> cache_;
};

// Loads categories.json, routing.json, calendar.json and workflow.json of a preset directory into
// the tenant, in the caller's transaction. Files that are absent are skipped.
Status load_case_preset(storage::Connection& c, std::int64_t tenant_id,
                        const std::filesystem::path& dir);

// Parses a calendar document (civicloop-calendar/1) into periods, offset and years.
Expected<storage::CalendarConfig> parse_calendar(const boost::json::value& doc);

}  // namespace civicloop::app
