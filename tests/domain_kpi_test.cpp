// KPIs on golden cases: each case is walked through its events as the case service writes them
// (the same timers), projected, and the figures checked by hand: on time, late, parked, reworked,
// extended, voided, fixed on the spot, returned; the score and grade; Wilson intervals; rankings
// with small volumes and ties; periods.
#include "domain/kpi.hpp"

#include <gtest/gtest.h>

#include <map>

namespace civicloop::kpi {
namespace {

using calendar::LimitUnit;
using cases::Record;
using cases::Stage;
using cases::State;

constexpr Millis kMinute = 60 * 1000;
constexpr Millis kHour = 60 * kMinute;

calendar::WorkCalendar work_calendar() {
  // 08:30–12:00 and 14:30–18:00 in UTC+8, weekdays (the preset's periods).
  return calendar::WorkCalendar::make({{510, 720}, {870, 1080}}, 480, {}).value();
}

// Monday 2026-11-30 09:30 in Beijing.
const Millis kMonday = parse_iso_utc("2026-11-30T01:30:00Z").value();

// A case walked through the actions the way app/case_service.cpp changes the row, projected
// event by event; the counters are summed over all rows and per key.
class Walk {
 public:
  Walk(const calendar::WorkCalendar& cal, std::map<Key, Counts>& rows,
       std::map<StaffKey, StaffCounts>& staff, std::int64_t unit = 7)
      : cal_(cal), rows_(rows), staff_(staff), unit_(unit) {
    r_.id = ++next_id_;
    r_.category_code = "0102";
    r_.source = cases::Source::kGridPatrol;
    r_.grid_id = 31;
    r_.community_id = 21;
    r_.subdistrict_id = 11;
    r_.reporter_user_id = 100;
  }

  Walk& report(Millis at) {
    r_.reported_at = at;
    r_.state = State::kReported;
    emit("report", std::nullopt, at);
    return *this;
  }
  Walk& file(Millis at) {
    return step("file", at, [&] { r_.state = State::kFiled; });
  }
  Walk& void_(Millis at) {
    return step("void", at, [&] { r_.state = State::kVoided; });
  }
  Walk& dispatch(Millis at) {
    return step("dispatch", at, [&] {
      r_.state = State::kDispatched;
      r_.assigned_unit_id = unit_;
      r_.dispatched_at = at;
      r_.timer = cases::start_timer(Stage::kAcknowledge, {2, LimitUnit::kWorkingHours}, at, cal_);
      r_.overdue = false;
    });
  }
  Walk& acknowledge(Millis at) {
    return step("acknowledge", at, [&] {
      r_.state = State::kAcknowledged;
      r_.timer = cases::start_timer(Stage::kRectify, {1, LimitUnit::kWorkingDays}, at, cal_);
      r_.overdue = false;
    });
  }
  Walk& give_back(Millis at) {
    return step("return", at, [&] {
      r_.state = State::kFiled;
      r_.assigned_unit_id.reset();
      r_.timer.reset();
    });
  }
  Walk& request_extension(Millis at) {
    return step("request_extension", at, [&] {
      r_.extension_pending = true;
      cases::pause(*r_.timer, at, cal_);
    });
  }
  Walk& grant_extension(Millis at, int working_days) {
    return step("decide_extension", at, [&] {
      r_.extension_pending = false;
      cases::resume(*r_.timer, at, cal_);
      cases::extend(*r_.timer, cal_.budget({working_days, LimitUnit::kWorkingDays}), at, cal_);
      r_.overdue = cases::percent_used(*r_.timer, at, cal_) >= 100;
    });
  }
  Walk& rectify(Millis at) {
    return step("rectify", at, [&] {
      r_.state = State::kRectified;
      r_.rectified_at = at;
      r_.timer = cases::start_timer(Stage::kVerify, {1, LimitUnit::kWorkingDays}, at, cal_);
      r_.overdue = false;
    });
  }
  Walk& fix_on_site(Millis at) {
    return step("fix_on_site", at, [&] {
      r_.state = State::kRectified;
      r_.assigned_unit_id = r_.grid_id;
      r_.rectified_at = at;
      r_.timer = cases::start_timer(Stage::kVerify, {1, LimitUnit::kWorkingDays}, at, cal_);
    });
  }
  Walk& verify(Millis at, bool passed, std::int64_t verifier = 200) {
    actor_ = verifier;
    return step("verify", at, [&] {
      if (passed) {
        r_.state = State::kVerified;
        r_.timer.reset();
      } else {
        r_.state = State::kAcknowledged;
        ++r_.rework_count;
        r_.timer = cases::start_timer(Stage::kRectify, {1, LimitUnit::kWorkingDays}, at, cal_);
      }
    });
  }
  Walk& close(Millis at) {
    return step("close", at, [&] {
      r_.state = State::kClosed;
      r_.closed_at = at;
      r_.timer.reset();
    });
  }
  Walk& park(Millis at) {
    return step("park", at, [&] {
      r_.parked_from = r_.state;
      r_.state = State::kParked;
      cases::pause(*r_.timer, at, cal_);
    });
  }
  Walk& unpark(Millis at) {
    return step("unpark", at, [&] {
      r_.state = *r_.parked_from;
      r_.parked_from.reset();
      cases::resume(*r_.timer, at, cal_);
    });
  }
  // The sweep's overdue event.
  Walk& sweep_overdue(Millis at, std::string_view action = "overdue") {
    return step(action, at, [&] {
      r_.overdue = true;
      if (action == "escalate") ++r_.escalation_level;
    });
  }

