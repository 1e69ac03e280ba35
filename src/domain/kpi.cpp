#include "domain/kpi.hpp"

#include <algorithm>
#include <cmath>
#include <set>

namespace civicloop::kpi {
namespace {

using cases::Record;
using cases::Stage;

// Days since 1970-01-01 of a civil date and back (H. Hinnant's algorithms).
std::int64_t days_from_civil(calendar::Date d) {
  const int y = d.year - (d.month <= 2 ? 1 : 0);
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int mp = (d.month + 9) % 12;
  const int doy = (153 * mp + 2) / 5 + d.day - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<std::int64_t>(era) * 146097 + doe - 719468;
}

calendar::Date civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = yoe + era * 400;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {static_cast<int>(y + (m <= 2 ? 1 : 0)), m, d};
}

calendar::Date add_days(calendar::Date d, std::int64_t n) {
  return civil_from_days(days_from_civil(d) + n);
}

Key key_of(Day day, const Record& r) {
  Key k;
  k.day = day;
  k.unit_id = r.assigned_unit_id.value_or(0);
  k.grid_id = r.grid_id.value_or(0);
  k.community_id = r.community_id.value_or(0);
  k.subdistrict_id = r.subdistrict_id.value_or(0);
  k.category_code = r.category_code;
  k.source = std::string(cases::to_string(r.source));
  k.group_id = r.supervising_group_id.value_or(0);
  return k;
}

bool handling_stage(const std::optional<cases::Timer>& t) {
  return t && (t->stage == Stage::kAcknowledge || t->stage == Stage::kRectify);
}

}  // namespace

Day day_number(calendar::Date d) {
  return static_cast<Day>(d.year) * 10000 + d.month * 100 + d.day;
}
calendar::Date date_of(Day day) {
  return {static_cast<int>(day / 10000), static_cast<int>(day / 100 % 100),
          static_cast<int>(day % 100)};
}
Day day_of(Millis at, const calendar::WorkCalendar& cal) { return day_number(cal.local_date(at)); }

Counts& Counts::operator+=(const Counts& o) {
  reported += o.reported;
  filed += o.filed;
  voided += o.voided;
  duplicates += o.duplicates;
  dispatched += o.dispatched;
  returned += o.returned;
  acknowledged += o.acknowledged;
  ack_on_time += o.ack_on_time;
  fixed_on_site += o.fixed_on_site;
  parked += o.parked;
  rectified += o.rectified;
  rectified_on_time += o.rectified_on_time;
  verified += o.verified;
  verify_failed += o.verify_failed;
  extended += o.extended;
  overdue += o.overdue;
  closed += o.closed;
  closed_on_time += o.closed_on_time;
  handling_ms += o.handling_ms;
  handling_n += o.handling_n;
  recurred += o.recurred;
  return *this;
}

StaffCounts& StaffCounts::operator+=(const StaffCounts& o) {
  reported += o.reported;
  filed += o.filed;
  voided += o.voided;
  duplicates += o.duplicates;
  verified += o.verified;
  verified_on_time += o.verified_on_time;
  return *this;
}

bool within_limit(const cases::Timer& t, Millis at, const calendar::WorkCalendar& cal) {
  return cases::used(t, at, cal) <= t.budget;
}

