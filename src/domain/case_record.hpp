// The case as stored: the projection of its ledger events (the current row). Plain data; the
// rules that change it are in case.hpp and case_timer.hpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "domain/case.hpp"
#include "domain/case_timer.hpp"
#include "domain/clock.hpp"

namespace civicloop::cases {

// What a unit asked for when it requested more time (延期申请); the HQ office decides on it.
struct ExtensionRequest {
  int amount = 0;  // in unit, 1..90
  calendar::LimitUnit unit = calendar::LimitUnit::kWorkingDays;
  std::string reason;
  Millis requested_at = 0;
  friend bool operator==(const ExtensionRequest&, const ExtensionRequest&) = default;
};

struct Record {
  std::int64_t id = 0;
  std::string case_no;  // 2026000123: year + sequence within the year
  State state = State::kReported;
  Source source = Source::kCitizen;
  std::string category_code;
  std::string title;
  std::string description;
  std::string address;  // as the reporter gave it
  std::optional<double> lat;
  std::optional<double> lng;
  std::optional<std::int64_t> grid_id;
  std::optional<std::int64_t> community_id;  // community or village
  std::optional<std::int64_t> subdistrict_id;
  std::string area_path;  // path of the deepest unit the point lies in ("" when unknown)
  std::optional<std::int64_t> reporter_user_id;
  std::string reporter_name;
  std::optional<std::int64_t> assigned_unit_id;
  std::optional<std::string> assigned_path;
  std::optional<std::int64_t> supervising_group_id;
  std::optional<std::string> routing_rule;  // the rule (or "manual: reason") that chose the unit
  std::optional<std::int64_t> duplicate_of;
  int rework_count = 0;
  int escalation_level = 0;
  bool extension_pending = false;
  std::optional<ExtensionRequest> extension_request;  // while extension_pending
  std::optional<State> parked_from;
  std::optional<std::string> park_review_date;  // YYYY-MM-DD
  std::optional<std::int64_t> notice_id;
  std::optional<Timer> timer;
  bool overdue = false;
  std::optional<Millis> next_check_at;
  std::string search_terms;
  Millis reported_at = 0;
  std::optional<Millis> filed_at;
  std::optional<Millis> dispatched_at;
  std::optional<Millis> rectified_at;
  std::optional<Millis> closed_at;
  Millis updated_at = 0;
  int version = 1;
  // Brought in by the history import: the number the case had in the earlier system and that
  // system's name (the mapping's "source_name"); unique per tenant and source. Both empty for a
  // case reported here.
  std::optional<std::string> original_no;
  std::optional<std::string> import_source;
  // Recurrence (举一反三): the case closed at the same place, of the same category, within the
  // workflow's recurrence_days before this report, and the unit that closed it (the unit the
  // recurrence counts against). Set at report time; empty when none was found.
  std::optional<std::int64_t> recurrence_of;
  std::optional<std::int64_t> recurrence_unit_id;

  Facts facts() const {
    return Facts{state,
                 extension_pending,
                 parked_from,
                 id,
                 assigned_unit_id,
                 escalation_level,
                 extension_request ? extension_request->amount : 0};
  }
};

}  // namespace civicloop::cases
