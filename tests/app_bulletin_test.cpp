// Bulletins end to end on both backends, through the API on a real server: a closed case with
// before and after photos and an open one, then the office drafts the weekly bulletin, edits a
// paragraph, submits; the office head (the HQ administrator) approves; the office publishes.
// Checked: the draft's figures equal the KPI API's for that week, the PDF carries them, the
// number is the tenant's format, a stale save is 409, a publish retried (also after a crash
// between numbering and publishing) numbers once and publishes once, the published numbers and
// PDF do not move when the data does, the delivery (inbox, robots), the ledger event, the scope
// denials (a unit not addressed, a unit approving, the submitter approving), the template's
// check of unknown figures, and the schedule.
#include "app/bulletin_service.hpp"

#include <gtest/gtest.h>

#include <set>

#include "storage/bulletin_repo.hpp"
#include "support/api_fixture.hpp"
#include "support/documents.hpp"
#include "support/loop_test.hpp"
#include "support/test_db.hpp"

namespace civicloop::test {
namespace {

namespace json = boost::json;

class Bulletin : public LoopTest {
 protected:
  void SetUp() override {
    LoopTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    cache_ = std::make_unique<app::CaseConfigCache>(server_->ctx());
    svc_ = std::make_unique<app::BulletinService>(server_->ctx(), *cache_);
    unit_id_ = server().unit_id("140213050");
  }

  // One case closed with photos, one dispatched and left open.
  void some_cases() {
    auto grid = server().login("grid");
    auto office = server().login("office");
    auto unit = server().login("unit");
    auto supervisor = server().login("supervisor");
    const auto u = std::to_string(unit_id_);
    closed_ = report(*grid, "0102", "路边堆放生活垃圾");
    photo(*grid, closed_, "before");
    act(*office, closed_, R"({"action":"file"})");
    act(*office, closed_, R"({"action":"dispatch","unit_id":)" + u + R"(,"note":"属地"})");
    act(*unit, closed_, R"({"action":"acknowledge"})");
    photo(*unit, closed_, "after");
    act(*unit, closed_, R"({"action":"rectify"})");
    act(*supervisor, closed_, R"({"action":"verify","passed":true})");
    act(*office, closed_, R"({"action":"close"})");
    open_ = report(*grid, "0507", "商铺门口堆放纸箱");
    act(*office, open_, R"({"action":"file"})");
    act(*office, open_, R"({"action":"dispatch","unit_id":)" + u + R"(,"note":"属地"})");
  }

  json::value draft(TestClient& c,
                    const std::string& body = R"({"kind":"weekly","date":"2026-11-30"})") {
    auto r = c.request("POST", "/api/v1/bulletins", body);
    EXPECT_EQ(r.status, 201) << r.body;
    return parse(r);
  }

  HttpResponse act_on(TestClient& c, std::int64_t id, const std::string& action,
                      std::optional<std::int64_t> version = std::nullopt) {
    std::string body = R"({"action":")" + action + "\"";
    if (version) body += ",\"version\":" + std::to_string(*version);
    body += "}";
    return c.request("POST", "/api/v1/bulletins/" + std::to_string(id) + "/transitions", body);
  }

  // Draft (addressed to 永泰街道 only), one paragraph edited, submitted, approved: ready to
  // publish. Answers the bulletin.
  json::value approved() {
    auto office = server().login("office");
    auto admin = server().login("admin");
    const auto d = draft(*office);
    const auto id = d.at("id").as_int64();
    json::array sections = d.at("sections").as_array();
    sections[0].as_object()["text"] =
        "本周总体平稳。" + std::string(sections[0].at("text").as_string());
    json::object edit{{"version", d.at("version")},
                      {"sections", sections},
                      {"recipients", json::array{unit_id_}}};
    auto e =
        office->request("PUT", "/api/v1/bulletins/" + std::to_string(id), json::serialize(edit));
    EXPECT_EQ(e.status, 200) << e.body;
    auto s = act_on(*office, id, "submit", parse(e).at("version").as_int64());
    EXPECT_EQ(s.status, 200) << s.body;
    auto a = act_on(*admin, id, "approve");
    EXPECT_EQ(a.status, 200) << a.body;
    return parse(a);
  }

