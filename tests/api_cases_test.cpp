// The closed loop through the real server: report with a photo, file, dispatch with a notice,
// acknowledge, rectify with an after-photo, verify, close; rework; scope; deadlines and
// escalation; restarts; robots.
#include "api/api.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>

#include "app/case_service.hpp"
#include "domain/case.hpp"
#include "http/server.hpp"
#include "jobs/scheduler.hpp"
#include "storage/notify_repo.hpp"
#include "support/api_fixture.hpp"
#include "support/documents.hpp"
#include "support/loop_test.hpp"
#include "support/test_db.hpp"

namespace civicloop::test {
namespace {

namespace json = boost::json;

// Checks that cell (row, col) holds this text as a string, or is empty when text is "".
void expect_text(const XlsxSheet& sheet, std::size_t row, std::size_t col,
                 const std::string& text) {
  const auto& cell = sheet.cell(row, col);
  if (text.empty()) {
    EXPECT_TRUE(cell.empty()) << "row " << row << " col " << col << ": "
                              << ::testing::PrintToString(cell);
  } else {
    EXPECT_TRUE(cell.is_text()) << "row " << row << " col " << col << ": "
                                << ::testing::PrintToString(cell);
    EXPECT_EQ(cell.text, text) << "row " << row << " col " << col;
  }
}

// Checks that cell (row, col) is a number cell (t="n") with this value.
void expect_number(const XlsxSheet& sheet, std::size_t row, std::size_t col, std::int64_t value) {
  const auto& cell = sheet.cell(row, col);
  EXPECT_TRUE(cell.is_number()) << "row " << row << " col " << col << ": "
                                << ::testing::PrintToString(cell);
  EXPECT_EQ(cell.text, std::to_string(value)) << "row " << row << " col " << col;
}

class ApiCases : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new ApiServer("sqlite"); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static ApiServer& server() { return *server_; }
  static inline ApiServer* server_ = nullptr;

  // A point inside the first grid of 永泰北社区 (永泰街道), read from its boundary.
  static std::pair<double, double> grid_centre(const std::string& code = "140213050001-G1") {
    auto c = server().login("admin");
    auto r = c->request("GET", "/api/v1/org/units/" + std::to_string(server().unit_id(code)));
    const auto v = parse(r);
    return point_inside(v.at("unit").at("boundary"));
  }

  static std::int64_t report(TestClient& c, const std::string& category, double lat, double lng,
                             const std::string& description = "路边堆放生活垃圾") {
    std::ostringstream body;
    body.precision(10);
    body << R"({"category":")" << category << R"(","description":")" << description
         << R"(","address":"永泰路12号","lat":)" << lat << R"(,"lng":)" << lng << "}";
    auto r = c.request("POST", "/api/v1/cases", body.str());
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? parse(r).at("case").at("id").as_int64() : 0;
  }

  static HttpResponse act(TestClient& c, std::int64_t id, const std::string& body) {
    return c.request("POST", "/api/v1/cases/" + std::to_string(id) + "/transitions", body);
  }

  static std::string state_of(const HttpResponse& r) {
    const auto v = parse(r);
    if (!v.is_object() || !v.as_object().contains("case")) return "error:" + error_code(r);
    return std::string(v.at("case").at("state").as_string());
  }

  static HttpResponse photo(TestClient& c, std::int64_t id, const std::string& stage,
                            const std::string& file = "district_gps.jpg") {
    return c.request("POST", "/api/v1/cases/" + std::to_string(id) + "/attachments?stage=" + stage,
                     fixture(file), {{"Content-Type", "image/jpeg"}});
  }

  // Report, file and dispatch a case to 永泰街道; returns its id.
  static std::int64_t dispatched_case(const std::string& category = "0102",
                                      const std::string& description = "路边堆放生活垃圾") {
    auto grid = server().login("grid");
    auto office = server().login("office");
    const auto [lat, lng] = grid_centre();
    const auto id = report(*grid, category, lat, lng, description);
    EXPECT_EQ(state_of(act(*office, id, R"({"action":"file"})")), "filed");
    EXPECT_EQ(state_of(act(*office, id,
                           R"({"action":"dispatch","unit_id":)" +
                               std::to_string(server().unit_id("140213050")) +
                               R"(,"note":"属地街道负责"})")),
              "dispatched");
    return id;
  }
};

TEST_F(ApiCases, TheWholeLoopFromReportToCloseOut) {
  auto grid = server().login("grid");
  auto office = server().login("office");
  auto unit = server().login("unit");
  auto supervisor = server().login("supervisor");
  const auto [lat, lng] = grid_centre();

  const auto id = report(*grid, "0102", lat, lng);
  auto before = photo(*grid, id, "before");
  ASSERT_EQ(before.status, 201) << before.body;
  EXPECT_EQ(parse(before).at("stage").as_string(), "before");

  auto filed = act(*office, id, R"({"action":"file"})");
  ASSERT_EQ(state_of(filed), "filed") << filed.body;
  // Routing proposed the place's subdistrict for exposed rubbish.
  EXPECT_EQ(parse(filed).at("case").at("assigned_unit").at("name").as_string(), "永泰街道");
  auto dispatched = act(*office, id, R"({"action":"dispatch"})");
  ASSERT_EQ(state_of(dispatched), "dispatched") << dispatched.body;
  const auto notice = parse(dispatched).at("notice");
  const std::string number(notice.at("number").as_string());
  EXPECT_EQ(number.rfind("平创", 0), 0u) << number;
  auto pdf = office->request("GET", std::string(notice.at("pdf_url").as_string()));
  ASSERT_EQ(pdf.status, 200);
  EXPECT_EQ(pdf.body.substr(0, 5), "%PDF-");

  // The unit was told.
  auto inbox = unit->request("GET", "/api/v1/notifications?unread=true");
  EXPECT_GE(parse(inbox).at("unread").as_int64(), 1);

  EXPECT_EQ(state_of(act(*unit, id, R"({"action":"acknowledge"})")), "acknowledged");
  auto early = act(*unit, id, R"({"action":"rectify"})");
  EXPECT_EQ(early.status, 400);
  EXPECT_EQ(error_code(early), "case.evidence_required");
  ASSERT_EQ(photo(*unit, id, "after").status, 201);
  EXPECT_EQ(state_of(act(*unit, id, R"({"action":"rectify"})")), "rectified");
  EXPECT_EQ(state_of(act(*supervisor, id, R"({"action":"verify","passed":true})")), "verified");
  EXPECT_EQ(state_of(act(*office, id, R"({"action":"close"})")), "closed");

  auto view = office->request("GET", "/api/v1/cases/" + std::to_string(id));
  std::vector<std::string> actions;
  const auto view_json = parse(view);
  for (const auto& e : view_json.at("events").as_array()) {
    actions.emplace_back(e.at("action").as_string());
  }
  EXPECT_EQ(actions,
            (std::vector<std::string>{"report", "attach", "file", "dispatch", "acknowledge",
                                      "attach", "rectify", "verify", "close"}));
  EXPECT_EQ(view_json.at("attachments").as_array().size(), 2u);
  EXPECT_TRUE(view_json.at("allowed").as_array().empty());
  // It is struck off the ledger: in the closed list, and the chain is intact.
  auto closed = office->request("GET", "/api/v1/cases?state=closed");
  bool found = false;
  const auto list1 = parse(closed);
  for (const auto& c : list1.at("items").as_array()) found |= c.at("id").as_int64() == id;
  EXPECT_TRUE(found);
  auto admin = server().login("admin");
  EXPECT_TRUE(parse(admin->request("GET", "/api/v1/ledger/verify")).at("ok").as_bool());
}

