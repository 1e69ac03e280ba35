// The units' digests (工作提示, issue 8 part 9) on each backend: 永泰街道's own robot on 127.0.0.1
// and the inbox of its head (陈强, given an account here) get the daily and the weekly digest once
// per period, with the figures and the rank the KPI API gives; the tenant's robot gets none of
// them; a restart sends nothing twice; a unit without a recipient gets nothing; the preview and the
// history answer in scope only, and bad input is refused with its code.
#include "app/digest_service.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <mutex>
#include <string>
#include <vector>

#include "jobs/scheduler.hpp"
#include "support/loop_test.hpp"

namespace civicloop::test {
namespace {

namespace json = boost::json;

constexpr Millis kHour = 3600 * 1000;
constexpr Millis kDay = 24 * kHour;

class Digests : public LoopTest {
 protected:
  void SetUp() override {
    LoopTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    http::ServerOptions so;
    so.port = 0;
    so.threads = 1;
    receiver_ = std::make_unique<http::Server>(so, [this](http::Request& req) {
      std::lock_guard lock(mutex_);
      received_.emplace_back(req.target, req.body);
      return http::Response::json(200, R"({"errcode":0,"errmsg":"ok"})");
    });
    receiver_->start();
    unit_ = server().unit_id("140213050");  // 永泰街道
  }
  void TearDown() override {
    if (receiver_) receiver_->stop(1);
    LoopTest::TearDown();
  }

  std::string hook_url(const std::string& key) {
    return "http://127.0.0.1:" + std::to_string(receiver_->port()) +
           "/cgi-bin/webhook/send?key=" + key;
  }

  // A case reported in 永泰北社区, filed and dispatched to 永泰街道 at the clock's time.
  std::int64_t dispatched(TestClient& grid, TestClient& office) {
    const auto id = report(grid, "0102", "路边堆放生活垃圾");
    act(office, id, R"({"action":"file"})");
    act(office, id,
        R"({"action":"dispatch","unit_id":)" + std::to_string(unit_) + R"(,"note":"属地"})");
    return id;
  }

  // One scheduler step: the digests due now, then the outbox.
  app::DigestRunStats step(app::DigestService& service) {
    auto s = service.run_schedule();
    jobs::deliver_outbox(server().ctx(), {});
    return s;
  }

  std::vector<std::pair<std::string, std::string>> received() {
    std::lock_guard lock(mutex_);
    return received_;
  }
  std::vector<std::string> texts_to(const std::string& key) {
    std::vector<std::string> out;
    for (const auto& [target, body] : received()) {
      if (target.find("key=" + key) == std::string::npos) continue;
      std::string t;
      t += strings_of(json::parse(body));
      out.push_back(t);
    }
    return out;
  }

