// The digests' rules (domain/digest.hpp): which period a digest due now covers, around its minute
// and its weekday; the schedule's checks; which wording a unit's rank takes.
#include "domain/digest.hpp"

#include <gtest/gtest.h>

namespace civicloop::digest {
namespace {

calendar::Date d(int y, int m, int day) { return {y, m, day}; }

TEST(DigestDue, DailyCoversTheDayBeforeFromItsMinuteAndTheMonthSoFar) {
  const Schedule s{Kind::kDaily, 1, 8 * 60 + 30};
  // Thursday 3 December 2026, 09:00: today's digest, about the 2nd, ranked in December.
  auto due = digest::due(s, d(2026, 12, 3), 9 * 60);
  EXPECT_EQ(due.kind, Kind::kDaily);
  EXPECT_EQ(due.figures.from, d(2026, 12, 2));
  EXPECT_EQ(due.figures.to, d(2026, 12, 2));
  EXPECT_EQ(due.ranking.kind, kpi::PeriodKind::kMonth);
  EXPECT_EQ(due.ranking.from, d(2026, 12, 1));
  EXPECT_EQ(due.ranking.to, d(2026, 12, 31));
  // 08:00: still yesterday's digest, about the 1st.
  due = digest::due(s, d(2026, 12, 3), 8 * 60);
  EXPECT_EQ(due.figures.from, d(2026, 12, 1));
  // 1 December 08:30: about 30 November, ranked in November.
  due = digest::due(s, d(2026, 12, 1), 8 * 60 + 30);
  EXPECT_EQ(due.figures.from, d(2026, 11, 30));
  EXPECT_EQ(due.ranking.from, d(2026, 11, 1));
  EXPECT_EQ(due.ranking.to, d(2026, 11, 30));
  // New Year's Day: the 31st, in December of the year before.
  due = digest::due(s, d(2027, 1, 1), 10 * 60);
  EXPECT_EQ(due.figures.from, d(2026, 12, 31));
  EXPECT_EQ(due.ranking.from, d(2026, 12, 1));
}

TEST(DigestDue, WeeklyCoversTheWeekBeforeItsWeekdayUntilTheNextOne) {
  const Schedule s{Kind::kWeekly, 1, 8 * 60 + 30};  // Monday 08:30
  // Monday 30 November 2026, 09:30: the week of 23–29 November.
  auto due = digest::due(s, d(2026, 11, 30), 9 * 60 + 30);
  EXPECT_EQ(due.figures.kind, kpi::PeriodKind::kWeek);
  EXPECT_EQ(due.figures.from, d(2026, 11, 23));
  EXPECT_EQ(due.figures.to, d(2026, 11, 29));
  EXPECT_EQ(due.ranking.from, due.figures.from);
  EXPECT_EQ(due.ranking.to, due.figures.to);
  // The same Monday at 08:00: last Monday's digest, the week of 16–22 November.
  due = digest::due(s, d(2026, 11, 30), 8 * 60);
  EXPECT_EQ(due.figures.from, d(2026, 11, 16));
  // Any later day that week: still the week of 23–29 November.
  for (int day = 1; day <= 6; ++day) {
    due = digest::due(s, d(2026, 12, day), 23 * 60);
    EXPECT_EQ(due.figures.from, d(2026, 11, 23)) << day;
  }
  // A digest set for Sundays covers the last whole week before its day (the week holding that
  // Sunday is not over): on Sunday 6 December before the minute, the one due 29 November.
  const Schedule sunday{Kind::kWeekly, 0, 18 * 60};
  due = digest::due(sunday, d(2026, 12, 6), 17 * 60);
  EXPECT_EQ(due.figures.from, d(2026, 11, 16));
  due = digest::due(sunday, d(2026, 12, 6), 18 * 60);
  EXPECT_EQ(due.figures.from, d(2026, 11, 23));
  EXPECT_EQ(due.figures.to, d(2026, 11, 29));
}

TEST(DigestSchedule, RefusesAKindTwiceAWeekdayOrAMinuteOutOfRange) {
  EXPECT_TRUE(check({}));
  EXPECT_TRUE(check({{Kind::kDaily, 1, 510}, {Kind::kWeekly, 1, 510}}));
  for (const auto& bad :
       std::vector<std::vector<Schedule>>{{{Kind::kDaily, 1, 510}, {Kind::kDaily, 1, 600}},
                                          {{Kind::kWeekly, 7, 510}},
                                          {{Kind::kWeekly, -1, 510}},
                                          {{Kind::kDaily, 1, 1440}},
                                          {{Kind::kDaily, 1, -1}}}) {
    const auto st = check(bad);
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().code, "digest.bad_schedule");
    EXPECT_EQ(st.error().field, "digests");
  }
  EXPECT_EQ(parse_kind("daily"), Kind::kDaily);
  EXPECT_EQ(parse_kind("weekly"), Kind::kWeekly);
  EXPECT_FALSE(parse_kind("monthly").has_value());
}

TEST(DigestRank, TheWordingFollowsTheRankAndItsChange) {
  kpi::RankedEntry e;
  EXPECT_EQ(rank_wording(e), RankWording::kUnscored);
  e.insufficient = true;
  EXPECT_EQ(rank_wording(e), RankWording::kInsufficient);
  e.insufficient = false;
  e.rank = 3;
  EXPECT_EQ(rank_wording(e), RankWording::kNew);
  e.rank_change = 2;
  EXPECT_EQ(rank_wording(e), RankWording::kUp);
  e.rank_change = -1;
  EXPECT_EQ(rank_wording(e), RankWording::kDown);
  e.rank_change = 0;
  EXPECT_EQ(rank_wording(e), RankWording::kSame);
  EXPECT_EQ(to_string(RankWording::kInsufficient), "insufficient");
  EXPECT_EQ(to_string(RankWording::kUp), "up");
}

}  // namespace
}  // namespace civicloop::digest
