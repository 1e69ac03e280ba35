#include "storage/case_repo.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <limits>

#include "domain/geo.hpp"
#include "storage/org_repo.hpp"
#include "storage/sql_util.hpp"

namespace civicloop::storage {

namespace json = boost::json;

namespace {

constexpr const char* kColumns =
    "id, case_no, state, source, category_code, title, description, address, lat, lng, grid_id, "
    "community_id, subdistrict_id, area_path, reporter_user_id, reporter_name, assigned_unit_id, "
    "assigned_path, supervising_group_id, routing_rule, duplicate_of, rework_count, "
    "escalation_level, extension_pending, extension_request, parked_from, park_review_date, "
    "notice_id, timer_stage, timer_unit, timer_budget, timer_consumed, timer_running_since, "
    "deadline_at, deadline_estimated, warned_percent, overdue, next_check_at, search_terms, "
    "reported_at, filed_at, dispatched_at, rectified_at, closed_at, updated_at, version, "
    "original_no, import_source, recurrence_of, recurrence_unit_id";
constexpr int kColumnCount = 50;

Value opt_i(const std::optional<std::int64_t>& v) { return v ? Value(*v) : Value(nullptr); }
Value opt_d(const std::optional<double>& v) { return v ? Value(*v) : Value(nullptr); }
Value opt_s(const std::optional<std::string>& v) { return v ? Value(*v) : Value(nullptr); }
std::optional<double> get_opt_d(const Row& r, std::size_t i) {
  if (r.is_null(i)) return std::nullopt;
  return r.get_double(i);
}

// The extension request column: {"amount":3,"unit":"working_days","reason":"…",
// "requested_at":"2026-12-03T01:00:00Z"}, the layout rows written before it was typed also have.
// A value that does not parse is kept as no request rather than thrown at the reader.
std::string encode_extension_request(const cases::ExtensionRequest& e) {
  return json::serialize(json::object{{"amount", e.amount},
                                      {"unit", calendar::to_string(e.unit)},
                                      {"reason", e.reason},
                                      {"requested_at", format_iso_utc(e.requested_at)}});
}

std::optional<cases::ExtensionRequest> decode_extension_request(const std::string& text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto& o = v.as_object();
  cases::ExtensionRequest e;
  if (const auto* a = o.if_contains("amount"); a != nullptr && a->is_int64()) {
    e.amount = static_cast<int>(a->as_int64());
  } else {
    return std::nullopt;
  }
  if (const auto* u = o.if_contains("unit"); u != nullptr && u->is_string()) {
    e.unit = calendar::parse_limit_unit(u->as_string()).value_or(calendar::LimitUnit::kWorkingDays);
  }
  if (const auto* r = o.if_contains("reason"); r != nullptr && r->is_string()) {
    e.reason = std::string(r->as_string());
  }
  if (const auto* t = o.if_contains("requested_at"); t != nullptr && t->is_string()) {
    e.requested_at = parse_iso_utc(t->as_string()).value_or(0);
  }
  return e;
}

cases::Record from_row(const Row& r) {
  cases::Record c;
  std::size_t i = 0;
  c.id = r.get_int(i++);
  c.case_no = r.get_text(i++);
  c.state = cases::parse_state(r.get_text(i++)).value_or(cases::State::kReported);
  c.source = cases::parse_source(r.get_text(i++)).value_or(cases::Source::kCitizen);
  c.category_code = r.get_text(i++);
  c.title = r.get_text(i++);
  c.description = r.get_text(i++);
  c.address = r.get_text(i++);
  c.lat = get_opt_d(r, i++);
  c.lng = get_opt_d(r, i++);
  c.grid_id = r.get_opt_int(i++);
  c.community_id = r.get_opt_int(i++);
  c.subdistrict_id = r.get_opt_int(i++);
  c.area_path = r.get_text(i++);
  c.reporter_user_id = r.get_opt_int(i++);
  c.reporter_name = r.get_text(i++);
  c.assigned_unit_id = r.get_opt_int(i++);
  c.assigned_path = r.get_opt_text(i++);
  c.supervising_group_id = r.get_opt_int(i++);
  c.routing_rule = r.get_opt_text(i++);
  c.duplicate_of = r.get_opt_int(i++);
  c.rework_count = static_cast<int>(r.get_int(i++));
  c.escalation_level = static_cast<int>(r.get_int(i++));
  c.extension_pending = r.get_bool(i++);
  if (auto text = r.get_opt_text(i++)) c.extension_request = decode_extension_request(*text);
  if (auto p = r.get_opt_text(i++)) c.parked_from = cases::parse_state(*p);
  c.park_review_date = r.get_opt_text(i++);
  c.notice_id = r.get_opt_int(i++);
  auto stage = r.get_opt_text(i++);
  auto unit = r.get_opt_text(i++);
  auto budget = r.get_opt_int(i++);
  auto consumed = r.get_opt_int(i++);
  auto running = r.get_opt_int(i++);
  auto deadline = r.get_opt_int(i++);
  const bool estimated = r.get_bool(i++);
  const int warned = static_cast<int>(r.get_int(i++));
  if (stage && unit) {
    cases::Timer t;
    t.stage = cases::parse_stage(*stage).value_or(cases::Stage::kRectify);
    t.unit = calendar::parse_limit_unit(*unit).value_or(calendar::LimitUnit::kWorkingDays);
    t.budget = budget.value_or(0);
    t.consumed = consumed.value_or(0);
    t.running_since = running;
    t.deadline = deadline.value_or(0);
    t.estimated = estimated;
    t.warned_percent = warned;
    c.timer = t;
  }
  c.overdue = r.get_bool(i++);
  c.next_check_at = r.get_opt_int(i++);
  c.search_terms = r.get_text(i++);
  c.reported_at = r.get_int(i++);
  c.filed_at = r.get_opt_int(i++);
  c.dispatched_at = r.get_opt_int(i++);
  c.rectified_at = r.get_opt_int(i++);
  c.closed_at = r.get_opt_int(i++);
  c.updated_at = r.get_int(i++);
  c.version = static_cast<int>(r.get_int(i++));
  c.original_no = r.get_opt_text(i++);
  c.import_source = r.get_opt_text(i++);
  c.recurrence_of = r.get_opt_int(i++);
  c.recurrence_unit_id = r.get_opt_int(i++);
  return c;
}

// Every column's value in kColumns order.
std::vector<Value> values(const cases::Record& c) {
  const auto& t = c.timer;
  std::vector<Value> v{
      c.id,
      c.case_no,
      std::string(cases::to_string(c.state)),
      std::string(cases::to_string(c.source)),
      c.category_code,
      c.title,
      c.description,
      c.address,
      opt_d(c.lat),
      opt_d(c.lng),
      opt_i(c.grid_id),
      opt_i(c.community_id),
      opt_i(c.subdistrict_id),
      c.area_path,
      opt_i(c.reporter_user_id),
      c.reporter_name,
      opt_i(c.assigned_unit_id),
      opt_s(c.assigned_path),
      opt_i(c.supervising_group_id),
      opt_s(c.routing_rule),
      opt_i(c.duplicate_of),
      static_cast<std::int64_t>(c.rework_count),
      static_cast<std::int64_t>(c.escalation_level),
      static_cast<std::int64_t>(c.extension_pending),
      c.extension_request ? Value(encode_extension_request(*c.extension_request)) : Value(nullptr),
      c.parked_from ? Value(std::string(cases::to_string(*c.parked_from))) : Value(nullptr),
      opt_s(c.park_review_date),
      opt_i(c.notice_id),
      t ? Value(std::string(cases::to_string(t->stage))) : Value(nullptr),
      t ? Value(std::string(calendar::to_string(t->unit))) : Value(nullptr),
      t ? Value(t->budget) : Value(nullptr),
      t ? Value(t->consumed) : Value(nullptr),
      t && t->running_since ? Value(*t->running_since) : Value(nullptr),
      t ? Value(t->deadline) : Value(nullptr),
      static_cast<std::int64_t>(t && t->estimated),
      static_cast<std::int64_t>(t ? t->warned_percent : 0),
      static_cast<std::int64_t>(c.overdue),
      opt_i(c.next_check_at),
      c.search_terms,
      c.reported_at,
      opt_i(c.filed_at),
      opt_i(c.dispatched_at),
      opt_i(c.rectified_at),
      opt_i(c.closed_at),
      c.updated_at,
      static_cast<std::int64_t>(c.version),
      opt_s(c.original_no),
      opt_s(c.import_source),
      opt_i(c.recurrence_of),
      opt_i(c.recurrence_unit_id),
  };
  return v;
}

std::int64_t fts_rowid(std::int64_t tenant, std::int64_t id) { return (tenant << 40) + id; }

// The derived cell key (migration 0006), written beside kColumns: NULL without a point.
Value cell_value(const cases::Record& c) {
  return c.lat && c.lng ? Value(geo::cell_of(*c.lat, *c.lng)) : Value(nullptr);
}

}  // namespace

void CaseRepo::write_search(const cases::Record& r, bool replace) {
  if (c_.dialect() != Dialect::kSqlite) return;  // PostgreSQL indexes the column itself
  // At the end of a group-commit batch (Connection::execute_at_batch_end): one FTS5 flush per
  // commit, not one per job's savepoint. Nothing reads the index back inside a batch.
  if (replace) {
    c_.execute_at_batch_end("DELETE FROM case_fts WHERE rowid = ?", {fts_rowid(tenant_, r.id)});
  }
  c_.execute_at_batch_end("INSERT INTO case_fts (rowid, terms) VALUES (?, ?)",
                          {fts_rowid(tenant_, r.id), r.search_terms});
}

void CaseRepo::insert(const cases::Record& r) {
  std::string sql = std::string("INSERT INTO cases (tenant_id, ") + kColumns + ", cell) VALUES (?";
  for (int i = 0; i < kColumnCount + 1; ++i) sql += ", ?";
  sql += ")";
  auto v = values(r);
  v.insert(v.begin(), tenant_);
  v.push_back(cell_value(r));
  c_.execute(sql, v);
  write_search(r, false);
}

namespace {

// The names of kColumns, in order.
const std::vector<std::string>& column_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    const std::string cols = kColumns;
    for (std::size_t start = 0; start < cols.size();) {
      auto end = cols.find(',', start);
      if (end == std::string::npos) end = cols.size();
      auto name = cols.substr(start, end - start);
      while (!name.empty() && name.front() == ' ') name.erase(0, 1);
      out.push_back(name);
      start = end + 1;
    }
    return out;
  }();
  return names;
}

}  // namespace

