// The organisation API against a real server on loopback: the 1+11+7 structure, scope denials,
// bad input, and every write leaving a ledger event.
#include "api/api.hpp"

#include <gtest/gtest.h>

#include <set>

#include "support/api_fixture.hpp"

namespace civicloop::test {
namespace {

namespace json = boost::json;

class ApiOrg : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new ApiServer("sqlite"); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static ApiServer& server() { return *server_; }
  static inline ApiServer* server_ = nullptr;

  static std::vector<std::string> names(const HttpResponse& r) {
    std::vector<std::string> out;
    const auto r_json = parse(r);
    for (const auto& i : r_json.at("items").as_array()) {
      out.emplace_back(i.at("name").as_string());
    }
    return out;
  }
  static std::int64_t ledger_head() {
    auto lease = server().db().acquire();
    return lease->query("SELECT seq FROM ledger_heads WHERE tenant_id = 1").at(0).get_int(0);
  }
};

TEST_F(ApiOrg, ElevenSupervisionGroupsWithTheArticlesNames) {
  auto c = server().login("admin");
  auto r = c->request("GET", "/api/v1/org/units?kind=supervision_group");
  ASSERT_EQ(r.status, 200) << r.body;
  const std::vector<std::string> expected = {"问卷调查工作指导督导组",
                                             "负面清单管理指导督导组",
                                             "政务服务指导督导组",
                                             "乡村文明建设指导督导组",
                                             "材料申报指导督导组",
                                             "基层创建能力提升指导督导组",
                                             "宣传氛围营造及新时代文明实践工作指导督导组",
                                             "公共卫生服务指导督导组",
                                             "服务行业工作提升指导督导组",
                                             "公共环境整治指导督导组",
                                             "未成年人思想道德建设指导督导组"};
  EXPECT_EQ(names(r), expected);
  const auto hq = server().unit_id("HQ");
  const auto r_json = parse(r);
  for (const auto& item : r_json.at("items").as_array()) {
    EXPECT_EQ(item.at("kind").as_string(), "supervision_group");
    EXPECT_EQ(item.at("parent_id").as_int64(), hq);
    EXPECT_TRUE(item.as_object().contains("id"));
  }
}

TEST_F(ApiOrg, SevenTaskForcesAndEighteenSubdistricts) {
  auto c = server().login("admin");
  auto tf = c->request("GET", "/api/v1/org/units?kind=task_force");
  ASSERT_EQ(tf.status, 200);
  EXPECT_EQ(names(tf), (std::vector<std::string>{"物业管理工作专班", "交通秩序治理工作专班",
                                                 "市容市貌整治工作专班", "校园周边环境治理工作专班",
                                                 "建筑工地管理工作专班", "站点周边环境整治工作专班",
                                                 "城市用语规范工作专班"}));
  auto sd = c->request("GET", "/api/v1/org/units?kind=subdistrict&limit=100");
  ASSERT_EQ(sd.status, 200);
  auto n = names(sd);
  ASSERT_EQ(n.size(), 18u);
  EXPECT_EQ(n.front(), "永泰街道");
  EXPECT_EQ(n.back(), "小南头街道");
  std::set<std::string> codes;
  const auto sd_json = parse(sd);
  for (const auto& i : sd_json.at("items").as_array()) codes.emplace(i.at("code").as_string());
  EXPECT_TRUE(codes.contains("140213050"));
  EXPECT_TRUE(codes.contains("140213067"));
}

TEST_F(ApiOrg, StructureIsOnePlusElevenPlusSeven) {
  auto c = server().login("leader");
  auto r = c->request("GET", "/api/v1/org/structure");
  ASSERT_EQ(r.status, 200);
  auto v = parse(r);
  EXPECT_EQ(v.at("hq").at("kind").as_string(), "hq");
  EXPECT_EQ(v.at("office").at("kind").as_string(), "hq_office");
  EXPECT_EQ(v.at("supervision_groups").as_array().size(), 11u);
  EXPECT_EQ(v.at("task_forces").as_array().size(), 7u);
  // The HQ card names its first commander among its members.
  bool first_commander = false;
  for (const auto& m : v.at("hq").at("members").as_array()) {
    first_commander |= m.at("post_code").as_string() == "first_commander";
  }
  EXPECT_TRUE(first_commander);
}

TEST_F(ApiOrg, WithoutSessionEveryApiAnswers401InTheUsersLanguage) {
  auto c = server().client();
  for (const char* path : {"/api/v1/org/units", "/api/v1/org/structure", "/api/v1/org/people",
                           "/api/v1/users", "/api/v1/ledger", "/api/v1/auth/me"}) {
    auto r = c->request("GET", path);
    EXPECT_EQ(r.status, 401) << path;
    EXPECT_EQ(error_code(r), "auth.required") << path;
    EXPECT_EQ(parse(r).at("error").at("message").as_string(), "请先登录");
  }
  auto en = c->request("GET", "/api/v1/org/units", "", {{"Accept-Language", "en-US,en;q=0.9"}});
  EXPECT_EQ(parse(en).at("error").at("message").as_string(), "Please sign in");
  auto forged = c->request("GET", "/api/v1/org/units", "",
                           {{"Cookie", "civicloop_session=1." + std::string(64, 'a')}});
  EXPECT_EQ(forged.status, 401);
}

TEST_F(ApiOrg, UnitOperatorIsDeniedAnotherSubdistrict) {
  auto c = server().login("unit");  // operator of 永泰街道 (140213050)
  const auto own = server().unit_id("140213050");
  const auto other = server().unit_id("140213051");  // 古城街道
  auto mine = c->request("GET", "/api/v1/org/units/" + std::to_string(own));
  ASSERT_EQ(mine.status, 200);
  // Each child carries its own count of active children: a community has its two grids.
  const auto mine_json = parse(mine);
  bool community_seen = false;
  for (const auto& child : mine_json.at("children").as_array()) {
    if (child.at("kind").as_string() != "community") continue;
    community_seen = true;
    EXPECT_GE(child.at("child_count").as_int64(), 2) << child.at("name").as_string();
  }
  EXPECT_TRUE(community_seen);
  auto r = c->request("GET", "/api/v1/org/units/" + std::to_string(other));
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(error_code(r), "auth.out_of_scope");
  EXPECT_EQ(c->request("GET", "/api/v1/org/units?parent_id=" + std::to_string(other)).status, 403);
  EXPECT_EQ(c->request("GET", "/api/v1/org/people?unit_id=" + std::to_string(other)).status, 403);
  EXPECT_EQ(c->request("GET", "/api/v1/org/memberships?unit_id=" + std::to_string(other)).status,
            403);
  // A person of the other subdistrict is out of reach too.
  std::int64_t other_person = 0;
  {
    auto admin = server().login("admin");
    auto ms = admin->request("GET", "/api/v1/org/memberships?unit_id=" + std::to_string(other));
    ASSERT_EQ(ms.status, 200);
    other_person = parse(ms).at("items").as_array().at(0).at("person_id").as_int64();
  }
  EXPECT_EQ(c->request("GET", "/api/v1/org/people/" + std::to_string(other_person)).status, 403);
  // Lists answer only with the operator's own subtree.
  auto list = c->request("GET", "/api/v1/org/units?kind=subdistrict");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(names(list), std::vector<std::string>{"永泰街道"});
  auto people = c->request("GET", "/api/v1/org/people?limit=200");
  ASSERT_EQ(people.status, 200);
  const auto people_json = parse(people);
  for (const auto& p : people_json.at("items").as_array()) {
    EXPECT_NE(p.at("id").as_int64(), other_person);
  }
}

TEST_F(ApiOrg, RolesWithoutThePermissionAreForbidden) {
  auto unit = server().login("unit");
  const auto own = server().unit_id("140213050");
  auto create = unit->request(
      "POST", "/api/v1/org/units",
      R"({"parent_id":)" + std::to_string(own) + R"(,"kind":"community","name":"新社区"})");
  EXPECT_EQ(create.status, 403);
  EXPECT_EQ(error_code(create), "auth.forbidden");
  EXPECT_EQ(unit->request("GET", "/api/v1/users").status, 403);
  EXPECT_EQ(unit->request("GET", "/api/v1/ledger").status, 403);
  EXPECT_EQ(unit->request("GET", "/api/v1/org/export").status, 403);
  auto citizen = server().login("citizen");
  EXPECT_EQ(citizen->request("GET", "/api/v1/org/units").status, 403);
  EXPECT_EQ(citizen->request("GET", "/api/v1/org/structure").status, 403);
  auto office = server().login("office");
  EXPECT_EQ(office->request("POST", "/api/v1/org/people", R"({"name":"张三"})").status, 403);
}

TEST_F(ApiOrg, WritesWithTheSessionCookieNeedTheCsrfToken) {
  auto c = server().login("admin");
  c->set_header("X-CSRF-Token", "");
  auto r = c->request("POST", "/api/v1/org/people", R"({"name":"李四"})");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(error_code(r), "auth.csrf");
  c->set_header("X-CSRF-Token", std::string(64, '0'));
  EXPECT_EQ(c->request("POST", "/api/v1/org/people", R"({"name":"李四"})").status, 403);
}

TEST_F(ApiOrg, BadInputGetsA4xxNamingTheFieldAndChangesNothing) {
  auto c = server().login("admin");
  const auto hq = std::to_string(server().unit_id("HQ"));
  const auto before = ledger_head();
  struct Case {
    std::string body;
    int status;
    std::string code;
    std::string field;
  };
  const std::vector<Case> cases = {
      {"{not json", 400, "request.malformed_json", ""},
      {"[1,2]", 400, "request.not_object", ""},
      {R"({"parent_id":)" + hq + R"(,"kind":"department","name":5})", 400, "request.invalid_type",
       "name"},
      {R"({"parent_id":")" + hq + R"(","kind":"department","name":"x"})", 400,
       "request.invalid_type", "parent_id"},
      {R"({"parent_id":)" + hq + R"(,"kind":"department","name":"x","colour":"red"})", 400,
       "request.unknown_field", "colour"},
      {R"({"parent_id":)" + hq + R"(,"kind":"department","name":")" + std::string(101 * 3, 'a') +
           R"("})",
       400, "field.too_long", "name"},
      {R"({"parent_id":)" + hq + R"(,"kind":"department","name":""})", 400, "field.required",
       "name"},
      {R"({"parent_id":)" + hq + R"(,"kind":"planet","name":"x"})", 400, "org.invalid_kind",
       "kind"},
      {R"({"parent_id":)" + hq + R"(,"kind":"grid","name":"x"})", 409, "org.kind_not_allowed",
       "kind"},
      {R"({"parent_id":)" + hq + R"(,"kind":"department","name":"x","code":"SG01"})", 409,
       "org.duplicate_code", "code"},
      {R"({"parent_id":)" + hq + R"(,"kind":"department","name":"x","code":"bad code!"})", 400,
       "field.invalid_code", "code"},
      {R"({"parent_id":999999,"kind":"department","name":"x"})", 404, "org.unit_not_found",
       "parent_id"},
      {R"({"parent_id":)" + hq +
           R"(,"kind":"department","name":"x","boundary":{"type":"Polygon","coordinates":[[[1,2],[3,4]]]}})",
       400, "org.invalid_boundary", "boundary"},
      // FuzzRegression (json_body_fuzz): cut to 32 bits, 4294967297 was stored as sort order 1.
      {R"({"parent_id":)" + hq + R"(,"kind":"department","name":"x","sort_order":4294967297})", 400,
       "field.out_of_range", "sort_order"},
      {R"({"parent_id":)" + hq + R"(,"kind":"department","name":"x","sort_order":-2147483649})",
       400, "field.out_of_range", "sort_order"},
  };
  for (const auto& k : cases) {
    auto r = c->request("POST", "/api/v1/org/units", k.body);
    EXPECT_EQ(r.status, k.status) << k.body << " -> " << r.body;
    EXPECT_EQ(error_code(r), k.code) << k.body;
    if (!k.field.empty()) {
      EXPECT_EQ(parse(r).at("error").at("details").at("field").as_string(), k.field) << k.body;
    }
    EXPECT_FALSE(parse(r).at("error").at("message").as_string().empty());
  }
  EXPECT_EQ(ledger_head(), before) << "a refused request wrote to the ledger";
}

