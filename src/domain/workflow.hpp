// Workflow settings (流程设置): the tenant's choices the article leaves open — how long a unit has
// to acknowledge a notice and the office to verify a rectification, the escalation ladder, the
// duplicate and photo-distance radii, how notice numbers are written, who signs them, whether a
// reporter may open the notice that carries his case, and what becomes of a report whose point
// lies outside the district. The preset gives the first values; the HQ office edits them on the
// settings page. This module holds the values and the rules they must meet, for both.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "domain/calendar.hpp"
#include "domain/error.hpp"

namespace civicloop::workflow {

struct Settings {
  calendar::TimeLimit acknowledge_limit{2, calendar::LimitUnit::kWorkingHours};
  calendar::TimeLimit verify_limit{1, calendar::LimitUnit::kWorkingDays};
  std::vector<int> escalation_percents = {100, 150, 200};
  int duplicate_radius_m = 50;
  int evidence_distance_m = 200;
  std::string rectification_number_format = "整〔{year}〕{seq:04}号";
  std::string reminder_number_format = "提〔{year}〕{seq:04}号";
  std::string issuer;
  // Whether a reporter (a citizen) may open the notice that carries his case (his cases only).
  bool reporter_sees_notice = false;
  // A report whose point lies outside the tenant's area: "refuse" (case.outside_area) or "flag"
  // (accepted with no area, for the office to place by hand).
  std::string outside_area_policy = "refuse";
  // Whether the tenant's robots get the daily anchor digest (每日台账摘要: the chain head, the
  // event count, the last anchor; app/anchor_digest.hpp). Off unless the office turns it on: it
  // sends a message to outside chat groups every day.
  bool anchor_digest = false;
  // Recurrence (举一反三): a report of a category at the same place (within duplicate_radius_m) as
  // a case closed there at most this many days before is marked as its recurrence and counted
  // against the unit that closed it. 0 turns the check off.
  int recurrence_days = 30;

  bool operator==(const Settings&) const = default;
};

// The bounds the rules below enforce, served to the settings page so that it can say them.
struct Bounds {
  static constexpr int kLimitMin = 1;
  static constexpr int kLimitMax = 365;
  static constexpr std::size_t kLadderMaxSteps = 3;
  static constexpr int kPercentMin = 100;
  static constexpr int kPercentMax = 1000;
  static constexpr int kDuplicateRadiusMin = 10;
  static constexpr int kDuplicateRadiusMax = 1000;
  static constexpr int kEvidenceDistanceMin = 50;
  static constexpr int kEvidenceDistanceMax = 10000;
  static constexpr int kRecurrenceDaysMin = 0;
  static constexpr int kRecurrenceDaysMax = 365;
  static constexpr std::size_t kNumberFormatMaxChars = 40;
  static constexpr std::size_t kIssuerMaxChars = 60;
};

// Whether the settings can be used; the error names the first field at fault:
//   field.out_of_range (with min, max)       a limit, radius or distance out of bounds
//   workflow.bad_escalation                   the ladder is empty, too long, out of range or not
//                                             strictly rising
//   workflow.bad_number_format                a number format without {year} or a {seq…}
//   workflow.same_number_format               both kinds would print the same number
//   workflow.bad_outside_area_policy          neither refuse nor flag
//   field.too_long / field.invalid_text       the issuer or a format (text::check)
Status check(const Settings& s);

// A notice number from its format: {year}, then {seq:04}, {seq:06} or {seq}.
std::string format_number(std::string fmt, int year, int seq);

}  // namespace civicloop::workflow