  std::string pdf_of(TestClient& c, std::int64_t id) {
    auto r = c.request("GET", "/api/v1/bulletins/" + std::to_string(id) + ".pdf");
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.body.rfind("%PDF-", 0), 0u);
    return r.body;
  }

  int ledger_count(TestClient& c, std::int64_t id, const std::string& action) {
    auto r =
        c.request("GET", "/api/v1/ledger?entity_type=bulletin&entity_id=" + std::to_string(id) +
                             "&limit=100");
    EXPECT_EQ(r.status, 200) << r.body;
    const auto v = parse(r);
    int n = 0;
    for (const auto& e : v.at("items").as_array()) {
      if (e.at("action").as_string() == action) ++n;
    }
    return n;
  }

  std::unique_ptr<app::CaseConfigCache> cache_;
  std::unique_ptr<app::BulletinService> svc_;
  std::int64_t unit_id_ = 0;
  std::int64_t closed_ = 0;
  std::int64_t open_ = 0;
};

TEST_P(Bulletin, TheDraftCarriesTheKpiApiFiguresOfTheWeekAndThePdfShowsThem) {
  some_cases();
  auto office = server().login("office");
  const auto d = draft(*office);
  EXPECT_EQ(d.at("state").as_string(), "draft");
  EXPECT_EQ(d.at("period").at("from").as_string(), "2026-11-30");
  EXPECT_EQ(d.at("period").at("to").as_string(), "2026-12-06");
  EXPECT_TRUE(d.at("number").is_null());

  // The KPI API's figures for the same week, summed over the units.
  auto k = office->request("GET", "/api/v1/kpis?level=unit&period=week&date=2026-11-30");
  ASSERT_EQ(k.status, 200) << k.body;
  const auto kv = parse(k);
  std::int64_t due = 0, closed = 0, dispatched = 0, overdue = 0;
  for (const auto& row : kv.at("items").as_array()) {
    due += row.at("due").as_int64();
    closed += row.at("closed").as_int64();
    dispatched += row.at("dispatched").as_int64();
    overdue += row.at("overdue").as_int64();
  }
  EXPECT_EQ(dispatched, 2);
  EXPECT_EQ(closed, 1);
  const auto& totals = d.at("snapshot").at("totals");
  EXPECT_EQ(totals.at("due").as_int64(), due);
  EXPECT_EQ(totals.at("closed").as_int64(), closed);
  EXPECT_EQ(totals.at("dispatched").as_int64(), dispatched);
  EXPECT_EQ(totals.at("overdue").as_int64(), overdue);
  // The typical problem is the closed case with both photos.
  const auto& typical = d.at("snapshot").at("typical").as_array();
  ASSERT_EQ(typical.size(), 1u);
  EXPECT_EQ(typical[0].at("case_id").as_int64(), closed_);

  const auto bytes = pdf_of(*office, d.at("id").as_int64());
  const auto text = pdf_text(bytes);
  const std::string overview = std::string(d.at("sections").at(0).at("text").as_string());
  EXPECT_NE(overview.find("派遣问题" + std::to_string(dispatched) + "件"), std::string::npos)
      << overview;
  EXPECT_NE(text.find("已结案" + std::to_string(closed) + "件"), std::string::npos) << text;
  EXPECT_NE(text.find("（未编号）"), std::string::npos);  // a draft has no number yet
  // The diagonal draft mark (pdftotext's layout mode leaves diagonal text out; -raw keeps it).
  EXPECT_NE(pdf_reading_text(bytes).find("草稿"), std::string::npos);
  EXPECT_NE(text.find("整改前"), std::string::npos);
  EXPECT_NE(text.find("—1—"), std::string::npos);  // page numbers, whitespace removed
  // Lists that are empty this period take their own wording, never "无按期结案率高…".
  for (const auto& sec : d.at("sections").as_array()) {
    const std::string kind(sec.at("kind").as_string());
    const std::string para(sec.at("text").as_string());
    if (kind == "praise" && d.at("snapshot").at("red").as_array().empty()) {
      EXPECT_EQ(para, "本期无单位达到通报表扬标准，希望各单位比学赶超、争先创优。");
    }
    if (kind == "criticism" && d.at("snapshot").at("black").as_array().empty()) {
      EXPECT_EQ(para, "本期无单位列入通报批评，各单位要保持标准不降、力度不减。");
    }
    EXPECT_NE(para.rfind("无", 0), 0u) << para;
  }
}

