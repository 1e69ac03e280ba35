// `civicloop ledger replay --check`: proof that the ledger is the truth of the cases. For each
// tenant it walks the case events in order and keeps, per case, the snapshot its last event left
// (app/case_snapshot.hpp), then reads every case row and compares:
//
//  - every change carries the picture before it, which must be the picture the case's previous
//    event left: a write with no event in between shows as "change_without_event" at the first
//    event after it;
//  - the row must be the last event's picture ("row_differs", naming the fields), and its
//    full-text terms must be those of its text ("search_terms");
//  - a row with no event ("no_events"), events for a case with no row ("events_without_row"), a
//    case created twice ("created_twice"), an attachment row without its "attach" event
//    ("attachment_without_event");
//  - the open and overdue counts kept per unit (case_unit_counts, the responsibility list) must
//    equal a recount of the rows by the domain's rule (cases::is_open): "unit_counts", naming
//    the unit and the counts that differ;
//  - the open, overdue and escalated counts kept per unit × grid for the dashboard
//    (case_open_counts) likewise: "open_counts", naming the unit, the grid and the counts.
//
// Events written before snapshots were complete (no "snapshot": 2) are counted as legacy; a case
// whose history has only those is not compared. Memory: a digest per case (~70 bytes with the
// map), so a million cases take ~70 MB. Reads in one transaction, in pages.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "app/context.hpp"

namespace civicloop::app {

struct ReplayProblem {
  std::string kind;  // row_differs, change_without_event, no_events, events_without_row, ...
  std::int64_t case_id = 0;
  std::string case_no;
  std::optional<std::int64_t> seq;        // the event concerned
  std::vector<std::string> fields;        // the fields that differ, when known
  std::optional<std::int64_t> unit_id{};  // unit_counts: the unit whose counts differ
};

struct ReplayResult {
  std::int64_t cases = 0;
  std::int64_t events = 0;
  std::int64_t legacy_events = 0;
  std::int64_t attachments = 0;
  std::int64_t problem_count = 0;       // all of them
  std::vector<ReplayProblem> problems;  // the first 100
  bool ok() const { return problem_count == 0; }
};

ReplayResult replay_check(Context& ctx, std::int64_t tenant_id);
// Every tenant, by code.
std::vector<std::pair<std::string, ReplayResult>> replay_all(Context& ctx);

}  // namespace civicloop::app
