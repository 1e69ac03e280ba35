// The ledger as the truth of the cases: after the whole loop (report with photos, file, dispatch,
// a notice of two cases, acknowledge, extension asked and partly granted, rework, rectify,
// verify, close, parking, a fix on the spot) and after a sweep that warns and escalates, every
// case is rebuilt from its events and matches its row, on SQLite and on PostgreSQL. Editing a
// column behind the server's back, or a write that leaves no event, is named with its case.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "app/case_service.hpp"
#include "app/case_snapshot.hpp"
#include "app/ledger_replay.hpp"
#include "storage/case_repo.hpp"
#include "support/api_fixture.hpp"
#include "support/loop_test.hpp"
#include "support/test_db.hpp"

namespace civicloop::test {
namespace {

class LedgerReplay : public LoopTest {
 protected:
  void whole_loop() {
    auto grid = server().login("grid");
    auto office = server().login("office");
    auto unit = server().login("unit");
    auto supervisor = server().login("supervisor");
    const auto unit_id = std::to_string(server().unit_id("140213050"));
    // One case through every step, with rework and an extension.
    first_ = report(*grid, "0102", "路边堆放生活垃圾");
    photo(*grid, first_, "before");
    act(*office, first_, R"({"action":"file"})");
    act(*office, first_, R"({"action":"dispatch","unit_id":)" + unit_id + R"(,"note":"属地"})");
    act(*unit, first_, R"({"action":"acknowledge"})");
    act(*unit, first_,
        R"({"action":"request_extension","extension_amount":3,"extension_unit":"working_days","note":"需协调环卫车辆"})");
    act(*office, first_,
        R"({"action":"decide_extension","decision":"partial","extension_amount":1})");
    photo(*unit, first_, "after");
    act(*unit, first_, R"({"action":"rectify"})");
    act(*supervisor, first_, R"({"action":"verify","passed":false,"note":"仍有残留"})");
    photo(*unit, first_, "after");
    act(*unit, first_, R"({"action":"rectify"})");
    act(*supervisor, first_, R"({"action":"verify","passed":true})");
    act(*office, first_, R"({"action":"close"})");
    // Two cases of one unit under one notice.
    const auto a = report(*grid, "0507", "商铺门口堆放纸箱");
    const auto b = report(*grid, "0506", "店外经营");
    act(*office, a, R"({"action":"file"})");
    act(*office, b, R"({"action":"file"})");
    auto n = office->request("POST", "/api/v1/notices",
                             R"({"case_ids":[)" + std::to_string(a) + "," + std::to_string(b) +
                                 R"(],"unit_id":)" + unit_id +
                                 R"(,"kind":"reminder","requirement":"立即清理"})");
    EXPECT_EQ(n.status, 201) << n.body;
    // Parked and back; fixed on the spot.
    act(*office, a, R"({"action":"park","note":"纳入改造工程","review_date":"2099-06-30"})");
    act(*office, a, R"({"action":"unpark"})");
    const auto c = report(*grid, "0507", "共享单车乱停放");
    photo(*grid, c, "on_site");
    act(*grid, c, R"({"action":"fix_on_site"})");
    open_ = b;
  }

  app::ReplayResult replay() { return app::replay_check(server().ctx(), 1); }

