// Row conversions, the connection pool, Database::open and the migration runner.
#include "storage/db.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "storage/embedded.hpp"
#include "storage/migrate.hpp"
#include "storage/postgres/pg_db.hpp"
#include "storage/sqlite/sqlite_db.hpp"
#include "storage/writer.hpp"

namespace civicloop::storage {

namespace {

using Kind = StorageError::Kind;

// At most this long in acquire(): a pool that stays exhausted this long means leases are leaking
// or held across slow work, and an error says so better than a hang.
constexpr auto kAcquireTimeout = std::chrono::seconds(30);

// Cuts s to at most n bytes without splitting a UTF-8 sequence.
std::string_view utf8_prefix(std::string_view s, std::size_t n) {
  if (s.size() <= n) return s;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n);
}

std::string describe_cell(const Value& v) {
  switch (v.index()) {
    case 0:
      return "NULL";
    case 1:
      return "integer " + std::to_string(std::get<std::int64_t>(v));
    case 2: {
      char buf[32];
      auto r = std::to_chars(buf, buf + sizeof buf, std::get<double>(v));
      return "real " + std::string(buf, r.ptr);
    }
    default: {
      const auto& s = std::get<std::string>(v);
      std::string out = "text \"";
      out += utf8_prefix(s, 32);
      out += s.size() > 32 ? "...\"" : "\"";
      return out;
    }
  }
}

[[noreturn]] void bad_conversion(std::size_t i, const char* wanted, const Value& v) {
  throw StorageError(Kind::kOther, "column " + std::to_string(i) + ": cannot read " +
                                       describe_cell(v) + " as " + wanted);
}

bool parse_int(std::string_view s, std::int64_t& out) {
  if (s.empty()) return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

bool parse_double(std::string_view s, double& out) {
  if (s.empty()) return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

// A double that holds an integer exactly within int64 range (SQLite's and PostgreSQL's numeric
// aggregates sometimes hand back "12.0000" or 12.0 where the caller expects 12).
bool integral_double(double d, std::int64_t& out) {
  if (!std::isfinite(d) || d != std::trunc(d)) return false;
  if (d < -9223372036854775808.0 || d >= 9223372036854775808.0) return false;
  out = static_cast<std::int64_t>(d);
  return true;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Row

namespace {
const Value& cell_at(const std::vector<Value>& cells, std::size_t i) {
  if (i >= cells.size()) {
    throw StorageError(Kind::kOther, "column " + std::to_string(i) + " is out of range (row has " +
                                         std::to_string(cells.size()) + " columns)");
  }
  return cells[i];
}
}  // namespace

bool Row::is_null(std::size_t i) const {
  return std::holds_alternative<std::nullptr_t>(cell_at(cells_, i));
}

std::optional<std::int64_t> Row::get_opt_int(std::size_t i) const {
  const Value& v = cell_at(cells_, i);
  if (const auto* n = std::get_if<std::int64_t>(&v)) return *n;
  if (std::holds_alternative<std::nullptr_t>(v)) return std::nullopt;
  std::int64_t out = 0;
  if (const auto* d = std::get_if<double>(&v)) {
    if (integral_double(*d, out)) return out;
    bad_conversion(i, "an integer", v);
  }
  const auto& s = std::get<std::string>(v);
  if (parse_int(s, out)) return out;
  // PostgreSQL prints booleans (EXISTS, comparisons) as t/f.
  if (s == "t" || s == "true") return 1;
  if (s == "f" || s == "false") return 0;
  double d = 0;
  if (parse_double(s, d) && integral_double(d, out)) return out;
  bad_conversion(i, "an integer", v);
}

std::int64_t Row::get_int(std::size_t i) const {
  auto v = get_opt_int(i);
  if (!v) bad_conversion(i, "an integer", cells_[i]);
  return *v;
}

double Row::get_double(std::size_t i) const {
  const Value& v = cell_at(cells_, i);
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* n = std::get_if<std::int64_t>(&v)) return static_cast<double>(*n);
  if (const auto* s = std::get_if<std::string>(&v)) {
    double d = 0;
    if (parse_double(*s, d)) return d;
  }
  bad_conversion(i, "a number", v);
}

std::optional<std::string> Row::get_opt_text(std::size_t i) const {
  const Value& v = cell_at(cells_, i);
  switch (v.index()) {
    case 0:
      return std::nullopt;
    case 1:
      return std::to_string(std::get<std::int64_t>(v));
    case 2: {
      char buf[32];
      auto r = std::to_chars(buf, buf + sizeof buf, std::get<double>(v));
      return std::string(buf, r.ptr);
    }
    default:
      return std::get<std::string>(v);
  }
}

std::string Row::get_text(std::size_t i) const { return get_opt_text(i).value_or(std::string()); }

// ---------------------------------------------------------------------------------------------
// Pool

Database::Database(int pool_size) : pool_size_(pool_size) {}

Database::~Database() { stop_writer(); }

void Database::write(const WriteJob& job) {
  Writer* w = nullptr;
  {
    std::lock_guard lock(writer_mutex_);
    if (!writer_) writer_ = std::make_unique<Writer>([this] { return connect(); });
    w = writer_.get();
  }
  w->run(job);
}

WriteStats Database::write_stats() {
  std::lock_guard lock(writer_mutex_);
  return writer_ ? writer_->stats() : WriteStats{};
}

void Database::stop_writer() {
  std::unique_ptr<Writer> w;
  {
    std::lock_guard lock(writer_mutex_);
    w = std::move(writer_);
  }
  w.reset();  // finishes what is queued, joins the thread
}

void Connection::execute_at_batch_end(std::string sql, std::vector<Value> params) {
  if (batch_end == nullptr) {
    execute(sql, params);
    return;
  }
  batch_end->push_back(Deferred{std::move(sql), std::move(params)});
}

Lease::~Lease() {
  if (db_ != nullptr && conn_ != nullptr) db_->give_back(std::move(conn_));
}

Lease Database::acquire() {
  const int capacity = std::max(1, pool_size_);
  std::unique_lock lock(mutex_);
  if (!available_.wait_for(lock, kAcquireTimeout,
                           [&] { return !idle_.empty() || open_ < capacity; })) {
    throw StorageError(Kind::kUnavailable,
                       "no database connection became free within 30 s (pool of " +
                           std::to_string(capacity) + ")");
  }
  if (!idle_.empty()) {
    auto conn = std::move(idle_.back());
    idle_.pop_back();
    return Lease(this, std::move(conn));
  }
  ++open_;
  lock.unlock();
  std::unique_ptr<Connection> conn;
  try {
    conn = connect();
    if (!conn) throw StorageError(Kind::kUnavailable, describe() + ": connect() returned nothing");
  } catch (...) {
    lock.lock();
    --open_;
    lock.unlock();
    available_.notify_one();
    throw;
  }
  return Lease(this, std::move(conn));
}

void Database::give_back(std::unique_ptr<Connection> conn) {
  // A lease ends its transaction: whatever was not committed is rolled back (a no-op when idle),
  // so the next borrower never inherits a half-done transaction.
  conn->rollback();
  if (conn->broken()) {
    conn.reset();  // closes it, outside the lock
    {
      std::lock_guard lock(mutex_);
      --open_;
    }
    available_.notify_one();
    return;
  }
  {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(conn));
  }
  available_.notify_one();
}

std::unique_ptr<Database> Database::open(const std::string& url, int pool_size) {
  pool_size = std::max(1, pool_size);
  std::unique_ptr<Database> db;
  std::string_view u(url);
  if (u.starts_with("sqlite:")) {
    db = sqlite::open_database(u.substr(7), pool_size);
  } else if (u.starts_with("postgresql://") || u.starts_with("postgres://")) {
    db = postgres::open_database(url, pool_size);
  } else {
    auto colon = u.find(':');
    std::string what =
        colon == std::string_view::npos
            ? "database URL \"" + std::string(utf8_prefix(u, 64)) + "\" has no scheme"
            : "unsupported database URL scheme \"" +
                  std::string(utf8_prefix(u.substr(0, colon), 32)) + "\"";
    throw StorageError(Kind::kOther,
                       what + ": use sqlite:PATH or postgresql://USER@HOST:PORT/DATABASE");
  }
  // Connect once now, so a wrong URL fails at start-up rather than on the first request.
  { Lease probe = db->acquire(); }
  return db;
}

// ---------------------------------------------------------------------------------------------
// Migrations

namespace {

constexpr std::int64_t kMigrationLockKey = 7428001;

const char* dialect_dir(Dialect d) { return d == Dialect::kSqlite ? "sqlite/" : "postgres/"; }

// Serialises migration runners. SQLite: the caller's BEGIN IMMEDIATE already holds the write lock.
void lock_migrations(Connection& conn) {
  if (conn.dialect() == Dialect::kPostgres) {
    conn.query("SELECT pg_advisory_xact_lock(" + std::to_string(kMigrationLockKey) + ")");
  }
}

// Runs fn in a write transaction that holds the migration lock; rolls back on any exception.
template <typename Fn>
auto in_migration_tx(Connection& conn, Fn&& fn) {
  conn.begin(true);
  try {
    lock_migrations(conn);
    return fn();
  } catch (...) {
    conn.rollback();
    throw;
  }
}

void ensure_migrations_table(Connection& conn) {
  in_migration_tx(conn, [&] {
    conn.exec_script(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)");
    conn.commit();
    return 0;
  });
}

std::vector<int> read_applied(Connection& conn) {
  std::vector<int> out;
  for (const auto& row : conn.query("SELECT version FROM schema_migrations ORDER BY version")) {
    out.push_back(static_cast<int>(row.get_int(0)));
  }
  return out;
}

std::string label(const Migration& m) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d", m.version);
  return std::string(buf) + "_" + m.name;
}

}  // namespace

std::optional<MigrationFileName> parse_migration_file_name(std::string_view file) {
  MigrationFileName out;
  if (file.ends_with(".up.sql")) {
    file.remove_suffix(7);
  } else if (file.ends_with(".down.sql")) {
    file.remove_suffix(9);
    out.up = false;
  } else {
    return std::nullopt;
  }
  auto underscore = file.find('_');
  if (underscore == std::string_view::npos || underscore == 0 || underscore + 1 == file.size()) {
    return std::nullopt;
  }
  std::string_view digits = file.substr(0, underscore);
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  auto r = std::from_chars(digits.data(), digits.data() + digits.size(), out.version);
  if (r.ec != std::errc() || out.version <= 0) return std::nullopt;
  out.name = std::string(file.substr(underscore + 1));
  if (out.name.find('/') != std::string::npos) return std::nullopt;
  return out;
}

std::vector<Migration> embedded_migrations(Dialect dialect) {
  const std::string_view prefix = dialect_dir(dialect);
  std::map<int, Migration> by_version;
  std::set<int> has_up;
  for (std::size_t i = 0; i < embedded::count(); ++i) {
    std::string_view full = embedded::name_at(i);
    if (!full.starts_with(prefix)) continue;
    auto parsed = parse_migration_file_name(full.substr(prefix.size()));
    if (!parsed) {
      throw StorageError(Kind::kOther,
                         "migration file \"" + std::string(full) +
                             "\" is not named NNNN_name.up.sql or NNNN_name.down.sql");
    }
    auto body = embedded::find(full).value_or(std::string_view());
    Migration& m = by_version[parsed->version];
    if (m.version != 0 && m.name != parsed->name) {
      throw StorageError(Kind::kOther, "two migrations share version " +
                                           std::to_string(parsed->version) + ": \"" + m.name +
                                           "\" and \"" + parsed->name + "\"");
    }
    m.version = parsed->version;
    m.name = parsed->name;
    (parsed->up ? m.up_sql : m.down_sql) = std::string(body);
    if (parsed->up) has_up.insert(parsed->version);
  }
  std::vector<Migration> out;
  for (auto& [version, m] : by_version) {
    if (!has_up.contains(version)) {
      throw StorageError(Kind::kOther, "migration " + label(m) + " has a .down.sql but no .up.sql");
    }
    out.push_back(std::move(m));
  }
  return out;
}

std::vector<int> applied_migrations(Connection& conn) {
  ensure_migrations_table(conn);
  return read_applied(conn);
}

std::vector<int> migrate_with(Connection& conn, const std::vector<Migration>& migrations) {
  std::vector<int> applied = applied_migrations(conn);
  const int newest_known = migrations.empty() ? 0 : migrations.back().version;
  if (!applied.empty() && applied.back() > newest_known) {
    throw StorageError(Kind::kOther,
                       "the database schema is at version " + std::to_string(applied.back()) +
                           ", newer than this binary knows (" + std::to_string(newest_known) +
                           "): upgrade civicloop instead of running an older one");
  }
  std::vector<int> done;
  for (const Migration& m : migrations) {
    if (std::binary_search(applied.begin(), applied.end(), m.version)) continue;
    bool ran = false;
    try {
      ran = in_migration_tx(conn, [&] {
        // Another starter may have applied it since we looked.
        if (!conn.query("SELECT 1 FROM schema_migrations WHERE version = ?",
                        {static_cast<std::int64_t>(m.version)})
                 .empty()) {
          conn.rollback();
          return false;
        }
        conn.exec_script(m.up_sql);
        conn.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                     {static_cast<std::int64_t>(m.version), m.name, now_ms()});
        conn.commit();
        return true;
      });
    } catch (const StorageError& e) {
      throw StorageError(e.kind(), "migration " + label(m) + " failed: " + e.what(),
                         e.constraint());
    }
    if (ran) done.push_back(m.version);
  }
  return done;
}