bool CaseRepo::update(const cases::Record& r, int expected_version, bool reindex) {
  // SET every column but id from the same list, so insert and update cannot drift apart. The
  // text is made once.
  static const std::string sql = [] {
    std::string out = "UPDATE cases SET ";
    const auto& names = column_names();
    for (std::size_t i = 1; i < names.size(); ++i) {  // skip id, the first
      if (i > 1) out += ", ";
      out += names[i] + " = ?";
    }
    return out + ", cell = ? WHERE tenant_id = ? AND id = ? AND version = ?";
  }();
  auto v = values(r);
  std::vector<Value> params;
  params.reserve(v.size() + 3);
  for (std::size_t i = 1; i < v.size(); ++i) params.push_back(std::move(v[i]));
  params.push_back(cell_value(r));
  params.emplace_back(tenant_);
  params.emplace_back(r.id);
  params.emplace_back(static_cast<std::int64_t>(expected_version));
  if (c_.execute(sql, params) != 1) return false;
  if (reindex) write_search(r, true);
  return true;
}

bool CaseRepo::update_changed(const cases::Record& r, const cases::Record& stored, bool reindex) {
  // Only the columns whose values differ: the database then rewrites only the indexes on them
  // (an UPDATE naming every column rewrites all thirteen of them, for a sweep that changed a
  // timer and a version).
  const auto& names = column_names();
  auto v = values(r);
  const auto s = values(stored);
  std::string sql = "UPDATE cases SET ";
  std::vector<Value> params;
  for (std::size_t i = 1; i < v.size(); ++i) {  // id never changes
    if (v[i] == s[i]) continue;
    if (!params.empty()) sql += ", ";
    sql += names[i] + " = ?";
    params.push_back(std::move(v[i]));
  }
  if (params.empty()) return update(r, stored.version, reindex);
  if (auto cell = cell_value(r); cell != cell_value(stored)) {
    sql += ", cell = ?";
    params.push_back(std::move(cell));
  }
  sql += " WHERE tenant_id = ? AND id = ? AND version = ?";
  params.emplace_back(tenant_);
  params.emplace_back(r.id);
  params.emplace_back(static_cast<std::int64_t>(stored.version));
  if (c_.execute(sql, params) != 1) return false;
  if (reindex) write_search(r, true);
  return true;
}

