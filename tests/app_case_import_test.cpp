// The history import (issue 7, part 6) on SQLite and on PostgreSQL: the sample 12345 export
// (tests/fixtures/import_12345.csv, mapped by presets/pingcheng/import-mapping.sample.json) keeps
// its numbers, times and states; importing it again changes nothing; refused rows are in the
// report with their reasons; a mapping naming a category the tenant lacks writes nothing;
// `ledger replay --check` passes afterwards; .xlsx and GBK files read; a truncated file is a clear
// error naming the row, and running the whole file again finishes the job without duplicates;
// only the HQ administrator may import (use case and API).
#include <gtest/gtest.h>
#include <iconv.h>
#include <sodium.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#include "app/case_import.hpp"
#include "app/ledger_replay.hpp"
#include "http/errors.hpp"
#include "support/api_fixture.hpp"
#include "support/test_db.hpp"

namespace civicloop::test {
namespace {

namespace json = boost::json;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string source_file(const std::string& rel) {
  return read_file(std::string(CIVICLOOP_SOURCE_DIR) + "/" + rel);
}

std::string temp_path(const std::string& suffix) {
  const char* dir = std::getenv("TMPDIR");
  static int n = 0;
  return std::string(dir != nullptr && *dir != '\0' ? dir : "/tmp") + "/civicloop_import_" +
         std::to_string(getpid()) + "_" + std::to_string(++n) + suffix;
}

std::string write_temp(const std::string& bytes, const std::string& suffix) {
  auto p = temp_path(suffix);
  std::ofstream(p, std::ios::binary) << bytes;
  return p;
}

std::string to_gbk(const std::string& utf8) {
  iconv_t cd = iconv_open("GBK", "UTF-8");
  std::string out(utf8.size() * 2 + 16, '\0');
  char* in = const_cast<char*>(utf8.data());
  std::size_t in_left = utf8.size();
  char* o = out.data();
  std::size_t o_left = out.size();
  iconv(cd, &in, &in_left, &o, &o_left);
  iconv_close(cd);
  out.resize(out.size() - o_left);
  return out;
}

struct ImportRun {
  Status status = Ok{};
  app::ImportCounts counts;
  std::vector<app::RefusedRow> refused;
};

class CaseImport : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == kPostgresBackend && !pg_configured()) {
      if (pg_required()) FAIL() << "CIVICLOOP_REQUIRE_PG=1 but CIVICLOOP_TEST_PG is not set";
      GTEST_SKIP() << "PostgreSQL not configured: run under scripts/with-pg.sh";
    }
    server_ = std::make_unique<ApiServer>(GetParam());
    ASSERT_TRUE(server_->ready());
    mapping_text_ = source_file("presets/pingcheng/import-mapping.sample.json");
  }
  void TearDown() override {
    for (const auto& p : temps_) std::remove(p.c_str());
  }
  ApiServer& server() { return *server_; }

  app::ImportMapping mapping(const std::string& text) {
    auto m = app::parse_import_mapping(text);
    EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().code + " " + m.error().field);
    return m.ok() ? *m : app::ImportMapping{};
  }

  ImportRun run(const std::string& path, app::ImportFormat format, const app::ImportMapping& m,
                const access::Actor& actor) {
    app::CaseConfigCache cache(server().ctx());
    ImportRun out;
    app::ImportSink sink;
    sink.refused = [&](const app::RefusedRow& r) { out.refused.push_back(r); };
    out.status =
        app::import_cases(server().ctx(), cache, actor, {path, format, m}, sink, out.counts);
    return out;
  }
  ImportRun run_csv(const std::string& bytes, const app::ImportMapping& m) {
    temps_.push_back(write_temp(bytes, ".csv"));
    return run(temps_.back(), app::ImportFormat::kCsv, m, app::system_actor(1));
  }

  std::int64_t count(const std::string& sql) {
    auto lease = server().db().acquire();
    return lease->query(sql)[0].get_int(0);
  }
  std::int64_t cases() { return count("SELECT COUNT(*) FROM cases"); }
  std::int64_t import_events() {
    return count("SELECT COUNT(*) FROM ledger_events WHERE action = 'import'");
  }

  std::unique_ptr<ApiServer> server_;
  std::string mapping_text_;
  std::vector<std::string> temps_;
};

