#include "storage/bulletin_repo.hpp"

#include "storage/sql_util.hpp"

namespace civicloop::storage {

namespace {

Value opt_i(const std::optional<std::int64_t>& v) { return v ? Value(*v) : Value(nullptr); }
Value opt_n(const std::optional<int>& v) {
  return v ? Value(static_cast<std::int64_t>(*v)) : Value(nullptr);
}
Value opt_s(const std::optional<std::string>& v) { return v ? Value(*v) : Value(nullptr); }
std::optional<int> opt_int(const Row& r, std::size_t i) {
  auto v = r.get_opt_int(i);
  return v ? std::optional<int>(static_cast<int>(*v)) : std::nullopt;
}

constexpr const char* kColumns =
    "id, kind, state, title, period_kind, period_from, period_to, version, content, snapshot, "
    "year, seq, number, schedule_key, created_by, created_at, updated_by, updated_at, "
    "submitted_by, submitted_at, approved_by, approved_at, published_by, published_at, "
    "pdf_sha256, pdf_size";
// The list leaves out the two documents.
constexpr const char* kBriefColumns =
    "id, kind, state, title, period_kind, period_from, period_to, version, '', '', "
    "year, seq, number, schedule_key, created_by, created_at, updated_by, updated_at, "
    "submitted_by, submitted_at, approved_by, approved_at, published_by, published_at, "
    "pdf_sha256, pdf_size";

BulletinRow from_row(const Row& r) {
  BulletinRow b;
  b.id = r.get_int(0);
  b.kind = r.get_text(1);
  b.state = r.get_text(2);
  b.title = r.get_text(3);
  b.period_kind = r.get_text(4);
  b.period_from = r.get_text(5);
  b.period_to = r.get_text(6);
  b.version = static_cast<int>(r.get_int(7));
  b.content = r.get_text(8);
  b.snapshot = r.get_text(9);
  b.year = opt_int(r, 10);
  b.seq = opt_int(r, 11);
  b.number = r.get_opt_text(12);
  b.schedule_key = r.get_opt_text(13);
  b.created_by = r.get_opt_int(14);
  b.created_at = r.get_int(15);
  b.updated_by = r.get_opt_int(16);
  b.updated_at = r.get_int(17);
  b.submitted_by = r.get_opt_int(18);
  b.submitted_at = r.get_opt_int(19);
  b.approved_by = r.get_opt_int(20);
  b.approved_at = r.get_opt_int(21);
  b.published_by = r.get_opt_int(22);
  b.published_at = r.get_opt_int(23);
  b.pdf_sha256 = r.get_opt_text(24);
  b.pdf_size = r.get_opt_int(25);
  return b;
}

}  // namespace

void BulletinRepo::insert(const BulletinRow& b) {
  c_.execute(
      "INSERT INTO bulletins (tenant_id, id, kind, state, title, period_kind, period_from, "
      "period_to, version, content, snapshot, year, seq, number, schedule_key, created_by, "
      "created_at, updated_by, updated_at, submitted_by, submitted_at, approved_by, approved_at, "
      "published_by, published_at, pdf_sha256, pdf_size) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
      "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {tenant_,
       b.id,
       b.kind,
       b.state,
       b.title,
       b.period_kind,
       b.period_from,
       b.period_to,
       static_cast<std::int64_t>(b.version),
       b.content,
       b.snapshot,
       opt_n(b.year),
       opt_n(b.seq),
       opt_s(b.number),
       opt_s(b.schedule_key),
       opt_i(b.created_by),
       b.created_at,
       opt_i(b.updated_by),
       b.updated_at,
       opt_i(b.submitted_by),
       opt_i(b.submitted_at),
       opt_i(b.approved_by),
       opt_i(b.approved_at),
       opt_i(b.published_by),
       opt_i(b.published_at),
       opt_s(b.pdf_sha256),
       opt_i(b.pdf_size)});
  write_recipients(b);
}

bool BulletinRepo::update(const BulletinRow& b, int expected_version) {
  const auto n = c_.execute(
      "UPDATE bulletins SET kind = ?, state = ?, title = ?, period_kind = ?, period_from = ?, "
      "period_to = ?, version = ?, content = ?, snapshot = ?, year = ?, seq = ?, number = ?, "
      "schedule_key = ?, updated_by = ?, updated_at = ?, submitted_by = ?, submitted_at = ?, "
      "approved_by = ?, approved_at = ?, published_by = ?, published_at = ?, pdf_sha256 = ?, "
      "pdf_size = ? WHERE tenant_id = ? AND id = ? AND version = ?",
      {b.kind,
       b.state,
       b.title,
       b.period_kind,
       b.period_from,
       b.period_to,
       static_cast<std::int64_t>(b.version),
       b.content,
       b.snapshot,
       opt_n(b.year),
       opt_n(b.seq),
       opt_s(b.number),
       opt_s(b.schedule_key),
       opt_i(b.updated_by),
       b.updated_at,
       opt_i(b.submitted_by),
       opt_i(b.submitted_at),
       opt_i(b.approved_by),
       opt_i(b.approved_at),
       opt_i(b.published_by),
       opt_i(b.published_at),
       opt_s(b.pdf_sha256),
       opt_i(b.pdf_size),
       tenant_,
       b.id,
       static_cast<std::int64_t>(expected_version)});
  if (n == 0) return false;
  c_.execute("DELETE FROM bulletin_recipients WHERE tenant_id = ? AND bulletin_id = ?",
             {tenant_, b.id});
  write_recipients(b);
  return true;
}

