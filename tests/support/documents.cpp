#include "support/documents.hpp"

#include <unistd.h>

#include <array>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace civicloop::test {

namespace {

// A file in TMPDIR holding bytes, removed when it goes out of scope.
class TempFile {
 public:
  TempFile(const std::string& bytes, const std::string& suffix) {
    const char* dir = std::getenv("TMPDIR");
    std::string templ = std::string(dir != nullptr && *dir != '\0' ? dir : "/tmp") +
                        "/civicloop_doc_XXXXXX" + suffix;
    std::vector<char> buf(templ.begin(), templ.end());
    buf.push_back('\0');
    const int fd = mkstemps(buf.data(), static_cast<int>(suffix.size()));
    if (fd < 0) throw std::runtime_error("mkstemps failed");
    close(fd);
    path_ = buf.data();
    std::ofstream(path_, std::ios::binary) << bytes;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string run(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  std::array<char, 4096> buf{};
  std::size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), n);
  pclose(pipe);
  return out;
}

}  // namespace

namespace {
std::string pdf_text_with(const std::string& pdf_bytes, const std::string& mode) {
  TempFile f(pdf_bytes, ".pdf");
  std::string out;
  for (const char c : run("pdftotext " + mode + " '" + f.path() + "' - 2>/dev/null")) {
    if (std::isspace(static_cast<unsigned char>(c)) == 0) out += c;
  }
  return out;
}
}  // namespace

std::string pdf_text(const std::string& pdf_bytes) { return pdf_text_with(pdf_bytes, "-layout"); }

std::string pdf_reading_text(const std::string& pdf_bytes) {
  return pdf_text_with(pdf_bytes, "-raw");
}

std::string xlsx_text(const std::string& xlsx_bytes) {
  TempFile f(xlsx_bytes, ".xlsx");
  return run("unzip -p '" + f.path() +
             "' 'xl/sharedStrings.xml' 'xl/worksheets/*.xml' 2>/dev/null");
}

namespace {

// The XML text with its five named entities and numeric character references replaced.
std::string unescape_xml(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out += s[i];
      continue;
    }
    const auto semi = s.find(';', i);
    if (semi == std::string_view::npos) {
      out += s.substr(i);
      break;
    }
    const auto name = s.substr(i + 1, semi - i - 1);
    if (name == "amp") {
      out += '&';
    } else if (name == "lt") {
      out += '<';
    } else if (name == "gt") {
      out += '>';
    } else if (name == "quot") {
      out += '"';
    } else if (name == "apos") {
      out += '\'';
    } else if (name.size() > 1 && name[0] == '#') {
      const bool hex = name[1] == 'x' || name[1] == 'X';
      const auto digits = std::string(name.substr(hex ? 2 : 1));
      auto cp = static_cast<std::uint32_t>(std::strtoul(digits.c_str(), nullptr, hex ? 16 : 10));
      if (cp < 0x80) {
        out += static_cast<char>(cp);
      } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
      } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
      } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
      }
    } else {
      out += s.substr(i, semi - i + 1);  // unknown: keep as is
    }
    i = semi;
  }
  return out;
}

// The position of the next element `<name` (followed by a space, '>' or '/') at or after `from`.
std::size_t find_element(std::string_view xml, std::string_view name, std::size_t from) {
  const std::string open = "<" + std::string(name);
  for (auto at = xml.find(open, from); at != std::string_view::npos; at = xml.find(open, at + 1)) {
    const auto next = at + open.size();
    if (next < xml.size() && (xml[next] == ' ' || xml[next] == '>' || xml[next] == '/')) return at;
  }
  return std::string_view::npos;
}

// The value of attribute `name` in a start tag, nullopt when absent.
std::optional<std::string> attribute(std::string_view tag, std::string_view name) {
  const std::string key = " " + std::string(name) + "=\"";
  const auto at = tag.find(key);
  if (at == std::string_view::npos) return std::nullopt;
  const auto start = at + key.size();
  const auto end = tag.find('"', start);
  if (end == std::string_view::npos) return std::nullopt;
  return unescape_xml(tag.substr(start, end - start));
}