std::optional<cases::Record> CaseRepo::find(std::int64_t id) {
  auto rows =
      c_.query(std::string("SELECT ") + kColumns + " FROM cases WHERE tenant_id = ? AND id = ?",
               {tenant_, id});
  if (rows.empty()) return std::nullopt;
  return from_row(rows[0]);
}

std::vector<cases::Record> CaseRepo::page_by_id(std::int64_t after_id, int limit) {
  std::vector<cases::Record> out;
  for (const auto& r :
       c_.query(std::string("SELECT ") + kColumns +
                    " FROM cases WHERE tenant_id = ? AND id > ? ORDER BY id LIMIT ?",
                {tenant_, after_id, static_cast<std::int64_t>(limit)})) {
    out.push_back(from_row(r));
  }
  return out;
}

std::optional<cases::Record> CaseRepo::find_by_no(std::string_view case_no) {
  auto rows = c_.query(
      std::string("SELECT ") + kColumns + " FROM cases WHERE tenant_id = ? AND case_no = ?",
      {tenant_, std::string(case_no)});
  if (rows.empty()) return std::nullopt;
  return from_row(rows[0]);
}

std::vector<cases::Record> CaseRepo::list(const CaseQuery& q) {
  // The filters, on the cases table's own columns.
  std::string where;
  std::vector<Value> wp;
  if (!q.states.empty()) {
    where += " AND state IN (";
    for (std::size_t i = 0; i < q.states.size(); ++i) {
      where += i == 0 ? "?" : ", ?";
      wp.emplace_back(std::string(cases::to_string(q.states[i])));
    }
    where += ")";
  } else if (q.open_only) {
    where += " AND state NOT IN ('closed', 'voided', 'duplicate')";
  }
  auto eq = [&](const char* col, const std::optional<std::int64_t>& v) {
    if (!v) return;
    where += std::string(" AND ") + col + " = ?";
    wp.emplace_back(*v);
  };
  eq("assigned_unit_id", q.assigned_unit_id);
  eq("subdistrict_id", q.subdistrict_id);
  eq("community_id", q.community_id);
  eq("grid_id", q.grid_id);
  eq("reporter_user_id", q.reporter_user_id);
  eq("recurrence_unit_id", q.recurrence_unit_id);
  eq("supervising_group_id", q.supervising_group_id);
  if (q.recurrence) where += " AND recurrence_of IS NOT NULL";
  if (q.category) {
    if (q.category->size() <= 2) {
      where += " AND category_code LIKE ? ESCAPE '\\'";  // a class: its code is a prefix
      wp.emplace_back(sql::prefix_pattern(*q.category));
    } else {
      where += " AND category_code = ?";
      wp.emplace_back(*q.category);
    }
  }
  if (q.source) {
    where += " AND source = ?";
    wp.emplace_back(std::string(cases::to_string(*q.source)));
  }
  if (q.reported_from || q.reported_to) {
    const Millis from = q.reported_from.value_or(std::numeric_limits<Millis>::min());
    const Millis to = q.reported_to.value_or(std::numeric_limits<Millis>::max());
    where += " AND reported_at >= ? AND reported_at < ?";
    wp.emplace_back(from);
    wp.emplace_back(to);
  }
  if (q.overdue) {
    where += " AND overdue = ?";
    wp.emplace_back(static_cast<std::int64_t>(*q.overdue));
  }
  if (q.escalated)
    where += *q.escalated ? " AND escalation_level > 0" : " AND escalation_level = 0";
  if (q.dispatched_from || q.dispatched_to) {
    where += " AND dispatched_at >= ? AND dispatched_at < ?";
    wp.emplace_back(q.dispatched_from.value_or(std::numeric_limits<Millis>::min()));
    wp.emplace_back(q.dispatched_to.value_or(std::numeric_limits<Millis>::max()));
  }
  if (q.closed_from || q.closed_to) {
    where += " AND closed_at >= ? AND closed_at < ?";
    wp.emplace_back(q.closed_from.value_or(std::numeric_limits<Millis>::min()));
    wp.emplace_back(q.closed_to.value_or(std::numeric_limits<Millis>::max()));
  }
  sql::scope_filter(where, wp, q.scope, {"assigned_path", "area_path"});
  const bool by_reported = q.by_reported_at();
  if (by_reported && q.before_id) {
    // A date window pages on (reported_at, id), read backwards from cases_reported (tenant_id,
    // reported_at, id) and stopped at the page: no sort of the window. A cursor of an id alone
    // (a page asked for before cursors carried the time) continues from that case's time.
    std::optional<Millis> at = q.before_reported_at;
    if (!at) {
      auto rows = c_.query("SELECT reported_at FROM cases WHERE tenant_id = ? AND id = ?",
                           {tenant_, *q.before_id});
      if (!rows.empty()) at = rows[0].get_int(0);
    }
    if (at) {
      where += " AND (reported_at, id) < (?, ?)";
      wp.emplace_back(*at);
      wp.emplace_back(*q.before_id);
    } else {
      where += " AND id < ?";
      wp.emplace_back(*q.before_id);
    }
  } else if (q.before_id) {
    where += " AND id < ?";
    wp.emplace_back(*q.before_id);
  }

  std::string query;
  std::vector<Value> p;
  if (!q.terms.empty() && c_.dialect() == Dialect::kSqlite) {
    // Driven from the full-text index, newest first, so that a common term (垃圾) reads only as
    // many matches as the page needs instead of collecting every match first.
    std::string match;
    for (const auto& t : q.terms) {
      if (!match.empty()) match += " AND ";
      match += "\"" + t + "\"";  // terms hold letters only (domain/search.cpp)
    }
    query = std::string("SELECT ") + kColumns +
            " FROM case_fts JOIN cases ON cases.tenant_id = ? AND cases.id = case_fts.rowid - ? "
            "WHERE case_fts MATCH ? AND case_fts.rowid >= ? AND case_fts.rowid < ?" +
            where + " ORDER BY case_fts.rowid DESC LIMIT ?";
    p = {tenant_, fts_rowid(tenant_, 0), match, fts_rowid(tenant_, 0), fts_rowid(tenant_ + 1, 0)};
  } else {
    query = std::string("SELECT ") + kColumns + " FROM cases WHERE tenant_id = ?";
    p = {tenant_};
    if (!q.terms.empty()) {
      std::string terms;
      for (const auto& t : q.terms) {
        if (!terms.empty()) terms += ' ';
        terms += t;
      }
      query += " AND string_to_array(search_terms, ' ') @> string_to_array(CAST(? AS TEXT), ' ')";
      p.emplace_back(terms);
    }
    query += where + (by_reported ? " ORDER BY reported_at DESC, id DESC LIMIT ?"
                                  : " ORDER BY id DESC LIMIT ?");
  }
  p.insert(p.end(), wp.begin(), wp.end());
  p.emplace_back(static_cast<std::int64_t>(q.limit));
  std::vector<cases::Record> out;
  for (const auto& r : c_.query(query, p)) out.push_back(from_row(r));
  return out;
}