// The fixture's clock stands at a known working instant, so times and deadlines are exact: a
// dispatch on Monday 09:30 gives the unit its 2 working hours to acknowledge until 11:30.
TEST_F(ApiCases, TheClockStandsStillAtAWorkingMondayMorning) {
  EXPECT_EQ(format_iso_utc(ApiServer::kStartTime), "2026-11-30T01:30:00Z");
  EXPECT_EQ(server().clock().now(), ApiServer::kStartTime);
  app::CaseConfigCache cache(server().ctx());
  auto cfg = cache.get(1);
  ASSERT_TRUE(cfg.ok());
  const auto& cal = (*cfg)->calendar;
  const auto day = cal.local_date(ApiServer::kStartTime);
  EXPECT_EQ(calendar::format_date(day), "2026-11-30");
  EXPECT_TRUE(cal.is_working_day(day));
  // Inside a working period: the next half hour counts in full.
  EXPECT_EQ(cal.measure(ApiServer::kStartTime, ApiServer::kStartTime + 1800000,
                        calendar::LimitUnit::kWorkingHours),
            1800000);

  const auto id = dispatched_case();
  auto office = server().login("office");
  const auto v = parse(office->request("GET", "/api/v1/cases/" + std::to_string(id)));
  EXPECT_EQ(v.at("case").at("reported_at").as_string(), "2026-11-30T01:30:00Z");
  EXPECT_EQ(v.at("case").at("dispatched_at").as_string(), "2026-11-30T01:30:00Z");
  EXPECT_EQ(v.at("case").at("timer").at("stage").as_string(), "acknowledge");
  EXPECT_EQ(v.at("case").at("timer").at("deadline_at").as_string(), "2026-11-30T03:30:00Z");
  EXPECT_FALSE(v.at("case").at("timer").at("estimated").as_bool());
  EXPECT_EQ(v.at("case").at("timer").at("percent_used").as_int64(), 0);
  // An hour on, half the time is used.
  server().clock().advance(3600000);
  const auto later = parse(office->request("GET", "/api/v1/cases/" + std::to_string(id)));
  server().clock().set(ApiServer::kStartTime);
  EXPECT_EQ(later.at("case").at("timer").at("percent_used").as_int64(), 50);
}

TEST_F(ApiCases, AFailedVerificationComesBackAsRework) {
  const auto id = dispatched_case();
  auto unit = server().login("unit");
  auto supervisor = server().login("supervisor");
  EXPECT_EQ(state_of(act(*unit, id, R"({"action":"acknowledge"})")), "acknowledged");
  ASSERT_EQ(photo(*unit, id, "after").status, 201);
  EXPECT_EQ(state_of(act(*unit, id, R"({"action":"rectify"})")), "rectified");
  auto no_reason = act(*supervisor, id, R"({"action":"verify","passed":false})");
  EXPECT_EQ(error_code(no_reason), "case.note_required");
  auto failed =
      act(*supervisor, id, R"({"action":"verify","passed":false,"note":"垃圾未清运干净"})");
  ASSERT_EQ(state_of(failed), "acknowledged") << failed.body;
  EXPECT_EQ(parse(failed).at("case").at("rework_count").as_int64(), 1);
  EXPECT_EQ(parse(failed).at("case").at("timer").at("stage").as_string(), "rectify");
  auto inbox = unit->request("GET", "/api/v1/notifications");
  bool rework = false;
  const auto list2 = parse(inbox);
  for (const auto& n : list2.at("items").as_array()) rework |= n.at("kind").as_string() == "rework";
  EXPECT_TRUE(rework);
}

TEST_F(ApiCases, AnIllegalTransitionIs409AndNamesTheAllowedSteps) {
  const auto id = dispatched_case();
  auto office = server().login("office");
  auto r = act(*office, id, R"({"action":"close"})");
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(error_code(r), "case.invalid_transition");
  EXPECT_EQ(parse(r).at("error").at("details").at("allowed").as_string(),
            "acknowledge,return,park,escalate");
  auto unknown = act(*office, id, R"({"action":"teleport"})");
  EXPECT_EQ(error_code(unknown), "case.unknown_action");
  // The office cannot acknowledge in the unit's name.
  auto forbidden = act(*office, id, R"({"action":"acknowledge"})");
  EXPECT_EQ(forbidden.status, 403);
}

TEST_F(ApiCases, AUnitOfAnotherSubdistrictNeitherSeesNorActs) {
  const auto id = dispatched_case();
  auto admin = server().login("admin");
  auto made = admin->request(
      "POST", "/api/v1/users",
      R"({"username":"gucheng","password":"Gucheng#2026","role":"unit_operator","unit_id":)" +
          std::to_string(server().unit_id("140213051")) + "}");
  ASSERT_EQ(made.status, 201) << made.body;
  auto other = server().login("gucheng", "Gucheng#2026");
  EXPECT_EQ(other->request("GET", "/api/v1/cases/" + std::to_string(id)).status, 403);
  EXPECT_EQ(act(*other, id, R"({"action":"acknowledge"})").status, 403);
  EXPECT_EQ(photo(*other, id, "after").status, 403);
  auto list = other->request("GET", "/api/v1/cases?limit=200");
  const auto list3 = parse(list);
  for (const auto& c : list3.at("items").as_array()) EXPECT_NE(c.at("id").as_int64(), id);
  // A citizen sees only their own reports.
  auto citizen = server().login("citizen");
  EXPECT_EQ(citizen->request("GET", "/api/v1/cases/" + std::to_string(id)).status, 403);
  const auto [lat, lng] = grid_centre();
  const auto mine = report(*citizen, "0507", lat, lng, "楼道口乱堆杂物");
  auto own = citizen->request("GET", "/api/v1/cases");
  ASSERT_EQ(parse(own).at("items").as_array().size(), 1u);
  EXPECT_EQ(parse(own).at("items").at(0).at("id").as_int64(), mine);
  EXPECT_EQ(parse(own).at("items").at(0).at("source").as_string(), "citizen");
}

// The triage queue shows each reported case's before-photos with their checks; a unit out of
// scope and a citizen who is not the reporter get neither the case nor its photos.
TEST_F(ApiCases, TriageListCarriesBeforePhotosWithTheirFlagsInScopeOnly) {
  auto grid = server().login("grid");
  auto office = server().login("office");
  const auto [lat, lng] = grid_centre();
  const auto id = report(*grid, "0102", lat, lng, "路边堆放建筑垃圾待立案");
  // district_gps.jpg was taken at the district centre, kilometres away, days before the report.
  auto before = photo(*grid, id, "before");
  ASSERT_EQ(before.status, 201) << before.body;
  const auto att = parse(before).at("id").as_int64();

  auto find = [&](TestClient& c, const std::string& query) -> json::value {
    auto r = c.request("GET", "/api/v1/cases?state=reported&limit=200" + query);
    EXPECT_EQ(r.status, 200) << r.body;
    const auto v = parse(r);
    for (const auto& item : v.at("items").as_array()) {
      if (item.at("id").as_int64() == id) return item;
    }
    return nullptr;
  };
  const auto item = find(*office, "&photos=before");
  ASSERT_TRUE(item.is_object());
  const auto& photos = item.at("before_photos").as_array();
  ASSERT_EQ(photos.size(), 1u);
  EXPECT_EQ(photos.at(0).at("id").as_int64(), att);
  EXPECT_EQ(photos.at(0).at("stage").as_string(), "before");
  std::set<std::string> flags;
  for (const auto& f : photos.at(0).at("flags").as_array())
    flags.insert(std::string(f.as_string()));
  EXPECT_TRUE(flags.contains("far_from_problem"));
  EXPECT_TRUE(flags.contains("taken_before_report"));
  EXPECT_GT(photos.at(0).at("distance_m").to_number<double>(), 1000.0);
  const std::string thumb(photos.at(0).at("thumbnail_url").as_string());
  EXPECT_EQ(office->request("GET", thumb).status, 200);
  // Without the parameter the list stays as it was: no photos, no query for them.
  const auto plain = find(*office, "");
  ASSERT_TRUE(plain.is_object());
  EXPECT_FALSE(plain.as_object().contains("before_photos"));
  EXPECT_EQ(office->request("GET", "/api/v1/cases?photos=after").status, 400);

  // 古城街道's operator and a citizen: not in their list, and the thumbnail is refused.
  auto admin = server().login("admin");
  auto made = admin->request(
      "POST", "/api/v1/users",
      R"({"username":"gucheng_triage","password":"Gucheng#2026","role":"unit_operator","unit_id":)" +
          std::to_string(server().unit_id("140213051")) + "}");
  ASSERT_EQ(made.status, 201) << made.body;
  auto other = server().login("gucheng_triage", "Gucheng#2026");
  EXPECT_TRUE(find(*other, "&photos=before").is_null());
  EXPECT_EQ(other->request("GET", thumb).status, 403);
  auto citizen = server().login("citizen");
  EXPECT_TRUE(find(*citizen, "&photos=before").is_null());
  EXPECT_EQ(citizen->request("GET", thumb).status, 403);
}