TEST_P(Bulletin, TheWorkflowPublishesOnceWithTheTenantsNumberAndDeliversIt) {
  some_cases();
  auto office = server().login("office");
  auto unit = server().login("unit");
  const auto a = approved();
  const auto id = a.at("id").as_int64();
  EXPECT_EQ(a.at("state").as_string(), "approved");
  EXPECT_TRUE(a.at("allowed").at("publish").is_bool());

  // A unit sees nothing before publication.
  EXPECT_EQ(unit->request("GET", "/api/v1/bulletins/" + std::to_string(id)).status, 403);
  auto before = unit->request("GET", "/api/v1/notifications");
  const auto unread_before = parse(before).at("unread").as_int64();

  auto p = act_on(*office, id, "publish");
  ASSERT_EQ(p.status, 200) << p.body;
  const auto pub = parse(p);
  EXPECT_EQ(pub.at("state").as_string(), "published");
  EXPECT_EQ(pub.at("number").as_string(), "平创通〔2026〕1号");
  // Retried: the same bulletin, the same number, nothing queued again.
  auto again = act_on(*office, id, "publish", 1);  // even with the version of long ago
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(parse(again).at("number").as_string(), "平创通〔2026〕1号");
  EXPECT_EQ(ledger_count(*office, id, "publish"), 1);

  // Delivered: the unit's people, once.
  auto after = unit->request("GET", "/api/v1/notifications");
  const auto inbox = parse(after);
  EXPECT_EQ(inbox.at("unread").as_int64(), unread_before + 1);
  bool found = false;
  for (const auto& n : inbox.at("items").as_array()) {
    if (n.at("kind").as_string() == "bulletin_published") {
      found = true;
      EXPECT_TRUE(n.at("case_id").is_null());
      EXPECT_NE(std::string(n.at("body").as_string()).find("平创通〔2026〕1号"), std::string::npos);
    }
  }
  EXPECT_TRUE(found);
  // The unit reads it now, and its PDF (the archived one) carries the number and the edit.
  auto seen = unit->request("GET", "/api/v1/bulletins/" + std::to_string(id));
  EXPECT_EQ(seen.status, 200) << seen.body;
  const auto text = pdf_text(pdf_of(*unit, id));
  EXPECT_NE(text.find("平创通〔2026〕1号"), std::string::npos) << text;
  EXPECT_NE(text.find("本周总体平稳"), std::string::npos);
  EXPECT_EQ(pdf_reading_text(pdf_of(*unit, id)).find("草稿"), std::string::npos);
  // A unit cannot act on it.
  EXPECT_EQ(act_on(*unit, id, "approve").status, 403);
}

