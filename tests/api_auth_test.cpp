// Sign-in, sessions, API tokens, accounts, the ledger endpoints and the system endpoints, against a
// real server on loopback.
#include "api/api.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "http/errors.hpp"
#include "storage/embedded.hpp"
#include "support/api_fixture.hpp"
#include "support/test_db.hpp"

namespace civicloop::test {
namespace {

namespace json = boost::json;

class ApiAuth : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new ApiServer("sqlite"); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static ApiServer& server() { return *server_; }
  static inline ApiServer* server_ = nullptr;
};

TEST_F(ApiAuth, LoginSetsAnHttpOnlySameSiteCookieAndMeAnswers) {
  auto c = server().client();
  auto r =
      c->request("POST", "/api/v1/auth/login", R"({"username":"admin","password":"Demo@2026"})",
                 {{"Content-Type", "application/json"}});
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.set_cookies.size(), 1u);
  const auto& cookie = r.set_cookies[0];
  EXPECT_NE(cookie.find("civicloop_session="), std::string::npos);
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Lax"), std::string::npos);
  auto v = parse(r);
  EXPECT_EQ(v.at("user").at("role").as_string(), "hq_admin");
  EXPECT_EQ(v.at("user").at("tenant").at("code").as_string(), "pingcheng");
  EXPECT_FALSE(v.at("user").as_object().contains("password_hash"));
  auto me = c->request("GET", "/api/v1/auth/me");
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(parse(me).at("user").at("username").as_string(), "admin");
  EXPECT_EQ(parse(me).at("csrf_token"), v.at("csrf_token"));

  auto out = c->request("POST", "/api/v1/auth/logout");
  EXPECT_EQ(out.status, 204);
  EXPECT_EQ(c->request("GET", "/api/v1/auth/me").status, 401);
}

TEST_F(ApiAuth, WrongPasswordAndUnknownUserLookTheSame) {
  auto c = server().client();
  auto wrong =
      c->request("POST", "/api/v1/auth/login", R"({"username":"admin","password":"nope"})");
  auto unknown =
      c->request("POST", "/api/v1/auth/login", R"({"username":"ghost","password":"nope"})");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(wrong.body, unknown.body);
  EXPECT_EQ(parse(wrong).at("error").at("message").as_string(), "用户名或密码错误");
  auto missing = c->request("POST", "/api/v1/auth/login", R"({"username":"admin"})");
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(parse(missing).at("error").at("details").at("field").as_string(), "password");
}

TEST_F(ApiAuth, ApiTokensWorkWithoutCsrfAndStopWhenRevoked) {
  auto c = server().login("office");
  auto created = c->request("POST", "/api/v1/auth/tokens", R"({"name":"12345 热线对接"})");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string secret(parse(created).at("secret").as_string());
  const auto id = parse(created).at("token").at("id").as_int64();
  EXPECT_EQ(secret.rfind("clp_", 0), 0u);

  auto machine = server().client();
  machine->keep_cookies(false);
  auto r = machine->request("GET", "/api/v1/org/units?kind=task_force", "",
                            {{"Authorization", "Bearer " + secret}});
  EXPECT_EQ(r.status, 200);
  auto listed = c->request("GET", "/api/v1/auth/tokens");
  EXPECT_EQ(parse(listed).at("items").as_array().size(), 1u);
  EXPECT_EQ(listed.body.find(secret.substr(6)), std::string::npos) << "secret listed";

  // Someone else's token cannot be revoked by a non-admin.
  auto other = server().login("supervisor");
  EXPECT_EQ(other->request("DELETE", "/api/v1/auth/tokens/" + std::to_string(id)).status, 404);
  EXPECT_EQ(c->request("DELETE", "/api/v1/auth/tokens/" + std::to_string(id)).status, 204);
  EXPECT_EQ(
      machine->request("GET", "/api/v1/org/units", "", {{"Authorization", "Bearer " + secret}})
          .status,
      401);
  EXPECT_EQ(machine
                ->request("GET", "/api/v1/org/units", "",
                          {{"Authorization", "Bearer clp_1." + std::string(64, 'f')}})
                .status,
            401);
}

