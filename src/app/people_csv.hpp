// The people table as it is imported (app/people_io.hpp): CSV text to rows of fields, with the
// file-level rules (header names, Chinese or English, in any order) and the per-row syntax (编号 a
// whole number, 任职 "UNITCODE:post[:head]; ..."). Pure: the import then looks each row up in
// the database, and the fuzz target (fuzz/csv_import_fuzz.cpp) runs exactly this code.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/error.hpp"
#include "domain/org.hpp"

namespace civicloop::app {

struct PeopleCsvMembership {
  std::string unit_code;
  std::string post_code;
  bool is_head = false;
};

struct PeopleCsvRow {
  std::size_t line = 0;  // the row's number, the header being 1 (blank lines are not counted)
  std::optional<org::Id> id;
  std::optional<Error> id_error;   // 编号 present but not a whole number
  std::string name, title, phone;  // trimmed; empty when absent
  std::vector<PeopleCsvMembership> memberships;
  // A malformed 任职 entry after those in memberships: the import applies those, then fails.
  std::optional<Error> memberships_error;
};

// The header names of the columns, in export order: 编号 姓名 职务 电话 任职.
const std::vector<std::string>& people_header_zh();
const std::vector<std::string>& people_header_en();

// The rows after the header. Errors for the whole file: "import.bad_csv" (with line and reason),
// "import.empty", "import.missing_column" (name).
Expected<std::vector<PeopleCsvRow>> parse_people_csv(std::string_view csv);

}  // namespace civicloop::app