TEST_P(Bulletin, APublishRetriedAfterACrashBetweenItsStepsNumbersOnce) {
  auto office = server().login("office");
  const auto a = approved();
  const auto id = a.at("id").as_int64();
  // The first step alone: numbered, still approved (the crash came before the second).
  auto office_actor = app::system_actor(1);
  office_actor.role = access::Role::kHqStaff;
  auto numbered = svc_->assign_number(office_actor, id);
  ASSERT_TRUE(numbered.ok());
  EXPECT_EQ(numbered->state, "approved");
  ASSERT_TRUE(numbered->number.has_value());
  const auto number = *numbered->number;
  // The retry finds the number and finishes.
  auto p = act_on(*office, id, "publish", a.at("version").as_int64());
  ASSERT_EQ(p.status, 200) << p.body;
  EXPECT_EQ(parse(p).at("number").as_string(), number);
  EXPECT_EQ(ledger_count(*office, id, "publish"), 1);
  // The yearly sequence moved once: the next bulletin gets 2.
  const auto b = approved();
  auto q = act_on(*office, b.at("id").as_int64(), "publish");
  ASSERT_EQ(q.status, 200) << q.body;
  EXPECT_EQ(parse(q).at("number").as_string(), "平创通〔2026〕2号");
}

TEST_P(Bulletin, ASaveWithAStaleVersionIsRefusedWith409) {
  auto office = server().login("office");
  auto admin = server().login("admin");
  const auto d = draft(*office);
  const auto id = std::to_string(d.at("id").as_int64());
  const auto v = d.at("version").as_int64();
  auto first = office->request("PUT", "/api/v1/bulletins/" + id,
                               R"({"version":)" + std::to_string(v) + R"(,"title":"甲的标题"})");
  EXPECT_EQ(first.status, 200) << first.body;
  // The second editor still holds version v.
  auto second = admin->request("PUT", "/api/v1/bulletins/" + id,
                               R"({"version":)" + std::to_string(v) + R"(,"title":"乙的标题"})");
  EXPECT_EQ(second.status, 409) << second.body;
  EXPECT_EQ(error_code(second), "conflict.stale_version");
  auto now = office->request("GET", "/api/v1/bulletins/" + id);
  EXPECT_EQ(parse(now).at("title").as_string(), "甲的标题");
  // A transition with a stale version too.
  EXPECT_EQ(act_on(*office, d.at("id").as_int64(), "submit", v).status, 409);
  // Bad edits: an unknown section kind, a typical problem that is not closed with photos.
  const auto cur = std::to_string(parse(now).at("version").as_int64());
  auto bad = office->request(
      "PUT", "/api/v1/bulletins/" + id,
      R"({"version":)" + cur + R"(,"sections":[{"kind":"gossip","heading":"x","text":"y"}]})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(error_code(bad), "bulletin.bad_section");
  auto typ = office->request("PUT", "/api/v1/bulletins/" + id,
                             R"({"version":)" + cur + R"(,"typical_case_ids":[999999]})");
  EXPECT_EQ(typ.status, 400);
  EXPECT_EQ(error_code(typ), "bulletin.bad_typical");
}

TEST_P(Bulletin, PublishedNumbersAreFrozenWhenTheDataMovesOn) {
  some_cases();
  auto office = server().login("office");
  const auto a = approved();
  const auto id = a.at("id").as_int64();
  ASSERT_EQ(act_on(*office, id, "publish").status, 200);
  auto g1 = office->request("GET", "/api/v1/bulletins/" + std::to_string(id));
  const auto snap1 = json::serialize(parse(g1).at("snapshot"));
  const auto pdf1 = pdf_of(*office, id);
  // More work in the same week: the KPI API moves, the bulletin does not.
  auto grid = server().login("grid");
  const auto c = report(*grid, "0102", "又一处垃圾");
  act(*office, c, R"({"action":"file"})");
  act(*office, c,
      R"({"action":"dispatch","unit_id":)" + std::to_string(unit_id_) + R"(,"note":"属地"})");
  auto g2 = office->request("GET", "/api/v1/bulletins/" + std::to_string(id));
  EXPECT_EQ(json::serialize(parse(g2).at("snapshot")), snap1);
  EXPECT_EQ(pdf_of(*office, id), pdf1);  // the archived file, byte for byte
  // A new draft of the same week sees the new case.
  const auto d2 = draft(*office);
  EXPECT_EQ(d2.at("snapshot").at("totals").at("dispatched").as_int64(),
            parse(g2).at("snapshot").at("totals").at("dispatched").as_int64() + 1);
}

TEST_P(Bulletin, RolesAndScopeAreChecked) {
  auto office = server().login("office");
  auto admin = server().login("admin");
  auto unit = server().login("unit");
  auto citizen = server().login("citizen");
  auto leader = server().login("leader");
  // Only the office drafts.
  for (auto* c : {unit.get(), citizen.get(), leader.get()}) {
    EXPECT_EQ(c->request("POST", "/api/v1/bulletins", R"({"kind":"weekly"})").status, 403);
  }
  EXPECT_EQ(citizen->request("GET", "/api/v1/bulletins").status, 403);
  // Four eyes: whoever submitted does not approve; the office (no approval right) neither.
  const auto d = draft(*admin);
  const auto id = d.at("id").as_int64();
  ASSERT_EQ(act_on(*admin, id, "submit").status, 200);
  auto self = act_on(*admin, id, "approve");
  EXPECT_EQ(self.status, 403);
  EXPECT_EQ(error_code(self), "bulletin.four_eyes");
  EXPECT_EQ(act_on(*office, id, "approve").status, 403);
  EXPECT_EQ(error_code(act_on(*office, id, "approve")), "auth.forbidden");
  // Wrong state: publish before approval.
  auto early = act_on(*office, id, "publish");
  EXPECT_EQ(early.status, 409);
  EXPECT_EQ(error_code(early), "bulletin.invalid_transition");
  EXPECT_EQ(act_on(*office, id, "dance").status, 400);

  // A unit not addressed does not see a published bulletin; the addressed one does.
  const auto a = approved();
  const auto pid = a.at("id").as_int64();
  ASSERT_EQ(act_on(*office, pid, "publish").status, 200);
  auto made = admin->request(
      "POST", "/api/v1/users",
      R"({"username":"edu","password":"Edu@2026long","role":"unit_operator","unit_id":)" +
          std::to_string(server().unit_id("DEPT04")) + "}");
  ASSERT_EQ(made.status, 201) << made.body;
  auto edu = server().login("edu", "Edu@2026long");
  EXPECT_EQ(edu->request("GET", "/api/v1/bulletins/" + std::to_string(pid)).status, 403);
  EXPECT_EQ(edu->request("GET", "/api/v1/bulletins/" + std::to_string(pid) + ".pdf").status, 403);
  auto edu_list = edu->request("GET", "/api/v1/bulletins");
  ASSERT_EQ(edu_list.status, 200) << edu_list.body;
  EXPECT_TRUE(parse(edu_list).at("items").as_array().empty());
  auto unit_list = unit->request("GET", "/api/v1/bulletins");
  const auto ul = parse(unit_list);
  ASSERT_EQ(ul.at("items").as_array().size(), 1u);  // the published one, not the draft
  EXPECT_EQ(ul.at("items").at(0).at("id").as_int64(), pid);
  // The leader (tenant-wide) reads published ones only.
  auto ll = parse(leader->request("GET", "/api/v1/bulletins"));
  for (const auto& b : ll.at("items").as_array()) {
    EXPECT_EQ(b.at("state").as_string(), "published");
  }
  EXPECT_EQ(leader->request("GET", "/api/v1/bulletins/" + std::to_string(id)).status, 403);
  EXPECT_EQ(office->request("GET", "/api/v1/bulletins/999999").status, 404);
}

TEST_P(Bulletin, ATemplateNamingAMissingFigureIsRefusedWhenSaved) {
  auto office = server().login("office");
  auto unit = server().login("unit");
  auto t = office->request("GET", "/api/v1/bulletin-template");
  ASSERT_EQ(t.status, 200) << t.body;
  auto doc = parse(t);
  EXPECT_EQ(unit->request("GET", "/api/v1/bulletin-template").status, 403);
  // Saved as it is: fine.
  auto same = office->request("PUT", "/api/v1/bulletin-template", json::serialize(doc));
  EXPECT_EQ(same.status, 200) << same.body;
  // A ranking column that is no figure.
  auto bad = doc;
  bad.as_object()["ranking_columns"] = json::array{"rank", "unit", "happiness"};
  auto r = office->request("PUT", "/api/v1/bulletin-template", json::serialize(bad),
                           {{"Accept-Language", "zh-CN"}});
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(error_code(r), "bulletin.unknown_figure");
  EXPECT_NE(r.body.find("happiness"), std::string::npos);
  // A section whose wording does not exist.
  auto bad2 = doc;
  bad2.at("kinds").at("weekly").at("sections").as_array()[0].as_object()["text"] =
      "bulletin.text.nothing";
  auto r2 = office->request("PUT", "/api/v1/bulletin-template", json::serialize(bad2));
  EXPECT_EQ(r2.status, 400) << r2.body;
  EXPECT_EQ(error_code(r2), "bulletin.missing_wording");
  // An empty-list wording on a section that lists nothing.
  auto bad3 = doc;
  bad3.at("kinds").at("weekly").at("sections").as_array()[0].as_object()["text_empty"] =
      "bulletin.text.praise_none";
  auto r3 = office->request("PUT", "/api/v1/bulletin-template", json::serialize(bad3));
  EXPECT_EQ(r3.status, 400) << r3.body;
  EXPECT_EQ(error_code(r3), "bulletin.bad_settings");
  // A wording whose placeholder is no figure: checked through the same parser.
  app::Messages words;
  for (const auto& loc : app::supported_locales()) {
    words.add(loc, "t", "标题");
    words.add(loc, "h", "标题");
    words.add(loc, "x", "本周{happiness}件");
  }
  json::value tiny = json::parse(R"({"format":"civicloop-bulletins/1","kinds":{"weekly":
    {"title":"t","sections":[{"kind":"overview","heading":"h","text":"x"}]}}})");
  auto p = app::parse_bulletin_template(tiny, words);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, "bulletin.unknown_figure");
  EXPECT_EQ(p.error().field, "happiness");
  // The template stayed as it was.
  EXPECT_EQ(json::serialize(parse(office->request("GET", "/api/v1/bulletin-template"))),
            json::serialize(doc));
}