TEST_F(ApiOrg, ErrorMessagesFollowAcceptLanguage) {
  auto c = server().login("admin");
  auto zh = c->request("POST", "/api/v1/org/units",
                       R"({"parent_id":1,"kind":"department","name":"x","code":"SG01"})");
  EXPECT_EQ(parse(zh).at("error").at("message").as_string(), "编码已被其他单位使用");
  c->set_header("Accept-Language", "en");
  auto en = c->request("POST", "/api/v1/org/units",
                       R"({"parent_id":1,"kind":"department","name":"x","code":"SG01"})");
  EXPECT_EQ(parse(en).at("error").at("message").as_string(), "That code is used by another unit");
}

TEST_F(ApiOrg, ABodyOverTheLimitGets413) {
  auto c = server().login("admin");
  std::string big = R"({"name":")" + std::string(2 * 1024 * 1024, 'a') + R"("})";
  auto r = c->request("POST", "/api/v1/org/people", big);
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(error_code(r), "request.body_too_large");
}

TEST_F(ApiOrg, CreateEditMoveRetireAUnitEachLeavesALedgerEvent) {
  auto c = server().login("admin");
  const auto sd = server().unit_id("140213052");  // 新旺街道
  const auto other_sd = server().unit_id("140213053");
  const auto before = ledger_head();
  auto created = c->request(
      "POST", "/api/v1/org/units",
      R"({"parent_id":)" + std::to_string(sd) +
          R"(,"kind":"community","name":"测试社区","code":"T-COMM-1","duties":"门前五包"})");
  ASSERT_EQ(created.status, 201) << created.body;
  const auto id = parse(created).at("id").as_int64();
  const auto ids = std::to_string(id);
  auto grid = c->request("POST", "/api/v1/org/units",
                         R"({"parent_id":)" + ids + R"(,"kind":"grid","name":"测试网格"})");
  ASSERT_EQ(grid.status, 201);
  const auto grid_id = parse(grid).at("id").as_int64();

  auto stale = c->request("PATCH", "/api/v1/org/units/" + ids, R"({"name":"改名","version":7})");
  EXPECT_EQ(stale.status, 409);
  EXPECT_EQ(error_code(stale), "conflict.stale_version");
  auto renamed =
      c->request("PATCH", "/api/v1/org/units/" + ids, R"({"name":"改名社区","version":1})");
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(parse(renamed).at("name").as_string(), "改名社区");
  EXPECT_EQ(parse(renamed).at("version").as_int64(), 2);

  // A unit cannot move under its own descendant.
  auto cycle = c->request("POST", "/api/v1/org/units/" + ids + "/move",
                          R"({"parent_id":)" + std::to_string(grid_id) + R"(,"version":2})");
  EXPECT_EQ(cycle.status, 409);
  EXPECT_EQ(error_code(cycle), "org.move_cycle");
  auto self = c->request("POST", "/api/v1/org/units/" + ids + "/move",
                         R"({"parent_id":)" + ids + R"(,"version":2})");
  EXPECT_EQ(error_code(self), "org.move_cycle");

  auto moved = c->request("POST", "/api/v1/org/units/" + ids + "/move",
                          R"({"parent_id":)" + std::to_string(other_sd) + R"(,"version":2})");
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(parse(moved).at("parent_id").as_int64(), other_sd);
  // The grid moved along: its ancestors now run through the new subdistrict.
  auto g = c->request("GET", "/api/v1/org/units/" + std::to_string(grid_id));
  bool through_new = false;
  const auto g_json = parse(g);
  for (const auto& a : g_json.at("ancestors").as_array()) {
    through_new |= a.at("id").as_int64() == other_sd;
  }
  EXPECT_TRUE(through_new);

  auto busy = c->request("POST", "/api/v1/org/units/" + ids + "/retire", R"({"version":3})");
  EXPECT_EQ(busy.status, 409);
  EXPECT_EQ(error_code(busy), "org.has_active_children");
  ASSERT_EQ(c->request("POST", "/api/v1/org/units/" + std::to_string(grid_id) + "/retire",
                       R"({"version":1})")
                .status,
            200);
  auto retired = c->request("POST", "/api/v1/org/units/" + ids + "/retire", R"({"version":3})");
  ASSERT_EQ(retired.status, 200) << retired.body;
  EXPECT_TRUE(parse(retired).at("retired").as_bool());

  // create, create, update, move, retire, retire
  EXPECT_EQ(ledger_head(), before + 6);
  auto events = c->request("GET", "/api/v1/ledger?entity_type=org_unit&entity_id=" + ids);
  ASSERT_EQ(events.status, 200);
  std::vector<std::string> actions;
  const auto events_json = parse(events);
  for (const auto& e : events_json.at("items").as_array()) {
    actions.emplace_back(e.at("action").as_string());
    EXPECT_EQ(e.at("actor_name").as_string(), "武亚楠");
  }
  EXPECT_EQ(actions, (std::vector<std::string>{"retire", "move", "update", "create"}));
}