TEST_F(ApiAuth, AdminManagesAccountsAndOthersCannot) {
  auto admin = server().login("admin");
  const auto unit = server().unit_id("140213055");
  auto no_unit =
      admin->request("POST", "/api/v1/users",
                     R"({"username":"op55","password":"longenough1","role":"unit_operator"})");
  EXPECT_EQ(no_unit.status, 400);
  EXPECT_EQ(error_code(no_unit), "auth.unit_required");
  auto weak = admin->request("POST", "/api/v1/users",
                             R"({"username":"op55","password":"short","role":"hq_staff"})");
  EXPECT_EQ(error_code(weak), "auth.password_too_short");
  auto bad_role = admin->request("POST", "/api/v1/users",
                                 R"({"username":"op55","password":"longenough1","role":"king"})");
  EXPECT_EQ(error_code(bad_role), "auth.invalid_role");
  auto made = admin->request(
      "POST", "/api/v1/users",
      R"({"username":"op55","password":"longenough1","role":"unit_operator","display_name":"清远街道联络员","unit_id":)" +
          std::to_string(unit) + "}");
  ASSERT_EQ(made.status, 201) << made.body;
  const auto id = std::to_string(parse(made).at("id").as_int64());
  auto dup = admin->request("POST", "/api/v1/users",
                            R"({"username":"op55","password":"longenough1","role":"hq_staff"})");
  EXPECT_EQ(dup.status, 409);

  auto op = server().login("op55", "longenough1");
  EXPECT_EQ(op->request("GET", "/api/v1/org/units/" + std::to_string(unit)).status, 200);
  EXPECT_EQ(op->request("GET", "/api/v1/users").status, 403);
  EXPECT_EQ(op->request("PATCH", "/api/v1/users/" + id, R"({"role":"hq_admin"})").status, 403);

  auto disabled = admin->request("PATCH", "/api/v1/users/" + id, R"({"disabled":true})");
  ASSERT_EQ(disabled.status, 200) << disabled.body;
  EXPECT_EQ(op->request("GET", "/api/v1/auth/me").status, 401) << "session outlived disabling";
  auto again = server().client()->request("POST", "/api/v1/auth/login",
                                          R"({"username":"op55","password":"longenough1"})");
  EXPECT_EQ(again.status, 403);
  EXPECT_EQ(error_code(again), "auth.disabled");
  auto self = admin->request("PATCH", "/api/v1/users/1", R"({"disabled":true})");
  EXPECT_EQ(error_code(self), "auth.cannot_disable_self");
}

TEST_F(ApiAuth, LedgerVerifiesAndNamesTheFirstAlteredEvent) {
  auto admin = server().login("admin");
  auto ok = admin->request("GET", "/api/v1/ledger/verify");
  ASSERT_EQ(ok.status, 200);
  EXPECT_TRUE(parse(ok).at("ok").as_bool());
  EXPECT_GT(parse(ok).at("events").as_int64(), 100);
  auto page = admin->request("GET", "/api/v1/ledger?limit=5");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(parse(page).at("items").as_array().size(), 5u);
  EXPECT_FALSE(parse(page).at("next_cursor").is_null());
  // Someone edits an event behind the application's back.
  {
    auto lease = server().db().acquire();
    lease->execute("UPDATE ledger_events SET note = 'edited' WHERE tenant_id = 1 AND seq = 42");
  }
  auto bad = admin->request("GET", "/api/v1/ledger/verify");
  EXPECT_FALSE(parse(bad).at("ok").as_bool());
  EXPECT_EQ(parse(bad).at("first_bad_seq").as_int64(), 42);
  EXPECT_EQ(parse(bad).at("reason").as_string(), "altered");
  {
    auto lease = server().db().acquire();
    lease->execute("UPDATE ledger_events SET note = NULL WHERE tenant_id = 1 AND seq = 42");
  }
  EXPECT_TRUE(parse(admin->request("GET", "/api/v1/ledger/verify")).at("ok").as_bool());
}

TEST_F(ApiAuth, HealthMetricsAndUnknownRoutes) {
  auto c = server().client();
  auto h = c->request("GET", "/healthz");
  ASSERT_EQ(h.status, 200);
  EXPECT_EQ(parse(h).at("status").as_string(), "ok");
  EXPECT_EQ(parse(h).at("db").as_string(), "sqlite");
  auto m = c->request("GET", "/metrics");
  EXPECT_EQ(m.status, 200);
  EXPECT_NE(m.body.find("civicloop_info{db=\"sqlite\"} 1"), std::string::npos);
  auto missing = c->request("GET", "/api/v1/nothing-here");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(error_code(missing), "not_found");
  auto method = c->request("DELETE", "/api/v1/org/structure");
  EXPECT_EQ(method.status, 405);
  EXPECT_EQ(method.header("allow"), "GET");
}

TEST_F(ApiAuth, OpenApiDescribesExactlyTheRoutesTheServerHas) {
  auto c = server().client();
  auto r = c->request("GET", "/api/v1/openapi.json");
  ASSERT_EQ(r.status, 200);
  auto doc = parse(r);
  ASSERT_TRUE(doc.is_object());
  std::set<std::string> described;
  for (const auto& [path, ops] : doc.at("paths").as_object()) {
    for (const auto& [method, op] : ops.as_object()) {
      std::string m(method);
      for (auto& ch : m) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      described.insert(m + " " + std::string(path));
    }
  }
  // The router of a fresh Api over the same context.
  auto api = api::make_api(server().ctx(), {});
  std::set<std::string> served;
  for (const auto& route : api->router.routes()) served.insert(route.method + " " + route.pattern);
  EXPECT_EQ(described, served);
}

