#include "storage/backup_tools.hpp"

#include <spawn.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <set>
#include <string_view>

#include "storage/migrate.hpp"

extern char** environ;

namespace civicloop::storage {

namespace {

using Kind = StorageError::Kind;

std::string quoted(const std::string& name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// Runs a program (no shell) and waits for it; throws when it cannot start or fails.
void run_tool(const std::string& tool, std::vector<std::string> args) {
  std::string program = tool;
  if (const char* dir = std::getenv("CIVICLOOP_PG_BINDIR"); dir != nullptr && *dir != '\0') {
    program = std::string(dir) + "/" + tool;
  }
  args.insert(args.begin(), program);
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, program.c_str(), nullptr, nullptr, argv.data(), environ);
  if (rc != 0) {
    throw StorageError(Kind::kUnavailable, "cannot run " + program + ": " + std::strerror(rc) +
                                               " (install postgresql-client)");
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR)
      throw StorageError(Kind::kOther, "waitpid: " + std::string(strerror(errno)));
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw StorageError(
        Kind::kUnavailable,
        tool + " failed (" +
            (WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                               : "killed by signal " + std::to_string(WTERMSIG(status))) +
            "); see its message above");
  }
}

void check_sqlite(int rc, sqlite3* db, const std::string& what) {
  if (rc == SQLITE_OK || rc == SQLITE_DONE) return;
  const std::string msg = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  throw StorageError((rc & 0xFF) == SQLITE_BUSY ? Kind::kConflict : Kind::kUnavailable,
                     "sqlite backup: " + what + ": " + msg);
}

struct SqliteHandle {
  sqlite3* db = nullptr;
  ~SqliteHandle() { sqlite3_close_v2(db); }
};

}  // namespace

std::string sqlite_path_of(const std::string& url) {
  if (!url.starts_with("sqlite:")) return "";
  std::string path = url.substr(7);
  if (path.starts_with("//")) path.erase(0, 2);
  return path;
}

bool is_postgres_url(const std::string& url) {
  return url.starts_with("postgresql://") || url.starts_with("postgres://");
}

void sqlite_online_backup(const std::string& src_path, const std::string& dst_path) {
  SqliteHandle src;
  SqliteHandle dst;
  // Read-write without create: a missing file is an error, not a new empty database; the WAL
  // index (-shm) is shared with the server's connections.
  check_sqlite(sqlite3_open_v2(src_path.c_str(), &src.db, SQLITE_OPEN_READWRITE, nullptr), src.db,
               "open " + src_path);
  sqlite3_busy_timeout(src.db, 10000);
  if (std::filesystem::exists(dst_path)) {
    throw StorageError(Kind::kOther, "sqlite backup: " + dst_path + " exists already");
  }
  check_sqlite(sqlite3_open_v2(dst_path.c_str(), &dst.db,
                               SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr),
               dst.db, "create " + dst_path);
  sqlite3_backup* b = sqlite3_backup_init(dst.db, "main", src.db, "main");
  if (b == nullptr) check_sqlite(sqlite3_errcode(dst.db), dst.db, "start");
  // All pages in one step: one read transaction on the source, hence one snapshot. Stepping in
  // pieces would restart from the first page after every write of the server's.
  int rc = SQLITE_OK;
  for (int tries = 0; tries < 100; ++tries) {
    rc = sqlite3_backup_step(b, -1);
    if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
    sqlite3_sleep(100);
  }
  const int finish = sqlite3_backup_finish(b);
  if (rc != SQLITE_DONE) check_sqlite(rc, dst.db, "copy");
  check_sqlite(finish, dst.db, "finish");
  char* err = nullptr;
  if (sqlite3_exec(dst.db, "PRAGMA journal_mode=DELETE", nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err != nullptr ? err : "?";
    sqlite3_free(err);
    throw StorageError(Kind::kUnavailable, "sqlite backup: journal mode: " + msg);
  }
}

void pg_dump_to(const std::string& url, const std::string& snapshot, const std::string& file) {
  std::vector<std::string> args = {"--format=custom", "--file=" + file, "--no-password"};
  if (!snapshot.empty()) args.push_back("--snapshot=" + snapshot);
  args.push_back("--dbname=" + url);
  run_tool("pg_dump", std::move(args));
}

void pg_restore_from(const std::string& url, const std::string& file) {
  run_tool("pg_restore", {"--no-owner", "--no-privileges", "--exit-on-error",
                          "--single-transaction", "--no-password", "--dbname=" + url, file});
}

std::vector<std::string> user_tables(Connection& conn) {
  std::vector<std::string> out;
  if (conn.dialect() == Dialect::kSqlite) {
    for (const auto& r :
         conn.query("SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' "
                    "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")) {
      out.push_back(r.get_text(0));
    }
  } else {
    for (const auto& r :
         conn.query("SELECT table_name FROM information_schema.tables WHERE table_schema = "
                    "current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name")) {
      out.push_back(r.get_text(0));
    }
  }
  return out;
}

std::map<std::string, std::int64_t> table_counts(Connection& conn) {
  std::map<std::string, std::int64_t> out;
  for (const auto& t : user_tables(conn)) {
    out[t] = conn.query("SELECT COUNT(*) FROM " + quoted(t)).at(0).get_int(0);
  }
  return out;
}

std::vector<std::string> table_columns(Connection& conn, const std::string& table) {
  std::vector<std::string> out;
  if (conn.dialect() == Dialect::kSqlite) {
    for (const auto& r :
         conn.query("SELECT name FROM pragma_table_info(?) ORDER BY cid", {table})) {
      out.push_back(r.get_text(0));
    }
  } else {
    for (const auto& r :
         conn.query("SELECT column_name FROM information_schema.columns WHERE table_schema = "
                    "current_schema() AND table_name = ? AND is_generated = 'NEVER' ORDER BY "
                    "ordinal_position",
                    {table})) {
      out.push_back(r.get_text(0));
    }
  }
  return out;
}

std::vector<std::string> tables_in_migration_order(Dialect dialect) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& m : embedded_migrations(dialect)) {
    std::string sql = m.up_sql;
    std::string lower(sql.size(), ' ');
    std::transform(sql.begin(), sql.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::size_t pos = 0;
    while ((pos = lower.find("create table", pos)) != std::string::npos) {
      // Only at the start of a line: not inside a comment's prose.
      const bool line_start = pos == 0 || lower[pos - 1] == '\n';
      pos += 12;
      if (!line_start) continue;
      auto skip_space = [&] {
        while (pos < lower.size() && std::isspace(static_cast<unsigned char>(lower[pos]))) ++pos;
      };
      skip_space();
      if (lower.compare(pos, 13, "if not exists") == 0) {
        pos += 13;
        skip_space();
      }
      std::size_t end = pos;
      while (end < lower.size() &&
             (std::isalnum(static_cast<unsigned char>(lower[end])) || lower[end] == '_')) {
        ++end;
      }
      std::string name = lower.substr(pos, end - pos);
      if (!name.empty() && seen.insert(name).second) out.push_back(name);
      pos = end;
    }
  }
  return out;
}