TEST_P(CaseImport, TheSampleKeepsNumbersTimesAndStatesAndAgainChangesNothing) {
  const auto m = mapping(mapping_text_);
  const auto csv = source_file("tests/fixtures/import_12345.csv");
  auto r = run_csv(csv, m);
  ASSERT_TRUE(r.status.ok()) << r.status.error().code;
  EXPECT_EQ(r.counts.read, 9);
  EXPECT_EQ(r.counts.written, 4);
  EXPECT_EQ(r.counts.skipped, 0);
  EXPECT_EQ(r.counts.refused, 5);
  EXPECT_EQ(cases(), 4);
  EXPECT_EQ(import_events(), 4);

  auto lease = std::make_optional(server().db().acquire());
  auto rows = (*lease)->query(
      "SELECT state, source, category_code, reported_at, dispatched_at, closed_at, "
      "community_id, subdistrict_id, assigned_unit_id, import_source, title, description, "
      "reporter_name, case_no FROM cases WHERE original_no = 'GD2024000101'");
  ASSERT_EQ(rows.size(), 1U);
  const auto& c = rows[0];
  EXPECT_EQ(c.get_text(0), "closed");
  EXPECT_EQ(c.get_text(1), "hotline");
  EXPECT_EQ(c.get_text(2), "0102");
  // 2024-03-05 08:30 in Pingcheng (+08:00) is 00:30 UTC.
  EXPECT_EQ(c.get_int(3), *parse_iso_utc("2024-03-05T00:30:00Z"));
  EXPECT_EQ(c.get_int(4), *parse_iso_utc("2024-03-05T01:10:00Z"));
  EXPECT_EQ(c.get_int(5), *parse_iso_utc("2024-03-06T09:45:00Z"));
  EXPECT_EQ(c.get_int(6), server().unit_id("140213050001"));  // 永泰北社区 by name
  EXPECT_EQ(c.get_int(7), server().unit_id("140213050"));
  EXPECT_FALSE(c.is_null(8));  // 区城市管理局
  EXPECT_EQ(c.get_text(9), "12345");
  EXPECT_EQ(c.get_text(10), "小区门口垃圾堆积");
  EXPECT_EQ(c.get_text(11), "永泰北社区东门外垃圾三天未清运，\"味道很大\"");
  EXPECT_EQ(c.get_text(12), "王女士");
  EXPECT_EQ(c.get_text(13).substr(0, 4), "2024");  // numbered in the year it was reported
  // A point: placed by the area index like a report, one branch.
  rows = (*lease)->query(
      "SELECT grid_id, source, title, state FROM cases WHERE original_no = 'GD2024000102'");
  ASSERT_EQ(rows.size(), 1U);
  EXPECT_EQ(rows[0].get_int(0), server().unit_id("140213050001-G1"));
  EXPECT_EQ(rows[0].get_text(1), "grid_patrol");
  EXPECT_EQ(rows[0].get_text(2), "乱堆物堆料");  // no title: the category's name
  rows = (*lease)->query("SELECT state, closed_at FROM cases WHERE original_no = 'GD2024000104'");
  ASSERT_EQ(rows.size(), 1U);
  EXPECT_EQ(rows[0].get_text(0), "reported");
  EXPECT_TRUE(rows[0].is_null(1));
  lease.reset();

  // The refused rows, each with its reason.
  std::vector<std::tuple<std::size_t, std::string, std::string>> refused;
  for (const auto& x : r.refused) refused.emplace_back(x.row, x.original_no, x.reason.code);
  const std::vector<std::tuple<std::size_t, std::string, std::string>> want = {
      {7, "GD2024000105", "import_row.unknown_category"},
      {8, "GD2024000106", "import_row.closed_before_reported"},
      {9, "GD2024000107", "import_row.bad_time"},
      {10, "GD2024000101", "import_row.duplicate_in_file"},
      {11, "GD2024000108", "import_row.outside_area"},
  };
  EXPECT_EQ(refused, want);
  EXPECT_EQ(http::message_of(r.refused[2].reason, http::Lang::kZh), "上报时间 不是可识别的时间");

  // The ledger rebuilds every imported case.
  auto replay = app::replay_check(server().ctx(), 1);
  EXPECT_TRUE(replay.ok()) << replay.problem_count << " "
                           << (replay.problems.empty() ? "" : replay.problems[0].kind);
  EXPECT_EQ(replay.cases, 4);

  // Again: nothing new, the four counted as already there, the same refusals.
  auto again = run_csv(csv, m);
  ASSERT_TRUE(again.status.ok());
  EXPECT_EQ(again.counts.written, 0);
  EXPECT_EQ(again.counts.skipped, 4);
  EXPECT_EQ(again.counts.refused, 5);
  EXPECT_EQ(cases(), 4);
  EXPECT_EQ(import_events(), 4);
  EXPECT_TRUE(app::replay_check(server().ctx(), 1).ok());
}

