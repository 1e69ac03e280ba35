#include "reports/csv_reader.hpp"

#include <iconv.h>

#include <cerrno>
#include <cstring>
#include <istream>

namespace civicloop::reports {

namespace {

constexpr std::size_t kBuffer = 64 * 1024;

class StringSource : public ByteSource {
 public:
  explicit StringSource(std::string_view text) : text_(text) {}
  std::size_t read(char* buf, std::size_t n) override {
    const auto k = std::min(n, text_.size());
    std::memcpy(buf, text_.data(), k);
    text_.remove_prefix(k);
    return k;
  }

 private:
  std::string_view text_;
};

class StreamSource : public ByteSource {
 public:
  explicit StreamSource(std::istream& in) : in_(in) {}
  std::size_t read(char* buf, std::size_t n) override {
    in_.read(buf, static_cast<std::streamsize>(n));
    if (in_.bad()) throw SourceError{"read_failed"};
    return static_cast<std::size_t>(in_.gcount());
  }

 private:
  std::istream& in_;
};

// iconv over a source: bytes in, UTF-8 out. A character cut by the end of one read is kept for
// the next; bytes that are no character of the encoding are an error, never skipped.
class ConvertingSource : public ByteSource {
 public:
  ConvertingSource(std::unique_ptr<ByteSource> inner, iconv_t cd)
      : inner_(std::move(inner)), cd_(cd), in_(kBuffer) {}
  ~ConvertingSource() override { iconv_close(cd_); }
  ConvertingSource(const ConvertingSource&) = delete;
  ConvertingSource& operator=(const ConvertingSource&) = delete;

  std::size_t read(char* buf, std::size_t n) override {
    for (;;) {
      if (have_ == 0 || incomplete_) {
        if (!eof_) {
          if (have_ > 0 && start_ > 0) std::memmove(in_.data(), in_.data() + start_, have_);
          start_ = 0;
          const auto got = inner_->read(in_.data() + have_, in_.size() - have_);
          if (got == 0) eof_ = true;
          have_ += got;
          incomplete_ = false;
        } else if (have_ > 0) {
          throw SourceError{"invalid_encoding"};  // a character cut off by the end of the file
        } else {
          return 0;
        }
      }
      if (have_ == 0) return 0;
      char* src = in_.data() + start_;
      std::size_t src_left = have_;
      char* dst = buf;
      std::size_t dst_left = n;
      const auto r = iconv(cd_, &src, &src_left, &dst, &dst_left);
      const auto wrote = n - dst_left;
      start_ += have_ - src_left;
      have_ = src_left;
      if (r == static_cast<std::size_t>(-1)) {
        if (errno == EILSEQ) throw SourceError{"invalid_encoding"};
        if (errno == EINVAL) incomplete_ = true;  // E2BIG: buf full, the rest next time
      }
      if (wrote > 0) return wrote;
    }
  }

 private:
  std::unique_ptr<ByteSource> inner_;
  iconv_t cd_;
  std::vector<char> in_;
  std::size_t start_ = 0;
  std::size_t have_ = 0;
  bool eof_ = false;
  bool incomplete_ = false;
};

}  // namespace

std::unique_ptr<ByteSource> string_source(std::string_view text) {
  return std::make_unique<StringSource>(text);
}

std::unique_ptr<ByteSource> stream_source(std::istream& in) {
  return std::make_unique<StreamSource>(in);
}

std::unique_ptr<ByteSource> converting_source(std::unique_ptr<ByteSource> inner,
                                              const std::string& encoding) {
  iconv_t cd = iconv_open("UTF-8", encoding.c_str());
  if (cd == reinterpret_cast<iconv_t>(-1)) return nullptr;
  return std::make_unique<ConvertingSource>(std::move(inner), cd);
}

CsvReader::CsvReader(std::unique_ptr<ByteSource> source)
    : source_(std::move(source)), buf_(kBuffer) {}

CsvReader::~CsvReader() = default;

bool CsvReader::fill() {
  if (eof_) return false;
  std::size_t got = 0;
  try {
    got = source_->read(buf_.data(), buf_.size());
  } catch (const SourceError& e) {
    eof_ = true;
    len_ = pos_ = 0;
    if (!error_) error_ = CsvError{line_, e.reason};
    return false;
  }
  pos_ = 0;
  len_ = got;
  if (got == 0) eof_ = true;
  return got > 0;
}

int CsvReader::peek() {
  if (pos_ >= len_ && !fill()) return -1;
  return static_cast<unsigned char>(buf_[pos_]);
}

bool CsvReader::fail(const char* reason) {
  error_ = CsvError{line_, reason};
  return false;
}

bool CsvReader::next(std::vector<std::string>& row) {
  if (error_) return false;
  if (!started_) {
    started_ = true;
    // A UTF-8 byte order mark (Excel writes one) is not part of the first field.
    static constexpr unsigned char kBom[3] = {0xEF, 0xBB, 0xBF};
    int matched = 0;
    while (matched < 3 && peek() == kBom[matched]) {
      advance();
      ++matched;
    }
    if (matched != 0 && matched != 3) {
      // A partial BOM is data: put it back as the start of the first field.
      row.clear();
      pending_.assign(reinterpret_cast<const char*>(kBom), static_cast<std::size_t>(matched));
    }
  }
  for (;;) {
    row.clear();
    std::string field = std::move(pending_);
    pending_.clear();
    bool in_quotes = false;
    bool field_started = !field.empty();
    row_line_ = line_;
    bool any = false;  // anything read for this record
    for (;;) {
      const int c = peek();
      if (error_) return false;
      if (c < 0) {
        if (in_quotes) {
          // Named by the line the record began on: where the stray quote is.
          error_ = CsvError{row_line_, "unterminated_quote"};
          return false;
        }
        if (!field_started && field.empty() && row.empty()) {
          if (!any) return false;  // the end, after a complete last line
        }
        row.push_back(std::move(field));
        break;
      }
      any = true;
      const char ch = static_cast<char>(c);
      if (in_quotes) {
        advance();
        if (ch == '"') {
          const int n = peek();
          if (error_) return false;
          if (n == '"') {
            field += '"';
            advance();
            continue;
          }
          in_quotes = false;
          if (n >= 0 && n != ',' && n != '\n' && n != '\r') return fail("bad_quote");
          continue;
        }
        if (ch == '\n') ++line_;
        field += ch;
        continue;
      }
      if (ch == '"') {
        if (field_started && !field.empty()) return fail("bad_quote");
        in_quotes = true;
        field_started = true;
        advance();
      } else if (ch == ',') {
        row.push_back(std::move(field));
        field.clear();
        field_started = false;
        advance();
      } else if (ch == '\r' || ch == '\n') {
        advance();
        if (ch == '\r' && peek() == '\n') advance();
        row.push_back(std::move(field));
        ++line_;
        break;
      } else {
        field += ch;
        field_started = true;
        advance();
      }
    }
    // Blank lines are skipped.
    if (row.size() == 1 && row[0].empty()) {
      if (peek() < 0) return false;
      continue;
    }
    return true;
  }
}

}  // namespace civicloop::reports
