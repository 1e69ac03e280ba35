#include "storage/org_repo.hpp"

#include "storage/sql_util.hpp"

#include <charconv>

namespace civicloop::storage {

namespace {

constexpr const char* kUnitColumns =
    "id, parent_id, kind, code, name, name_en, duties, boundary, sort_order, is_demo, retired, "
    "path, version, created_at, updated_at";

org::Unit unit_from(const Row& r) {
  org::Unit u;
  u.id = r.get_int(0);
  u.parent_id = r.get_opt_int(1);
  u.kind = org::parse_unit_kind(r.get_text(2)).value_or(org::UnitKind::kEnterprise);
  u.code = r.get_opt_text(3);
  u.name = r.get_text(4);
  u.name_en = r.get_opt_text(5);
  u.duties = r.get_text(6);
  u.boundary_geojson = r.get_opt_text(7);
  u.sort_order = static_cast<int>(r.get_int(8));
  u.is_demo = r.get_bool(9);
  u.retired = r.get_bool(10);
  u.path = r.get_text(11);
  u.version = static_cast<int>(r.get_int(12));
  u.created_at = r.get_int(13);
  u.updated_at = r.get_int(14);
  return u;
}

constexpr const char* kPersonColumns = "id, name, phone, title, is_demo, retired, version";

org::Person person_from(const Row& r) {
  org::Person p;
  p.id = r.get_int(0);
  p.name = r.get_text(1);
  p.phone = r.get_opt_text(2);
  p.title = r.get_opt_text(3);
  p.is_demo = r.get_bool(4);
  p.retired = r.get_bool(5);
  p.version = static_cast<int>(r.get_int(6));
  return p;
}

Value opt(const std::optional<std::string>& v) { return v ? Value(*v) : Value(nullptr); }

constexpr const char* kMembershipSelect =
    "SELECT m.id, m.person_id, m.unit_id, m.post_code, m.is_head, p.name, u.name, u.path, "
    "po.name, po.name_en FROM memberships m "
    "JOIN people p ON p.tenant_id = m.tenant_id AND p.id = m.person_id "
    "JOIN org_units u ON u.tenant_id = m.tenant_id AND u.id = m.unit_id "
    "JOIN posts po ON po.tenant_id = m.tenant_id AND po.code = m.post_code "
    "WHERE m.tenant_id = ?";

MembershipView membership_from(const Row& r) {
  MembershipView v;
  v.m.id = r.get_int(0);
  v.m.person_id = r.get_int(1);
  v.m.unit_id = r.get_int(2);
  v.m.post_code = r.get_text(3);
  v.m.is_head = r.get_bool(4);
  v.person_name = r.get_text(5);
  v.unit_name = r.get_text(6);
  v.unit_path = r.get_text(7);
  v.post_name = r.get_text(8);
  v.post_name_en = r.get_text(9);
  return v;
}

constexpr const char* kLiaisonSelect =
    "SELECT l.id, l.unit_id, l.leader_id, u.name, u.path, p.name FROM liaisons l "
    "JOIN org_units u ON u.tenant_id = l.tenant_id AND u.id = l.unit_id "
    "JOIN people p ON p.tenant_id = l.tenant_id AND p.id = l.leader_id "
    "WHERE l.tenant_id = ?";

LiaisonView liaison_from(const Row& r) {
  LiaisonView v;
  v.l.id = r.get_int(0);
  v.l.unit_id = r.get_int(1);
  v.l.leader_id = r.get_int(2);
  v.unit_name = r.get_text(3);
  v.unit_path = r.get_text(4);
  v.leader_name = r.get_text(5);
  return v;
}

template <class T, class F>
std::vector<T> map_rows(const std::vector<Row>& rows, F f) {
  std::vector<T> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(f(r));
  return out;
}

}  // namespace

std::string encode_cursor(const Cursor& c) {
  return std::to_string(c.key) + "." + std::to_string(c.id);
}

std::optional<Cursor> decode_cursor(std::string_view text) {
  const auto dot = text.find('.');
  if (dot == std::string_view::npos || text.size() > 45) return std::nullopt;
  Cursor c;
  auto r1 = std::from_chars(text.data(), text.data() + dot, c.key);
  auto r2 = std::from_chars(text.data() + dot + 1, text.data() + text.size(), c.id);
  if (r1.ec != std::errc() || r1.ptr != text.data() + dot || r2.ec != std::errc() ||
      r2.ptr != text.data() + text.size()) {
    return std::nullopt;
  }
  return c;
}

std::int64_t next_id(Connection& conn, std::int64_t tenant_id, std::string_view table) {
  auto rows = conn.query(
      "INSERT INTO id_counters (tenant_id, name, next_id) VALUES (?, ?, 1) "
      "ON CONFLICT (tenant_id, name) DO UPDATE SET next_id = id_counters.next_id + 1 "
      "RETURNING next_id",
      {tenant_id, std::string(table)});
  return rows.at(0).get_int(0);
}

std::int64_t next_ids(Connection& conn, std::int64_t tenant_id, std::string_view table,
                      std::int64_t n) {
  if (n <= 1) return next_id(conn, tenant_id, table);
  auto rows = conn.query(
      "INSERT INTO id_counters (tenant_id, name, next_id) VALUES (?, ?, ?) "
      "ON CONFLICT (tenant_id, name) DO UPDATE SET next_id = id_counters.next_id + ? "
      "RETURNING next_id",
      {tenant_id, std::string(table), n, n});
  return rows.at(0).get_int(0) - n + 1;
}

// ---- units ----

std::optional<org::Unit> OrgRepo::find_unit(org::Id id) {
  auto rows = c_.query(
      std::string("SELECT ") + kUnitColumns + " FROM org_units WHERE tenant_id = ? AND id = ?",
      {tenant_, id});
  if (rows.empty()) return std::nullopt;
  return unit_from(rows[0]);
}

std::optional<org::Unit> OrgRepo::find_unit_by_code(std::string_view code) {
  auto rows = c_.query(
      std::string("SELECT ") + kUnitColumns + " FROM org_units WHERE tenant_id = ? AND code = ?",
      {tenant_, std::string(code)});
  if (rows.empty()) return std::nullopt;
  return unit_from(rows[0]);
}

std::optional<org::Unit> OrgRepo::root() {
  auto rows = c_.query(std::string("SELECT ") + kUnitColumns +
                           " FROM org_units WHERE tenant_id = ? AND parent_id IS NULL "
                           "ORDER BY id LIMIT 1",
                       {tenant_});
  if (rows.empty()) return std::nullopt;
  return unit_from(rows[0]);
}

std::vector<org::Unit> OrgRepo::list_units(const UnitQuery& q) {
  std::string sql = std::string("SELECT ") + kUnitColumns + " FROM org_units WHERE tenant_id = ?";
  std::vector<Value> params{tenant_};
  if (q.kind) {
    sql += " AND kind = ?";
    params.emplace_back(std::string(org::to_string(*q.kind)));
  }
  if (q.parent_id) {
    sql += " AND parent_id = ?";
    params.emplace_back(*q.parent_id);
  }
  if (!q.include_retired) sql += " AND retired = 0";
  if (!q.q.empty()) {
    // Both sides go through the database's lower(): PostgreSQL folds more than ASCII, and a
    // pattern folded differently from the column would miss names with non-ASCII capitals.
    sql +=
        " AND (lower(name) LIKE lower(CAST(? AS TEXT)) ESCAPE '\\' "
        "OR lower(coalesce(name_en, '')) LIKE lower(CAST(? AS TEXT)) ESCAPE '\\' "
        "OR lower(coalesce(code, '')) LIKE lower(CAST(? AS TEXT)) ESCAPE '\\')";
    const auto p = sql::contains_pattern(q.q);
    params.emplace_back(p);
    params.emplace_back(p);
    params.emplace_back(p);
  }
  sql::scope_filter(sql, params, q.scope, {"path"});
  if (q.after) {
    sql += " AND (sort_order > ? OR (sort_order = ? AND id > ?))";
    params.emplace_back(q.after->key);
    params.emplace_back(q.after->key);
    params.emplace_back(q.after->id);
  }
  sql += " ORDER BY sort_order, id LIMIT ?";
  params.emplace_back(static_cast<std::int64_t>(q.limit));
  return map_rows<org::Unit>(c_.query(sql, params), unit_from);
}

std::vector<org::Unit> OrgRepo::units_by_ids(const std::vector<org::Id>& ids) {
  if (ids.empty()) return {};
  std::vector<Value> params{tenant_};
  for (auto id : ids) params.emplace_back(id);
  return map_rows<org::Unit>(c_.query(std::string("SELECT ") + kUnitColumns +
                                          " FROM org_units WHERE tenant_id = ? AND id IN " +
                                          sql::in_list(ids.size()) + " ORDER BY length(path), id",
                                      params),
                             unit_from);
}

std::vector<org::Unit> OrgRepo::all_units() {
  return map_rows<org::Unit>(
      c_.query(std::string("SELECT ") + kUnitColumns +
                   " FROM org_units WHERE tenant_id = ? ORDER BY length(path), sort_order, id",
               {tenant_}),
      unit_from);
}

int OrgRepo::count_active_children(org::Id id) {
  auto rows = c_.query(
      "SELECT count(*) FROM org_units WHERE tenant_id = ? AND parent_id = ? AND retired = 0",
      {tenant_, id});
  return static_cast<int>(rows.at(0).get_int(0));
}

std::map<org::Id, int> OrgRepo::count_active_children(const std::vector<org::Id>& ids) {
  std::map<org::Id, int> out;
  if (ids.empty()) return out;
  std::vector<Value> params{tenant_};
  for (auto id : ids) params.emplace_back(id);
  for (const auto& r : c_.query("SELECT parent_id, count(*) FROM org_units WHERE tenant_id = ? "
                                "AND retired = 0 AND parent_id IN " +
                                    sql::in_list(ids.size()) + " GROUP BY parent_id",
                                params)) {
    out[r.get_int(0)] = static_cast<int>(r.get_int(1));
  }
  return out;
}

int OrgRepo::count_children(org::Id id) {
  auto rows = c_.query("SELECT count(*) FROM org_units WHERE tenant_id = ? AND parent_id = ?",
                       {tenant_, id});
  return static_cast<int>(rows.at(0).get_int(0));
}

void OrgRepo::insert_unit(const org::Unit& u) {
  c_.execute(
      "INSERT INTO org_units (tenant_id, id, parent_id, kind, code, name, name_en, duties, "
      "boundary, sort_order, is_demo, retired, path, version, created_at, updated_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {tenant_, u.id, u.parent_id ? Value(*u.parent_id) : Value(nullptr),
       std::string(org::to_string(u.kind)), opt(u.code), u.name, opt(u.name_en), u.duties,
       opt(u.boundary_geojson), static_cast<std::int64_t>(u.sort_order),
       static_cast<std::int64_t>(u.is_demo), static_cast<std::int64_t>(u.retired), u.path,
       static_cast<std::int64_t>(u.version), u.created_at, u.updated_at});
}