TEST_P(CaseImport, AMappingNamingACategoryTheTenantLacksWritesNothing) {
  auto text = mapping_text_;
  const auto at = text.find("\"0102\"");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 6, "\"9999\"");
  auto r = run_csv(source_file("tests/fixtures/import_12345.csv"), mapping(text));
  ASSERT_FALSE(r.status.ok());
  EXPECT_EQ(r.status.error().code, "import_mapping.unknown_category");
  EXPECT_EQ(r.counts.read, 0);
  EXPECT_EQ(cases(), 0);
  EXPECT_EQ(import_events(), 0);
}

TEST_P(CaseImport, ATruncatedFileIsAnErrorNamingTheRowAndARunAgainFinishesTheJob) {
  const auto m = mapping(mapping_text_);
  const auto csv = source_file("tests/fixtures/import_12345.csv");
  // Cut inside the quoted, two-line description of GD2024000103 (it begins on line 4).
  const auto cut = csv.find("电线杆上贴满小广告");
  ASSERT_NE(cut, std::string::npos);
  auto r = run_csv(csv.substr(0, cut + 6), m);
  ASSERT_FALSE(r.status.ok());
  EXPECT_EQ(r.status.error().code, "import.bad_csv");
  bool named = false;
  for (const auto& [k, v] : r.status.error().details) {
    if (k == "line") {
      named = true;
      EXPECT_EQ(v, "4");
    }
  }
  EXPECT_TRUE(named);
  EXPECT_EQ(cases(), 2);  // the whole rows before the cut
  // A row cut short outside quotes is refused, not taken in half.
  const auto line4 = csv.find("GD2024000104");
  auto short_row = run_csv(csv.substr(0, line4 + 30), m);
  ASSERT_TRUE(short_row.status.ok());
  ASSERT_FALSE(short_row.refused.empty());
  EXPECT_EQ(short_row.refused.back().reason.code, "import_row.short_row");
  EXPECT_EQ(cases(), 3);  // GD2024000103 now whole
  auto rest = run_csv(csv, m);
  ASSERT_TRUE(rest.status.ok());
  EXPECT_EQ(rest.counts.written, 1);
  EXPECT_EQ(rest.counts.skipped, 3);
  EXPECT_EQ(cases(), 4);
  EXPECT_EQ(import_events(), 4);
  EXPECT_TRUE(app::replay_check(server().ctx(), 1).ok());
}

TEST_P(CaseImport, AGbkFileReadsWhenTheMappingSaysSo) {
  const auto gbk = to_gbk(source_file("tests/fixtures/import_12345.csv").substr(3));
  auto as_utf8 = run_csv(gbk, mapping(mapping_text_));
  ASSERT_FALSE(as_utf8.status.ok());
  EXPECT_EQ(as_utf8.status.error().code, "import.bad_encoding");
  EXPECT_EQ(cases(), 0);
  auto text = mapping_text_;
  const auto at = text.find("\"utf-8\"");
  text.replace(at, 7, "\"gbk\"");
  auto r = run_csv(gbk, mapping(text));
  ASSERT_TRUE(r.status.ok()) << r.status.error().code;
  EXPECT_EQ(r.counts.written, 4);
  auto lease = server().db().acquire();
  EXPECT_EQ(
      lease->query("SELECT title FROM cases WHERE original_no = 'GD2024000101'")[0].get_text(0),
      "小区门口垃圾堆积");
}