Effect project(const CaseEvent& e, const CaseMarks& marks, const calendar::WorkCalendar& cal) {
  Effect out;
  out.marks = marks;
  const Record& a = e.after;
  const Record& b = e.before ? *e.before : e.after;
  const Day report_day = day_of(a.reported_at, cal);
  auto report_row = [&](auto&& set) {
    Counts c;
    set(c);
    out.counts.emplace_back(key_of(report_day, a), c);
    if (a.reporter_user_id) {
      StaffCounts s;
      if (c.reported) s.reported = 1;
      if (c.filed) s.filed = 1;
      if (c.voided) s.voided = 1;
      if (c.duplicates) s.duplicates = 1;
      out.staff.emplace_back(StaffKey{report_day, *a.reporter_user_id}, s);
    }
  };
  // A handling row of the case's cohort, with the dimensions of `r`; nothing before a dispatch.
  auto handling_row = [&](const Record& r, auto&& set) {
    if (out.marks.cohort_day == 0) return;
    Counts c;
    set(c);
    out.counts.emplace_back(key_of(out.marks.cohort_day, r), c);
  };
  // Past a handling limit: the case is late for its unit, and counted overdue once.
  auto mark_late = [&](Counts& c) {
    out.marks.late = true;
    if (!out.marks.overdue_counted) {
      out.marks.overdue_counted = true;
      c.overdue = 1;
    }
  };
  const std::string_view act = e.action;

  // A recurrence counts once the report is found valid (filed, or fixed on the spot from the
  // queue): a row of the report's day and place, against the unit that closed the earlier case.
  auto recurrence_row = [&] {
    if (!a.recurrence_of || !a.recurrence_unit_id) return;
    Key k = key_of(report_day, a);
    k.unit_id = *a.recurrence_unit_id;
    Counts c;
    c.recurred = 1;
    out.counts.emplace_back(k, c);
  };

  if (act == "report") {
    report_row([](Counts& c) { c.reported = 1; });
  } else if (act == "file") {
    report_row([](Counts& c) { c.filed = 1; });
    recurrence_row();
  } else if (act == "void") {
    report_row([](Counts& c) { c.voided = 1; });
  } else if (act == "mark_duplicate") {
    report_row([](Counts& c) { c.duplicates = 1; });
  } else if (act == "dispatch") {
    out.marks = CaseMarks{};
    out.marks.cohort_day = day_of(a.dispatched_at.value_or(e.at), cal);
    handling_row(a, [](Counts& c) { c.dispatched = 1; });
  } else if (act == "fix_on_site") {
    // A valid report (when it was not filed yet), handled at once by the grid.
    if (b.state == cases::State::kReported) {
      report_row([](Counts& c) { c.filed = 1; });
      recurrence_row();
    }
    out.marks = CaseMarks{};
    out.marks.cohort_day = day_of(e.at, cal);
    handling_row(a, [](Counts& c) {
      c.fixed_on_site = 1;
      c.rectified = 1;
      c.rectified_on_time = 1;
    });
  } else if (act == "acknowledge") {
    const bool on_time = !b.timer || within_limit(*b.timer, e.at, cal);
    handling_row(a, [&](Counts& c) {
      c.acknowledged = 1;
      c.ack_on_time = on_time ? 1 : 0;
      if (!on_time) mark_late(c);
    });
  } else if (act == "return") {
    if (b.state == cases::State::kDispatched) {
      handling_row(b, [](Counts& c) { c.returned = 1; });
    }
    // Sent back to the office: whoever takes it next starts a new cohort at its dispatch. A case
    // acknowledged and then returned stays due for the unit that acknowledged it.
    out.marks = CaseMarks{};
  } else if (act == "decide_extension") {
    const bool granted = b.timer && a.timer && a.timer->budget > b.timer->budget;
    handling_row(a, [&](Counts& c) {
      if (granted && !out.marks.extended) {
        out.marks.extended = true;
        c.extended = 1;
      }
    });
  } else if (act == "rectify") {
    const bool on_time = !b.timer || within_limit(*b.timer, e.at, cal);
    handling_row(a, [&](Counts& c) {
      c.rectified = 1;
      c.rectified_on_time = on_time ? 1 : 0;
      if (!on_time) mark_late(c);
    });
  } else if (act == "verify") {
    const bool failed = a.rework_count > b.rework_count;
    handling_row(a, [&](Counts& c) {
      c.verified = 1;
      c.verify_failed = failed ? 1 : 0;
    });
    if (e.actor_user_id) {
      StaffCounts s;
      s.verified = 1;
      s.verified_on_time = (!b.timer || within_limit(*b.timer, e.at, cal)) ? 1 : 0;
      out.staff.emplace_back(StaffKey{day_of(e.at, cal), *e.actor_user_id}, s);
    }
  } else if (act == "close") {
    handling_row(a, [&](Counts& c) {
      c.closed = 1;
      c.closed_on_time = out.marks.late ? 0 : 1;
      if (a.dispatched_at && a.rectified_at) {
        c.handling_ms =
            cal.measure(*a.dispatched_at, *a.rectified_at, calendar::LimitUnit::kWorkingHours);
        c.handling_n = 1;
      }
    });
  } else if (act == "park") {
    handling_row(b, [](Counts& c) { c.parked = 1; });
  } else if (act == "unpark") {
    handling_row(a, [](Counts& c) { c.parked = -1; });
  }
  // Whatever the event (the sweep's overdue or escalate, an extension decided too late), a case
  // left overdue in one of the unit's stages is late; the verify stage is the office's, counted
  // in 按时核查率.
  if (a.overdue && handling_stage(a.timer)) {
    handling_row(a, [&](Counts& c) { mark_late(c); });
  }
  // Rows that add nothing are dropped (an overdue already counted, say).
  std::erase_if(out.counts, [](const auto& kc) { return kc.second.empty(); });
  std::erase_if(out.staff, [](const auto& kc) { return kc.second.empty(); });
  return out;
}

