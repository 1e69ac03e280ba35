// The one seam in front of the two databases.
//
// A Connection runs SQL written once for both backends: parameters are `?` placeholders (the
// PostgreSQL driver rewrites them to $1, $2, ...), booleans are integers 0/1, times are integer
// milliseconds since the epoch (UTC), JSON is text. Repositories in src/storage/ are written
// against this interface only, so one contract test suite covers both drivers.
//
// Ownership: a Database owns a small pool of connections; a Lease borrows one for the duration of a
// transaction. A Connection is used by one thread at a time; Database::acquire is thread-safe.
// A Database also owns the group-commit writer (Database::write, storage/writer.hpp), with a
// connection of its own, and (SQLite) a checkpointer thread that keeps WAL checkpoints off the
// request path.
//
// Errors: every failure is a StorageError (an exception), with a kind that does not depend on the
// backend. Expected outcomes (not found, duplicate) are decided by the repositories and use cases.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace civicloop::storage {

enum class Dialect { kSqlite, kPostgres };

// A bound parameter or a result cell.
using Value = std::variant<std::nullptr_t, std::int64_t, double, std::string>;

class StorageError : public std::runtime_error {
 public:
  enum class Kind {
    kUnavailable,      // cannot connect, disk full, I/O error
    kUniqueViolation,  // a unique constraint refused the write
    kConstraint,       // another constraint (foreign key, check, not null)
    kConflict,         // serialization failure or lock timeout: the caller may retry
    kOther,
  };
  StorageError(Kind kind, const std::string& what, std::string constraint = {})
      : std::runtime_error(what), kind_(kind), constraint_(std::move(constraint)) {}
  Kind kind() const { return kind_; }
  const std::string& constraint() const { return constraint_; }

 private:
  Kind kind_;
  std::string constraint_;
};

// One result row. Cells come typed from SQLite and as text from PostgreSQL; the accessors convert.
class Row {
 public:
  explicit Row(std::vector<Value> cells) : cells_(std::move(cells)) {}
  std::size_t size() const { return cells_.size(); }
  bool is_null(std::size_t i) const;
  std::int64_t get_int(std::size_t i) const;
  std::optional<std::int64_t> get_opt_int(std::size_t i) const;
  double get_double(std::size_t i) const;
  bool get_bool(std::size_t i) const { return get_int(i) != 0; }
  std::string get_text(std::size_t i) const;  // "" for NULL
  std::optional<std::string> get_opt_text(std::size_t i) const;
  // The cell as the driver gave it (typed from SQLite, text from PostgreSQL): copying rows as
  // they are (civicloop migrate-db).
  const Value& value(std::size_t i) const { return cells_.at(i); }

 private:
  std::vector<Value> cells_;
};

class Connection {
 public:
  virtual ~Connection() = default;
  virtual Dialect dialect() const = 0;
  // Runs one or more statements without parameters (migrations, pragmas).
  virtual void exec_script(std::string_view sql) = 0;
  // Runs one statement and returns its rows (statements with RETURNING included).
  virtual std::vector<Row> query(std::string_view sql, const std::vector<Value>& params = {}) = 0;
  // Runs one statement and returns the number of rows it changed.
  virtual std::int64_t execute(std::string_view sql, const std::vector<Value>& params = {}) = 0;
  // Transactions. begin(true) takes the write lock up front (SQLite: BEGIN IMMEDIATE), so two
  // writers never deadlock on a lock upgrade.
  virtual void begin(bool write) = 0;
  virtual void commit() = 0;
  virtual void rollback() noexcept = 0;
  // Savepoints inside a transaction (the group-commit writer runs each job in one). They nest;
  // each call works on the innermost. rollback_to_savepoint() undoes the work since the savepoint
  // and releases it, and clears the "aborted by an earlier error" state that a failed statement
  // left, so the transaction goes on. in_transaction() is false when the backend ended the
  // transaction by itself (SQLite after some I/O errors): then nothing of it will commit.
  virtual void savepoint() = 0;
  virtual void release_savepoint() = 0;
  virtual void rollback_to_savepoint() = 0;
  virtual bool in_transaction() const = 0;
  // True when the connection broke and should not go back to the pool.
  virtual bool broken() const { return false; }

  // Runs one statement once the work it belongs to is kept: inside a group-commit batch, after
  // the batch's last job and just before its COMMIT (a job rolled back drops its own); outside a
  // batch, at once. For writes nothing in the same batch reads back: SQLite's FTS5 index flushes
  // its pending terms at every SAVEPOINT, so one insert per job cost one flush (and one new
  // segment to merge) per report; at the end of the batch it is one flush per commit.
  void execute_at_batch_end(std::string sql, std::vector<Value> params = {});

  // The writer's list of deferred statements while a batch runs on this connection (else null).
  struct Deferred {
    std::string sql;
    std::vector<Value> params;
  };
  std::vector<Deferred>* batch_end = nullptr;
};

class Database;
class Writer;

// Work for the group-commit writer (storage/writer.hpp): true keeps it, false rolls it back.
using WriteJob = std::function<bool(Connection&)>;

// What the writer has done since it started.
struct WriteStats {
  std::uint64_t batches = 0;         // transactions committed or tried
  std::uint64_t jobs = 0;            // jobs run in them
  std::uint64_t failed_commits = 0;  // batches whose COMMIT failed (nothing of them written)
};

// A connection borrowed from the pool; returns it on destruction.
class Lease {
 public:
  Lease(Database* db, std::unique_ptr<Connection> conn) : db_(db), conn_(std::move(conn)) {}
  Lease(Lease&&) = default;
  Lease& operator=(Lease&&) = delete;
  Lease(const Lease&) = delete;
  ~Lease();
  Connection& operator*() { return *conn_; }
  Connection* operator->() { return conn_.get(); }

 private:
  Database* db_;
  std::unique_ptr<Connection> conn_;
};

class Database {
 public:
  // url: "sqlite:PATH" or "postgresql://..." / "postgres://...". Throws StorageError when it
  // cannot open. At most pool_size connections are open at once; acquire() waits for a free one.
  static std::unique_ptr<Database> open(const std::string& url, int pool_size = 4);

  explicit Database(int pool_size);
  virtual ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  virtual Dialect dialect() const = 0;
  virtual std::string describe() const = 0;  // "sqlite" or "postgresql", for /healthz
  Lease acquire();

  // Runs job in the group-commit writer (storage/writer.hpp): inside a savepoint of the next
  // batch transaction, on the writer's own connection; returns once that batch is committed
  // (durably: acknowledged only after the commit is on disk) or rethrows what failed it. The
  // writer starts on first use. Thread-safe.
  void write(const WriteJob& job);
  WriteStats write_stats();

 protected:
  virtual std::unique_ptr<Connection> connect() = 0;
  // Drivers call this first in their destructor: the writer thread uses connect().
  void stop_writer();

 private:
  friend class Lease;
  void give_back(std::unique_ptr<Connection> conn);

  const int pool_size_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;
  int open_ = 0;
  std::mutex writer_mutex_;
  std::unique_ptr<Writer> writer_;
};

// Applies the numbered migrations of the connection's dialect that are not yet applied, each in
// its own transaction. Returns the versions applied. Safe to call at every start-up.
std::vector<int> migrate(Connection& conn);

// The highest migration version known to this binary, per dialect.
int latest_migration(Dialect dialect);

}  // namespace civicloop::storage