  const CaseMarks& marks() const { return marks_; }

 private:
  template <class F>
  Walk& step(std::string_view action, Millis at, F change) {
    const Record before = r_;
    change();
    emit(action, before, at);
    actor_.reset();
    return *this;
  }
  void emit(std::string_view action, std::optional<Record> before, Millis at) {
    CaseEvent e{action, std::move(before), r_, at, actor_};
    auto eff = project(e, marks_, cal_);
    for (const auto& [k, c] : eff.counts) rows_[k] += c;
    for (const auto& [k, c] : eff.staff) staff_[k] += c;
    marks_ = eff.marks;
  }

  const calendar::WorkCalendar& cal_;
  std::map<Key, Counts>& rows_;
  std::map<StaffKey, StaffCounts>& staff_;
  std::int64_t unit_;
  Record r_;
  CaseMarks marks_;
  std::optional<std::int64_t> actor_;
  static inline std::int64_t next_id_ = 0;
};

class KpiGolden : public ::testing::Test {
 protected:
  Counts total() const {
    Counts t;
    for (const auto& [k, c] : rows_) t += c;
    return t;
  }
  StaffCounts staff_total(std::int64_t user) const {
    StaffCounts t;
    for (const auto& [k, c] : staff_) {
      if (k.user_id == user) t += c;
    }
    return t;
  }
  Walk walk(std::int64_t unit = 7) { return Walk(cal_, rows_, staff_, unit); }

