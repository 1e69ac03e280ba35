#include "domain/case_timer.hpp"

#include <algorithm>

namespace civicloop::cases {

std::string_view to_string(Stage s) {
  switch (s) {
    case Stage::kAcknowledge:
      return "acknowledge";
    case Stage::kRectify:
      return "rectify";
    case Stage::kVerify:
      return "verify";
  }
  return "unknown";
}

std::optional<Stage> parse_stage(std::string_view s) {
  for (const Stage st : {Stage::kAcknowledge, Stage::kRectify, Stage::kVerify}) {
    if (to_string(st) == s) return st;
  }
  return std::nullopt;
}

namespace {
void reschedule(Timer& t, Millis now, const calendar::WorkCalendar& cal) {
  const Millis left = std::max<Millis>(0, t.budget - t.consumed);
  const auto at = cal.advance(now, left, t.unit);
  t.deadline = at.at;
  t.estimated = at.estimated;
}
}  // namespace

Timer start_timer(Stage stage, calendar::TimeLimit limit, Millis now,
                  const calendar::WorkCalendar& cal) {
  Timer t;
  t.stage = stage;
  t.unit = limit.unit;
  t.budget = cal.budget(limit);
  t.running_since = now;
  reschedule(t, now, cal);
  return t;
}

Millis used(const Timer& t, Millis now, const calendar::WorkCalendar& cal) {
  Millis u = t.consumed;
  if (t.running_since && now > *t.running_since) u += cal.measure(*t.running_since, now, t.unit);
  return u;
}

void pause(Timer& t, Millis now, const calendar::WorkCalendar& cal) {
  if (!t.running_since) return;
  t.consumed = used(t, now, cal);
  t.running_since.reset();
}

void resume(Timer& t, Millis now, const calendar::WorkCalendar& cal) {
  if (t.running_since) return;
  t.running_since = now;
  reschedule(t, now, cal);
}

void extend(Timer& t, Millis extra, Millis now, const calendar::WorkCalendar& cal) {
  t.budget += std::max<Millis>(0, extra);
  // Warnings already given stay given only if the time used is still past them.
  const int pct = percent_used(t, now, cal);
  if (t.warned_percent > pct) {
    t.warned_percent = pct >= 75 ? 75 : (pct >= 50 ? 50 : 0);
  }
  if (t.running_since) {
    t.consumed = used(t, now, cal);
    t.running_since = now;
    reschedule(t, now, cal);
  }
}

int percent_used(const Timer& t, Millis now, const calendar::WorkCalendar& cal) {
  const Millis u = used(t, now, cal);
  if (t.budget <= 0) return u > 0 ? 100 : 0;
  // Whole percents, rounded down, so that "100" means the full budget is gone.
  return static_cast<int>(std::min<Millis>(u * 100 / t.budget, 100000));
}

std::vector<int> marks(const EscalationLadder& ladder) {
  std::vector<int> m = {50, 75, 100};
  for (const int p : ladder.at_percent) {
    if (std::find(m.begin(), m.end(), p) == m.end()) m.push_back(p);
  }
  std::sort(m.begin(), m.end());
  return m;
}

std::vector<int> crossed_marks(Timer& t, Millis now, const calendar::WorkCalendar& cal,
                               const EscalationLadder& ladder) {
  std::vector<int> out;
  const int pct = percent_used(t, now, cal);
  for (const int mark : marks(ladder)) {
    if (pct >= mark && t.warned_percent < mark) {
      out.push_back(mark);
      t.warned_percent = mark;
    }
  }
  return out;
}

int escalation_level(const EscalationLadder& ladder, int percent) {
  int level = 0;
  for (std::size_t i = 0; i < ladder.at_percent.size(); ++i) {
    if (percent >= ladder.at_percent[i]) level = static_cast<int>(i) + 1;
  }
  return level;
}

std::optional<Millis> next_check(const Timer& t, const EscalationLadder& ladder,
                                 const calendar::WorkCalendar& cal) {
  if (!t.running_since || t.budget <= 0) return std::nullopt;
  const Millis since = *t.running_since;
  for (const int p : marks(ladder)) {
    const Millis target = t.budget * p / 100;
    if (target <= t.consumed) continue;
    // Thresholds already reported are behind us; the next one ahead is the check.
    if (p <= t.warned_percent) continue;
    return cal.advance(since, target - t.consumed, t.unit).at;
  }
  return std::nullopt;
}

}  // namespace civicloop::cases
