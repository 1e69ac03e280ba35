// CSV read as a stream, one record at a time, so that a file of any size is read in constant
// memory (the history import, app/case_import.hpp). RFC 4180 as reports::parse_csv reads it (that
// function is this reader over a string): a leading UTF-8 BOM is skipped, CRLF or LF, quoted
// fields may hold commas, quotes ("") and line breaks, blank lines are skipped.
//
// The bytes come from a ByteSource: a file, a string, or a converter from another encoding
// (GBK exports of older systems, through glibc's iconv).
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reports/table.hpp"

namespace civicloop::reports {

// Where bytes come from. read() fills up to n bytes and returns how many; 0 at the end. A source
// that cannot go on (bytes not valid in its encoding) throws SourceError.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual std::size_t read(char* buf, std::size_t n) = 0;
};

struct SourceError {
  std::string reason;  // "invalid_encoding", "read_failed"
};

std::unique_ptr<ByteSource> string_source(std::string_view text);  // text must outlive it
std::unique_ptr<ByteSource> stream_source(std::istream& in);       // in must outlive it
// Converts `inner` from `encoding` (an iconv name: "GBK", "GB18030") to UTF-8; nullptr when iconv
// does not know the encoding.
std::unique_ptr<ByteSource> converting_source(std::unique_ptr<ByteSource> inner,
                                              const std::string& encoding);

class CsvReader {
 public:
  explicit CsvReader(std::unique_ptr<ByteSource> source);
  ~CsvReader();
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  // The next record into row; false at the end or on an error (then error() says where and why).
  bool next(std::vector<std::string>& row);
  const std::optional<CsvError>& error() const { return error_; }
  // The line the last record returned by next() began on (the header is line 1).
  std::size_t row_line() const { return row_line_; }
  // Bytes taken from the source so far (for progress).
  std::uint64_t bytes_read() const { return consumed_; }

 private:
  int peek();  // the next byte (0..255), -1 at the end
  void advance() {
    ++pos_;
    ++consumed_;
  }
  bool fill();
  bool fail(const char* reason);

  std::unique_ptr<ByteSource> source_;
  std::vector<char> buf_;
  std::size_t pos_ = 0;
  std::size_t len_ = 0;
  bool eof_ = false;
  bool started_ = false;
  std::size_t line_ = 1;
  std::size_t row_line_ = 0;
  std::uint64_t consumed_ = 0;
  std::string pending_;  // bytes of a partial BOM, the start of the first field
  std::optional<CsvError> error_;
};

}  // namespace civicloop::reports
