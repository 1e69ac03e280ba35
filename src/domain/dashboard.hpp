// The command-centre dashboard (指挥中心) and the hotspots (举一反三 热点): what a case event adds
// to the dashboard's day counters (by the day it happened, not the KPI cohort of domain/kpi.hpp),
// whether it is an alert (an escalation), and the hotspot rule (grid × category with at least the
// preset's number of reports in a period, ranked). Pure: no SQL, no JSON. The projector that
// applies them is app/kpi_service (the same run as the KPI counters); the reads are
// app/dashboard_service. Thread-compatible plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/kpi.hpp"

namespace civicloop::dashboard {

// A day counter row: the local day of the event and the case's assigned unit and grid after it
// (0 for none).
struct ActivityKey {
  kpi::Day day = 0;
  std::int64_t unit_id = 0;
  std::int64_t grid_id = 0;
  auto operator<=>(const ActivityKey&) const = default;
};

struct Activity {
  std::int64_t reported = 0;   // reports (the report day)
  std::int64_t closed = 0;     // close-outs (the case entered closed)
  std::int64_t overdue = 0;    // cases that turned overdue (the flag went on)
  std::int64_t escalated = 0;  // escalations (the escalation level went up)
  Activity& operator+=(const Activity& o);
  bool operator==(const Activity&) const = default;
  bool empty() const { return *this == Activity{}; }
};

// What one case event adds; nothing for imported history (as the KPIs) and events that change
// none of the four.
std::optional<std::pair<ActivityKey, Activity>> activity(const kpi::CaseEvent& e,
                                                         const calendar::WorkCalendar& cal);
// Whether the event is an alert for the dashboard: it raised the case's escalation level.
bool is_alert(const kpi::CaseEvent& e);

// Reports of one grid and category in a period (from the KPI counters).
struct HotspotInput {
  std::int64_t grid_id = 0;
  std::string category_code;
  std::int64_t reports = 0;
};
struct Hotspot {
  std::int64_t grid_id = 0;
  std::string category_code;
  std::int64_t reports = 0;
  int rank = 0;  // 1 = most reports; equal counts share a rank (1, 1, 3)
};
// The hotspots: the inputs with at least `min_reports` reports (grid 0, a case with no grid, is
// never one), most reports first (then grid and category, for a stable order), ranked.
std::vector<Hotspot> hotspots(std::vector<HotspotInput> in, std::int64_t min_reports);

}  // namespace civicloop::dashboard
