#include "domain/meeting.hpp"

#include <array>
#include <utility>

#include "domain/text.hpp"

namespace civicloop::meetings {

namespace {

template <class E, std::size_t N>
std::optional<E> parse_of(const std::array<std::pair<E, std::string_view>, N>& names,
                          std::string_view s) {
  for (const auto& [e, n] : names) {
    if (n == s) return e;
  }
  return std::nullopt;
}

template <class E, std::size_t N>
std::string_view name_of(const std::array<std::pair<E, std::string_view>, N>& names, E e) {
  for (const auto& [x, n] : names) {
    if (x == e) return n;
  }
  return "unknown";
}

constexpr std::array<std::pair<Kind, std::string_view>, 3> kKinds{
    {{Kind::kRegular, "regular"}, {Kind::kProgress, "progress"}, {Kind::kSpecial, "special"}}};
constexpr std::array<std::pair<State, std::string_view>, 3> kStates{
    {{State::kScheduled, "scheduled"},
     {State::kMinuted, "minuted"},
     {State::kCancelled, "cancelled"}}};
constexpr std::array<std::pair<ItemState, std::string_view>, 2> kItemStates{
    {{ItemState::kOpen, "open"}, {ItemState::kDone, "done"}}};

std::string indexed(std::string_view list, std::size_t i, std::string_view field) {
  return std::string(list) + "[" + std::to_string(i) + "]" +
         (field.empty() ? "" : "." + std::string(field));
}

Status check_text(const std::string& field, const std::string& value, std::size_t min,
                  std::size_t max, bool multiline) {
  return text::check(field, value, {min, max, multiline});
}

bool tenant_reader(access::Role r) {
  using access::Role;
  return r == Role::kHqAdmin || r == Role::kHqStaff || r == Role::kLeader ||
         r == Role::kSupervisor || r == Role::kTaskForceMember;
}

bool hq_office(access::Role r) {
  return r == access::Role::kHqAdmin || r == access::Role::kHqStaff;
}

}  // namespace

std::string_view to_string(Kind k) { return name_of(kKinds, k); }
std::optional<Kind> parse_kind(std::string_view s) { return parse_of(kKinds, s); }
std::string_view to_string(State s) { return name_of(kStates, s); }
std::optional<State> parse_state(std::string_view s) { return parse_of(kStates, s); }
std::string_view to_string(ItemState s) { return name_of(kItemStates, s); }
std::optional<ItemState> parse_item_state(std::string_view s) { return parse_of(kItemStates, s); }

Status check(const Meeting& m) {
  if (auto s = check_text("title", m.title, 1, 200, false); !s) return s;
  if (auto s = check_text("place", m.place, 0, 200, false); !s) return s;
  if (m.attendees.size() > kMaxAttendees) {
    return make_error("meeting.too_many", "attendees").with("max", std::to_string(kMaxAttendees));
  }
  if (m.agenda.size() > kMaxAgenda) {
    return make_error("meeting.too_many", "agenda").with("max", std::to_string(kMaxAgenda));
  }
  if (m.decisions.size() > kMaxDecisions) {
    return make_error("meeting.too_many", "decisions").with("max", std::to_string(kMaxDecisions));
  }
  for (std::size_t i = 0; i < m.attendees.size(); ++i) {
    if (!m.attendees[i].unit_id && !m.attendees[i].person_id) {
      return make_error("meeting.bad_attendee", indexed("attendees", i, ""));
    }
  }
  for (std::size_t i = 0; i < m.agenda.size(); ++i) {
    if (auto s = check_text(indexed("agenda", i, "title"), m.agenda[i].title, 1, 200, false); !s) {
      return s;
    }
    if (auto s = check_text(indexed("agenda", i, "minutes"), m.agenda[i].minutes, 0, 20000, true);
        !s) {
      return s;
    }
  }
  for (std::size_t i = 0; i < m.decisions.size(); ++i) {
    const auto& d = m.decisions[i];
    if (auto s = check_text(indexed("decisions", i, "text"), d.text, 1, 2000, true); !s) return s;
    if (d.owner_unit_id <= 0)
      return make_error("field.required", indexed("decisions", i, "owner_unit_id"));
    if (auto s = calendar::check_time_limit(d.limit); !s) {
      return make_error(s.error().code, indexed("decisions", i, "limit"));
    }
  }
  return Ok{};
}

Status may_edit(const Meeting& m) {
  if (m.state != State::kScheduled) {
    return make_error("meeting.not_scheduled").with("state", std::string(to_string(m.state)));
  }
  return Ok{};
}

Status may_issue(const Meeting& m, Millis now) {
  if (auto s = may_edit(m); !s) return s;
  if (m.starts_at > now) return make_error("meeting.not_held");
  if (m.agenda.empty()) return make_error("meeting.no_agenda", "agenda");
  return Ok{};
}

ActionItem make_item(const Meeting& m, int seq, const Decision& d, std::string owner_path,
                     Millis now, const calendar::WorkCalendar& cal,
                     const cases::EscalationLadder& ladder) {
  ActionItem it;
  it.meeting_id = m.id;
  it.seq = seq;
  it.text = d.text;
  it.owner_unit_id = d.owner_unit_id;
  it.owner_path = std::move(owner_path);
  it.owner_person_id = d.owner_person_id;
  it.limit = d.limit;
  it.timer = cases::start_timer(cases::Stage::kRectify, d.limit, m.starts_at, cal);
  it.next_check_at = cases::next_check(it.timer, ladder, cal);
  // An item already past a mark is due for the sweep now, not at the mark it passed.
  if (it.next_check_at && *it.next_check_at < now) it.next_check_at = now;
  if (!it.next_check_at && cases::percent_used(it.timer, now, cal) >= 50) it.next_check_at = now;
  it.created_at = now;
  it.updated_at = now;
  return it;
}

SweepMarks sweep(ActionItem& item, Millis now, const calendar::WorkCalendar& cal,
                 const cases::EscalationLadder& ladder) {
  SweepMarks out;
  if (item.state != ItemState::kOpen) {
    item.next_check_at.reset();
    return out;
  }
  for (const int mark : cases::crossed_marks(item.timer, now, cal, ladder)) {
    if (mark < 100) {
      out.reminders.push_back(mark);
      continue;
    }
    if (!item.overdue) {
      item.overdue = true;
      out.turned_overdue = true;
    }
    const int level = std::min(cases::escalation_level(ladder, mark), 3);
    if (level > item.escalation_level) {
      item.escalation_level = level;
      out.escalated = true;
    }
  }
  item.next_check_at = cases::next_check(item.timer, ladder, cal);
  return out;
}

Status may_read(const ItemWho& who) {
  using access::Role;
  if (who.role == Role::kCitizen || who.role == Role::kGridWorker) {
    return make_error("auth.forbidden");
  }
  if (tenant_reader(who.role) || who.in_owner_unit || who.is_owner_person) return Ok{};
  return make_error("auth.out_of_scope");
}

Status may_close(const ActionItem& item, const ItemWho& who, std::string_view note,
                 bool has_photo) {
  using access::Role;
  if (who.role == Role::kCitizen || who.role == Role::kGridWorker) {
    return make_error("auth.forbidden");
  }
  const bool owner = (who.role == Role::kUnitOperator && who.in_owner_unit) || who.is_owner_person;
  if (!owner && !hq_office(who.role)) {
    return make_error(tenant_reader(who.role) ? "auth.forbidden" : "auth.out_of_scope");
  }
  if (item.state != ItemState::kOpen) return make_error("action_item.closed");
  if (text::trim(note).empty()) return make_error("field.required", "note");
  if (!has_photo) return make_error("action_item.photo_required", "photo");
  return Ok{};
}

Status may_manage(access::Role role) {
  if (!hq_office(role)) return make_error("auth.forbidden");
  return Ok{};
}

Status may_read_meetings(access::Role role) {
  if (!tenant_reader(role)) return make_error("auth.forbidden");
  return Ok{};
}

}  // namespace civicloop::meetings