TEST_F(ApiCases, PhotosAreCheckedByContentAndFlaggedForTheVerifier) {
  const auto id = dispatched_case();
  auto unit = server().login("unit");
  EXPECT_EQ(state_of(act(*unit, id, R"({"action":"acknowledge"})")), "acknowledged");
  auto text = photo(*unit, id, "after", "text_named.jpg");
  EXPECT_EQ(text.status, 415);
  EXPECT_EQ(error_code(text), "media.unsupported_type");
  auto bad_stage = photo(*unit, id, "sideways");
  EXPECT_EQ(error_code(bad_stage), "case.bad_stage");
  // district_gps.jpg was taken at the district centre, kilometres from this grid, and before now.
  auto far = photo(*unit, id, "after");
  ASSERT_EQ(far.status, 201) << far.body;
  std::set<std::string> flags;
  const auto list4 = parse(far);
  for (const auto& f : list4.at("flags").as_array()) flags.insert(std::string(f.as_string()));
  EXPECT_TRUE(flags.contains("far_from_problem"));
  EXPECT_TRUE(flags.contains("taken_before_dispatch"));
  auto nogps = photo(*unit, id, "after", "no_exif.jpg");
  std::set<std::string> f2;
  const auto list5 = parse(nogps);
  for (const auto& f : list5.at("flags").as_array()) f2.insert(std::string(f.as_string()));
  EXPECT_TRUE(f2.contains("no_gps"));
  auto thumb = unit->request("GET", std::string(parse(far).at("thumbnail_url").as_string()));
  EXPECT_EQ(thumb.status, 200);
  EXPECT_EQ(thumb.body.substr(0, 2), "\xFF\xD8");
}

TEST_F(ApiCases, NearbyOpenProblemsAreOfferedAndADuplicatePointsToItsOriginal) {
  auto grid = server().login("grid");
  auto office = server().login("office");
  const auto [lat, lng] = grid_centre("140213050002-G1");
  const auto first = report(*grid, "0204", lat, lng, "电线杆上贴满小广告");
  std::ostringstream body;
  body.precision(10);
  body << R"({"category":"0204","description":"又贴了小广告","lat":)" << lat + 0.0001
       << R"(,"lng":)" << lng << "}";
  auto second = grid->request("POST", "/api/v1/cases", body.str());
  ASSERT_EQ(second.status, 201);
  bool offered = false;
  const auto list6 = parse(second);
  for (const auto& d : list6.at("possible_duplicates").as_array()) {
    if (d.at("id").as_int64() != first) continue;
    offered = true;
    // What a reporter needs to recognise it, not the whole case (GET /cases/{id} has that).
    const auto& o = d.as_object();
    EXPECT_EQ(o.size(), 7u) << json::serialize(d);
    EXPECT_FALSE(o.at("case_no").as_string().empty());
    EXPECT_FALSE(o.at("title").as_string().empty());  // the category's name: none was typed
    EXPECT_EQ(o.at("address").as_string(), "永泰路12号");
    EXPECT_EQ(o.at("state").as_string(), "reported");
    EXPECT_TRUE(o.at("reported_at").is_string());
    EXPECT_GT(o.at("distance_m").to_number<double>(), 5.0);
    EXPECT_LT(o.at("distance_m").to_number<double>(), 20.0);  // 0.0001 degree of latitude: ~11 m
    EXPECT_EQ(o.if_contains("description"), nullptr);
  }
  EXPECT_TRUE(offered);
  const auto dup = parse(second).at("case").at("id").as_int64();
  auto marked = act(*office, dup,
                    R"({"action":"mark_duplicate","duplicate_of":)" + std::to_string(first) + "}");
  ASSERT_EQ(state_of(marked), "duplicate") << marked.body;
  EXPECT_EQ(parse(marked).at("case").at("duplicate_of").as_int64(), first);
  auto self = act(*office, first,
                  R"({"action":"mark_duplicate","duplicate_of":)" + std::to_string(first) + "}");
  EXPECT_EQ(error_code(self), "case.duplicate_of_itself");
}

