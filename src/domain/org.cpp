#include "domain/org.hpp"

#include <array>
#include <charconv>
#include <cmath>

#include "domain/text.hpp"

namespace civicloop::org {

namespace {
struct KindName {
  UnitKind kind;
  std::string_view name;
};
constexpr std::array<KindName, 11> kKindNames = {{
    {UnitKind::kHq, "hq"},
    {UnitKind::kHqOffice, "hq_office"},
    {UnitKind::kSupervisionGroup, "supervision_group"},
    {UnitKind::kTaskForce, "task_force"},
    {UnitKind::kDepartment, "department"},
    {UnitKind::kSubdistrict, "subdistrict"},
    {UnitKind::kCommunity, "community"},
    {UnitKind::kVillage, "village"},
    {UnitKind::kGrid, "grid"},
    {UnitKind::kEnforcementTeam, "enforcement_team"},
    {UnitKind::kEnterprise, "enterprise"},
}};
}  // namespace

std::string_view to_string(UnitKind kind) {
  for (const auto& k : kKindNames) {
    if (k.kind == kind) return k.name;
  }
  return "unknown";
}

std::optional<UnitKind> parse_unit_kind(std::string_view text) {
  for (const auto& k : kKindNames) {
    if (k.name == text) return k.kind;
  }
  return std::nullopt;
}

const std::vector<UnitKind>& all_unit_kinds() {
  static const std::vector<UnitKind> kinds = [] {
    std::vector<UnitKind> v;
    for (const auto& k : kKindNames) v.push_back(k.kind);
    return v;
  }();
  return kinds;
}

bool may_contain(UnitKind parent, UnitKind child) {
  using K = UnitKind;
  switch (parent) {
    case K::kHq:
      return child == K::kHqOffice || child == K::kSupervisionGroup || child == K::kTaskForce ||
             child == K::kDepartment || child == K::kSubdistrict || child == K::kEnforcementTeam ||
             child == K::kEnterprise;
    case K::kDepartment:
      // A department may have sub-offices and its own enforcement teams (e.g. 城管执法大队).
      return child == K::kDepartment || child == K::kEnforcementTeam || child == K::kEnterprise;
    case K::kSubdistrict:
      return child == K::kCommunity || child == K::kVillage || child == K::kEnforcementTeam ||
             child == K::kEnterprise;
    case K::kCommunity:
    case K::kVillage:
      return child == K::kGrid || child == K::kEnterprise;
    case K::kGrid:
      return child == K::kEnterprise;
    case K::kHqOffice:
    case K::kSupervisionGroup:
    case K::kTaskForce:
    case K::kEnforcementTeam:
    case K::kEnterprise:
      return false;
  }
  return false;
}

bool is_place(UnitKind kind) {
  return kind == UnitKind::kSubdistrict || kind == UnitKind::kCommunity ||
         kind == UnitKind::kVillage;
}

Status check_polygon(const Polygon& polygon) {
  const auto& r = polygon.ring;
  if (r.size() < 4) return make_error("org.invalid_boundary", "boundary").with("reason", "points");
  if (r.size() > 10000) {
    return make_error("org.invalid_boundary", "boundary").with("reason", "too_many_points");
  }
  for (const auto& p : r) {
    if (!std::isfinite(p.lng) || !std::isfinite(p.lat) || p.lng < -180 || p.lng > 180 ||
        p.lat < -90 || p.lat > 90) {
      return make_error("org.invalid_boundary", "boundary").with("reason", "range");
    }
  }
  if (r.front().lng != r.back().lng || r.front().lat != r.back().lat) {
    return make_error("org.invalid_boundary", "boundary").with("reason", "not_closed");
  }
  return Ok{};
}

Status check_unit_fields(const Unit& unit) {
  if (auto s = text::check("name", unit.name, {.min_chars = 1, .max_chars = 100}); !s) return s;
  if (unit.name_en) {
    if (auto s = text::check("name_en", *unit.name_en, {.max_chars = 200}); !s) return s;
  }
  if (unit.code) {
    if (auto s = text::check_code("code", *unit.code); !s) return s;
  }
  if (auto s = text::check("duties", unit.duties, {.max_chars = 4000, .multiline = true}); !s) {
    return s;
  }
  if (unit.sort_order < -1000000 || unit.sort_order > 1000000) {
    return make_error("field.out_of_range", "sort_order");
  }
  return Ok{};
}

std::string child_path(std::string_view parent_path, Id id) {
  std::string p = parent_path.empty() ? std::string("/") : std::string(parent_path);
  p += std::to_string(id);
  p += '/';
  return p;
}

bool path_within(std::string_view path, std::string_view ancestor_path) {
  return !ancestor_path.empty() && path.substr(0, ancestor_path.size()) == ancestor_path;
}

std::vector<Id> ids_on_path(std::string_view path) {
  std::vector<Id> ids;
  std::size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    std::size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    Id v = 0;
    std::from_chars(path.data() + i, path.data() + j, v);
    ids.push_back(v);
    i = j;
  }
  return ids;
}

