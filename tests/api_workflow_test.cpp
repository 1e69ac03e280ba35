// The workflow settings page's API on SQLite and PostgreSQL: the HQ office reads and changes the
// settings, every change is checked by the domain's rules and recorded in the ledger with both
// versions, a change made from an old revision is refused, other roles may read but not change,
// and a change takes effect at once (the outside-area policy, the notice number format).
#include <gtest/gtest.h>

#include <map>
#include <memory>

#include "support/api_fixture.hpp"
#include "support/test_db.hpp"

namespace civicloop::test {
namespace {

namespace json = boost::json;

class Workflow : public ::testing::TestWithParam<std::string> {
 protected:
  static void TearDownTestSuite() { servers().clear(); }

  void SetUp() override {
    if (GetParam() == kPostgresBackend && !pg_configured()) {
      if (pg_required()) FAIL() << "CIVICLOOP_REQUIRE_PG=1 but CIVICLOOP_TEST_PG is not set";
      GTEST_SKIP() << "PostgreSQL not configured: run under scripts/with-pg.sh";
    }
    auto& s = servers()[GetParam()];
    if (!s) s = std::make_unique<ApiServer>(GetParam());
    ASSERT_TRUE(s->ready());
    server_ = s.get();
    admin_ = server_->login("admin");
    // Each test starts from the preset's values.
    put_or_fail(preset());
  }

  static std::map<std::string, std::unique_ptr<ApiServer>>& servers() {
    static std::map<std::string, std::unique_ptr<ApiServer>> m;
    return m;
  }

  // The preset's workflow.json, as the API writes it.
  static json::object preset() {
    return json::object{
        {"acknowledge_limit", json::object{{"amount", 2}, {"unit", "working_hours"}}},
        {"verify_limit", json::object{{"amount", 1}, {"unit", "working_days"}}},
        {"escalation_percents", json::array{100, 150, 200}},
        {"duplicate_radius_m", 50},
        {"evidence_distance_m", 200},
        {"rectification_number_format", "平创整〔{year}〕{seq:04}号"},
        {"reminder_number_format", "平创提〔{year}〕{seq:04}号"},
        {"issuer", "平城区创建文明城市指挥部办公室"},
        {"reporter_sees_notice", false},
        {"outside_area_policy", "refuse"},
        {"anchor_digest", false},
        {"recurrence_days", 30}};
  }

  json::object current() {
    const auto r = admin_->request("GET", "/api/v1/workflow");
    EXPECT_EQ(r.status, 200) << r.body;
    const auto v = parse(r);
    return v.as_object();
  }

  HttpResponse put(json::object settings, TestClient* as = nullptr) {
    if (!settings.contains("revision")) settings["revision"] = current().at("revision");
    return (as != nullptr ? as : admin_.get())
        ->request("PUT", "/api/v1/workflow", json::serialize(settings));
  }

  void put_or_fail(json::object settings) {
    const auto r = put(std::move(settings));
    ASSERT_EQ(r.status, 200) << r.body;
  }

  std::int64_t workflow_events() {
    const auto r = admin_->request("GET", "/api/v1/ledger?entity_type=workflow&limit=200");
    EXPECT_EQ(r.status, 200) << r.body;
    const auto v = parse(r);
    return static_cast<std::int64_t>(v.at("items").as_array().size());
  }

  static std::string error_code(const HttpResponse& r) {
    const auto v = parse(r);
    return std::string(v.at("error").at("code").as_string());
  }
  static std::string error_field(const HttpResponse& r) {
    const auto v = parse(r);
    const auto* f = v.at("error").at("details").as_object().if_contains("field");
    return f != nullptr ? std::string(f->as_string()) : "";
  }

