// Meetings and their action items over the API on both backends (app/meeting_service.hpp): a
// meeting with three decisions makes three items; one runs overdue and escalates up the ladder
// (the server's clock moved, the sweep called as the scheduler does); it is closed with a note and
// a photo by its unit; the minutes PDF lists all three with their state. Scope: a unit sees and
// closes only its own subtree's items; citizens are refused. Versions: a stale one is 409.
#include "app/meeting_service.hpp"

#include <gtest/gtest.h>

#include <cctype>

#include "storage/ledger_repo.hpp"
#include "support/documents.hpp"
#include "support/loop_test.hpp"

namespace civicloop::test {
namespace {

namespace json = boost::json;

class ApiMeetings : public LoopTest {
 protected:
  // Monday 2026-11-30 09:00 in Pingcheng: before the fixture's clock (09:30).
  static constexpr const char* kHeld = "2026-11-30T01:00:00Z";

  json::object meeting_body(const std::string& kind, const std::string& starts_at) {
    const auto own = server().unit_id("140213050");
    const auto dept = server().unit_id("DEPT01");
    const auto other = server().unit_id("140213051");
    auto decision = [](const std::string& text, std::int64_t unit, int days) {
      return json::object{{"text", text},
                          {"owner_unit_id", unit},
                          {"limit", json::object{{"amount", days}, {"unit", "working_days"}}}};
    };
    return json::object{
        {"kind", kind},
        {"title", "2026年第12次创城工作例会"},
        {"starts_at", starts_at},
        {"place", "区政府三楼会议室"},
        {"attendees", json::array{json::object{{"unit_id", own}}, json::object{{"unit_id", dept}}}},
        {"agenda", json::array{json::object{{"title", "全区问题整改进展"},
                                            {"minutes", "永泰街道占道经营问题反复出现。"}},
                               json::object{{"title", "下步工作安排"}}}},
        {"decisions", json::array{decision("永泰街道一日内清理永泰路占道经营", own, 1),
                                  decision("城管局五日内完成夜市规范方案", dept, 5),
                                  decision("古城街道十日内整治背街小巷", other, 10)}}};
  }
};

TEST_P(ApiMeetings, ThreeDecisionsThreeItemsOneEscalatesClosedWithPhotoMinutesListAll) {
  auto office = server().login("office");
  auto r =
      office->request("POST", "/api/v1/meetings", json::serialize(meeting_body("regular", kHeld)));
  ASSERT_EQ(r.status, 201) << r.body;
  const auto created = parse(r);
  const auto id = created.at("meeting").at("id").as_int64();
  const auto path = "/api/v1/meetings/" + std::to_string(id);
  EXPECT_EQ(created.at("meeting").at("state").as_string(), "scheduled");
  EXPECT_EQ(created.at("items").as_array().size(), 0U);

  // A second editor with the first version after an edit: 409.
  auto edit = meeting_body("regular", kHeld);
  edit["version"] = 1;
  edit["title"] = "2026年第12次创城工作例会（改）";
  r = office->request("PUT", path, json::serialize(edit));
  ASSERT_EQ(r.status, 200) << r.body;
  r = office->request("PUT", path, json::serialize(edit));
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(error_code(r), "conflict.stale_version");
  r = office->request("POST", path + "/issue", R"({"version":1})");
  EXPECT_EQ(r.status, 409);

  r = office->request("POST", path + "/issue", R"({"version":2})");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto issued = parse(r);
  EXPECT_EQ(issued.at("meeting").at("state").as_string(), "minuted");
  const auto& items = issued.at("items").as_array();
  ASSERT_EQ(items.size(), 3U);
  const auto own_item = items.at(0).at("id").as_int64();
  const auto other_item = items.at(2).at("id").as_int64();
  // One working day from Monday 09:00 ends Tuesday 09:00 (local).
  EXPECT_EQ(items.at(0).at("deadline").as_string(), "2026-12-01T01:00:00Z");
  // Issued minutes are fixed.
  edit["version"] = 3;
  r = office->request("PUT", path, json::serialize(edit));
  EXPECT_EQ(error_code(r), "meeting.not_scheduled");
  r = office->request("POST", path + "/issue", R"({"version":3})");
  EXPECT_EQ(error_code(r), "meeting.not_scheduled");

  // Thursday 10:00: the one-day item is past 200 % (every mark), the five-day one past 50 %.
  app::CaseConfigCache cache(server().ctx());
  app::MeetingService svc(server().ctx(), cache, nullptr);
  server().clock().set(*parse_iso_utc("2026-12-03T02:00:00Z"));
  const auto first = svc.sweep(server().clock().now());
  EXPECT_EQ(first.escalations, 1);
  EXPECT_GE(first.reminders, 3);  // 50 and 75 of the first, 50 of the second
  const auto again = svc.sweep(server().clock().now());
  EXPECT_EQ(again.escalations, 0) << "a repeated sweep escalated again";
  EXPECT_EQ(again.reminders, 0) << "a repeated sweep reminded again";

  // Sessions of the old clock have expired (12 h): sign in again at the new one.
  office = server().login("office");
  auto unit = server().login("unit");
  r = unit->request("GET", "/api/v1/action-items");
  ASSERT_EQ(r.status, 200) << r.body;
  auto listed = parse(r);
  ASSERT_EQ(listed.at("items").as_array().size(), 1U) << r.body;  // its own only
  const auto& mine = listed.at("items").at(0);
  EXPECT_EQ(mine.at("id").as_int64(), own_item);
  EXPECT_TRUE(mine.at("overdue").as_bool());
  EXPECT_EQ(mine.at("escalation_level").as_int64(), 3);
  r = unit->request("GET", "/api/v1/action-items?overdue=true");
  EXPECT_EQ(parse(r).at("items").as_array().size(), 1U);
  // The unit was told of the item and reminded (its inbox).
  r = unit->request("GET", "/api/v1/notifications");
  std::set<std::string> kinds;
  const auto inbox = parse(r);
  for (const auto& n : inbox.at("items").as_array())
    kinds.insert(std::string(n.at("kind").as_string()));
  EXPECT_TRUE(kinds.contains("action_item_assigned")) << r.body;
  EXPECT_TRUE(kinds.contains("action_item_reminder")) << r.body;

  // Another subdistrict's item: neither seen nor closed; a citizen gets nothing.
  const auto other_path = "/api/v1/action-items/" + std::to_string(other_item);
  EXPECT_EQ(error_code(unit->request("GET", other_path)), "auth.out_of_scope");
  r = unit->request("POST", other_path + "/close?note=x", fixture("district_gps.jpg"),
                    {{"Content-Type", "image/jpeg"}});
  EXPECT_EQ(error_code(r), "auth.out_of_scope");
  auto citizen = server().login("citizen");
  EXPECT_EQ(error_code(citizen->request("GET", "/api/v1/action-items")), "auth.forbidden");
  EXPECT_EQ(error_code(citizen->request("GET", path)), "auth.forbidden");
  EXPECT_EQ(error_code(unit->request("GET", path)), "auth.forbidden");
  auto leader = server().login("leader");
  r = leader->request("POST", "/api/v1/action-items/" + std::to_string(own_item) + "/close?note=x",
                      fixture("district_gps.jpg"), {{"Content-Type", "image/jpeg"}});
  EXPECT_EQ(error_code(r), "auth.forbidden");

  // Closing needs a note and a photo; a stale version is 409; then done, once.
  const auto own_path = "/api/v1/action-items/" + std::to_string(own_item);
  r = unit->request("POST", own_path + "/close?note=%E5%B7%B2%E6%B8%85%E7%90%86", "",
                    {{"Content-Type", "image/jpeg"}});
  EXPECT_EQ(error_code(r), "action_item.photo_required");
  r = unit->request("POST", own_path + "/close", fixture("district_gps.jpg"),
                    {{"Content-Type", "image/jpeg"}});
  EXPECT_EQ(error_code(r), "field.required");
  r = unit->request("POST", own_path + "/close?version=1&note=x", fixture("district_gps.jpg"),
                    {{"Content-Type", "image/jpeg"}});
  EXPECT_EQ(r.status, 409);
  r = unit->request("POST", own_path + "/close?note=%E5%B7%B2%E6%B8%85%E7%90%86",
                    fixture("district_gps.jpg"), {{"Content-Type", "image/jpeg"}});
  ASSERT_EQ(r.status, 200) << r.body;
  const auto closed = parse(r);
  EXPECT_EQ(closed.at("item").at("state").as_string(), "done");
  EXPECT_EQ(closed.at("item").at("close_note").as_string(), "已清理");
  EXPECT_TRUE(closed.at("item").at("has_photo").as_bool());
  r = unit->request("POST", own_path + "/close?note=x", fixture("district_gps.jpg"),
                    {{"Content-Type", "image/jpeg"}});
  EXPECT_EQ(error_code(r), "action_item.closed");
  r = unit->request("GET", own_path + "/photo");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Content-Type"), "image/jpeg");
  EXPECT_EQ(office->request("GET", own_path + "/photo/thumbnail").status, 200);
  EXPECT_EQ(error_code(unit->request("GET", other_path + "/photo")), "auth.out_of_scope");

  // Every change to the item is a ledger event, and the chain still verifies.
  {
    auto lease = server().db().acquire();
    lease->begin(false);
    storage::LedgerQuery q;
    q.entity_type = "action_item";
    q.entity_id = own_item;
    std::vector<std::string> actions;
    for (const auto& e : storage::LedgerRepo(*lease, 1).list(q)) actions.push_back(e.action);
    lease->rollback();
    EXPECT_EQ(actions, (std::vector<std::string>{"close", "escalate", "assign"}));
  }
  r = office->request("GET", "/api/v1/ledger/verify");
  EXPECT_TRUE(parse(r).at("ok").as_bool()) << r.body;

  // The minutes: all three decisions with their owner and state, in Chinese and English.
  r = office->request("GET", path + "/minutes.pdf");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("Content-Type"), "application/pdf");
  // Reading order: a wrapped table cell reads whole (the layout order interleaves the columns).
  std::string text = pdf_reading_text(r.body);
  std::erase_if(text, [](unsigned char ch) { return std::isspace(ch) != 0; });
  for (const char* s :
       {"2026年第12次创城工作例会（改）纪要", "会议议定事项", "永泰街道一日内清理永泰路占道经营",
        "城管局五日内完成夜市规范方案", "古城街道十日内整治背街小巷", "超期后办结", "办理中",
        "区政府三楼会议室", "一、全区问题整改进展", "—1—"}) {
    EXPECT_NE(text.find(s), std::string::npos) << s << " not in: " << text;
  }
  r = office->request("GET", path + "/minutes.pdf?lang=en");
  std::string en = pdf_reading_text(r.body);
  std::erase_if(en, [](unsigned char ch) { return std::isspace(ch) != 0; });
  for (const char* s : {"Minutes:", "Closedlate", "Inprogress", "Decisions"}) {
    EXPECT_NE(en.find(s), std::string::npos) << s << " not in: " << en;
  }
}

TEST_P(ApiMeetings, ProgressMeetingReportListsTheGapsSinceTheLast) {
  auto office = server().login("office");
  // A regular meeting whose items stay open, then a 推进会.
  auto r =
      office->request("POST", "/api/v1/meetings", json::serialize(meeting_body("regular", kHeld)));
  ASSERT_EQ(r.status, 201) << r.body;
  const auto first = parse(r).at("meeting").at("id").as_int64();
  ASSERT_EQ(office
                ->request("POST", "/api/v1/meetings/" + std::to_string(first) + "/issue",
                          R"({"version":1})")
                .status,
            200);
  auto body = meeting_body("progress", "2026-11-30T01:20:00Z");
  body["title"] = "2026年第四季度创城推进会";
  r = office->request("POST", "/api/v1/meetings", json::serialize(body));
  ASSERT_EQ(r.status, 201) << r.body;
  const auto id = parse(r).at("meeting").at("id").as_int64();
  r = office->request("GET", "/api/v1/meetings/" + std::to_string(id) + "/report");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto rep = parse(r).at("report");
  EXPECT_FALSE(rep.at("frozen").as_bool());
  EXPECT_TRUE(rep.at("units").is_array());
  EXPECT_TRUE(rep.at("escalations").at("items").is_array());
  const auto& open = rep.at("gaps").at("open_items").as_array();
  EXPECT_EQ(open.size(), 3U) << r.body;  // the regular meeting's items
  // A regular meeting's report has no gaps section.
  r = office->request("GET", "/api/v1/meetings/" + std::to_string(first) + "/report");
  EXPECT_TRUE(parse(r).at("report").at("frozen").as_bool());
  EXPECT_EQ(parse(r).at("report").as_object().if_contains("gaps"), nullptr);
  // Issued: the report is frozen with the minutes.
  ASSERT_EQ(
      office
          ->request("POST", "/api/v1/meetings/" + std::to_string(id) + "/issue", R"({"version":1})")
          .status,
      200);
  r = office->request("GET", "/api/v1/meetings/" + std::to_string(id) + "/report");
  EXPECT_TRUE(parse(r).at("report").at("frozen").as_bool());
  EXPECT_EQ(parse(r).at("report").at("gaps").at("open_items").as_array().size(), 3U);
  // The list, newest first.
  r = office->request("GET", "/api/v1/meetings?limit=1");
  const auto page = parse(r);
  EXPECT_EQ(page.at("items").at(0).at("id").as_int64(), id);
  ASSERT_TRUE(page.at("next_cursor").is_string());
  r = office->request(
      "GET", "/api/v1/meetings?limit=1&cursor=" + std::string(page.at("next_cursor").as_string()));
  EXPECT_EQ(parse(r).at("items").at(0).at("id").as_int64(), first);
  EXPECT_EQ(
      parse(office->request("GET", "/api/v1/meetings?kind=progress")).at("items").as_array().size(),
      1U);
}

TEST_P(ApiMeetings, BadInputIsRefusedWithItsField) {
  auto office = server().login("office");
  auto post = [&](json::object b) {
    return office->request("POST", "/api/v1/meetings", json::serialize(b));
  };
  auto b = meeting_body("regular", kHeld);
  b["title"] = "";
  auto r = post(b);
  EXPECT_EQ(error_code(r), "field.required");
  b = meeting_body("weekly", kHeld);
  EXPECT_EQ(error_code(post(b)), "meeting.bad_kind");
  b = meeting_body("regular", "yesterday");
  EXPECT_EQ(error_code(post(b)), "request.invalid_parameter");
  b = meeting_body("regular", kHeld);
  b["decisions"].as_array()[0].as_object()["owner_unit_id"] = 999999;
  r = post(b);
  EXPECT_EQ(error_code(r), "org.unit_not_found");
  EXPECT_NE(r.body.find("decisions[0].owner_unit_id"), std::string::npos) << r.body;
  b = meeting_body("regular", kHeld);
  b["decisions"].as_array()[1].as_object()["limit"] =
      json::object{{"amount", 0}, {"unit", "working_days"}};
  EXPECT_EQ(error_code(post(b)), "calendar.limit_out_of_range");
  b = meeting_body("regular", kHeld);
  b["decisions"].as_array()[1].as_object()["limit"] =
      json::object{{"amount", 2}, {"unit", "weeks"}};
  EXPECT_EQ(error_code(post(b)), "meeting.bad_limit_unit");
  b = meeting_body("regular", kHeld);
  b["attendees"].as_array().push_back(json::object{});
  EXPECT_EQ(error_code(post(b)), "meeting.bad_attendee");
  b = meeting_body("regular", kHeld);
  b["agenda"].as_array()[0].as_object()["speaker"] = "x";
  EXPECT_EQ(error_code(post(b)), "request.unknown_field");
  // Minutes of a meeting not yet held.
  r = post(meeting_body("regular", "2026-12-30T01:00:00Z"));
  ASSERT_EQ(r.status, 201);
  const auto id = parse(r).at("meeting").at("id").as_int64();
  r = office->request("POST", "/api/v1/meetings/" + std::to_string(id) + "/issue",
                      R"({"version":1})");
  EXPECT_EQ(error_code(r), "meeting.not_held");
  EXPECT_EQ(
      error_code(office->request("GET", "/api/v1/meetings/" + std::to_string(id) + "/minutes.pdf")),
      "meeting.not_minuted");
  r = office->request("POST", "/api/v1/meetings/" + std::to_string(id) + "/cancel",
                      R"({"version":1})");
  EXPECT_EQ(parse(r).at("meeting").at("state").as_string(), "cancelled");
  EXPECT_EQ(office->request("GET", "/api/v1/meetings/999999").status, 404);
  // Only the HQ office schedules.
  auto leader = server().login("leader");
  r = leader->request("POST", "/api/v1/meetings", json::serialize(meeting_body("regular", kHeld)));
  EXPECT_EQ(error_code(r), "auth.forbidden");
}

INSTANTIATE_TEST_SUITE_P(Backends, ApiMeetings, ::testing::ValuesIn(test_backends()), backend_name);

}  // namespace
}  // namespace civicloop::test