std::vector<cases::Record> CaseRepo::open_near(std::string_view category, double lat, double lng,
                                               double radius_m, int limit) {
  // The cells around the point (3 x 3 at the preset's radius), the newest `limit` open cases of
  // each from the partial index cases_open_cell, in one statement: at most 9 x limit rows
  // whatever the number of cases at one spot. The nearest `limit` of them by distance are kept;
  // the caller checks the radius exactly.
  const auto cells = geo::cells_near(lat, lng, radius_m);
  std::string sql;
  std::vector<Value> p;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) sql += " UNION ALL ";
    sql += std::string("SELECT * FROM (SELECT ") + kColumns +
           " FROM cases WHERE tenant_id = ? AND category_code = ? AND cell = ? AND state NOT IN "
           "('closed', 'voided', 'duplicate') ORDER BY id DESC LIMIT ?) c" +
           std::to_string(i);
    p.insert(p.end(), {tenant_, std::string(category), cells[i], static_cast<std::int64_t>(limit)});
  }
  std::vector<std::pair<double, cases::Record>> found;
  for (const auto& r : c_.query(sql, p)) {
    auto c = from_row(r);
    if (!c.lat || !c.lng) continue;
    found.emplace_back(cases::distance_m(lat, lng, *c.lat, *c.lng), std::move(c));
  }
  std::stable_sort(found.begin(), found.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  if (found.size() > static_cast<std::size_t>(limit)) found.resize(static_cast<std::size_t>(limit));
  std::vector<cases::Record> out;
  for (auto& [d, c] : found) out.push_back(std::move(c));
  return out;
}

