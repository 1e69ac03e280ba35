#include "storage/meeting_repo.hpp"

#include <boost/json.hpp>

#include "storage/sql_util.hpp"

namespace civicloop::storage {

namespace json = boost::json;

namespace {

Value opt_i(const std::optional<std::int64_t>& v) { return v ? Value(*v) : Value(nullptr); }
Value opt_s(const std::optional<std::string>& v) { return v ? Value(*v) : Value(nullptr); }

json::value opt_json(const std::optional<std::int64_t>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}
std::optional<std::int64_t> opt_of(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || !v->is_int64()) return std::nullopt;
  return v->as_int64();
}
std::string str_of(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}
const json::array& array_of(const json::value& v) {
  static const json::array kEmpty;
  return v.is_array() ? v.as_array() : kEmpty;
}
json::value parse_or_null(const std::string& text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  return ec ? json::value(nullptr) : v;
}

std::string attendees_json(const std::vector<meetings::Attendee>& a) {
  json::array out;
  for (const auto& x : a) {
    out.push_back(
        json::object{{"unit_id", opt_json(x.unit_id)}, {"person_id", opt_json(x.person_id)}});
  }
  return json::serialize(out);
}
std::string agenda_json(const std::vector<meetings::AgendaItem>& a) {
  json::array out;
  for (const auto& x : a) out.push_back(json::object{{"title", x.title}, {"minutes", x.minutes}});
  return json::serialize(out);
}
std::string decisions_json(const std::vector<meetings::Decision>& d) {
  json::array out;
  for (const auto& x : d) {
    out.push_back(json::object{{"text", x.text},
                               {"owner_unit_id", x.owner_unit_id},
                               {"owner_person_id", opt_json(x.owner_person_id)},
                               {"amount", x.limit.amount},
                               {"unit", std::string(calendar::to_string(x.limit.unit))}});
  }
  return json::serialize(out);
}

constexpr const char* kMeetingColumns =
    "id, kind, title, starts_at, place, state, attendees_json, agenda_json, decisions_json, "
    "report_json, report_seq, issued_at, created_by, created_at, updated_at, version";

meetings::Meeting meeting_of(const Row& r) {
  meetings::Meeting m;
  std::size_t i = 0;
  m.id = r.get_int(i++);
  m.kind = meetings::parse_kind(r.get_text(i++)).value_or(meetings::Kind::kRegular);
  m.title = r.get_text(i++);
  m.starts_at = r.get_int(i++);
  m.place = r.get_text(i++);
  m.state = meetings::parse_state(r.get_text(i++)).value_or(meetings::State::kScheduled);
  const json::value attendees_doc = parse_or_null(r.get_text(i++));
  for (const auto& v : array_of(attendees_doc)) {
    if (!v.is_object()) continue;
    m.attendees.push_back({opt_of(v.as_object(), "unit_id"), opt_of(v.as_object(), "person_id")});
  }
  const json::value agenda_doc = parse_or_null(r.get_text(i++));
  for (const auto& v : array_of(agenda_doc)) {
    if (!v.is_object()) continue;
    m.agenda.push_back({str_of(v.as_object(), "title"), str_of(v.as_object(), "minutes")});
  }
  const json::value decisions_doc = parse_or_null(r.get_text(i++));
  for (const auto& v : array_of(decisions_doc)) {
    if (!v.is_object()) continue;
    const auto& o = v.as_object();
    meetings::Decision d;
    d.text = str_of(o, "text");
    d.owner_unit_id = opt_of(o, "owner_unit_id").value_or(0);
    d.owner_person_id = opt_of(o, "owner_person_id");
    d.limit.amount = static_cast<int>(opt_of(o, "amount").value_or(0));
    d.limit.unit =
        calendar::parse_limit_unit(str_of(o, "unit")).value_or(calendar::LimitUnit::kWorkingDays);
    m.decisions.push_back(std::move(d));
  }
  m.report = r.get_opt_text(i++);
  m.report_seq = r.get_opt_int(i++);
  m.issued_at = r.get_opt_int(i++);
  m.created_by = r.get_opt_int(i++);
  m.created_at = r.get_int(i++);
  m.updated_at = r.get_int(i++);
  m.version = static_cast<int>(r.get_int(i++));
  return m;
}

constexpr const char* kItemColumns =
    "id, meeting_id, seq, text, owner_unit_id, owner_path, owner_person_id, limit_amount, "
    "limit_unit, timer_budget, timer_consumed, timer_running_since, deadline_at, "
    "deadline_estimated, warned_percent, state, overdue, escalation_level, next_check_at, "
    "close_note, closed_at, closed_by, photo_sha256, photo_content_type, photo_flags, "
    "created_at, updated_at, version";

meetings::ActionItem item_of(const Row& r) {
  meetings::ActionItem it;
  std::size_t i = 0;
  it.id = r.get_int(i++);
  it.meeting_id = r.get_int(i++);
  it.seq = static_cast<int>(r.get_int(i++));
  it.text = r.get_text(i++);
  it.owner_unit_id = r.get_int(i++);
  it.owner_path = r.get_text(i++);
  it.owner_person_id = r.get_opt_int(i++);
  it.limit.amount = static_cast<int>(r.get_int(i++));
  it.limit.unit =
      calendar::parse_limit_unit(r.get_text(i++)).value_or(calendar::LimitUnit::kWorkingDays);
  it.timer.stage = cases::Stage::kRectify;
  it.timer.unit = it.limit.unit;
  it.timer.budget = r.get_int(i++);
  it.timer.consumed = r.get_int(i++);
  it.timer.running_since = r.get_opt_int(i++);
  it.timer.deadline = r.get_int(i++);
  it.timer.estimated = r.get_bool(i++);
  it.timer.warned_percent = static_cast<int>(r.get_int(i++));
  it.state = meetings::parse_item_state(r.get_text(i++)).value_or(meetings::ItemState::kOpen);
  it.overdue = r.get_bool(i++);
  it.escalation_level = static_cast<int>(r.get_int(i++));
  it.next_check_at = r.get_opt_int(i++);
  it.close_note = r.get_text(i++);
  it.closed_at = r.get_opt_int(i++);
  it.closed_by = r.get_opt_int(i++);
  it.photo_sha256 = r.get_opt_text(i++);
  it.photo_content_type = r.get_text(i++);
  it.photo_flags = r.get_text(i++);
  it.created_at = r.get_int(i++);
  it.updated_at = r.get_int(i++);
  it.version = static_cast<int>(r.get_int(i++));
  return it;
}

// The columns after id, in kItemColumns order.
std::vector<Value> item_values(const meetings::ActionItem& it) {
  const auto& t = it.timer;
  return {it.meeting_id,
          static_cast<std::int64_t>(it.seq),
          it.text,
          it.owner_unit_id,
          it.owner_path,
          opt_i(it.owner_person_id),
          static_cast<std::int64_t>(it.limit.amount),
          std::string(calendar::to_string(it.limit.unit)),
          t.budget,
          t.consumed,
          opt_i(t.running_since),
          t.deadline,
          static_cast<std::int64_t>(t.estimated ? 1 : 0),
          static_cast<std::int64_t>(t.warned_percent),
          std::string(meetings::to_string(it.state)),
          static_cast<std::int64_t>(it.overdue ? 1 : 0),
          static_cast<std::int64_t>(it.escalation_level),
          opt_i(it.next_check_at),
          it.close_note,
          opt_i(it.closed_at),
          opt_i(it.closed_by),
          opt_s(it.photo_sha256),
          it.photo_content_type,
          it.photo_flags,
          it.created_at,
          it.updated_at,
          static_cast<std::int64_t>(it.version)};
}

}  // namespace

