// storage::Connection over sqlite3: one connection per thread (SQLITE_OPEN_NOMUTEX), WAL,
// synchronous=FULL, a per-connection LRU cache of prepared statements.
#include "storage/sqlite/sqlite_db.hpp"

#include <sqlite3.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <list>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <vector>

namespace civicloop::storage::sqlite {

namespace {

using Kind = StorageError::Kind;

constexpr std::size_t kStatementCacheSize = 64;
constexpr int kBusyTimeoutMs = 10000;

// The SQL in an error message: whitespace collapsed, at most ~160 bytes, never cut inside a UTF-8
// sequence. Parameters are never included (they may hold personal data).
std::string sql_excerpt(std::string_view sql) {
  std::string out;
  bool space = false;
  for (char c : sql) {
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  if (out.size() > 160) {
    std::size_t n = 160;
    while (n > 0 && (static_cast<unsigned char>(out[n]) & 0xC0) == 0x80) --n;
    out.resize(n);
    out += "...";
  }
  return out;
}

bool is_blank(std::string_view s) {
  return s.find_first_not_of(" \t\r\n;") == std::string_view::npos;
}

Kind kind_of(int rc) {
  switch (rc & 0xFF) {
    case SQLITE_CONSTRAINT:
      return rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY
                 ? Kind::kUniqueViolation
                 : Kind::kConstraint;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Kind::kConflict;
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_NOLFS:
      return Kind::kUnavailable;
    default:
      return Kind::kOther;
  }
}

// After these the connection is not worth keeping: the pool opens a fresh one.
bool breaks_connection(int rc) {
  switch (rc & 0xFF) {
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return true;
    default:
      return false;
  }
}

// "UNIQUE constraint failed: users.tenant_id, users.login" -> "users.tenant_id, users.login"
std::string constraint_of(std::string_view msg) {
  auto pos = msg.find("constraint failed: ");
  if (pos == std::string_view::npos) return {};
  return std::string(msg.substr(pos + 19));
}

class SqliteConnection final : public Connection {
 public:
  explicit SqliteConnection(const std::string& path) {
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
#ifdef SQLITE_OPEN_EXRESCODE
    flags |= SQLITE_OPEN_EXRESCODE;
#endif
    int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
      std::string msg = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
      sqlite3_close_v2(db_);
      db_ = nullptr;
      throw StorageError(Kind::kUnavailable, "sqlite: cannot open " + path + ": " + msg);
    }
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, kBusyTimeoutMs);
    try {
      auto mode = query("PRAGMA journal_mode=WAL", {});
      if (mode.empty() || mode[0].get_text(0) != "wal") {
        throw StorageError(Kind::kUnavailable,
                           "sqlite: cannot switch " + path + " to WAL mode (got \"" +
                               (mode.empty() ? std::string() : mode[0].get_text(0)) +
                               "\"); a network filesystem does not support it");
      }
      // synchronous=FULL: a commit that returned is on disk, even across a power cut.
      // wal_autocheckpoint=0: no commit runs a checkpoint (it would put the copy of the WAL
      // into the database file, and its fsyncs, on a request's path); the database's
      // checkpointer thread does it in the background (SqliteDatabase below).
      exec_script(
          "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA wal_autocheckpoint=0; "
          "PRAGMA journal_size_limit=67108864;");
    } catch (const StorageError& e) {
      close();
      throw StorageError(e.kind() == Kind::kOther ? Kind::kUnavailable : e.kind(),
                         std::string("sqlite: cannot set up ") + path + ": " + e.what());
    }
  }

  ~SqliteConnection() override { close(); }

  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  Dialect dialect() const override { return Dialect::kSqlite; }

  void exec_script(std::string_view sql) override {
    check_usable();
    std::string text(sql);
    int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) throw failure(rc, sql);
  }

  std::vector<Row> query(std::string_view sql, const std::vector<Value>& params) override {
    check_usable();
    std::vector<Row> rows;
    run(sql, params, &rows);
    return rows;
  }

  std::int64_t execute(std::string_view sql, const std::vector<Value>& params) override {
    check_usable();
    const sqlite3_int64 before = sqlite3_total_changes64(db_);
    run(sql, params, nullptr);
    // sqlite3_changes() keeps the count of the last INSERT/UPDATE/DELETE, so a DDL statement or a
    // SELECT would report a stale number: only trust it when this statement changed something.
    if (sqlite3_total_changes64(db_) == before) return 0;
    return sqlite3_changes64(db_);
  }

