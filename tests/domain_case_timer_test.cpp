// Stage timers: budget, pause and resume, extension, the marks at 50/75/100 and the ladder.
#include "domain/case_timer.hpp"

#include <gtest/gtest.h>

namespace civicloop::cases {
namespace {

using calendar::LimitUnit;

// Continuous hours make the arithmetic plain; working-time arithmetic has its own golden tests.
calendar::WorkCalendar continuous() {
  return calendar::WorkCalendar::make({{0, 1440}}, 480, {}).value();
}

constexpr Millis kHour = 3600 * 1000;
constexpr Millis kStart = 1'790'000'000'000;

TEST(CaseTimer, StartsWithTheWholeBudgetAndADeadline) {
  const auto cal = continuous();
  auto t = start_timer(Stage::kRectify, {4, LimitUnit::kUrgentHours}, kStart, cal);
  EXPECT_EQ(t.budget, 4 * kHour);
  EXPECT_EQ(t.deadline, kStart + 4 * kHour);
  EXPECT_FALSE(t.paused());
  EXPECT_EQ(percent_used(t, kStart + 2 * kHour, cal), 50);
}

TEST(CaseTimer, PausingStopsTheClockAndResumingKeepsTheRemainder) {
  const auto cal = continuous();
  auto t = start_timer(Stage::kRectify, {4, LimitUnit::kUrgentHours}, kStart, cal);
  pause(t, kStart + 1 * kHour, cal);
  EXPECT_TRUE(t.paused());
  EXPECT_EQ(used(t, kStart + 10 * kHour, cal), 1 * kHour);  // nothing counts while paused
  resume(t, kStart + 10 * kHour, cal);
  EXPECT_EQ(t.deadline, kStart + 13 * kHour);  // 3 hours were left
}

TEST(CaseTimer, AnExtensionAddsBudgetAndTakesBackWarningsNoLongerTrue) {
  const auto cal = continuous();
  const EscalationLadder ladder;
  auto t = start_timer(Stage::kRectify, {4, LimitUnit::kUrgentHours}, kStart, cal);
  EXPECT_EQ(crossed_marks(t, kStart + 3 * kHour, cal, ladder), (std::vector<int>{50, 75}));
  extend(t, 4 * kHour, kStart + 3 * kHour, cal);
  EXPECT_EQ(t.deadline, kStart + 8 * kHour);
  EXPECT_EQ(t.warned_percent, 0);  // 3 of 8 hours is under half
  EXPECT_EQ(crossed_marks(t, kStart + 4 * kHour, cal, ladder), (std::vector<int>{50}));
}

TEST(CaseTimer, MarksAreReportedOnceEach) {
  const auto cal = continuous();
  const EscalationLadder ladder{{100, 150, 200}};
  auto t = start_timer(Stage::kAcknowledge, {2, LimitUnit::kUrgentHours}, kStart, cal);
  EXPECT_TRUE(crossed_marks(t, kStart + kHour / 2, cal, ladder).empty());
  EXPECT_EQ(crossed_marks(t, kStart + 5 * kHour, cal, ladder),
            (std::vector<int>{50, 75, 100, 150, 200}));
  EXPECT_TRUE(crossed_marks(t, kStart + 5 * kHour, cal, ladder).empty());
  EXPECT_EQ(escalation_level(ladder, 99), 0);
  EXPECT_EQ(escalation_level(ladder, 100), 1);
  EXPECT_EQ(escalation_level(ladder, 160), 2);
  EXPECT_EQ(escalation_level(ladder, 250), 3);
}

TEST(CaseTimer, TheNextCheckIsTheNextMarkAheadAndNoneWhenPaused) {
  const auto cal = continuous();
  const EscalationLadder ladder{{100, 150}};
  auto t = start_timer(Stage::kRectify, {4, LimitUnit::kUrgentHours}, kStart, cal);
  EXPECT_EQ(next_check(t, ladder, cal), kStart + 2 * kHour);  // 50 %
  crossed_marks(t, kStart + 2 * kHour, cal, ladder);
  EXPECT_EQ(next_check(t, ladder, cal), kStart + 3 * kHour);  // 75 %
  crossed_marks(t, kStart + 7 * kHour, cal, ladder);
  EXPECT_FALSE(next_check(t, ladder, cal).has_value());  // every mark is behind
  auto p = start_timer(Stage::kRectify, {4, LimitUnit::kUrgentHours}, kStart, cal);
  pause(p, kStart, cal);
  EXPECT_FALSE(next_check(p, ladder, cal).has_value());
}

TEST(CaseTimer, StageNamesRoundTrip) {
  for (const Stage s : {Stage::kAcknowledge, Stage::kRectify, Stage::kVerify}) {
    EXPECT_EQ(parse_stage(to_string(s)), s);
  }
  EXPECT_FALSE(parse_stage("nap").has_value());
}

}  // namespace
}  // namespace civicloop::cases