void MeetingRepo::insert(const meetings::Meeting& m) {
  c_.execute(std::string("INSERT INTO meetings (tenant_id, ") + kMeetingColumns +
                 ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
             {tenant_, m.id, std::string(meetings::to_string(m.kind)), m.title, m.starts_at,
              m.place, std::string(meetings::to_string(m.state)), attendees_json(m.attendees),
              agenda_json(m.agenda), decisions_json(m.decisions), opt_s(m.report),
              opt_i(m.report_seq), opt_i(m.issued_at), opt_i(m.created_by), m.created_at,
              m.updated_at, static_cast<std::int64_t>(m.version)});
}

std::optional<meetings::Meeting> MeetingRepo::find(std::int64_t id) {
  auto rows = c_.query(
      std::string("SELECT ") + kMeetingColumns + " FROM meetings WHERE tenant_id = ? AND id = ?",
      {tenant_, id});
  if (rows.empty()) return std::nullopt;
  return meeting_of(rows[0]);
}

bool MeetingRepo::update(const meetings::Meeting& m, int expected_version) {
  return c_.execute(
             "UPDATE meetings SET kind = ?, title = ?, starts_at = ?, place = ?, state = ?, "
             "attendees_json = ?, agenda_json = ?, decisions_json = ?, report_json = ?, "
             "report_seq = ?, issued_at = ?, updated_at = ?, version = ? "
             "WHERE tenant_id = ? AND id = ? AND version = ?",
             {std::string(meetings::to_string(m.kind)), m.title, m.starts_at, m.place,
              std::string(meetings::to_string(m.state)), attendees_json(m.attendees),
              agenda_json(m.agenda), decisions_json(m.decisions), opt_s(m.report),
              opt_i(m.report_seq), opt_i(m.issued_at), m.updated_at,
              static_cast<std::int64_t>(m.version), tenant_, m.id,
              static_cast<std::int64_t>(expected_version)}) == 1;
}