bool OrgRepo::update_unit(const org::Unit& u, int expected_version) {
  return c_.execute(
             "UPDATE org_units SET code = ?, name = ?, name_en = ?, duties = ?, boundary = ?, "
             "sort_order = ?, retired = ?, is_demo = ?, version = version + 1, updated_at = ? "
             "WHERE tenant_id = ? AND id = ? AND version = ?",
             {opt(u.code), u.name, opt(u.name_en), u.duties, opt(u.boundary_geojson),
              static_cast<std::int64_t>(u.sort_order), static_cast<std::int64_t>(u.retired),
              static_cast<std::int64_t>(u.is_demo), u.updated_at, tenant_, u.id,
              static_cast<std::int64_t>(expected_version)}) == 1;
}

bool OrgRepo::move_unit(const org::Unit& unit, org::Id new_parent, const std::string& new_path,
                        int expected_version, Millis now) {
  if (c_.execute(
          "UPDATE org_units SET parent_id = ?, version = version + 1, updated_at = ? "
          "WHERE tenant_id = ? AND id = ? AND version = ?",
          {new_parent, now, tenant_, unit.id, static_cast<std::int64_t>(expected_version)}) != 1) {
    return false;
  }
  // Every path in the subtree starts with the old path: swap that prefix for the new one.
  c_.execute(
      "UPDATE org_units SET path = CAST(? AS TEXT) || substr(path, ?) WHERE tenant_id = ? AND path "
      "LIKE ? "
      "ESCAPE '\\'",
      {new_path, static_cast<std::int64_t>(unit.path.size() + 1), tenant_,
       sql::prefix_pattern(unit.path)});
  return true;
}

