// Intake that places every report, on SQLite and on PostgreSQL: a point outside the district is
// refused with case.outside_area and its distance (or, under the "flag" policy, accepted with no
// area and flagged for the office); a point on an edge two subdistricts share gets its grid,
// community and subdistrict from one branch and is routed to that subdistrict; a report with a
// point and no address carries the place's names as its printed location (notice PDF, Excel).
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <sstream>

#include "app/context.hpp"
#include "storage/config_repo.hpp"
#include "support/api_fixture.hpp"
#include "support/documents.hpp"
#include "support/test_db.hpp"

namespace civicloop::test {
namespace {

namespace json = boost::json;

class Intake : public ::testing::TestWithParam<std::string> {
 protected:
  static void TearDownTestSuite() { servers().clear(); }

  void SetUp() override {
    if (GetParam() == kPostgresBackend && !pg_configured()) {
      if (pg_required()) FAIL() << "CIVICLOOP_REQUIRE_PG=1 but CIVICLOOP_TEST_PG is not set";
      GTEST_SKIP() << "PostgreSQL not configured: run under scripts/with-pg.sh";
    }
    auto& s = servers()[GetParam()];
    if (!s) s = std::make_unique<ApiServer>(GetParam());  // one per backend for the suite
    ASSERT_TRUE(s->ready());
    server_ = s.get();
  }

  static std::map<std::string, std::unique_ptr<ApiServer>>& servers() {
    static std::map<std::string, std::unique_ptr<ApiServer>> m;
    return m;
  }
  ApiServer& server() { return *server_; }

  json::value unit(TestClient& c, std::int64_t id) {
    auto r = c.request("GET", "/api/v1/org/units/" + std::to_string(id));
    EXPECT_EQ(r.status, 200) << r.body;
    return parse(r).at("unit");
  }

  static std::string body_at(double lat, double lng, const std::string& address = "",
                             const std::string& category = "0102") {
    std::ostringstream b;
    b.precision(12);
    b << R"({"category":")" << category << R"(","description":"路边堆放生活垃圾")";
    if (!address.empty()) b << R"(,"address":")" << address << '"';
    b << R"(,"lat":)" << lat << R"(,"lng":)" << lng << "}";
    return b.str();
  }

  static HttpResponse report(TestClient& c, double lat, double lng,
                             const std::string& address = "") {
    return c.request("POST", "/api/v1/cases", body_at(lat, lng, address));
  }

  static HttpResponse act(TestClient& c, std::int64_t id, const std::string& body) {
    return c.request("POST", "/api/v1/cases/" + std::to_string(id) + "/transitions", body);
  }

  void set_outside_policy(const std::string& policy) {
    auto lease = server().db().acquire();
    storage::ConfigRepo repo(*lease, 1);
    auto w = repo.workflow().value_or(storage::WorkflowSettings{});
    w.outside_area_policy = policy;
    repo.save_workflow(w);
    app::config_changed();
  }

  // The district outline: the HQ's boundary.
  json::array outline(TestClient& c) {
    return unit(c, server().unit_id("HQ")).at("boundary").at("coordinates").at(0).as_array();
  }