std::int64_t copy_table_rows(Connection& from, Connection& to, const std::string& table,
                             const std::vector<std::string>& columns,
                             const std::function<void(std::int64_t)>& progress) {
  if (columns.empty()) return 0;
  if (to.query("SELECT COUNT(*) FROM " + quoted(table)).at(0).get_int(0) > 0) {
    to.execute("DELETE FROM " + quoted(table));
  }
  std::string select = "SELECT rowid";
  std::string insert_head = "INSERT INTO " + quoted(table) + " (";
  std::string one_row = "(";
  for (std::size_t i = 0; i < columns.size(); ++i) {
    select += ", " + quoted(columns[i]);
    insert_head += (i > 0 ? ", " : "") + quoted(columns[i]);
    one_row += i > 0 ? ", ?" : "?";
  }
  select += " FROM " + quoted(table) + " WHERE rowid > ? ORDER BY rowid LIMIT ?";
  insert_head += ") VALUES ";
  one_row += ")";
  // PostgreSQL takes at most 65535 parameters a statement.
  const std::int64_t batch = std::max<std::int64_t>(
      1, std::min<std::int64_t>(500, 30000 / static_cast<std::int64_t>(columns.size())));
  std::int64_t last = std::numeric_limits<std::int64_t>::min();
  std::int64_t copied = 0;
  std::string insert;
  std::vector<Value> params;
  for (;;) {
    const auto rows = from.query(select, {last, batch});
    if (rows.empty()) break;
    insert = insert_head;
    params.clear();
    params.reserve(rows.size() * columns.size());
    for (std::size_t r = 0; r < rows.size(); ++r) {
      if (r > 0) insert += ", ";
      insert += one_row;
      for (std::size_t c = 0; c < columns.size(); ++c) params.push_back(rows[r].value(c + 1));
    }
    to.execute(insert, params);
    last = rows.back().get_int(0);
    copied += static_cast<std::int64_t>(rows.size());
    if (progress) progress(copied);
    if (static_cast<std::int64_t>(rows.size()) < batch) break;
  }
  return copied;
}

void reset_sequences(Connection& conn) {
  if (conn.dialect() != Dialect::kPostgres) return;
  const auto cols = conn.query(
      "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = "
      "current_schema() AND (is_identity = 'YES' OR column_default LIKE 'nextval(%')");
  for (const auto& r : cols) {
    const auto table = r.get_text(0);
    const auto column = r.get_text(1);
    conn.query(
        "SELECT setval(pg_get_serial_sequence(CAST(? AS TEXT), CAST(? AS TEXT)), "
        "COALESCE((SELECT MAX(" +
            quoted(column) + ") FROM " + quoted(table) + "), 0) + 1, false)",
        {quoted(table), column});
  }
}

}  // namespace civicloop::storage