// ---- people ----

std::optional<org::Person> OrgRepo::find_person(org::Id id) {
  auto rows = c_.query(
      std::string("SELECT ") + kPersonColumns + " FROM people WHERE tenant_id = ? AND id = ?",
      {tenant_, id});
  if (rows.empty()) return std::nullopt;
  return person_from(rows[0]);
}

std::vector<org::Person> OrgRepo::list_people(const PersonQuery& q) {
  std::string sql = std::string("SELECT ") + kPersonColumns + " FROM people WHERE tenant_id = ?";
  std::vector<Value> params{tenant_};
  if (!q.include_retired) sql += " AND retired = 0";
  if (!q.q.empty()) {
    sql +=
        " AND (lower(name) LIKE lower(CAST(? AS TEXT)) ESCAPE '\\' "
        "OR lower(coalesce(phone, '')) LIKE lower(CAST(? AS TEXT)) ESCAPE '\\' "
        "OR lower(coalesce(title, '')) LIKE lower(CAST(? AS TEXT)) ESCAPE '\\')";
    const auto p = sql::contains_pattern(q.q);
    params.insert(params.end(), {p, p, p});
  }
  const bool scoped = q.scope != nullptr && !q.scope->all;
  if (q.unit_id || scoped) {
    // A person is in scope when one of their units is.
    sql +=
        " AND EXISTS (SELECT 1 FROM memberships m JOIN org_units u ON u.tenant_id = m.tenant_id "
        "AND u.id = m.unit_id WHERE m.tenant_id = people.tenant_id AND m.person_id = people.id";
    if (q.unit_id) {
      sql += " AND m.unit_id = ?";
      params.emplace_back(*q.unit_id);
    }
    sql::scope_filter(sql, params, q.scope, {"u.path"});
    sql += ")";
  }
  if (q.after) {
    sql += " AND id > ?";
    params.emplace_back(q.after->id);
  }
  sql += " ORDER BY id LIMIT ?";
  params.emplace_back(static_cast<std::int64_t>(q.limit));
  return map_rows<org::Person>(c_.query(sql, params), person_from);
}