std::optional<int> revert_last_migration(Connection& conn,
                                         const std::vector<Migration>& migrations) {
  ensure_migrations_table(conn);
  return in_migration_tx(conn, [&]() -> std::optional<int> {
    auto rows = conn.query("SELECT max(version) FROM schema_migrations");
    auto newest = rows.empty() ? std::nullopt : rows[0].get_opt_int(0);
    if (!newest) {
      conn.rollback();
      return std::nullopt;
    }
    const int version = static_cast<int>(*newest);
    auto it = std::find_if(migrations.begin(), migrations.end(),
                           [&](const Migration& m) { return m.version == version; });
    if (it == migrations.end() || it->down_sql.empty()) {
      throw StorageError(Kind::kOther, "migration " + std::to_string(version) +
                                           " has no .down.sql in this binary: cannot revert it");
    }
    try {
      conn.exec_script(it->down_sql);
    } catch (const StorageError& e) {
      throw StorageError(e.kind(), "reverting migration " + label(*it) + " failed: " + e.what(),
                         e.constraint());
    }
    conn.execute("DELETE FROM schema_migrations WHERE version = ?",
                 {static_cast<std::int64_t>(version)});
    conn.commit();
    return version;
  });
}

std::vector<int> migrate(Connection& conn) {
  return migrate_with(conn, embedded_migrations(conn.dialect()));
}

int latest_migration(Dialect dialect) {
  auto all = embedded_migrations(dialect);
  return all.empty() ? 0 : all.back().version;
}

}  // namespace civicloop::storage