  ApiServer* server_ = nullptr;
};

TEST_P(Intake, APointOutsideTheDistrictIsRefusedWithItsDistance) {
  auto grid = server().login("grid");
  auto office = server().login("office");
  auto before = parse(office->request("GET", "/api/v1/cases?limit=200")).at("items").as_array();

  // Beijing, about 270 km east.
  auto beijing = report(*grid, 39.9, 116.4);
  EXPECT_EQ(beijing.status, 422) << beijing.body;
  EXPECT_EQ(error_code(beijing), "case.outside_area");
  const auto details = parse(beijing).at("error").at("details");
  EXPECT_EQ(details.at("field").as_string(), "lat");
  const auto far = std::stoll(std::string(details.at("distance_m").as_string()));
  EXPECT_GT(far, 200000);
  EXPECT_LT(far, 320000);
  EXPECT_NE(std::string(parse(beijing).at("error").at("message").as_string()).find("米"),
            std::string::npos);

  // 10 km north of the district's northernmost vertex: about 10 km from the outline (no point of
  // the outline is further north than that vertex).
  double lat = -90;
  double lng = 0;
  for (const auto& p : outline(*office)) {
    if (p.at(1).to_number<double>() > lat) {
      lat = p.at(1).to_number<double>();
      lng = p.at(0).to_number<double>();
    }
  }
  grid->set_header("Accept-Language", "en");
  auto north = report(*grid, lat + 10000.0 / 111195.08, lng);
  grid->set_header("Accept-Language", "");
  EXPECT_EQ(north.status, 422) << north.body;
  EXPECT_EQ(error_code(north), "case.outside_area");
  const auto ten_km =
      std::stoll(std::string(parse(north).at("error").at("details").at("distance_m").as_string()));
  EXPECT_GE(ten_km, 9900);
  EXPECT_LE(ten_km, 10100);
  EXPECT_NE(std::string(parse(north).at("error").at("message").as_string()).find("outside"),
            std::string::npos);

  // No fix (0, 0) and impossible coordinates are bad input, not a place.
  for (const auto& [la, ln] : {std::pair{0.0, 0.0}, std::pair{91.0, 113.3}, std::pair{40.08, 181.0},
                               std::pair{-91.0, 0.0}}) {
    auto r = report(*grid, la, ln);
    EXPECT_EQ(r.status, 400) << la << "," << ln << " " << r.body;
    EXPECT_EQ(error_code(r), "case.bad_location");
  }
  auto half = grid->request("POST", "/api/v1/cases", R"({"category":"0102","lat":40.08})");
  EXPECT_EQ(error_code(half), "case.bad_location");

  // Nothing was created.
  auto after = parse(office->request("GET", "/api/v1/cases?limit=200")).at("items").as_array();
  EXPECT_EQ(after.size(), before.size());
}

TEST_P(Intake, UnderTheFlagPolicyAPointOutsideIsAcceptedUnplacedAndFlagged) {
  set_outside_policy("flag");
  {
    auto lease = server().db().acquire();
    EXPECT_EQ(storage::ConfigRepo(*lease, 1).workflow()->outside_area_policy, "flag");
  }
  auto grid = server().login("grid");
  auto office = server().login("office");
  auto r = report(*grid, 39.9, 116.4);
  set_outside_policy("refuse");
  ASSERT_EQ(r.status, 201) << r.body;
  const auto c = parse(r).at("case");
  const auto id = c.at("id").as_int64();
  EXPECT_TRUE(c.at("grid").is_null());
  EXPECT_TRUE(c.at("community").is_null());
  EXPECT_TRUE(c.at("subdistrict").is_null());
  // The flag is the office's: the reporter's view of his own case leaves it false.
  EXPECT_FALSE(c.at("needs_placement").as_bool());
  // No address typed and no place: the coordinates are the printed location.
  EXPECT_EQ(c.at("address").as_string(), "39.900000, 116.400000");

  auto view = parse(office->request("GET", "/api/v1/cases/" + std::to_string(id)));
  EXPECT_TRUE(view.at("case").at("needs_placement").as_bool());
  // The ledger says why.
  const auto& events = view.at("events").as_array();
  ASSERT_FALSE(events.empty());
  const auto& first = events.front();
  EXPECT_EQ(first.at("action").as_string(), "report");
  ASSERT_TRUE(first.at("note").is_string());
  EXPECT_EQ(std::string(first.at("note").as_string()).rfind("outside_area distance_m=", 0), 0u);

  // The triage queue shows it; the office files it and places it by hand with the dispatch.
  bool listed = false;
  const auto queue = parse(office->request("GET", "/api/v1/cases?state=reported&limit=200"));
  for (const auto& it : queue.at("items").as_array()) {
    if (it.at("id").as_int64() == id) listed = it.at("needs_placement").as_bool();
  }
  EXPECT_TRUE(listed);
  auto filed = act(*office, id, R"({"action":"file"})");
  ASSERT_EQ(filed.status, 200) << filed.body;
  EXPECT_TRUE(parse(filed).at("case").at("needs_placement").as_bool());
  const auto yongtai = server().unit_id("140213050");
  auto dispatched = act(*office, id,
                        R"({"action":"dispatch","unit_id":)" + std::to_string(yongtai) +
                            R"(,"note":"人工定位：属永泰街道"})");
  ASSERT_EQ(dispatched.status, 200) << dispatched.body;
  const auto d = parse(dispatched).at("case");
  EXPECT_EQ(d.at("assigned_unit").at("id").as_int64(), yongtai);
  EXPECT_FALSE(d.at("needs_placement").as_bool());

  // Back to "refuse": the same point is refused again.
  EXPECT_EQ(error_code(report(*grid, 39.9, 116.4)), "case.outside_area");
}

TEST_P(Intake, APointOnASharedSubdistrictEdgeHasOneBranchAndIsRoutedThere) {
  auto office = server().login("office");
  // 古城街道 and 御河街道 (its eastern neighbour) share a meridian: the east edge of one is the
  // west edge of the other, with exactly the same coordinate values.
  struct Pair {
    const char* west;
    const char* east;
  };
  int checked = 0;
  for (const auto& [w, e] : {Pair{"140213051", "140213057"}, Pair{"140213055", "140213051"},
                             Pair{"140213057", "140213058"}, Pair{"140213061", "140213063"}}) {
    const auto wid = server().unit_id(w);
    const auto eid = server().unit_id(e);
    const auto wb = unit(*office, wid).at("boundary").at("coordinates").at(0).as_array();
    const auto eb = unit(*office, eid).at("boundary").at("coordinates").at(0).as_array();
    double w_east = -180;
    for (const auto& p : wb) w_east = std::max(w_east, p.at(0).to_number<double>());
    double e_west = 180;
    for (const auto& p : eb) e_west = std::min(e_west, p.at(0).to_number<double>());
    ASSERT_EQ(w_east, e_west) << w << " and " << e << " share an edge";
    // The latitudes both have on that meridian; the middle of their overlap, 6 decimals.
    auto span = [&](const json::array& ring) {
      double lo = 90;
      double hi = -90;
      for (const auto& p : ring) {
        if (p.at(0).to_number<double>() != w_east) continue;
        lo = std::min(lo, p.at(1).to_number<double>());
        hi = std::max(hi, p.at(1).to_number<double>());
      }
      return std::pair{lo, hi};
    };
    const auto [wl, wh] = span(wb);
    const auto [el, eh] = span(eb);
    const double lo = std::max(wl, el);
    const double hi = std::min(wh, eh);
    ASSERT_LT(lo, hi);
    const double lat = std::round((lo + hi) / 2 * 1e6) / 1e6;
    const double lng = w_east;

    auto r = report(*office, lat, lng, "交界处");
    ASSERT_EQ(r.status, 201) << r.body;
    const auto c = parse(r).at("case");
    ASSERT_TRUE(c.at("grid").is_object()) << c;
    // One branch: the grid's parent is the community, the community's parent the subdistrict.
    const auto g = unit(*office, c.at("grid").at("id").as_int64());
    const auto com = unit(*office, c.at("community").at("id").as_int64());
    EXPECT_EQ(g.at("parent_id").as_int64(), com.at("id").as_int64());
    EXPECT_EQ(com.at("parent_id").as_int64(), c.at("subdistrict").at("id").as_int64());
    // The stated rule: the area with the smaller unit id. In the demo, the grids of a subdistrict
    // with a smaller id were created first, so that subdistrict's side wins.
    const auto sd = c.at("subdistrict").at("id").as_int64();
    EXPECT_EQ(sd, std::min(wid, eid)) << w << "/" << e << " at " << lat << "," << lng;
    // The route preview and the filing agree: the case goes to that subdistrict.
    std::ostringstream q;
    q.precision(12);
    q << "/api/v1/cases/route-preview?category=0102&lat=" << lat << "&lng=" << lng;
    auto pv = office->request("GET", q.str());
    ASSERT_EQ(pv.status, 200) << pv.body;
    EXPECT_EQ(parse(pv).at("place").at("subdistrict").at("id").as_int64(), sd) << pv.body;
    EXPECT_EQ(parse(pv).at("unit").at("id").as_int64(), sd) << pv.body;
    auto filed = act(*office, c.at("id").as_int64(), R"({"action":"file"})");
    ASSERT_EQ(filed.status, 200) << filed.body;
    EXPECT_EQ(parse(filed).at("case").at("assigned_unit").at("id").as_int64(), sd);
    ++checked;
  }
  EXPECT_EQ(checked, 4);
}

TEST_P(Intake, APointWithoutAnAddressPrintsThePlaceNames) {
  auto grid = server().login("grid");
  auto office = server().login("office");
  const auto [lat, lng] =
      point_inside(unit(*office, server().unit_id("140213050001-G1")).at("boundary"));
  auto r = report(*grid, lat, lng);
  ASSERT_EQ(r.status, 201) << r.body;
  const auto c = parse(r).at("case");
  EXPECT_EQ(c.at("address").as_string(), "永泰街道 永泰北社区 第1网格");
  EXPECT_FALSE(c.at("needs_placement").as_bool());
  const auto id = c.at("id").as_int64();
  // A typed address stays as typed.
  auto typed = report(*grid, lat, lng, "永泰路12号");
  EXPECT_EQ(parse(typed).at("case").at("address").as_string(), "永泰路12号");

  // The notice prints it under 位置, and so does the Excel list.
  ASSERT_EQ(act(*office, id, R"({"action":"file"})").status, 200);
  auto dispatched = act(*office, id, R"({"action":"dispatch"})");
  ASSERT_EQ(dispatched.status, 200) << dispatched.body;
  const auto notice = parse(dispatched).at("notice");
  auto pdf = office->request("GET", std::string(notice.at("pdf_url").as_string()));
  ASSERT_EQ(pdf.status, 200);
  // The cell is narrow and wraps: read it in reading order.
  const auto text = pdf_reading_text(pdf.body);
  EXPECT_NE(text.find("永泰街道永泰北社区第1网格"), std::string::npos) << text;
  auto xlsx = office->request("GET", "/api/v1/cases.xlsx?state=dispatched");
  ASSERT_EQ(xlsx.status, 200);
  EXPECT_NE(xlsx_text(xlsx.body).find("永泰街道 永泰北社区 第1网格"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, Intake, ::testing::ValuesIn(test_backends()), backend_name);

}  // namespace
}  // namespace civicloop::test
