// Digests (工作提示, issue 8 part 9): a daily or weekly message to each unit's head, through the
// unit's own robot and the head's inbox, with the unit's own figures and its rank. Pure rules: the
// schedule (the preset's kpi.json "digests"), which period a digest due now covers, and which
// wording a unit's rank takes. The figures and the sending are app/digest_service.hpp's.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "domain/calendar.hpp"
#include "domain/error.hpp"
#include "domain/kpi.hpp"

namespace civicloop::digest {

enum class Kind { kDaily, kWeekly };
std::string_view to_string(Kind kind);
std::optional<Kind> parse_kind(std::string_view text);

// One entry of the schedule: daily at `minute` (local), or weekly on `weekday` at `minute`.
struct Schedule {
  Kind kind = Kind::kDaily;
  int weekday = 1;           // weekly: 0 = Sunday … 6 = Saturday
  int minute = 8 * 60 + 30;  // local time of day
  bool operator==(const Schedule&) const = default;
};

// Whether a schedule can be used: "digest.bad_schedule" (field: "digests") when a kind is listed
// twice, a weekday is outside 0..6 or a minute outside 0..1439.
Status check(const std::vector<Schedule>& schedule);

// A digest due: the periods it covers.
struct Due {
  Kind kind = Kind::kDaily;
  kpi::Period figures;  // daily: the day before the due day; weekly: the week before
  kpi::Period ranking;  // daily: the month holding that day (so far); weekly: that same week
};

// The digest of `s` due last at or before local date `today`, minute `minute_now`: its due day is
// today once `minute` has passed, else the one before (daily: yesterday; weekly: last week's
// `weekday`). A digest is due until the next one is, so a server down at the due minute sends it
// when it is back; one never sent in that window is skipped (the next covers the later period).
Due due(const Schedule& s, calendar::Date today, int minute_now);

// The wording of a unit's place in the ranking of the digest's period.
enum class RankWording {
  kUp,            // ranked, and higher than the period before
  kDown,          // ranked, and lower
  kSame,          // ranked, the same rank
  kNew,           // ranked, not ranked the period before
  kInsufficient,  // 样本不足: fewer cases due than the preset's minimum
  kUnscored,      // nothing to score (no case due, no rate)
};
RankWording rank_wording(const kpi::RankedEntry& entry);
// The message key suffix of a wording: "up", "down", "same", "new", "insufficient", "unscored".
std::string_view to_string(RankWording wording);

}  // namespace civicloop::digest