std::vector<org::Person> OrgRepo::all_people() {
  return map_rows<org::Person>(c_.query(std::string("SELECT ") + kPersonColumns +
                                            " FROM people WHERE tenant_id = ? ORDER BY id",
                                        {tenant_}),
                               person_from);
}

void OrgRepo::insert_person(const org::Person& p, Millis now) {
  c_.execute(
      "INSERT INTO people (tenant_id, id, name, phone, title, is_demo, retired, version, "
      "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {tenant_, p.id, p.name, opt(p.phone), opt(p.title), static_cast<std::int64_t>(p.is_demo),
       static_cast<std::int64_t>(p.retired), static_cast<std::int64_t>(p.version), now, now});
}

bool OrgRepo::update_person(const org::Person& p, int expected_version, Millis now) {
  return c_.execute(
             "UPDATE people SET name = ?, phone = ?, title = ?, retired = ?, "
             "version = version + 1, updated_at = ? WHERE tenant_id = ? AND id = ? AND version = ?",
             {p.name, opt(p.phone), opt(p.title), static_cast<std::int64_t>(p.retired), now,
              tenant_, p.id, static_cast<std::int64_t>(expected_version)}) == 1;
}

std::vector<std::pair<org::UnitKind, std::string>> OrgRepo::person_unit_paths(org::Id person_id) {
  auto rows = c_.query(
      "SELECT u.kind, u.path FROM memberships m JOIN org_units u ON u.tenant_id = m.tenant_id "
      "AND u.id = m.unit_id WHERE m.tenant_id = ? AND m.person_id = ? AND u.retired = 0",
      {tenant_, person_id});
  std::vector<std::pair<org::UnitKind, std::string>> out;
  for (const auto& r : rows) {
    if (auto k = org::parse_unit_kind(r.get_text(0))) out.emplace_back(*k, r.get_text(1));
  }
  return out;
}