TEST_F(ApiAuth, EveryErrorCodeHasAStatusAndBothLanguages) {
  for (const auto& code : http::known_error_codes()) {
    Error e = make_error(code, "name");
    const int status = http::status_of(e);
    EXPECT_GE(status, 400) << code;
    EXPECT_NE(http::message_of(e, http::Lang::kZh), code) << code;
    EXPECT_NE(http::message_of(e, http::Lang::kEn), code) << code;
  }
  EXPECT_EQ(http::pick_language("en-US,en;q=0.9,zh;q=0.8"), http::Lang::kEn);
  EXPECT_EQ(http::pick_language("zh-CN,zh;q=0.9,en;q=0.8"), http::Lang::kZh);
  EXPECT_EQ(http::pick_language("fr"), http::Lang::kZh);
  EXPECT_EQ(http::pick_language("zh;q=0.5, en;q=0.6"), http::Lang::kEn);
}

// A code that a use case can return but the map does not know would reach users as a bare code.
TEST_F(ApiAuth, EveryErrorCodeInTheSourceIsInTheMap) {
  std::set<std::string> known;
  for (const auto& c : http::known_error_codes()) known.insert(c);
  std::set<std::string> missing;
  const std::regex call(R"re((?:make_error|bad|row_error)\(\s*"([a-z_]+\.[a-z_]+)")re");
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(std::string(CIVICLOOP_SOURCE_DIR) + "/src")) {
    if (entry.path().extension() != ".cpp") continue;
    std::ifstream in(entry.path());
    std::stringstream ss;
    ss << in.rdbuf();
    const auto text = ss.str();
    for (auto it = std::sregex_iterator(text.begin(), text.end(), call);
         it != std::sregex_iterator(); ++it) {
      const auto code = (*it)[1].str();
      if (code.ends_with(".json")) continue;  // a file name, not a code
      if (!known.contains(code))
        missing.insert((*it)[1].str() + " in " + entry.path().filename().string());
    }
  }
  EXPECT_TRUE(missing.empty()) << [&] {
    std::string s;
    for (const auto& m : missing) s += m + "\n";
    return s;
  }();
}

TEST_F(ApiAuth, StaticFilesNeverLeaveTheWebRoot) {
  auto c = server().client();
  for (const char* path :
       {"/../CMakeLists.txt", "/assets/../../CMakeLists.txt", "/%2e%2e/CMakeLists.txt",
        "/.git/config", "/assets/..%2f..%2fMakefile"}) {
    auto r = c->request("GET", path);
    EXPECT_EQ(r.body.find("cmake_minimum_required"), std::string::npos) << path;
    EXPECT_EQ(r.body.find("[core]"), std::string::npos) << path;
    EXPECT_EQ(r.body.find(".PHONY"), std::string::npos) << path;
  }
}

// What the server acknowledged is still there after a restart.
TEST_F(ApiAuth, NothingAcknowledgedIsLostAcrossARestart) {
  auto c = server().login("admin");
  auto r = c->request("POST", "/api/v1/org/people", R"({"name":"重启测试"})");
  ASSERT_EQ(r.status, 201);
  const auto id = parse(r).at("id").as_int64();
  server().restart();
  auto again = server().login("admin");
  auto got = again->request("GET", "/api/v1/org/people/" + std::to_string(id));
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(parse(got).at("person").at("name").as_string(), "重启测试");
}

// The same server on PostgreSQL: sign in, read the structure, write, verify the ledger.
TEST(ApiOnPostgres, ServesThePresetFromPostgres) {
  if (!pg_configured()) {
    if (pg_required()) FAIL() << "CIVICLOOP_REQUIRE_PG=1 but CIVICLOOP_TEST_PG is not set";
    GTEST_SKIP() << "CIVICLOOP_TEST_PG not set";
  }
  ApiServer pg("postgres");
  ASSERT_TRUE(pg.ready());
  auto c = pg.login("admin");
  auto groups = c->request("GET", "/api/v1/org/units?kind=supervision_group");
  ASSERT_EQ(groups.status, 200);
  EXPECT_EQ(parse(groups).at("items").as_array().size(), 11u);
  auto h = c->request("GET", "/healthz");
  EXPECT_EQ(parse(h).at("db").as_string(), "postgresql");
  auto p = c->request("POST", "/api/v1/org/people", R"({"name":"测试人员"})");
  EXPECT_EQ(p.status, 201);
  auto unit = pg.login("unit");
  EXPECT_EQ(
      unit->request("GET", "/api/v1/org/units/" + std::to_string(pg.unit_id("140213051"))).status,
      403);
  EXPECT_TRUE(parse(c->request("GET", "/api/v1/ledger/verify")).at("ok").as_bool());
}

}  // namespace
}  // namespace civicloop::test
