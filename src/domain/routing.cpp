#include "domain/routing.hpp"

#include <algorithm>

namespace civicloop::routing {

bool matches(const Rule& r, const Input& in) {
  if (!r.active) return false;
  if (r.category && *r.category != in.category) return false;
  if (r.category_prefix && in.category.rfind(*r.category_prefix, 0) != 0) return false;
  if (r.area_unit_id && std::find(in.containing_areas.begin(), in.containing_areas.end(),
                                  *r.area_unit_id) == in.containing_areas.end()) {
    return false;
  }
  if (r.area_kind && !in.at_place.contains(*r.area_kind)) return false;
  if (r.from_minute && r.to_minute) {
    const int f = *r.from_minute;
    const int t = *r.to_minute;
    const int m = in.local_minute;
    const bool inside = f <= t ? (m >= f && m < t) : (m >= f || m < t);  // wraps midnight
    if (!inside) return false;
  }
  return true;
}

Expected<Decision> route(const std::vector<Rule>& rules, const Input& in) {
  for (const auto& r : rules) {
    if (!matches(r, in)) continue;
    Decision d;
    if (r.unit_id) {
      d.unit_id = *r.unit_id;
    } else if (r.unit_by_area) {
      auto it = in.at_place.find(*r.unit_by_area);
      if (it == in.at_place.end()) continue;  // no such unit here: the next rule may know better
      d.unit_id = it->second;
    } else {
      continue;
    }
    d.supervising_group_id = r.supervising_group_id;
    d.rule_id = r.id;
    d.rule_name = r.name;
    return d;
  }
  return make_error("routing.no_match", "category");
}

Status check_rule(const Rule& r) {
  if (r.name.empty()) return make_error("field.required", "name");
  if (!r.unit_id && !r.unit_by_area) return make_error("routing.no_target", "unit_id");
  if (r.unit_id && r.unit_by_area) return make_error("routing.two_targets", "unit_by_area");
  if (r.from_minute.has_value() != r.to_minute.has_value()) {
    return make_error("routing.bad_hours", "hours");
  }
  if (r.from_minute && (*r.from_minute < 0 || *r.from_minute >= 1440 || *r.to_minute < 0 ||
                        *r.to_minute > 1440 || *r.from_minute == *r.to_minute)) {
    return make_error("routing.bad_hours", "hours");
  }
  return Ok{};
}

}  // namespace civicloop::routing
