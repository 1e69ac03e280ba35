// Reading generated documents back as text, as a person would read them: PDF through pdftotext
// (poppler-utils) and Excel through the XML inside the .xlsx zip (unzip). Both tools are Debian
// packages that scripts/deps.sh installs.
#pragma once

#include <string>

namespace civicloop::test {

// The text of a PDF with all whitespace removed (layout spreads table cells with spaces).
std::string pdf_text(const std::string& pdf_bytes);
// The same in reading order (pdftotext -raw): the lines of a wrapped table cell come one after
// the other, so a long cell's text reads whole.
std::string pdf_reading_text(const std::string& pdf_bytes);
// The cells of every sheet of an .xlsx: shared strings, inline strings and numbers, as the XML
// holds them (search it; do not parse it).
std::string xlsx_text(const std::string& xlsx_bytes);

}  // namespace civicloop::test
