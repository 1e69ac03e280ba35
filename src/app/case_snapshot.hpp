// The ledger's picture of a case: every stored field of the row, as canonical JSON text. Each
// event that changes a case carries the snapshot before and after the change, in the same
// transaction as the row, so the row is always the `after` of the case's last event and
// `civicloop ledger replay --check` can prove it.
//
// Two columns are left out because they are indexes derived from the rest, not facts:
// `search_terms` (the full-text terms of title, description, address and number; replay
// recomputes them) and `next_check_at` (when the sweep should look next, a hint the sweep may
// reset at any time). Snapshots carry "snapshot": 2; events written before (with a 14-field
// picture) are recognised by its absence.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain/case_record.hpp"

namespace civicloop::app {

constexpr int kSnapshotVersion = 2;

std::string case_snapshot(const cases::Record& r);

// The record a snapshot describes (search_terms and next_check_at left empty); nullopt when the
// text is not a version-2 snapshot.
std::optional<cases::Record> record_from_snapshot(const std::string& text);

// Whether an event's `after` is a version-2 case snapshot.
bool is_case_snapshot(const std::string& text);

// The full-text terms a case is found by: of its title, description, address and number.
std::string case_search_terms(const cases::Record& r);

// The names of the fields whose values differ between two snapshots (for messages).
std::vector<std::string> snapshot_differences(const std::string& a, const std::string& b);

}  // namespace civicloop::app
