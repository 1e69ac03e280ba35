#include "storage/open311_repo.hpp"

#include "storage/sql_util.hpp"

namespace civicloop::storage {

namespace {

Value opt_i(const std::optional<std::int64_t>& v) { return v ? Value(*v) : Value(nullptr); }

constexpr const char* kKeyColumns =
    "id, name, contact, key_hash, key_prefix, rate_per_minute, created_by, created_at, "
    "revoked_at, revoked_by, last_used_at";

Open311Key key_of(const Row& r) {
  Open311Key k;
  k.id = r.get_int(0);
  k.name = r.get_text(1);
  k.contact = r.get_text(2);
  k.key_hash = r.get_text(3);
  k.key_prefix = r.get_text(4);
  k.rate_per_minute = static_cast<int>(r.get_int(5));
  k.created_by = r.get_opt_int(6);
  k.created_at = r.get_int(7);
  k.revoked_at = r.get_opt_int(8);
  k.revoked_by = r.get_opt_int(9);
  k.last_used_at = r.get_opt_int(10);
  return k;
}

Open311Link link_of(const Row& r) {
  Open311Link l;
  l.case_id = r.get_int(0);
  l.token = r.get_text(1);
  l.key_id = r.get_int(2);
  l.attributes_json = r.get_text(3);
  l.media_count = static_cast<int>(r.get_int(4));
  l.created_at = r.get_int(5);
  return l;
}

Open311Event event_of(const Row& r) {
  return Open311Event{r.get_int(0),  r.get_int(1),      r.get_int(2),
                      r.get_text(3), r.get_opt_text(4), r.get_opt_text(5)};
}

void add_in(std::string& sql, std::vector<Value>& params, const char* column,
            const std::vector<std::string>& values) {
  if (values.empty()) return;
  sql += std::string(" AND ") + column + " IN " + sql::in_list(values.size());
  for (const auto& v : values) params.emplace_back(v);
}

}  // namespace

void Open311Repo::save_settings(const std::string& jurisdiction_id, const std::string& doc,
                                Millis now) {
  c_.execute(
      "INSERT INTO open311_settings (tenant_id, jurisdiction_id, doc, updated_at) "
      "VALUES (?, ?, ?, ?) ON CONFLICT (tenant_id) DO UPDATE SET "
      "jurisdiction_id = excluded.jurisdiction_id, doc = excluded.doc, "
      "updated_at = excluded.updated_at",
      {tenant_, jurisdiction_id, doc, now});
}

std::optional<std::string> Open311Repo::settings_doc() {
  auto rows = c_.query("SELECT doc FROM open311_settings WHERE tenant_id = ?", {tenant_});
  if (rows.empty()) return std::nullopt;
  return rows[0].get_text(0);
}

std::optional<std::int64_t> Open311Repo::tenant_of_jurisdiction(
    Connection& conn, const std::string& jurisdiction_id) {
  auto rows = conn.query("SELECT tenant_id FROM open311_settings WHERE jurisdiction_id = ?",
                         {jurisdiction_id});
  if (rows.empty()) return std::nullopt;
  return rows[0].get_int(0);
}

std::vector<std::int64_t> Open311Repo::tenants(Connection& conn) {
  std::vector<std::int64_t> out;
  for (const auto& r : conn.query("SELECT tenant_id FROM open311_settings ORDER BY tenant_id")) {
    out.push_back(r.get_int(0));
  }
  return out;
}

void Open311Repo::insert_key(const Open311Key& k) {
  c_.execute(
      "INSERT INTO open311_keys (tenant_id, id, name, contact, key_hash, key_prefix, "
      "rate_per_minute, created_by, created_at, revoked_at, revoked_by, last_used_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {tenant_, k.id, k.name, k.contact, k.key_hash, k.key_prefix,
       static_cast<std::int64_t>(k.rate_per_minute), opt_i(k.created_by), k.created_at,
       opt_i(k.revoked_at), opt_i(k.revoked_by), opt_i(k.last_used_at)});
}

std::optional<Open311Key> Open311Repo::find_key(std::int64_t id) {
  auto rows = c_.query(
      std::string("SELECT ") + kKeyColumns + " FROM open311_keys WHERE tenant_id = ? AND id = ?",
      {tenant_, id});
  if (rows.empty()) return std::nullopt;
  return key_of(rows[0]);
}

std::optional<Open311Key> Open311Repo::find_key_by_hash(const std::string& key_hash) {
  auto rows = c_.query(std::string("SELECT ") + kKeyColumns +
                           " FROM open311_keys WHERE tenant_id = ? AND key_hash = ?",
                       {tenant_, key_hash});
  if (rows.empty()) return std::nullopt;
  return key_of(rows[0]);
}

std::vector<Open311Key> Open311Repo::keys() {
  std::vector<Open311Key> out;
  for (const auto& r : c_.query(std::string("SELECT ") + kKeyColumns +
                                    " FROM open311_keys WHERE tenant_id = ? ORDER BY id DESC",
                                {tenant_})) {
    out.push_back(key_of(r));
  }
  return out;
}

