// Tabular documents: CSV (RFC 4180, UTF-8 with a BOM so that Excel opens Chinese text correctly)
// and Excel workbooks (libxlsxwriter). Pure formatting: callers give rows of text.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace civicloop::reports {

using Table = std::vector<std::vector<std::string>>;

std::string to_csv(const std::vector<std::string>& header, const Table& rows);

struct CsvError {
  std::size_t line = 0;
  std::string reason;  // "unterminated_quote", "bad_quote", "too_large", "invalid_utf8"
};
// Parses CSV text (a leading BOM is skipped; CRLF or LF). Returns the rows or where it failed.
std::optional<Table> parse_csv(std::string_view text, CsvError* error,
                               std::size_t max_rows = 100000);

// A one-sheet workbook with a bold header row, frozen, and column widths fitted to the text.
// Cells are text, except in `number_columns` (0-based): there a plain decimal ("12", "-3", "0.5";
// at most 15 digits, so exact in Excel) is written as a number, so that Excel can sum and sort
// it; anything else there stays text, and an empty cell stays empty.
// Throws std::runtime_error when the workbook cannot be written (disk full).
std::string to_xlsx(std::string_view sheet_name, const std::vector<std::string>& header,
                    const Table& rows, const std::vector<std::size_t>& number_columns = {});

}  // namespace civicloop::reports
