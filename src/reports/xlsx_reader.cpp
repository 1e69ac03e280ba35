#include "reports/xlsx_reader.hpp"

#include <expat.h>
#include <minizip/unzip.h>

#include <cstring>
#include <string_view>

namespace civicloop::reports {

namespace {

constexpr std::size_t kChunk = 64 * 1024;

// The local name of an element ("x:row" and "row" alike: some writers use a prefix).
std::string_view local(const XML_Char* name) {
  std::string_view n(name);
  if (auto colon = n.rfind(':'); colon != std::string_view::npos) n.remove_prefix(colon + 1);
  return n;
}

const XML_Char* attr(const XML_Char** atts, std::string_view want) {
  for (int i = 0; atts[i] != nullptr; i += 2) {
    if (local(atts[i]) == want) return atts[i + 1];
  }
  return nullptr;
}

// Column index (0-based) of a cell reference such as "AB12"; -1 when it has no letters.
long column_of(const char* ref) {
  long col = 0;
  bool any = false;
  for (const char* p = ref; *p != '\0'; ++p) {
    if (*p >= 'A' && *p <= 'Z') {
      col = col * 26 + (*p - 'A' + 1);
      any = true;
    } else {
      break;
    }
    if (col > 16384) return -1;
  }
  return any ? col - 1 : -1;
}

// Reads a whole (small) entry of the zip: workbook.xml, its relationships.
bool read_entry(unzFile zip, const char* name, std::string& out) {
  if (unzLocateFile(zip, name, 0) != UNZ_OK) return false;
  if (unzOpenCurrentFile(zip) != UNZ_OK) return false;
  char buf[8192];
  int n = 0;
  while ((n = unzReadCurrentFile(zip, buf, sizeof buf)) > 0) {
    out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > (64U << 20)) break;
  }
  unzCloseCurrentFile(zip);
  return n == 0;
}

// workbook.xml: the relationship id of the first <sheet>; workbook.xml.rels: its target.
struct FirstSheet {
  std::string rid;
  std::string target;
  bool in_rels = false;
};

void XMLCALL first_sheet_start(void* data, const XML_Char* name, const XML_Char** atts) {
  auto* s = static_cast<FirstSheet*>(data);
  const auto n = local(name);
  if (!s->in_rels && n == "sheet" && s->rid.empty()) {
    if (const auto* id = attr(atts, "id")) s->rid = id;
  } else if (s->in_rels && n == "Relationship" && s->target.empty()) {
    const auto* id = attr(atts, "Id");
    const auto* target = attr(atts, "Target");
    if (id != nullptr && target != nullptr && s->rid == id) s->target = target;
  }
}

bool parse_small(const std::string& xml, FirstSheet& s) {
  XML_Parser p = XML_ParserCreate("UTF-8");
  XML_SetUserData(p, &s);
  XML_SetStartElementHandler(p, first_sheet_start);
  const bool ok = XML_Parse(p, xml.data(), static_cast<int>(xml.size()), XML_TRUE) == XML_STATUS_OK;
  XML_ParserFree(p);
  return ok;
}

}  // namespace

struct XlsxReader::State {
  // Shared strings
  std::vector<std::string> strings;
  bool in_si = false;
  bool in_t = false;
  int in_phonetic = 0;  // <rPh>: the reading of East Asian text, not part of it
  std::string si_text;
  // Sheet
  XML_Parser parser = nullptr;
  struct Row {
    std::size_t number = 0;
    std::vector<std::string> cells;
  };
  std::deque<Row> ready;
  Row row;
  bool in_row = false;
  std::size_t last_row = 0;
  long col = -1;
  std::string type;
  bool in_value = false;  // <v> or an inline string's <t>
  bool in_inline = false;
  std::string value;
  std::optional<std::size_t> bad_string_row;
};