// One element found by find_element: its start tag and its content ("" when self-closing).
struct Element {
  std::string_view tag;
  std::string_view content;
  bool self_closing = false;
  std::size_t end = 0;  // just past the element
};

Element element_at(std::string_view xml, std::string_view name, std::size_t at) {
  Element e;
  const auto gt = xml.find('>', at);
  if (gt == std::string_view::npos) {
    e.end = xml.size();
    return e;
  }
  e.tag = xml.substr(at, gt - at + 1);
  if (xml[gt - 1] == '/') {
    e.self_closing = true;
    e.end = gt + 1;
    return e;
  }
  const std::string close = "</" + std::string(name) + ">";
  const auto stop = xml.find(close, gt + 1);
  const auto content_end = stop == std::string_view::npos ? xml.size() : stop;
  e.content = xml.substr(gt + 1, content_end - gt - 1);
  e.end = stop == std::string_view::npos ? xml.size() : stop + close.size();
  return e;
}

// Every <name> element's content inside xml, concatenated (the runs of a rich string).
std::string texts_of(std::string_view xml, std::string_view name) {
  std::string out;
  for (auto at = find_element(xml, name, 0); at != std::string_view::npos;) {
    const auto e = element_at(xml, name, at);
    out += unescape_xml(e.content);
    at = find_element(xml, name, e.end);
  }
  return out;
}

// "B12" -> column 1 (0-based); "AA3" -> 26.
std::optional<std::size_t> column_of(std::string_view ref) {
  std::size_t col = 0;
  std::size_t letters = 0;
  while (letters < ref.size() && ref[letters] >= 'A' && ref[letters] <= 'Z') {
    col = col * 26 + static_cast<std::size_t>(ref[letters] - 'A' + 1);
    ++letters;
  }
  if (letters == 0) return std::nullopt;
  return col - 1;
}

}  // namespace

std::string to_string(XlsxCell::Type type) {
  switch (type) {
    case XlsxCell::Type::kEmpty:
      return "empty";
    case XlsxCell::Type::kSharedString:
      return "shared string";
    case XlsxCell::Type::kInlineString:
      return "inline string";
    case XlsxCell::Type::kNumber:
      return "number";
    case XlsxCell::Type::kBoolean:
      return "boolean";
    case XlsxCell::Type::kFormula:
      return "formula";
    case XlsxCell::Type::kError:
      return "error";
  }
  return "?";
}

void PrintTo(const XlsxCell& cell, std::ostream* os) {
  switch (cell.type) {
    case XlsxCell::Type::kEmpty:
      *os << "empty";
      return;
    case XlsxCell::Type::kSharedString:
      *os << "s\"" << cell.text << "\"";
      return;
    case XlsxCell::Type::kInlineString:
      *os << "i\"" << cell.text << "\"";
      return;
    case XlsxCell::Type::kNumber:
      *os << "n:" << cell.text;
      return;
    default:
      *os << to_string(cell.type) << ":" << cell.text;
  }
}

const XlsxCell& XlsxSheet::cell(std::size_t row, std::size_t col) const {
  static const XlsxCell kEmpty;
  if (row >= rows.size() || col >= rows[row].size()) return kEmpty;
  return rows[row][col];
}

std::vector<std::string> XlsxSheet::texts(std::size_t row, std::size_t width) const {
  const std::size_t n = width != 0 ? width : (row < rows.size() ? rows[row].size() : 0);
  std::vector<std::string> out;
  for (std::size_t c = 0; c < n; ++c) out.push_back(cell(row, c).text);
  return out;
}