std::vector<CaseRepo::Near> CaseRepo::open_near_brief(std::string_view category, double lat,
                                                      double lng, double radius_m, int limit) {
  // As open_near, with eleven columns instead of every one.
  const auto cells = geo::cells_near(lat, lng, radius_m);
  std::string sql;
  std::vector<Value> p;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) sql += " UNION ALL ";
    sql +=
        "SELECT * FROM (SELECT id, case_no, state, title, address, lat, lng, area_path, "
        "assigned_path, reporter_user_id, reported_at FROM cases WHERE tenant_id = ? AND "
        "category_code = ? AND cell = ? AND state NOT IN ('closed', 'voided', 'duplicate') "
        "ORDER BY id DESC LIMIT ?) c" +
        std::to_string(i);
    p.insert(p.end(), {tenant_, std::string(category), cells[i], static_cast<std::int64_t>(limit)});
  }
  std::vector<Near> found;
  for (const auto& r : c_.query(sql, p)) {
    if (r.is_null(5) || r.is_null(6)) continue;
    Near n;
    n.id = r.get_int(0);
    n.case_no = r.get_text(1);
    n.state = cases::parse_state(r.get_text(2)).value_or(cases::State::kReported);
    n.title = r.get_text(3);
    n.address = r.get_text(4);
    n.lat = r.get_double(5);
    n.lng = r.get_double(6);
    n.area_path = r.get_text(7);
    n.assigned_path = r.get_opt_text(8);
    n.reporter_user_id = r.get_opt_int(9);
    n.reported_at = r.get_int(10);
    n.distance_m = cases::distance_m(lat, lng, n.lat, n.lng);
    found.push_back(std::move(n));
  }
  std::stable_sort(found.begin(), found.end(),
                   [](const Near& a, const Near& b) { return a.distance_m < b.distance_m; });
  if (found.size() > static_cast<std::size_t>(limit)) found.resize(static_cast<std::size_t>(limit));
  return found;
}