namespace {

using State = XlsxReader::State;

void XMLCALL ss_start(void* data, const XML_Char* name, const XML_Char**) {
  auto* s = static_cast<State*>(data);
  const auto n = local(name);
  if (n == "si") {
    s->in_si = true;
    s->si_text.clear();
  } else if (n == "rPh") {
    ++s->in_phonetic;
  } else if (n == "t" && s->in_si && s->in_phonetic == 0) {
    s->in_t = true;
  }
}

void XMLCALL ss_end(void* data, const XML_Char* name) {
  auto* s = static_cast<State*>(data);
  const auto n = local(name);
  if (n == "si") {
    s->in_si = false;
    s->strings.push_back(std::move(s->si_text));
    s->si_text.clear();
  } else if (n == "rPh") {
    --s->in_phonetic;
  } else if (n == "t") {
    s->in_t = false;
  }
}

void XMLCALL ss_text(void* data, const XML_Char* text, int len) {
  auto* s = static_cast<State*>(data);
  if (s->in_t) s->si_text.append(text, static_cast<std::size_t>(len));
}

void XMLCALL sheet_start(void* data, const XML_Char* name, const XML_Char** atts) {
  auto* s = static_cast<State*>(data);
  const auto n = local(name);
  if (n == "row") {
    s->in_row = true;
    s->row = {};
    const auto* r = attr(atts, "r");
    s->row.number = r != nullptr ? std::strtoull(r, nullptr, 10) : s->last_row + 1;
    if (s->row.number == 0) s->row.number = s->last_row + 1;
    s->last_row = s->row.number;
    s->col = -1;
  } else if (n == "c" && s->in_row) {
    const auto* r = attr(atts, "r");
    const long c = r != nullptr ? column_of(r) : -1;
    s->col = c >= 0 ? c : s->col + 1;
    const auto* t = attr(atts, "t");
    s->type = t != nullptr ? t : "n";
    s->value.clear();
    s->in_inline = false;
  } else if (n == "v" && s->in_row) {
    s->in_value = true;
  } else if (n == "is") {
    s->in_inline = true;
  } else if (n == "rPh") {
    ++s->in_phonetic;
  } else if (n == "t" && s->in_inline && s->in_phonetic == 0) {
    s->in_value = true;
  }
}

void XMLCALL sheet_end(void* data, const XML_Char* name) {
  auto* s = static_cast<State*>(data);
  const auto n = local(name);
  if (n == "v" || n == "t") {
    s->in_value = false;
  } else if (n == "rPh") {
    --s->in_phonetic;
  } else if (n == "c" && s->in_row && s->col >= 0) {
    std::string text;
    if (s->type == "s") {
      char* end = nullptr;
      const auto idx = std::strtoull(s->value.c_str(), &end, 10);
      if (s->value.empty() || *end != '\0' || idx >= s->strings.size()) {
        if (!s->bad_string_row) s->bad_string_row = s->row.number;
      } else {
        text = s->strings[idx];
      }
    } else {
      text = std::move(s->value);
    }
    if (!text.empty()) {
      auto& cells = s->row.cells;
      if (cells.size() <= static_cast<std::size_t>(s->col)) {
        cells.resize(static_cast<std::size_t>(s->col) + 1);
      }
      cells[static_cast<std::size_t>(s->col)] = std::move(text);
    }
    s->value.clear();
  } else if (n == "row" && s->in_row) {
    s->in_row = false;
    if (!s->row.cells.empty()) s->ready.push_back(std::move(s->row));
    s->row = {};
  }
}

void XMLCALL sheet_text(void* data, const XML_Char* text, int len) {
  auto* s = static_cast<State*>(data);
  if (s->in_value) s->value.append(text, static_cast<std::size_t>(len));
}

}  // namespace

XlsxReader::XlsxReader() : state_(std::make_unique<State>()), buf_(kChunk) {}

XlsxReader::~XlsxReader() { close(); }

void XlsxReader::close() {
  if (state_ && state_->parser != nullptr) {
    XML_ParserFree(state_->parser);
    state_->parser = nullptr;
  }
  if (zip_ != nullptr) {
    unzCloseCurrentFile(static_cast<unzFile>(zip_));
    unzClose(static_cast<unzFile>(zip_));
    zip_ = nullptr;
  }
}

