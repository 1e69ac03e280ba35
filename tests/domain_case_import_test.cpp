// The history import's rules (domain/case_import.hpp) and its stream readers: times as old
// systems write them, each refusal reason, the mapping's checks, and CSV read across buffer edges.
#include <gtest/gtest.h>

#include "domain/case_import.hpp"
#include "reports/csv_reader.hpp"

namespace civicloop {
namespace {

using case_import::Field;

Millis utc(const char* iso) { return *parse_iso_utc(iso); }

TEST(CaseImportTime, ReadsTheWaysOldSystemsWriteALocalTime) {
  const int cst = 480;
  const auto want = utc("2024-03-05T06:20:00Z");
  EXPECT_EQ(case_import::parse_local_time("2024-03-05 14:20:00", cst), want);
  EXPECT_EQ(case_import::parse_local_time("2024-03-05 14:20", cst), want);
  EXPECT_EQ(case_import::parse_local_time("2024/3/5 14:20", cst), want);
  EXPECT_EQ(case_import::parse_local_time("2024-03-05T14:20:00", cst), want);
  EXPECT_EQ(case_import::parse_local_time("2024.03.05 14:20", cst), want);
  EXPECT_EQ(case_import::parse_local_time("2024年3月5日 14:20", cst), want);
  EXPECT_EQ(case_import::parse_local_time(" 2024-03-05 14:20:00.500 ", cst), want + 500);
  EXPECT_EQ(case_import::parse_local_time("2024-03-05T06:20:00Z", cst), want);
  EXPECT_EQ(case_import::parse_local_time("2024-03-05 15:20:00+09:00", cst), want);
  EXPECT_EQ(case_import::parse_local_time("2024-03-05", cst), utc("2024-03-04T16:00:00Z"));
  EXPECT_EQ(case_import::parse_local_time("2024-03-05 14:20", 0), utc("2024-03-05T14:20:00Z"));
  // Excel's serial day: 45356 is 2024-03-05, .5 noon.
  EXPECT_EQ(case_import::parse_local_time("45356.5", cst), utc("2024-03-05T04:00:00Z"));
  for (const char* bad : {"", "2024-13-01 10:00", "2024-02-30", "2023-02-29", "2024-03-05 24:00",
                          "2024-03-05 10:60", "05/03/2024", "2024-03-05 14:20 下午", "20240305",
                          "2024", "yesterday", "2024-03-05T14:20+25:00", "2024-3/5"}) {
    EXPECT_FALSE(case_import::parse_local_time(bad, cst).has_value()) << bad;
  }
  EXPECT_EQ(case_import::parse_local_time("2024-02-29", cst), utc("2024-02-28T16:00:00Z"));
}

case_import::Mapping sample() {
  case_import::Mapping m;
  m.source_name = "12345";
  m.columns = {{Field::kOriginalNo, "编号"}, {Field::kCategory, "类别"},
               {Field::kReportedAt, "上报"}, {Field::kClosedAt, "结案"},
               {Field::kState, "状态"},      {Field::kAddress, "地址"},
               {Field::kLat, "纬度"},        {Field::kLng, "经度"}};
  m.default_source = cases::Source::kHotline;
  m.categories = {{"暴露垃圾", "0102"}};
  m.states = {{"已办结", cases::State::kClosed}, {"待受理", cases::State::kReported}};
  return m;
}

const std::vector<std::string> kHeader = {"编号", "类别", "上报", "结案",
                                          "状态", "地址", "纬度", "经度"};

std::string refusal(const std::vector<std::string>& cells) {
  const auto m = sample();
  auto h = case_import::bind_header(m, kHeader);
  EXPECT_TRUE(h.ok());
  auto r = case_import::map_row(m, *h, cells);
  return r.ok() ? "" : r.error().code + "/" + r.error().field;
}

TEST(CaseImportRow, MapsAGoodRow) {
  const auto m = sample();
  auto h = case_import::bind_header(m, kHeader);
  ASSERT_TRUE(h.ok());
  auto r = case_import::map_row(
      m, *h,
      {" A1 ", "暴露垃圾", "2024-03-05 08:30", "2024-03-06 17:45", "已办结", "永泰路1号", "", ""});
  ASSERT_TRUE(r.ok()) << r.error().code;
  EXPECT_EQ(r->original_no, "A1");
  EXPECT_EQ(r->category_code, "0102");
  EXPECT_EQ(r->state, cases::State::kClosed);
  EXPECT_EQ(r->source, cases::Source::kHotline);
  EXPECT_EQ(r->reported_at, utc("2024-03-05T00:30:00Z"));
  EXPECT_EQ(r->closed_at, utc("2024-03-06T09:45:00Z"));
  EXPECT_FALSE(r->lat.has_value());
}

TEST(CaseImportRow, EachRefusalNamesItsReasonAndField) {
  const std::string t = "2024-03-05 08:30";
  const std::string c = "2024-03-06 08:30";
  EXPECT_EQ(refusal({"", "暴露垃圾", t, c, "已办结", "路", "", ""}),
            "import_row.missing_value/original_no");
  EXPECT_EQ(refusal({"A", "噪音", t, c, "已办结", "路", "", ""}),
            "import_row.unknown_category/category");
  EXPECT_EQ(refusal({"A", "暴露垃圾", "2024-13-01", c, "已办结", "路", "", ""}),
            "import_row.bad_time/reported_at");
  EXPECT_EQ(refusal({"A", "暴露垃圾", "", c, "已办结", "路", "", ""}),
            "import_row.missing_value/reported_at");
  EXPECT_EQ(refusal({"A", "暴露垃圾", c, t, "已办结", "路", "", ""}),
            "import_row.closed_before_reported/closed_at");
  EXPECT_EQ(refusal({"A", "暴露垃圾", t, "", "已办结", "路", "", ""}),
            "import_row.closed_without_time/closed_at");
  EXPECT_EQ(refusal({"A", "暴露垃圾", t, c, "挂起", "路", "", ""}),
            "import_row.unknown_state/state");
  EXPECT_EQ(refusal({"A", "暴露垃圾", t, c, "已办结", "路", "91", "113"}),
            "import_row.bad_location/lat");
  EXPECT_EQ(refusal({"A", "暴露垃圾", t, c, "已办结", "路", "40.1", "x"}),
            "import_row.bad_location/lng");
  EXPECT_EQ(refusal({"A", "暴露垃圾", t, c, "已办结", "路", "0", "0"}),
            "import_row.bad_location/lat");
  EXPECT_EQ(refusal({"A", "暴露垃圾", t, c, "已办结", "", "", ""}),
            "import_row.no_location/address");
  EXPECT_EQ(refusal({"A", "暴露垃圾", t, c, "已办结", std::string(201, 'x'), "", ""}),
            "import_row.too_long/address");
  EXPECT_EQ(refusal({"A\xff", "暴露垃圾", t, c, "已办结", "路", "", ""}),
            "import_row.bad_text/original_no");
  // An open case keeps no closing time; a point alone is a location.
  EXPECT_EQ(refusal({"A", "暴露垃圾", t, c, "待受理", "", "40.03", "113.34"}), "");
}

TEST(CaseImportMapping, IsCheckedWhole) {
  auto m = sample();
  EXPECT_TRUE(case_import::check_mapping(m).ok());
  auto bad = m;
  bad.source_name = "有空格 的名字";
  EXPECT_EQ(case_import::check_mapping(bad).error().field, "source_name");
  bad = m;
  bad.columns.erase(Field::kReportedAt);
  EXPECT_EQ(case_import::check_mapping(bad).error().code, "import_mapping.missing_column");
  bad = m;
  bad.default_source.reset();
  EXPECT_EQ(case_import::check_mapping(bad).error().code, "import_mapping.missing_default");
  bad = m;
  bad.states["在办"] = cases::State::kDispatched;
  EXPECT_EQ(case_import::check_mapping(bad).error().code, "import_mapping.unsupported_state");
  bad = m;
  bad.columns.erase(Field::kLng);
  EXPECT_EQ(case_import::check_mapping(bad).error().field, "lng");
  auto h = case_import::bind_header(m, {"编号", "类别"});
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.error().code, "import.missing_column");
}

// A source that hands out one byte at a time: every quote, CRLF and BOM straddles a refill.
class Trickle : public reports::ByteSource {
 public:
  explicit Trickle(std::string s) : s_(std::move(s)) {}
  std::size_t read(char* buf, std::size_t n) override {
    if (i_ >= s_.size() || n == 0) return 0;
    buf[0] = s_[i_++];
    return 1;
  }

