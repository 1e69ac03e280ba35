// The authorization matrix: every route of the OpenAPI description × every role (and the anonymous
// caller) × a target in the actor's own place and a target in another place.
//
// The routes come from the embedded description (the one served at /api/v1/openapi.json, which
// ApiAuth.OpenApiDescribesExactlyTheRoutesTheServerHas checks against the router), so a new route
// without a row here fails AuthzMatrix.* with "add a row to the authz matrix". Each row says, as
// data, what each role must get for its own place and for the other place, and which kinds of data
// a 2xx answer (JSON, Excel, PDF, CSV) may not embed for a role that may not see them. How to add a
// row: docs/security.md, "The authorization matrix".
//
// The places: 永泰街道 (140213050), where the demo `unit` user works, with 永泰北社区第1网格, the
// demo `grid` user's grid, is the own place; 古城街道 (140213051) with 古城北社区第1网格 is the
// other place. A citizen's own place is their own report.
#include "api/api.hpp"

#include <gtest/gtest.h>
#include <sodium.h>
#include <unistd.h>

#include <array>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>

#include "app/context.hpp"
#include "storage/account_repo.hpp"
#include "storage/embedded.hpp"
#include "storage/notify_repo.hpp"
#include "storage/org_repo.hpp"
#include "support/api_fixture.hpp"

