#include "domain/dashboard.hpp"

#include <algorithm>

namespace civicloop::dashboard {

Activity& Activity::operator+=(const Activity& o) {
  reported += o.reported;
  closed += o.closed;
  overdue += o.overdue;
  escalated += o.escalated;
  return *this;
}

bool is_alert(const kpi::CaseEvent& e) {
  if (e.action == "import") return false;
  const int before = e.before ? e.before->escalation_level : 0;
  return e.after.escalation_level > before;
}

std::optional<std::pair<ActivityKey, Activity>> activity(const kpi::CaseEvent& e,
                                                         const calendar::WorkCalendar& cal) {
  if (e.action == "import") return std::nullopt;
  const auto& a = e.after;
  Activity c;
  kpi::Day day = kpi::day_of(e.at, cal);
  if (e.action == "report") {
    c.reported = 1;
    day = kpi::day_of(a.reported_at, cal);
  }
  const bool was_closed = e.before && e.before->state == cases::State::kClosed;
  if (a.state == cases::State::kClosed && !was_closed) c.closed = 1;
  if (a.overdue && !(e.before && e.before->overdue)) c.overdue = 1;
  if (is_alert(e)) c.escalated = 1;
  if (c.empty()) return std::nullopt;
  return std::pair{ActivityKey{day, a.assigned_unit_id.value_or(0), a.grid_id.value_or(0)}, c};
}

std::vector<Hotspot> hotspots(std::vector<HotspotInput> in, std::int64_t min_reports) {
  std::vector<Hotspot> out;
  for (auto& i : in) {
    if (i.grid_id == 0 || i.reports < min_reports) continue;
    out.push_back({i.grid_id, std::move(i.category_code), i.reports, 0});
  }
  std::sort(out.begin(), out.end(), [](const Hotspot& a, const Hotspot& b) {
    if (a.reports != b.reports) return a.reports > b.reports;
    if (a.grid_id != b.grid_id) return a.grid_id < b.grid_id;
    return a.category_code < b.category_code;
  });
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i].rank =
        i > 0 && out[i].reports == out[i - 1].reports ? out[i - 1].rank : static_cast<int>(i) + 1;
  }
  return out;
}

}  // namespace civicloop::dashboard