Status check_parent(UnitKind kind, const Unit* parent, bool tenant_has_root) {
  if (parent == nullptr) {
    if (kind != UnitKind::kHq) return make_error("org.parent_required", "parent_id");
    if (tenant_has_root) return make_error("org.root_exists", "parent_id");
    return Ok{};
  }
  if (parent->retired) return make_error("org.parent_retired", "parent_id");
  if (!may_contain(parent->kind, kind)) {
    return make_error("org.kind_not_allowed", "kind")
        .with("parent_kind", std::string(to_string(parent->kind)))
        .with("kind", std::string(to_string(kind)));
  }
  return Ok{};
}

Status check_move(const Unit& unit, const Unit& new_parent) {
  if (!unit.parent_id) return make_error("org.cannot_move_root", "parent_id");
  if (new_parent.id == unit.id || path_within(new_parent.path, unit.path)) {
    return make_error("org.move_cycle", "parent_id");
  }
  return check_parent(unit.kind, &new_parent, true);
}

Status check_retire(const Unit& unit, int active_children) {
  if (unit.retired) return make_error("org.already_retired");
  if (!unit.parent_id) return make_error("org.cannot_retire_root");
  if (active_children > 0) {
    return make_error("org.has_active_children").with("count", std::to_string(active_children));
  }
  return Ok{};
}

Status check_person_fields(const Person& person) {
  if (auto s = text::check("name", person.name, {.min_chars = 1, .max_chars = 50}); !s) return s;
  if (person.title) {
    if (auto s = text::check("title", *person.title, {.max_chars = 100}); !s) return s;
  }
  if (person.phone) {
    const auto& p = *person.phone;
    if (p.size() > 20) return make_error("field.too_long", "phone").with("max", "20");
    for (const char c : p) {
      if (!((c >= '0' && c <= '9') || c == '-' || c == '+' || c == ' ')) {
        return make_error("field.invalid_phone", "phone");
      }
    }
  }
  return Ok{};
}

Status check_liaison(const Unit& place, std::string_view place_subdistrict_path,
                     const std::vector<std::pair<UnitKind, std::string>>& leader_units) {
  if (!is_place(place.kind)) return make_error("org.liaison_not_place", "unit_id");
  if (place.retired) return make_error("org.unit_retired", "unit_id");
  bool qualifies = false;
  for (const auto& [kind, path] : leader_units) {
    if (place.kind == UnitKind::kSubdistrict) {
      // District level: a unit not inside any subdistrict (HQ, groups, task forces, departments).
      if (kind == UnitKind::kHq || kind == UnitKind::kHqOffice || kind == UnitKind::kDepartment ||
          kind == UnitKind::kSupervisionGroup || kind == UnitKind::kTaskForce) {
        qualifies = true;
      }
    } else if (kind == UnitKind::kSubdistrict && path == place_subdistrict_path) {
      qualifies = true;
    }
  }
  if (!qualifies) {
    return make_error(place.kind == UnitKind::kSubdistrict ? "org.liaison_needs_district_leader"
                                                           : "org.liaison_needs_subdistrict_leader",
                      "leader_id");
  }
  return Ok{};
}

}  // namespace civicloop::org