  void begin(bool write) override {
    check_open();
    if (in_tx_) throw StorageError(Kind::kOther, "sqlite: begin() inside a transaction");
    step_simple(write ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED");
    in_tx_ = true;
    tx_failed_ = false;
    savepoints_ = 0;
  }

  void commit() override {
    check_open();
    if (!in_tx_) throw StorageError(Kind::kOther, "sqlite: commit() without begin()");
    if (tx_failed_) {
      rollback();
      throw StorageError(Kind::kOther,
                         "sqlite: the transaction was aborted by an earlier error and has been "
                         "rolled back");
    }
    step_simple("COMMIT");
    in_tx_ = false;
    savepoints_ = 0;
  }

  void rollback() noexcept override {
    in_tx_ = false;
    tx_failed_ = false;
    savepoints_ = 0;
    if (db_ == nullptr || sqlite3_get_autocommit(db_) != 0) return;
    try {
      step_simple("ROLLBACK");
    } catch (...) {
      // Nothing to do: SQLite rolls back on close, and the next BEGIN would report the problem.
    }
  }

  void savepoint() override {
    check_usable();
    if (!in_tx_) throw StorageError(Kind::kOther, "sqlite: savepoint() outside a transaction");
    step_simple("SAVEPOINT civicloop_job");
    ++savepoints_;
  }

  void release_savepoint() override {
    check_usable();
    if (savepoints_ == 0) throw StorageError(Kind::kOther, "sqlite: no savepoint to release");
    step_simple("RELEASE civicloop_job");
    --savepoints_;
  }

  void rollback_to_savepoint() override {
    check_open();
    if (savepoints_ == 0) throw StorageError(Kind::kOther, "sqlite: no savepoint to roll back to");
    --savepoints_;
    if (sqlite3_get_autocommit(db_) != 0) {
      // SQLite rolled the whole transaction back by itself (I/O error, disk full): nothing left.
      in_tx_ = false;
      tx_failed_ = false;
      savepoints_ = 0;
      return;
    }
    tx_failed_ = false;
    try {
      step_simple("ROLLBACK TO civicloop_job");
      step_simple("RELEASE civicloop_job");
    } catch (...) {
      tx_failed_ = true;
      throw;
    }
  }

  bool in_transaction() const override {
    return db_ != nullptr && in_tx_ && sqlite3_get_autocommit(db_) == 0;
  }

  bool broken() const override { return db_ == nullptr || broken_; }

 private:
  struct CachedStatement {
    std::string sql;
    sqlite3_stmt* stmt;
  };

  // Resets a statement and drops its bindings however the step loop ends.
  struct ResetGuard {
    sqlite3_stmt* stmt;
    ~ResetGuard() {
      sqlite3_reset(stmt);
      sqlite3_clear_bindings(stmt);
    }
  };

  void close() noexcept {
    for (auto& c : cache_) sqlite3_finalize(c.stmt);
    index_.clear();
    cache_.clear();
    if (db_ != nullptr) sqlite3_close_v2(db_);  // rolls back an open transaction
    db_ = nullptr;
  }

  void check_open() const {
    if (db_ == nullptr) throw StorageError(Kind::kUnavailable, "sqlite: the connection is closed");
  }

  // Like PostgreSQL, a statement that failed inside a transaction dooms it: the caller must roll
  // back. SQLite alone would carry on (or, after some errors, silently leave the transaction), and
  // repository code that relied on that would break on PostgreSQL.
  void check_usable() const {
    check_open();
    if (tx_failed_) {
      throw StorageError(Kind::kOther,
                         "sqlite: the transaction was aborted by an earlier error; roll it back");
    }
  }

  StorageError failure(int rc, std::string_view sql) {
    const char* raw = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    std::string msg = raw != nullptr ? raw : "unknown error";
    if (in_tx_) tx_failed_ = true;
    if (breaks_connection(rc)) broken_ = true;
    Kind kind = kind_of(rc);
    std::string constraint = kind == Kind::kUniqueViolation ? constraint_of(msg) : std::string();
    return StorageError(
        kind, "sqlite error " + std::to_string(rc) + ": " + msg + "; sql: " + sql_excerpt(sql),
        std::move(constraint));
  }

  sqlite3_stmt* prepare(std::string_view sql) {
    if (auto it = index_.find(sql); it != index_.end()) {
      cache_.splice(cache_.begin(), cache_, it->second);
      return it->second->stmt;
    }
    sqlite3_stmt* stmt = nullptr;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
    if (rc != SQLITE_OK) throw failure(rc, sql);
    if (stmt == nullptr) throw StorageError(Kind::kOther, "sqlite: empty SQL statement");
    std::string_view rest(tail, static_cast<std::size_t>(sql.data() + sql.size() - tail));
    if (!is_blank(rest)) {
      // Only comments may follow the statement.
      sqlite3_stmt* extra = nullptr;
      rc = sqlite3_prepare_v2(db_, rest.data(), static_cast<int>(rest.size()), &extra, nullptr);
      bool more = rc != SQLITE_OK || extra != nullptr;
      sqlite3_finalize(extra);
      if (more) {
        sqlite3_finalize(stmt);
        throw StorageError(Kind::kOther,
                           "sqlite: query() and execute() run one statement; use exec_script() "
                           "for several; sql: " +
                               sql_excerpt(sql));
      }
    }
    cache_.push_front(CachedStatement{std::string(sql), stmt});
    index_.emplace(cache_.front().sql, cache_.begin());
    if (cache_.size() > kStatementCacheSize) {
      CachedStatement& last = cache_.back();
      index_.erase(last.sql);
      sqlite3_finalize(last.stmt);
      cache_.pop_back();
    }
    return stmt;
  }

  void bind(sqlite3_stmt* stmt, const std::vector<Value>& params, std::string_view sql) {
    const int expected = sqlite3_bind_parameter_count(stmt);
    if (static_cast<std::size_t>(expected) != params.size()) {
      throw StorageError(Kind::kOther, "sqlite: the statement has " + std::to_string(expected) +
                                           " placeholders but " + std::to_string(params.size()) +
                                           " values were given; sql: " + sql_excerpt(sql));
    }
    for (std::size_t i = 0; i < params.size(); ++i) {
      const int index = static_cast<int>(i) + 1;
      const Value& v = params[i];
      int rc = SQLITE_OK;
      if (const auto* n = std::get_if<std::int64_t>(&v)) {
        rc = sqlite3_bind_int64(stmt, index, *n);
      } else if (const auto* d = std::get_if<double>(&v)) {
        rc = sqlite3_bind_double(stmt, index, *d);
      } else if (const auto* s = std::get_if<std::string>(&v)) {
        // SQLITE_STATIC: params outlive the statement's use; ResetGuard clears the bindings.
        rc = sqlite3_bind_text64(stmt, index, s->data(), s->size(), SQLITE_STATIC, SQLITE_UTF8);
      } else {
        rc = sqlite3_bind_null(stmt, index);
      }
      if (rc != SQLITE_OK) throw failure(rc, sql);
    }
  }

  static Value column_value(sqlite3_stmt* stmt, int i) {
    switch (sqlite3_column_type(stmt, i)) {
      case SQLITE_INTEGER:
        return static_cast<std::int64_t>(sqlite3_column_int64(stmt, i));
      case SQLITE_FLOAT:
        return sqlite3_column_double(stmt, i);
      case SQLITE_TEXT: {
        const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
        const int n = sqlite3_column_bytes(stmt, i);
        return p != nullptr ? std::string(p, static_cast<std::size_t>(n)) : std::string();
      }
      case SQLITE_BLOB: {
        const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt, i));
        const int n = sqlite3_column_bytes(stmt, i);
        return p != nullptr ? std::string(p, static_cast<std::size_t>(n)) : std::string();
      }
      default:
        return nullptr;
    }
  }

  void run(std::string_view sql, const std::vector<Value>& params, std::vector<Row>* rows) {
    sqlite3_stmt* stmt = prepare(sql);
    ResetGuard guard{stmt};
    bind(stmt, params, sql);
    for (;;) {
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_ROW) {
        if (rows == nullptr) continue;
        // Read after the step: a schema change re-prepares the statement (SELECT * grows).
        const int columns = sqlite3_column_count(stmt);
        std::vector<Value> cells;
        cells.reserve(static_cast<std::size_t>(columns));
        for (int i = 0; i < columns; ++i) cells.push_back(column_value(stmt, i));
        rows->emplace_back(std::move(cells));
        continue;
      }
      if (rc == SQLITE_DONE) return;
      throw failure(rc, sql);
    }
  }

  // BEGIN/COMMIT/ROLLBACK: cached like any statement, without the aborted-transaction check.
  void step_simple(const char* sql) { run(sql, {}, nullptr); }

  sqlite3* db_ = nullptr;
  bool in_tx_ = false;      // begin() succeeded, commit()/rollback() not yet called
  bool tx_failed_ = false;  // a statement failed inside that transaction
  bool broken_ = false;
  int savepoints_ = 0;                // open savepoints of this transaction
  std::list<CachedStatement> cache_;  // most recently used first
  // Keys view the strings held by cache_ nodes, which never move.
  std::unordered_map<std::string_view, std::list<CachedStatement>::iterator> index_;
};