std::vector<meetings::Meeting> MeetingRepo::list(const MeetingQuery& q) {
  std::string sql = std::string("SELECT ") + kMeetingColumns + " FROM meetings WHERE tenant_id = ?";
  std::vector<Value> params{tenant_};
  if (q.kind) {
    sql += " AND kind = ?";
    params.emplace_back(std::string(meetings::to_string(*q.kind)));
  }
  if (q.before_id && q.before_starts_at) {
    sql += " AND (starts_at < ? OR (starts_at = ? AND id < ?))";
    params.emplace_back(*q.before_starts_at);
    params.emplace_back(*q.before_starts_at);
    params.emplace_back(*q.before_id);
  }
  sql += " ORDER BY starts_at DESC, id DESC LIMIT ?";
  params.emplace_back(static_cast<std::int64_t>(q.limit));
  std::vector<meetings::Meeting> out;
  for (const auto& r : c_.query(sql, params)) out.push_back(meeting_of(r));
  return out;
}

std::optional<meetings::Meeting> MeetingRepo::last_minuted(meetings::Kind kind, Millis before,
                                                           std::int64_t except_id) {
  auto rows =
      c_.query(std::string("SELECT ") + kMeetingColumns +
                   " FROM meetings WHERE tenant_id = ? AND kind = ? AND state = ? AND "
                   "starts_at < ? AND id <> ? ORDER BY starts_at DESC, id DESC LIMIT 1",
               {tenant_, std::string(meetings::to_string(kind)),
                std::string(meetings::to_string(meetings::State::kMinuted)), before, except_id});
  if (rows.empty()) return std::nullopt;
  return meeting_of(rows[0]);
}

void MeetingRepo::insert_item(const meetings::ActionItem& it) {
  std::vector<Value> params{tenant_, it.id};
  for (auto& v : item_values(it)) params.push_back(std::move(v));
  c_.execute(std::string("INSERT INTO action_items (tenant_id, ") + kItemColumns + ") VALUES " +
                 sql::in_list(params.size()),
             params);
}

std::optional<meetings::ActionItem> MeetingRepo::find_item(std::int64_t id) {
  auto rows = c_.query(
      std::string("SELECT ") + kItemColumns + " FROM action_items WHERE tenant_id = ? AND id = ?",
      {tenant_, id});
  if (rows.empty()) return std::nullopt;
  return item_of(rows[0]);
}