// ---- Figures ----

Interval wilson(std::int64_t k, std::int64_t n) {
  if (n <= 0) return {0, 1};
  constexpr double z = 1.959963984540054;
  const double nn = static_cast<double>(n);
  const double p = static_cast<double>(k) / nn;
  const double z2 = z * z;
  const double denom = 1 + z2 / nn;
  const double centre = (p + z2 / (2 * nn)) / denom;
  const double half = z * std::sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn)) / denom;
  return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

std::optional<double> Rate::value() const {
  if (den <= 0) return std::nullopt;
  return static_cast<double>(num) / static_cast<double>(den);
}

namespace {
const std::vector<std::pair<Indicator, std::string_view>>& indicator_names() {
  static const std::vector<std::pair<Indicator, std::string_view>> k = {
      {Indicator::kAckOnTime, "ack_on_time"},    {Indicator::kClosedOnTime, "closed_on_time"},
      {Indicator::kClosure, "closure"},          {Indicator::kRework, "rework"},
      {Indicator::kOverdue, "overdue"},          {Indicator::kExtension, "extension"},
      {Indicator::kValidReport, "valid_report"}, {Indicator::kVerifyOnTime, "verify_on_time"},
      {Indicator::kRecurrence, "recurrence"},
  };
  return k;
}
}  // namespace

std::string_view to_string(Indicator i) {
  for (const auto& [k, n] : indicator_names()) {
    if (k == i) return n;
  }
  return "";
}
std::optional<Indicator> parse_indicator(std::string_view s) {
  for (const auto& [k, n] : indicator_names()) {
    if (n == s) return k;
  }
  return std::nullopt;
}
const std::vector<Indicator>& all_indicators() {
  static const std::vector<Indicator> k = [] {
    std::vector<Indicator> v;
    for (const auto& [i, n] : indicator_names()) v.push_back(i);
    return v;
  }();
  return k;
}
bool lower_is_better(Indicator i) {
  return i == Indicator::kRework || i == Indicator::kOverdue || i == Indicator::kExtension ||
         i == Indicator::kRecurrence;
}

Figures figures(const Counts& c) {
  Figures f;
  const std::int64_t due = std::max<std::int64_t>(0, c.due());
  f.due = due;
  f.overdue = c.overdue;
  f.reported = c.reported;
  f.dispatched = c.dispatched;
  f.closed = c.closed;
  f.recurred = c.recurred;
  f.rates[Indicator::kAckOnTime] = {c.ack_on_time,
                                    std::max<std::int64_t>(0, c.dispatched - c.returned)};
  f.rates[Indicator::kClosedOnTime] = {c.closed_on_time, due};
  f.rates[Indicator::kClosure] = {c.closed, due};
  f.rates[Indicator::kRework] = {c.verify_failed, c.verified};
  f.rates[Indicator::kOverdue] = {c.overdue, due};
  f.rates[Indicator::kExtension] = {c.extended, due};
  f.rates[Indicator::kValidReport] = {c.filed, c.reported};
  f.rates[Indicator::kRecurrence] = {c.recurred, c.closed};
  if (c.handling_n > 0) {
    f.avg_handling_hours =
        static_cast<double>(c.handling_ms) / static_cast<double>(c.handling_n) / 3'600'000.0;
  }
  return f;
}

Figures staff_figures(const StaffCounts& c) {
  Figures f;
  f.reported = c.reported;
  f.rates[Indicator::kValidReport] = {c.filed, c.reported};
  f.rates[Indicator::kVerifyOnTime] = {c.verified_on_time, c.verified};
  return f;
}