TEST_P(Bulletin, TheScheduleDraftsEachPeriodOnce) {
  // Monday 30 November 2026, 09:30: the weekly draft (Monday 08:00) is due, for 23–29 November;
  // the monthly one (the 1st, 08:00) for October.
  const int made = svc_->run_schedule();
  EXPECT_EQ(made, 2);
  EXPECT_EQ(svc_->run_schedule(), 0);  // never twice
  auto office = server().login("office");
  const auto v = parse(office->request("GET", "/api/v1/bulletins"));
  std::set<std::string> periods;
  for (const auto& b : v.at("items").as_array()) {
    EXPECT_TRUE(b.at("scheduled").as_bool());
    EXPECT_EQ(b.at("state").as_string(), "draft");
    periods.insert(std::string(b.at("kind").as_string()) + ":" +
                   std::string(b.at("period").at("from").as_string()));
  }
  EXPECT_EQ(periods, (std::set<std::string>{"weekly:2026-11-23", "monthly:2026-10-01"}));
  // Tuesday 1 December 07:30: nothing new; at 08:30 the monthly one for November.
  server().clock().advance(22LL * 3600 * 1000);
  EXPECT_EQ(svc_->run_schedule(), 0);
  server().clock().advance(3600 * 1000);
  EXPECT_EQ(svc_->run_schedule(), 1);
  // Monday 7 December 08:30: the week of 30 November.
  server().clock().advance(6LL * 24 * 3600 * 1000);
  EXPECT_EQ(svc_->run_schedule(), 1);
  EXPECT_EQ(svc_->run_schedule(), 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, Bulletin, ::testing::ValuesIn(test_backends()), backend_name);

}  // namespace
}  // namespace civicloop::test