std::optional<CaseRepo::Closed> CaseRepo::closed_near(std::string_view category, double lat,
                                                      double lng, double radius_m, Millis since) {
  constexpr std::int64_t kPerCell = 4;  // a few, in case the newest of a cell is beyond the radius
  const auto cells = geo::cells_near(lat, lng, radius_m);
  std::string sql;
  std::vector<Value> p;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) sql += " UNION ALL ";
    sql +=
        "SELECT * FROM (SELECT id, assigned_unit_id, closed_at, lat, lng FROM cases WHERE "
        "tenant_id = ? AND category_code = ? AND cell = ? AND state = 'closed' AND closed_at >= ? "
        "ORDER BY closed_at DESC LIMIT ?) c" +
        std::to_string(i);
    p.insert(p.end(), {tenant_, std::string(category), cells[i], since, kPerCell});
  }
  std::optional<Closed> best;
  for (const auto& r : c_.query(sql, p)) {
    if (r.is_null(3) || r.is_null(4) || r.is_null(2)) continue;
    const double d = cases::distance_m(lat, lng, r.get_double(3), r.get_double(4));
    if (d > radius_m) continue;
    const Millis at = r.get_int(2);
    if (best && (best->closed_at > at || (best->closed_at == at && best->id > r.get_int(0)))) {
      continue;
    }
    best = Closed{r.get_int(0), r.get_opt_int(1), at, d};
  }
  return best;
}

std::vector<std::tuple<std::int64_t, int, int>> CaseRepo::open_counts_by_unit() {
  std::vector<std::tuple<std::int64_t, int, int>> out;
  // Kept by triggers on cases (migration 0006); rows of units left with no case are skipped.
  for (const auto& r :
       c_.query("SELECT unit_id, open_cases, overdue_cases FROM case_unit_counts WHERE "
                "tenant_id = ? AND (open_cases <> 0 OR overdue_cases <> 0) ORDER BY unit_id",
                {tenant_})) {
    out.emplace_back(r.get_int(0), static_cast<int>(r.get_int(1)), static_cast<int>(r.get_int(2)));
  }
  return out;
}

std::vector<cases::Record> CaseRepo::find_many(const std::vector<std::int64_t>& ids) {
  std::vector<cases::Record> out;
  constexpr std::size_t kChunk = 500;  // well under both backends' limits on parameters
  for (std::size_t at = 0; at < ids.size(); at += kChunk) {
    const auto n = std::min(kChunk, ids.size() - at);
    std::string sql =
        std::string("SELECT ") + kColumns + " FROM cases WHERE tenant_id = ? AND id IN (";
    std::vector<Value> p{tenant_};
    for (std::size_t i = 0; i < n; ++i) {
      sql += i == 0 ? "?" : ", ?";
      p.emplace_back(ids[at + i]);
    }
    sql += ") ORDER BY id";
    for (const auto& r : c_.query(sql, p)) out.push_back(from_row(r));
  }
  return out;
}