  calendar::WorkCalendar cal_ = work_calendar();
  std::map<Key, Counts> rows_;
  std::map<StaffKey, StaffCounts> staff_;
};

TEST_F(KpiGolden, AnOnTimeCaseCountsOnTimeEverywhere) {
  walk()
      .report(kMonday)
      .file(kMonday + 10 * kMinute)
      .dispatch(kMonday + 20 * kMinute)
      .acknowledge(kMonday + 1 * kHour)  // within 2 working hours
      .rectify(kMonday + 5 * kHour)      // within 1 working day (7 h)
      .verify(kMonday + 6 * kHour, true)
      .close(kMonday + 6 * kHour + kMinute);
  const auto c = total();
  EXPECT_EQ(c.reported, 1);
  EXPECT_EQ(c.filed, 1);
  EXPECT_EQ(c.dispatched, 1);
  EXPECT_EQ(c.ack_on_time, 1);
  EXPECT_EQ(c.closed, 1);
  EXPECT_EQ(c.closed_on_time, 1);
  EXPECT_EQ(c.overdue, 0);
  const auto f = figures(c);
  EXPECT_EQ(f.due, 1);
  EXPECT_EQ(f.rates.at(Indicator::kClosedOnTime).value(), 1.0);
  EXPECT_EQ(f.rates.at(Indicator::kAckOnTime).value(), 1.0);
  EXPECT_EQ(f.rates.at(Indicator::kRework).value(), 0.0);
  // Dispatched 09:50, rectified 14:30 (5 h later on the wall clock): 09:50–12:00 is 2 h 10 min
  // of working time, 12:00–14:30 is the lunch break: 2.1667 working hours.
  ASSERT_TRUE(f.avg_handling_hours);
  EXPECT_NEAR(*f.avg_handling_hours, 130.0 / 60.0, 1e-9);
  // The cohort is the dispatch day, the unit the one dispatched to.
  for (const auto& [k, v] : rows_) {
    if (v.dispatched) {
      EXPECT_EQ(k.day, 20261130);
      EXPECT_EQ(k.unit_id, 7);
      EXPECT_EQ(k.grid_id, 31);
      EXPECT_EQ(k.source, "grid_patrol");
    }
  }
  EXPECT_EQ(staff_total(100).reported, 1);
  EXPECT_EQ(staff_total(100).filed, 1);
  EXPECT_EQ(staff_total(200).verified, 1);
  EXPECT_EQ(staff_total(200).verified_on_time, 1);
  EXPECT_EQ(score(f, default_settings().unit_weights), 100.0);
}

TEST_F(KpiGolden, ALateAcknowledgementMakesTheClosureLateAndCountsOverdueOnce) {
  walk()
      .report(kMonday)
      .file(kMonday)
      .dispatch(kMonday)
      .sweep_overdue(kMonday + 5 * kHour)  // the limit ran out at 11:30
      .acknowledge(kMonday + 6 * kHour)
      .rectify(kMonday + 24 * kHour)  // next day 09:30: within its 7 working hours
      .verify(kMonday + 25 * kHour, true)
      .close(kMonday + 25 * kHour);
  const auto c = total();
  EXPECT_EQ(c.acknowledged, 1);
  EXPECT_EQ(c.ack_on_time, 0);
  EXPECT_EQ(c.rectified_on_time, 1);
  EXPECT_EQ(c.overdue, 1);  // the sweep and the late acknowledgement: one case, counted once
  EXPECT_EQ(c.closed, 1);
  EXPECT_EQ(c.closed_on_time, 0);
  const auto f = figures(c);
  EXPECT_EQ(f.rates.at(Indicator::kClosedOnTime).value(), 0.0);
  EXPECT_EQ(f.rates.at(Indicator::kClosure).value(), 1.0);
  EXPECT_EQ(f.rates.at(Indicator::kOverdue).value(), 1.0);
}

TEST_F(KpiGolden, ALateRectificationWithoutASweepIsStillLate) {
  walk()
      .report(kMonday)
      .file(kMonday)
      .dispatch(kMonday)
      .acknowledge(kMonday + kMinute)
      .rectify(kMonday + 3 * 24 * kHour)  // Thursday: 3 working days for a 1-day limit
      .verify(kMonday + 3 * 24 * kHour, true)
      .close(kMonday + 3 * 24 * kHour);
  const auto c = total();
  EXPECT_EQ(c.rectified, 1);
  EXPECT_EQ(c.rectified_on_time, 0);
  EXPECT_EQ(c.closed_on_time, 0);
  EXPECT_EQ(c.overdue, 1);
}

TEST_F(KpiGolden, AParkedCaseIsNotDueUntilUnparkedAndItsPausedTimeDoesNotCount) {
  auto w = walk();
  w.report(kMonday).file(kMonday).dispatch(kMonday).acknowledge(kMonday + kMinute);
  w.park(kMonday + kHour);
  EXPECT_EQ(total().parked, 1);
  EXPECT_EQ(figures(total()).due, 0);  // parked excluded: no closure due
  EXPECT_FALSE(figures(total()).rates.at(Indicator::kClosedOnTime).value());
  // Two weeks parked, then rectified within the hour left: on time.
  w.unpark(kMonday + 14 * 24 * kHour);
  w.rectify(kMonday + 14 * 24 * kHour + 30 * kMinute).verify(kMonday + 15 * 24 * kHour, true);
  w.close(kMonday + 15 * 24 * kHour);
  const auto c = total();
  EXPECT_EQ(c.parked, 0);
  EXPECT_EQ(c.closed_on_time, 1);
  EXPECT_EQ(figures(c).due, 1);
}

TEST_F(KpiGolden, ReworkCountsInTheReworkRateAndKeepsTheClosureOnTime) {
  walk()
      .report(kMonday)
      .file(kMonday)
      .dispatch(kMonday)
      .acknowledge(kMonday + kMinute)
      .rectify(kMonday + kHour)
      .verify(kMonday + 2 * kHour, false)  // 返工
      .rectify(kMonday + 5 * kHour)
      .verify(kMonday + 6 * kHour, true)
      .close(kMonday + 6 * kHour);
  const auto c = total();
  EXPECT_EQ(c.verified, 2);
  EXPECT_EQ(c.verify_failed, 1);
  EXPECT_EQ(c.rectified, 2);
  EXPECT_EQ(c.closed_on_time, 1);
  const auto f = figures(c);
  EXPECT_EQ(f.rates.at(Indicator::kRework).value(), 0.5);
  // 40·1 + 30·1 + 20·1 + 10·(1 − 0.5) over 100.
  EXPECT_NEAR(*score(f, default_settings().unit_weights), 95.0, 1e-9);
}

TEST_F(KpiGolden, AnExtendedCaseCountsOnceInTheExtensionRateAndIsOnTimeWithinTheNewLimit) {
  walk()
      .report(kMonday)
      .file(kMonday)
      .dispatch(kMonday)
      .acknowledge(kMonday + kMinute)
      .request_extension(kMonday + kHour)
      .grant_extension(kMonday + 2 * kHour, 2)
      .request_extension(kMonday + 3 * kHour)
      .grant_extension(kMonday + 4 * kHour, 1)
      .rectify(kMonday + 2 * 24 * kHour)  // Wednesday: inside 1 + 2 + 1 working days
      .verify(kMonday + 2 * 24 * kHour, true)
      .close(kMonday + 2 * 24 * kHour);
  const auto c = total();
  EXPECT_EQ(c.extended, 1);
  EXPECT_EQ(c.rectified_on_time, 1);
  EXPECT_EQ(c.closed_on_time, 1);
  EXPECT_EQ(figures(c).rates.at(Indicator::kExtension).value(), 1.0);
}

TEST_F(KpiGolden, AVoidedReportIsNotValidAndNeverDue) {
  walk().report(kMonday).void_(kMonday + kHour);
  walk().report(kMonday).file(kMonday + kHour);
  const auto c = total();
  EXPECT_EQ(c.reported, 2);
  EXPECT_EQ(c.voided, 1);
  EXPECT_EQ(c.filed, 1);
  EXPECT_EQ(figures(c).due, 0);
  const auto s = staff_figures(staff_total(100));
  EXPECT_EQ(s.reported, 2);
  EXPECT_EQ(s.rates.at(Indicator::kValidReport).value(), 0.5);
}

TEST_F(KpiGolden, AFixOnTheSpotIsAValidReportAndAnOnTimeClosureOfTheGrid) {
  walk()
      .report(kMonday)
      .fix_on_site(kMonday + 5 * kMinute)
      .verify(kMonday + kHour, true)
      .close(kMonday + kHour);
  const auto c = total();
  EXPECT_EQ(c.filed, 1);
  EXPECT_EQ(c.fixed_on_site, 1);
  EXPECT_EQ(c.closed_on_time, 1);
  EXPECT_EQ(c.dispatched, 0);
  EXPECT_EQ(figures(c).due, 1);
  EXPECT_FALSE(figures(c).rates.at(Indicator::kAckOnTime).value());  // nothing to acknowledge
  for (const auto& [k, v] : rows_) {
    if (v.fixed_on_site) EXPECT_EQ(k.unit_id, 31);  // the grid answers for it
  }
}

TEST_F(KpiGolden, AReturnBeforeAcknowledgingLeavesTheFirstUnitAndCountsForTheNext) {
  auto w = walk(7);
  w.report(kMonday).file(kMonday).dispatch(kMonday).give_back(kMonday + 10 * kMinute);
  EXPECT_EQ(w.marks(), CaseMarks{});
  // Before the office dispatches it again, the first dispatch is not due any more.
  Counts unit7;
  for (const auto& [k, v] : rows_) {
    if (k.unit_id == 7) unit7 += v;
  }
  EXPECT_EQ(unit7.dispatched, 1);
  EXPECT_EQ(unit7.returned, 1);
  EXPECT_EQ(unit7.due(), 0);
  EXPECT_FALSE(figures(unit7).rates.at(Indicator::kAckOnTime).value());
  w.dispatch(kMonday + 24 * kHour).acknowledge(kMonday + 24 * kHour + kMinute);
  EXPECT_EQ(w.marks().cohort_day, 20261201);
  EXPECT_EQ(total().acknowledged, 1);
  EXPECT_EQ(total().due(), 1);
}

TEST_F(KpiGolden, AnEscalationPastTheDeadlineIsOverdueToo) {
  // A sweep that finds a case far past its limit records the escalation, not a separate overdue.
  walk().report(kMonday).file(kMonday).dispatch(kMonday).sweep_overdue(kMonday + 72 * kHour,
                                                                       "escalate");
  EXPECT_EQ(total().overdue, 1);
  // In the verify stage it is the office that is late, not the unit.
  auto w = walk();
  w.report(kMonday).fix_on_site(kMonday).sweep_overdue(kMonday + 72 * kHour, "escalate");
  EXPECT_EQ(total().overdue, 1);
  EXPECT_FALSE(w.marks().late);
}

TEST_F(KpiGolden, AnOpenCaseIsDueButNotClosed) {
  walk().report(kMonday).file(kMonday).dispatch(kMonday).acknowledge(kMonday + kMinute);
  const auto f = figures(total());
  EXPECT_EQ(f.due, 1);
  EXPECT_EQ(f.rates.at(Indicator::kClosure).value(), 0.0);
  EXPECT_FALSE(f.avg_handling_hours);
  EXPECT_FALSE(f.rates.at(Indicator::kRework).value());  // no verification yet: no rate
}

TEST(KpiDay, IsTheLocalDay) {
  const auto cal = work_calendar();
  // 2026-11-30 16:30Z is 2026-12-01 00:30 in Beijing.
  EXPECT_EQ(day_of(parse_iso_utc("2026-11-30T16:30:00Z").value(), cal), 20261201);
  EXPECT_EQ(day_of(parse_iso_utc("2026-11-30T15:59:00Z").value(), cal), 20261130);
  EXPECT_EQ(date_of(20260229 - 1).day, 28);
}

TEST(KpiWilson, MatchesPublishedValues) {
  // 8 of 10: 0.4902 – 0.9433 (Wilson 1927; Newcombe 1998 table I style).
  auto i = wilson(8, 10);
  EXPECT_NEAR(i.low, 0.4902, 1e-4);
  EXPECT_NEAR(i.high, 0.9433, 1e-4);
  i = wilson(0, 10);
  EXPECT_NEAR(i.low, 0.0, 1e-12);
  EXPECT_NEAR(i.high, 0.2775, 1e-4);
  i = wilson(1, 1);
  EXPECT_NEAR(i.low, 0.2065, 1e-4);
  EXPECT_NEAR(i.high, 1.0, 1e-12);
  i = wilson(0, 0);
  EXPECT_EQ(i.low, 0);
  EXPECT_EQ(i.high, 1);
  // A small sample's interval is wider than a large one's at the same rate.
  EXPECT_GT(wilson(9, 10).high - wilson(9, 10).low, wilson(900, 1000).high - wilson(900, 1000).low);
}

TEST(KpiScore, GradesAtTheBandEdges) {
  const auto s = default_settings();
  EXPECT_EQ(grade(90, s), "A");
  EXPECT_EQ(grade(89.99, s), "B");
  EXPECT_EQ(grade(75, s), "B");
  EXPECT_EQ(grade(74.9, s), "C");
  EXPECT_EQ(grade(60, s), "C");
  EXPECT_EQ(grade(59, s), "D");
  EXPECT_EQ(grade(40, s), "D");
  EXPECT_EQ(grade(39.9, s), "E");
  EXPECT_EQ(grade(0, s), "E");
}

TEST(KpiScore, WeightsAreNormalisedOverTheRatesThatExist) {
  Figures f;
  f.rates[Indicator::kClosedOnTime] = {1, 2};  // 0.5
  f.rates[Indicator::kClosure] = {0, 0};       // no rate
  f.rates[Indicator::kRework] = {1, 4};        // 0.25 → scores 0.75
  const std::vector<Weight> w = {
      {Indicator::kClosedOnTime, 40}, {Indicator::kClosure, 30}, {Indicator::kRework, 10}};
  EXPECT_NEAR(*score(f, w), (40 * 0.5 + 10 * 0.75) / 50 * 100, 1e-9);
  EXPECT_FALSE(score(Figures{}, w));
}

TEST(KpiSettings, TheDefaultsAreValidAndBadOnesAreNamed) {
  EXPECT_TRUE(check(default_settings()));
  auto s = default_settings();
  s.unit_weights.push_back({Indicator::kClosure, 5});
  EXPECT_EQ(check(s).error().code, "kpi.bad_weight");
  s = default_settings();
  s.unit_weights[0].weight = 0;
  EXPECT_EQ(check(s).error().field, "unit_weights");
  s = default_settings();
  s.grades = {{"A", 90}, {"B", 95}, {"E", 0}};
  EXPECT_EQ(check(s).error().code, "kpi.bad_grades");
  s = default_settings();
  s.grades.pop_back();  // no band starts at 0
  EXPECT_EQ(check(s).error().code, "kpi.bad_grades");
  s = default_settings();
  s.min_sample = 0;
  EXPECT_EQ(check(s).error().code, "kpi.bad_min_sample");
  s = default_settings();
  s.black.score = 101;
  EXPECT_EQ(check(s).error().field, "black");
}

std::vector<int> ranks(const std::vector<RankedEntry>& r) {
  std::vector<int> out;
  for (const auto& e : r) out.push_back(e.rank.value_or(0));
  return out;
}

TEST(KpiRank, TiesShareARankAndTheNextSkips) {
  auto s = default_settings();
  s.min_sample = 1;
  s.red = {};
  s.black = {};
  const auto r = rank({{1, 80.0, 10}, {2, 95.0, 10}, {3, 95.004, 10}, {4, 70.0, 10}}, {}, s);
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[0].id, 2);
  EXPECT_EQ(r[1].id, 3);
  EXPECT_EQ(ranks(r), (std::vector<int>{1, 1, 3, 4}));
  EXPECT_EQ(r[2].grade, "B");
}

TEST(KpiRank, SmallVolumesAreListedApartWhateverTheirScore) {
  auto s = default_settings();
  s.min_sample = 5;
  // Unit 9 has one case, closed on time: 100 %, but one case says little.
  const auto r = rank({{7, 82.0, 40}, {9, 100.0, 1}, {8, 64.0, 5}, {10, std::nullopt, 0}}, {}, s);
  EXPECT_EQ(r[0].id, 7);
  EXPECT_EQ(r[0].rank, 1);
  EXPECT_EQ(r[1].id, 8);
  EXPECT_EQ(r[1].rank, 2);
  EXPECT_EQ(r[2].id, 9);
  EXPECT_TRUE(r[2].insufficient);
  EXPECT_FALSE(r[2].rank);
  EXPECT_FALSE(r[2].red);
  EXPECT_EQ(r[3].id, 10);
  EXPECT_FALSE(r[3].rank);
}

TEST(KpiRank, ChangeAgainstThePreviousPeriod) {
  auto s = default_settings();
  s.min_sample = 1;
  const auto r = rank({{1, 90.0, 5}, {2, 80.0, 5}, {3, 70.0, 5}},
                      {{1, 60.0, 5}, {2, 85.0, 5}, {3, 50.0, 0}}, s);
  EXPECT_EQ(r[0].id, 1);
  EXPECT_EQ(r[0].previous_rank, 2);
  EXPECT_EQ(r[0].rank_change, 1);  // up one
  EXPECT_NEAR(*r[0].score_change, 30.0, 1e-9);
  EXPECT_EQ(r[1].rank_change, -1);
  EXPECT_FALSE(r[2].previous_rank);  // no rank before (no sample): no change shown
  EXPECT_FALSE(r[2].rank_change);
}

TEST(KpiRank, RedAndBlackListsByThePresetRules) {
  Settings s = default_settings();
  s.min_sample = 1;
  s.red = {2, 90.0};    // top 2 and ≥ 90
  s.black = {2, 60.0};  // bottom 2 and < 60
  const auto r =
      rank({{1, 97.0, 9}, {2, 88.0, 9}, {3, 91.0, 9}, {4, 59.0, 9}, {5, 62.0, 9}}, {}, s);
  std::map<std::int64_t, std::pair<bool, bool>> lists;
  for (const auto& e : r) lists[e.id] = {e.red, e.black};
  EXPECT_EQ(lists[1], std::make_pair(true, false));
  EXPECT_EQ(lists[3], std::make_pair(true, false));
  EXPECT_EQ(lists[2], std::make_pair(false, false));  // top 3rd, and under 90
  EXPECT_EQ(lists[4], std::make_pair(false, true));
  EXPECT_EQ(lists[5], std::make_pair(false, false));  // bottom 2, but 62 ≥ 60
}

TEST(KpiPeriod, WeeksMonthsQuartersAndThePreviousOne) {
  auto p = period_of(PeriodKind::kWeek, {2026, 12, 3});  // a Thursday
  EXPECT_EQ(p.from, (calendar::Date{2026, 11, 30}));
  EXPECT_EQ(p.to, (calendar::Date{2026, 12, 6}));
  EXPECT_EQ(previous(p).from, (calendar::Date{2026, 11, 23}));
  p = period_of(PeriodKind::kMonth, {2028, 2, 10});
  EXPECT_EQ(p.to, (calendar::Date{2028, 2, 29}));
  p = period_of(PeriodKind::kQuarter, {2026, 2, 1});
  EXPECT_EQ(p.from, (calendar::Date{2026, 1, 1}));
  EXPECT_EQ(p.to, (calendar::Date{2026, 3, 31}));
  EXPECT_EQ(previous(p).from, (calendar::Date{2025, 10, 1}));
  auto r = range({2026, 11, 1}, {2026, 11, 10});
  ASSERT_TRUE(r);
  EXPECT_EQ(previous(*r).from, (calendar::Date{2026, 10, 22}));
  EXPECT_EQ(previous(*r).to, (calendar::Date{2026, 10, 31}));
  EXPECT_FALSE(range({2026, 11, 2}, {2026, 11, 1}));
  EXPECT_TRUE(range({2025, 1, 1}, {2026, 1, 1}));  // 366 days
  EXPECT_FALSE(range({2025, 1, 1}, {2026, 1, 2}));
}

}  // namespace
}  // namespace civicloop::kpi
