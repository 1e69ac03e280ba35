// The working-time calendar: which days are working days (weekdays, minus public holidays, plus
// the make-up working days 调休 the State Council publishes each year), the working periods of a
// day (AM/PM, in local time), and the four clocks a time limit (限时整改) runs on:
//
//   urgent hours   紧急工作时  continuous: every hour counts, nights and holidays included
//   working hours  工作时      only inside the working periods of working days
//   working days   工作日      the same clock as working hours; one working day is worth the sum
//                             of the day's periods (7 h for 08:30–12:00 + 14:30–18:00)
//   calendar days  自然日      continuous: one day is 24 h
//
// Decisions (docs/architecture.md, "Working time"):
// - A limit is a budget of counted time (budget()); the deadline is the instant at which that much
//   counted time has passed since the start (advance()). Working days are counted as whole working
//   days' worth of working time, so a 1-working-day limit started on Friday 10:00 ends on Monday
//   10:00 (ends at the same time of day, on the next working day). A case timer can then store the
//   budget and the consumed counted time (measure()); pausing and resuming is exact: on resume it
//   advances by the remainder.
// - A start outside working time (lunch break, evening, weekend, holiday) counts from the next
//   working period. The deadline is the earliest instant at which the budget is used up, so a limit
//   used up exactly at the end of a period ends there (18:00), not at the next morning's start.
// - Local time is UTC plus a fixed offset (China has no DST; Asia/Shanghai = +480 minutes).
// - A year whose schedule has not been entered counts weekdays as working days; advance() says so
//   (Instant::estimated) when it had to look at such a day.
// - advance() and measure() loop by day, not by minute: O(calendar days spanned).
//
// Pure values and rules: no I/O, no JSON (src/app reads presets/<city>/calendar.json). A
// WorkCalendar is immutable after construction and therefore safe to share between threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/clock.hpp"
#include "domain/error.hpp"

namespace civicloop::calendar {

// A civil date (proleptic Gregorian). Compares chronologically.
struct Date {
  int year = 1970;
  int month = 1;
  int day = 1;
  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads the defaulted <=>
  auto operator<=>(const Date&) const = default;
};

// True when the date exists (2026-02-29 does not).
bool is_valid(Date date);
// "2026-02-15" (exactly YYYY-MM-DD); nullopt when malformed or the day does not exist.
std::optional<Date> parse_date(std::string_view text);
// "2026-02-15".
std::string format_date(Date date);
// 0 = Sunday, 1 = Monday, ..., 6 = Saturday.
int weekday(Date date);

// Minutes since local midnight as "HH:MM" (00:00–24:00; 24:00 is the end of the day).
std::optional<int> parse_minute_of_day(std::string_view text);
std::string format_minute_of_day(int minute);

enum class LimitUnit { kUrgentHours, kWorkingHours, kWorkingDays, kCalendarDays };

// "urgent_hours", "working_hours", "working_days", "calendar_days".
std::string_view to_string(LimitUnit unit);
std::optional<LimitUnit> parse_limit_unit(std::string_view text);
const std::vector<LimitUnit>& all_limit_units();
// Whether the unit's clock runs only inside working time (working hours and working days).
bool counts_working_time(LimitUnit unit);

struct TimeLimit {
  int amount = 0;
  LimitUnit unit = LimitUnit::kWorkingHours;
  bool operator==(const TimeLimit&) const = default;
};

// The largest amount a time limit may have (any unit); keeps deadlines within a few decades.
inline constexpr int kMaxLimitAmount = 9999;
// Checks a limit a user configures: 1 <= amount <= kMaxLimitAmount
// ("calendar.limit_out_of_range", field "amount").
Status check_time_limit(TimeLimit limit);

// One working period of a day: [start_minute, end_minute) in local minutes since midnight,
// e.g. {510, 720} for 08:30–12:00 and {870, 1080} for 14:30–18:00.
struct WorkPeriod {
  int start_minute = 0;
  int end_minute = 0;
  bool operator==(const WorkPeriod&) const = default;
};

// The published schedule of one year: days off that would otherwise be working days or weekends
// (every day of each holiday, weekends inside it included) and the make-up working days (调休上班,
// always a Saturday or Sunday).
struct YearSchedule {
  int year = 0;
  std::vector<Date> holidays;
  std::vector<Date> makeup_workdays;
};

class WorkCalendar {
 public:
  // utc_offset_minutes: the tenant's zone as a fixed offset (Asia/Shanghai = +480).
  // Refuses (code, field):
  //   calendar.no_periods          periods            no working period
  //   calendar.invalid_period      periods            start >= end, or outside 00:00–24:00 (index)
  //   calendar.periods_overlap     periods            not sorted, or overlapping (index)
  //   calendar.invalid_offset      utc_offset_minutes outside -720..+840
  //   calendar.invalid_year        years              outside 1900..9999 (year)
  //   calendar.duplicate_year      years              a year given twice (year)
  //   calendar.invalid_date        holidays | makeup_workdays   a day that does not exist (date)
  //   calendar.date_outside_year   holidays | makeup_workdays   a date of another year (year, date)
  //   calendar.duplicate_date      holidays | makeup_workdays   a date listed twice (date)
  //   calendar.makeup_not_weekend  makeup_workdays    a make-up day on a weekday (date)
  //   calendar.holiday_and_makeup  makeup_workdays    a date both a holiday and a make-up day
  static Expected<WorkCalendar> make(std::vector<WorkPeriod> periods, int utc_offset_minutes,
                                     std::vector<YearSchedule> years);