std::vector<CaseRepo::Due> CaseRepo::due(Millis now, int limit) {
  std::vector<Due> out;
  for (const auto& r : c_.query("SELECT tenant_id, id FROM cases WHERE next_check_at IS NOT NULL "
                                "AND next_check_at <= ? ORDER BY next_check_at LIMIT ?",
                                {now, static_cast<std::int64_t>(limit)})) {
    out.push_back({r.get_int(0), r.get_int(1)});
  }
  return out;
}

namespace {
constexpr const char* kAttachmentColumns =
    "id, case_id, stage, content_type, size, sha256, width, height, lat, lng, taken_at, flags, "
    "uploaded_by, uploaded_at";

Attachment attachment_from(const Row& r) {
  Attachment a;
  a.id = r.get_int(0);
  a.case_id = r.get_int(1);
  a.stage = r.get_text(2);
  a.content_type = r.get_text(3);
  a.size = r.get_int(4);
  a.sha256 = r.get_text(5);
  a.width = static_cast<int>(r.get_int(6));
  a.height = static_cast<int>(r.get_int(7));
  a.lat = get_opt_d(r, 8);
  a.lng = get_opt_d(r, 9);
  a.taken_at = r.get_opt_int(10);
  a.flags = r.get_text(11);
  a.uploaded_by = r.get_opt_int(12);
  a.uploaded_at = r.get_int(13);
  return a;
}
}  // namespace

void CaseRepo::insert_attachment(const Attachment& a) {
  c_.execute(std::string("INSERT INTO attachments (tenant_id, ") + kAttachmentColumns +
                 ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
             {tenant_, a.id, a.case_id, a.stage, a.content_type, a.size, a.sha256,
              static_cast<std::int64_t>(a.width), static_cast<std::int64_t>(a.height), opt_d(a.lat),
              opt_d(a.lng), opt_i(a.taken_at), a.flags, opt_i(a.uploaded_by), a.uploaded_at});
}

std::vector<Attachment> CaseRepo::attachments_of(std::int64_t case_id) {
  std::vector<Attachment> out;
  for (const auto& r :
       c_.query(std::string("SELECT ") + kAttachmentColumns +
                    " FROM attachments WHERE tenant_id = ? AND case_id = ? ORDER BY id",
                {tenant_, case_id})) {
    out.push_back(attachment_from(r));
  }
  return out;
}

std::vector<Attachment> CaseRepo::attachments_of_cases(const std::vector<std::int64_t>& case_ids,
                                                       std::string_view stage) {
  std::vector<Attachment> out;
  constexpr std::size_t kChunk = 500;  // well under both backends' limits on parameters
  for (std::size_t at = 0; at < case_ids.size(); at += kChunk) {
    const auto n = std::min(kChunk, case_ids.size() - at);
    std::string sql = std::string("SELECT ") + kAttachmentColumns +
                      " FROM attachments WHERE tenant_id = ? AND stage = ? AND case_id IN (";
    std::vector<Value> p{tenant_, std::string(stage)};
    for (std::size_t i = 0; i < n; ++i) {
      sql += i == 0 ? "?" : ", ?";
      p.emplace_back(case_ids[at + i]);
    }
    sql += ") ORDER BY case_id, id";
    for (const auto& r : c_.query(sql, p)) out.push_back(attachment_from(r));
  }
  return out;
}

std::optional<Attachment> CaseRepo::find_attachment(std::int64_t id) {
  auto rows = c_.query(std::string("SELECT ") + kAttachmentColumns +
                           " FROM attachments WHERE tenant_id = ? AND id = ?",
                       {tenant_, id});
  if (rows.empty()) return std::nullopt;
  return attachment_from(rows[0]);
}

std::vector<Attachment> CaseRepo::attachments_page(std::int64_t after_id, int limit) {
  std::vector<Attachment> out;
  for (const auto& r : c_.query(std::string("SELECT ") + kAttachmentColumns +
                                    " FROM attachments WHERE tenant_id = ? AND id > ? "
                                    "ORDER BY id LIMIT ?",
                                {tenant_, after_id, static_cast<std::int64_t>(limit)})) {
    out.push_back(attachment_from(r));
  }
  return out;
}

int CaseRepo::next_notice_seq(std::string_view kind, int year) {
  return static_cast<int>(
      next_id(c_, tenant_, "notice:" + std::string(kind) + ":" + std::to_string(year)));
}