bool MeetingRepo::update_item(const meetings::ActionItem& it, int expected_version) {
  std::vector<Value> params;
  for (auto& v : item_values(it)) params.push_back(std::move(v));
  params.emplace_back(tenant_);
  params.emplace_back(it.id);
  params.emplace_back(static_cast<std::int64_t>(expected_version));
  return c_.execute(
             "UPDATE action_items SET meeting_id = ?, seq = ?, text = ?, owner_unit_id = ?, "
             "owner_path = ?, owner_person_id = ?, limit_amount = ?, limit_unit = ?, "
             "timer_budget = ?, timer_consumed = ?, timer_running_since = ?, deadline_at = ?, "
             "deadline_estimated = ?, warned_percent = ?, state = ?, overdue = ?, "
             "escalation_level = ?, next_check_at = ?, close_note = ?, closed_at = ?, "
             "closed_by = ?, photo_sha256 = ?, photo_content_type = ?, photo_flags = ?, "
             "created_at = ?, updated_at = ?, version = ? "
             "WHERE tenant_id = ? AND id = ? AND version = ?",
             params) == 1;
}

std::vector<meetings::ActionItem> MeetingRepo::items(const ActionItemQuery& q) {
  std::string sql =
      std::string("SELECT ") + kItemColumns + " FROM action_items WHERE tenant_id = ?";
  std::vector<Value> params{tenant_};
  if (q.meeting_id) {
    sql += " AND meeting_id = ?";
    params.emplace_back(*q.meeting_id);
  }
  if (q.state) {
    sql += " AND state = ?";
    params.emplace_back(std::string(meetings::to_string(*q.state)));
  }
  if (q.overdue_only) sql += " AND overdue = 1";
  if (q.after_id) {
    sql += " AND id > ?";
    params.emplace_back(*q.after_id);
  }
  sql::scope_filter(sql, params, q.scope, {"owner_path"});
  sql += q.meeting_id ? " ORDER BY seq, id LIMIT ?" : " ORDER BY id LIMIT ?";
  params.emplace_back(static_cast<std::int64_t>(q.limit));
  std::vector<meetings::ActionItem> out;
  for (const auto& r : c_.query(sql, params)) out.push_back(item_of(r));
  return out;
}

std::vector<std::pair<std::int64_t, std::int64_t>> MeetingRepo::due_items(Connection& c, Millis now,
                                                                          int limit) {
  std::vector<std::pair<std::int64_t, std::int64_t>> out;
  for (const auto& r : c.query("SELECT tenant_id, id FROM action_items WHERE next_check_at IS NOT "
                               "NULL AND next_check_at <= ? ORDER BY next_check_at LIMIT ?",
                               {now, static_cast<std::int64_t>(limit)})) {
    out.emplace_back(r.get_int(0), r.get_int(1));
  }
  return out;
}

bool MeetingRepo::photo_in_use(const std::string& sha256) {
  return !c_.query("SELECT 1 FROM action_items WHERE tenant_id = ? AND photo_sha256 = ? LIMIT 1",
                   {tenant_, sha256})
              .empty();
}

std::vector<EscalationRow> MeetingRepo::escalations(std::optional<std::int64_t> after_seq,
                                                    Millis since, Millis until, int limit) {
  // After the last meeting's seq the primary key bounds the read; without one, the window.
  std::string sql =
      "SELECT seq, at, entity_id, note FROM ledger_events WHERE tenant_id = ? AND "
      "entity_type = 'case' AND action = 'escalate' AND at < ?";
  std::vector<Value> params{tenant_, until};
  if (after_seq) {
    sql += " AND seq > ?";
    params.emplace_back(*after_seq);
  } else {
    sql += " AND at >= ?";
    params.emplace_back(since);
  }
  sql += " ORDER BY seq LIMIT ?";
  params.emplace_back(static_cast<std::int64_t>(limit));
  std::vector<EscalationRow> out;
  for (const auto& r : c_.query(sql, params)) {
    out.push_back({r.get_int(0), r.get_int(1), r.get_int(2), r.get_text(3)});
  }
  return out;
}

}  // namespace civicloop::storage
