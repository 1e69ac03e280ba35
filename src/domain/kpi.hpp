// KPIs of the supervision half (考核): the counters a case's events add to, the figures computed
// from them (按时签收率, 按期结案率, 结案率, 返工率, 超期数/超期率, 延期率, average handling time,
// and for field staff 上报数, 有效上报率, 按时核查率), the composite score and its grade, the
// Wilson interval of a rate, and the ranking rules (样本不足 apart, shared ranks, change against
// the previous period, red and black lists). Pure: no SQL, no JSON. The projector that applies
// these rules to the ledger is app/kpi_service; the counters are stored by storage/kpi_repo.
//
// Attribution (docs/architecture.md, "KPIs and their counters"):
// - Report counters (reported, filed, voided, duplicates) go to the local day the case was
//   reported, and for field staff to the reporter.
// - Handling counters go to the case's cohort day: the local day it was dispatched to its unit
//   (or fixed on the spot), kept per case in CaseMarks, and to the case's unit, grid, community,
//   subdistrict, category and source at the event. A case finished later adds to the cohort of
//   the day it was dispatched, so a rate of a period is over the cases dispatched in it.
// - Verification by a person goes to the verifier and the day he verified.
// Thread-compatible plain values.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/calendar.hpp"
#include "domain/case_record.hpp"
#include "domain/clock.hpp"
#include "domain/error.hpp"

namespace civicloop::kpi {

// A local day as YYYYMMDD (20261130): ordered, readable in SQL, a range is BETWEEN.
using Day = std::int64_t;
Day day_of(Millis at, const calendar::WorkCalendar& cal);
Day day_number(calendar::Date d);
calendar::Date date_of(Day day);

// The dimensions of a counter row; 0 / "" for none.
struct Key {
  Day day = 0;
  std::int64_t unit_id = 0;
  std::int64_t grid_id = 0;
  std::int64_t community_id = 0;
  std::int64_t subdistrict_id = 0;
  std::string category_code;
  std::string source;
  // The supervision group (督导组) over the case at the event: rolled up per group (kpi_rollups
  // level "group"), not a column of kpi_counters.
  std::int64_t group_id = 0;
  auto operator<=>(const Key&) const = default;
};

// The counters of one row (or a sum of rows). Columns of kpi_counters, same names.
struct Counts {
  std::int64_t reported = 0;           // report cohort: reports
  std::int64_t filed = 0;              //   of them filed (立案) or fixed on the spot
  std::int64_t voided = 0;             //   voided
  std::int64_t duplicates = 0;         //   marked duplicate
  std::int64_t dispatched = 0;         // handling cohort: dispatches to the unit
  std::int64_t returned = 0;           //   returned (回退) before acknowledging
  std::int64_t acknowledged = 0;       //   acknowledged
  std::int64_t ack_on_time = 0;        //   acknowledged within the acknowledge limit
  std::int64_t fixed_on_site = 0;      //   fixed on the spot (当场整改) instead of dispatched
  std::int64_t parked = 0;             //   parked now (挂账; unpark takes it back)
  std::int64_t rectified = 0;          //   rectifications submitted (each round)
  std::int64_t rectified_on_time = 0;  //   of them within the rectify limit
  std::int64_t verified = 0;           //   verifications (passed or failed)
  std::int64_t verify_failed = 0;      //   failed: rework (返工)
  std::int64_t extended = 0;           //   cases granted an extension (延期), once per case
  std::int64_t overdue = 0;            //   cases that ran past a handling limit, once per case
  std::int64_t closed = 0;             //   closed out (销号)
  std::int64_t closed_on_time = 0;     //   closed and never past a handling limit (按期)
  std::int64_t handling_ms = 0;        //   working time from dispatch to the last rectification
  std::int64_t handling_n = 0;         //   closed cases with a handling time
  std::int64_t recurred = 0;           // recurrences (举一反三) filed or fixed on the spot,
                                       //   on the report's day, against the unit that closed
                                       //   the earlier case