// Checkpoints off the request path. Every connection runs with wal_autocheckpoint=0, so no commit
// copies the WAL back into the database file; this thread does, on its own connection:
// a PASSIVE checkpoint whenever the WAL has grown since the last one (it never blocks the writer
// or readers, and the next writer restarts the WAL from its start once every frame is in the
// database and no reader needs them), and a RESTART checkpoint when the WAL passes
// kWalRestartPages anyway (long readers kept PASSIVE from finishing): that one waits for the
// readers and holds writers back until it is done, which bounds the WAL's size.
// journal_size_limit truncates the file back to 64 MiB after a restart.
class Checkpointer {
 public:
  static constexpr auto kInterval = std::chrono::milliseconds(100);
  static constexpr std::int64_t kWalRestartPages = 65536;  // 256 MiB at 4 KiB pages

  explicit Checkpointer(std::string path) : path_(std::move(path)) {
    thread_ = std::thread([this] { loop(); });
  }
  ~Checkpointer() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

 private:
  void loop() {
    std::unique_ptr<SqliteConnection> conn;
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, kInterval, [&] { return stopping_; })) {
      lock.unlock();
      try {
        if (!conn) conn = std::make_unique<SqliteConnection>(path_);
        auto rows = conn->query("PRAGMA wal_checkpoint(PASSIVE)", {});
        // busy, frames in the WAL, frames checkpointed
        if (!rows.empty() && rows[0].get_int(1) > kWalRestartPages) {
          conn->query("PRAGMA wal_checkpoint(RESTART)", {});
        }
      } catch (const StorageError&) {
        // Busy or I/O trouble: the next round tries again; a broken connection is reopened.
        if (conn && conn->broken()) conn.reset();
      }
      lock.lock();
    }
  }

  std::string path_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