TEST_F(ApiOrg, PeopleMembershipsAndOneHeadPerUnit) {
  auto c = server().login("admin");
  const auto tf = std::to_string(server().unit_id("TF05"));
  auto p = c->request("POST", "/api/v1/org/people",
                      R"({"name":"王建国","title":"区住建局副局长","phone":"13900001111"})");
  ASSERT_EQ(p.status, 201) << p.body;
  const auto pid = std::to_string(parse(p).at("id").as_int64());
  auto bad_phone = c->request("POST", "/api/v1/org/people", R"({"name":"x","phone":"call me"})");
  EXPECT_EQ(error_code(bad_phone), "field.invalid_phone");

  auto m = c->request(
      "POST", "/api/v1/org/memberships",
      R"({"person_id":)" + pid + R"(,"unit_id":)" + tf + R"(,"post_code":"task_force_member"})");
  ASSERT_EQ(m.status, 201) << m.body;
  EXPECT_EQ(parse(m).at("post_name").as_string(), "专班成员");
  auto dup = c->request(
      "POST", "/api/v1/org/memberships",
      R"({"person_id":)" + pid + R"(,"unit_id":)" + tf + R"(,"post_code":"task_force_member"})");
  EXPECT_EQ(error_code(dup), "org.duplicate_membership");
  auto head = c->request("POST", "/api/v1/org/memberships",
                         R"({"person_id":)" + pid + R"(,"unit_id":)" + tf +
                             R"(,"post_code":"task_force_lead","is_head":true})");
  EXPECT_EQ(head.status, 409);
  EXPECT_EQ(error_code(head), "org.head_exists");
  auto bad_post =
      c->request("POST", "/api/v1/org/memberships",
                 R"({"person_id":)" + pid + R"(,"unit_id":)" + tf + R"(,"post_code":"emperor"})");
  EXPECT_EQ(error_code(bad_post), "org.post_not_found");

  auto detail = c->request("GET", "/api/v1/org/people/" + pid);
  ASSERT_EQ(detail.status, 200);
  EXPECT_EQ(parse(detail).at("memberships").as_array().size(), 1u);
  auto retired = c->request("POST", "/api/v1/org/people/" + pid + "/retire", R"({"version":1})");
  ASSERT_EQ(retired.status, 200) << retired.body;
  auto after = c->request("GET", "/api/v1/org/memberships?person_id=" + pid);
  EXPECT_TRUE(parse(after).at("items").as_array().empty());
}

