// The first worksheet of an .xlsx workbook read as a stream of rows, for the history import
// (app/case_import.hpp). The zip is read with minizip and the XML with expat, chunk by chunk: the
// sheet is never held whole, so memory does not grow with the number of rows. The shared-string
// table (xl/sharedStrings.xml) is read into memory first, as it must be to resolve cells; a sheet
// whose every cell is a different text holds those texts once (docs/dependencies.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "reports/table.hpp"

namespace civicloop::reports {

class XlsxReader {
 public:
  XlsxReader();
  ~XlsxReader();
  XlsxReader(const XlsxReader&) = delete;
  XlsxReader& operator=(const XlsxReader&) = delete;

  // Opens the workbook at path on its first sheet; false with error() when it is not a workbook
  // ("not_xlsx"), has no sheet ("no_sheet") or its shared strings do not read ("bad_xml").
  bool open(const std::string& path);
  // The next row that has a cell: its cells as text (shared and inline strings resolved, numbers
  // and dates as the XML writes them, a serial day number for a date), "" for a missing cell.
  // false at the end or on an error ("bad_xml", "truncated", "bad_shared_string"), error().line
  // then being the sheet row it happened in.
  bool next(std::vector<std::string>& row);
  // The sheet row number (1-based, as Excel shows it) of the last row next() returned.
  std::size_t row_number() const { return row_number_; }
  // Uncompressed bytes of the sheet read so far, and in all (for progress).
  std::uint64_t bytes_read() const { return bytes_read_; }
  std::uint64_t total_bytes() const { return total_bytes_; }
  const std::optional<CsvError>& error() const { return error_; }

  struct State;  // the expat handlers' state (xlsx_reader.cpp)

 private:
  bool fail(std::size_t line, const char* reason);
  void close();

  void* zip_ = nullptr;
  std::unique_ptr<State> state_;
  std::vector<char> buf_;
  bool sheet_done_ = false;
  std::size_t row_number_ = 0;
  std::uint64_t bytes_read_ = 0;
  std::uint64_t total_bytes_ = 0;
  std::optional<CsvError> error_;
};

}  // namespace civicloop::reports
