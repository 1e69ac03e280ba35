// The three leaks found from outside, reproduced through the real server: a notice that batches
// cases of two places showed all of them to a viewer of one; the duplicate hints of a new report
// listed cases the reporter may not see; a citizen's own case showed the office's internal
// history. Each test failed on the code before the fix.
#include <gtest/gtest.h>

#include <sstream>

#include "support/api_fixture.hpp"
#include "support/documents.hpp"

namespace civicloop::test {
namespace {

namespace json = boost::json;

constexpr const char* kYongtaiGrid = "140213050001-G1";  // 永泰街道, where `unit` and `grid` work
constexpr const char* kGuchengGrid = "140213051001-G1";  // 古城街道, another subdistrict

class ScopeLeaks : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new ApiServer("sqlite");
    // An operator of 古城街道, the other place.
    auto admin = server_->login("admin");
    auto r =
        admin->request("POST", "/api/v1/users",
                       R"({"username":"gucheng","password":"Demo@2026","role":"unit_operator",)"
                       R"("display_name":"古城街道操作员","unit_id":)" +
                           std::to_string(server_->unit_id("140213051")) + "}");
    ASSERT_EQ(r.status, 201) << r.body;
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static ApiServer& server() { return *server_; }
  static inline ApiServer* server_ = nullptr;

  static std::pair<double, double> centre_of(const std::string& grid_code) {
    auto c = server().login("admin");
    auto r = c->request("GET", "/api/v1/org/units/" + std::to_string(server().unit_id(grid_code)));
    const auto v = parse(r);
    return point_inside(v.at("unit").at("boundary"));
  }

  static HttpResponse report_at(TestClient& c, const std::string& grid_code,
                                const std::string& description,
                                const std::string& category = "0102") {
    const auto [lat, lng] = centre_of(grid_code);
    std::ostringstream body;
    body.precision(10);
    body << R"({"category":")" << category << R"(","description":")" << description
         << R"(","address":"测试地址","lat":)" << lat << R"(,"lng":)" << lng << "}";
    return c.request("POST", "/api/v1/cases", body.str());
  }

  static std::int64_t reported(TestClient& c, const std::string& grid_code,
                               const std::string& description) {
    auto r = report_at(c, grid_code, description);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? parse(r).at("case").at("id").as_int64() : 0;
  }

  static std::string case_no(std::int64_t id) {
    auto r = server().login("admin")->request("GET", "/api/v1/cases/" + std::to_string(id));
    return std::string(parse(r).at("case").at("case_no").as_string());
  }

  static void file(TestClient& office, std::int64_t id, const std::string& note = "") {
    auto r = office.request("POST", "/api/v1/cases/" + std::to_string(id) + "/transitions",
                            R"({"action":"file","note":")" + note + R"("})");
    ASSERT_EQ(r.status, 200) << r.body;
  }

  static std::int64_t notice_of(TestClient& office, const std::vector<std::int64_t>& ids,
                                const std::string& unit_code) {
    std::string list;
    for (const auto id : ids) list += (list.empty() ? "" : ",") + std::to_string(id);
    auto r = office.request("POST", "/api/v1/notices",
                            R"({"case_ids":[)" + list + R"(],"unit_id":)" +
                                std::to_string(server().unit_id(unit_code)) +
                                R"(,"requirement":"限期整改"})");
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? parse(r).at("id").as_int64() : 0;
  }
};