TEST_F(ApiOrg, LiaisonRulesAndExactlyOneAccountableLeader) {
  auto c = server().login("admin");
  const auto sd = server().unit_id("140213054");  // 振华街道
  auto cur = c->request("GET", "/api/v1/org/liaisons?unit_id=" + std::to_string(sd));
  ASSERT_EQ(cur.status, 200);
  ASSERT_EQ(parse(cur).at("items").as_array().size(), 1u);
  const auto district_leader = parse(cur).at("items").at(0).at("leader_id").as_int64();

  // A community of 振华街道 cannot have a district leader as its liaison...
  auto comm = c->request("GET", "/api/v1/org/units?kind=community&parent_id=" + std::to_string(sd));
  const auto community = parse(comm).at("items").at(0).at("id").as_int64();
  auto wrong = c->request("PUT", "/api/v1/org/liaisons",
                          R"({"unit_id":)" + std::to_string(community) + R"(,"leader_id":)" +
                              std::to_string(district_leader) + "}");
  EXPECT_EQ(wrong.status, 409);
  EXPECT_EQ(error_code(wrong), "org.liaison_needs_subdistrict_leader");
  // ...nor a grid any liaison at all.
  auto grids =
      c->request("GET", "/api/v1/org/units?kind=grid&parent_id=" + std::to_string(community));
  const auto grid = parse(grids).at("items").at(0).at("id").as_int64();
  auto not_place = c->request("PUT", "/api/v1/org/liaisons",
                              R"({"unit_id":)" + std::to_string(grid) + R"(,"leader_id":)" +
                                  std::to_string(district_leader) + "}");
  EXPECT_EQ(error_code(not_place), "org.liaison_not_place");

  // Reassigning a subdistrict to another district leader replaces the old one.
  auto leaders = c->request(
      "GET", "/api/v1/org/liaisons?unit_id=" + std::to_string(server().unit_id("140213050")));
  const auto other_leader = parse(leaders).at("items").at(0).at("leader_id").as_int64();
  ASSERT_NE(other_leader, district_leader);
  auto re = c->request("PUT", "/api/v1/org/liaisons",
                       R"({"unit_id":)" + std::to_string(sd) + R"(,"leader_id":)" +
                           std::to_string(other_leader) + "}");
  ASSERT_EQ(re.status, 200) << re.body;
  auto now = c->request("GET", "/api/v1/org/liaisons?unit_id=" + std::to_string(sd));
  ASSERT_EQ(parse(now).at("items").as_array().size(), 1u);
  EXPECT_EQ(parse(now).at("items").at(0).at("leader_id").as_int64(), other_leader);
  // A leader who is still accountable somewhere cannot leave.
  auto person = c->request("GET", "/api/v1/org/people/" + std::to_string(other_leader));
  const auto version = parse(person).at("person").at("version").as_int64();
  auto leave = c->request("POST", "/api/v1/org/people/" + std::to_string(other_leader) + "/retire",
                          R"({"version":)" + std::to_string(version) + "}");
  EXPECT_EQ(error_code(leave), "org.person_is_liaison");
}