TEST_P(CaseImport, AnXlsxSheetIsReadRowByRowDatesAsSerialNumbers) {
  const auto path = temp_path(".xlsx");
  temps_.push_back(path);
  {
    lxw_workbook* wb = workbook_new(path.c_str());
    lxw_worksheet* ws = workbook_add_worksheet(wb, "工单");
    lxw_format* date = workbook_add_format(wb);
    format_set_num_format(date, "yyyy-mm-dd hh:mm");
    const char* header[] = {"工单编号", "问题类型", "地址", "上报时间", "办结时间", "办理状态"};
    for (int i = 0; i < 6; ++i) worksheet_write_string(ws, 0, i, header[i], nullptr);
    worksheet_write_string(ws, 1, 0, "SZ-0001", nullptr);
    worksheet_write_string(ws, 1, 1, "暴露垃圾", nullptr);
    worksheet_write_string(ws, 1, 2, "永泰路5号", nullptr);
    lxw_datetime reported = {2024, 3, 5, 8, 30, 0};
    lxw_datetime closed = {2024, 3, 6, 17, 45, 0};
    worksheet_write_datetime(ws, 1, 3, &reported, date);
    worksheet_write_datetime(ws, 1, 4, &closed, date);
    worksheet_write_string(ws, 1, 5, "已办结", nullptr);
    // Row 3 left empty; row 4 written as text times, one refused.
    worksheet_write_string(ws, 3, 0, "SZ-0002", nullptr);
    worksheet_write_string(ws, 3, 1, "非法小广告", nullptr);
    worksheet_write_string(ws, 3, 2, "古城路1号", nullptr);
    worksheet_write_string(ws, 3, 3, "2024-04-01 10:00", nullptr);
    worksheet_write_string(ws, 3, 5, "已作废", nullptr);
    worksheet_write_string(ws, 4, 0, "SZ-0003", nullptr);
    worksheet_write_string(ws, 4, 1, "未知类别", nullptr);
    worksheet_write_string(ws, 4, 2, "古城路2号", nullptr);
    worksheet_write_string(ws, 4, 3, "2024-04-01 10:00", nullptr);
    worksheet_write_string(ws, 4, 5, "已办结", nullptr);
    ASSERT_EQ(workbook_close(wb), LXW_NO_ERROR);
  }
  auto text = mapping_text_;
  auto m = mapping(text);
  m.rules.columns = {
      {case_import::Field::kOriginalNo, "工单编号"}, {case_import::Field::kCategory, "问题类型"},
      {case_import::Field::kAddress, "地址"},        {case_import::Field::kReportedAt, "上报时间"},
      {case_import::Field::kClosedAt, "办结时间"},   {case_import::Field::kState, "办理状态"}};
  m.rules.source_name = "szcg";
  auto r = run(path, app::ImportFormat::kXlsx, m, app::system_actor(1));
  ASSERT_TRUE(r.status.ok()) << r.status.error().code;
  EXPECT_EQ(r.counts.read, 3);
  EXPECT_EQ(r.counts.written, 2);
  ASSERT_EQ(r.refused.size(), 1U);
  EXPECT_EQ(r.refused[0].row, 5U);  // the sheet's row number
  EXPECT_EQ(r.refused[0].reason.code, "import_row.unknown_category");
  auto lease = std::make_optional(server().db().acquire());
  auto rows = (*lease)->query(
      "SELECT reported_at, closed_at, import_source, source FROM cases WHERE original_no = "
      "'SZ-0001'");
  ASSERT_EQ(rows.size(), 1U);
  EXPECT_EQ(rows[0].get_int(0), *parse_iso_utc("2024-03-05T00:30:00Z"));
  EXPECT_EQ(rows[0].get_int(1), *parse_iso_utc("2024-03-06T09:45:00Z"));
  EXPECT_EQ(rows[0].get_text(2), "szcg");
  EXPECT_EQ(rows[0].get_text(3), "hotline");  // the mapping's default source
  lease.reset();
  EXPECT_TRUE(app::replay_check(server().ctx(), 1).ok());

  // The same workbook cut in half is no workbook.
  const auto bytes = read_file(path);
  const auto cut = write_temp(bytes.substr(0, bytes.size() / 2), ".xlsx");
  temps_.push_back(cut);
  auto broken = run(cut, app::ImportFormat::kXlsx, m, app::system_actor(1));
  ASSERT_FALSE(broken.status.ok());
  EXPECT_EQ(broken.status.error().code, "import.bad_xlsx");
}

