// Reading generated documents back as text, as a person would read them: PDF through pdftotext
// (poppler-utils) and Excel through the XML inside the .xlsx zip (unzip). Both tools are Debian
// packages that scripts/deps.sh installs.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace civicloop::test {

// The text of a PDF with all whitespace removed (layout spreads table cells with spaces).
std::string pdf_text(const std::string& pdf_bytes);
// The same in reading order (pdftotext -raw): the lines of a wrapped table cell come one after
// the other, so a long cell's text reads whole.
std::string pdf_reading_text(const std::string& pdf_bytes);
// The cells of every sheet of an .xlsx: shared strings, inline strings and numbers, as the XML
// holds them (search it; do not parse it).
std::string xlsx_text(const std::string& xlsx_bytes);

// One cell of a worksheet as the XML stores it: its type and its text (a number as written).
struct XlsxCell {
  enum class Type {
    kEmpty,         // no <c> element, or one without a value
    kSharedString,  // t="s": an index into xl/sharedStrings.xml (resolved into text)
    kInlineString,  // t="inlineStr": <is><t>...</t></is>
    kNumber,        // t="n" or no t: <v>number</v>
    kBoolean,       // t="b"
    kFormula,       // anything with an <f>, or t="str" (a formula's string result)
    kError,         // t="e"
  };
  Type type = Type::kEmpty;
  std::string text;

  bool is_text() const { return type == Type::kSharedString || type == Type::kInlineString; }
  bool is_number() const { return type == Type::kNumber; }
  bool empty() const { return type == Type::kEmpty; }
  bool operator==(const XlsxCell&) const = default;
};
std::string to_string(XlsxCell::Type type);
// gtest prints a cell as s"text", i"text", n:12, empty, ...
void PrintTo(const XlsxCell& cell, std::ostream* os);

struct XlsxSheet {
  std::string name;  // as xl/workbook.xml names it
  // rows[r][c], both 0-based (A1 is rows[0][0]); a row is as long as its last non-empty cell, and
  // rows missing from the XML are empty.
  std::vector<std::vector<XlsxCell>> rows;

  // The cell at (row, col), an empty one outside the data.
  const XlsxCell& cell(std::size_t row, std::size_t col) const;
  // The texts of a row's cells (numbers as written, empty cells as ""), as wide as `width` when
  // given (0: the row's own width).
  std::vector<std::string> texts(std::size_t row, std::size_t width = 0) const;
  // The index of the first row whose cell in `col` has this text; nullopt when none has.
  std::optional<std::size_t> find_row(std::size_t col, const std::string& text) const;
};

// Reads worksheet number `index` (1-based: xl/worksheets/sheet1.xml) of an .xlsx through `unzip -p`
// and resolves its shared strings. A workbook that cannot be read gives a sheet without rows.
XlsxSheet xlsx_sheet(const std::string& xlsx_bytes, int index = 1);
// The same from the XML parts themselves (for tests of the reader).
XlsxSheet parse_xlsx_sheet(const std::string& sheet_xml, const std::string& shared_strings_xml,
                           const std::string& workbook_xml, int index = 1);

}  // namespace civicloop::test