TEST_F(ApiOrg, ExportThenImportChangesNothingAndABadImportChangesNothing) {
  auto c = server().login("admin");
  auto exported = c->request("GET", "/api/v1/org/export");
  ASSERT_EQ(exported.status, 200);
  const auto before = ledger_head();
  auto again = c->request("POST", "/api/v1/org/import", exported.body);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(parse(again).at("created").as_int64(), 0);
  EXPECT_EQ(parse(again).at("updated").as_int64(), 0);
  EXPECT_EQ(ledger_head(), before);

  // Two good new units and then one bad line: nothing of it is written.
  auto doc = parse(exported).as_object();
  json::array units;
  units.push_back(json::object{
      {"code", "NEW-1"}, {"parent", "HQ"}, {"kind", "department"}, {"name", "新部门"}});
  units.push_back(json::object{
      {"code", "NEW-2"}, {"parent", "NEW-1"}, {"kind", "department"}, {"name", "新科室"}});
  units.push_back(json::object{
      {"code", "NEW-3"}, {"parent", "NOPE"}, {"kind", "department"}, {"name", "坏行"}});
  json::object bad{{"format", "civicloop-preset/1"}, {"units", units}};
  auto r = c->request("POST", "/api/v1/org/import", json::serialize(bad));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(error_code(r), "import.unknown_parent");
  EXPECT_EQ(parse(r).at("error").at("details").at("field").as_string(), "units[2].parent");
  EXPECT_EQ(c->request("GET", "/api/v1/org/units?q=NEW-1").body.find("新部门"), std::string::npos);
  EXPECT_EQ(ledger_head(), before);
}

