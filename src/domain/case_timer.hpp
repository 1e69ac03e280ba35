// Stage timers of a case (限时): how long the unit has to acknowledge, to rectify, and the HQ
// office to verify; when the time is half and three quarters used (warnings) and when it is
// overdue; and the escalation ladder (督办) past the deadline.
//
// A timer keeps its budget and the counted time already used, so that it can pause while an
// extension request waits or while the case is parked, and resume with exactly the remainder;
// "counted" time is the unit's clock (working time for working hours/days, continuous otherwise,
// see domain/calendar.hpp). Plain values; thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "domain/calendar.hpp"
#include "domain/clock.hpp"

namespace civicloop::cases {

enum class Stage { kAcknowledge, kRectify, kVerify };
std::string_view to_string(Stage s);
std::optional<Stage> parse_stage(std::string_view s);

struct Timer {
  Stage stage = Stage::kRectify;
  calendar::LimitUnit unit = calendar::LimitUnit::kWorkingDays;
  Millis budget = 0;                    // counted time allowed
  Millis consumed = 0;                  // counted time used before running_since
  std::optional<Millis> running_since;  // nullopt while paused
  Millis deadline = 0;                  // when the budget runs out if nothing pauses it
  bool estimated = false;  // the deadline crosses a year whose holidays are not entered
  int warned_percent = 0;  // the highest mark already reported (50, 75, 100, 150 ...)

  bool paused() const { return !running_since.has_value(); }
};

Timer start_timer(Stage stage, calendar::TimeLimit limit, Millis now,
                  const calendar::WorkCalendar& cal);
// Counted time used so far (including the running stretch up to now).
Millis used(const Timer& t, Millis now, const calendar::WorkCalendar& cal);
void pause(Timer& t, Millis now, const calendar::WorkCalendar& cal);
void resume(Timer& t, Millis now, const calendar::WorkCalendar& cal);
// Adds counted time to the budget (an extension granted in full or in part).
void extend(Timer& t, Millis extra, Millis now, const calendar::WorkCalendar& cal);
// Percent of the budget used, 0 when the budget is 0 and nothing was used.
int percent_used(const Timer& t, Millis now, const calendar::WorkCalendar& cal);

// The escalation ladder (督办): at which percent of the budget each level is reached. Level 1
// goes to the head of the responsible unit, level 2 to the place's liaison leader, level 3 to the
// HQ office. The percents are tenant data (preset), e.g. {100, 150, 200}.
struct EscalationLadder {
  std::vector<int> at_percent = {100, 150, 200};
};
// The level the timer has reached (0: not overdue).
int escalation_level(const EscalationLadder& ladder, int percent);

// The marks a timer reports: warnings at 50 and 75, overdue at 100, and each escalation percent.
std::vector<int> marks(const EscalationLadder& ladder);

// The marks crossed since the last call, oldest first; records them as reported. Calling it twice
// at the same instant returns nothing the second time, so a sweep that runs again (after a
// restart, say) repeats no warning and no escalation.
std::vector<int> crossed_marks(Timer& t, Millis now, const calendar::WorkCalendar& cal,
                               const EscalationLadder& ladder);

// When the sweep should look at this timer next: the instant the next threshold (50, 75, 100, then
// each escalation percent above 100) is reached; nullopt while paused or when all are past.
std::optional<Millis> next_check(const Timer& t, const EscalationLadder& ladder,
                                 const calendar::WorkCalendar& cal);

}  // namespace civicloop::cases