TEST_F(ApiCases, OneNoticeCarriesSeveralProblemsOfOneUnit) {
  auto grid = server().login("grid");
  auto office = server().login("office");
  const auto [lat, lng] = grid_centre();
  const auto a = report(*grid, "0507", lat, lng, "商铺门口堆放纸箱");
  const auto b = report(*grid, "0506", lat, lng, "店外经营");
  for (const auto id : {a, b})
    ASSERT_EQ(state_of(act(*office, id, R"({"action":"file"})")), "filed");
  auto n = office->request("POST", "/api/v1/notices",
                           R"({"case_ids":[)" + std::to_string(a) + "," + std::to_string(b) +
                               R"(],"unit_id":)" + std::to_string(server().unit_id("140213050")) +
                               R"(,"kind":"reminder","requirement":"立即清理，恢复通行"})");
  ASSERT_EQ(n.status, 201) << n.body;
  const auto nv = parse(n);
  EXPECT_EQ(nv.at("case_ids").as_array().size(), 2u);
  EXPECT_NE(std::string(nv.at("number").as_string()).find("平创提"), std::string::npos);
  for (const auto id : {a, b}) {
    auto v = office->request("GET", "/api/v1/cases/" + std::to_string(id));
    EXPECT_EQ(parse(v).at("case").at("state").as_string(), "dispatched");
    EXPECT_EQ(parse(v).at("case").at("notice_id").as_int64(), nv.at("id").as_int64());
  }
  auto list = office->request("GET", "/api/v1/notices");
  bool listed = false;
  const auto list7 = parse(list);
  for (const auto& x : list7.at("items").as_array()) listed |= x.at("id") == nv.at("id");
  EXPECT_TRUE(listed);

  // The export: one row per notice, as the list shows them; this notice's cells one by one.
  auto x = office->request("GET", "/api/v1/notices.xlsx");
  ASSERT_EQ(x.status, 200);
  EXPECT_EQ(x.header("content-type"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  const auto sheet = xlsx_sheet(x.body);
  EXPECT_EQ(sheet.name, "整改清单");
  EXPECT_EQ(sheet.texts(0), (std::vector<std::string>{"编号", "类别", "责任单位", "问题数",
                                                      "下发时间", "整改时限", "剩余时间"}));
  for (std::size_t c = 0; c < 7; ++c) EXPECT_TRUE(sheet.cell(0, c).is_text()) << c;
  EXPECT_EQ(sheet.rows.size(), list7.at("items").as_array().size() + 1);
  const std::string number(nv.at("number").as_string());
  const auto row = sheet.find_row(0, number);
  ASSERT_TRUE(row.has_value()) << number << " is not in the export";
  expect_text(sheet, *row, 0, number);
  EXPECT_EQ(number.rfind("平创提〔2026〕", 0), 0u) << number;
  expect_text(sheet, *row, 1, "提醒卡");
  expect_text(sheet, *row, 2, "永泰街道");
  expect_number(sheet, *row, 3, 2);
  expect_text(sheet, *row, 4, "2026-11-30 09:30");  // issued now, on the fixture's clock
  // 2 working hours to acknowledge from 09:30 (11:30), then the 4 hours of 乱堆物堆料, the
  // longer of the two cases' limits: 15:30, six hours from now.
  EXPECT_EQ(nv.at("deadline_at").as_string(), "2026-11-30T07:30:00Z");
  expect_text(sheet, *row, 5, "2026-11-30 15:30");
  expect_text(sheet, *row, 6, "剩余6小时");
}

TEST_F(ApiCases, DeadlinesWarnThenEscalateUpTheLadderOnceEach) {
  const auto id = dispatched_case();
  app::CaseConfigCache cache(server().ctx());
  app::CaseService svc(server().ctx(), cache);
  auto office = server().login("office");
  auto v = parse(office->request("GET", "/api/v1/cases/" + std::to_string(id)));
  const auto deadline =
      *parse_iso_utc(std::string(v.at("case").at("timer").at("deadline_at").as_string()));
  // Past 200% of the acknowledge limit (2 working hours): every mark is crossed.
  const Millis start = server().clock().now();
  server().clock().set(deadline + 7LL * 24 * 3600 * 1000);
  auto first = svc.sweep(server().clock().now());
  EXPECT_GE(first.warnings, 2);
  EXPECT_GE(first.escalations, 1);
  auto again = svc.sweep(server().clock().now());
  EXPECT_EQ(again.warnings, 0) << "a repeated sweep warned again";
  EXPECT_EQ(again.escalations, 0) << "a repeated sweep escalated again";
  auto office2 = server().login("office");
  auto after = parse(office2->request("GET", "/api/v1/cases/" + std::to_string(id)));
  EXPECT_TRUE(after.at("case").at("overdue").as_bool());
  EXPECT_EQ(after.at("case").at("escalation_level").as_int64(), 3);
  bool escalated_event = false;
  for (const auto& e : after.at("events").as_array())
    escalated_event |= e.at("action").as_string() == "escalate";
  EXPECT_TRUE(escalated_event);
  auto overdue = office2->request("GET", "/api/v1/cases?overdue=true");
  bool listed = false;
  const auto list8 = parse(overdue);
  for (const auto& c : list8.at("items").as_array()) listed |= c.at("id").as_int64() == id;
  EXPECT_TRUE(listed);
  server().clock().set(start);  // the other tests of the suite share this server
}

TEST_F(ApiCases, AnExtensionRequestStopsTheClockAndAPartialGrantMovesTheDeadline) {
  const auto id = dispatched_case();
  auto unit = server().login("unit");
  auto office = server().login("office");
  ASSERT_EQ(state_of(act(*unit, id, R"({"action":"acknowledge"})")), "acknowledged");
  auto asked = act(
      *unit, id,
      R"({"action":"request_extension","extension_amount":3,"extension_unit":"working_days","note":"需协调环卫车辆"})");
  ASSERT_EQ(asked.status, 200) << asked.body;
  EXPECT_TRUE(parse(asked).at("case").at("timer").at("paused").as_bool());
  const auto before =
      std::string(parse(asked).at("case").at("timer").at("deadline_at").as_string());
  auto twice = act(
      *unit, id,
      R"({"action":"request_extension","extension_amount":1,"extension_unit":"working_days","note":"再延"})");
  EXPECT_EQ(error_code(twice), "case.invalid_transition");
  auto too_much = act(*office, id,
                      R"({"action":"decide_extension","decision":"partial","extension_amount":3})");
  EXPECT_EQ(error_code(too_much), "case.partial_out_of_range");
  auto granted = act(*office, id,
                     R"({"action":"decide_extension","decision":"partial","extension_amount":1})");
  ASSERT_EQ(granted.status, 200) << granted.body;
  const auto timer = parse(granted).at("case").at("timer");
  EXPECT_FALSE(timer.at("paused").as_bool());
  EXPECT_GT(std::string(timer.at("deadline_at").as_string()), before);
  EXPECT_FALSE(parse(granted).at("case").at("extension_pending").as_bool());
}

TEST_F(ApiCases, ParkingNeedsAReasonAndAReviewDateAndUnparkingResumes) {
  const auto id = dispatched_case();
  auto office = server().login("office");
  EXPECT_EQ(error_code(act(*office, id, R"({"action":"park","review_date":"2099-01-01"})")),
            "case.note_required");
  EXPECT_EQ(
      error_code(act(*office, id, R"({"action":"park","note":"x","review_date":"2000-01-01"})")),
      "case.review_date_past");
  auto parked =
      act(*office, id,
          R"({"action":"park","note":"需纳入老旧小区改造工程","review_date":"2099-06-30"})");
  ASSERT_EQ(state_of(parked), "parked") << parked.body;
  EXPECT_EQ(parse(parked).at("case").at("parked_from").as_string(), "dispatched");
  EXPECT_TRUE(parse(parked).at("case").at("timer").at("paused").as_bool());
  auto back = act(*office, id, R"({"action":"unpark"})");
  EXPECT_EQ(state_of(back), "dispatched");
}

TEST_F(ApiCases, AGridWorkerFixesOnTheSpotAndItIsStillVerified) {
  auto grid = server().login("grid");
  auto supervisor = server().login("supervisor");
  const auto [lat, lng] = grid_centre();
  const auto id = report(*grid, "0507", lat, lng, "共享单车乱停放，已摆放整齐");
  EXPECT_EQ(error_code(act(*grid, id, R"({"action":"fix_on_site"})")), "case.evidence_required");
  ASSERT_EQ(photo(*grid, id, "on_site").status, 201);
  auto fixed = act(*grid, id, R"({"action":"fix_on_site"})");
  ASSERT_EQ(state_of(fixed), "rectified") << fixed.body;
  EXPECT_EQ(parse(fixed).at("case").at("assigned_unit").at("name").as_string(),
            "永泰北社区第1网格");
  EXPECT_EQ(state_of(act(*supervisor, id, R"({"action":"verify","passed":true})")), "verified");
}

TEST_F(ApiCases, TheOneWhoFixedItNeverVerifiesItEvenWithAnotherAccount) {
  // The grid worker's person also holds a supervisor's account (a second post): four eyes are
  // about people, not accounts.
  auto admin = server().login("admin");
  auto me = parse(server().login("grid")->request("GET", "/api/v1/auth/me"));
  const auto person = me.at("user").at("person_id").as_int64();
  auto made = admin->request(
      "POST", "/api/v1/users",
      R"({"username":"grid-as-supervisor","password":"Demo@2026","role":"supervisor","display_name":"白国栋（督导）","unit_id":)" +
          std::to_string(server().unit_id("SG10")) + R"(,"person_id":)" + std::to_string(person) +
          "}");
  ASSERT_TRUE(made.status == 201 || made.status == 409) << made.body;
  auto grid = server().login("grid");
  const auto [lat, lng] = grid_centre();
  const auto id = report(*grid, "0507", lat, lng, "共享单车乱停放，已摆放整齐");
  ASSERT_EQ(photo(*grid, id, "on_site").status, 201);
  ASSERT_EQ(state_of(act(*grid, id, R"({"action":"fix_on_site"})")), "rectified");

  auto twin = server().login("grid-as-supervisor");
  auto view = parse(twin->request("GET", "/api/v1/cases/" + std::to_string(id)));
  for (const auto& a : view.at("allowed").as_array()) EXPECT_NE(a.as_string(), "verify");
  auto refused = act(*twin, id, R"({"action":"verify","passed":true})");
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(error_code(refused), "case.four_eyes");
  auto supervisor = server().login("supervisor");
  EXPECT_EQ(state_of(act(*supervisor, id, R"({"action":"verify","passed":true})")), "verified");
}

TEST_F(ApiCases, TheActionTableTellsTheDialogWhatEachActionNeeds) {
  auto unit = server().login("unit");
  auto r = unit->request("GET", "/api/v1/case-actions");
  ASSERT_EQ(r.status, 200) << r.body;
  std::map<std::string, json::object> by;
  const auto table = parse(r);
  for (const auto& x : table.at("items").as_array()) {
    by[std::string(x.at("action").as_string())] = x.as_object();
  }
  EXPECT_EQ(by.size(), cases::all_actions().size());
  EXPECT_EQ(by["return"].at("note").as_string(), "required");
  EXPECT_EQ(by["verify"].at("note").as_string(), "if_failed");
  EXPECT_EQ(by["decide_extension"].at("note").as_string(), "if_refused");
  EXPECT_EQ(by["dispatch"].at("note").as_string(), "if_other_unit");
  EXPECT_EQ(by["acknowledge"].at("note").as_string(), "optional");
  EXPECT_EQ(by["rectify"].at("photo_stage").as_string(), "after");
  EXPECT_EQ(by["fix_on_site"].at("photo_stage").as_string(), "on_site");
  EXPECT_TRUE(by["file"].at("photo_stage").is_null());
  EXPECT_EQ(by["park"].at("required").as_array().at(0).as_string(), "review_date");
  // And the server keeps to it: a return without a reason is refused.
  const auto id = dispatched_case();
  EXPECT_EQ(error_code(act(*unit, id, R"({"action":"return"})")), "case.note_required");
}

TEST_F(ApiCases, AClosedNoticeCountsNoTimeLeft) {
  auto grid = server().login("grid");
  auto office = server().login("office");
  auto unit = server().login("unit");
  auto supervisor = server().login("supervisor");
  const auto [lat, lng] = grid_centre();
  const auto id = report(*grid, "0102", lat, lng, "绿化带内垃圾");
  ASSERT_EQ(state_of(act(*office, id, R"({"action":"file"})")), "filed");
  auto dispatched = act(*office, id, R"({"action":"dispatch"})");
  ASSERT_EQ(state_of(dispatched), "dispatched");
  const auto notice_id = parse(dispatched).at("notice").at("id").as_int64();
  const auto path = "/api/v1/notices/" + std::to_string(notice_id);
  auto open = parse(office->request("GET", path));
  EXPECT_TRUE(open.at("open").as_bool());
  EXPECT_TRUE(open.at("remaining_ms").is_int64());
  EXPECT_EQ(state_of(act(*unit, id, R"({"action":"acknowledge"})")), "acknowledged");
  ASSERT_EQ(photo(*unit, id, "after").status, 201);
  EXPECT_EQ(state_of(act(*unit, id, R"({"action":"rectify"})")), "rectified");
  EXPECT_EQ(state_of(act(*supervisor, id, R"({"action":"verify","passed":true})")), "verified");
  EXPECT_EQ(state_of(act(*office, id, R"({"action":"close"})")), "closed");
  auto closed = parse(office->request("GET", path));
  EXPECT_FALSE(closed.at("open").as_bool());
  EXPECT_TRUE(closed.at("remaining_ms").is_null());
  // The full list (open=false) shows it without a countdown too.
  auto all = parse(office->request("GET", "/api/v1/notices?open=false&limit=200"));
  bool seen = false;
  for (const auto& n : all.at("items").as_array()) {
    if (n.at("id").as_int64() != notice_id) continue;
    seen = true;
    EXPECT_TRUE(n.at("remaining_ms").is_null());
  }
  EXPECT_TRUE(seen);
}

TEST_F(ApiCases, AReturnedDispatchGoesBackToTheOfficeWithItsReason) {
  const auto id = dispatched_case("1101");  // a component: the unit says it is not theirs
  auto unit = server().login("unit");
  EXPECT_EQ(error_code(act(*unit, id, R"({"action":"return"})")), "case.note_required");
  auto back = act(*unit, id, R"({"action":"return","note":"井盖属供水公司，非我单位职责"})");
  ASSERT_EQ(state_of(back), "filed") << back.body;
  EXPECT_TRUE(parse(back).at("case").at("assigned_unit").is_null());
}

TEST_F(ApiCases, ListsFilterSearchChineseAndExport) {
  auto grid = server().login("grid");
  auto office = server().login("office");
  const auto [lat, lng] = grid_centre();
  const auto id = report(*grid, "2105", lat, lng, "小区车棚飞线充电存在安全隐患");
  auto found =
      office->request("GET", "/api/v1/cases?q=%E9%A3%9E%E7%BA%BF%E5%85%85%E7%94%B5");  // 飞线充电
  ASSERT_EQ(found.status, 200) << found.body;
  bool hit = false;
  const auto list9 = parse(found);
  for (const auto& c : list9.at("items").as_array()) hit |= c.at("id").as_int64() == id;
  EXPECT_TRUE(hit);
  auto none =
      office->request("GET", "/api/v1/cases?q=%E4%B8%8D%E5%AD%98%E5%9C%A8%E7%9A%84%E8%AF%8D");
  EXPECT_TRUE(parse(none).at("items").as_array().empty());
  auto by_state = office->request("GET", "/api/v1/cases?state=reported&category=21");
  const auto list10 = parse(by_state);
  for (const auto& c : list10.at("items").as_array()) {
    EXPECT_EQ(c.at("state").as_string(), "reported");
    EXPECT_EQ(std::string(c.at("category").as_string()).substr(0, 2), "21");
  }
  // A date window (local dates, inclusive): today's report is in today's window, not in last
  // year's.
  const auto today = format_iso_utc(server().clock().now() + 8 * 3600 * 1000).substr(0, 10);
  EXPECT_EQ(today, "2026-11-30");  // the fixture's clock
  auto window =
      office->request("GET", "/api/v1/cases?from=" + today + "&to=" + today + "&limit=200");
  bool in_window = false;
  const auto window_json = parse(window);
  for (const auto& c : window_json.at("items").as_array()) in_window |= c.at("id").as_int64() == id;
  EXPECT_TRUE(in_window) << window.body.substr(0, 300);
  auto past = office->request("GET", "/api/v1/cases?from=2020-01-01&to=2020-12-31");
  EXPECT_TRUE(parse(past).at("items").as_array().empty());
  EXPECT_EQ(office->request("GET", "/api/v1/cases?state=nonsense").status, 400);
  EXPECT_EQ(office->request("GET", "/api/v1/cases?from=2026-13-01").status, 400);
  // The export applies the list's filters: the same cases, in the same order, all reported.
  auto x = office->request("GET", "/api/v1/cases.xlsx?state=reported");
  ASSERT_EQ(x.status, 200);
  const auto sheet = xlsx_sheet(x.body);
  const auto reported = parse(office->request("GET", "/api/v1/cases?state=reported&limit=200"));
  ASSERT_TRUE(reported.at("next_cursor").is_null()) << "more than one page: compare them all";
  std::vector<std::string> listed;
  for (const auto& c : reported.at("items").as_array()) {
    listed.emplace_back(c.at("case_no").as_string());
  }
  ASSERT_FALSE(listed.empty());
  std::vector<std::string> exported;
  for (std::size_t r = 1; r < sheet.rows.size(); ++r) {
    exported.push_back(sheet.cell(r, 0).text);
    expect_text(sheet, r, 1, "待立案");
  }
  EXPECT_EQ(exported, listed);
  EXPECT_NE(
      std::find(exported.begin(), exported.end(),
                std::string(parse(office->request("GET", "/api/v1/cases/" + std::to_string(id)))
                                .at("case")
                                .at("case_no")
                                .as_string())),
      exported.end());
}

// A date window pages on (reported_at, id): the fixture's clock stands still, so every report has
// the same time, and the pages still give each case once. An id cursor from before still works.
TEST_F(ApiCases, ADateWindowPagesEveryCaseOnceAcrossEqualReportTimes) {
  auto grid = server().login("grid");
  auto office = server().login("office");
  const auto [lat, lng] = grid_centre();
  std::set<std::int64_t> reported;
  for (int i = 0; i < 7; ++i) {
    reported.insert(
        report(*grid, "0102", lat + i * 0.001, lng, "日期窗口分页 " + std::to_string(i)));
  }
  const std::string window = "/api/v1/cases?from=2026-11-30&to=2026-11-30&limit=3";
  std::vector<std::int64_t> walked;
  std::string cursor;
  for (int pages = 0; pages < 10; ++pages) {
    auto r = office->request("GET", window + (cursor.empty() ? "" : "&cursor=" + cursor));
    ASSERT_EQ(r.status, 200) << r.body;
    const auto v = parse(r);
    for (const auto& c : v.at("items").as_array()) walked.push_back(c.at("id").as_int64());
    if (v.at("next_cursor").is_null()) break;
    cursor = std::string(v.at("next_cursor").as_string());
    EXPECT_NE(cursor.find('.'), std::string::npos) << cursor;  // reported_at.id
  }
  // Every case of the day once (the fixture's own cases too), ours among them.
  std::set<std::int64_t> distinct(walked.begin(), walked.end());
  EXPECT_EQ(distinct.size(), walked.size());
  for (const auto id : reported) EXPECT_TRUE(distinct.contains(id)) << id;
  ASSERT_GE(walked.size(), 7U);
  const auto& want = walked;
  // An id alone (a cursor of the plain list) continues the window from that case.
  auto old = office->request("GET", window + "&cursor=" + std::to_string(want[2]));
  ASSERT_EQ(old.status, 200) << old.body;
  const auto old_v = parse(old);
  ASSERT_EQ(old_v.at("items").as_array().size(), 3U);
  EXPECT_EQ(old_v.at("items").as_array()[0].at("id").as_int64(), want[3]);
  // The plain list keeps its id cursor.
  const auto plain = parse(office->request("GET", "/api/v1/cases?limit=2"));
  EXPECT_EQ(std::string(plain.at("next_cursor").as_string()).find('.'), std::string::npos);
  EXPECT_EQ(office->request("GET", window + "&cursor=1.x").status, 400);
  EXPECT_EQ(office->request("GET", window + "&cursor=abc").status, 400);
}

TEST_F(ApiCases, TheCaseExportHoldsEveryCaseCellByCell) {
  auto grid = server().login("grid");
  auto office = server().login("office");
  auto unit = server().login("unit");
  auto supervisor = server().login("supervisor");
  const auto [lat, lng] = grid_centre();
  // One case only reported; one dispatched, rectified and sent back once (rework 1).
  const auto reported = report(*grid, "0507", lat, lng, "导出核对：楼道口堆放杂物");
  const auto reworked = dispatched_case("0102", "导出核对：河道边倾倒垃圾");
  ASSERT_EQ(state_of(act(*unit, reworked, R"({"action":"acknowledge"})")), "acknowledged");
  ASSERT_EQ(photo(*unit, reworked, "after").status, 201);
  ASSERT_EQ(state_of(act(*unit, reworked, R"({"action":"rectify"})")), "rectified");
  ASSERT_EQ(state_of(act(*supervisor, reworked,
                         R"({"action":"verify","passed":false,"note":"仍有垃圾"})")),
            "acknowledged");

  // 导出核对 is in these two cases only.
  auto x = office->request("GET", "/api/v1/cases.xlsx?q=%E5%AF%BC%E5%87%BA%E6%A0%B8%E5%AF%B9");
  ASSERT_EQ(x.status, 200) << x.body;
  EXPECT_EQ(x.header("content-type"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  const auto sheet = xlsx_sheet(x.body);
  EXPECT_EQ(sheet.name, "问题清单");
  const std::vector<std::string> header{"问题编号", "状态",    "问题类别", "标题",    "位置",
                                        "街道",     "社区/村", "责任单位", "来源",    "上报时间",
                                        "截止时间", "超期",    "返工次数", "销号时间"};
  EXPECT_EQ(sheet.texts(0), header);
  for (std::size_t c = 0; c < header.size(); ++c) EXPECT_TRUE(sheet.cell(0, c).is_text()) << c;
  ASSERT_EQ(sheet.rows.size(), 3u) << "the header and the two cases";

  // Newest first.
  const auto rv = parse(office->request("GET", "/api/v1/cases/" + std::to_string(reworked)));
  const auto pv = parse(office->request("GET", "/api/v1/cases/" + std::to_string(reported)));
  const auto& r = rv.at("case");
  const auto& p = pv.at("case");

  expect_text(sheet, 1, 0, std::string(r.at("case_no").as_string()));  // digits, kept as text
  expect_text(sheet, 1, 1, "整改中");
  expect_text(sheet, 1, 2, std::string(r.at("category_name").as_string()));
  expect_text(sheet, 1, 3, std::string(r.at("title").as_string()));
  expect_text(sheet, 1, 4, "永泰路12号");
  expect_text(sheet, 1, 5, "永泰街道");
  expect_text(sheet, 1, 6, "永泰北社区");
  expect_text(sheet, 1, 7, "永泰街道");
  expect_text(sheet, 1, 8, "网格巡查");
  expect_text(sheet, 1, 9, "2026-11-30 09:30");
  // Sent back at 09:30: 4 working hours of 暴露垃圾 again, 2.5 this morning and 1.5 from 14:30.
  EXPECT_EQ(r.at("timer").at("deadline_at").as_string(), "2026-11-30T08:00:00Z");
  expect_text(sheet, 1, 10, "2026-11-30 16:00");
  expect_text(sheet, 1, 11, "");  // not overdue
  expect_number(sheet, 1, 12, 1);
  expect_text(sheet, 1, 13, "");  // not closed

  expect_text(sheet, 2, 0, std::string(p.at("case_no").as_string()));
  expect_text(sheet, 2, 1, "待立案");
  expect_text(sheet, 2, 2, std::string(p.at("category_name").as_string()));
  expect_text(sheet, 2, 3, std::string(p.at("title").as_string()));
  expect_text(sheet, 2, 4, "永泰路12号");
  expect_text(sheet, 2, 5, "永泰街道");
  expect_text(sheet, 2, 6, "永泰北社区");
  expect_text(sheet, 2, 7, "");  // not yet assigned
  expect_text(sheet, 2, 8, "网格巡查");
  expect_text(sheet, 2, 9, "2026-11-30 09:30");
  expect_text(sheet, 2, 10, "");  // no timer before it is filed
  expect_text(sheet, 2, 11, "");
  expect_number(sheet, 2, 12, 0);
  expect_text(sheet, 2, 13, "");
}

TEST_F(ApiCases, TheResponsibilityExportMatchesTheListAndCountsAsNumbers) {
  auto office = server().login("office");
  auto export_sheet = [&] {
    auto x = office->request("GET", "/api/v1/responsibility.xlsx");
    EXPECT_EQ(x.status, 200);
    return xlsx_sheet(x.body);
  };
  const auto before = export_sheet();
  EXPECT_EQ(before.name, "责任清单");
  EXPECT_EQ(before.texts(0), (std::vector<std::string>{"责任单位", "负责问题类别", "负责区域",
                                                       "在办问题", "超期问题"}));
  const auto list = parse(office->request("GET", "/api/v1/responsibility"));
  const auto& items = list.at("items").as_array();
  ASSERT_FALSE(items.empty());
  ASSERT_EQ(before.rows.size(), items.size() + 1);
  for (std::size_t i = 0; i < items.size(); ++i) {
    const auto& item = items[i];
    std::string cats;
    for (const auto& c : item.at("categories").as_array()) {
      cats += (cats.empty() ? "" : "、") + std::string(c.at("name").as_string());
    }
    std::string areas;
    for (const auto& a : item.at("areas").as_array()) {
      areas += (areas.empty() ? "" : "、") + std::string(a.at("name").as_string());
    }
    expect_text(before, i + 1, 0, std::string(item.at("unit").at("name").as_string()));
    expect_text(before, i + 1, 1, cats);
    expect_text(before, i + 1, 2, areas);
    expect_number(before, i + 1, 3, item.at("open_cases").as_int64());
    expect_number(before, i + 1, 4, item.at("overdue_cases").as_int64());
  }
  // One more case dispatched to 永泰街道: its open count goes up by exactly one.
  const auto row = before.find_row(0, "永泰街道");
  ASSERT_TRUE(row.has_value());
  const auto open_before = std::stoll(before.cell(*row, 3).text);
  dispatched_case();
  const auto after = export_sheet();
  const auto row_after = after.find_row(0, "永泰街道");
  ASSERT_TRUE(row_after.has_value());
  expect_number(after, *row_after, 3, open_before + 1);
}

TEST_F(ApiCases, TheOfficeEditsCategoriesRoutingAndTheCalendarAndOthersCannot) {
  auto office = server().login("office");
  auto unit = server().login("unit");
  auto cats = parse(office->request("GET", "/api/v1/categories"));
  json::object c;
  for (const auto& x : cats.at("items").as_array()) {
    if (x.at("code").as_string() == "0102") c = x.as_object();
  }
  ASSERT_FALSE(c.empty());
  c["time_limit"] = json::object{{"amount", 6}, {"unit", "working_hours"}};
  auto denied = unit->request("PUT", "/api/v1/categories/0102", json::serialize(c));
  EXPECT_EQ(denied.status, 403);
  auto ok = office->request("PUT", "/api/v1/categories/0102", json::serialize(c));
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(parse(ok).at("time_limit").at("amount").as_int64(), 6);
  auto stale = office->request("PUT", "/api/v1/categories/0102", json::serialize(c));
  EXPECT_EQ(error_code(stale), "conflict.stale_version");

  // Route everything to 古城街道 first, and the preview follows.
  auto rules = parse(office->request("GET", "/api/v1/routing-rules"));
  json::array items = rules.at("items").as_array();
  items.insert(items.begin(), json::object{{"name", "测试：全部交古城街道"},
                                           {"unit_id", server().unit_id("140213051")}});
  auto put = office->request("PUT", "/api/v1/routing-rules",
                             json::serialize(json::object{{"items", items}}));
  ASSERT_EQ(put.status, 200) << put.body;
  const auto [lat, lng] = grid_centre();
  std::ostringstream q;
  q.precision(10);
  q << "/api/v1/cases/route-preview?category=0102&lat=" << lat << "&lng=" << lng;
  auto preview = office->request("GET", q.str());
  EXPECT_EQ(parse(preview).at("unit").at("name").as_string(), "古城街道");
  EXPECT_EQ(parse(preview).at("place").at("subdistrict").at("name").as_string(), "永泰街道");
  items.erase(items.begin());
  ASSERT_EQ(
      office
          ->request("PUT", "/api/v1/routing-rules", json::serialize(json::object{{"items", items}}))
          .status,
      200);
  auto bad_rule =
      office->request("PUT", "/api/v1/routing-rules", R"({"items":[{"name":"无目标"}]})");
  EXPECT_EQ(error_code(bad_rule), "routing.no_target");

  auto year = office->request("PUT", "/api/v1/calendar/years/2027",
                              R"({"holidays":["2027-01-01"],"makeup_workdays":[]})");
  ASSERT_EQ(year.status, 200) << year.body;
  auto bad_day = office->request("PUT", "/api/v1/calendar/years/2027",
                                 R"({"holidays":["2028-01-01"],"makeup_workdays":[]})");
  EXPECT_EQ(bad_day.status, 400);
  EXPECT_EQ(unit->request("PUT", "/api/v1/calendar/years/2027", R"({"holidays":[]})").status, 403);
}

TEST_F(ApiCases, NothingAcknowledgedIsLostWhenTheServerRestartsMidLoop) {
  const auto id = dispatched_case();
  auto unit = server().login("unit");
  ASSERT_EQ(state_of(act(*unit, id, R"({"action":"acknowledge"})")), "acknowledged");
  ASSERT_EQ(photo(*unit, id, "after").status, 201);
  server().restart();
  auto again = server().login("unit");
  auto v = again->request("GET", "/api/v1/cases/" + std::to_string(id));
  ASSERT_EQ(v.status, 200);
  EXPECT_EQ(parse(v).at("case").at("state").as_string(), "acknowledged");
  EXPECT_EQ(parse(v).at("attachments").as_array().size(), 1u);
  auto att =
      again->request("GET", std::string(parse(v).at("attachments").at(0).at("url").as_string()));
  EXPECT_EQ(att.status, 200);
  EXPECT_EQ(att.body, fixture("district_gps.jpg"));
  EXPECT_EQ(state_of(act(*again, id, R"({"action":"rectify"})")), "rectified");
}

TEST_F(ApiCases, RobotsGetTheDispatchThroughTheOutbox) {
  std::mutex m;
  std::vector<std::string> received;
  http::ServerOptions so;
  so.port = 0;
  so.threads = 1;
  http::Server receiver(so, [&](http::Request& req) {
    std::lock_guard lock(m);
    received.push_back(req.body);
    return http::Response::json(200, R"({"errcode":0,"errmsg":"ok"})");
  });
  receiver.start();
  auto office = server().login("office");
  auto hook =
      office->request("POST", "/api/v1/webhooks",
                      R"({"name":"创城工作群","flavour":"wecom","url":"http://127.0.0.1:)" +
                          std::to_string(receiver.port()) + R"(/cgi-bin/webhook/send?key=test"})");
  ASSERT_EQ(hook.status, 201) << hook.body;
  // The robot's URL carries its access token: the API never shows it whole.
  EXPECT_EQ(std::string(parse(hook).at("url").as_string()).find("key=test"), std::string::npos);
  const auto id = dispatched_case();
  auto stats = jobs::deliver_outbox(server().ctx(), {});
  EXPECT_GE(stats.delivered, 1);
  {
    std::lock_guard lock(m);
    ASSERT_FALSE(received.empty());
    auto payload = boost::json::parse(received.back());
    EXPECT_EQ(payload.at("msgtype").as_string(), "markdown");
    EXPECT_NE(std::string(payload.at("markdown").at("content").as_string()).find("派遣"),
              std::string::npos);
  }
  EXPECT_EQ(jobs::deliver_outbox(server().ctx(), {}).delivered, 0) << "delivered twice";
  const auto hook_id = parse(hook).at("id").as_int64();
  EXPECT_EQ(office->request("DELETE", "/api/v1/webhooks/" + std::to_string(hook_id)).status, 204);
  receiver.stop(1);
  (void)id;
}

// The server's webhook_allow for the length of a test; the fixture's value is put back after.
class WebhookAllowSetting {
 public:
  WebhookAllowSetting(ApiServer& server, std::string value) : server_(server) {
    server_.ctx().settings.webhook_allow = std::move(value);
  }
  ~WebhookAllowSetting() { server_.ctx().settings.webhook_allow = kTestWebhookAllow; }
  WebhookAllowSetting(const WebhookAllowSetting&) = delete;
  WebhookAllowSetting& operator=(const WebhookAllowSetting&) = delete;

 private:
  ApiServer& server_;
};

TEST_F(ApiCases, RobotUrlsToInternalAddressesOrPlainHttpAreRefusedWhenConfigured) {
  auto office = server().login("office");
  std::vector<std::int64_t> created;
  auto add = [&](const std::string& url) {
    auto r =
        office->request("POST", "/api/v1/webhooks",
                        json::serialize(json::object{
                            {"name", "内部地址机器人"}, {"flavour", "generic"}, {"url", url}}));
    if (r.status == 201) created.push_back(parse(r).at("id").as_int64());
    return r;
  };
  {
    WebhookAllowSetting allow(server(), "");  // a deployment's default
    struct Refused {
      std::string url, reason, host;
    };
    const std::vector<Refused> refused = {
        {"http://127.0.0.1:9/hook?key=SECRET", "loopback", "127.0.0.1"},
        {"https://127.0.0.1/hook?key=SECRET", "loopback", "127.0.0.1"},
        {"https://[::1]:8443/hook", "loopback", "::1"},
        {"https://[::ffff:127.0.0.1]/hook", "loopback", "::ffff:127.0.0.1"},
        {"https://localhost/hook", "loopback", "localhost"},
        {"https://robot.localhost./hook", "loopback", "robot.localhost."},
        {"https://169.254.169.254/latest/meta-data/", "link_local", "169.254.169.254"},
        {"https://[fe80::1]/", "link_local", "fe80::1"},
        {"https://10.0.0.1/hook", "private", "10.0.0.1"},
        {"https://172.16.0.1/hook", "private", "172.16.0.1"},
        {"https://192.168.1.1/hook", "private", "192.168.1.1"},
        {"https://100.64.0.1/hook", "shared_nat", "100.64.0.1"},
        {"https://0.0.0.0/hook", "unspecified", "0.0.0.0"},
        {"http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=SECRET", "plain_http",
         "qyapi.weixin.qq.com"},
    };
    for (const auto& c : refused) {
      auto r = add(c.url);
      ASSERT_EQ(r.status, 400) << c.url << " " << r.body;
      EXPECT_EQ(error_code(r), "webhook.url_refused") << r.body;
      const auto body = parse(r);
      const auto& details = body.at("error").at("details");
      EXPECT_EQ(details.at("field").as_string(), "url");
      EXPECT_EQ(details.at("reason").as_string(), c.reason) << c.url;
      EXPECT_EQ(details.at("host").as_string(), c.host) << c.url;
      EXPECT_EQ(r.body.find("SECRET"), std::string::npos) << r.body;
    }
    auto en = office->request("POST", "/api/v1/webhooks",
                              R"({"name":"x","flavour":"generic","url":"https://10.1.2.3/"})",
                              {{"Accept-Language", "en"}});
    EXPECT_NE(std::string(parse(en).at("error").at("message").as_string()).find("webhook_allow"),
              std::string::npos)
        << en.body;
    // Not an http(s) URL stays bad_url.
    EXPECT_EQ(error_code(add("https://")), "webhook.bad_url");
    // A host name over https is accepted: what it resolves to is checked at every delivery.
    EXPECT_EQ(add("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k").status, 201);
  }
  {
    WebhookAllowSetting allow(server(), "127.0.0.1/32, localhost");
    EXPECT_EQ(add("http://127.0.0.1:9/hook").status, 201);
    EXPECT_EQ(add("https://[::ffff:127.0.0.1]/hook").status, 201);
    EXPECT_EQ(add("https://localhost/hook").status, 201);
    EXPECT_EQ(add("http://localhost:9/hook").status, 201);
    auto r = add("https://10.0.0.1/hook");
    EXPECT_EQ(error_code(r), "webhook.url_refused") << r.body;
    r = add("https://[::1]/hook");
    EXPECT_EQ(error_code(r), "webhook.url_refused") << r.body;
  }
  for (const auto id : created) {
    EXPECT_EQ(office->request("DELETE", "/api/v1/webhooks/" + std::to_string(id)).status, 204);
  }
}

TEST_F(ApiCases, TheOutboxRefusesARobotTheAllowListNoLongerHolds) {
  std::atomic<int> requests{0};
  http::ServerOptions so;
  so.port = 0;
  so.threads = 1;
  http::Server receiver(so, [&](http::Request&) {
    ++requests;
    return http::Response::json(200, R"({"errcode":0,"errmsg":"ok"})");
  });
  receiver.start();
  auto office = server().login("office");
  auto hook = office->request("POST", "/api/v1/webhooks",
                              R"({"name":"内部中转","flavour":"generic","url":"http://127.0.0.1:)" +
                                  std::to_string(receiver.port()) + R"(/relay?key=SECRET"})");
  ASSERT_EQ(hook.status, 201) << hook.body;
  const auto hook_id = parse(hook).at("id").as_int64();
  (void)dispatched_case();
  {
    WebhookAllowSetting allow(server(), "");  // the relay was taken off the list
    auto stats = jobs::deliver_outbox(server().ctx(), {});
    EXPECT_EQ(stats.delivered, 0);
  }
  EXPECT_EQ(requests.load(), 0);
  std::vector<storage::OutboxItem> items;
  {
    auto lease = server().db().acquire();
    items = storage::NotifyRepo(*lease, 1).recent_outbox(50);
  }
  bool seen = false;
  for (const auto& item : items) {
    if (item.webhook_id != hook_id) continue;
    seen = true;
    EXPECT_TRUE(item.failed) << "a refusal is not retried";
    ASSERT_TRUE(item.last_error.has_value());
    EXPECT_TRUE(item.last_error->starts_with("refused: 127.0.0.1 is loopback")) << *item.last_error;
    EXPECT_EQ(item.last_error->find("SECRET"), std::string::npos) << *item.last_error;
  }
  EXPECT_TRUE(seen);
  EXPECT_EQ(office->request("DELETE", "/api/v1/webhooks/" + std::to_string(hook_id)).status, 204);
  receiver.stop(1);
}

}  // namespace
}  // namespace civicloop::test

