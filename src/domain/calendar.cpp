#include "domain/calendar.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

namespace civicloop::calendar {

namespace {

constexpr Millis kMinute = 60'000;
constexpr Millis kHour = 3'600'000;
constexpr Millis kDay = 86'400'000;

// Howard Hinnant's days_from_civil / civil_from_days (as in clock.cpp): exact for the proleptic
// Gregorian calendar; day 0 is 1970-01-01.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

Date civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  return Date{static_cast<int>(y), static_cast<int>(m), static_cast<int>(d)};
}

std::int64_t day_number(Date date) {
  return days_from_civil(date.year, static_cast<unsigned>(date.month),
                         static_cast<unsigned>(date.day));
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

// 0 = Sunday ... 6 = Saturday; 1970-01-01 was a Thursday.
int weekday_of_day(std::int64_t day) {
  const std::int64_t w = (day + 4) % 7;
  return static_cast<int>(w < 0 ? w + 7 : w);
}

bool is_weekend_day(std::int64_t day) {
  const int w = weekday_of_day(day);
  return w == 0 || w == 6;
}

bool two_digits(std::string_view s, std::size_t pos, int& out) {
  if (pos + 2 > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + 2; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

constexpr int kMinYear = 1900;
constexpr int kMaxYear = 9999;

}  // namespace

bool is_valid(Date date) {
  if (date.month < 1 || date.month > 12 || date.day < 1 || date.day > 31) return false;
  if (date.year < -9999 || date.year > 9999) return false;
  return civil_from_days(day_number(date)) == date;
}

std::optional<Date> parse_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int hi = 0, lo = 0, month = 0, day = 0;
  if (!two_digits(text, 0, hi) || !two_digits(text, 2, lo) || !two_digits(text, 5, month) ||
      !two_digits(text, 8, day)) {
    return std::nullopt;
  }
  const Date date{hi * 100 + lo, month, day};
  if (!is_valid(date)) return std::nullopt;
  return date;
}

std::string format_date(Date date) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", date.year, date.month, date.day);
  return buf;
}

int weekday(Date date) { return weekday_of_day(day_number(date)); }

std::optional<int> parse_minute_of_day(std::string_view text) {
  int h = 0, m = 0;
  if (text.size() != 5 || text[2] != ':' || !two_digits(text, 0, h) || !two_digits(text, 3, m)) {
    return std::nullopt;
  }
  if (m > 59 || h > 24 || (h == 24 && m != 0)) return std::nullopt;
  return h * 60 + m;
}

std::string format_minute_of_day(int minute) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d:%02d", minute / 60, minute % 60);
  return buf;
}

namespace {
constexpr std::array<std::pair<LimitUnit, std::string_view>, 4> kUnitNames = {{
    {LimitUnit::kUrgentHours, "urgent_hours"},
    {LimitUnit::kWorkingHours, "working_hours"},
    {LimitUnit::kWorkingDays, "working_days"},
    {LimitUnit::kCalendarDays, "calendar_days"},
}};
}  // namespace

std::string_view to_string(LimitUnit unit) {
  for (const auto& [u, name] : kUnitNames) {
    if (u == unit) return name;
  }
  return "working_hours";  // unreachable for valid enumerators
}

std::optional<LimitUnit> parse_limit_unit(std::string_view text) {
  for (const auto& [u, name] : kUnitNames) {
    if (name == text) return u;
  }
  return std::nullopt;
}

const std::vector<LimitUnit>& all_limit_units() {
  static const std::vector<LimitUnit> units = {LimitUnit::kUrgentHours, LimitUnit::kWorkingHours,
                                               LimitUnit::kWorkingDays, LimitUnit::kCalendarDays};
  return units;
}

bool counts_working_time(LimitUnit unit) {
  return unit == LimitUnit::kWorkingHours || unit == LimitUnit::kWorkingDays;
}

Status check_time_limit(TimeLimit limit) {
  if (limit.amount < 1 || limit.amount > kMaxLimitAmount) {
    return make_error("calendar.limit_out_of_range", "amount")
        .with("min", "1")
        .with("max", std::to_string(kMaxLimitAmount));
  }
  return Ok{};
}