// ---- posts ----

std::vector<org::Post> OrgRepo::posts() {
  return map_rows<org::Post>(
      c_.query("SELECT code, name, name_en, sort_order FROM posts WHERE tenant_id = ? "
               "ORDER BY sort_order, code",
               {tenant_}),
      [](const Row& r) {
        return org::Post{r.get_text(0), r.get_text(1), r.get_text(2),
                         static_cast<int>(r.get_int(3))};
      });
}

std::optional<org::Post> OrgRepo::find_post(std::string_view code) {
  auto rows =
      c_.query("SELECT code, name, name_en, sort_order FROM posts WHERE tenant_id = ? AND code = ?",
               {tenant_, std::string(code)});
  if (rows.empty()) return std::nullopt;
  return org::Post{rows[0].get_text(0), rows[0].get_text(1), rows[0].get_text(2),
                   static_cast<int>(rows[0].get_int(3))};
}

void OrgRepo::upsert_post(const org::Post& p) {
  c_.execute(
      "INSERT INTO posts (tenant_id, code, name, name_en, sort_order) VALUES (?, ?, ?, ?, ?) "
      "ON CONFLICT (tenant_id, code) DO UPDATE SET name = excluded.name, "
      "name_en = excluded.name_en, sort_order = excluded.sort_order",
      {tenant_, p.code, p.name, p.name_en, static_cast<std::int64_t>(p.sort_order)});
}

// ---- memberships ----

std::optional<MembershipView> OrgRepo::find_membership(org::Id id) {
  auto rows = c_.query(std::string(kMembershipSelect) + " AND m.id = ?", {tenant_, id});
  if (rows.empty()) return std::nullopt;
  return membership_from(rows[0]);
}

std::vector<MembershipView> OrgRepo::memberships_of_unit(org::Id unit_id) {
  return map_rows<MembershipView>(
      c_.query(std::string(kMembershipSelect) +
                   " AND m.unit_id = ? ORDER BY m.is_head DESC, po.sort_order, m.id",
               {tenant_, unit_id}),
      membership_from);
}

std::vector<MembershipView> OrgRepo::memberships_of_units(const std::vector<org::Id>& unit_ids) {
  if (unit_ids.empty()) return {};
  std::vector<Value> params{tenant_};
  for (auto id : unit_ids) params.emplace_back(id);
  return map_rows<MembershipView>(
      c_.query(std::string(kMembershipSelect) + " AND m.unit_id IN " +
                   sql::in_list(unit_ids.size()) +
                   " ORDER BY m.unit_id, m.is_head DESC, po.sort_order, m.id",
               params),
      membership_from);
}

std::vector<MembershipView> OrgRepo::memberships_of_person(org::Id person_id) {
  return map_rows<MembershipView>(
      c_.query(std::string(kMembershipSelect) + " AND m.person_id = ? ORDER BY m.id",
               {tenant_, person_id}),
      membership_from);
}

