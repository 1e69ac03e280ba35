// The bulletin (通报) as a PDF in the official document layout of GB/T 9704-2012
// (/work/shared/reference/official-documents.md; docs/architecture.md, "Bulletins"): A4, top
// margin 37 mm, left 28 mm, type area 156 × 225 mm; the issuing-office mark in red, the document
// number (发文字号) centred under it and the red separator 4 mm below; the title (二号, 22 pt) in
// Noto Serif CJK SC bold standing in for 小标宋 (Debian has no 小标宋: the substitution is
// stated in the architecture doc); addressees flush left; body text 三号 (16 pt) in Noto Serif
// CJK SC (the song face standing in for 仿宋, which fonts-noto-cjk lacks), two characters'
// first-line indent, level-1 headings "一、" in Noto Sans CJK SC (黑体); tables that break across
// pages with their header repeated; photos with captions; the signature and the date (2026年12月7
// 日) right, the seal mark over them only when approved; the imprint (版记) at the foot of the
// last page; page numbers "— 1 —" in 四号 under the type area, odd pages right, even pages left.
//
// Pure formatting: the caller gives every text already worded (reports/ holds no wording), the
// photos as JPEG bytes with their pixel size (thumbnails from the media store). Invalid UTF-8 is
// replaced and control characters dropped. Safe to call from several threads at once.
#pragma once

#include <string>
#include <vector>

namespace civicloop::reports {

struct BulletinTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;  // each as wide as the header
  // Each column's share of the type area's width (sums to 1); empty: equal shares.
  std::vector<double> shares;
};

struct BulletinPhoto {
  std::string jpeg;  // baseline JPEG bytes; empty: a framed blank with the label only
  int width = 0;     // pixels
  int height = 0;
  std::string label;  // 整改前 / 整改后
};

// One typical problem: a level-2 heading, its paragraph, and the photos side by side.
struct BulletinCase {
  std::string heading;  // （一）永泰路12号 路边堆放生活垃圾
  std::string text;     // the unit, the dates, what was done
  std::vector<BulletinPhoto> photos;
};

struct BulletinSection {
  std::string heading;  // "一、总体情况" (numbered by the caller)
  std::string text;     // paragraphs separated by '\n'
  std::vector<BulletinTable> tables;
  std::vector<BulletinCase> cases;
};

struct BulletinDoc {
  std::string issuer_mark;  // 发文机关标志, red: 平城区创建文明城市指挥部办公室
  std::string number;       // 平创通〔2026〕12号; a draft: its placeholder text
  std::string title;
  std::string addressees;  // "各责任单位：" (ends with its colon)
  std::vector<BulletinSection> sections;
  std::string signer;           // 署名
  std::string date;             // 成文日期, 2026年12月7日
  bool seal = false;            // the seal mark over signer and date (approved and published only)
  std::string draft_mark;       // e.g. 草稿, printed light across each page; empty: none
  std::string imprint_cc;       // 抄送：… (empty: no line)
  std::string imprint_printer;  // 印发机关 (left of the imprint's last line)
  std::string imprint_date;     // 印发日期 (right): 2026年12月7日印发
  std::string page_format;      // "— {page} —"
};

// The PDF bytes. Throws std::runtime_error when Cairo fails.
std::string render_bulletin_pdf(const BulletinDoc& doc);

}  // namespace civicloop::reports