namespace civicloop::test {
namespace {

// The loop on PostgreSQL: the same server, the same requests; full-text search goes through the
// GIN index over the terms array there, the sweep through the partial index on next_check_at.
TEST(ApiCasesOnPostgres, TheLoopSearchAndSweepRunOnPostgres) {
  if (!pg_configured()) {
    if (pg_required()) FAIL() << "CIVICLOOP_REQUIRE_PG=1 but CIVICLOOP_TEST_PG is not set";
    GTEST_SKIP() << "CIVICLOOP_TEST_PG not set";
  }
  ApiServer pg("postgres");
  ASSERT_TRUE(pg.ready());
  auto grid = pg.login("grid");
  auto office = pg.login("office");
  auto unit = pg.login("unit");
  auto supervisor = pg.login("supervisor");
  auto g = parse(
      office->request("GET", "/api/v1/org/units/" + std::to_string(pg.unit_id("140213050001-G1"))));
  const auto& ring = g.at("unit").at("boundary").at("coordinates").at(0).as_array();
  const double lng = (ring[0].at(0).to_number<double>() + ring[2].at(0).to_number<double>()) / 2;
  const double lat = (ring[0].at(1).to_number<double>() + ring[2].at(1).to_number<double>()) / 2;
  std::ostringstream body;
  body.precision(10);
  body << R"({"category":"0102","description":"河边倾倒建筑垃圾","lat":)" << lat << R"(,"lng":)"
       << lng << "}";
  auto created = grid->request("POST", "/api/v1/cases", body.str());
  ASSERT_EQ(created.status, 201) << created.body;
  const auto id = std::to_string(parse(created).at("case").at("id").as_int64());
  EXPECT_EQ(parse(created).at("case").at("subdistrict").at("name").as_string(), "永泰街道");
  auto step = [&](TestClient& c, const std::string& b) {
    auto r = c.request("POST", "/api/v1/cases/" + id + "/transitions", b);
    EXPECT_EQ(r.status, 200) << b << " -> " << r.body;
    return std::string(parse(r).at("case").at("state").as_string());
  };
  EXPECT_EQ(step(*office, R"({"action":"file"})"), "filed");
  EXPECT_EQ(step(*office, R"({"action":"dispatch"})"), "dispatched");
  EXPECT_EQ(step(*unit, R"({"action":"acknowledge"})"), "acknowledged");
  auto photo = unit->request("POST", "/api/v1/cases/" + id + "/attachments?stage=after",
                             fixture("no_exif.jpg"), {{"Content-Type", "image/jpeg"}});
  ASSERT_EQ(photo.status, 201) << photo.body;
  auto found = office->request("GET", "/api/v1/cases?q=%E5%BB%BA%E7%AD%91%E5%9E%83%E5%9C%BE");
  ASSERT_EQ(found.status, 200) << found.body;
  ASSERT_EQ(parse(found).at("items").as_array().size(), 1u);
  // Overdue on PostgreSQL too: the sweep finds it through next_check_at.
  app::CaseConfigCache cache(pg.ctx());
  app::CaseService svc(pg.ctx(), cache);
  pg.clock().advance(30LL * 24 * 3600 * 1000);
  auto s = svc.sweep(pg.clock().now());
  EXPECT_GE(s.escalations, 1);
  pg.clock().set(ApiServer::kStartTime);
  unit = pg.login("unit");
  supervisor = pg.login("supervisor");
  office = pg.login("office");
  EXPECT_EQ(step(*unit, R"({"action":"rectify"})"), "rectified");
  EXPECT_EQ(step(*supervisor, R"({"action":"verify","passed":true})"), "verified");
  EXPECT_EQ(step(*office, R"({"action":"close"})"), "closed");
  auto admin = pg.login("admin");
  EXPECT_TRUE(parse(admin->request("GET", "/api/v1/ledger/verify")).at("ok").as_bool());
}

// json_body_fuzz: Boost.JSON 1.81 reads 0e400 as NaN (and 1e400 as infinity); a report with such a
// coordinate is refused, not stored (tests/fuzz_regression_test.cpp has the boundary side).
// Input: fuzz/corpus/json_body/found_zero_exponent_nan.
TEST_F(ApiCases, FuzzRegressionZeroExponentCoordinateIsRefused) {
  auto grid = server().login("grid");
  for (const char* lat : {"0e400", "-0.0e999", "1e400"}) {
    auto r = grid->request("POST", "/api/v1/cases",
                           std::string(R"({"category":"0204","address":"永泰路12号","lat":)") +
                               lat + R"(,"lng":113.3})");
    EXPECT_EQ(r.status, 400) << lat << ": " << r.body;
    EXPECT_EQ(error_code(r), "case.bad_location") << lat;
  }
}

}  // namespace
}  // namespace civicloop::test