  Counts& operator+=(const Counts& o);
  bool operator==(const Counts&) const = default;
  bool empty() const { return *this == Counts{}; }
  // Closures due (应结案数): dispatched or fixed on the spot, less returned and parked.
  std::int64_t due() const { return dispatched + fixed_on_site - returned - parked; }
};

// Field staff: per person and day. Columns of kpi_staff_counters.
struct StaffKey {
  Day day = 0;
  std::int64_t user_id = 0;
  auto operator<=>(const StaffKey&) const = default;
};
struct StaffCounts {
  std::int64_t reported = 0;  // 上报数 (report day)
  std::int64_t filed = 0;     // of them filed or fixed on the spot (有效)
  std::int64_t voided = 0;
  std::int64_t duplicates = 0;
  std::int64_t verified = 0;          // verifications he made (应核查, day of the verification)
  std::int64_t verified_on_time = 0;  // within the verify limit (按时核查)

  StaffCounts& operator+=(const StaffCounts& o);
  bool operator==(const StaffCounts&) const = default;
  bool empty() const { return *this == StaffCounts{}; }
};

// What the projector remembers of each case between its events (kpi_case_marks).
struct CaseMarks {
  Day cohort_day = 0;            // the day of its dispatch or on-the-spot fix; 0 before
  bool late = false;             // past a handling limit since that dispatch
  bool overdue_counted = false;  // counted in `overdue` for that dispatch
  bool extended = false;         // counted in `extended` for that dispatch
  bool operator==(const CaseMarks&) const = default;
};

// One ledger event of a case, as the projector sees it.
struct CaseEvent {
  std::string_view action;  // report, file, dispatch, acknowledge, ..., overdue, warn
  std::optional<cases::Record> before;
  cases::Record after;
  Millis at = 0;
  std::optional<std::int64_t> actor_user_id;
};

struct Effect {
  std::vector<std::pair<Key, Counts>> counts;
  std::vector<std::pair<StaffKey, StaffCounts>> staff;
  CaseMarks marks;  // the case's marks after the event
};

// What one event adds. `marks` are the case's marks before the event. Events that count nothing
// (warn, escalate, attach, request_extension, import) give no rows and the marks unchanged.
Effect project(const CaseEvent& event, const CaseMarks& marks, const calendar::WorkCalendar& cal);

// Whether a stage timer was within its budget at `at` (pauses for extension requests and parking
// do not count: the timer's counted time).
bool within_limit(const cases::Timer& t, Millis at, const calendar::WorkCalendar& cal);

// ---- Figures ----

struct Interval {
  double low = 0;
  double high = 0;
};
// The Wilson score interval of k successes in n at 95 % (z = 1.96); {0, 1} when n == 0.
Interval wilson(std::int64_t k, std::int64_t n);

struct Rate {
  std::int64_t num = 0;
  std::int64_t den = 0;
  // num / den, nullopt when den is 0 (no case: no rate, not 0 % nor 100 %).
  std::optional<double> value() const;
  Interval interval() const { return wilson(num, den); }
};

enum class Indicator {
  kAckOnTime,     // 按时签收率 = ack_on_time / (dispatched − returned)
  kClosedOnTime,  // 按期结案率 = closed_on_time / due
  kClosure,       // 结案率 = closed / due
  kRework,        // 返工率 = verify_failed / verified (lower is better)
  kOverdue,       // 超期率 = overdue / due (lower is better)
  kExtension,     // 延期率 = extended / due (lower is better)
  kValidReport,   // 有效上报率 = filed / reported (field staff)
  kVerifyOnTime,  // 按时核查率 = verified_on_time / verified (field staff)
  kRecurrence,    // 复发率 = recurred / closed (lower is better): recurrences in the period
                  //   against the period's close-outs
};
std::string_view to_string(Indicator i);
std::optional<Indicator> parse_indicator(std::string_view s);
const std::vector<Indicator>& all_indicators();
// Whether a lower rate is the better one (its score is 1 − rate).
bool lower_is_better(Indicator i);

struct Figures {
  std::map<Indicator, Rate> rates;
  std::int64_t due = 0;       // 应结案数
  std::int64_t overdue = 0;   // 超期数
  std::int64_t reported = 0;  // 上报数
  std::int64_t dispatched = 0;
  std::int64_t closed = 0;
  std::int64_t recurred = 0;                 // 复发数 (举一反三)
  std::optional<double> avg_handling_hours;  // working hours, dispatch → last rectification
};
Figures figures(const Counts& c);
Figures staff_figures(const StaffCounts& c);

// ---- Score, grades, rankings: the preset's rules ----

struct Weight {
  Indicator indicator = Indicator::kClosedOnTime;
  double weight = 0;  // > 0; the weights of a score are normalised over those with a rate
  bool operator==(const Weight&) const = default;
};
struct GradeBand {
  std::string grade;     // "A"
  double min_score = 0;  // the band holds scores >= min_score (and below the next band up)
  bool operator==(const GradeBand&) const = default;
};
// A red or black list rule (红黑榜): entries meeting every condition given.
struct ListRule {
  std::optional<int> top;       // red: among the best `top` ranks; black: the worst `top`
  std::optional<double> score;  // red: score >= it; black: score < it
  bool operator==(const ListRule&) const = default;
};
struct Settings {
  std::vector<Weight> unit_weights;   // units and areas
  std::vector<Weight> staff_weights;  // grid workers and other reporters
  std::vector<GradeBand> grades;      // sorted by min_score, highest first
  int min_sample = 5;                 // fewer cases due (staff: reports) → 样本不足
  ListRule red;
  ListRule black;
  // A hotspot (热点, the dashboard and GET /hotspots): a grid and category with at least this
  // many reports in the period.
  int hotspot_min_reports = 3;
  bool operator==(const Settings&) const = default;
};

// The defaults (the 数字城管 area formula's spirit; grades A ≥ 90 … E < 40).
Settings default_settings();

// Whether settings can be used; the error names the field:
//   kpi.bad_weight      a weight not > 0, a weight listed twice, or no weight (field: the list)
//   kpi.bad_grades      no band, bands not strictly falling, a score outside 0..100, a grade name
//                       empty or longer than 8 characters, or no band starting at 0
//   kpi.bad_min_sample  min_sample outside 1..10000
//   kpi.bad_list_rule   top outside 1..1000 or score outside 0..100 (field: red or black)
//   kpi.bad_hotspot     hotspot_min_reports outside 1..10000 (field: hotspot)
Status check(const Settings& s);

// The composite score 0..100 of the rates: Σ wᵢ·sᵢ / Σ wᵢ × 100 over the weighted indicators
// that have a rate (sᵢ the rate, or 1 − rate when lower is better); nullopt when none has.
std::optional<double> score(const Figures& f, const std::vector<Weight>& weights);
std::string grade(double score, const Settings& s);

struct RankInput {
  std::int64_t id = 0;
  std::optional<double> score;
  std::int64_t sample = 0;  // cases due (staff: reports)
};
struct RankedEntry {
  std::int64_t id = 0;
  std::optional<double> score;
  std::int64_t sample = 0;
  std::optional<int> rank;    // nullopt: listed apart (样本不足, or no score)
  bool insufficient = false;  // sample < min_sample
  std::string grade;          // "" when unranked
  std::optional<int> previous_rank;
  std::optional<double> previous_score;
  std::optional<int> rank_change;      // previous_rank − rank (positive: moved up)
  std::optional<double> score_change;  // score − previous_score
  bool red = false;
  bool black = false;
};
// Ranks the entries: those with a score and a sample of at least min_sample by score, highest
// first; equal scores (to 0.01) share a rank and the next rank skips (1, 1, 3); the rest listed
// after them, unranked. `previous` is the previous period's inputs, ranked the same way, for the
// change. Red and black lists by s.red / s.black among the ranked (never both: red wins).
std::vector<RankedEntry> rank(const std::vector<RankInput>& current,
                              const std::vector<RankInput>& previous, const Settings& s);

// ---- Periods ----

enum class PeriodKind { kDay, kWeek, kMonth, kQuarter, kRange };
std::string_view to_string(PeriodKind k);
std::optional<PeriodKind> parse_period_kind(std::string_view s);

struct Period {
  PeriodKind kind = PeriodKind::kMonth;
  calendar::Date from;  // inclusive
  calendar::Date to;    // inclusive
};
// The period of a kind that holds `date` (a week runs Monday to Sunday); for kRange the caller
// gives both ends. The previous period is the one just before, of the same length for a range.
Period period_of(PeriodKind kind, calendar::Date date);
Period previous(const Period& p);
// A range from..to: "kpi.bad_period" when to < from or it spans more than 366 days.
Expected<Period> range(calendar::Date from, calendar::Date to);

}  // namespace civicloop::kpi