  std::int64_t first_ = 0;
  std::int64_t open_ = 0;
};

TEST_P(LedgerReplay, EveryCaseIsRebuiltFromItsEventsAfterTheLoopAndASweep) {
  whole_loop();
  auto r = replay();
  EXPECT_TRUE(r.ok()) << r.problem_count
                      << " problems, first: " << (r.problems.empty() ? "" : r.problems[0].kind);
  EXPECT_GE(r.cases, 4);
  EXPECT_GE(r.attachments, 4);  // the same after-photo twice is kept once
  EXPECT_EQ(r.legacy_events, 0);

  // The sweep, far past every deadline: warnings, overdue and escalations are events too.
  app::CaseConfigCache cache(server().ctx());
  app::CaseService svc(server().ctx(), cache);
  server().clock().advance(30LL * 24 * 3600 * 1000);
  auto swept = svc.sweep(server().clock().now());
  EXPECT_GE(swept.escalations, 1);
  r = replay();
  EXPECT_TRUE(r.ok()) << r.problem_count << " problems after the sweep, first: "
                      << (r.problems.empty() ? ""
                                             : r.problems[0].kind + " case " +
                                                   std::to_string(r.problems[0].case_id));
  auto office = server().login("office");
  auto v = parse(office->request("GET", "/api/v1/cases/" + std::to_string(open_)));
  std::vector<std::string> actions;
  for (const auto& e : v.at("events").as_array()) actions.emplace_back(e.at("action").as_string());
  EXPECT_NE(std::find(actions.begin(), actions.end(), "escalate"), actions.end());
}

TEST_P(LedgerReplay, AColumnEditedBehindTheServersBackIsNamedWithItsCase) {
  whole_loop();
  ASSERT_TRUE(replay().ok());
  {
    auto lease = server().db().acquire();
    lease->execute("UPDATE cases SET description = '改过的描述' WHERE tenant_id = 1 AND id = ?",
                   {first_});
  }
  auto r = replay();
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.problem_count, 2);  // the row differs, and its search terms no longer match
  bool named = false;
  for (const auto& p : r.problems) {
    EXPECT_EQ(p.case_id, first_);
    if (p.kind == "row_differs") {
      named = true;
      EXPECT_EQ(p.fields, std::vector<std::string>{"description"});
      EXPECT_FALSE(p.case_no.empty());
    }
  }
  EXPECT_TRUE(named);
}

// The responsibility list's counts, kept by triggers, equal a recount after the loop and a sweep
// (replay recounts); an edited count is named with its unit.
TEST_P(LedgerReplay, UnitCountsEqualARecountAndAnEditedCountIsCaught) {
  whole_loop();
  auto counts = [&] {
    auto lease = server().db().acquire();
    return storage::CaseRepo(*lease, 1).open_counts_by_unit();
  };
  const auto unit = server().unit_id("140213050");
  auto before = counts();
  ASSERT_FALSE(before.empty());
  ASSERT_TRUE(replay().ok());
  // The sweep turns the open case overdue: counted, and still equal to a recount.
  app::CaseConfigCache cache(server().ctx());
  app::CaseService svc(server().ctx(), cache);
  server().clock().advance(30LL * 24 * 3600 * 1000);
  svc.sweep(server().clock().now());
  int overdue = 0;
  for (const auto& [u, open, late] : counts()) overdue += late;
  EXPECT_GE(overdue, 1);
  auto r = replay();
  EXPECT_TRUE(r.ok()) << r.problem_count << (r.problems.empty() ? "" : " " + r.problems[0].kind);
  {
    auto lease = server().db().acquire();
    lease->execute(
        "UPDATE case_unit_counts SET open_cases = open_cases + 1 WHERE tenant_id = 1 AND "
        "unit_id = ?",
        {unit});
  }
  r = replay();
  ASSERT_EQ(r.problem_count, 1);
  EXPECT_EQ(r.problems[0].kind, "unit_counts");
  EXPECT_EQ(r.problems[0].unit_id, std::optional<std::int64_t>(unit));
  ASSERT_EQ(r.problems[0].fields.size(), 1U);
  EXPECT_EQ(r.problems[0].fields[0].rfind("open_cases=", 0), 0U) << r.problems[0].fields[0];
}

TEST_P(LedgerReplay, AWriteThatLeftNoEventShowsAtTheNextEvent) {
  whole_loop();
  {
    auto lease = server().db().acquire();
    lease->execute("UPDATE cases SET rework_count = 7 WHERE tenant_id = 1 AND id = ?", {open_});
  }
  // The next change through the server carries the altered picture as its "before".
  auto unit = server().login("unit");
  act(*unit, open_, R"({"action":"acknowledge"})");
  auto r = replay();
  ASSERT_EQ(r.problem_count, 1);
  EXPECT_EQ(r.problems[0].kind, "change_without_event");
  EXPECT_EQ(r.problems[0].case_id, open_);
  EXPECT_EQ(r.problems[0].fields, std::vector<std::string>{"rework_count"});
  EXPECT_TRUE(r.problems[0].seq.has_value());
}

TEST(CaseSnapshot, RoundTripsEveryStoredField) {
  cases::Record r;
  r.id = 42;
  r.case_no = "2026000042";
  r.state = cases::State::kAcknowledged;
  r.source = cases::Source::kHotline;
  r.category_code = "0102";
  r.title = "垃圾";
  r.description = "路边\"堆放\"";
  r.address = "永泰路12号";
  r.lat = 40.0800001;
  r.lng = 113.3;
  r.grid_id = 7;
  r.community_id = 6;
  r.subdistrict_id = 5;
  r.area_path = "1.5.6.7";
  r.reporter_user_id = 3;
  r.reporter_name = "白国栋";
  r.assigned_unit_id = 5;
  r.assigned_path = "1.5";
  r.supervising_group_id = 9;
  r.routing_rule = "manual: x";
  r.duplicate_of = 2;
  r.rework_count = 1;
  r.escalation_level = 2;
  r.extension_pending = true;
  r.extension_request =
      cases::ExtensionRequest{3, calendar::LimitUnit::kWorkingDays, "协调", 1'700'000'000'000};
  r.parked_from = cases::State::kDispatched;
  r.park_review_date = "2099-06-30";
  r.notice_id = 11;
  r.timer = cases::Timer{cases::Stage::kRectify,
                         calendar::LimitUnit::kWorkingDays,
                         1000,
                         200,
                         std::nullopt,
                         1'700'000'900'000,
                         true,
                         75};
  r.overdue = true;
  r.reported_at = 1'700'000'000'000;
  r.filed_at = 1'700'000'001'000;
  r.dispatched_at = 1'700'000'002'000;
  r.rectified_at = std::nullopt;
  r.closed_at = std::nullopt;
  r.updated_at = 1'700'000'003'000;
  r.version = 9;
  const auto text = app::case_snapshot(r);
  EXPECT_NE(text.find("\"lat\":40.0800001"), std::string::npos) << text;  // a plain decimal
  EXPECT_EQ(text.find("E1"), std::string::npos);
  auto back = app::record_from_snapshot(text);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(app::case_snapshot(*back), text);
  EXPECT_EQ(back->extension_request, r.extension_request);
  EXPECT_TRUE(app::snapshot_differences(text, text).empty());
  auto other = r;
  other.notice_id = 12;
  other.overdue = false;
  EXPECT_EQ(app::snapshot_differences(text, app::case_snapshot(other)),
            (std::vector<std::string>{"notice_id", "overdue"}));
}

INSTANTIATE_TEST_SUITE_P(Backends, LedgerReplay, ::testing::ValuesIn(test_backends()),
                         backend_name);

}  // namespace
}  // namespace civicloop::test
