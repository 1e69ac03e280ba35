// Meetings (例会, 推进会) and the action items their decisions become (issue 8, part 8).
//
// A meeting has a kind (regular 例会, progress 推进会 each quarter, special), a time and place,
// attendees (units and people of the organisation), an agenda, and, once held, minutes: text per
// agenda item and decisions. Issuing the minutes turns each decision into an action item with an
// owner unit (and optionally a person of it) and a time limit in working time counted from the
// meeting (the case timers' clock, domain/case_timer.hpp: reminders at 50 % and 75 %, overdue at
// 100 %, the escalation ladder above). An item is closed with evidence (a note and a photo).
//
// Rules only: no SQL, no JSON. Plain values; thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/access.hpp"
#include "domain/calendar.hpp"
#include "domain/case_timer.hpp"
#include "domain/clock.hpp"
#include "domain/error.hpp"

namespace civicloop::meetings {

enum class Kind { kRegular, kProgress, kSpecial };
std::string_view to_string(Kind k);
std::optional<Kind> parse_kind(std::string_view s);

// scheduled → minuted (minutes issued, action items made) | cancelled.
enum class State { kScheduled, kMinuted, kCancelled };
std::string_view to_string(State s);
std::optional<State> parse_state(std::string_view s);

struct Attendee {
  std::optional<std::int64_t> unit_id;
  std::optional<std::int64_t> person_id;
  bool operator==(const Attendee&) const = default;
};

struct AgendaItem {
  std::string title;
  std::string minutes;  // what was said, written after the meeting
  bool operator==(const AgendaItem&) const = default;
};

struct Decision {
  std::string text;
  std::int64_t owner_unit_id = 0;
  std::optional<std::int64_t> owner_person_id;
  calendar::TimeLimit limit{5, calendar::LimitUnit::kWorkingDays};
  bool operator==(const Decision&) const = default;
};

struct Meeting {
  std::int64_t id = 0;
  Kind kind = Kind::kRegular;
  std::string title;
  Millis starts_at = 0;
  std::string place;
  std::vector<Attendee> attendees;
  std::vector<AgendaItem> agenda;
  std::vector<Decision> decisions;
  State state = State::kScheduled;
  // The progress report frozen when the minutes were issued (text the storage layer keeps as
  // given), and the ledger head it was read at: the next meeting of the kind reads from there.
  std::optional<std::string> report;
  std::optional<std::int64_t> report_seq;
  std::optional<Millis> issued_at;
  std::optional<std::int64_t> created_by;
  Millis created_at = 0;
  Millis updated_at = 0;
  int version = 1;
};

// What a user may write into a meeting (create or edit): checked before anything is stored.
//   meeting.bad_kind           kind
//   field.required / field.too_long / field.invalid_text   title (1–200), place (0–200),
//                              agenda[i].title (1–200), agenda[i].minutes (0–20000),
//                              decisions[i].text (1–2000)
//   meeting.too_many           attendees (200), agenda (50), decisions (100)
//   meeting.bad_attendee       attendees[i]: neither a unit nor a person
//   calendar.limit_out_of_range decisions[i].limit
inline constexpr std::size_t kMaxAttendees = 200;
inline constexpr std::size_t kMaxAgenda = 50;
inline constexpr std::size_t kMaxDecisions = 100;
Status check(const Meeting& m);

// Whether the minutes may be issued at `now`: the meeting is scheduled (meeting.not_scheduled
// otherwise), has begun (meeting.not_held: minutes of a meeting not yet held), and has at least
// one agenda item (meeting.no_agenda). Decisions may be none: a meeting that decided nothing.
Status may_issue(const Meeting& m, Millis now);
// Edits: only while scheduled (meeting.not_scheduled); a cancelled or minuted meeting is fixed.
Status may_edit(const Meeting& m);

// An action item (督办事项) made from one decision.
enum class ItemState { kOpen, kDone };
std::string_view to_string(ItemState s);
std::optional<ItemState> parse_item_state(std::string_view s);

struct ActionItem {
  std::int64_t id = 0;
  std::int64_t meeting_id = 0;
  int seq = 0;  // the decision's place in the minutes, from 1
  std::string text;
  std::int64_t owner_unit_id = 0;
  std::string owner_path;  // the owner unit's materialised path, for scope checks
  std::optional<std::int64_t> owner_person_id;
  calendar::TimeLimit limit;
  cases::Timer timer;  // started at the meeting's time; stage unused (always kRectify)
  ItemState state = ItemState::kOpen;
  bool overdue = false;
  int escalation_level = 0;  // 0–3, as a case's 督办 level
  std::optional<Millis> next_check_at;
  // Closing evidence.
  std::string close_note;
  std::optional<Millis> closed_at;
  std::optional<std::int64_t> closed_by;
  std::optional<std::string> photo_sha256;
  std::string photo_content_type;
  std::string photo_flags;  // no_gps, no_time (the evidence checks that apply without a place)
  Millis created_at = 0;
  Millis updated_at = 0;
  int version = 1;
};

// The item a decision becomes when the minutes of meeting m are issued: its timer starts at the
// meeting's time (a limit "within 3 working days" counts from the meeting, not from the day the
// minutes were typed), so an item can be overdue at once; the sweep reports it.
ActionItem make_item(const Meeting& m, int seq, const Decision& d, std::string owner_path,
                     Millis now, const calendar::WorkCalendar& cal,
                     const cases::EscalationLadder& ladder);

// What one sweep found on an item: the reminders (50, 75) and whether it turned overdue or rose
// on the ladder. Applies them to the item (the marks are recorded, so a repeated sweep at the same
// instant finds nothing) and moves next_check_at.
struct SweepMarks {
  std::vector<int> reminders;
  bool turned_overdue = false;
  bool escalated = false;
  bool any() const { return !reminders.empty() || turned_overdue || escalated; }
};
SweepMarks sweep(ActionItem& item, Millis now, const calendar::WorkCalendar& cal,
                 const cases::EscalationLadder& ladder);

// Who is asking to act on an item.
struct ItemWho {
  access::Role role = access::Role::kCitizen;
  bool in_owner_unit = false;  // the owner unit is within the actor's scope (unit-bound roles)
  bool is_owner_person = false;
};
// Reading an item: the HQ office, leaders, supervisors and task forces (tenant-wide readers), and
// the owner unit's people; others auth.out_of_scope, citizens and grid workers auth.forbidden.
Status may_read(const ItemWho& who);
// Closing: open (action_item.closed otherwise); by the owner unit's operators, the owner person or
// the HQ office (auth.out_of_scope / auth.forbidden); a note (field.required: note) and a photo
// (action_item.photo_required).
Status may_close(const ActionItem& item, const ItemWho& who, std::string_view note, bool has_photo);
// Managing meetings (create, edit, issue, cancel): the HQ office only (auth.forbidden).
Status may_manage(access::Role role);
// Reading meetings and their reports: staff above the units (auth.forbidden for units, grid
// workers and citizens: units read their own action items, not the whole minutes).
Status may_read_meetings(access::Role role);

}  // namespace civicloop::meetings