// ---- Score, grades, rankings ----

Settings default_settings() {
  Settings s;
  s.unit_weights = {{Indicator::kClosedOnTime, 40},
                    {Indicator::kClosure, 30},
                    {Indicator::kAckOnTime, 20},
                    {Indicator::kRework, 10}};
  s.staff_weights = {{Indicator::kValidReport, 60}, {Indicator::kVerifyOnTime, 40}};
  s.grades = {{"A", 90}, {"B", 75}, {"C", 60}, {"D", 40}, {"E", 0}};
  s.min_sample = 5;
  s.red = {3, 90.0};
  s.black = {3, 60.0};
  s.hotspot_min_reports = 3;
  return s;
}

Status check(const Settings& s) {
  for (const auto* list : {&s.unit_weights, &s.staff_weights}) {
    const char* field = list == &s.unit_weights ? "unit_weights" : "staff_weights";
    if (list->empty()) return make_error("kpi.bad_weight", field);
    std::set<Indicator> seen;
    for (const auto& w : *list) {
      if (!(w.weight > 0) || !std::isfinite(w.weight) || !seen.insert(w.indicator).second) {
        return make_error("kpi.bad_weight", field);
      }
    }
  }
  if (s.grades.empty()) return make_error("kpi.bad_grades", "grades");
  for (std::size_t i = 0; i < s.grades.size(); ++i) {
    const auto& g = s.grades[i];
    if (g.grade.empty() || g.grade.size() > 8 || !(g.min_score >= 0 && g.min_score <= 100) ||
        (i > 0 && !(g.min_score < s.grades[i - 1].min_score))) {
      return make_error("kpi.bad_grades", "grades");
    }
  }
  if (s.grades.back().min_score != 0) return make_error("kpi.bad_grades", "grades");
  if (s.min_sample < 1 || s.min_sample > 10000) {
    return make_error("kpi.bad_min_sample", "min_sample");
  }
  if (s.hotspot_min_reports < 1 || s.hotspot_min_reports > 10000) {
    return make_error("kpi.bad_hotspot", "hotspot");
  }
  for (const auto* r : {&s.red, &s.black}) {
    const char* field = r == &s.red ? "red" : "black";
    if (r->top && (*r->top < 1 || *r->top > 1000)) return make_error("kpi.bad_list_rule", field);
    if (r->score && !(*r->score >= 0 && *r->score <= 100)) {
      return make_error("kpi.bad_list_rule", field);
    }
  }
  return Ok{};
}

std::optional<double> score(const Figures& f, const std::vector<Weight>& weights) {
  double sum = 0;
  double wsum = 0;
  for (const auto& w : weights) {
    auto it = f.rates.find(w.indicator);
    if (it == f.rates.end()) continue;
    auto v = it->second.value();
    if (!v) continue;
    sum += w.weight * (lower_is_better(w.indicator) ? 1 - *v : *v);
    wsum += w.weight;
  }
  if (wsum <= 0) return std::nullopt;
  return sum / wsum * 100;
}

std::string grade(double score, const Settings& s) {
  for (const auto& g : s.grades) {
    if (score >= g.min_score) return g.grade;
  }
  return s.grades.empty() ? std::string() : s.grades.back().grade;
}

namespace {
// Scores compared to 0.01 so that float noise does not split a tie.
std::int64_t hundredths(double v) { return std::llround(v * 100); }

std::vector<RankedEntry> rank_only(const std::vector<RankInput>& in, const Settings& s) {
  std::vector<RankedEntry> ranked;
  std::vector<RankedEntry> apart;
  for (const auto& x : in) {
    RankedEntry e;
    e.id = x.id;
    e.score = x.score;
    e.sample = x.sample;
    e.insufficient = x.sample < s.min_sample;
    if (e.insufficient || !x.score) {
      apart.push_back(e);
    } else {
      ranked.push_back(e);
    }
  }
  std::stable_sort(ranked.begin(), ranked.end(), [](const RankedEntry& a, const RankedEntry& b) {
    const auto x = hundredths(*a.score);
    const auto y = hundredths(*b.score);
    return x != y ? x > y : a.id < b.id;
  });
  for (std::size_t i = 0; i < ranked.size(); ++i) {
    if (i > 0 && hundredths(*ranked[i].score) == hundredths(*ranked[i - 1].score)) {
      ranked[i].rank = ranked[i - 1].rank;
    } else {
      ranked[i].rank = static_cast<int>(i) + 1;
    }
    ranked[i].grade = grade(*ranked[i].score, s);
  }
  std::stable_sort(apart.begin(), apart.end(), [](const RankedEntry& a, const RankedEntry& b) {
    return a.sample != b.sample ? a.sample > b.sample : a.id < b.id;
  });
  ranked.insert(ranked.end(), apart.begin(), apart.end());
  return ranked;
}
}  // namespace

