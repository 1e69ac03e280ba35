// The organisation of a campaign: a tree of org units (the command HQ at the root; supervision
// groups, task forces, departments and subdistricts under it; communities, villages and grids
// below), the people in them, their posts, and leader liaison (包联). Pure values and rules; the
// storage layer persists them, src/app/org_service runs them in transactions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/clock.hpp"
#include "domain/error.hpp"

namespace civicloop::org {

using Id = std::int64_t;

enum class UnitKind {
  kHq,
  kHqOffice,
  kSupervisionGroup,
  kTaskForce,
  kDepartment,
  kSubdistrict,
  kCommunity,
  kVillage,
  kGrid,
  kEnforcementTeam,
  kEnterprise,
};

std::string_view to_string(UnitKind kind);
std::optional<UnitKind> parse_unit_kind(std::string_view text);
const std::vector<UnitKind>& all_unit_kinds();

// Whether a unit of kind child may sit directly under a unit of kind parent. The root of a
// tenant is its one hq; everything else has a parent.
bool may_contain(UnitKind parent, UnitKind child);
// "Places" are the units that have a territory and an accountable liaison leader.
bool is_place(UnitKind kind);

struct Point {
  double lng = 0;
  double lat = 0;
};
// A simple polygon: one outer ring, closed (first point == last point), WGS84.
struct Polygon {
  std::vector<Point> ring;
};
Status check_polygon(const Polygon& polygon);

struct Unit {
  Id id = 0;
  std::optional<Id> parent_id;
  UnitKind kind = UnitKind::kHq;
  std::optional<std::string> code;
  std::string name;
  std::optional<std::string> name_en;
  std::string duties;
  std::optional<std::string> boundary_geojson;  // validated Polygon, kept as GeoJSON text
  int sort_order = 0;
  bool is_demo = false;
  bool retired = false;
  std::string path;  // "/1/5/23/": ids from the root down to this unit
  int version = 1;
  Millis created_at = 0;
  Millis updated_at = 0;
};

// Checks the fields a user may set on a unit (name, codes, duties).
Status check_unit_fields(const Unit& unit);

// Materialised paths: path_of(parent_path, id) and the subtree test.
std::string child_path(std::string_view parent_path, Id id);
bool path_within(std::string_view path, std::string_view ancestor_path);
std::vector<Id> ids_on_path(std::string_view path);

// May `unit` move under `new_parent`? Refuses moving under itself or its own descendant
// (org.move_cycle), kinds that do not nest (org.kind_not_allowed), retired parents.
Status check_move(const Unit& unit, const Unit& new_parent);
// May a new unit of `kind` be created under `parent` (nullptr: as a root)?
Status check_parent(UnitKind kind, const Unit* parent, bool tenant_has_root);
// A unit may retire only when no active unit remains under it.
Status check_retire(const Unit& unit, int active_children);

struct Person {
  Id id = 0;
  std::string name;
  std::optional<std::string> phone;
  std::optional<std::string> title;
  bool is_demo = false;
  bool retired = false;
  int version = 1;
};
Status check_person_fields(const Person& person);

struct Post {
  std::string code;
  std::string name;
  std::string name_en;
  int sort_order = 0;
};

struct Membership {
  Id id = 0;
  Id person_id = 0;
  Id unit_id = 0;
  std::string post_code;
  bool is_head = false;
};

struct Liaison {
  Id id = 0;
  Id unit_id = 0;    // the place
  Id leader_id = 0;  // the accountable leader (a person)
};

// Leader liaison (包联): a subdistrict's leader is a district-level person (a member of the HQ,
// its office, a supervision group, a task force or a department); a community's or village's
// leader is a member of the subdistrict that contains it. `leader_units` are the kind and path of
// each unit the leader belongs to.
Status check_liaison(const Unit& place, std::string_view place_subdistrict_path,
                     const std::vector<std::pair<UnitKind, std::string>>& leader_units);

}  // namespace civicloop::org