  ApiServer* server_ = nullptr;
  std::unique_ptr<TestClient> admin_;
};

TEST_P(Workflow, ReadsThePresetWithItsBounds) {
  const auto w = current();
  EXPECT_EQ(w.at("outside_area_policy").as_string(), "refuse");
  EXPECT_EQ(w.at("rectification_number_format").as_string(), "平创整〔{year}〕{seq:04}号");
  EXPECT_EQ(w.at("escalation_percents").as_array().size(), 3u);
  EXPECT_EQ(w.at("acknowledge_limit").at("unit").as_string(), "working_hours");
  EXPECT_EQ(w.at("bounds").at("duplicate_radius_m").at("max").as_int64(), 1000);
  EXPECT_EQ(w.at("revision").as_string().size(), 16u);
  // Every role that works on cases may read them; a citizen may not.
  for (const char* who : {"office", "leader", "supervisor", "unit", "grid"}) {
    auto c = server_->login(who);
    EXPECT_EQ(c->request("GET", "/api/v1/workflow").status, 200) << who;
  }
  auto citizen = server_->login("citizen");
  EXPECT_EQ(citizen->request("GET", "/api/v1/workflow").status, 403);
}

TEST_P(Workflow, AChangeIsALedgerEventWithBothVersions) {
  const auto before = workflow_events();
  auto next = preset();
  next["duplicate_radius_m"] = 80;
  next["escalation_percents"] = json::array{100, 200};
  const auto r = put(next);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto v = parse(r);
  EXPECT_EQ(v.at("duplicate_radius_m").as_int64(), 80);
  EXPECT_NE(v.at("revision").as_string(), json::string(""));
  EXPECT_EQ(current().at("duplicate_radius_m").as_int64(), 80);
  ASSERT_EQ(workflow_events(), before + 1);
  const auto page = admin_->request("GET", "/api/v1/ledger?entity_type=workflow&limit=1");
  const auto ev = parse(page);
  const auto& e = ev.at("items").as_array().at(0);
  EXPECT_EQ(e.at("action").as_string(), "update");
  const auto& b = e.at("before");
  const auto& a = e.at("after");
  EXPECT_EQ(b.at("duplicate_radius_m").as_int64(), 50);
  EXPECT_EQ(a.at("duplicate_radius_m").as_int64(), 80);
  EXPECT_EQ(a.at("escalation_percents").as_array().size(), 2u);
  // Saving the same values again is no change and no event.
  ASSERT_EQ(put(next).status, 200);
  EXPECT_EQ(workflow_events(), before + 1);
}

TEST_P(Workflow, AChangeFromAnOldRevisionIsRefused) {
  const auto old = current().at("revision");
  auto first = preset();
  first["evidence_distance_m"] = 300;
  put_or_fail(first);
  auto second = preset();
  second["evidence_distance_m"] = 400;
  second["revision"] = old;
  const auto r = put(second);
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(error_code(r), "conflict.stale_version");
  EXPECT_EQ(current().at("evidence_distance_m").as_int64(), 300);
}

TEST_P(Workflow, OnlyTheHqChangesIt) {
  for (const char* who : {"leader", "supervisor", "unit", "grid", "citizen"}) {
    auto c = server_->login(who);
    auto next = preset();
    next["duplicate_radius_m"] = 70;
    const auto r = put(next, c.get());
    EXPECT_EQ(r.status, 403) << who << ": " << r.body;
  }
  EXPECT_EQ(current().at("duplicate_radius_m").as_int64(), 50);
}

TEST_P(Workflow, BadValuesAreRefusedNamingTheField) {
  struct Case {
    const char* field;
    json::value value;
    const char* code;
  };
  const std::vector<Case> bad = {
      {"duplicate_radius_m", json::value(5), "field.out_of_range"},
      {"evidence_distance_m", json::value(20000), "field.out_of_range"},
      {"recurrence_days", json::value(-1), "field.out_of_range"},
      {"acknowledge_limit", json::value(json::object{{"amount", 0}, {"unit", "working_hours"}}),
       "field.out_of_range"},
      {"verify_limit", json::value(json::object{{"amount", 1}, {"unit", "fortnights"}}),
       "case.bad_limit_unit"},
      {"escalation_percents", json::value(json::array{150, 100}), "workflow.bad_escalation"},
      {"escalation_percents", json::value(json::array{}), "workflow.bad_escalation"},
      {"escalation_percents", json::value(json::array{100, 150, 200, 250}),
       "workflow.bad_escalation"},
      {"rectification_number_format", json::value("整改{seq}号"), "workflow.bad_number_format"},
      {"reminder_number_format", json::value("平创整〔{year}〕{seq:04}号"),
       "workflow.same_number_format"},
      {"outside_area_policy", json::value("ignore"), "workflow.bad_outside_area_policy"},
      {"issuer", json::value(std::string(61, 'x')), "field.too_long"},
  };

  for (const auto& b : bad) {
    auto next = preset();
    next[b.field] = b.value;
    const auto r = put(next);
    EXPECT_EQ(r.status, 400) << b.field << ": " << r.body;
    EXPECT_EQ(error_code(r), b.code) << b.field << ": " << r.body;
    EXPECT_EQ(error_field(r).rfind(b.field, 0), 0u) << b.field << ": " << r.body;
  }
  // A missing field and an unknown one.
  auto missing = preset();
  missing.erase("outside_area_policy");
  EXPECT_EQ(error_code(put(missing)), "field.required");
  auto unknown = preset();
  unknown["colour"] = "red";
  EXPECT_EQ(error_code(put(unknown)), "request.unknown_field");
  // The English message names the rule.
  auto en = preset();
  en["rectification_number_format"] = "整改{seq}号";
  en["revision"] = current().at("revision");
  const auto r =
      admin_->request("PUT", "/api/v1/workflow", json::serialize(en), {{"Accept-Language", "en"}});
  const auto v = parse(r);
  EXPECT_NE(std::string(v.at("error").at("message").as_string()).find("{year}"), std::string::npos)
      << r.body;
  EXPECT_EQ(current().at("rectification_number_format").as_string(), "平创整〔{year}〕{seq:04}号");
}

TEST_P(Workflow, TheOutsideAreaPolicyTakesEffectAtOnce) {
  auto grid = server_->login("grid");
  const std::string beijing =
      R"({"category":"0102","description":"路边堆放生活垃圾","lat":39.9,"lng":116.4})";
  const auto refused = grid->request("POST", "/api/v1/cases", beijing);
  EXPECT_EQ(refused.status, 422) << refused.body;
  auto flag = preset();
  flag["outside_area_policy"] = "flag";
  put_or_fail(flag);
  const auto accepted = grid->request("POST", "/api/v1/cases", beijing);
  EXPECT_EQ(accepted.status, 201) << accepted.body;
  const auto v = parse(accepted);
  // The office sees it flagged for placement (a reporter's view leaves the flag out).
  const auto id = v.at("case").at("id").as_int64();
  const auto seen = admin_->request("GET", "/api/v1/cases/" + std::to_string(id));
  const auto view = parse(seen);
  EXPECT_TRUE(view.at("case").at("needs_placement").as_bool()) << seen.body;
  EXPECT_EQ(view.at("case").at("subdistrict"), json::value(nullptr)) << seen.body;
}

INSTANTIATE_TEST_SUITE_P(Backends, Workflow, ::testing::ValuesIn(test_backends()), backend_name);

}  // namespace
}  // namespace civicloop::test