namespace civicloop::test {
namespace {

namespace json = boost::json;

// ---------------------------------------------------------------------------------------------
// Roles, places, outcomes and what may be embedded: the vocabulary of the table.

enum class Role {
  kHqAdmin,
  kHqStaff,
  kLeader,
  kSupervisor,
  kTaskForceMember,
  kUnitOperator,
  kGridWorker,
  kCitizen,
  kAnonymous,
};
constexpr std::size_t kRoleCount = 9;
constexpr std::array<Role, kRoleCount> kRoles = {
    Role::kHqAdmin,    Role::kHqStaff,         Role::kLeader,
    Role::kSupervisor, Role::kTaskForceMember, Role::kUnitOperator,
    Role::kGridWorker, Role::kCitizen,         Role::kAnonymous};

std::size_t idx(Role r) { return static_cast<std::size_t>(r); }

enum class Place { kOwn, kOther };
std::size_t idx(Place p) { return p == Place::kOwn ? 0 : 1; }

// Kinds of data an answer may embed. A role that does not see a kind must not find it in any
// 2xx body of a row that checks that kind.
enum Marks : unsigned {
  kOtherPlace = 1,  // cases, case numbers, titles and notices of 古城街道
  kOwnStaff = 2,    // cases and notices of 永泰街道 that staff reported (not the citizen's own)
  kInternal = 4,    // internal notes, return and extension reasons, staff names on a case
  kOtherOrg = 8,    // units and people of 古城街道
};
constexpr unsigned kCaseMarks = kOtherPlace | kOwnStaff | kInternal;
constexpr unsigned kEverything = kOtherPlace | kOwnStaff | kInternal | kOtherOrg;

struct RoleInfo {
  const char* name;
  const char* demo_user;  // nullptr: the anonymous caller
  unsigned sees;          // the Marks this role may be shown
};
// Tenant-wide roles see both places; unit-bound roles see their own place (its internal notes
// included); a citizen sees their own reports and nothing internal (docs/security.md).
constexpr std::array<RoleInfo, kRoleCount> kRoleInfo = {{
    {"hq_admin", "admin", kEverything},
    {"hq_staff", "office", kEverything},
    {"leader", "leader", kEverything},
    {"supervisor", "supervisor", kEverything},
    {"task_force_member", "taskforce", kEverything},
    {"unit_operator", "unit", kOwnStaff | kInternal},
    {"grid_worker", "grid", kOwnStaff | kInternal},
    {"citizen", "citizen", 0},
    {"anonymous", nullptr, 0},
}};

enum class Outcome {
  kOk,               // ok: 2xx
  kForbidden,        // fb: 403 auth.forbidden (the role lacks the permission)
  kOutOfScope,       // os: 403 auth.out_of_scope (the target lies outside the data scope)
  kDenied,           // dn: 403 with either code (both reasons apply)
  kNotFound,         // nf: 404 (the design hides that it exists: another user's token or message)
  kUnauthenticated,  // un: 401 auth.required
  kHidden,           // hd: 2xx without the other place's data, 403 auth.out_of_scope or 404
  kPassed,           // pa: past authorization: any answer but 401 auth.required and the 403s
};
struct OutcomeName {
  const char* code;
  Outcome outcome;
  const char* text;
};
constexpr std::array<OutcomeName, 8> kOutcomes = {{
    {"ok", Outcome::kOk, "2xx"},
    {"fb", Outcome::kForbidden, "403 auth.forbidden"},
    {"os", Outcome::kOutOfScope, "403 auth.out_of_scope"},
    {"dn", Outcome::kDenied, "403 auth.forbidden or auth.out_of_scope"},
    {"nf", Outcome::kNotFound, "404"},
    {"un", Outcome::kUnauthenticated, "401 auth.required"},
    {"hd", Outcome::kHidden, "2xx (filtered), 403 auth.out_of_scope or 404"},
    {"pa", Outcome::kPassed, "past authorization (a 2xx or a business error)"},
}};

const char* outcome_text(Outcome o) {
  for (const auto& n : kOutcomes) {
    if (n.outcome == o) return n.text;
  }
  return "?";
}

// "ok ok fb ..." → one outcome per role, in kRoles order; nullopt when malformed.
std::optional<std::vector<Outcome>> parse_outcomes(const std::string& text) {
  std::istringstream in(text);
  std::vector<Outcome> out;
  std::string word;
  while (in >> word) {
    bool known = false;
    for (const auto& n : kOutcomes) {
      if (word == n.code) {
        out.push_back(n.outcome);
        known = true;
      }
    }
    if (!known) return std::nullopt;
  }
  if (out.size() != kRoleCount) return std::nullopt;
  return out;
}

// Common rows of outcomes, in the order hq_admin hq_staff leader supervisor task_force_member
// unit_operator grid_worker citizen anonymous.
constexpr const char* kPublic = "ok ok ok ok ok ok ok ok ok";
constexpr const char* kSignedIn = "ok ok ok ok ok ok ok ok un";
// org.read or cases.read without a target: every role but the citizen.
constexpr const char* kStaff = "ok ok ok ok ok ok ok fb un";
// A scoped read of one target in the own place (the citizen's scope holds no unit at all).
constexpr const char* kStaffOwn = "ok ok ok ok ok ok ok dn un";
// A scoped read of one target in the other place.
constexpr const char* kStaffOther = "ok ok ok ok ok os os dn un";
// The same read of a case or photo: a citizen may read cases, only their own.
constexpr const char* kCaseOther = "ok ok ok ok ok os os os un";
// A list filtered to the other place: unit-bound roles get nothing of it.
constexpr const char* kListOther = "ok ok ok ok ok hd hd fb un";
// org.write and users.manage (hq_admin) on a target in the own place, in the other place.
constexpr const char* kAdminOwn = "ok fb fb fb fb fb fb dn un";
constexpr const char* kAdminOther = "ok fb fb fb fb dn dn dn un";
// ... where the target lies in 永泰街道 but outside the grid worker's grid.
constexpr const char* kAdminOwnAboveGrid = "ok fb fb fb fb fb dn dn un";
constexpr const char* kAdminOnly = "ok fb fb fb fb fb fb fb un";
constexpr const char* kLedger = "ok ok ok fb fb fb fb fb un";
// cases.configure (hq_admin, hq_staff), and the HQ office's case actions.
constexpr const char* kHq = "ok ok fb fb fb fb fb fb un";
constexpr const char* kHqOther = "ok ok fb fb fb dn dn dn un";

// ---------------------------------------------------------------------------------------------
// Requests and rows.

enum class BodyKind { kNone, kJson, kXlsx, kPdf, kCsv };
enum class Via {
  kRole,            // the role's signed-in client (the anonymous one for the anonymous caller)
  kFreshAnonymous,  // a new client without a session
  kFreshSession,    // a new session of the role's demo user (for sign-out)
};

struct Req {
  std::string path;
  std::string body;
  std::map<std::string, std::string> headers;
  Via via = Via::kRole;
};

struct World;
using Build = std::function<Req(World&, Role, Place)>;

struct Row {
  std::string method;
  std::string path;     // as in the OpenAPI description
  std::string variant;  // several rows may test one route (one per action, say)
  std::string own;      // outcomes for a target in the own place
  std::string other;    // outcomes for a target in the other place; "" when the route has no place
  BodyKind body = BodyKind::kNone;
  unsigned marks = 0;  // what a 2xx body is searched for
  Build build;
};

// ---------------------------------------------------------------------------------------------
// The world: one server, the demo users, two more users in the other place, and fixtures.

constexpr const char* kPassword = "Matrix#2026";

std::string read_fixture(const std::string& name) {
  std::ifstream in(std::string(CIVICLOOP_SOURCE_DIR) + "/tests/fixtures/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string describe(const HttpResponse& r) {
  auto code = error_code(r);
  std::string out = std::to_string(r.status);
  if (!code.empty()) out += " " + code;
  return out;
}

// A fixture request that must succeed; throws with the answer otherwise.
json::value must(TestClient& c, const std::string& method, const std::string& path,
                 const std::string& body = "", const std::map<std::string, std::string>& h = {}) {
  auto r = c.request(method, path, body, h);
  if (r.status < 200 || r.status > 299) {
    throw std::runtime_error("fixture " + method + " " + path + " -> " + describe(r) + " " +
                             r.body.substr(0, 300));
  }
  return r.body.empty() ? json::value(nullptr) : parse(r);
}

struct World {
  ApiServer server;
  std::array<std::unique_ptr<TestClient>, kRoleCount> clients;
  std::array<std::int64_t, kRoleCount> user_ids{};
  std::unique_ptr<TestClient> other_grid;  // grid_worker of 古城北社区第1网格
  std::int64_t other_unit_user = 0;  // unit_operator of 古城街道: owns "another user's" things

  // Places, [own, other].
  std::int64_t dept = 0;  // 区城市管理局: the unit of a notice spanning both subdistricts
  std::array<std::int64_t, 2> subdistrict{}, community{}, grid{}, secretary{}, marked_person{};
  std::array<std::string, 2> grid_code{};
  std::array<std::pair<double, double>, 2> centre{};

  // Shared fixtures.
  std::int64_t o1 = 0, o2 = 0, x1 = 0, x2 = 0, c1 = 0;
  std::int64_t n_own = 0, n_other = 0, n_mixed = 0, n_citizen = 0;
  std::int64_t att_own = 0, att_other = 0, att_citizen = 0;
  std::int64_t target_own = 0, target_other = 0, target_citizen = 0;  // open cases to attach to
  std::array<std::int64_t, 2> bulletin{};  // published, addressed to one place each (lazily)
  // A meeting whose minutes are issued, with an action item of each place's subdistrict; and a
  // closed item (with its photo) of each.
  std::int64_t meeting = 0;
  std::array<std::int64_t, 2> item{}, closed_item{};

  // What answers are searched for: case ids by kind, and texts by kind.
  std::map<std::int64_t, std::pair<unsigned, std::string>> case_marks;
  std::vector<std::pair<unsigned, std::string>> text_marks;

  std::string photo = read_fixture("no_exif.jpg");
  int seq = 0;

  // Cells run and cells failed, for the summary.
  int cells = 0;
  int failed_cells = 0;
  std::set<std::string> routes_run;

  World() { build(); }

  TestClient& as(Role r) { return *clients[idx(r)]; }
  TestClient& admin() { return as(Role::kHqAdmin); }
  TestClient& office() { return as(Role::kHqStaff); }
  // The grid worker of a place: reports there and fixes on the spot.
  TestClient& local_grid(Place p) { return p == Place::kOwn ? as(Role::kGridWorker) : *other_grid; }
  std::int64_t user_of(Role r) {
    return r == Role::kAnonymous ? user_ids[idx(Role::kCitizen)] : user_ids[idx(r)];
  }
  std::string next(const std::string& prefix) { return prefix + std::to_string(++seq); }

  std::pair<double, double> centre_of(std::int64_t unit) {
    auto v = must(admin(), "GET", "/api/v1/org/units/" + std::to_string(unit));
    return point_inside(v.at("unit").at("boundary"));
  }

  std::int64_t person_with_post(std::int64_t unit, const std::string& post) {
    auto v = must(admin(), "GET", "/api/v1/org/units/" + std::to_string(unit));
    for (const auto& m : v.at("members").as_array()) {
      if (m.at("post_code").as_string() == post) return m.at("person_id").as_int64();
    }
    throw std::runtime_error("no " + post + " in unit " + std::to_string(unit));
  }

  // Reports a problem; returns the whole answer.
  json::value report_json(TestClient& c, const std::string& category, std::pair<double, double> at,
                          const std::string& title) {
    json::object b{{"category", category},   {"title", title},  {"description", title + "的描述"},
                   {"address", "矩阵路1号"}, {"lat", at.first}, {"lng", at.second}};
    return must(c, "POST", "/api/v1/cases", json::serialize(b));
  }
  std::int64_t report(TestClient& c, const std::string& category, std::pair<double, double> at,
                      const std::string& title) {
    return report_json(c, category, at, title).at("case").at("id").as_int64();
  }
  json::value act(TestClient& c, std::int64_t id, const json::object& body) {
    return must(c, "POST", "/api/v1/cases/" + std::to_string(id) + "/transitions",
                json::serialize(body));
  }
  std::int64_t upload(TestClient& c, std::int64_t id, const std::string& stage) {
    return must(c, "POST", "/api/v1/cases/" + std::to_string(id) + "/attachments?stage=" + stage,
                photo, {{"Content-Type", "image/jpeg"}})
        .at("id")
        .as_int64();
  }
  std::string case_no(std::int64_t id) {
    return std::string(must(admin(), "GET", "/api/v1/cases/" + std::to_string(id))
                           .at("case")
                           .at("case_no")
                           .as_string());
  }
  void mark_case(std::int64_t id, unsigned cls, const std::string& label,
                 const std::string& title) {
    case_marks[id] = {cls, label};
    text_marks.emplace_back(cls, case_no(id));
    text_marks.emplace_back(cls, title);
  }
  void mark_notice(std::int64_t id, unsigned cls) {
    auto n = must(admin(), "GET", "/api/v1/notices/" + std::to_string(id));
    text_marks.emplace_back(cls, std::string(n.at("number").as_string()));
  }

  // A meeting held before the server's clock with one decision per owner unit; issued when
  // `issue`. Returns the meeting view.
  json::value new_meeting(const std::vector<std::int64_t>& owners, bool issue) {
    json::array decisions;
    for (const auto u : owners) {
      decisions.push_back(
          json::object{{"text", next("矩阵议定事项")},
                       {"owner_unit_id", u},
                       {"limit", json::object{{"amount", 5}, {"unit", "working_days"}}}});
    }
    json::object b{{"kind", "regular"},
                   {"title", next("矩阵例会")},
                   {"starts_at", "2026-11-30T01:00:00Z"},
                   {"agenda", json::array{json::object{{"title", "矩阵议程"}}}},
                   {"decisions", std::move(decisions)}};
    auto v = must(office(), "POST", "/api/v1/meetings", json::serialize(b));
    if (!issue) return v;
    return must(
        office(), "POST",
        "/api/v1/meetings/" + std::to_string(v.at("meeting").at("id").as_int64()) + "/issue",
        json::serialize(json::object{{"version", 1}}));
  }

  void build();
};

void World::build() {
  if (!server.ready()) throw std::runtime_error("server did not start");
  for (const auto r : kRoles) {
    const auto* user = kRoleInfo[idx(r)].demo_user;
    if (user == nullptr) {
      clients[idx(r)] = server.client();
      clients[idx(r)]->set_header("Content-Type", "application/json");
      continue;
    }
    clients[idx(r)] = server.login(user);
    user_ids[idx(r)] = must(as(r), "GET", "/api/v1/auth/me").at("user").at("id").as_int64();
  }
  subdistrict = {server.unit_id("140213050"), server.unit_id("140213051")};
  community = {server.unit_id("140213050001"), server.unit_id("140213051001")};
  grid_code = {"140213050001-G1", "140213051001-G1"};
  grid = {server.unit_id(grid_code[0]), server.unit_id(grid_code[1])};
  dept = server.unit_id("DEPT01");
  for (std::size_t p = 0; p < 2; ++p) {
    centre[p] = centre_of(grid[p]);
    secretary[p] = person_with_post(subdistrict[p], "subdistrict_secretary");
  }

  // The other place's unit operator and grid worker.
  auto make_user = [&](const std::string& name, const char* role, std::int64_t unit) {
    json::object b{{"username", name}, {"password", kPassword}, {"role", role}, {"unit_id", unit}};
    return must(admin(), "POST", "/api/v1/users", json::serialize(b)).at("id").as_int64();
  };
  other_unit_user = make_user("mx_gucheng_unit", "unit_operator", subdistrict[1]);
  make_user("mx_gucheng_grid", "grid_worker", grid[1]);
  other_grid = server.login("mx_gucheng_grid", kPassword);

  // One marked person in each place.
  for (std::size_t p = 0; p < 2; ++p) {
    const std::string name = p == 0 ? "矩阵本地标记人" : "矩阵外地标记人";
    marked_person[p] =
        must(admin(), "POST", "/api/v1/org/people", json::serialize(json::object{{"name", name}}))
            .at("id")
            .as_int64();
    must(admin(), "POST", "/api/v1/org/memberships",
         json::serialize(json::object{
             {"person_id", marked_person[p]}, {"unit_id", grid[p]}, {"post_code", "grid_worker"}}));
  }
  for (const char* t : {"矩阵外地标记人", "古城街道", "古城北社区", "140213051"}) {
    text_marks.emplace_back(kOtherOrg, t);
  }

  // One case in each place, dispatched to its subdistrict with a notice.
  auto dispatch = [&](std::int64_t id, std::int64_t unit, const std::string& note) {
    act(office(), id, {{"action", "file"}});
    return act(office(), id, {{"action", "dispatch"}, {"unit_id", unit}, {"note", note}})
        .at("notice")
        .at("id")
        .as_int64();
  };
  o1 = report(local_grid(Place::kOwn), "0102", centre[0], "矩阵本地一号问题");
  x1 = report(local_grid(Place::kOther), "0102", centre[1], "矩阵外地一号问题");
  n_own = dispatch(o1, subdistrict[0], "属地街道负责");
  n_other = dispatch(x1, subdistrict[1], "属地街道负责");
  att_own = upload(local_grid(Place::kOwn), o1, "before");
  att_other = upload(local_grid(Place::kOther), x1, "before");

  // One notice to a district department for a case in each subdistrict.
  o2 = report(local_grid(Place::kOwn), "0102", centre[0], "矩阵本地二号问题");
  x2 = report(local_grid(Place::kOther), "0102", centre[1], "矩阵外地二号问题");
  act(office(), o2, {{"action", "file"}});
  act(office(), x2, {{"action", "file"}});
  json::object notice{{"case_ids", json::array{o2, x2}},
                      {"unit_id", dept},
                      {"kind", "rectification"},
                      {"requirement", "矩阵整改要求"}};
  n_mixed = must(office(), "POST", "/api/v1/notices", json::serialize(notice)).at("id").as_int64();

  // The citizen's report, taken through internal steps with internal notes: filed, dispatched,
  // returned by the unit with a reason, dispatched again, acknowledged, an extension asked for.
  auto& citizen = as(Role::kCitizen);
  auto& unit = as(Role::kUnitOperator);
  const std::pair<double, double> away{centre[0].first + 0.004, centre[0].second};
  c1 = report(citizen, "0102", away, "矩阵市民一号问题");
  att_citizen = upload(citizen, c1, "before");
  act(office(), c1, {{"action", "file"}, {"note", "矩阵立案内部备注"}});
  act(office(), c1,
      {{"action", "dispatch"}, {"unit_id", subdistrict[0]}, {"note", "矩阵派遣内部备注"}});
  act(unit, c1, {{"action", "return"}, {"note", "矩阵退回理由"}});
  n_citizen = act(office(), c1,
                  {{"action", "dispatch"}, {"unit_id", subdistrict[0]}, {"note", "矩阵再次派遣"}})
                  .at("notice")
                  .at("id")
                  .as_int64();
  act(unit, c1, {{"action", "acknowledge"}});
  act(unit, c1,
      {{"action", "request_extension"},
       {"extension_amount", 2},
       {"extension_unit", "working_days"},
       {"note", "矩阵延期理由"}});
  for (const char* t : {"矩阵立案内部备注", "矩阵派遣内部备注", "矩阵退回理由", "矩阵再次派遣",
                        "矩阵延期理由", "董晓峰", "王翠萍"}) {
    text_marks.emplace_back(kInternal, t);  // the notes, and the office's and the unit's names
  }

  // Open cases to attach photos to.
  target_own = report(local_grid(Place::kOwn), "0507", centre[0], "矩阵附件问题");
  target_other = report(local_grid(Place::kOther), "0507", centre[1], "矩阵附件问题");
  target_citizen = report(citizen, "0507", away, "矩阵市民附件问题");

  {
    auto m = new_meeting({subdistrict[0], subdistrict[1]}, true);
    meeting = m.at("meeting").at("id").as_int64();
    for (std::size_t p = 0; p < 2; ++p) item[p] = m.at("items").at(p).at("id").as_int64();
    auto c = new_meeting({subdistrict[0], subdistrict[1]}, true);
    for (std::size_t p = 0; p < 2; ++p) {
      closed_item[p] = c.at("items").at(p).at("id").as_int64();
      must(office(), "POST",
           "/api/v1/action-items/" + std::to_string(closed_item[p]) + "/close?note=done", photo,
           {{"Content-Type", "image/jpeg"}});
    }
  }

  mark_case(o1, kOwnStaff, "O1 (永泰)", "矩阵本地一号");
  mark_case(o2, kOwnStaff, "O2 (永泰, department notice)", "矩阵本地二号");
  mark_case(x1, kOtherPlace, "X1 (古城)", "矩阵外地一号");
  mark_case(x2, kOtherPlace, "X2 (古城, department notice)", "矩阵外地二号");
  mark_notice(n_own, kOwnStaff);
  mark_notice(n_mixed, kOwnStaff);
  mark_notice(n_other, kOtherPlace);
}

// Fresh cases for writes, one per cell: a citizen's own place is a report of their own, else the
// place's grid worker reports.
enum class Stage { kReported, kOnSitePhoto, kFiled, kDispatched, kDispatchedToGrid, kRectified };

std::int64_t fresh_case(World& w, Role role, Place place, Stage stage) {
  const bool citizens = role == Role::kCitizen && place == Place::kOwn;
  auto& reporter = citizens ? w.as(Role::kCitizen) : w.local_grid(place);
  auto& grid = w.local_grid(place);
  const auto p = idx(place);
  const auto id = w.report(reporter, "0507", w.centre[p], w.next("矩阵临时问题"));
  switch (stage) {
    case Stage::kReported:
      break;
    case Stage::kOnSitePhoto:
      w.upload(grid, id, "on_site");
      break;
    case Stage::kRectified:
      w.upload(grid, id, "on_site");
      w.act(grid, id, {{"action", "fix_on_site"}});
      break;
    case Stage::kFiled:
      w.act(w.office(), id, {{"action", "file"}});
      break;
    case Stage::kDispatched:
    case Stage::kDispatchedToGrid:
      w.act(w.office(), id, {{"action", "file"}});
      w.act(w.office(), id,
            {{"action", "dispatch"},
             {"unit_id", stage == Stage::kDispatched ? w.subdistrict[p] : w.grid[p]},
             {"note", "矩阵测试派遣"}});
      break;
  }
  return id;
}

json::value fresh_unit(World& w, std::int64_t parent, const char* kind) {
  json::object b{{"parent_id", parent}, {"kind", kind}, {"name", w.next("矩阵临时单位")}};
  return must(w.admin(), "POST", "/api/v1/org/units", json::serialize(b));
}

json::value fresh_person(World& w, std::optional<std::int64_t> unit) {
  auto p = must(w.admin(), "POST", "/api/v1/org/people",
                json::serialize(json::object{{"name", w.next("矩阵临时人员")}}));
  if (unit) {
    must(w.admin(), "POST", "/api/v1/org/memberships",
         json::serialize(json::object{
             {"person_id", p.at("id")}, {"unit_id", *unit}, {"post_code", "grid_worker"}}));
  }
  return p;
}

std::int64_t fresh_membership(World& w, std::int64_t unit) {
  auto p = fresh_person(w, std::nullopt);
  return must(w.admin(), "POST", "/api/v1/org/memberships",
              json::serialize(json::object{
                  {"person_id", p.at("id")}, {"unit_id", unit}, {"post_code", "grid_worker"}}))
      .at("id")
      .as_int64();
}

std::int64_t fresh_liaison(World& w, Place place) {
  const auto p = idx(place);
  auto community = fresh_unit(w, w.subdistrict[p], "community");
  return must(w.admin(), "PUT", "/api/v1/org/liaisons",
              json::serialize(
                  json::object{{"unit_id", community.at("id")}, {"leader_id", w.secretary[p]}}))
      .at("id")
      .as_int64();
}

std::int64_t fresh_user(World& w, Place place) {
  json::object b{{"username", w.next("mx_user_")},
                 {"password", kPassword},
                 {"role", "grid_worker"},
                 {"unit_id", w.grid[idx(place)]}};
  return must(w.admin(), "POST", "/api/v1/users", json::serialize(b)).at("id").as_int64();
}

// Tokens and messages are written straight to the database: a citizen cannot make a token, and
// no API makes a message on demand.
// An Open311 application key issued by the HQ administrator (a fresh one each call: a row that
// revokes one does not spend the key of another).
json::object fresh_open311_key(World& w) {
  auto v = must(w.admin(), "POST", "/api/v1/open311/keys",
                json::serialize(json::object{{"name", w.next("矩阵应用")}}));
  return v.at("key").as_object();
}
// An Open311 POST requests body (form-encoded) with a fresh key at the own place's centre.
Req open311_post(World& w) {
  const auto key = std::string(fresh_open311_key(w).at("api_key").as_string());
  std::ostringstream b;
  b.precision(10);
  b << "api_key=" << key << "&service_code=0102&lat=" << w.centre[0].first
    << "&long=" << w.centre[0].second << "&description=matrix";
  return Req{"/open311/v2/requests.json",
             b.str(),
             {{"Content-Type", "application/x-www-form-urlencoded"}},
             Via::kRole};
}

std::int64_t fresh_token(World& w, std::int64_t user) {
  auto r = app::in_tx<std::int64_t>(w.server.db(), true,
                                    [&](storage::Connection& c) -> Expected<std::int64_t> {
                                      storage::ApiToken t;
                                      t.id = storage::next_id(c, 1, "api_tokens");
                                      t.user_id = user;
                                      t.name = w.next("矩阵令牌");
                                      t.token_hash = w.next("matrix-token-hash-");
                                      t.created_at = w.server.clock().now();
                                      storage::UserRepo(c, 1).insert_token(t);
                                      return t.id;
                                    });
  return *r;
}

// A history import of a header-only file (nothing is written), as the administrator sends it.
json::object import_body() {
  const std::string csv = "工单编号,问题类型,上报时间\r\n";
  std::string b64(sodium_base64_ENCODED_LEN(csv.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(b64.data(), b64.size(), reinterpret_cast<const unsigned char*>(csv.data()),
                    csv.size(), sodium_base64_VARIANT_ORIGINAL);
  b64.resize(std::strlen(b64.c_str()));
  return json::object{
      {"file_name", "matrix.csv"},
      {"file_base64", b64},
      {"mapping", json::parse(R"({"source_name":"matrix","columns":{"original_no":"工单编号",)"
                              R"("category":"问题类型","reported_at":"上报时间"},)"
                              R"("default_source":"hotline","default_state":"closed",)"
                              R"("categories":{"暴露垃圾":"0102"}})")}};
}

// One import job per server, made once by the administrator.
std::int64_t fresh_import(World& w) {
  static std::map<const void*, std::int64_t> ids;
  auto& id = ids[&w.server];
  if (id == 0) {
    id = must(w.admin(), "POST", "/api/v1/imports", json::serialize(import_body()))
             .at("import")
             .at("id")
             .as_int64();
  }
  return id;
}

std::int64_t fresh_notification(World& w, std::int64_t user) {
  auto r = app::in_tx<std::int64_t>(w.server.db(), true,
                                    [&](storage::Connection& c) -> Expected<std::int64_t> {
                                      storage::Notification n;
                                      n.id = storage::next_id(c, 1, "notifications");
                                      n.user_id = user;
                                      n.kind = "dispatched";
                                      n.title = w.next("矩阵消息");
                                      n.body = "矩阵";
                                      n.created_at = w.server.clock().now();
                                      storage::NotifyRepo(c, 1).insert_notification(n);
                                      return n.id;
                                    });
  return *r;
}

// ---------------------------------------------------------------------------------------------
// Reading answers: JSON walked, Excel unzipped, PDF through pdftotext, CSV as text.

std::string run_tool(const std::string& command) {
  std::string out;
  if (FILE* f = ::popen(command.c_str(), "r")) {
    char buf[8192];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
    ::pclose(f);
  }
  return out;
}

std::string temp_file(const std::string& bytes) {
  static int n = 0;
  const auto path = ::testing::TempDir() + "authz-matrix-" + std::to_string(::getpid()) + "-" +
                    std::to_string(++n) + ".bin";
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

std::string strip_space(std::string s) {
  std::erase_if(
      s, [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f'; });
  return s;
}

// The text of a document, without white space (a table cell may wrap a line anywhere).
std::string document_text(BodyKind kind, const std::string& body) {
  if (kind == BodyKind::kCsv) return strip_space(body);
  const auto path = temp_file(body);
  std::string text;
  if (kind == BodyKind::kXlsx) {
    // The shared strings, the sheets and everything else in the workbook.
    text = run_tool("unzip -p '" + path + "' 2>/dev/null");
  } else if (kind == BodyKind::kPdf) {
    text = run_tool("pdftotext -q '" + path + "' - 2>/dev/null");
  }
  std::remove(path.c_str());
  return strip_space(text);
}

void walk(const World& w, const json::value& v, unsigned forbidden, std::set<std::string>& found) {
  auto check_id = [&](const json::value& x) {
    if (!x.is_int64()) return;
    auto it = w.case_marks.find(x.as_int64());
    if (it != w.case_marks.end() && (it->second.first & forbidden) != 0) {
      found.insert("case " + it->second.second + " id " + std::to_string(x.as_int64()));
    }
  };
  switch (v.kind()) {
    case json::kind::object: {
      const auto& o = v.as_object();
      if (o.contains("case_no") && o.contains("id")) check_id(o.at("id"));
      for (const auto& [key, x] : o) {
        if (key == "case_ids" && x.is_array()) {
          for (const auto& y : x.as_array()) check_id(y);
        } else if (key == "case_id" || key == "duplicate_of") {
          check_id(x);
        }
        walk(w, x, forbidden, found);
      }
      break;
    }
    case json::kind::array:
      for (const auto& x : v.as_array()) walk(w, x, forbidden, found);
      break;
    case json::kind::string: {
      const std::string s(v.as_string());
      for (const auto& [cls, text] : w.text_marks) {
        if ((cls & forbidden) != 0 && s.find(text) != std::string::npos)
          found.insert("'" + text + "'");
      }
      break;
    }
    default:
      break;
  }
}

// What of the forbidden kinds an answer embeds (empty: nothing).
std::set<std::string> leaks(const World& w, BodyKind kind, const std::string& body,
                            unsigned forbidden) {
  std::set<std::string> found;
  if (forbidden == 0 || kind == BodyKind::kNone) return found;
  if (kind == BodyKind::kJson) {
    boost::system::error_code ec;
    auto v = json::parse(body, ec);
    if (ec) {
      found.insert("(the body is not JSON)");
      return found;
    }
    walk(w, v, forbidden, found);
    return found;
  }
  const auto text = document_text(kind, body);
  if (text.empty() && !body.empty()) {
    found.insert("(the document could not be read)");
    return found;
  }
  for (const auto& [cls, t] : w.text_marks) {
    if ((cls & forbidden) != 0 && text.find(strip_space(t)) != std::string::npos) {
      found.insert("'" + t + "'");
    }
  }
  return found;
}

// Whether the answer is what the outcome allows.
bool matches(Outcome o, const HttpResponse& r) {
  const bool ok = r.status >= 200 && r.status <= 299;
  const auto code = error_code(r);
  switch (o) {
    case Outcome::kOk:
      return ok;
    case Outcome::kForbidden:
      return r.status == 403 && code == "auth.forbidden";
    case Outcome::kOutOfScope:
      return r.status == 403 && code == "auth.out_of_scope";
    case Outcome::kDenied:
      return r.status == 403 && (code == "auth.forbidden" || code == "auth.out_of_scope");
    case Outcome::kNotFound:
      return r.status == 404;
    case Outcome::kUnauthenticated:
      return r.status == 401 && code == "auth.required";
    case Outcome::kHidden:
      return ok || r.status == 404 || (r.status == 403 && code == "auth.out_of_scope");
    case Outcome::kPassed:
      return code != "auth.required" && code != "auth.forbidden" && code != "auth.out_of_scope";
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// The table. One row (or more, with a variant) per route of the OpenAPI description.

// A request with no body (its method comes from the row).
// A weekly bulletin draft by the office; its answer.
json::value bulletin_draft(World& w) {
  return must(w.office(), "POST", "/api/v1/bulletins", R"({"kind":"weekly"})");
}
// A draft submitted by the office (for the head to approve).
std::int64_t bulletin_submitted(World& w) {
  const auto d = bulletin_draft(w);
  const auto id = d.at("id").as_int64();
  must(w.office(), "POST", "/api/v1/bulletins/" + std::to_string(id) + "/transitions",
       R"({"action":"submit"})");
  return id;
}
// A published bulletin addressed to the place's subdistrict only.
std::int64_t bulletin_published(World& w, Place p) {
  auto& id = w.bulletin[idx(p)];
  if (id != 0) return id;
  const auto d = bulletin_draft(w);
  id = d.at("id").as_int64();
  const auto path = "/api/v1/bulletins/" + std::to_string(id);
  json::object edit{{"version", d.at("version")},
                    {"recipients", json::array{w.subdistrict[idx(p)]}}};
  must(w.office(), "PUT", path, json::serialize(edit));
  must(w.office(), "POST", path + "/transitions", R"({"action":"submit"})");
  must(w.admin(), "POST", path + "/transitions", R"({"action":"approve"})");
  must(w.office(), "POST", path + "/transitions", R"({"action":"publish"})");
  return id;
}

Req bare(std::string path) { return Req{std::move(path), "", {}, Via::kRole}; }
Req send(std::string path, const json::value& body) {
  return Req{
      std::move(path), json::serialize(body), {{"Content-Type", "application/json"}}, Via::kRole};
}
std::string str(std::int64_t id) { return std::to_string(id); }
std::string at_query(const std::pair<double, double>& at) {
  std::ostringstream q;
  q.precision(10);
  q << "&lat=" << at.first << "&lng=" << at.second;
  return q.str();
}
Req transition(World& w, Role role, Place place, Stage stage, json::object body) {
  return send("/api/v1/cases/" + str(fresh_case(w, role, place, stage)) + "/transitions", body);
}
// The case a role reads in a place: a citizen's own place is their own report.
std::int64_t case_for(World& w, Role role, Place place, std::int64_t own, std::int64_t citizens,
                      std::int64_t other) {
  if (place == Place::kOther) return other;
  return role == Role::kCitizen ? citizens : own;
}

const std::vector<Row>& matrix() {
  using W = World;
  using R = Role;
  using P = Place;
  using B = BodyKind;
  static const std::vector<Row> rows = {
      // --- system and sign-in: public
      {"GET", "/healthz", "", kPublic, "", B::kNone, 0, [](W&, R, P) { return bare("/healthz"); }},
      {"GET", "/metrics", "", kPublic, "", B::kNone, 0, [](W&, R, P) { return bare("/metrics"); }},
      {"GET", "/api/v1/openapi.json", "", kPublic, "", B::kNone, 0,
       [](W&, R, P) { return bare("/api/v1/openapi.json"); }},
      {"POST", "/api/v1/auth/login", "", kPublic, "", B::kNone, 0,
       [](W&, R r, P) {
         const auto* user = kRoleInfo[idx(r)].demo_user;
         auto q = send("/api/v1/auth/login", json::object{{"username", user ? user : "citizen"},
                                                          {"password", "Demo@2026"}});
         q.via = Via::kFreshAnonymous;
         return q;
       }},
      {"POST", "/api/v1/auth/logout", "", kPublic, "", B::kNone, 0,
       [](W&, R, P) {
         auto q = bare("/api/v1/auth/logout");
         q.via = Via::kFreshSession;
         return q;
       }},
      {"GET", "/api/v1/auth/me", "", kSignedIn, "", B::kNone, 0,
       [](W&, R, P) { return bare("/api/v1/auth/me"); }},
      {"GET", "/api/v1/auth/tokens", "", kSignedIn, "", B::kNone, 0,
       [](W&, R, P) { return bare("/api/v1/auth/tokens"); }},
      // A citizen has no machine tokens.
      {"POST", "/api/v1/auth/tokens", "", "ok ok ok ok ok ok ok fb un", "", B::kNone, 0,
       [](W& w, R, P) {
         return send("/api/v1/auth/tokens", json::object{{"name", w.next("矩阵令牌")}});
       }},
      // Two-step sign-in: only the HQ administrator and the office may set it up. Enabling is
      // tried with a wrong code and turning off with a wrong password, so that no demo account of
      // the matrix ends up asking for a code: both get past authorization and are refused there.
      {"POST", "/api/v1/auth/totp/setup", "", "ok ok fb fb fb fb fb fb un", "", B::kNone, 0,
       [](W&, R, P) { return bare("/api/v1/auth/totp/setup"); }},
      {"POST", "/api/v1/auth/totp/enable", "", "pa pa fb fb fb fb fb fb un", "", B::kNone, 0,
       [](W&, R, P) { return send("/api/v1/auth/totp/enable", json::object{{"code", "abcdef"}}); }},
      {"POST", "/api/v1/auth/totp/disable", "", "pa pa pa pa pa pa pa pa un", "", B::kNone, 0,
       [](W&, R, P) {
         return send("/api/v1/auth/totp/disable", json::object{{"password", "not-the-password"}});
       }},
      // Own: one's own token. Other: another user's token, which only hq_admin may revoke.
      {"DELETE", "/api/v1/auth/tokens/{id}", "", kSignedIn, "ok nf nf nf nf nf nf nf un",
       B::kNone, 0,
       [](W& w, R r, P p) {
         const auto owner = p == P::kOwn ? w.user_of(r) : w.other_unit_user;
         return bare("/api/v1/auth/tokens/" + str(fresh_token(w, owner)));
       }},

      // --- organisation
      {"GET", "/api/v1/org/structure", "", kStaff, "", B::kNone, 0,
       [](W&, R, P) { return bare("/api/v1/org/structure"); }},
      // Own: the whole list, filtered to the scope. Other: the children of 古城北社区.
      {"GET", "/api/v1/org/units", "", kStaff, kStaffOther, B::kJson, kOtherOrg,
       [](W& w, R, P p) {
         return bare(p == P::kOwn ? "/api/v1/org/units?limit=200"
                                 : "/api/v1/org/units?limit=200&parent_id=" + str(w.community[1]));
       }},
      {"POST", "/api/v1/org/units", "", kAdminOwn, kAdminOther, B::kNone, 0,
       [](W& w, R, P p) {
         return send("/api/v1/org/units", json::object{{"parent_id", w.grid[idx(p)]},
                                                       {"kind", "enterprise"},
                                                       {"name", w.next("矩阵新单位")}});
       }},
      {"GET", "/api/v1/org/units/{id}", "", kStaffOwn, kStaffOther, B::kJson, kOtherOrg,
       [](W& w, R, P p) { return bare("/api/v1/org/units/" + str(w.grid[idx(p)])); }},
      {"PATCH", "/api/v1/org/units/{id}", "", kAdminOwn, kAdminOther, B::kNone, 0,
       [](W& w, R, P p) {
         auto u = fresh_unit(w, w.grid[idx(p)], "enterprise");
         return send("/api/v1/org/units/" + str(u.at("id").as_int64()),
                     json::object{{"name", w.next("矩阵改名单位")}, {"version", u.at("version")}});
       }},
      // A unit of 永泰北社区 moved into its first grid: the community lies above the grid worker.
      {"POST", "/api/v1/org/units/{id}/move", "", kAdminOwnAboveGrid, kAdminOther, B::kNone, 0,
       [](W& w, R, P p) {
         auto u = fresh_unit(w, w.community[idx(p)], "enterprise");
         return send("/api/v1/org/units/" + str(u.at("id").as_int64()) + "/move",
                     json::object{{"parent_id", w.grid[idx(p)]}, {"version", u.at("version")}});
       }},
      {"POST", "/api/v1/org/units/{id}/retire", "", kAdminOwn, kAdminOther, B::kNone, 0,
       [](W& w, R, P p) {
         auto u = fresh_unit(w, w.grid[idx(p)], "enterprise");
         return send("/api/v1/org/units/" + str(u.at("id").as_int64()) + "/retire",
                     json::object{{"version", u.at("version")}});
       }},
      {"GET", "/api/v1/org/people", "", kStaff, kStaffOther, B::kJson, kOtherOrg,
       [](W& w, R, P p) {
         return bare(p == P::kOwn ? "/api/v1/org/people?limit=200"
                                 : "/api/v1/org/people?limit=200&unit_id=" + str(w.grid[1]));
       }},
      {"POST", "/api/v1/org/people", "", kAdminOnly, "", B::kNone, 0,
       [](W& w, R, P) {
         return send("/api/v1/org/people", json::object{{"name", w.next("矩阵新人员")}});
       }},
      {"GET", "/api/v1/org/people/{id}", "", kStaffOwn, kStaffOther, B::kJson, kOtherOrg,
       [](W& w, R, P p) { return bare("/api/v1/org/people/" + str(w.marked_person[idx(p)])); }},
      {"PATCH", "/api/v1/org/people/{id}", "", kAdminOwn, kAdminOther, B::kNone, 0,
       [](W& w, R, P p) {
         auto person = fresh_person(w, w.grid[idx(p)]);
         return send("/api/v1/org/people/" + str(person.at("id").as_int64()),
                     json::object{{"title", "矩阵职务"}, {"version", person.at("version")}});
       }},
      {"POST", "/api/v1/org/people/{id}/retire", "", kAdminOwn, kAdminOther, B::kNone, 0,
       [](W& w, R, P p) {
         auto person = fresh_person(w, w.grid[idx(p)]);
         return send("/api/v1/org/people/" + str(person.at("id").as_int64()) + "/retire",
                     json::object{{"version", person.at("version")}});
       }},
      {"GET", "/api/v1/org/posts", "", kStaff, "", B::kNone, 0,
       [](W&, R, P) { return bare("/api/v1/org/posts"); }},
      {"GET", "/api/v1/org/memberships", "", kStaffOwn, kStaffOther, B::kJson, kOtherOrg,
       [](W& w, R, P p) { return bare("/api/v1/org/memberships?unit_id=" + str(w.grid[idx(p)])); }},
      {"POST", "/api/v1/org/memberships", "", kAdminOwn, kAdminOther, B::kNone, 0,
       [](W& w, R, P p) {
         auto person = fresh_person(w, std::nullopt);
         return send("/api/v1/org/memberships", json::object{{"person_id", person.at("id")},
                                                             {"unit_id", w.grid[idx(p)]},
                                                             {"post_code", "grid_worker"}});
       }},
      {"DELETE", "/api/v1/org/memberships/{id}", "", kAdminOwn, kAdminOther, B::kNone, 0,
       [](W& w, R, P p) {
         return bare("/api/v1/org/memberships/" + str(fresh_membership(w, w.grid[idx(p)])));
       }},
      // Own: every liaison in the scope. Other: those of 古城街道 (none for a unit-bound role).
      {"GET", "/api/v1/org/liaisons", "", kStaff, "ok ok ok ok ok hd hd dn un", B::kJson,
       kOtherOrg,
       [](W& w, R, P p) {
         return bare(p == P::kOwn ? "/api/v1/org/liaisons"
                                 : "/api/v1/org/liaisons?unit_id=" + str(w.subdistrict[1]));
       }},
      // Liaisons belong to communities and subdistricts, above the grid worker's grid.
      {"PUT", "/api/v1/org/liaisons", "", kAdminOwnAboveGrid, kAdminOther, B::kNone, 0,
       [](W& w, R, P p) {
         return send("/api/v1/org/liaisons", json::object{{"unit_id", w.community[idx(p)]},
                                                          {"leader_id", w.secretary[idx(p)]}});
       }},
      {"DELETE", "/api/v1/org/liaisons/{id}", "", kAdminOwnAboveGrid, kAdminOther, B::kNone, 0,
       [](W& w, R, P p) { return bare("/api/v1/org/liaisons/" + str(fresh_liaison(w, p))); }},
      {"GET", "/api/v1/org/export", "", kAdminOnly, "", B::kNone, 0,
       [](W&, R, P) { return bare("/api/v1/org/export"); }},
      {"POST", "/api/v1/org/import", "", kAdminOwn, kAdminOther, B::kNone, 0,
       [](W& w, R, P p) {
         json::object unit{{"code", w.next("MXIMP-")},
                           {"parent", w.grid_code[idx(p)]},
                           {"kind", "enterprise"},
                           {"name", w.next("矩阵导入单位")}};
         return send("/api/v1/org/import",
                     json::object{{"format", "civicloop-preset/1"}, {"units", json::array{unit}}});
       }},
      {"GET", "/api/v1/org/people.csv", "", kStaff, "", B::kCsv, kOtherOrg,
       [](W&, R, P) { return bare("/api/v1/org/people.csv"); }},
      {"GET", "/api/v1/org/people.xlsx", "", kStaff, "", B::kXlsx, kOtherOrg,
       [](W&, R, P) { return bare("/api/v1/org/people.xlsx"); }},
      {"POST", "/api/v1/org/people/import", "", kAdminOwn, kAdminOther, B::kNone, 0,
       [](W& w, R, P p) {
         return Req{"/api/v1/org/people/import",
                    "姓名,任职\n" + w.next("矩阵导入人员") + "," + w.grid_code[idx(p)] +
                        ":grid_worker\n",
                    {{"Content-Type", "text/csv"}},
                    Via::kRole};
       }},

      // --- accounts
      {"GET", "/api/v1/users", "", kAdminOnly, "", B::kNone, 0,
       [](W&, R, P) { return bare("/api/v1/users"); }},
      {"POST", "/api/v1/users", "", kAdminOwn, kAdminOther, B::kNone, 0,
       [](W& w, R, P p) {
         return send("/api/v1/users", json::object{{"username", w.next("mx_new_")},
                                                   {"password", kPassword},
                                                   {"role", "grid_worker"},
                                                   {"unit_id", w.grid[idx(p)]}});
       }},
      {"PATCH", "/api/v1/users/{id}", "", kAdminOwn, kAdminOther, B::kNone, 0,
       [](W& w, R, P p) {
         return send("/api/v1/users/" + str(fresh_user(w, p)),
                     json::object{{"display_name", "矩阵改名"}});
       }},

      // --- history import (cases.import: the HQ administrator only)
      {"POST", "/api/v1/imports", "", kAdminOnly, "", B::kNone, 0,
       [](W&, R, P) { return send("/api/v1/imports", import_body()); }},
      {"GET", "/api/v1/imports/{id}", "", kAdminOnly, "", B::kNone, 0,
       [](W& w, R, P) { return bare("/api/v1/imports/" + str(fresh_import(w))); }},
      {"GET", "/api/v1/imports/{id}/refused.csv", "", kAdminOnly, "", B::kNone, 0,
       [](W& w, R, P) {
         return bare("/api/v1/imports/" + str(fresh_import(w)) + "/refused.csv");
       }},

      // --- ledger
      {"GET", "/api/v1/ledger", "", kLedger, "", B::kNone, 0,
       [](W&, R, P) { return bare("/api/v1/ledger"); }},
      {"GET", "/api/v1/ledger/verify", "", kLedger, "", B::kNone, 0,
       [](W&, R, P) { return bare("/api/v1/ledger/verify"); }},

      // --- cases
      // A report next to an open case of the place: possible_duplicates may offer only cases
      // the reporter may see (none to a citizen but their own).
      {"POST", "/api/v1/cases", "", kSignedIn, kSignedIn, B::kJson, kCaseMarks,
       [](W& w, R, P p) {
         json::object b{{"category", "0102"},
                        {"title", w.next("矩阵新报问题")},
                        {"description", "路边堆放生活垃圾"},
                        {"lat", w.centre[idx(p)].first},
                        {"lng", w.centre[idx(p)].second}};
         return send("/api/v1/cases", b);
       }},
      {"GET", "/api/v1/cases", "", kSignedIn, "ok ok ok ok ok hd hd hd un", B::kJson, kCaseMarks,
       [](W& w, R, P p) {
         return bare(p == P::kOwn ? "/api/v1/cases?category=0102&limit=200"
                                 : "/api/v1/cases?category=0102&limit=200&subdistrict_id=" +
                                       str(w.subdistrict[1]));
       }},
      // The triage queue's before-photos ride on the cases they belong to (case_id marks them):
      // a unit or citizen out of scope gets neither the case nor its photos.
      {"GET", "/api/v1/cases", "photos=before", kSignedIn, "ok ok ok ok ok hd hd hd un", B::kJson,
       kCaseMarks,
       [](W& w, R, P p) {
         return bare(p == P::kOwn
                         ? "/api/v1/cases?category=0102&limit=200&photos=before"
                         : "/api/v1/cases?category=0102&limit=200&photos=before&subdistrict_id=" +
                               str(w.subdistrict[1]));
       }},
      {"GET", "/api/v1/cases.xlsx", "", kSignedIn, "ok ok ok ok ok hd hd hd un", B::kXlsx,
       kCaseMarks,
       [](W& w, R, P p) {
         return bare(p == P::kOwn ? "/api/v1/cases.xlsx?category=0102"
                                 : "/api/v1/cases.xlsx?category=0102&subdistrict_id=" +
                                       str(w.subdistrict[1]));
       }},
      // The rules of the action dialog: the same for everyone signed in, nothing of a place.
      {"GET", "/api/v1/case-actions", "", kSignedIn, "", B::kNone, 0,
       [](W&, R, P) { return bare("/api/v1/case-actions"); }},
      {"GET", "/api/v1/cases/route-preview", "", kStaff, kStaff, B::kNone, 0,
       [](W& w, R, P p) {
         return bare("/api/v1/cases/route-preview?category=0102" + at_query(w.centre[idx(p)]));
       }},
      {"GET", "/api/v1/cases/nearby", "", kSignedIn, kSignedIn, B::kJson, kCaseMarks,
       [](W& w, R, P p) {
         return bare("/api/v1/cases/nearby?category=0102" + at_query(w.centre[idx(p)]));
       }},
      // A citizen's own case view shows no internal notes, reasons or staff names.
      {"GET", "/api/v1/cases/{id}", "", kSignedIn, kCaseOther, B::kJson, kCaseMarks,
       [](W& w, R r, P p) {
         return bare("/api/v1/cases/" + str(case_for(w, r, p, w.o1, w.c1, w.x1)));
       }},
      {"POST", "/api/v1/cases/{id}/transitions", "file", kHq, kHqOther, B::kJson, kCaseMarks,
       [](W& w, R r, P p) {
         return transition(w, r, p, Stage::kReported, {{"action", "file"}});
       }},
      {"POST", "/api/v1/cases/{id}/transitions", "escalate", "ok ok ok fb fb fb fb fb un",
       "ok ok ok fb fb dn dn dn un", B::kJson, kCaseMarks,
       [](W& w, R r, P p) {
         return transition(w, r, p, Stage::kDispatched, {{"action", "escalate"}});
       }},
      // Dispatched to the place's grid: the unit operator (above it) and the grid worker answer.
      {"POST", "/api/v1/cases/{id}/transitions", "acknowledge", "fb fb fb fb fb ok ok fb un",
       "fb fb fb fb fb os os dn un", B::kJson, kCaseMarks,
       [](W& w, R r, P p) {
         return transition(w, r, p, Stage::kDispatchedToGrid, {{"action", "acknowledge"}});
       }},
      {"POST", "/api/v1/cases/{id}/transitions", "verify", "ok ok fb ok ok fb fb fb un",
       "ok ok fb ok ok dn dn dn un", B::kJson, kCaseMarks,
       [](W& w, R r, P p) {
         return transition(w, r, p, Stage::kRectified, {{"action", "verify"}, {"passed", true}});
       }},
      {"POST", "/api/v1/cases/{id}/transitions", "fix_on_site", "fb fb fb fb fb ok ok fb un",
       "fb fb fb fb fb os os dn un", B::kJson, kCaseMarks,
       [](W& w, R r, P p) {
         return transition(w, r, p, Stage::kOnSitePhoto, {{"action", "fix_on_site"}});
       }},
      {"POST", "/api/v1/cases/{id}/attachments", "", kSignedIn, kCaseOther, B::kNone, 0,
       [](W& w, R r, P p) {
         const auto id = case_for(w, r, p, w.target_own, w.target_citizen, w.target_other);
         return Req{"/api/v1/cases/" + str(id) + "/attachments?stage=before",
                    w.photo,
                    {{"Content-Type", "image/jpeg"}},
                    Via::kRole};
       }},
      {"GET", "/api/v1/attachments/{id}", "", kSignedIn, kCaseOther, B::kNone, 0,
       [](W& w, R r, P p) {
         return bare("/api/v1/attachments/" +
                    str(case_for(w, r, p, w.att_own, w.att_citizen, w.att_other)));
       }},
      {"GET", "/api/v1/attachments/{id}/thumbnail", "", kSignedIn, kCaseOther, B::kNone, 0,
       [](W& w, R r, P p) {
         return bare("/api/v1/attachments/" +
                    str(case_for(w, r, p, w.att_own, w.att_citizen, w.att_other)) + "/thumbnail");
       }},

      // --- notices: each viewer sees only the cases of a notice that are in their scope; one
      // with none of them in scope is refused; a citizen sees no notice at all.
      {"POST", "/api/v1/notices", "", kHq, kHqOther, B::kNone, 0,
       [](W& w, R r, P p) {
         const auto id = fresh_case(w, r, p, Stage::kFiled);
         return send("/api/v1/notices", json::object{{"case_ids", json::array{id}},
                                                     {"unit_id", w.subdistrict[idx(p)]},
                                                     {"kind", "rectification"},
                                                     {"requirement", "矩阵整改要求"}});
       }},
      {"GET", "/api/v1/notices", "", kStaff, kListOther, B::kJson, kCaseMarks,
       [](W& w, R, P p) {
         return bare(p == P::kOwn ? "/api/v1/notices?open=false&limit=200"
                                 : "/api/v1/notices?open=false&limit=200&unit_id=" +
                                       str(w.subdistrict[1]));
       }},
      {"GET", "/api/v1/notices.xlsx", "", kStaff, kListOther, B::kXlsx, kCaseMarks,
       [](W& w, R, P p) {
         return bare(p == P::kOwn ? "/api/v1/notices.xlsx?open=false"
                                 : "/api/v1/notices.xlsx?open=false&unit_id=" +
                                       str(w.subdistrict[1]));
       }},
      // Own: the place's notice (for a citizen: the notice of their own report).
      {"GET", "/api/v1/notices/{id}", "", kStaffOwn, kStaffOther, B::kJson, kCaseMarks,
       [](W& w, R r, P p) {
         return bare("/api/v1/notices/" + str(case_for(w, r, p, w.n_own, w.n_citizen, w.n_other)));
       }},
      // A department's notice for one case in each subdistrict.
      {"GET", "/api/v1/notices/{id}", "both subdistricts", kStaffOwn, "", B::kJson, kCaseMarks,
       [](W& w, R, P) { return bare("/api/v1/notices/" + str(w.n_mixed)); }},
      {"GET", "/api/v1/notices/{id}.pdf", "", kStaffOwn, kStaffOther, B::kPdf, kCaseMarks,
       [](W& w, R r, P p) {
         return bare("/api/v1/notices/" + str(case_for(w, r, p, w.n_own, w.n_citizen, w.n_other)) +
                    ".pdf");
       }},
      {"GET", "/api/v1/notices/{id}.pdf", "both subdistricts", kStaffOwn, "", B::kPdf, kCaseMarks,
       [](W& w, R, P) { return bare("/api/v1/notices/" + str(w.n_mixed) + ".pdf"); }},
      {"GET", "/api/v1/responsibility", "", kStaff, kListOther, B::kJson, kOtherOrg,
       [](W& w, R, P p) {
         return bare(p == P::kOwn ? "/api/v1/responsibility"
                                 : "/api/v1/responsibility?unit_id=" + str(w.subdistrict[1]));
       }},
      {"GET", "/api/v1/responsibility.xlsx", "", kStaff, "", B::kXlsx, kOtherOrg,
       [](W&, R, P) { return bare("/api/v1/responsibility.xlsx"); }},

      // --- configuration (placeless: one tenant-wide setting)
      {"GET", "/api/v1/categories", "", kSignedIn, "", B::kNone, 0,
       [](W&, R, P) { return bare("/api/v1/categories"); }},
      // The category as it stands, sent back unchanged (the current version).
      {"PUT", "/api/v1/categories/{code}", "", kHq, "", B::kNone, 0,
       [](W& w, R, P) {
         auto cats = must(w.admin(), "GET", "/api/v1/categories");
         for (const auto& c : cats.at("items").as_array()) {
           if (c.at("code").as_string() == "0102") return send("/api/v1/categories/0102", c);
         }
         throw std::runtime_error("no category 0102");
       }},
      {"GET", "/api/v1/routing-rules", "", kStaff, "", B::kNone, 0,
       [](W&, R, P) { return bare("/api/v1/routing-rules"); }},
      {"PUT", "/api/v1/routing-rules", "", kHq, "", B::kNone, 0,
       [](W& w, R, P) {
         return send("/api/v1/routing-rules", must(w.admin(), "GET", "/api/v1/routing-rules"));
       }},
      {"GET", "/api/v1/calendar", "", kStaff, "", B::kNone, 0,
       [](W&, R, P) { return bare("/api/v1/calendar"); }},
      {"PUT", "/api/v1/calendar/years/{year}", "", kHq, "", B::kNone, 0,
       [](W&, R, P) {
         return send("/api/v1/calendar/years/2099",
                     json::object{{"holidays", json::array{}}, {"makeup_workdays", json::array{}}});
       }},
      // KPIs of one grid (the own grid worker's, the other place's), and rankings of every
      // subdistrict, listed for the caller's scope only.
      {"GET", "/api/v1/kpis", "", kStaff, kStaffOther, B::kJson, kOtherOrg,
       [](W& w, R, P p) {
         return bare("/api/v1/kpis?level=grid&period=month&id=" + str(w.grid[idx(p)]));
       }},
      {"GET", "/api/v1/rankings", "", kStaff, "", B::kJson, kOtherOrg,
       [](W&, R, P) { return bare("/api/v1/rankings?level=subdistrict&period=month"); }},
      // The caller's own liaison places (我的联系点): the leader's three subdistricts (古城街道
      // among them), the unit operator's community, an empty list for the others.
      {"GET", "/api/v1/places/mine", "", kStaff, "", B::kJson, kOtherOrg,
       [](W&, R, P) { return bare("/api/v1/places/mine"); }},
      // A unit's digests (工作提示): its history and a preview, for a subdistrict in the
      // caller's scope (the grid worker's scope is his grid only).
      {"GET", "/api/v1/digests", "", "ok ok ok ok ok ok os dn un", kStaffOther, B::kJson, kOtherOrg,
       [](W& w, R, P p) { return bare("/api/v1/digests?unit_id=" + str(w.subdistrict[idx(p)])); }},
      {"GET", "/api/v1/digests/preview", "", "ok ok ok ok ok ok os dn un", kStaffOther, B::kJson,
       kOtherOrg,
       [](W& w, R, P p) {
         return bare("/api/v1/digests/preview?kind=weekly&unit_id=" + str(w.subdistrict[idx(p)]));
       }},
      // --- bulletins (通报): the office drafts, edits, submits and publishes; the office head
      // (hq_admin) approves; staff read published ones, unit-bound roles only those addressed
      // to their place. A bulletin names units of the whole district by design (its ranking), so
      // no data marks are checked on it.
      {"GET", "/api/v1/bulletins", "", kStaff, "", B::kJson, 0,
       [](W&, R, P) { return bare("/api/v1/bulletins"); }},
      {"POST", "/api/v1/bulletins", "", kHq, "", B::kNone, 0,
       [](W&, R, P) { return send("/api/v1/bulletins", json::object{{"kind", "weekly"}}); }},
      {"GET", "/api/v1/bulletins/{id}", "", kStaffOwn, kStaffOther, B::kJson, 0,
       [](W& w, R, P p) { return bare("/api/v1/bulletins/" + str(bulletin_published(w, p))); }},
      {"GET", "/api/v1/bulletins/{id}.pdf", "", kStaffOwn, kStaffOther, B::kPdf, 0,
       [](W& w, R, P p) {
         return bare("/api/v1/bulletins/" + str(bulletin_published(w, p)) + ".pdf");
       }},
      {"PUT", "/api/v1/bulletins/{id}", "", kHq, "", B::kNone, 0,
       [](W& w, R, P) {
         const auto d = bulletin_draft(w);
         return send("/api/v1/bulletins/" + str(d.at("id").as_int64()),
                     json::object{{"version", d.at("version")}, {"title", "矩阵通报标题"}});
       }},
      {"POST", "/api/v1/bulletins/{id}/transitions", "submit", kHq, "", B::kNone, 0,
       [](W& w, R, P) {
         const auto d = bulletin_draft(w);
         return send("/api/v1/bulletins/" + str(d.at("id").as_int64()) + "/transitions",
                     json::object{{"action", "submit"}});
       }},
      {"POST", "/api/v1/bulletins/{id}/transitions", "approve", kAdminOnly, "", B::kNone, 0,
       [](W& w, R, P) {
         return send("/api/v1/bulletins/" + str(bulletin_submitted(w)) + "/transitions",
                     json::object{{"action", "approve"}});
       }},
      {"GET", "/api/v1/bulletin-template", "", kHq, "", B::kNone, 0,
       [](W&, R, P) { return bare("/api/v1/bulletin-template"); }},
      {"PUT", "/api/v1/bulletin-template", "", kHq, "", B::kNone, 0,
       [](W& w, R, P) {
         return send("/api/v1/bulletin-template",
                     must(w.office(), "GET", "/api/v1/bulletin-template"));
       }},
      // Open311 GeoReport v2: public for everyone (its POST needs an application key, not a
      // session); the keys themselves are the HQ administrator's (users.manage).
      {"GET", "/open311/v2/{resource}", "", kPublic, "", B::kNone, 0,
       [](W&, R, P) { return bare("/open311/v2/requests.json"); }},
      {"POST", "/open311/v2/{resource}", "", kPublic, "", B::kNone, 0,
       [](W& w, R, P) { return open311_post(w); }},
      {"GET", "/open311/v2/services/{code}", "", kPublic, "", B::kNone, 0,
       [](W&, R, P) { return bare("/open311/v2/services/0101.xml"); }},
      {"GET", "/open311/v2/requests/{id}", "", kPublic, "", B::kNone, 0,
       [](W& w, R, P) { return bare("/open311/v2/requests/" + str(w.o1) + ".json"); }},
      {"GET", "/open311/v2/tokens/{token}", "", kPublic, "", B::kNone, 0,
       [](W& w, R, P) {
         const auto post = open311_post(w);
         auto v = must(w.admin(), "POST", post.path, post.body, post.headers);
         return bare("/open311/v2/tokens/" + std::string(v.at(0).at("token").as_string()) +
                     ".json");
       }},
      {"GET", "/api/v1/open311/keys", "", kAdminOnly, "", B::kNone, 0,
       [](W&, R, P) { return bare("/api/v1/open311/keys"); }},
      {"POST", "/api/v1/open311/keys", "", kAdminOnly, "", B::kNone, 0,
       [](W& w, R, P) {
         return send("/api/v1/open311/keys", json::object{{"name", w.next("矩阵应用")}});
       }},
      {"POST", "/api/v1/open311/keys/{id}/revoke", "", kAdminOnly, "", B::kNone, 0,
       [](W& w, R, P) {
         return bare("/api/v1/open311/keys/" + str(fresh_open311_key(w).at("id").as_int64()) +
                     "/revoke");
       }},
      // Meetings and their action items: the HQ office manages them, tenant-wide staff read them,
      // a unit reads and closes the items of its own subtree only.
      {"GET", "/api/v1/meetings", "", "ok ok ok ok ok fb fb fb un", "", B::kJson, 0,
       [](W&, R, P) { return bare("/api/v1/meetings"); }},
      {"POST", "/api/v1/meetings", "", kHq, "", B::kJson, 0,
       [](W& w, R, P) {
         return send("/api/v1/meetings",
                     json::object{{"kind", "special"},
                                  {"title", w.next("矩阵专题会")},
                                  {"starts_at", "2026-12-01T01:00:00Z"}});
       }},
      {"GET", "/api/v1/meetings/{id}", "", "ok ok ok ok ok fb fb fb un", "", B::kJson, 0,
       [](W& w, R, P) { return bare("/api/v1/meetings/" + str(w.meeting)); }},
      {"PUT", "/api/v1/meetings/{id}", "", kHq, "", B::kJson, 0,
       [](W& w, R, P) {
         auto m = w.new_meeting({w.subdistrict[0]}, false);
         return send("/api/v1/meetings/" + str(m.at("meeting").at("id").as_int64()),
                     json::object{{"kind", "regular"},
                                  {"title", w.next("矩阵改名例会")},
                                  {"starts_at", "2026-11-30T01:00:00Z"},
                                  {"version", 1}});
       }},
      {"POST", "/api/v1/meetings/{id}/issue", "", kHq, "", B::kJson, 0,
       [](W& w, R, P) {
         auto m = w.new_meeting({w.subdistrict[0]}, false);
         return send("/api/v1/meetings/" + str(m.at("meeting").at("id").as_int64()) + "/issue",
                     json::object{{"version", 1}});
       }},
      {"POST", "/api/v1/meetings/{id}/cancel", "", kHq, "", B::kJson, 0,
       [](W& w, R, P) {
         auto m = w.new_meeting({w.subdistrict[0]}, false);
         return send("/api/v1/meetings/" + str(m.at("meeting").at("id").as_int64()) + "/cancel",
                     json::object{{"version", 1}});
       }},
      {"GET", "/api/v1/meetings/{id}/report", "", "ok ok ok ok ok fb fb fb un", "", B::kJson, 0,
       [](W& w, R, P) { return bare("/api/v1/meetings/" + str(w.meeting) + "/report"); }},
      {"GET", "/api/v1/meetings/{id}/minutes.pdf", "", "ok ok ok ok ok fb fb fb un", "", B::kPdf,
       0, [](W& w, R, P) { return bare("/api/v1/meetings/" + str(w.meeting) + "/minutes.pdf"); }},
      {"GET", "/api/v1/action-items", "", "ok ok ok ok ok ok fb fb un", "", B::kJson, kOtherOrg,
       [](W&, R, P) { return bare("/api/v1/action-items"); }},
      {"GET", "/api/v1/action-items/{id}", "", "ok ok ok ok ok ok fb fb un",
       "ok ok ok ok ok os fb fb un", B::kJson, 0,
       [](W& w, R, P p) { return bare("/api/v1/action-items/" + str(w.item[idx(p)])); }},
      {"POST", "/api/v1/action-items/{id}/close", "", "ok ok fb fb fb ok fb fb un",
       "ok ok fb fb fb os fb fb un", B::kJson, 0,
       [](W& w, R, P p) {
         auto m = w.new_meeting({w.subdistrict[idx(p)]}, true);
         return Req{"/api/v1/action-items/" + str(m.at("items").at(0).at("id").as_int64()) +
                        "/close?note=%E5%B7%B2%E5%8A%9E%E7%BB%93",
                    w.photo,
                    {{"Content-Type", "image/jpeg"}},
                    Via::kRole};
       }},
      {"GET", "/api/v1/action-items/{id}/photo", "", "ok ok ok ok ok ok fb fb un",
       "ok ok ok ok ok os fb fb un", B::kNone, 0,
       [](W& w, R, P p) {
         return bare("/api/v1/action-items/" + str(w.closed_item[idx(p)]) + "/photo");
       }},
      {"GET", "/api/v1/action-items/{id}/photo/thumbnail", "", "ok ok ok ok ok ok fb fb un",
       "ok ok ok ok ok os fb fb un", B::kNone, 0,
       [](W& w, R, P p) {
         return bare("/api/v1/action-items/" + str(w.closed_item[idx(p)]) + "/photo/thumbnail");
       }},
      // The command-centre dashboard and the hotspots: staff, each within his scope.
      {"GET", "/api/v1/dashboard", "", kStaff, "", B::kJson, kOtherOrg,
       [](W&, R, P) { return bare("/api/v1/dashboard"); }},
      {"GET", "/api/v1/hotspots", "", kStaff, "", B::kJson, kOtherOrg,
       [](W&, R, P) { return bare("/api/v1/hotspots?period=month"); }},
      {"GET", "/api/v1/workflow", "", kStaff, "", B::kNone, 0,
       [](W&, R, P) { return bare("/api/v1/workflow"); }},
      {"PUT", "/api/v1/workflow", "", kHq, "", B::kNone, 0,
       [](W& w, R, P) { return send("/api/v1/workflow", must(w.admin(), "GET", "/api/v1/workflow")); }},
      {"GET", "/api/v1/webhooks", "", kHq, "", B::kNone, 0,
       [](W&, R, P) { return bare("/api/v1/webhooks"); }},
      {"POST", "/api/v1/webhooks", "", kHq, "", B::kNone, 0,
       [](W& w, R, P) {
         return send("/api/v1/webhooks", json::object{{"name", w.next("矩阵机器人")},
                                                      {"flavour", "generic"},
                                                      {"url", "http://127.0.0.1:9/hook"}});
       }},
      {"DELETE", "/api/v1/webhooks/{id}", "", kHq, "", B::kNone, 0,
       [](W& w, R, P) {
         auto hook = must(w.admin(), "POST", "/api/v1/webhooks",
                          json::serialize(json::object{{"name", w.next("矩阵机器人")},
                                                       {"flavour", "generic"},
                                                       {"url", "http://127.0.0.1:9/hook"}}));
         return bare("/api/v1/webhooks/" + str(hook.at("id").as_int64()));
       }},

      // --- one's own messages; another user's message does not exist for the caller
      {"GET", "/api/v1/notifications", "", kSignedIn, "", B::kJson, kCaseMarks,
       [](W&, R, P) { return bare("/api/v1/notifications?limit=200"); }},
      {"POST", "/api/v1/notifications/{id}/read", "", kSignedIn, "nf nf nf nf nf nf nf nf un",
       B::kNone, 0,
       [](W& w, R r, P p) {
         const auto owner = p == P::kOwn ? w.user_of(r) : w.other_unit_user;
         return bare("/api/v1/notifications/" + str(fresh_notification(w, owner)) + "/read");
       }},
      {"POST", "/api/v1/notifications/read-all", "", kSignedIn, "", B::kNone, 0,
       [](W&, R, P) { return bare("/api/v1/notifications/read-all"); }},
  };
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Running the table.

World* g_world = nullptr;
std::string g_world_error;  // why the world could not be built, once

World& world() {
  if (g_world == nullptr) {
    if (!g_world_error.empty()) throw std::runtime_error(g_world_error);
    try {
      g_world = new World();
    } catch (const std::exception& e) {
      g_world_error = std::string("building the matrix's fixtures failed: ") + e.what();
      throw std::runtime_error(g_world_error);
    }
  }
  return *g_world;
}

class MatrixEnvironment : public ::testing::Environment {
 public:
  void TearDown() override {
    if (g_world == nullptr) return;
    std::printf("[authz matrix] %zu routes, %d cells run, %d failed\n", g_world->routes_run.size(),
                g_world->cells, g_world->failed_cells);
    delete g_world;
    g_world = nullptr;
  }
};
[[maybe_unused]] ::testing::Environment* const kMatrixEnvironment =
    ::testing::AddGlobalTestEnvironment(new MatrixEnvironment);

struct RouteKey {
  std::string method;
  std::string path;
};

void PrintTo(const RouteKey& k, std::ostream* os) { *os << k.method << " " << k.path; }

std::vector<RouteKey> described_routes() {
  std::vector<RouteKey> out;
  auto doc = embedded::find("api/openapi.json");
  if (!doc) return out;
  auto v = json::parse(*doc);
  for (const auto& [path, ops] : v.at("paths").as_object()) {
    for (const auto& [method, op] : ops.as_object()) {
      std::string m(method);
      for (auto& ch : m) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      out.push_back({m, std::string(path)});
    }
  }
  return out;
}

std::string cell_name(const Row& row, Role role, const char* place) {
  return row.method + " " + row.path + (row.variant.empty() ? "" : " [" + row.variant + "]") +
         " | " + kRoleInfo[idx(role)].name + " | " + place;
}

// Runs every cell of one row; returns the failures, one line each.
std::vector<std::string> run_row(World& w, const Row& row) {
  std::vector<std::string> failures;
  // CIVICLOOP_AUTHZ_VERBOSE=1 prints every cell's answer.
  static const bool verbose = std::getenv("CIVICLOOP_AUTHZ_VERBOSE") != nullptr;
  const bool placeless = row.other.empty();
  const auto own = parse_outcomes(row.own);
  const auto other = placeless ? own : parse_outcomes(row.other);
  if (!own || !other) return {row.method + " " + row.path + ": malformed outcomes in the table"};
  for (const auto role : kRoles) {
    for (const auto place : {Place::kOwn, Place::kOther}) {
      if (placeless && place == Place::kOther) continue;
      const char* where = placeless              ? "any place"
                          : place == Place::kOwn ? "own place"
                                                 : "other place";
      const auto expected = (place == Place::kOwn ? *own : *other)[idx(role)];
      const auto name = cell_name(row, role, where);
      ++w.cells;
      try {
        const auto req = row.build(w, role, place);
        std::unique_ptr<TestClient> fresh;
        TestClient* c = &w.as(role);
        const auto* user = kRoleInfo[idx(role)].demo_user;
        if (req.via == Via::kFreshAnonymous || (req.via == Via::kFreshSession && user == nullptr)) {
          fresh = w.server.client();
          c = fresh.get();
        } else if (req.via == Via::kFreshSession) {
          fresh = w.server.login(user);
          c = fresh.get();
        }
        const auto r = c->request(row.method, req.path, req.body, req.headers);
        std::string failure;
        if (!matches(expected, r)) {
          failure = "expected " + std::string(outcome_text(expected)) + ", got " + describe(r);
        } else if (r.status >= 200 && r.status <= 299) {
          const unsigned forbidden = row.marks & ~kRoleInfo[idx(role)].sees;
          const auto found = leaks(w, row.body, r.body, forbidden);
          if (!found.empty()) {
            failure = "expected " + std::string(outcome_text(expected)) + " without data the " +
                      "role may not see, got " + describe(r) + " embedding";
            for (const auto& f : found) failure += " " + f;
          }
        }
        if (verbose) std::printf("[authz cell] %s -> %s\n", name.c_str(), describe(r).c_str());
        if (!failure.empty()) failures.push_back(name + ": " + failure);
      } catch (const std::exception& e) {
        failures.push_back(name + ": " + e.what());
      }
    }
  }
  w.failed_cells += static_cast<int>(failures.size());
  return failures;
}

class AuthzMatrix : public ::testing::TestWithParam<RouteKey> {
 protected:
  static void SetUpTestSuite() {
    try {
      world();
    } catch (const std::exception&) {
      // Each test reports why.
    }
  }
};

TEST_P(AuthzMatrix, EveryRoleInItsOwnPlaceAndInAnother) {
  const auto& key = GetParam();
  std::vector<const Row*> rows;
  for (const auto& row : matrix()) {
    if (row.method == key.method && row.path == key.path) rows.push_back(&row);
  }
  if (rows.empty()) {
    FAIL() << key.method << " " << key.path
           << " is described but has no scope test: add a row to the authz matrix in "
              "tests/api_authz_matrix_test.cpp (see docs/security.md)";
  }
  World* world_ptr = nullptr;
  try {
    world_ptr = &world();
  } catch (const std::exception& e) {
    FAIL() << e.what();
  }
  auto& w = *world_ptr;
  w.routes_run.insert(key.method + " " + key.path);
  for (const auto* row : rows) {
    for (const auto& f : run_row(w, *row)) ADD_FAILURE() << f;
  }
}

std::string route_test_name(const ::testing::TestParamInfo<RouteKey>& info) {
  std::string name = info.param.method + "_" + info.param.path;
  for (auto& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(, AuthzMatrix, ::testing::ValuesIn(described_routes()), route_test_name);

// The table itself: every row names a described route and holds one outcome per role.
TEST(AuthzMatrixTable, EveryRowNamesADescribedRouteAndEveryRole) {
  std::set<std::string> described;
  for (const auto& k : described_routes()) described.insert(k.method + " " + k.path);
  ASSERT_FALSE(described.empty()) << "the embedded OpenAPI description is missing";
  for (const auto& row : matrix()) {
    EXPECT_TRUE(described.contains(row.method + " " + row.path))
        << row.method << " " << row.path << " is in the matrix but not in the description";
    EXPECT_TRUE(parse_outcomes(row.own).has_value()) << row.method << " " << row.path;
    if (!row.other.empty()) {
      EXPECT_TRUE(parse_outcomes(row.other).has_value()) << row.method << " " << row.path;
    }
    // An anonymous caller never gets more than a public route gives.
    for (const auto& outcomes : {row.own, row.other}) {
      EXPECT_TRUE(outcomes.empty() || outcomes.ends_with(" un") || outcomes == kPublic)
          << row.method << " " << row.path;
    }
  }
}

// The searches see what they look for: a whole-tenant role's answers do hold the other place's
// case numbers, notice numbers and people, in JSON, Excel, PDF and CSV alike.
TEST(AuthzMatrixTable, TheLeakSearchFindsWhatAWholeTenantRoleMaySee) {
  World* w = nullptr;
  try {
    w = &world();
  } catch (const std::exception& e) {
    FAIL() << e.what();
  }
  auto& admin = w->admin();
  auto found = [&](BodyKind kind, const std::string& path, unsigned cls) {
    auto r = admin.request("GET", path);
    EXPECT_EQ(r.status, 200) << path;
    return leaks(*w, kind, r.body, cls);
  };
  const std::string x1 = "case X1 (古城) id " + std::to_string(w->x1);
  EXPECT_TRUE(
      found(BodyKind::kJson, "/api/v1/cases?category=0102&limit=200", kOtherPlace).contains(x1));
  EXPECT_TRUE(found(BodyKind::kJson, "/api/v1/notices/" + str(w->n_mixed), kOtherPlace)
                  .contains("case X2 (古城, department notice) id " + std::to_string(w->x2)));
  const std::string x1_no = "'" + w->case_no(w->x1) + "'";
  EXPECT_TRUE(
      found(BodyKind::kXlsx, "/api/v1/cases.xlsx?category=0102", kOtherPlace).contains(x1_no));
  EXPECT_TRUE(found(BodyKind::kPdf, "/api/v1/notices/" + str(w->n_mixed) + ".pdf", kOtherPlace)
                  .contains("'" + w->case_no(w->x2) + "'"));
  EXPECT_FALSE(found(BodyKind::kXlsx, "/api/v1/notices.xlsx?open=false", kOtherPlace).empty());
  EXPECT_TRUE(
      found(BodyKind::kCsv, "/api/v1/org/people.csv", kOtherOrg).contains("'矩阵外地标记人'"));
  EXPECT_TRUE(
      found(BodyKind::kXlsx, "/api/v1/org/people.xlsx", kOtherOrg).contains("'矩阵外地标记人'"));
  EXPECT_TRUE(
      found(BodyKind::kJson, "/api/v1/cases/" + str(w->c1), kInternal).contains("'矩阵退回理由'"));

  // A unit-bound role's own place is not filtered away together with the other place.
  auto found_as = [&](Role role, BodyKind kind, const std::string& path, unsigned cls) {
    auto r = w->as(role).request("GET", path);
    EXPECT_EQ(r.status, 200) << path;
    return leaks(*w, kind, r.body, cls);
  };
  const std::string o1 = "case O1 (永泰) id " + std::to_string(w->o1);
  for (const auto role : {Role::kUnitOperator, Role::kGridWorker}) {
    EXPECT_TRUE(found_as(role, BodyKind::kJson, "/api/v1/cases?category=0102&limit=200", kOwnStaff)
                    .contains(o1));
    EXPECT_TRUE(found_as(role, BodyKind::kJson,
                         "/api/v1/cases/nearby?category=0102" + at_query(w->centre[0]), kOwnStaff)
                    .contains(o1));
    EXPECT_TRUE(
        found_as(role, BodyKind::kPdf, "/api/v1/notices/" + str(w->n_mixed) + ".pdf", kOwnStaff)
            .contains("'" + w->case_no(w->o2) + "'"));
  }
}

}  // namespace
}  // namespace civicloop::test