TEST_F(ApiOrg, PeopleAsCsvAndExcelAndCsvImport) {
  auto c = server().login("admin");
  auto csv = c->request("GET", "/api/v1/org/people.csv");
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.body.substr(0, 3), "\xEF\xBB\xBF");
  EXPECT_NE(csv.body.find("编号,姓名,职务,电话,任职"), std::string::npos);
  auto xlsx = c->request("GET", "/api/v1/org/people.xlsx");
  ASSERT_EQ(xlsx.status, 200);
  EXPECT_EQ(xlsx.body.substr(0, 2), "PK");  // a zip container

  const std::string import =
      "姓名,职务,电话,任职\r\n赵文明,网格员,13900002222,SG02:group_member\r\n";
  auto r = c->request("POST", "/api/v1/org/people/import", import,
                      {{"Content-Type", "text/csv; charset=utf-8"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(parse(r).at("created").as_int64(), 1);
  auto found = c->request("GET", "/api/v1/org/people?q=赵文明");
  ASSERT_EQ(parse(found).at("items").as_array().size(), 1u);

  const auto before = ledger_head();
  auto bad = c->request("POST", "/api/v1/org/people/import",
                        "姓名,任职\r\n钱一,SG02:group_member\r\n孙二,NOPE:group_member\r\n",
                        {{"Content-Type", "text/csv"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(error_code(bad), "import.unknown_unit");
  EXPECT_EQ(parse(bad).at("error").at("details").at("line").as_string(), "3");
  EXPECT_EQ(ledger_head(), before);
  auto unquoted = c->request("POST", "/api/v1/org/people/import", "姓名\r\n\"unterminated\r\n",
                             {{"Content-Type", "text/csv"}});
  EXPECT_EQ(error_code(unquoted), "import.bad_csv");
}

TEST_F(ApiOrg, PaginationWalksEveryUnitOnce) {
  auto c = server().login("admin");
  std::set<std::int64_t> seen;
  std::string cursor;
  int pages = 0;
  for (;;) {
    auto r = c->request("GET", "/api/v1/org/units?kind=grid&limit=17" +
                                   (cursor.empty() ? "" : "&cursor=" + cursor));
    ASSERT_EQ(r.status, 200) << r.body;
    auto v = parse(r);
    for (const auto& i : v.at("items").as_array()) {
      EXPECT_TRUE(seen.insert(i.at("id").as_int64()).second) << "seen twice";
    }
    ++pages;
    if (v.at("next_cursor").is_null()) break;
    cursor = std::string(v.at("next_cursor").as_string());
  }
  EXPECT_GE(seen.size(), 100u);
  EXPECT_GT(pages, 5);
  EXPECT_EQ(c->request("GET", "/api/v1/org/units?cursor=garbage").status, 400);
  EXPECT_EQ(c->request("GET", "/api/v1/org/units?limit=0").status, 400);
  EXPECT_EQ(c->request("GET", "/api/v1/org/units?limit=abc").status, 400);
}

TEST_F(ApiOrg, SearchFindsChineseSubstrings) {
  auto c = server().login("admin");
  auto r = c->request("GET", "/api/v1/org/units?q=%E7%8E%AF%E5%A2%83");  // 环境
  ASSERT_EQ(r.status, 200);
  auto n = names(r);
  EXPECT_NE(std::find(n.begin(), n.end(), "公共环境整治指导督导组"), n.end());
  auto none = c->request("GET", "/api/v1/org/units?q=%25");  // a literal '%'
  EXPECT_TRUE(parse(none).at("items").as_array().empty());
}

}  // namespace
}  // namespace civicloop::test