 private:
  std::string s_;
  std::size_t i_ = 0;
};

TEST(CsvReader, ReadsRecordsAcrossEveryBufferEdge) {
  const std::string text =
      "\xEF\xBB\xBF"
      "a,b\r\n\"x,\"\"y\"\"\",\"two\nlines\"\r\n\r\nlast,\n";
  reports::CsvReader r(std::make_unique<Trickle>(text));
  std::vector<std::string> row;
  ASSERT_TRUE(r.next(row));
  EXPECT_EQ(row, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(r.row_line(), 1U);
  ASSERT_TRUE(r.next(row));
  EXPECT_EQ(row, (std::vector<std::string>{"x,\"y\"", "two\nlines"}));
  EXPECT_EQ(r.row_line(), 2U);
  ASSERT_TRUE(r.next(row));
  EXPECT_EQ(row, (std::vector<std::string>{"last", ""}));
  EXPECT_EQ(r.row_line(), 5U);
  EXPECT_FALSE(r.next(row));
  EXPECT_FALSE(r.error().has_value());
  EXPECT_EQ(r.bytes_read(), text.size());
  // The whole-text parser is the same reader.
  reports::CsvError e;
  EXPECT_FALSE(reports::parse_csv("a\n\"open", &e).has_value());
  EXPECT_EQ(e.reason, "unterminated_quote");
  EXPECT_EQ(e.line, 2U);
  EXPECT_FALSE(reports::parse_csv("a\"b\"", &e).has_value());
  EXPECT_EQ(e.reason, "bad_quote");
}

TEST(CsvReader, ConvertsGbkAndRefusesBytesThatAreNoCharacter) {
  // 你好,世界 in GBK, split so that a character straddles reads.
  const std::string gbk = "\xC4\xE3\xBA\xC3,\xCA\xC0\xBD\xE7\n";
  auto src = reports::converting_source(std::make_unique<Trickle>(gbk), "GBK");
  ASSERT_NE(src, nullptr);
  reports::CsvReader r(std::move(src));
  std::vector<std::string> row;
  ASSERT_TRUE(r.next(row));
  EXPECT_EQ(row, (std::vector<std::string>{"你好", "世界"}));
  reports::CsvReader bad(
      reports::converting_source(std::make_unique<Trickle>(std::string("ok\n\xC4,x\n")), "GBK"));
  EXPECT_TRUE(bad.next(row));
  EXPECT_FALSE(bad.next(row));
  ASSERT_TRUE(bad.error().has_value());
  EXPECT_EQ(bad.error()->reason, "invalid_encoding");
  EXPECT_EQ(reports::converting_source(std::make_unique<Trickle>(""), "NO-SUCH-CODE"), nullptr);
}

}  // namespace
}  // namespace civicloop
