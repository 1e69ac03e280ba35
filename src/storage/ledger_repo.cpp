#include "storage/ledger_repo.hpp"

namespace civicloop::storage {

namespace {
constexpr const char* kColumns =
    "tenant_id, seq, at, actor_user_id, actor_name, entity_type, entity_id, action, before_json, "
    "after_json, note, prev_hash, hash";

ledger::Event event_from(const Row& r) {
  ledger::Event e;
  e.tenant_id = r.get_int(0);
  e.seq = r.get_int(1);
  e.at = r.get_int(2);
  e.actor_user_id = r.get_opt_int(3);
  e.actor_name = r.get_text(4);
  e.entity_type = r.get_text(5);
  e.entity_id = r.get_int(6);
  e.action = r.get_text(7);
  e.before = r.get_opt_text(8);
  e.after = r.get_opt_text(9);
  e.note = r.get_opt_text(10);
  e.prev_hash = r.get_text(11);
  e.hash = r.get_text(12);
  return e;
}

Value opt(const std::optional<std::string>& v) { return v ? Value(*v) : Value(nullptr); }
}  // namespace

void LedgerRepo::append(ledger::Event& e) {
  // The UPDATE takes the head row's lock (PostgreSQL) or runs under the write lock (SQLite);
  // RETURNING gives the new seq and the still-unchanged hash of the previous event.
  auto rows = c_.query(
      "UPDATE ledger_heads SET seq = seq + 1 WHERE tenant_id = ? RETURNING seq, hash", {tenant_});
  if (rows.empty()) {
    throw StorageError(StorageError::Kind::kConstraint, "ledger head missing for tenant");
  }
  e.tenant_id = tenant_;
  e.seq = rows[0].get_int(0);
  e.prev_hash = rows[0].get_text(1);
  e.hash = ledger::compute_hash(e);
  c_.execute(std::string("INSERT INTO ledger_events (") + kColumns +
                 ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
             {tenant_, e.seq, e.at, e.actor_user_id ? Value(*e.actor_user_id) : Value(nullptr),
              e.actor_name, e.entity_type, e.entity_id, e.action, opt(e.before), opt(e.after),
              opt(e.note), e.prev_hash, e.hash});
  c_.execute("UPDATE ledger_heads SET hash = ? WHERE tenant_id = ?", {e.hash, tenant_});
}

std::vector<ledger::Event> LedgerRepo::list(const LedgerQuery& q) {
  std::string sql = std::string("SELECT ") + kColumns + " FROM ledger_events WHERE tenant_id = ?";
  std::vector<Value> params{tenant_};
  if (q.entity_type) {
    sql += " AND entity_type = ?";
    params.emplace_back(*q.entity_type);
  }
  if (q.entity_id) {
    sql += " AND entity_id = ?";
    params.emplace_back(*q.entity_id);
  }
  if (q.before_seq) {
    sql += " AND seq < ?";
    params.emplace_back(*q.before_seq);
  }
  sql += " ORDER BY seq DESC LIMIT ?";
  params.emplace_back(static_cast<std::int64_t>(q.limit));
  std::vector<ledger::Event> out;
  for (const auto& r : c_.query(sql, params)) out.push_back(event_from(r));
  return out;
}

LedgerHead LedgerRepo::head() {
  auto rows = c_.query("SELECT seq, hash FROM ledger_heads WHERE tenant_id = ?", {tenant_});
  LedgerHead h;
  if (!rows.empty()) {
    h.seq = rows[0].get_int(0);
    h.hash = rows[0].get_text(1);
  }
  return h;
}

void LedgerRepo::each(const std::function<bool(const ledger::Event&)>& fn) {
  std::int64_t after = 0;
  constexpr std::int64_t kPage = 2000;
  for (;;) {
    auto rows = c_.query(std::string("SELECT ") + kColumns +
                             " FROM ledger_events WHERE tenant_id = ? AND seq > ? "
                             "ORDER BY seq LIMIT ?",
                         {tenant_, after, kPage});
    for (const auto& r : rows) {
      auto e = event_from(r);
      after = e.seq;
      if (!fn(e)) return;
    }
    if (static_cast<std::int64_t>(rows.size()) < kPage) return;
  }
}

bool LedgerRepo::any_since(std::int64_t after_seq, std::string_view entity_type,
                           std::string_view action) {
  // The primary key (tenant_id, seq) bounds the scan to the events after after_seq.
  return !c_.query(
                "SELECT 1 FROM ledger_events WHERE tenant_id = ? AND seq > ? AND "
                "entity_type = ? AND action = ? LIMIT 1",
                {tenant_, after_seq, std::string(entity_type), std::string(action)})
              .empty();
}

ledger::VerifyResult LedgerRepo::verify() {
  const auto h = head();
  ledger::Verifier verifier;
  each([&](const ledger::Event& e) { return verifier.feed(e); });
  return verifier.finish(h.seq, h.hash);
}

std::optional<std::int64_t> LedgerRepo::last_actor_of(std::string_view entity_type,
                                                      std::int64_t entity_id,
                                                      const std::vector<std::string>& actions) {
  if (actions.empty()) return std::nullopt;
  std::string sql =
      "SELECT actor_user_id FROM ledger_events WHERE tenant_id = ? AND entity_type = ? AND "
      "entity_id = ? AND action IN (";
  std::vector<Value> params{tenant_, std::string(entity_type), entity_id};
  for (std::size_t i = 0; i < actions.size(); ++i) {
    sql += i == 0 ? "?" : ", ?";
    params.emplace_back(actions[i]);
  }
  sql += ") ORDER BY seq DESC LIMIT 1";
  auto rows = c_.query(sql, params);
  if (rows.empty()) return std::nullopt;
  return rows[0].get_opt_int(0);
}

std::vector<ledger::Event> LedgerRepo::page_of_type(std::string_view entity_type,
                                                    std::int64_t after_seq, int limit) {
  std::vector<ledger::Event> out;
  for (const auto& r :
       c_.query(std::string("SELECT ") + kColumns +
                    " FROM ledger_events WHERE tenant_id = ? AND seq > ? AND "
                    "entity_type = ? ORDER BY seq LIMIT ?",
                {tenant_, after_seq, std::string(entity_type), static_cast<std::int64_t>(limit)})) {
    out.push_back(event_from(r));
  }
  return out;
}

}  // namespace civicloop::storage