Expected<WorkCalendar> WorkCalendar::make(std::vector<WorkPeriod> periods, int utc_offset_minutes,
                                          std::vector<YearSchedule> years) {
  if (periods.empty()) return make_error("calendar.no_periods", "periods");
  for (std::size_t i = 0; i < periods.size(); ++i) {
    const WorkPeriod& p = periods[i];
    if (p.start_minute < 0 || p.end_minute > 24 * 60 || p.start_minute >= p.end_minute) {
      return make_error("calendar.invalid_period", "periods").with("index", std::to_string(i));
    }
    if (i > 0 && p.start_minute < periods[i - 1].end_minute) {
      return make_error("calendar.periods_overlap", "periods").with("index", std::to_string(i));
    }
  }
  if (utc_offset_minutes < -12 * 60 || utc_offset_minutes > 14 * 60) {
    return make_error("calendar.invalid_offset", "utc_offset_minutes");
  }

  std::sort(years.begin(), years.end(),
            [](const YearSchedule& a, const YearSchedule& b) { return a.year < b.year; });
  std::vector<std::pair<std::int64_t, bool>> overrides;
  for (std::size_t i = 0; i < years.size(); ++i) {
    YearSchedule& y = years[i];
    const std::string year_text = std::to_string(y.year);
    if (y.year < kMinYear || y.year > kMaxYear) {
      return make_error("calendar.invalid_year", "years").with("year", year_text);
    }
    if (i > 0 && years[i - 1].year == y.year) {
      return make_error("calendar.duplicate_year", "years").with("year", year_text);
    }
    for (auto* list : {&y.holidays, &y.makeup_workdays}) {
      const char* field = list == &y.holidays ? "holidays" : "makeup_workdays";
      for (const Date& d : *list) {
        if (!is_valid(d)) {
          return make_error("calendar.invalid_date", field)
              .with("year", year_text)
              .with("date", format_date(d));
        }
        if (d.year != y.year) {
          return make_error("calendar.date_outside_year", field)
              .with("year", year_text)
              .with("date", format_date(d));
        }
      }
      std::sort(list->begin(), list->end());
      const auto dup = std::adjacent_find(list->begin(), list->end());
      if (dup != list->end()) {
        return make_error("calendar.duplicate_date", field).with("date", format_date(*dup));
      }
    }
    for (const Date& d : y.makeup_workdays) {
      if (std::binary_search(y.holidays.begin(), y.holidays.end(), d)) {
        return make_error("calendar.holiday_and_makeup", "makeup_workdays")
            .with("date", format_date(d));
      }
      if (!is_weekend_day(day_number(d))) {
        return make_error("calendar.makeup_not_weekend", "makeup_workdays")
            .with("date", format_date(d));
      }
      overrides.emplace_back(day_number(d), true);
    }
    for (const Date& d : y.holidays) overrides.emplace_back(day_number(d), false);
  }
  std::sort(overrides.begin(), overrides.end());

  WorkCalendar cal;
  cal.day_length_ = 0;
  for (const WorkPeriod& p : periods) cal.day_length_ += (p.end_minute - p.start_minute) * kMinute;
  cal.periods_ = std::move(periods);
  cal.utc_offset_minutes_ = utc_offset_minutes;
  for (const YearSchedule& y : years) cal.known_years_.push_back(y.year);
  cal.years_ = std::move(years);
  cal.overrides_ = std::move(overrides);
  return cal;
}

bool WorkCalendar::year_known(int year) const {
  return std::binary_search(known_years_.begin(), known_years_.end(), year);
}

std::vector<int> WorkCalendar::known_years() const { return known_years_; }

bool WorkCalendar::working(std::int64_t day, bool* unknown) const {
  const auto it = std::lower_bound(overrides_.begin(), overrides_.end(),
                                   std::pair<std::int64_t, bool>{day, false});
  if (it != overrides_.end() && it->first == day) return it->second;
  if (unknown != nullptr && !year_known(civil_from_days(day).year)) *unknown = true;
  return !is_weekend_day(day);
}

bool WorkCalendar::is_working_day(Date date) const {
  if (!is_valid(date)) return false;
  return working(day_number(date), nullptr);
}

Date WorkCalendar::local_date(Millis at) const {
  return civil_from_days(floor_div(at + utc_offset_minutes_ * kMinute, kDay));
}

Millis WorkCalendar::at_local(Date date, int minute_of_day) const {
  return day_number(date) * kDay + minute_of_day * kMinute - utc_offset_minutes_ * kMinute;
}

Millis WorkCalendar::work_between(Millis a, Millis b) const {
  Millis sum = 0;
  for (const WorkPeriod& p : periods_) {
    const Millis s = std::max(a, p.start_minute * kMinute);
    const Millis e = std::min(b, p.end_minute * kMinute);
    if (e > s) sum += e - s;
  }
  return sum;
}

Millis WorkCalendar::measure(Millis from, Millis to, LimitUnit unit) const {
  if (to <= from) return 0;
  if (!counts_working_time(unit)) return to - from;
  const Millis offset = utc_offset_minutes_ * kMinute;
  const Millis local_from = from + offset;
  const Millis local_to = to + offset;
  const std::int64_t first = floor_div(local_from, kDay);
  const std::int64_t last = floor_div(local_to, kDay);
  Millis sum = 0;
  for (std::int64_t day = first; day <= last; ++day) {
    if (!working(day, nullptr)) continue;
    const Millis a = day == first ? local_from - day * kDay : 0;
    const Millis b = day == last ? local_to - day * kDay : kDay;
    sum += work_between(a, b);
  }
  return sum;
}

WorkCalendar::Instant WorkCalendar::advance(Millis from, Millis amount, LimitUnit unit) const {
  if (amount <= 0) return Instant{from, false};
  if (!counts_working_time(unit)) return Instant{from + amount, false};
  const Millis offset = utc_offset_minutes_ * kMinute;
  const Millis local_from = from + offset;
  std::int64_t day = floor_div(local_from, kDay);
  Millis position = local_from - day * kDay;  // ms since local midnight of `day`
  Millis remaining = amount;
  bool unknown = false;
  for (;; ++day, position = 0) {
    if (!working(day, &unknown)) continue;
    // A whole working day ahead that is not the last: skip it without looking at the periods.
    if (position == 0 && remaining > day_length_) {
      remaining -= day_length_;
      continue;
    }
    for (const WorkPeriod& p : periods_) {
      const Millis start = std::max(position, p.start_minute * kMinute);
      const Millis end = p.end_minute * kMinute;
      if (end <= start) continue;
      if (remaining <= end - start) {
        return Instant{day * kDay + start + remaining - offset, unknown};
      }
      remaining -= end - start;
    }
  }
}

Millis WorkCalendar::budget(TimeLimit limit) const {
  const auto amount = static_cast<Millis>(limit.amount);
  switch (limit.unit) {
    case LimitUnit::kUrgentHours:
    case LimitUnit::kWorkingHours:
      return amount * kHour;
    case LimitUnit::kWorkingDays:
      return amount * day_length_;
    case LimitUnit::kCalendarDays:
      return amount * kDay;
  }
  return amount * kHour;  // unreachable for valid enumerators
}

}  // namespace civicloop::calendar