std::optional<std::size_t> XlsxSheet::find_row(std::size_t col, const std::string& text) const {
  for (std::size_t r = 0; r < rows.size(); ++r) {
    if (!cell(r, col).empty() && cell(r, col).text == text) return r;
  }
  return std::nullopt;
}

XlsxSheet parse_xlsx_sheet(const std::string& sheet_xml, const std::string& shared_strings_xml,
                           const std::string& workbook_xml, int index) {
  XlsxSheet sheet;
  // The sheet's name: the index-th <sheet> of the workbook.
  int seen = 0;
  for (auto at = find_element(workbook_xml, "sheet", 0); at != std::string::npos;) {
    const auto e = element_at(workbook_xml, "sheet", at);
    if (++seen == index) {
      sheet.name = attribute(e.tag, "name").value_or("");
      break;
    }
    at = find_element(workbook_xml, "sheet", e.end);
  }
  std::vector<std::string> shared;
  for (auto at = find_element(shared_strings_xml, "si", 0); at != std::string::npos;) {
    const auto e = element_at(shared_strings_xml, "si", at);
    shared.push_back(texts_of(e.content, "t"));
    at = find_element(shared_strings_xml, "si", e.end);
  }
  const std::string_view xml(sheet_xml);
  const auto data_at = find_element(xml, "sheetData", 0);
  if (data_at == std::string_view::npos) return sheet;
  const auto data = element_at(xml, "sheetData", data_at).content;
  std::size_t next_row = 0;
  for (auto at = find_element(data, "row", 0); at != std::string_view::npos;) {
    const auto row = element_at(data, "row", at);
    at = find_element(data, "row", row.end);
    std::size_t r = next_row;
    if (auto ref = attribute(row.tag, "r")) r = std::stoul(*ref) - 1;
    next_row = r + 1;
    if (sheet.rows.size() <= r) sheet.rows.resize(r + 1);
    auto& cells = sheet.rows[r];
    std::size_t next_col = 0;
    for (auto c_at = find_element(row.content, "c", 0); c_at != std::string_view::npos;) {
      const auto c = element_at(row.content, "c", c_at);
      c_at = find_element(row.content, "c", c.end);
      std::size_t col = next_col;
      if (auto ref = attribute(c.tag, "r")) col = column_of(*ref).value_or(next_col);
      next_col = col + 1;
      XlsxCell cell;
      const auto t = attribute(c.tag, "t").value_or("n");
      const bool has_value = find_element(c.content, "v", 0) != std::string_view::npos;
      const auto value = texts_of(c.content, "v");
      if (find_element(c.content, "f", 0) != std::string_view::npos || t == "str") {
        cell = {XlsxCell::Type::kFormula, value};
      } else if (t == "s") {
        const auto i = has_value ? std::stoul(value) : shared.size();
        cell = {XlsxCell::Type::kSharedString, i < shared.size() ? shared[i] : "<bad index>"};
      } else if (t == "inlineStr") {
        cell = {XlsxCell::Type::kInlineString, texts_of(c.content, "t")};
      } else if (t == "b") {
        cell = {XlsxCell::Type::kBoolean, value};
      } else if (t == "e") {
        cell = {XlsxCell::Type::kError, value};
      } else if (has_value) {
        cell = {XlsxCell::Type::kNumber, value};
      }
      if (cell.empty()) continue;
      if (cells.size() <= col) cells.resize(col + 1);
      cells[col] = std::move(cell);
    }
  }
  return sheet;
}

XlsxSheet xlsx_sheet(const std::string& xlsx_bytes, int index) {
  TempFile f(xlsx_bytes, ".xlsx");
  auto part = [&](const std::string& name) {
    return run("unzip -p '" + f.path() + "' '" + name + "' 2>/dev/null");
  };
  return parse_xlsx_sheet(part("xl/worksheets/sheet" + std::to_string(index) + ".xml"),
                          part("xl/sharedStrings.xml"), part("xl/workbook.xml"), index);
}

}  // namespace civicloop::test
