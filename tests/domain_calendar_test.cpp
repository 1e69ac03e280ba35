#include "domain/calendar.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace civicloop::calendar {
namespace {

using U = LimitUnit;

constexpr Millis kMinute = 60'000;
constexpr Millis kHour = 3'600'000;
constexpr Millis kDay = 86'400'000;
constexpr int kBeijing = 480;  // UTC+8

// Local (UTC+8) "YYYY-MM-DD HH:MM" to an instant, independently of the code under test.
Millis local(std::string_view text) {
  const std::string iso =
      std::string(text.substr(0, 10)) + "T" + std::string(text.substr(11, 5)) + ":00Z";
  const std::optional<Millis> utc = parse_iso_utc(iso);
  EXPECT_TRUE(utc.has_value()) << text;
  return utc.value_or(0) - kBeijing * kMinute;
}

// An instant as local (UTC+8) "YYYY-MM-DD HH:MM" (":SS.fff" appended when not on a minute).
std::string show(Millis at) {
  const std::string iso = format_iso_utc(at + kBeijing * kMinute);
  std::string out = iso.substr(0, 10) + " " + iso.substr(11, 5);
  if (at % kMinute != 0) out += iso.substr(16, iso.size() - 17);
  return out;
}

// A pseudo-random number in [0, n), n > 0 (the slight modulo bias does not matter here).
Millis pick(std::mt19937_64& rng, Millis n) {
  return static_cast<Millis>(rng() % static_cast<std::uint64_t>(n));
}

std::string code_of(const Status& s) { return s.ok() ? "ok" : s.error().code; }

std::string detail(const Error& e, const std::string& key) {
  for (const auto& [k, v] : e.details) {
    if (k == key) return v;
  }
  return "";
}

std::vector<Date> dates(const std::vector<std::string_view>& texts) {
  std::vector<Date> out;
  for (const auto t : texts) {
    const auto d = parse_date(t);
    EXPECT_TRUE(d.has_value()) << t;
    if (d) out.push_back(*d);
  }
  return out;
}

std::vector<Date> range(std::string_view first, std::string_view last) {
  std::vector<Date> out;
  const Date a = *parse_date(first);
  const Date b = *parse_date(last);
  for (Date d = a; d <= b;) {
    out.push_back(d);
    // next day, via the UTC clock functions (not the code under test)
    const Millis next = *parse_iso_utc(format_date(d) + "T00:00:00Z") + kDay;
    d = *parse_date(format_iso_utc(next).substr(0, 10));
  }
  return out;
}

std::vector<Date> join(std::vector<std::vector<Date>> parts) {
  std::vector<Date> out;
  for (auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// The State Council schedules of 2025 and 2026 (国务院办公厅关于YYYY年部分节假日安排的通知), the
// same days as presets/pingcheng/calendar.json, written here as ranges.
YearSchedule year_2025() {
  return {2025,
          join({range("2025-01-01", "2025-01-01"), range("2025-01-28", "2025-02-04"),
                range("2025-04-04", "2025-04-06"), range("2025-05-01", "2025-05-05"),
                range("2025-05-31", "2025-06-02"), range("2025-10-01", "2025-10-08")}),
          dates({"2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"})};
}

YearSchedule year_2026() {
  return {
      2026,
      join({range("2026-01-01", "2026-01-03"), range("2026-02-15", "2026-02-23"),
            range("2026-04-04", "2026-04-06"), range("2026-05-01", "2026-05-05"),
            range("2026-06-19", "2026-06-21"), range("2026-09-25", "2026-09-27"),
            range("2026-10-01", "2026-10-07")}),
      dates({"2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"})};
}

// 08:30–12:00, 14:30–18:00
const std::vector<WorkPeriod>& periods() {
  static const std::vector<WorkPeriod> p = {{510, 720}, {870, 1080}};
  return p;
}

WorkCalendar pingcheng() {
  auto cal = WorkCalendar::make(periods(), kBeijing, {year_2026(), year_2025()});
  EXPECT_TRUE(cal.ok()) << (cal.ok() ? "" : cal.error().code);
  return std::move(cal).value();
}

// ---------------------------------------------------------------------------------------------
// Dates, units, minutes

TEST(CalendarDate, ParseAndFormat) {
  EXPECT_EQ(parse_date("2026-02-15"), (Date{2026, 2, 15}));
  EXPECT_EQ(parse_date("2024-02-29"), (Date{2024, 2, 29}));
  EXPECT_EQ(format_date(Date{2026, 2, 15}), "2026-02-15");
  EXPECT_EQ(format_date(Date{987, 1, 2}), "0987-01-02");
  for (const char* bad :
       {"", "2026-2-15", "2026-02-15T00", "2026/02/15", "2026-02-29", "2026-13-01", "2026-00-10",
        "2026-04-31", "2026-01-00", "abcd-ef-gh", "+026-02-15"}) {
    EXPECT_EQ(parse_date(bad), std::nullopt) << bad;
  }
  EXPECT_LT((Date{2026, 1, 31}), (Date{2026, 2, 1}));
  EXPECT_FALSE(is_valid(Date{1900, 2, 29}));
  EXPECT_TRUE(is_valid(Date{2000, 2, 29}));
}

TEST(CalendarDate, Weekday) {
  EXPECT_EQ(weekday(Date{1970, 1, 1}), 4);  // Thursday
  EXPECT_EQ(weekday(Date{2026, 1, 4}), 0);  // the make-up Sunday
  EXPECT_EQ(weekday(Date{2026, 2, 14}), 6);
  EXPECT_EQ(weekday(Date{2026, 10, 1}), 4);
  EXPECT_EQ(weekday(Date{1969, 12, 31}), 3);
}

TEST(CalendarUnit, NamesRoundTrip) {
  EXPECT_EQ(to_string(U::kUrgentHours), "urgent_hours");
  EXPECT_EQ(to_string(U::kWorkingHours), "working_hours");
  EXPECT_EQ(to_string(U::kWorkingDays), "working_days");
  EXPECT_EQ(to_string(U::kCalendarDays), "calendar_days");
  EXPECT_EQ(all_limit_units().size(), 4u);
  for (U u : all_limit_units()) EXPECT_EQ(parse_limit_unit(to_string(u)), u);
  EXPECT_EQ(parse_limit_unit("days"), std::nullopt);
  EXPECT_EQ(parse_limit_unit("Working_Days"), std::nullopt);
  EXPECT_TRUE(counts_working_time(U::kWorkingHours));
  EXPECT_TRUE(counts_working_time(U::kWorkingDays));
  EXPECT_FALSE(counts_working_time(U::kUrgentHours));
  EXPECT_FALSE(counts_working_time(U::kCalendarDays));
}

TEST(CalendarUnit, CheckTimeLimit) {
  EXPECT_EQ(code_of(check_time_limit({1, U::kWorkingDays})), "ok");
  EXPECT_EQ(code_of(check_time_limit({kMaxLimitAmount, U::kWorkingDays})), "ok");
  EXPECT_EQ(code_of(check_time_limit({0, U::kWorkingHours})), "calendar.limit_out_of_range");
  EXPECT_EQ(code_of(check_time_limit({-3, U::kUrgentHours})), "calendar.limit_out_of_range");
  const Status s = check_time_limit({kMaxLimitAmount + 1, U::kCalendarDays});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().field, "amount");
  EXPECT_EQ(detail(s.error(), "max"), std::to_string(kMaxLimitAmount));
}

TEST(CalendarMinute, ParseAndFormat) {
  EXPECT_EQ(parse_minute_of_day("08:30"), 510);
  EXPECT_EQ(parse_minute_of_day("18:00"), 1080);
  EXPECT_EQ(parse_minute_of_day("00:00"), 0);
  EXPECT_EQ(parse_minute_of_day("24:00"), 1440);
  for (const char* bad : {"", "8:30", "08:60", "24:01", "25:00", "08-30", "08:300", "ab:cd"}) {
    EXPECT_EQ(parse_minute_of_day(bad), std::nullopt) << bad;
  }
  EXPECT_EQ(format_minute_of_day(510), "08:30");
  EXPECT_EQ(format_minute_of_day(1440), "24:00");
}

// ---------------------------------------------------------------------------------------------
// Construction

TEST(CalendarMake, AcceptsThePingchengSchedule) {
  const WorkCalendar cal = pingcheng();
  EXPECT_EQ(cal.known_years(), (std::vector<int>{2025, 2026}));  // sorted
  EXPECT_TRUE(cal.year_known(2026));
  EXPECT_FALSE(cal.year_known(2027));
  EXPECT_EQ(cal.utc_offset_minutes(), 480);
  EXPECT_EQ(cal.periods(), periods());
  EXPECT_EQ(cal.working_day_length(), 7 * kHour);
  EXPECT_EQ(cal.years().size(), 2u);
}

struct BadCalendar {
  const char* what;
  std::vector<WorkPeriod> periods;
  int offset;
  std::vector<YearSchedule> years;
  const char* code;
  const char* field;
};

TEST(CalendarMake, RefusesInvalidCalendars) {
  const std::vector<BadCalendar> cases = {
      {"no periods", {}, 480, {}, "calendar.no_periods", "periods"},
      {"empty period", {{600, 600}}, 480, {}, "calendar.invalid_period", "periods"},
      {"reversed period", {{720, 510}}, 480, {}, "calendar.invalid_period", "periods"},
      {"negative start", {{-10, 510}}, 480, {}, "calendar.invalid_period", "periods"},
      {"past midnight", {{1200, 1441}}, 480, {}, "calendar.invalid_period", "periods"},
      {"unsorted", {{870, 1080}, {510, 720}}, 480, {}, "calendar.periods_overlap", "periods"},
      {"overlapping", {{510, 900}, {870, 1080}}, 480, {}, "calendar.periods_overlap", "periods"},
      {"offset too far east",
       periods(),
       15 * 60,
       {},
       "calendar.invalid_offset",
       "utc_offset_minutes"},
      {"offset too far west",
       periods(),
       -13 * 60,
       {},
       "calendar.invalid_offset",
       "utc_offset_minutes"},
      {"year out of range", periods(), 480, {{99, {}, {}}}, "calendar.invalid_year", "years"},
      {"year twice",
       periods(),
       480,
       {year_2026(), {2026, {}, {}}},
       "calendar.duplicate_year",
       "years"},
      {"holiday of another year",
       periods(),
       480,
       {{2026, dates({"2025-10-01"}), {}}},
       "calendar.date_outside_year",
       "holidays"},
      {"make-up day of another year",
       periods(),
       480,
       {{2026, {}, dates({"2027-01-02"})}},
       "calendar.date_outside_year",
       "makeup_workdays"},
      {"day that does not exist",
       periods(),
       480,
       {{2026, {Date{2026, 2, 30}}, {}}},
       "calendar.invalid_date",
       "holidays"},
      {"holiday twice",
       periods(),
       480,
       {{2026, dates({"2026-10-01", "2026-10-01"}), {}}},
       "calendar.duplicate_date",
       "holidays"},
      {"make-up day on a weekday",
       periods(),
       480,
       {{2026, {}, dates({"2026-01-05"})}},
       "calendar.makeup_not_weekend",
       "makeup_workdays"},
      {"holiday and make-up day",
       periods(),
       480,
       {{2026, dates({"2026-01-04"}), dates({"2026-01-04"})}},
       "calendar.holiday_and_makeup",
       "makeup_workdays"},
  };
  for (const auto& c : cases) {
    const auto cal = WorkCalendar::make(c.periods, c.offset, c.years);
    ASSERT_FALSE(cal.ok()) << c.what;
    EXPECT_EQ(cal.error().code, c.code) << c.what;
    EXPECT_EQ(cal.error().field, c.field) << c.what;
  }
}

TEST(CalendarMake, ErrorsNameTheCulprit) {
  auto cal = WorkCalendar::make({{510, 720}, {700, 1080}}, 480, {});
  ASSERT_FALSE(cal.ok());
  EXPECT_EQ(detail(cal.error(), "index"), "1");
  cal = WorkCalendar::make(periods(), 480, {{2026, {}, dates({"2026-01-05"})}});
  ASSERT_FALSE(cal.ok());
  EXPECT_EQ(detail(cal.error(), "date"), "2026-01-05");
  cal = WorkCalendar::make(periods(), 480, {{2026, dates({"2025-12-31"}), {}}});
  ASSERT_FALSE(cal.ok());
  EXPECT_EQ(detail(cal.error(), "year"), "2026");
  EXPECT_EQ(detail(cal.error(), "date"), "2025-12-31");
}

TEST(CalendarMake, AcceptsEdgeCases) {
  // Touching periods, a period to midnight, no years at all, a holiday on a weekend.
  EXPECT_TRUE(WorkCalendar::make({{0, 720}, {720, 1440}}, 0, {}).ok());
  EXPECT_TRUE(WorkCalendar::make(periods(), -300, {}).ok());
  EXPECT_TRUE(WorkCalendar::make(periods(), 840, {{2026, dates({"2026-01-03"}), {}}}).ok());
}

// ---------------------------------------------------------------------------------------------
// Working days

TEST(CalendarDays, GoldenWorkingDays) {
  const WorkCalendar cal = pingcheng();
  const std::vector<std::pair<const char*, bool>> cases = {
      {"2026-03-10", true},                         // Tuesday
      {"2026-03-07", false},                        // Saturday
      {"2026-03-08", false},                        // Sunday
      {"2026-01-01", false},                        // New Year
      {"2026-01-02", false},                        // New Year (Friday)
      {"2026-01-04", true},                         // make-up Sunday
      {"2026-02-14", true},                         // make-up Saturday before the Spring Festival
      {"2026-02-15", false},                        // Spring Festival, first day (Sunday)
      {"2026-02-16", false},                        // Spring Festival (Monday)
      {"2026-02-23", false},                        // Spring Festival, last day (Monday)
      {"2026-02-24", true},  {"2026-02-28", true},  // make-up Saturday after it
      {"2026-04-06", false},                        // Qingming (Monday)
      {"2026-05-09", true},                         // make-up Saturday
      {"2026-06-19", false},                        // Dragon Boat
      {"2026-09-20", true},                         // make-up Sunday
      {"2026-09-25", false},                        // Mid-Autumn
      {"2026-09-28", true},                         // between Mid-Autumn and National Day
      {"2026-10-01", false},                        // National Day
      {"2026-10-07", false}, {"2026-10-08", true},
      {"2026-10-10", true},   // make-up Saturday
      {"2025-10-08", false},  // 2025: National Day + Mid-Autumn 1–8 Oct
      {"2025-10-11", true},  {"2025-01-26", true},
      {"2027-01-01", true},   // not entered: weekday rule only (New Year in reality)
      {"2027-01-02", false},  // not entered, Saturday
      {"2024-10-01", true},   // not entered
  };
  for (const auto& [text, expected] : cases) {
    EXPECT_EQ(cal.is_working_day(*parse_date(text)), expected) << text;
  }
  EXPECT_FALSE(cal.is_working_day(Date{2026, 2, 30}));
}

TEST(CalendarDays, EveryPublishedDateApplies) {
  const WorkCalendar cal = pingcheng();
  for (const YearSchedule& y : {year_2025(), year_2026()}) {
    for (const Date& d : y.holidays) EXPECT_FALSE(cal.is_working_day(d)) << format_date(d);
    for (const Date& d : y.makeup_workdays) EXPECT_TRUE(cal.is_working_day(d)) << format_date(d);
  }
  EXPECT_EQ(year_2025().holidays.size(), 28u);
  EXPECT_EQ(year_2026().holidays.size(), 33u);
  // Working days in a year: 261 weekdays each, minus holidays on weekdays, plus make-up days.
  for (int year : {2025, 2026}) {
    int working = 0;
    for (const Date& d : range(std::to_string(year) + "-01-01", std::to_string(year) + "-12-31")) {
      working += cal.is_working_day(d) ? 1 : 0;
    }
    EXPECT_EQ(working, 248) << year;
  }
}

// ---------------------------------------------------------------------------------------------
// Budgets and deadlines

TEST(CalendarBudget, PerUnit) {
  const WorkCalendar cal = pingcheng();
  EXPECT_EQ(cal.budget({4, U::kUrgentHours}), 4 * kHour);
  EXPECT_EQ(cal.budget({4, U::kWorkingHours}), 4 * kHour);
  EXPECT_EQ(cal.budget({2, U::kWorkingDays}), 14 * kHour);
  EXPECT_EQ(cal.budget({3, U::kCalendarDays}), 72 * kHour);
  EXPECT_EQ(cal.budget({kMaxLimitAmount, U::kCalendarDays}), kMaxLimitAmount * kDay);
}

struct Golden {
  const char* what;
  const char* start;  // local time, UTC+8
  TimeLimit limit;
  const char* deadline;  // local time, UTC+8
  bool estimated;
};

// Each deadline was also checked with an independent minute-by-minute count.
const std::vector<Golden>& golden_cases() {
  static const std::vector<Golden> cases = {
      // Every unit, an ordinary Tuesday (2026-03-10).
      {"2 working hours", "2026-03-10 09:00", {2, U::kWorkingHours}, "2026-03-10 11:00", false},
      {"working hours skip lunch",
       "2026-03-10 09:00",
       {4, U::kWorkingHours},
       "2026-03-10 15:30",
       false},
      {"1 working day = same time next working day",
       "2026-03-10 09:00",
       {1, U::kWorkingDays},
       "2026-03-11 09:00",
       false},
      {"2 urgent hours", "2026-03-10 09:00", {2, U::kUrgentHours}, "2026-03-10 11:00", false},
      {"24 urgent hours run through the night",
       "2026-03-10 09:00",
       {24, U::kUrgentHours},
       "2026-03-11 09:00",
       false},
      {"1 calendar day", "2026-03-10 09:00", {1, U::kCalendarDays}, "2026-03-11 09:00", false},
      {"7 calendar days", "2026-03-10 09:00", {7, U::kCalendarDays}, "2026-03-17 09:00", false},
      // Across a weekend (Fri 2026-03-06 → Mon 03-09).
      {"Friday 10:00 + 1 working day",
       "2026-03-06 10:00",
       {1, U::kWorkingDays},
       "2026-03-09 10:00",
       false},
      {"Friday 16:00 + 4 working hours",
       "2026-03-06 16:00",
       {4, U::kWorkingHours},
       "2026-03-09 10:30",
       false},
      {"urgent hours through Saturday",
       "2026-03-06 17:00",
       {24, U::kUrgentHours},
       "2026-03-07 17:00",
       false},
      {"calendar days through the weekend",
       "2026-03-06 10:00",
       {2, U::kCalendarDays},
       "2026-03-08 10:00",
       false},
      // The 2026 Spring Festival: 15–23 Feb off, Sat 14 Feb and Sat 28 Feb working.
      {"into the Spring Festival",
       "2026-02-13 10:00",
       {3, U::kWorkingDays},
       "2026-02-25 10:00",
       false},
      {"from the make-up Saturday over the festival",
       "2026-02-14 16:00",
       {4, U::kWorkingHours},
       "2026-02-24 10:30",
       false},
      {"a whole make-up Saturday ends at 18:00",
       "2026-02-28 08:00",
       {1, U::kWorkingDays},
       "2026-02-28 18:00",
       false},
      {"Friday evening into the make-up Saturday",
       "2026-02-27 18:30",
       {1, U::kWorkingHours},
       "2026-02-28 09:30",
       false},
      // The make-up Sunday 2026-01-04, across the turn of two known years.
      {"over New Year onto the make-up Sunday",
       "2025-12-31 17:00",
       {2, U::kWorkingDays},
       "2026-01-05 17:00",
       false},
      {"Saturday holiday to the make-up Sunday",
       "2026-01-03 12:00",
       {1, U::kWorkingHours},
       "2026-01-04 09:30",
       false},
      // Starts outside working time.
      {"start in the lunch break",
       "2026-03-10 12:30",
       {2, U::kWorkingHours},
       "2026-03-10 16:30",
       false},
      {"lunch break start, 1 working day ends at noon",
       "2026-03-10 12:30",
       {1, U::kWorkingDays},
       "2026-03-11 12:00",
       false},
      {"start after 18:00", "2026-03-10 19:00", {1, U::kWorkingHours}, "2026-03-11 09:30", false},
      {"after 18:00, 1 working day",
       "2026-03-10 19:00",
       {1, U::kWorkingDays},
       "2026-03-11 18:00",
       false},
      {"start before 08:30", "2026-03-10 07:00", {1, U::kWorkingHours}, "2026-03-10 09:30", false},
      {"start on a holiday (Qingming Monday)",
       "2026-04-06 10:00",
       {4, U::kWorkingHours},
       "2026-04-07 15:00",
       false},
      {"start on Labour Day", "2026-05-01 09:00", {1, U::kWorkingDays}, "2026-05-06 18:00", false},
      {"onto the make-up Saturday 9 May",
       "2026-05-08 10:00",
       {1, U::kWorkingDays},
       "2026-05-09 10:00",
       false},
      // Mid-Autumn and National Day 2026 (separate in 2026).
      {"over National Day 2026",
       "2026-09-30 10:00",
       {1, U::kWorkingDays},
       "2026-10-08 10:00",
       false},
      {"over Mid-Autumn 2026", "2026-09-24 10:00", {1, U::kWorkingDays}, "2026-09-28 10:00", false},
      {"onto the make-up Sunday 20 Sep",
       "2026-09-18 10:00",
       {1, U::kWorkingDays},
       "2026-09-20 10:00",
       false},
      {"onto the make-up Saturday 10 Oct",
       "2026-10-09 10:00",
       {1, U::kWorkingDays},
       "2026-10-10 10:00",
       false},
      {"over National Day + Mid-Autumn 2025",
       "2025-09-30 10:00",
       {1, U::kWorkingDays},
       "2025-10-09 10:00",
       false},
      // Into 2027, not entered: weekdays only, flagged.
      {"into 2027 (1 Jan counted as a Friday)",
       "2026-12-31 10:00",
       {1, U::kWorkingDays},
       "2027-01-01 10:00",
       true},
      {"ends on 31 Dec, not estimated",
       "2026-12-31 10:00",
       {5, U::kWorkingHours},
       "2026-12-31 17:30",
       false},
      {"half an hour into 2027",
       "2026-12-31 10:00",
       {6, U::kWorkingHours},
       "2027-01-01 09:00",
       true},
      {"used up at 18:00 on 31 Dec, 2027 not needed",
       "2026-12-31 08:30",
       {1, U::kWorkingDays},
       "2026-12-31 18:00",
       false},
      {"over the first 2027 weekend",
       "2026-12-31 10:00",
       {3, U::kWorkingDays},
       "2027-01-05 10:00",
       true},
      {"calendar days into 2027 are exact",
       "2026-12-31 10:00",
       {3, U::kCalendarDays},
       "2027-01-03 10:00",
       false},
      {"urgent hours into 2027 are exact",
       "2026-12-31 10:00",
       {48, U::kUrgentHours},
       "2027-01-02 10:00",
       false},
      {"60 working days, inside 2026",
       "2026-03-02 08:30",
       {60, U::kWorkingDays},
       "2026-05-27 18:00",
       false},
      {"60 working days, into 2027",
       "2026-11-02 09:00",
       {60, U::kWorkingDays},
       "2027-01-25 09:00",
       true},
      // Urgent hours ignore holidays; calendar days ignore working periods.
      {"urgent hours through the Spring Festival",
       "2026-02-14 20:00",
       {48, U::kUrgentHours},
       "2026-02-16 20:00",
       false},
      {"calendar day from 03:00 on National Day",
       "2026-10-01 03:00",
       {1, U::kCalendarDays},
       "2026-10-02 03:00",
       false},
  };
  return cases;
}

TEST(CalendarDeadline, Golden) {
  const WorkCalendar cal = pingcheng();
  for (const Golden& g : golden_cases()) {
    const WorkCalendar::Instant got = cal.deadline(local(g.start), g.limit);
    EXPECT_EQ(show(got.at), g.deadline) << g.what;
    EXPECT_EQ(got.estimated, g.estimated) << g.what;
    // And the counted time between start and deadline is the budget.
    EXPECT_EQ(cal.measure(local(g.start), got.at, g.limit.unit), cal.budget(g.limit)) << g.what;
  }
}

TEST(CalendarDeadline, WorkingHoursAndDaysShareOneClock) {
  const WorkCalendar cal = pingcheng();
  const Millis start = local("2026-02-12 15:10");
  EXPECT_EQ(cal.deadline(start, {14, U::kWorkingHours}), cal.deadline(start, {2, U::kWorkingDays}));
}

TEST(CalendarDeadline, PauseAndResumeIsExact) {
  const WorkCalendar cal = pingcheng();
  const TimeLimit limit{1, U::kWorkingDays};
  const Millis budget = cal.budget(limit);
  // Started Friday 10:00, paused Friday 16:00 (3.5 h used), resumed Tuesday 09:00.
  const Millis used = cal.measure(local("2026-03-06 10:00"), local("2026-03-06 16:00"), limit.unit);
  EXPECT_EQ(used, 3 * kHour + 30 * kMinute);
  const auto resumed = cal.advance(local("2026-03-10 09:00"), budget - used, limit.unit);
  EXPECT_EQ(show(resumed.at), "2026-03-10 15:00");
  EXPECT_FALSE(resumed.estimated);
}

TEST(CalendarDeadline, ZeroOrNegativeAmountIsTheStart) {
  const WorkCalendar cal = pingcheng();
  for (U u : all_limit_units()) {
    EXPECT_EQ(cal.advance(local("2026-03-07 23:00"), 0, u).at, local("2026-03-07 23:00"));
    EXPECT_EQ(cal.advance(local("2026-03-07 23:00"), -kHour, u).at, local("2026-03-07 23:00"));
  }
}

TEST(CalendarDeadline, KeepsMilliseconds) {
  const WorkCalendar cal = pingcheng();
  const Millis start = local("2026-03-10 11:59") + 59'999;
  EXPECT_EQ(show(cal.advance(start, 2, U::kWorkingHours).at), "2026-03-10 14:30:00.001");
  EXPECT_EQ(show(cal.advance(start, 1, U::kWorkingHours).at), "2026-03-10 12:00");
}

TEST(CalendarDeadline, AnotherOffsetAndPeriods) {
  // A fixed UTC−5 zone with one period 09:00–17:00 and no schedule entered.
  const auto cal = WorkCalendar::make({{540, 1020}}, -300, {});
  ASSERT_TRUE(cal.ok());
  const Millis friday_16 = *parse_iso_utc("2026-03-06T21:00:00Z");  // 16:00 local
  const auto end = cal->advance(friday_16, 2 * kHour, U::kWorkingHours);
  EXPECT_EQ(format_iso_utc(end.at), "2026-03-09T15:00:00Z");  // Monday 10:00 local
  EXPECT_TRUE(end.estimated);
  EXPECT_EQ(cal->local_date(*parse_iso_utc("2026-03-07T03:00:00Z")), (Date{2026, 3, 6}));
  EXPECT_EQ(cal->budget({1, U::kWorkingDays}), 8 * kHour);
}

// ---------------------------------------------------------------------------------------------
// Measuring

TEST(CalendarMeasure, Golden) {
  const WorkCalendar cal = pingcheng();
  const auto m = [&](const char* a, const char* b, U u) {
    return cal.measure(local(a), local(b), u);
  };
  EXPECT_EQ(m("2026-03-10 09:00", "2026-03-10 11:00", U::kWorkingHours), 2 * kHour);
  EXPECT_EQ(m("2026-03-10 11:00", "2026-03-10 15:00", U::kWorkingHours), 90 * kMinute);
  EXPECT_EQ(m("2026-03-10 12:10", "2026-03-10 14:00", U::kWorkingHours), 0);  // lunch
  EXPECT_EQ(m("2026-03-10 00:00", "2026-03-11 00:00", U::kWorkingHours), 7 * kHour);
  EXPECT_EQ(m("2026-03-07 00:00", "2026-03-09 00:00", U::kWorkingDays), 0);  // weekend
  EXPECT_EQ(m("2026-02-13 10:00", "2026-02-25 10:00", U::kWorkingHours), 21 * kHour);
  EXPECT_EQ(m("2026-02-15 00:00", "2026-02-24 00:00", U::kWorkingHours), 0);          // festival
  EXPECT_EQ(m("2026-01-04 00:00", "2026-01-05 00:00", U::kWorkingHours), 7 * kHour);  // make-up
  EXPECT_EQ(m("2026-02-14 20:00", "2026-02-16 20:00", U::kUrgentHours), 48 * kHour);
  EXPECT_EQ(m("2026-10-01 03:00", "2026-10-02 03:00", U::kCalendarDays), kDay);
  // Reversed or empty intervals count nothing.
  for (U u : all_limit_units()) {
    EXPECT_EQ(m("2026-03-11 09:00", "2026-03-10 09:00", u), 0);
    EXPECT_EQ(m("2026-03-10 09:00", "2026-03-10 09:00", u), 0);
  }
  // 2026 as a whole: 248 working days of 7 hours.
  EXPECT_EQ(m("2026-01-01 00:00", "2027-01-01 00:00", U::kWorkingDays), Millis{248} * 7 * kHour);
}

TEST(CalendarMeasure, LocalDateAndAtLocal) {
  const WorkCalendar cal = pingcheng();
  EXPECT_EQ(cal.local_date(local("2026-02-15 00:00")), (Date{2026, 2, 15}));
  EXPECT_EQ(cal.local_date(local("2026-02-15 00:00") - 1), (Date{2026, 2, 14}));
  EXPECT_EQ(cal.local_date(*parse_iso_utc("2026-02-14T16:00:00Z")), (Date{2026, 2, 15}));
  EXPECT_EQ(cal.at_local(Date{2026, 2, 15}, 510), local("2026-02-15 08:30"));
  EXPECT_EQ(cal.local_date(-1), (Date{1970, 1, 1}));  // 07:59:59.999 local
}

// Minute by minute, independently of the day loop.
TEST(CalendarMeasure, AgreesWithAMinuteByMinuteCount) {
  const WorkCalendar cal = pingcheng();
  std::mt19937_64 rng(20260215);
  const Millis lo = local("2025-12-20 00:00");
  const Millis minutes = Millis{560} * 24 * 60;  // to mid 2027
  for (int i = 0; i < 150; ++i) {
    const Millis from = lo + pick(rng, minutes) * kMinute;
    const Millis to = from + pick(rng, Millis{9} * 24 * 60) * kMinute;
    Millis expected = 0;
    for (Millis t = from; t < to; t += kMinute) {
      const Millis local_ms = t + kBeijing * kMinute;
      const int minute_of_day = static_cast<int>(((local_ms % kDay) + kDay) % kDay / kMinute);
      bool in_period = false;
      for (const WorkPeriod& p : periods()) {
        in_period = in_period || (p.start_minute <= minute_of_day && minute_of_day < p.end_minute);
      }
      if (in_period && cal.is_working_day(cal.local_date(t))) expected += kMinute;
    }
    ASSERT_EQ(cal.measure(from, to, U::kWorkingHours), expected) << show(from) << " " << show(to);
  }
}

// ---------------------------------------------------------------------------------------------
// Properties (fixed seed)

TEST(CalendarProperty, MeasureInvertsAdvance) {
  const WorkCalendar cal = pingcheng();
  std::mt19937_64 rng(7);
  const Millis lo = local("2024-12-25 00:00");
  const Millis span = Millis{932} * kDay;            // to mid 2027
  const Millis max_amount = Millis{60} * 7 * kHour;  // 60 working days
  for (int i = 0; i < 1500; ++i) {
    const Millis from = lo + pick(rng, span);
    const Millis amount = pick(rng, max_amount + 1);
    const Millis first = pick(rng, amount + 1);
    for (U u : all_limit_units()) {
      const auto end = cal.advance(from, amount, u);
      ASSERT_GE(end.at, from);
      ASSERT_EQ(cal.measure(from, end.at, u), amount) << show(from) << " " << amount;
      // The earliest such instant.
      if (amount > 0) {
        ASSERT_LT(cal.measure(from, end.at - 1, u), amount) << show(from);
      }
      // Splitting the budget (pause and resume at once) gives the same instant.
      const auto mid = cal.advance(from, first, u);
      ASSERT_EQ(cal.advance(mid.at, amount - first, u).at, end.at) << show(from);
      // Estimated exactly when a day of a year not entered (2024, 2027) was needed.
      const bool needs_unknown =
          counts_working_time(u) && amount > 0 &&
          (cal.local_date(from).year < 2025 || cal.local_date(end.at).year > 2026);
      ASSERT_EQ(end.estimated, needs_unknown) << show(from) << " " << show(end.at);
    }
  }
}

TEST(CalendarProperty, AdvanceInvertsMeasureInsideWorkingTime) {
  const WorkCalendar cal = pingcheng();
  std::mt19937_64 rng(11);
  const Millis lo = local("2025-01-01 00:00");
  int checked = 0;
  for (int i = 0; i < 1000; ++i) {
    const Millis from = lo + pick(rng, Millis{700} * 24 * 60) * kMinute;
    const Millis to = from + pick(rng, Millis{40} * 24 * 60) * kMinute;
    const Millis counted = cal.measure(from, to, U::kWorkingHours);
    const Millis back = cal.advance(from, counted, U::kWorkingHours).at;
    // Never later than `to`; equal when `to` lies inside a working period.
    ASSERT_LE(back, to);
    ASSERT_EQ(cal.measure(back, to, U::kWorkingHours), 0);
    if (counted > 0 && cal.measure(to - 1, to, U::kWorkingHours) == 1) {
      ASSERT_EQ(back, to);
      ++checked;
    }
  }
  EXPECT_GT(checked, 100);
}

}  // namespace
}  // namespace civicloop::calendar