void BulletinRepo::write_recipients(const BulletinRow& b) {
  for (const auto u : b.recipients) {
    c_.execute(
        "INSERT INTO bulletin_recipients (tenant_id, bulletin_id, unit_id) VALUES (?, ?, ?) "
        "ON CONFLICT DO NOTHING",
        {tenant_, b.id, u});
  }
}

std::vector<std::int64_t> BulletinRepo::recipients_of(std::int64_t id) {
  std::vector<std::int64_t> out;
  for (const auto& r : c_.query("SELECT unit_id FROM bulletin_recipients WHERE tenant_id = ? AND "
                                "bulletin_id = ? ORDER BY unit_id",
                                {tenant_, id})) {
    out.push_back(r.get_int(0));
  }
  return out;
}

std::optional<BulletinRow> BulletinRepo::find(std::int64_t id) {
  auto rows =
      c_.query(std::string("SELECT ") + kColumns + " FROM bulletins WHERE tenant_id = ? AND id = ?",
               {tenant_, id});
  if (rows.empty()) return std::nullopt;
  auto b = from_row(rows[0]);
  b.recipients = recipients_of(b.id);
  return b;
}

std::optional<BulletinRow> BulletinRepo::find_for_update(std::int64_t id) {
  const bool pg = c_.dialect() == Dialect::kPostgres;
  auto rows =
      c_.query(std::string("SELECT ") + kColumns +
                   " FROM bulletins WHERE tenant_id = ? AND id = ?" + (pg ? " FOR UPDATE" : ""),
               {tenant_, id});
  if (rows.empty()) return std::nullopt;
  auto b = from_row(rows[0]);
  b.recipients = recipients_of(b.id);
  return b;
}

std::optional<BulletinRow> BulletinRepo::find_by_schedule_key(std::string_view key) {
  auto rows = c_.query(std::string("SELECT ") + kColumns +
                           " FROM bulletins WHERE tenant_id = ? AND schedule_key = ?",
                       {tenant_, std::string(key)});
  if (rows.empty()) return std::nullopt;
  auto b = from_row(rows[0]);
  b.recipients = recipients_of(b.id);
  return b;
}

std::vector<BulletinRow> BulletinRepo::list(const BulletinFilter& f) {
  std::string sql =
      std::string("SELECT ") + kBriefColumns + " FROM bulletins b WHERE tenant_id = ?";
  std::vector<Value> params{tenant_};
  if (f.state) {
    sql += " AND state = ?";
    params.emplace_back(*f.state);
  }
  if (f.kind) {
    sql += " AND kind = ?";
    params.emplace_back(*f.kind);
  }
  if (f.recipient_units) {
    if (f.recipient_units->empty()) return {};
    sql +=
        " AND EXISTS (SELECT 1 FROM bulletin_recipients r WHERE r.tenant_id = b.tenant_id AND "
        "r.bulletin_id = b.id AND r.unit_id IN " +
        sql::in_list(f.recipient_units->size()) + ")";
    for (const auto u : *f.recipient_units) params.emplace_back(u);
  }
  if (f.before_id) {
    sql += " AND id < ?";
    params.emplace_back(*f.before_id);
  }
  sql += " ORDER BY id DESC LIMIT ?";
  params.emplace_back(static_cast<std::int64_t>(f.limit));
  std::vector<BulletinRow> out;
  for (const auto& r : c_.query(sql, params)) {
    out.push_back(from_row(r));
    out.back().recipients = recipients_of(out.back().id);
  }
  return out;
}

bool BulletinRepo::pdf_in_use(std::string_view sha256) {
  return !c_.query("SELECT 1 FROM bulletins WHERE tenant_id = ? AND pdf_sha256 = ? LIMIT 1",
                   {tenant_, std::string(sha256)})
              .empty();
}

std::optional<std::string> BulletinRepo::settings_doc() {
  auto rows = c_.query("SELECT doc FROM bulletin_settings WHERE tenant_id = ?", {tenant_});
  if (rows.empty()) return std::nullopt;
  return rows[0].get_text(0);
}

void BulletinRepo::save_settings_doc(const std::string& doc, Millis now) {
  c_.execute(
      "INSERT INTO bulletin_settings (tenant_id, doc, updated_at) VALUES (?, ?, ?) "
      "ON CONFLICT (tenant_id) DO UPDATE SET doc = excluded.doc, updated_at = excluded.updated_at",
      {tenant_, doc, now});
}

}  // namespace civicloop::storage