void CaseRepo::insert_notice(const Notice& n) {
  c_.execute(
      "INSERT INTO notices (tenant_id, id, kind, year, seq, number, unit_id, requirement, "
      "deadline_at, issued_by, issued_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {tenant_, n.id, n.kind, static_cast<std::int64_t>(n.year), static_cast<std::int64_t>(n.seq),
       n.number, n.unit_id, n.requirement, opt_i(n.deadline_at), opt_i(n.issued_by), n.issued_at});
  for (const auto id : n.case_ids) {
    c_.execute("INSERT INTO notice_cases (tenant_id, notice_id, case_id) VALUES (?, ?, ?)",
               {tenant_, n.id, id});
  }
}

namespace {
// The last column says whether the notice is open: one of its cases is not finished yet.
constexpr const char* kNoticeColumns =
    "n.id, n.kind, n.year, n.seq, n.number, n.unit_id, n.requirement, n.deadline_at, n.issued_by, "
    "n.issued_at, CASE WHEN EXISTS (SELECT 1 FROM notice_cases nc JOIN cases c ON "
    "c.tenant_id = nc.tenant_id AND c.id = nc.case_id WHERE nc.tenant_id = n.tenant_id AND "
    "nc.notice_id = n.id AND c.state NOT IN ('closed', 'voided', 'duplicate')) THEN 1 ELSE 0 END";
Notice notice_from(const Row& r) {
  Notice n;
  n.id = r.get_int(0);
  n.kind = r.get_text(1);
  n.year = static_cast<int>(r.get_int(2));
  n.seq = static_cast<int>(r.get_int(3));
  n.number = r.get_text(4);
  n.unit_id = r.get_int(5);
  n.requirement = r.get_text(6);
  n.deadline_at = r.get_opt_int(7);
  n.issued_by = r.get_opt_int(8);
  n.issued_at = r.get_int(9);
  n.open = r.get_int(10) != 0;
  return n;
}
}  // namespace

std::optional<Notice> CaseRepo::find_notice(std::int64_t id) {
  auto rows = c_.query(std::string("SELECT ") + kNoticeColumns +
                           " FROM notices n WHERE n.tenant_id = ? AND n.id = ?",
                       {tenant_, id});
  if (rows.empty()) return std::nullopt;
  auto n = notice_from(rows[0]);
  for (const auto& r : c_.query("SELECT case_id FROM notice_cases WHERE tenant_id = ? AND "
                                "notice_id = ? ORDER BY case_id",
                                {tenant_, id})) {
    n.case_ids.push_back(r.get_int(0));
  }
  return n;
}

std::vector<Notice> CaseRepo::list_notices(std::optional<std::int64_t> unit_id, bool open_only,
                                           const access::Scope* scope, int limit,
                                           std::optional<std::int64_t> before_id) {
  std::string sql = std::string("SELECT ") + kNoticeColumns +
                    " FROM notices n JOIN org_units u ON u.tenant_id = n.tenant_id AND "
                    "u.id = n.unit_id WHERE n.tenant_id = ?";
  std::vector<Value> p{tenant_};
  if (unit_id) {
    sql += " AND n.unit_id = ?";
    p.emplace_back(*unit_id);
  }
  if (open_only) {
    // A notice is open while one of its cases is not finished.
    sql +=
        " AND EXISTS (SELECT 1 FROM notice_cases nc JOIN cases c ON c.tenant_id = nc.tenant_id "
        "AND c.id = nc.case_id WHERE nc.tenant_id = n.tenant_id AND nc.notice_id = n.id AND "
        "c.state NOT IN ('closed', 'voided', 'duplicate'))";
  }
  sql::scope_filter(sql, p, scope, {"u.path"});
  if (before_id) {
    sql += " AND n.id < ?";
    p.emplace_back(*before_id);
  }
  sql += " ORDER BY n.id DESC LIMIT ?";
  p.emplace_back(static_cast<std::int64_t>(limit));
  std::vector<Notice> out;
  for (const auto& r : c_.query(sql, p)) out.push_back(notice_from(r));
  for (auto& n : out) {
    for (const auto& r : c_.query("SELECT case_id FROM notice_cases WHERE tenant_id = ? AND "
                                  "notice_id = ? ORDER BY case_id",
                                  {tenant_, n.id})) {
      n.case_ids.push_back(r.get_int(0));
    }
  }
  return out;
}

bool CaseRepo::attachment_file_in_use(std::string_view sha256) {
  return !c_.query("SELECT 1 FROM attachments WHERE tenant_id = ? AND sha256 = ? LIMIT 1",
                   {tenant_, std::string(sha256)})
              .empty();
}

}  // namespace civicloop::storage
