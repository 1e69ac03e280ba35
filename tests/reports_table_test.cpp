// Excel workbooks read back cell by cell: the reader of tests/support/documents.hpp on XML whose
// cells are known, and reports::to_xlsx through it (text stays text, number columns are numbers).
#include "reports/table.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/documents.hpp"

namespace civicloop::test {
namespace {

using Type = XlsxCell::Type;

TEST(XlsxReader, ReadsSharedAndInlineStringsNumbersAndGapsByReference) {
  const std::string shared =
      R"(<?xml version="1.0" encoding="UTF-8"?><sst count="3" uniqueCount="3">)"
      R"(<si><t>问题编号</t></si><si><t xml:space="preserve"> a &amp; b &lt;c&gt; </t></si>)"
      R"(<si><r><t>富</t></r><r><rPr><b/></rPr><t>文本</t></r></si></sst>)";
  const std::string workbook =
      R"(<workbook><sheets><sheet name="第一" sheetId="1" r:id="rId1"/>)"
      R"(<sheet name="Second &amp; last" sheetId="2" r:id="rId2"/></sheets></workbook>)";
  const std::string sheet_xml =
      R"(<worksheet><cols><col min="1" max="1" width="9"/></cols><sheetData>)"
      R"(<row r="1"><c r="A1" s="1" t="s"><v>0</v></c><c r="C1" t="s"><v>1</v></c></row>)"
      R"(<row r="3" spans="1:4"><c r="A3" t="inlineStr"><is><t>&#x6574;&#25913;</t></is></c>)"
      R"(<c r="B3"><v>12</v></c><c r="C3" t="n"><v>-0.5</v></c><c r="D3" s="2"/>)"
      R"(<c r="E3" t="s"><v>2</v></c><c r="F3"><f>SUM(B3:C3)</f><v>11.5</v></c>)"
      R"(<c r="G3" t="b"><v>1</v></c><c r="AA3" t="str"><f>A3</f><v>整改</v></c></row>)"
      R"(</sheetData></worksheet>)";
  const auto s = parse_xlsx_sheet(sheet_xml, shared, workbook, 1);
  EXPECT_EQ(s.name, "第一");
  ASSERT_EQ(s.rows.size(), 3u);
  EXPECT_EQ(s.cell(0, 0), (XlsxCell{Type::kSharedString, "问题编号"}));
  EXPECT_EQ(s.cell(0, 1), XlsxCell{});  // B1 is not in the XML
  EXPECT_EQ(s.cell(0, 2), (XlsxCell{Type::kSharedString, " a & b <c> "}));
  EXPECT_TRUE(s.rows[1].empty());  // row 2 is not in the XML
  EXPECT_EQ(s.cell(2, 0), (XlsxCell{Type::kInlineString, "整改"}));
  EXPECT_EQ(s.cell(2, 1), (XlsxCell{Type::kNumber, "12"}));
  EXPECT_EQ(s.cell(2, 2), (XlsxCell{Type::kNumber, "-0.5"}));
  EXPECT_TRUE(s.cell(2, 3).empty());  // styled, no value
  EXPECT_EQ(s.cell(2, 4), (XlsxCell{Type::kSharedString, "富文本"}));
  EXPECT_EQ(s.cell(2, 5), (XlsxCell{Type::kFormula, "11.5"}));
  EXPECT_EQ(s.cell(2, 6), (XlsxCell{Type::kBoolean, "1"}));
  EXPECT_EQ(s.cell(2, 26), (XlsxCell{Type::kFormula, "整改"}));
  EXPECT_EQ(s.rows[2].size(), 27u);
  EXPECT_EQ(s.cell(9, 9), XlsxCell{});
  EXPECT_EQ(s.texts(2, 3), (std::vector<std::string>{"整改", "12", "-0.5"}));
  EXPECT_EQ(s.find_row(0, "整改"), 2u);
  EXPECT_EQ(s.find_row(0, "nothing"), std::nullopt);
  EXPECT_EQ(parse_xlsx_sheet(sheet_xml, shared, workbook, 2).name, "Second & last");
}

TEST(XlsxReader, AnUnreadableWorkbookHasNoRows) {
  const auto s = xlsx_sheet("PK\x03\x04 not really a zip");
  EXPECT_TRUE(s.rows.empty());
  EXPECT_EQ(s.name, "");
}

TEST(ToXlsx, WritesTheHeaderAndEveryCellAsTextButTheNumberColumns) {
  const auto bytes = reports::to_xlsx("问题清单", {"编号", "标题", "返工次数", "金额"},
                                      {{"2026000123", "=HYPERLINK(\"http://x\")", "3", "12.50"},
                                       {"007", "", "", "-4"},
                                       {"2026000124", "<&>\"'", "三次", "1e5"},
                                       {"x", "y", "1234567890123456", "0.5"}},
                                      {2, 3});
  const auto s = xlsx_sheet(bytes);
  EXPECT_EQ(s.name, "问题清单");
  ASSERT_EQ(s.rows.size(), 5u);
  EXPECT_EQ(s.texts(0), (std::vector<std::string>{"编号", "标题", "返工次数", "金额"}));
  for (std::size_t c = 0; c < 4; ++c) EXPECT_TRUE(s.cell(0, c).is_text()) << c;

  // Digits outside a number column stay text (case numbers, codes with leading zeros).
  EXPECT_TRUE(s.cell(1, 0).is_text());
  EXPECT_EQ(s.cell(1, 0).text, "2026000123");
  EXPECT_TRUE(s.cell(2, 0).is_text());
  EXPECT_EQ(s.cell(2, 0).text, "007");
  // A formula-looking title is a string, never a formula.
  EXPECT_TRUE(s.cell(1, 1).is_text());
  EXPECT_EQ(s.cell(1, 1).text, "=HYPERLINK(\"http://x\")");
  EXPECT_EQ(s.cell(3, 1).text, "<&>\"'");
  EXPECT_TRUE(s.cell(2, 1).empty());

  // Number columns: plain decimals are numbers; the rest stays text; empty stays empty.
  EXPECT_EQ(s.cell(1, 2), (XlsxCell{Type::kNumber, "3"}));
  EXPECT_EQ(s.cell(1, 3), (XlsxCell{Type::kNumber, "12.5"}));
  EXPECT_TRUE(s.cell(2, 2).empty());
  EXPECT_EQ(s.cell(2, 3), (XlsxCell{Type::kNumber, "-4"}));
  EXPECT_TRUE(s.cell(3, 2).is_text());
  EXPECT_EQ(s.cell(3, 2).text, "三次");
  EXPECT_TRUE(s.cell(3, 3).is_text()) << "1e5 is not a plain decimal";
  EXPECT_TRUE(s.cell(4, 2).is_text()) << "16 digits do not fit a double exactly";
  EXPECT_EQ(s.cell(4, 2).text, "1234567890123456");
  EXPECT_EQ(s.cell(4, 3), (XlsxCell{Type::kNumber, "0.5"}));
}

TEST(ToXlsx, AnEmptyTableIsTheHeaderAlone) {
  const auto s = xlsx_sheet(reports::to_xlsx("责任清单", {"责任单位", "在办问题"}, {}, {1}));
  EXPECT_EQ(s.name, "责任清单");
  ASSERT_EQ(s.rows.size(), 1u);
  EXPECT_EQ(s.texts(0), (std::vector<std::string>{"责任单位", "在办问题"}));
}

}  // namespace
}  // namespace civicloop::test
