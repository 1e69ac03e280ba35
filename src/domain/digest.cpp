#include "domain/digest.hpp"

#include <set>

namespace civicloop::digest {

std::string_view to_string(Kind kind) { return kind == Kind::kDaily ? "daily" : "weekly"; }

std::optional<Kind> parse_kind(std::string_view text) {
  if (text == "daily") return Kind::kDaily;
  if (text == "weekly") return Kind::kWeekly;
  return std::nullopt;
}

Status check(const std::vector<Schedule>& schedule) {
  std::set<Kind> seen;
  for (const auto& s : schedule) {
    if (!seen.insert(s.kind).second || s.weekday < 0 || s.weekday > 6 || s.minute < 0 ||
        s.minute > 24 * 60 - 1) {
      return make_error("digest.bad_schedule", "digests");
    }
  }
  return Ok{};
}

namespace {

calendar::Date day_before(calendar::Date d) {
  return kpi::previous(kpi::period_of(kpi::PeriodKind::kDay, d)).from;
}

}  // namespace

Due due(const Schedule& s, calendar::Date today, int minute_now) {
  Due out;
  out.kind = s.kind;
  calendar::Date due_day = today;
  if (s.kind == Kind::kDaily) {
    if (minute_now < s.minute) due_day = day_before(today);
    const auto day = day_before(due_day);
    out.figures = kpi::period_of(kpi::PeriodKind::kDay, day);
    out.ranking = kpi::period_of(kpi::PeriodKind::kMonth, day);
    return out;
  }
  // The latest `weekday` at or before today whose minute has passed: at most 7 days back.
  for (int back = 0; back < 8; ++back) {
    if (calendar::weekday(due_day) == s.weekday && (back > 0 || minute_now >= s.minute)) break;
    due_day = day_before(due_day);
  }
  out.figures = kpi::previous(kpi::period_of(kpi::PeriodKind::kWeek, due_day));
  out.ranking = out.figures;
  return out;
}

RankWording rank_wording(const kpi::RankedEntry& entry) {
  if (!entry.rank) return entry.insufficient ? RankWording::kInsufficient : RankWording::kUnscored;
  if (!entry.rank_change) return RankWording::kNew;
  if (*entry.rank_change > 0) return RankWording::kUp;
  if (*entry.rank_change < 0) return RankWording::kDown;
  return RankWording::kSame;
}

std::string_view to_string(RankWording wording) {
  switch (wording) {
    case RankWording::kUp:
      return "up";
    case RankWording::kDown:
      return "down";
    case RankWording::kSame:
      return "same";
    case RankWording::kNew:
      return "new";
    case RankWording::kInsufficient:
      return "insufficient";
    case RankWording::kUnscored:
      return "unscored";
  }
  return "unscored";
}

}  // namespace civicloop::digest