TEST_P(CaseImport, OnlyTheHqAdministratorImports) {
  const auto m = mapping(mapping_text_);
  const auto path = write_temp(source_file("tests/fixtures/import_12345.csv"), ".csv");
  temps_.push_back(path);
  for (const auto role : access::all_roles()) {
    if (role == access::Role::kHqAdmin) continue;
    auto actor = app::system_actor(1);
    actor.role = role;
    actor.user_id = 5;
    auto r = run(path, app::ImportFormat::kCsv, m, actor);
    ASSERT_FALSE(r.status.ok()) << access::to_string(role);
    EXPECT_EQ(r.status.error().code, "auth.forbidden");
  }
  EXPECT_EQ(cases(), 0);

  // The API: 403 for the office, 202 for the administrator, then the job's counts and report.
  json::object body;
  body["file_name"] = "history.csv";
  const auto csv = source_file("tests/fixtures/import_12345.csv");
  std::string b64(sodium_base64_ENCODED_LEN(csv.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(b64.data(), b64.size(), reinterpret_cast<const unsigned char*>(csv.data()),
                    csv.size(), sodium_base64_VARIANT_ORIGINAL);
  b64.resize(std::strlen(b64.c_str()));
  body["file_base64"] = b64;
  body["mapping"] = json::parse(mapping_text_);
  const auto text = json::serialize(body);
  auto office = server().login("office");
  auto denied = office->request("POST", "/api/v1/imports", text);
  EXPECT_EQ(denied.status, 403) << denied.body;
  auto admin = server().login("admin");
  auto started = admin->request("POST", "/api/v1/imports", text);
  ASSERT_EQ(started.status, 202) << started.body;
  const auto v = parse(started);
  const auto id = std::to_string(v.at("import").at("id").as_int64());
  json::value job;
  for (int i = 0; i < 200; ++i) {
    job = parse(admin->request("GET", "/api/v1/imports/" + id));
    const auto state = std::string(job.at("import").at("state").as_string());
    if (state == "done" || state == "failed") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(job.at("import").at("state").as_string(), "done");
  EXPECT_EQ(job.at("import").at("written").as_int64(), 4);
  EXPECT_EQ(job.at("import").at("refused").as_int64(), 5);
  EXPECT_EQ(office->request("GET", "/api/v1/imports/" + id).status, 403);
  auto report = admin->request("GET", "/api/v1/imports/" + id + "/refused.csv");
  EXPECT_EQ(report.status, 200);
  EXPECT_NE(report.body.find("GD2024000105,import_row.unknown_category,问题类别不在映射中"),
            std::string::npos)
      << report.body;
  EXPECT_EQ(admin->request("GET", "/api/v1/imports/99").status, 404);
  // A mapping naming a category the tenant lacks: 400 at once, nothing queued.
  auto bad = mapping_text_;
  bad.replace(bad.find("\"0102\""), 6, "\"9999\"");
  body["mapping"] = json::parse(bad);
  auto refused = admin->request("POST", "/api/v1/imports", json::serialize(body));
  EXPECT_EQ(refused.status, 400);
  EXPECT_EQ(error_code(refused), "import_mapping.unknown_category");
  EXPECT_EQ(cases(), 4);
}

INSTANTIATE_TEST_SUITE_P(Backends, CaseImport, ::testing::ValuesIn(test_backends()), backend_name);

}  // namespace
}  // namespace civicloop::test