  // A weekday that is not a holiday, or a make-up working day. In a year not entered: weekdays.
  bool is_working_day(Date date) const;
  bool year_known(int year) const;

  // The local civil date of an instant, and the instant of a (valid) local date and minute of
  // the day.
  Date local_date(Millis at) const;
  Millis at_local(Date date, int minute_of_day) const;

  // Counted time between two instants on the unit's clock: continuous for urgent hours and
  // calendar days; only inside working periods of working days for working hours and working days.
  // 0 when to <= from.
  Millis measure(Millis from, Millis to, LimitUnit unit) const;

  struct Instant {
    Millis at = 0;
    // True when a day of a year not entered was needed (counted as weekdays only). Always false
    // for the continuous units, which do not depend on the schedule.
    bool estimated = false;
    bool operator==(const Instant&) const = default;
  };
  // The earliest instant at which `amount` of counted time has passed since `from` (the inverse
  // of measure: measure(from, advance(from, a, u).at, u) == a). amount <= 0 gives `from`.
  Instant advance(Millis from, Millis amount, LimitUnit unit) const;

  // The counted length of a limit: urgent or working hours: amount h; working days: amount × the
  // length of one working day (the sum of the periods); calendar days: amount × 24 h.
  Millis budget(TimeLimit limit) const;
  Instant deadline(Millis start, TimeLimit limit) const {
    return advance(start, budget(limit), limit.unit);
  }

  // The length of one working day (sum of the periods), in milliseconds.
  Millis working_day_length() const { return day_length_; }
  const std::vector<WorkPeriod>& periods() const { return periods_; }
  int utc_offset_minutes() const { return utc_offset_minutes_; }
  // Ascending.
  std::vector<int> known_years() const;
  const std::vector<YearSchedule>& years() const { return years_; }

 private:
  WorkCalendar() = default;
  // Whether local day `day` (days since 1970-01-01) is a working day; sets *unknown when the
  // day's year has no schedule.
  bool working(std::int64_t day, bool* unknown) const;
  // Working time inside [a, b) of one working day, a and b in ms since local midnight.
  Millis work_between(Millis a, Millis b) const;

  std::vector<WorkPeriod> periods_;
  int utc_offset_minutes_ = 0;
  std::vector<YearSchedule> years_;  // sorted by year, dates sorted
  Millis day_length_ = 0;
  // Local days (since 1970-01-01) whose status differs from the weekday rule: true = make-up
  // working day, false = holiday. Sorted by day.
  std::vector<std::pair<std::int64_t, bool>> overrides_;
  std::vector<int> known_years_;  // sorted
};

}  // namespace civicloop::calendar