std::vector<MembershipView> OrgRepo::all_memberships() {
  return map_rows<MembershipView>(
      c_.query(std::string(kMembershipSelect) + " ORDER BY m.id", {tenant_}), membership_from);
}

bool OrgRepo::membership_exists(org::Id person_id, org::Id unit_id, std::string_view post_code) {
  return !c_.query(
                "SELECT 1 FROM memberships WHERE tenant_id = ? AND person_id = ? AND "
                "unit_id = ? AND post_code = ?",
                {tenant_, person_id, unit_id, std::string(post_code)})
              .empty();
}

std::optional<org::Id> OrgRepo::head_membership(org::Id unit_id) {
  auto rows =
      c_.query("SELECT id FROM memberships WHERE tenant_id = ? AND unit_id = ? AND is_head = 1",
               {tenant_, unit_id});
  if (rows.empty()) return std::nullopt;
  return rows[0].get_int(0);
}

void OrgRepo::insert_membership(const org::Membership& m, Millis now) {
  c_.execute(
      "INSERT INTO memberships (tenant_id, id, person_id, unit_id, post_code, is_head, "
      "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      {tenant_, m.id, m.person_id, m.unit_id, m.post_code, static_cast<std::int64_t>(m.is_head),
       now});
}

bool OrgRepo::delete_membership(org::Id id) {
  return c_.execute("DELETE FROM memberships WHERE tenant_id = ? AND id = ?", {tenant_, id}) == 1;
}

int OrgRepo::end_memberships_of_person(org::Id person_id) {
  return static_cast<int>(c_.execute(
      "DELETE FROM memberships WHERE tenant_id = ? AND person_id = ?", {tenant_, person_id}));
}

// ---- liaisons ----

std::optional<LiaisonView> OrgRepo::liaison_of_unit(org::Id unit_id) {
  auto rows = c_.query(std::string(kLiaisonSelect) + " AND l.unit_id = ?", {tenant_, unit_id});
  if (rows.empty()) return std::nullopt;
  return liaison_from(rows[0]);
}

std::optional<LiaisonView> OrgRepo::find_liaison(org::Id id) {
  auto rows = c_.query(std::string(kLiaisonSelect) + " AND l.id = ?", {tenant_, id});
  if (rows.empty()) return std::nullopt;
  return liaison_from(rows[0]);
}

std::vector<LiaisonView> OrgRepo::list_liaisons(std::optional<org::Id> unit_id,
                                                std::optional<org::Id> leader_id) {
  std::string sql = kLiaisonSelect;
  std::vector<Value> params{tenant_};
  if (unit_id) {
    sql += " AND l.unit_id = ?";
    params.emplace_back(*unit_id);
  }
  if (leader_id) {
    sql += " AND l.leader_id = ?";
    params.emplace_back(*leader_id);
  }
  sql += " ORDER BY u.path, l.id";
  return map_rows<LiaisonView>(c_.query(sql, params), liaison_from);
}

int OrgRepo::count_liaisons_of_leader(org::Id leader_id) {
  return static_cast<int>(
      c_.query("SELECT count(*) FROM liaisons WHERE tenant_id = ? AND leader_id = ?",
               {tenant_, leader_id})
          .at(0)
          .get_int(0));
}

void OrgRepo::insert_liaison(const org::Liaison& l, Millis now) {
  c_.execute(
      "INSERT INTO liaisons (tenant_id, id, unit_id, leader_id, created_at) "
      "VALUES (?, ?, ?, ?, ?)",
      {tenant_, l.id, l.unit_id, l.leader_id, now});
}

bool OrgRepo::delete_liaison(org::Id id) {
  return c_.execute("DELETE FROM liaisons WHERE tenant_id = ? AND id = ?", {tenant_, id}) == 1;
}

}  // namespace civicloop::storage