TEST_F(ScopeLeaks, ANoticeAcrossTwoSubdistrictsShowsEachViewerOnlyHisCases) {
  auto grid = server().login("grid");
  auto office = server().login("office");
  const auto here = reported(*grid, kYongtaiGrid, "永泰路边垃圾堆放");
  const auto there = reported(*office, kGuchengGrid, "古城内部问题描述甲乙丙");
  file(*office, here);
  file(*office, there);
  // The city management bureau answers for both; the office batches them under one notice.
  const auto notice = notice_of(*office, {here, there}, "DEPT01");
  ASSERT_NE(notice, 0);
  const auto there_no = case_no(there);
  const auto here_no = case_no(here);

  auto unit = server().login("unit");  // 永泰街道: sees `here` by its place, not `there`
  auto detail = unit->request("GET", "/api/v1/notices/" + std::to_string(notice));
  ASSERT_EQ(detail.status, 200) << detail.body;
  const auto v = parse(detail);
  ASSERT_EQ(v.at("cases").as_array().size(), 1u) << detail.body;
  EXPECT_EQ(v.at("cases").at(0).at("id").as_int64(), here);
  EXPECT_EQ(v.at("case_ids").as_array().size(), 1u);
  EXPECT_EQ(detail.body.find("古城内部问题描述"), std::string::npos);
  EXPECT_EQ(detail.body.find(there_no), std::string::npos);

  auto pdf = unit->request("GET", "/api/v1/notices/" + std::to_string(notice) + ".pdf");
  ASSERT_EQ(pdf.status, 200);
  const auto text = pdf_text(pdf.body);
  EXPECT_NE(text.find(here_no), std::string::npos) << text;
  EXPECT_EQ(text.find(there_no), std::string::npos) << text;
  EXPECT_EQ(text.find("古城内部问题描述"), std::string::npos) << text;

  // The other subdistrict's operator sees the other half.
  auto gucheng = server().login("gucheng");
  auto theirs = parse(gucheng->request("GET", "/api/v1/notices/" + std::to_string(notice)));
  ASSERT_EQ(theirs.at("cases").as_array().size(), 1u);
  EXPECT_EQ(theirs.at("cases").at(0).at("id").as_int64(), there);

  // The office, whose scope is the district, sees both.
  auto all = parse(office->request("GET", "/api/v1/notices/" + std::to_string(notice)));
  EXPECT_EQ(all.at("cases").as_array().size(), 2u);

  // The case view embeds its notice with the viewer's case ids only.
  auto view = parse(unit->request("GET", "/api/v1/cases/" + std::to_string(here)));
  ASSERT_TRUE(view.at("notice").is_object());
  EXPECT_EQ(view.at("notice").at("case_ids").as_array().size(), 1u);
}

TEST_F(ScopeLeaks, ACitizenSeesNoNoticeEvenOfHisOwnCase) {
  auto citizen = server().login("citizen");
  auto grid = server().login("grid");
  auto office = server().login("office");
  const auto own = reported(*citizen, kYongtaiGrid, "我发现的问题");
  const auto internal = reported(*grid, kYongtaiGrid, "网格员内部记录的问题");
  file(*office, own);
  file(*office, internal);
  const auto notice = notice_of(*office, {own, internal}, "140213050");
  ASSERT_NE(notice, 0);
  for (const std::string suffix : {"", ".pdf"}) {
    auto r = citizen->request("GET", "/api/v1/notices/" + std::to_string(notice) + suffix);
    EXPECT_EQ(r.status, 403) << suffix << " " << r.body;
    EXPECT_EQ(r.body.find("网格员内部记录"), std::string::npos);
  }
  EXPECT_EQ(citizen->request("GET", "/api/v1/notices").status, 403);
  auto view = citizen->request("GET", "/api/v1/cases/" + std::to_string(own));
  ASSERT_EQ(view.status, 200) << view.body;
  EXPECT_TRUE(parse(view).at("notice").is_null());
  EXPECT_TRUE(parse(view).at("case").at("notice_id").is_null());
}