bool Open311Repo::revoke_key(std::int64_t id, std::optional<std::int64_t> by, Millis at) {
  return c_.execute(
             "UPDATE open311_keys SET revoked_at = ?, revoked_by = ? "
             "WHERE tenant_id = ? AND id = ? AND revoked_at IS NULL",
             {at, opt_i(by), tenant_, id}) > 0;
}

void Open311Repo::insert_link(const Open311Link& l) {
  c_.execute(
      "INSERT INTO open311_requests (tenant_id, case_id, token, key_id, attributes, media_count, "
      "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      {tenant_, l.case_id, l.token, l.key_id, l.attributes_json,
       static_cast<std::int64_t>(l.media_count), l.created_at});
}

std::optional<Open311Link> Open311Repo::find_link_by_token(const std::string& token) {
  auto rows = c_.query(
      "SELECT case_id, token, key_id, attributes, media_count, created_at FROM open311_requests "
      "WHERE tenant_id = ? AND token = ?",
      {tenant_, token});
  if (rows.empty()) return std::nullopt;
  return link_of(rows[0]);
}

std::map<std::int64_t, Open311Link> Open311Repo::links_of(
    const std::vector<std::int64_t>& case_ids) {
  std::map<std::int64_t, Open311Link> out;
  if (case_ids.empty()) return out;
  std::vector<Value> params{tenant_};
  for (auto id : case_ids) params.emplace_back(id);
  for (const auto& r :
       c_.query("SELECT case_id, token, key_id, attributes, media_count, created_at "
                "FROM open311_requests WHERE tenant_id = ? AND case_id IN " +
                    sql::in_list(case_ids.size()),
                params)) {
    auto l = link_of(r);
    out.emplace(l.case_id, std::move(l));
  }
  return out;
}

std::vector<std::int64_t> Open311Repo::request_ids(const Open311Query& q) {
  std::string sql = "SELECT id FROM cases WHERE tenant_id = ?";
  std::vector<Value> params{tenant_};
  bool by_update = false;
  if (!q.ids.empty()) {
    sql += " AND id IN " + sql::in_list(q.ids.size());
    for (auto id : q.ids) params.emplace_back(id);
  } else {
    add_in(sql, params, "category_code", q.categories);
    add_in(sql, params, "state", q.states);
    if (q.reported_from) {
      sql += " AND reported_at >= ?";
      params.emplace_back(*q.reported_from);
    }
    if (q.reported_to) {
      sql += " AND reported_at < ?";
      params.emplace_back(*q.reported_to);
    }
    if (q.updated_from) {
      sql += " AND updated_at >= ?";
      params.emplace_back(*q.updated_from);
    }
    if (q.updated_to) {
      sql += " AND updated_at < ?";
      params.emplace_back(*q.updated_to);
    }
    by_update = (q.updated_from || q.updated_to) && !q.reported_from && !q.reported_to;
  }
  sql += by_update ? " ORDER BY updated_at DESC, id DESC" : " ORDER BY reported_at DESC, id DESC";
  sql += " LIMIT ? OFFSET ?";
  params.emplace_back(static_cast<std::int64_t>(q.limit));
  params.emplace_back(static_cast<std::int64_t>(q.offset));
  std::vector<std::int64_t> out;
  for (const auto& r : c_.query(sql, params)) out.push_back(r.get_int(0));
  return out;
}

std::vector<Open311Event> Open311Repo::events_of(const std::vector<std::int64_t>& case_ids,
                                                 const std::vector<std::string>& actions) {
  std::vector<Open311Event> out;
  if (case_ids.empty() || actions.empty()) return out;
  std::string sql =
      "SELECT seq, entity_id, at, action, NULL, note FROM ledger_events "
      "WHERE tenant_id = ? AND entity_type = 'case' AND entity_id IN " +
      sql::in_list(case_ids.size());
  std::vector<Value> params{tenant_};
  for (auto id : case_ids) params.emplace_back(id);
  add_in(sql, params, "action", actions);
  sql += " ORDER BY entity_id, seq";
  for (const auto& r : c_.query(sql, params)) out.push_back(event_of(r));
  return out;
}

std::vector<Open311Event> Open311Repo::events_between(Millis from, Millis to,
                                                      const std::vector<std::string>& actions,
                                                      int limit) {
  std::vector<Open311Event> out;
  if (actions.empty()) return out;
  std::string sql =
      "SELECT seq, entity_id, at, action, after_json, note FROM ledger_events "
      "WHERE tenant_id = ? AND entity_type = 'case' AND at >= ? AND at < ?";
  std::vector<Value> params{tenant_, from, to};
  add_in(sql, params, "action", actions);
  sql += " ORDER BY at, seq LIMIT ?";
  params.emplace_back(static_cast<std::int64_t>(limit));
  for (const auto& r : c_.query(sql, params)) out.push_back(event_of(r));
  return out;
}

}  // namespace civicloop::storage