bool XlsxReader::fail(std::size_t line, const char* reason) {
  if (!error_) error_ = CsvError{line, reason};
  sheet_done_ = true;
  return false;
}

bool XlsxReader::open(const std::string& path) {
  close();
  unzFile zip = unzOpen(path.c_str());
  if (zip == nullptr) return fail(0, "not_xlsx");
  zip_ = zip;
  // The first sheet, as the workbook lists them (not necessarily sheet1.xml).
  FirstSheet first;
  std::string workbook;
  std::string rels;
  if (!read_entry(zip, "xl/workbook.xml", workbook)) return fail(0, "not_xlsx");
  std::string sheet_path = "xl/worksheets/sheet1.xml";
  if (parse_small(workbook, first) && !first.rid.empty() &&
      read_entry(zip, "xl/_rels/workbook.xml.rels", rels)) {
    first.in_rels = true;
    if (parse_small(rels, first) && !first.target.empty()) {
      sheet_path = first.target[0] == '/' ? first.target.substr(1) : "xl/" + first.target;
    }
  }
  // Shared strings, streamed through expat into the table.
  if (unzLocateFile(zip, "xl/sharedStrings.xml", 0) == UNZ_OK) {
    if (unzOpenCurrentFile(zip) != UNZ_OK) return fail(0, "not_xlsx");
    XML_Parser p = XML_ParserCreate("UTF-8");
    XML_SetUserData(p, state_.get());
    XML_SetElementHandler(p, ss_start, ss_end);
    XML_SetCharacterDataHandler(p, ss_text);
    bool ok = true;
    for (;;) {
      const int n = unzReadCurrentFile(zip, buf_.data(), static_cast<unsigned>(buf_.size()));
      if (n < 0) {
        ok = false;
        break;
      }
      if (XML_Parse(p, buf_.data(), n, n == 0 ? XML_TRUE : XML_FALSE) != XML_STATUS_OK) {
        ok = false;
        break;
      }
      if (n == 0) break;
    }
    XML_ParserFree(p);
    unzCloseCurrentFile(zip);
    if (!ok) return fail(0, "bad_xml");
  }
  if (unzLocateFile(zip, sheet_path.c_str(), 0) != UNZ_OK) return fail(0, "no_sheet");
  unz_file_info info{};
  if (unzGetCurrentFileInfo(zip, &info, nullptr, 0, nullptr, 0, nullptr, 0) == UNZ_OK) {
    total_bytes_ = info.uncompressed_size;
  }
  if (unzOpenCurrentFile(zip) != UNZ_OK) return fail(0, "not_xlsx");
  state_->parser = XML_ParserCreate("UTF-8");
  XML_SetUserData(state_->parser, state_.get());
  XML_SetElementHandler(state_->parser, sheet_start, sheet_end);
  XML_SetCharacterDataHandler(state_->parser, sheet_text);
  return true;
}

bool XlsxReader::next(std::vector<std::string>& row) {
  auto& s = *state_;
  while (s.ready.empty()) {
    if (sheet_done_ || error_ || s.parser == nullptr) return false;
    const int n = unzReadCurrentFile(static_cast<unzFile>(zip_), buf_.data(),
                                     static_cast<unsigned>(buf_.size()));
    if (n < 0) return fail(s.last_row, "truncated");
    bytes_read_ += static_cast<std::uint64_t>(n);
    if (XML_Parse(s.parser, buf_.data(), n, n == 0 ? XML_TRUE : XML_FALSE) != XML_STATUS_OK) {
      // The rows of this chunk before the fault are dropped with it; the error names the row.
      return fail(s.last_row, n == 0 ? "truncated" : "bad_xml");
    }
    if (s.bad_string_row) return fail(*s.bad_string_row, "bad_shared_string");
    if (n == 0) sheet_done_ = true;
  }
  auto r = std::move(s.ready.front());
  s.ready.pop_front();
  row = std::move(r.cells);
  row_number_ = r.number;
  return true;
}

}  // namespace civicloop::reports
