// Documents in the official layout (公文, GB/T 9704-2012; /work/shared reference
// "official-documents"): A4, top margin 37 mm, left 28 mm, type area 156 × 225 mm; the issuing
// office's mark in red, the document number, the red separator, the title (二号, 22 pt, bold song
// face), headings (三号黑体), body text (三号, the song face for 仿宋, which Debian's fonts do not
// cover for simplified Chinese: said in docs/architecture.md), tables whose header repeats on each
// page, the issuer and date at the end, page numbers "— 1 —" under the type area, odd pages
// right and even pages left. The meeting minutes (reports/minutes_pdf.hpp) are laid out with it;
// bulletins can be.
//
// Pure formatting: every text is given already worded (no defaults); invalid UTF-8 is replaced
// and control characters dropped. Safe to call from several threads at once.
#pragma once

#include <string>
#include <vector>

namespace civicloop::reports {

struct DocTable {
  std::vector<std::string> header;
  std::vector<double> widths;  // relative column widths, one per header cell
  struct Cell {
    std::string text;
    bool red = false;  // e.g. an overdue state
  };
  std::vector<std::vector<Cell>> rows;
  std::string none;  // the table without rows: （无）
};

struct DocBlock {
  enum class Kind { kHeading, kParagraph, kLine, kTable };
  Kind kind = Kind::kParagraph;
  std::string text;  // heading, paragraph (first line indented two characters) or line (flush)
  DocTable table;
};

struct OfficialDoc {
  std::string issuer;  // the red mark, "平城区创建全国文明城市指挥部办公室"
  std::string number;  // "平创办纪〔2026〕3号"; none: no number line
  std::string title;
  std::vector<DocBlock> blocks;
  std::string signature;  // the issuing office's name at the end
  std::string date;       // 成文日期, "2026年12月3日"
  std::string page;       // the page number's wording, "— {page} —"
};

// The PDF bytes; std::runtime_error when Cairo fails.
std::string render_official_pdf(const OfficialDoc& doc);

}  // namespace civicloop::reports
