// Meetings and action items: the checks of what a user writes, when minutes may be issued, the
// item made from a decision (its timer counted from the meeting), the sweep's marks, and who may
// read and close an item (every role × owner or not).
#include "domain/meeting.hpp"

#include <gtest/gtest.h>

namespace civicloop::meetings {
namespace {

using access::Role;
using calendar::LimitUnit;

calendar::WorkCalendar continuous() {
  return calendar::WorkCalendar::make({{0, 1440}}, 480, {}).value();
}

constexpr Millis kHour = 3600 * 1000;
constexpr Millis kStart = 1'790'000'000'000;

Meeting sample() {
  Meeting m;
  m.id = 7;
  m.title = "例会";
  m.starts_at = kStart;
  m.agenda = {{"进展", ""}};
  m.decisions = {{"清理占道", 5, std::nullopt, {4, LimitUnit::kUrgentHours}}};
  return m;
}

TEST(Meeting, ChecksWhatAUserWrites) {
  EXPECT_TRUE(check(sample()).ok());
  auto m = sample();
  m.title = "";
  EXPECT_EQ(check(m).error().field, "title");
  m = sample();
  m.attendees = {{}};
  EXPECT_EQ(check(m).error().code, "meeting.bad_attendee");
  EXPECT_EQ(check(m).error().field, "attendees[0]");
  m = sample();
  m.decisions[0].owner_unit_id = 0;
  EXPECT_EQ(check(m).error().field, "decisions[0].owner_unit_id");
  m = sample();
  m.decisions[0].limit.amount = 0;
  EXPECT_EQ(check(m).error().code, "calendar.limit_out_of_range");
  m = sample();
  m.agenda.assign(kMaxAgenda + 1, {"x", ""});
  EXPECT_EQ(check(m).error().code, "meeting.too_many");
  EXPECT_EQ(parse_kind("progress"), Kind::kProgress);
  EXPECT_FALSE(parse_kind("weekly").has_value());
}

TEST(Meeting, MinutesOnlyOfAHeldScheduledMeetingWithAnAgenda) {
  auto m = sample();
  EXPECT_EQ(may_issue(m, kStart - 1).error().code, "meeting.not_held");
  EXPECT_TRUE(may_issue(m, kStart).ok());
  m.agenda.clear();
  EXPECT_EQ(may_issue(m, kStart).error().code, "meeting.no_agenda");
  m = sample();
  m.state = State::kMinuted;
  EXPECT_EQ(may_issue(m, kStart).error().code, "meeting.not_scheduled");
  EXPECT_EQ(may_edit(m).error().code, "meeting.not_scheduled");
}

TEST(Meeting, AnItemCountsFromTheMeetingAndTheSweepClimbsTheLadderOnce) {
  const auto cal = continuous();
  const cases::EscalationLadder ladder{{100, 150, 200}};
  const auto m = sample();
  // Minutes typed three hours after the meeting: 75 % of a four-hour limit is already gone.
  auto it = make_item(m, 1, m.decisions[0], "/1/5/", kStart + 3 * kHour, cal, ladder);
  EXPECT_EQ(it.timer.deadline, kStart + 4 * kHour);
  ASSERT_TRUE(it.next_check_at.has_value());
  EXPECT_EQ(*it.next_check_at, kStart + 3 * kHour) << "due for the sweep at once";
  auto s = sweep(it, kStart + 3 * kHour, cal, ladder);
  EXPECT_EQ(s.reminders, (std::vector<int>{50, 75}));
  EXPECT_FALSE(s.turned_overdue);
  EXPECT_EQ(*it.next_check_at, kStart + 4 * kHour);
  s = sweep(it, kStart + 6 * kHour, cal, ladder);  // 150 %
  EXPECT_TRUE(s.turned_overdue);
  EXPECT_TRUE(s.escalated);
  EXPECT_EQ(it.escalation_level, 2);
  EXPECT_FALSE(sweep(it, kStart + 6 * kHour, cal, ladder).any()) << "repeated";
  s = sweep(it, kStart + 100 * kHour, cal, ladder);
  EXPECT_EQ(it.escalation_level, 3);
  EXPECT_FALSE(it.next_check_at.has_value()) << "the ladder's top: nothing more to check";
  it.state = ItemState::kDone;
  it.next_check_at = kStart;
  EXPECT_FALSE(sweep(it, kStart + 200 * kHour, cal, ladder).any());
  EXPECT_FALSE(it.next_check_at.has_value());
}

TEST(Meeting, WhoMayReadAndCloseAnItem) {
  ActionItem it;
  struct Case {
    Role role;
    bool owner_unit;
    const char* read;   // "" ok, else the code
    const char* close;  // with a note and a photo
  };
  const Case cases[] = {
      {Role::kHqAdmin, false, "", ""},
      {Role::kHqStaff, false, "", ""},
      {Role::kLeader, false, "", "auth.forbidden"},
      {Role::kSupervisor, false, "", "auth.forbidden"},
      {Role::kTaskForceMember, false, "", "auth.forbidden"},
      {Role::kUnitOperator, true, "", ""},
      {Role::kUnitOperator, false, "auth.out_of_scope", "auth.out_of_scope"},
      {Role::kGridWorker, true, "auth.forbidden", "auth.forbidden"},
      {Role::kCitizen, false, "auth.forbidden", "auth.forbidden"},
  };
  for (const auto& c : cases) {
    const ItemWho who{c.role, c.owner_unit, false};
    const auto r = may_read(who);
    EXPECT_EQ(r.ok() ? "" : r.error().code, c.read) << access::to_string(c.role);
    const auto k = may_close(it, who, "done", true);
    EXPECT_EQ(k.ok() ? "" : k.error().code, c.close) << access::to_string(c.role);
  }
  const ItemWho owner{Role::kUnitOperator, true, false};
  EXPECT_EQ(may_close(it, owner, "  ", true).error().code, "field.required");
  EXPECT_EQ(may_close(it, owner, "done", false).error().code, "action_item.photo_required");
  const ItemWho person{Role::kLeader, false, true};
  EXPECT_TRUE(may_close(it, person, "done", true).ok()) << "the owner person, whatever his role";
  it.state = ItemState::kDone;
  EXPECT_EQ(may_close(it, owner, "done", true).error().code, "action_item.closed");
  EXPECT_TRUE(may_manage(Role::kHqStaff).ok());
  EXPECT_FALSE(may_manage(Role::kLeader).ok());
  EXPECT_FALSE(may_read_meetings(Role::kUnitOperator).ok());
}

}  // namespace
}  // namespace civicloop::meetings
