// Routing (派遣规则): which unit a problem goes to and which supervision group watches it.
// Ordered rules, first match wins; each matches on the category (exact or by prefix), the area
// the point lies in, and the local time of day, and names either a fixed unit or "the unit of
// this kind where the problem is" (the subdistrict, the community, the grid, the subdistrict's
// enforcement team, the community's property company). The rules are tenant data, edited by the
// HQ office; this module only evaluates them.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "domain/error.hpp"
#include "domain/org.hpp"

namespace civicloop::routing {

struct Rule {
  std::int64_t id = 0;
  std::string name;
  std::optional<std::string> category;         // exact category code
  std::optional<std::string> category_prefix;  // e.g. "05" for a whole class
  std::optional<org::Id> area_unit_id;         // the point must lie inside this unit
  std::optional<org::UnitKind> area_kind;      // the place must have a unit of this kind
  std::optional<int> from_minute;              // local time window [from, to), may wrap midnight
  std::optional<int> to_minute;
  std::optional<org::Id> unit_id;             // route to this unit ...
  std::optional<org::UnitKind> unit_by_area;  // ... or to the unit of this kind at the place
  std::optional<org::Id> supervising_group_id;
  bool active = true;
};

// Everything about the problem the rules look at.
struct Input {
  std::string category;
  // The units at the place, by kind: grid, community or village, subdistrict from the polygons;
  // enforcement_team and enterprise as found under them.
  std::map<org::UnitKind, org::Id> at_place;
  std::vector<org::Id> containing_areas;  // every unit whose boundary contains the point
  int local_minute = 0;                   // minutes since local midnight when reported
};

struct Decision {
  org::Id unit_id = 0;
  std::optional<org::Id> supervising_group_id;
  std::int64_t rule_id = 0;
  std::string rule_name;
};

bool matches(const Rule& rule, const Input& in);
// The first active rule that matches and can name a unit; "routing.no_match" when none does.
Expected<Decision> route(const std::vector<Rule>& rules, const Input& in);
// Checks one rule's own consistency: a target (unit or kind), a sane time window.
Status check_rule(const Rule& rule);

}  // namespace civicloop::routing