  std::unique_ptr<http::Server> receiver_;
  std::mutex mutex_;
  std::vector<std::pair<std::string, std::string>> received_;
  std::int64_t unit_ = 0;
};

TEST_P(Digests, AUnitsRobotAndHeadGetTheDailyAndWeeklyDigestOncePerPeriod) {
  auto office = server().login("office");
  auto admin = server().login("admin");
  auto grid = server().login("grid");
  // The tenant's robot and 永泰街道's own.
  auto r =
      office->request("POST", "/api/v1/webhooks",
                      json::serialize(json::object{
                          {"name", "创城工作群"}, {"flavour", "wecom"}, {"url", hook_url("hq")}}));
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_TRUE(parse(r).at("unit_id").is_null());
  r = office->request("POST", "/api/v1/webhooks",
                      json::serialize(json::object{{"name", "永泰街道工作群"},
                                                   {"flavour", "wecom"},
                                                   {"url", hook_url("yongtai")},
                                                   {"unit_id", unit_}}));
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(parse(r).at("unit_id").as_int64(), unit_);
  // A robot for a unit that does not exist is refused.
  r = office->request("POST", "/api/v1/webhooks",
                      json::serialize(json::object{{"name", "无此单位"},
                                                   {"flavour", "wecom"},
                                                   {"url", hook_url("none")},
                                                   {"unit_id", 999999}}));
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_EQ(error_code(r), "org.unit_not_found");
  // The head of 永泰街道 (党工委书记 陈强) gets an account.
  r = admin->request(
      "POST", "/api/v1/users",
      json::serialize(json::object{{"username", "chenqiang"},
                                   {"password", "Demo@2026x"},
                                   {"role", "unit_operator"},
                                   {"display_name", "陈强"},
                                   {"unit_id", unit_},
                                   {"person_id", server().person_id_by_name("陈强")}}));
  ASSERT_EQ(r.status, 201) << r.body;

  // Two cases dispatched on Thursday 26 November, one this Monday morning.
  server().clock().set(ApiServer::kStartTime - 4 * kDay);
  office = server().login("office");
  grid = server().login("grid");
  dispatched(*grid, *office);
  dispatched(*grid, *office);
  server().clock().set(ApiServer::kStartTime);
  office = server().login("office");
  grid = server().login("grid");
  dispatched(*grid, *office);

  // Monday 30 November, 09:30: the daily digest (Sunday the 29th) and the weekly one (23–29).
  app::CaseConfigCache cache(server().ctx());
  app::DigestService service(server().ctx(), cache);
  const auto first = step(service);
  EXPECT_EQ(first.units, 2);  // one unit, two digests
  EXPECT_EQ(first.robot_messages, 2);
  EXPECT_EQ(first.notifications, 2);
  // The tenant's robot has the dispatches (派遣), and no digest.
  EXPECT_FALSE(texts_to("hq").empty());
  for (const auto& t : texts_to("hq")) {
    EXPECT_EQ(t.find("工作提示"), std::string::npos) << "the tenant's robot got a digest: " << t;
  }
  auto got = texts_to("yongtai");
  ASSERT_EQ(got.size(), 2u);
  const auto weekly = got[0].find("上周") != std::string::npos ? got[0] : got[1];
  const auto daily = got[0].find("上周") != std::string::npos ? got[1] : got[0];
  EXPECT_NE(weekly.find("每周工作提示"), std::string::npos) << weekly;
  EXPECT_NE(weekly.find("永泰街道"), std::string::npos) << weekly;
  EXPECT_NE(weekly.find("11月23日至11月29日"), std::string::npos) << weekly;
  EXPECT_NE(daily.find("11月29日工作提示"), std::string::npos) << daily;
  // The weekly figures are the KPI API's for that week.
  auto k = office->request(
      "GET", "/api/v1/kpis?level=unit&period=week&date=2026-11-23&id=" + std::to_string(unit_));
  ASSERT_EQ(k.status, 200) << k.body;
  const auto row = parse(k).at("items").as_array().at(0);
  EXPECT_EQ(row.at("dispatched").as_int64(), 2);
  EXPECT_NE(weekly.find("新派遣 2 件"), std::string::npos) << weekly;
  EXPECT_NE(weekly.find("当前在办 3 件"), std::string::npos) << weekly;
  // The rank line says what the ranking says: 永泰街道 has fewer cases due than the minimum.
  k = office->request("GET", "/api/v1/rankings?level=unit&period=week&date=2026-11-23");
  ASSERT_EQ(k.status, 200) << k.body;
  bool apart = false;
  const auto ranking = parse(k);
  for (const auto& e : ranking.at("insufficient").as_array()) {
    if (e.at("id").as_int64() == unit_) apart = e.at("insufficient").as_bool();
  }
  EXPECT_TRUE(apart);
  EXPECT_NE(weekly.find("样本不足"), std::string::npos) << weekly;
  // The head's inbox has both, worded for each reader; in English on request.
  auto head = server().login("chenqiang", "Demo@2026x");
  r = head->request("GET", "/api/v1/notifications?limit=50");
  ASSERT_EQ(r.status, 200) << r.body;
  std::vector<std::string> titles;
  const auto inbox = parse(r);
  for (const auto& n : inbox.at("items").as_array()) {
    if (n.at("kind").as_string() == "digest") titles.emplace_back(n.at("title").as_string());
  }
  EXPECT_EQ(titles.size(), 2u);
  for (const auto& t : titles) EXPECT_NE(t.find("工作提示：永泰街道"), std::string::npos) << t;
  r = head->request("GET", "/api/v1/notifications?limit=50", "", {{"Accept-Language", "en"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("Weekly digest: "), std::string::npos) << r.body;
  // The unit named in the reader's language.
  const auto inbox_en = parse(r);
  for (const auto& n : inbox_en.at("items").as_array()) {
    if (n.at("kind").as_string() != "digest") continue;
    const std::string title(n.at("title").as_string());
    EXPECT_NE(title.find("Yongtai Subdistrict"), std::string::npos) << title;
    EXPECT_EQ(title.find("永泰街道"), std::string::npos) << title;
  }

  // Again: not by this service, not after a restart (a new service and cache), not later today.
  EXPECT_EQ(step(service).units, 0);
  app::CaseConfigCache cache2(server().ctx());
  app::DigestService restarted(server().ctx(), cache2);
  EXPECT_EQ(step(restarted).units, 0);
  server().clock().advance(10 * kHour);
  EXPECT_EQ(step(restarted).units, 0);
  EXPECT_EQ(texts_to("yongtai").size(), 2u) << "a digest sent twice";

  // Tuesday 1 December 09:30: the daily digest of the 30th (3 open cases), not the weekly.
  server().clock().set(ApiServer::kStartTime + kDay);
  app::DigestService tuesday(server().ctx(), cache2);
  const auto next = step(tuesday);
  EXPECT_EQ(next.units, 1);
  got = texts_to("yongtai");
  ASSERT_EQ(got.size(), 3u);
  EXPECT_NE(got[2].find("11月30日工作提示"), std::string::npos) << got[2];
  EXPECT_NE(got[2].find("当日新派遣 1 件"), std::string::npos) << got[2];

  // The history: three digests, one robot, one head.
  office = server().login("office");
  r = office->request("GET", "/api/v1/digests?unit_id=" + std::to_string(unit_));
  ASSERT_EQ(r.status, 200) << r.body;
  const auto h = parse(r);
  EXPECT_EQ(h.at("items").as_array().size(), 3u);
  EXPECT_EQ(h.at("robots").as_int64(), 1);
  EXPECT_EQ(h.at("heads").as_int64(), 1);
  EXPECT_EQ(h.at("schedule").as_array().size(), 2u);
  server().clock().set(ApiServer::kStartTime);
}

TEST_P(Digests, AUnitWithoutRobotOrHeadGetsNothingAndTheTenantRobotNoDigestEither) {
  auto office = server().login("office");
  auto grid = server().login("grid");
  auto r =
      office->request("POST", "/api/v1/webhooks",
                      json::serialize(json::object{
                          {"name", "创城工作群"}, {"flavour", "wecom"}, {"url", hook_url("hq")}}));
  ASSERT_EQ(r.status, 201) << r.body;
  dispatched(*grid, *office);
  app::CaseConfigCache cache(server().ctx());
  app::DigestService service(server().ctx(), cache);
  const auto s = step(service);
  EXPECT_EQ(s.units, 0);
  EXPECT_EQ(s.robot_messages, 0);
  for (const auto& t : texts_to("hq")) EXPECT_EQ(t.find("工作提示"), std::string::npos) << t;
  // Nothing was recorded: a robot added later still gets the period's digest.
  r = office->request("POST", "/api/v1/webhooks",
                      json::serialize(json::object{{"name", "永泰街道工作群"},
                                                   {"flavour", "wecom"},
                                                   {"url", hook_url("yongtai")},
                                                   {"unit_id", unit_}}));
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(step(service).units, 2);  // a unit's robot more: looked at again at once
  EXPECT_EQ(step(service).units, 0);
  EXPECT_EQ(texts_to("yongtai").size(), 2u);
  for (const auto& t : texts_to("hq")) EXPECT_EQ(t.find("工作提示"), std::string::npos) << t;
  server().clock().set(ApiServer::kStartTime);
}

TEST_P(Digests, ThePreviewIsWordedForTheReaderAndAnsweredInScopeOnly) {
  auto office = server().login("office");
  auto grid = server().login("grid");
  dispatched(*grid, *office);
  const auto q = "/api/v1/digests/preview?unit_id=" + std::to_string(unit_);
  auto r = office->request("GET", q + "&kind=weekly");
  ASSERT_EQ(r.status, 200) << r.body;
  auto v = parse(r);
  EXPECT_EQ(v.at("kind").as_string(), "weekly");
  EXPECT_EQ(v.at("figures").at("from").as_string(), "2026-11-23");
  EXPECT_NE(std::string(v.at("markdown").as_string()).find("永泰街道 上周工作提示"),
            std::string::npos)
      << r.body;
  r = office->request("GET", q + "&kind=daily", "", {{"Accept-Language", "en"}});
  ASSERT_EQ(r.status, 200) << r.body;
  v = parse(r);
  EXPECT_EQ(v.at("figures").at("from").as_string(), "2026-11-29");
  EXPECT_NE(std::string(v.at("markdown").as_string()).find("digest for 2026-11-29"),
            std::string::npos)
      << r.body;
  EXPECT_NE(std::string(v.at("markdown").as_string()).find("Open now: 1"), std::string::npos)
      << r.body;
  // The unit's own operator may look; the other subdistrict's figures are out of his scope.
  auto unit = server().login("unit");
  EXPECT_EQ(unit->request("GET", q).status, 200);
  r = unit->request(
      "GET", "/api/v1/digests/preview?unit_id=" + std::to_string(server().unit_id("140213051")));
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(error_code(r), "auth.out_of_scope");
  r = server().login("citizen")->request("GET", q);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(error_code(r), "auth.forbidden");
  // Bad input.
  r = office->request("GET", q + "&kind=monthly");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(error_code(r), "digest.bad_kind");
  r = office->request("GET", "/api/v1/digests/preview?kind=daily");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(error_code(r), "field.required");
  r = office->request("GET", "/api/v1/digests?unit_id=abc");
  EXPECT_EQ(r.status, 400);
  r = office->request("GET", "/api/v1/digests?unit_id=999999");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(error_code(r), "org.unit_not_found");
}

TEST(DigestSchedule, KpiJsonDigestsParseWithDefaultsAndRefusals) {
  auto ok = app::parse_digest_schedule(json::parse(R"({"format":"civicloop-kpi/1"})"));
  ASSERT_TRUE(ok);
  EXPECT_EQ(*ok, app::default_digest_schedule());
  ok = app::parse_digest_schedule(json::parse(R"({"digests":[]})"));
  ASSERT_TRUE(ok);
  EXPECT_TRUE(ok->empty());
  ok = app::parse_digest_schedule(
      json::parse(R"({"digests":[{"kind":"weekly","weekday":5,"time":"17:00"}]})"));
  ASSERT_TRUE(ok);
  ASSERT_EQ(ok->size(), 1u);
  EXPECT_EQ(ok->front().weekday, 5);
  EXPECT_EQ(ok->front().minute, 17 * 60);
  for (const char* bad :
       {R"({"digests":{}})", R"({"digests":[{"kind":"monthly","time":"08:00"}]})",
        R"({"digests":[{"kind":"daily","time":"25:00"}]})", R"({"digests":[{"kind":"daily"}]})",
        R"({"digests":[{"kind":"weekly","weekday":"1","time":"08:00"}]})",
        R"({"digests":[{"kind":"daily","time":"08:00"},{"kind":"daily","time":"09:00"}]})"}) {
    const auto r = app::parse_digest_schedule(json::parse(bad));
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, "digest.bad_schedule") << bad;
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, Digests, ::testing::ValuesIn(test_backends()), backend_name);

}  // namespace
}  // namespace civicloop::test