std::vector<RankedEntry> rank(const std::vector<RankInput>& current,
                              const std::vector<RankInput>& previous, const Settings& s) {
  auto out = rank_only(current, s);
  const auto prev = rank_only(previous, s);
  std::map<std::int64_t, const RankedEntry*> by_id;
  for (const auto& p : prev) by_id[p.id] = &p;
  int ranked_count = 0;
  for (const auto& e : out) {
    if (e.rank) ++ranked_count;
  }
  for (auto& e : out) {
    if (auto it = by_id.find(e.id); it != by_id.end()) {
      e.previous_rank = it->second->rank;
      e.previous_score = it->second->score;
    }
    if (e.rank && e.previous_rank) e.rank_change = *e.previous_rank - *e.rank;
    if (e.score && e.previous_score) e.score_change = *e.score - *e.previous_score;
    if (!e.rank) continue;
    const bool red = (s.red.top || s.red.score) && (!s.red.top || *e.rank <= *s.red.top) &&
                     (!s.red.score || *e.score >= *s.red.score);
    // The worst N: ranks beyond ranked_count − N (a shared rank at the edge is in).
    const bool black = (s.black.top || s.black.score) &&
                       (!s.black.top || *e.rank > ranked_count - *s.black.top) &&
                       (!s.black.score || *e.score < *s.black.score);
    e.red = red;
    e.black = black && !red;
  }
  return out;
}

// ---- Periods ----

std::string_view to_string(PeriodKind k) {
  switch (k) {
    case PeriodKind::kDay:
      return "day";
    case PeriodKind::kWeek:
      return "week";
    case PeriodKind::kMonth:
      return "month";
    case PeriodKind::kQuarter:
      return "quarter";
    case PeriodKind::kRange:
      return "range";
  }
  return "";
}
std::optional<PeriodKind> parse_period_kind(std::string_view s) {
  for (auto k : {PeriodKind::kDay, PeriodKind::kWeek, PeriodKind::kMonth, PeriodKind::kQuarter,
                 PeriodKind::kRange}) {
    if (to_string(k) == s) return k;
  }
  return std::nullopt;
}

namespace {
int days_in_month(int y, int m) {
  static const int k[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : k[m - 1];
}
}  // namespace

Period period_of(PeriodKind kind, calendar::Date d) {
  Period p{kind, d, d};
  switch (kind) {
    case PeriodKind::kDay:
    case PeriodKind::kRange:
      break;
    case PeriodKind::kWeek: {
      const int wd = calendar::weekday(d);  // 0 = Sunday
      p.from = add_days(d, -((wd + 6) % 7));
      p.to = add_days(p.from, 6);
      break;
    }
    case PeriodKind::kMonth:
      p.from = {d.year, d.month, 1};
      p.to = {d.year, d.month, days_in_month(d.year, d.month)};
      break;
    case PeriodKind::kQuarter: {
      const int first = (d.month - 1) / 3 * 3 + 1;
      p.from = {d.year, first, 1};
      p.to = {d.year, first + 2, days_in_month(d.year, first + 2)};
      break;
    }
  }
  return p;
}

Period previous(const Period& p) {
  if (p.kind == PeriodKind::kRange) {
    const auto len = days_from_civil(p.to) - days_from_civil(p.from) + 1;
    return {p.kind, add_days(p.from, -len), add_days(p.from, -1)};
  }
  return period_of(p.kind, add_days(p.from, -1));
}

Expected<Period> range(calendar::Date from, calendar::Date to) {
  if (to < from || days_from_civil(to) - days_from_civil(from) >= 366) {
    return make_error("kpi.bad_period", "to");
  }
  return Period{PeriodKind::kRange, from, to};
}

}  // namespace civicloop::kpi