TEST_F(ScopeLeaks, DuplicateHintsHoldOnlyWhatTheReporterMaySee) {
  auto office = server().login("office");
  // An open case at a point of 古城街道, reported by the office with internal wording.
  const auto original = reported(*office, kGuchengGrid, "内部核查线索甲");
  ASSERT_NE(original, 0);

  // A citizen reporting at the same point learns only that a similar problem is being handled.
  auto citizen = server().login("citizen");
  auto mine = report_at(*citizen, kGuchengGrid, "这里有垃圾");
  ASSERT_EQ(mine.status, 201) << mine.body;
  auto v = parse(mine);
  EXPECT_TRUE(v.at("possible_duplicates").as_array().empty()) << mine.body;
  EXPECT_TRUE(v.at("similar_in_progress").as_bool());
  EXPECT_EQ(mine.body.find("内部核查线索"), std::string::npos);
  EXPECT_EQ(mine.body.find("董晓峰"), std::string::npos);  // the office reporter's name

  // A unit operator of another place gets no hint of its content either.
  auto unit = server().login("unit");
  auto theirs = report_at(*unit, kGuchengGrid, "路过发现");
  ASSERT_EQ(theirs.status, 201) << theirs.body;
  EXPECT_TRUE(parse(theirs).at("possible_duplicates").as_array().empty()) << theirs.body;
  EXPECT_EQ(theirs.body.find("内部核查线索"), std::string::npos);

  // The operator of the place itself, and the office, see the original.
  auto gucheng = server().login("gucheng");
  auto local = parse(report_at(*gucheng, kGuchengGrid, "属地上报"));
  bool found = false;
  for (const auto& d : local.at("possible_duplicates").as_array()) {
    found = found || d.at("id").as_int64() == original;
  }
  EXPECT_TRUE(found);
}

TEST_F(ScopeLeaks, ACitizenFollowsHisCaseWithoutTheOfficesInternalHistory) {
  auto citizen = server().login("citizen");
  auto office = server().login("office");
  auto unit = server().login("unit");
  const auto id = reported(*citizen, kYongtaiGrid, "小区门口垃圾");
  file(*office, id, "内部备注：与上周同类问题合并督办");
  auto d = office->request("POST", "/api/v1/cases/" + std::to_string(id) + "/transitions",
                           R"({"action":"dispatch","unit_id":)" +
                               std::to_string(server().unit_id("140213050")) +
                               R"(,"note":"改派原因：属地责任"})");
  ASSERT_EQ(d.status, 200) << d.body;
  auto ret = unit->request("POST", "/api/v1/cases/" + std::to_string(id) + "/transitions",
                           R"({"action":"return","note":"退回理由：非本单位职责"})");
  ASSERT_EQ(ret.status, 200) << ret.body;

  auto view = citizen->request("GET", "/api/v1/cases/" + std::to_string(id));
  ASSERT_EQ(view.status, 200) << view.body;
  const auto v = parse(view);
  EXPECT_EQ(v.at("view").as_string(), "reporter");
  EXPECT_TRUE(v.at("events").as_array().empty());
  for (const char* secret : {"内部备注", "改派原因", "退回理由", "董晓峰", "王翠萍", "manual"}) {
    EXPECT_EQ(view.body.find(secret), std::string::npos) << secret << " in " << view.body;
  }
  // What he does see: the public steps, in order, with the state after each.
  std::vector<std::string> steps;
  for (const auto& s : v.at("steps").as_array()) steps.emplace_back(s.at("action").as_string());
  EXPECT_EQ(steps, (std::vector<std::string>{"report", "file", "dispatch"}));
  EXPECT_EQ(v.at("steps").at(1).at("state").as_string(), "filed");
  EXPECT_TRUE(v.at("case").at("routing_rule").is_null());
  EXPECT_TRUE(v.at("case").at("supervising_group").is_null());

  // The list shows him the same public view: no routing reason, no extension reason.
  auto mine = citizen->request("GET", "/api/v1/cases");
  ASSERT_EQ(mine.status, 200);
  for (const char* secret : {"改派原因", "manual", "退回理由"}) {
    EXPECT_EQ(mine.body.find(secret), std::string::npos) << secret << " in " << mine.body;
  }

  // Staff in scope still read the whole history with its notes.
  auto staff = office->request("GET", "/api/v1/cases/" + std::to_string(id));
  EXPECT_NE(staff.body.find("退回理由"), std::string::npos);
  EXPECT_EQ(parse(staff).at("view").as_string(), "staff");
}

}  // namespace
}  // namespace civicloop::test