class SqliteDatabase final : public Database {
 public:
  SqliteDatabase(std::string path, int pool_size)
      : Database(pool_size), path_(std::move(path)), checkpointer_(path_) {}
  ~SqliteDatabase() override { stop_writer(); }
  Dialect dialect() const override { return Dialect::kSqlite; }
  std::string describe() const override { return "sqlite"; }

 protected:
  std::unique_ptr<Connection> connect() override {
    return std::make_unique<SqliteConnection>(path_);
  }

 private:
  std::string path_;
  Checkpointer checkpointer_;
};

}  // namespace

std::unique_ptr<Database> open_database(std::string_view spec, int pool_size) {
  std::string path(spec);
  if (path.starts_with("//")) path.erase(0, 2);  // sqlite:///srv/x.db
  if (path.empty()) {
    throw StorageError(
        Kind::kOther,
        "the sqlite URL names no file: use sqlite:PATH, e.g. sqlite:var/civicloop.db");
  }
  if (path == ":memory:" || path.starts_with("file::memory:") ||
      path.find("mode=memory") != std::string::npos) {
    throw StorageError(Kind::kOther,
                       "sqlite::memory: is not supported: every pooled connection must see the "
                       "same data; use a file (a temporary one in tests)");
  }
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path file = fs::absolute(fs::path(path), ec);  // later connections must not follow a chdir
  if (ec) file = fs::path(path);
  if (file.has_parent_path() && !fs::exists(file.parent_path(), ec)) {
    fs::create_directories(file.parent_path(), ec);
    if (ec) {
      throw StorageError(Kind::kUnavailable, "sqlite: cannot create directory " +
                                                 file.parent_path().string() + ": " + ec.message());
    }
  }
  return std::make_unique<SqliteDatabase>(file.string(), pool_size);
}

}  // namespace civicloop::storage::sqlite
