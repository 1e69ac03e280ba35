// storage::Connection over libpq: text-format parameters and results, `?` rewritten to $n.
#include "storage/postgres/pg_db.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>
#include <unordered_map>
#include <vector>

namespace civicloop::storage::postgres {

namespace {

using Kind = StorageError::Kind;

constexpr std::size_t kRewriteCacheSize = 512;

struct ResultDeleter {
  void operator()(PGresult* r) const noexcept { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

// Whitespace collapsed, at most ~160 bytes, never cut inside a UTF-8 sequence.
std::string collapse(std::string_view text, std::size_t limit = 160) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  if (out.size() > limit) {
    std::size_t n = limit;
    while (n > 0 && (static_cast<unsigned char>(out[n]) & 0xC0) == 0x80) --n;
    out.resize(n);
    out += "...";
  }
  return out;
}

bool ident_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || c == '_' ||
         c == '$' || u >= 0x80;
}

bool tag_start(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || c == '_' || u >= 0x80;
}

bool tag_char(char c) { return c != '$' && ident_char(c); }

Kind kind_of_sqlstate(std::string_view state) {
  if (state == "23505") return Kind::kUniqueViolation;
  if (state.starts_with("23")) return Kind::kConstraint;
  if (state == "40001" || state == "40P01" || state == "55P03") return Kind::kConflict;
  if (state.starts_with("08") || state.starts_with("53") || state.starts_with("57P") ||
      state.starts_with("58")) {
    return Kind::kUnavailable;
  }
  return Kind::kOther;
}

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
};

struct Rewritten {
  std::string sql;
  std::size_t count = 0;
};

class PgConnection final : public Connection {
 public:
  explicit PgConnection(const std::string& url) {
    // Keywords before dbname are defaults the URL may override; those after it are imposed.
    const char* keys[] = {"connect_timeout", "application_name", "dbname", "client_encoding",
                          nullptr};
    const char* values[] = {"10", "civicloop", url.c_str(), "UTF8", nullptr};
    conn_ = PQconnectdbParams(keys, values, 1);
    if (conn_ == nullptr) {
      throw StorageError(Kind::kUnavailable, "postgresql: cannot allocate a connection");
    }
    if (PQstatus(conn_) != CONNECTION_OK) {
      std::string msg = collapse(PQerrorMessage(conn_), 400);
      PQfinish(conn_);
      conn_ = nullptr;
      throw StorageError(Kind::kUnavailable, "postgresql: cannot connect: " + msg);
    }
    // NOTICEs ("relation already exists, skipping") would otherwise go to stderr.
    PQsetNoticeProcessor(
        conn_, [](void*, const char*) {}, nullptr);
    try {
      exec_script("SET TimeZone = 'UTC'; SET standard_conforming_strings = on");
    } catch (...) {
      PQfinish(conn_);
      conn_ = nullptr;
      throw;
    }
  }

  ~PgConnection() override {
    if (conn_ != nullptr) PQfinish(conn_);
  }

  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  Dialect dialect() const override { return Dialect::kPostgres; }

  void exec_script(std::string_view sql) override {
    check_open();
    std::string text(sql);
    Result res(PQexec(conn_, text.c_str()));
    check(res.get(), sql);
  }

  std::vector<Row> query(std::string_view sql, const std::vector<Value>& params) override {
    Result res = run(sql, params);
    const int nrows = PQntuples(res.get());
    const int ncols = PQnfields(res.get());
    std::vector<Row> rows;
    rows.reserve(static_cast<std::size_t>(nrows));
    for (int r = 0; r < nrows; ++r) {
      std::vector<Value> cells;
      cells.reserve(static_cast<std::size_t>(ncols));
      for (int c = 0; c < ncols; ++c) {
        if (PQgetisnull(res.get(), r, c) != 0) {
          cells.emplace_back(nullptr);
        } else {
          cells.emplace_back(std::string(PQgetvalue(res.get(), r, c),
                                         static_cast<std::size_t>(PQgetlength(res.get(), r, c))));
        }
      }
      rows.emplace_back(std::move(cells));
    }
    return rows;
  }

  std::int64_t execute(std::string_view sql, const std::vector<Value>& params) override {
    Result res = run(sql, params);
    // PQcmdTuples counts the rows a SELECT returned; execute() reports rows changed.
    if (std::string_view(PQcmdStatus(res.get())).starts_with("SELECT")) return 0;
    std::string_view tuples = PQcmdTuples(res.get());
    std::int64_t n = 0;
    std::from_chars(tuples.data(), tuples.data() + tuples.size(), n);
    return n;
  }

  void begin(bool write) override {
    check_open();
    if (PQtransactionStatus(conn_) != PQTRANS_IDLE) {
      throw StorageError(Kind::kOther, "postgresql: begin() inside a transaction");
    }
    // READ COMMITTED for readers and writers alike; writers lock rows by updating them.
    simple("BEGIN");
  }

  void commit() override {
    check_open();
    if (PQtransactionStatus(conn_) == PQTRANS_IDLE) {
      throw StorageError(Kind::kOther, "postgresql: commit() without begin()");
    }
    Result res = simple("COMMIT");
    // COMMIT of a transaction that an error aborted "succeeds" by rolling back.
    if (std::string_view(PQcmdStatus(res.get())) == "ROLLBACK") {
      throw StorageError(Kind::kOther,
                         "postgresql: the transaction was aborted by an earlier error and has "
                         "been rolled back");
    }
  }

  void rollback() noexcept override {
    if (conn_ == nullptr) return;
    const auto status = PQtransactionStatus(conn_);
    if (status == PQTRANS_INTRANS || status == PQTRANS_INERROR) {
      PQclear(PQexec(conn_, "ROLLBACK"));
    }
  }

  bool broken() const override {
    return conn_ == nullptr || broken_ || PQstatus(conn_) != CONNECTION_OK;
  }

  void savepoint() override {
    check_open();
    if (PQtransactionStatus(conn_) != PQTRANS_INTRANS) {
      throw StorageError(Kind::kOther, "postgresql: savepoint() outside a usable transaction");
    }
    simple("SAVEPOINT civicloop_job");
  }

  void release_savepoint() override {
    check_open();
    simple("RELEASE SAVEPOINT civicloop_job");
  }

  void rollback_to_savepoint() override {
    check_open();
    // Also what takes a transaction out of the aborted state a failed statement left.
    simple("ROLLBACK TO SAVEPOINT civicloop_job; RELEASE SAVEPOINT civicloop_job");
  }

  bool in_transaction() const override {
    if (conn_ == nullptr) return false;
    const auto status = PQtransactionStatus(conn_);
    return status == PQTRANS_INTRANS || status == PQTRANS_INERROR;
  }

 private:
  void check_open() const {
    if (conn_ == nullptr) {
      throw StorageError(Kind::kUnavailable, "postgresql: the connection is closed");
    }
  }

  const Rewritten& rewritten(std::string_view sql) {
    if (auto it = rewrites_.find(sql); it != rewrites_.end()) return it->second;
    if (rewrites_.size() >= kRewriteCacheSize) rewrites_.clear();
    Rewritten rw;
    rw.sql = rewrite_placeholders(sql, rw.count);
    return rewrites_.emplace(std::string(sql), std::move(rw)).first->second;
  }

  Result run(std::string_view sql, const std::vector<Value>& params) {
    check_open();
    const Rewritten& rw = rewritten(sql);
    if (rw.count != params.size()) {
      throw StorageError(Kind::kOther, "postgresql: the statement has " + std::to_string(rw.count) +
                                           " placeholders but " + std::to_string(params.size()) +
                                           " values were given; sql: " + collapse(sql));
    }
    std::vector<std::string> printed;
    printed.reserve(params.size());  // no reallocation: values[] points into these strings
    std::vector<const char*> values(params.size(), nullptr);
    for (std::size_t i = 0; i < params.size(); ++i) {
      const Value& v = params[i];
      if (const auto* n = std::get_if<std::int64_t>(&v)) {
        char buf[24];
        auto r = std::to_chars(buf, buf + sizeof buf, *n);
        values[i] = printed.emplace_back(buf, r.ptr).c_str();
      } else if (const auto* d = std::get_if<double>(&v)) {
        if (std::isnan(*d)) {
          values[i] = "NaN";
        } else if (std::isinf(*d)) {
          values[i] = *d > 0 ? "Infinity" : "-Infinity";
        } else {
          char buf[32];
          auto r = std::to_chars(buf, buf + sizeof buf, *d);  // shortest exact form
          values[i] = printed.emplace_back(buf, r.ptr).c_str();
        }
      } else if (const auto* s = std::get_if<std::string>(&v)) {
        if (s->find('\0') != std::string::npos) {
          throw StorageError(Kind::kOther, "postgresql: text parameter " + std::to_string(i + 1) +
                                               " contains a NUL byte; sql: " + collapse(sql));
        }
        values[i] = s->c_str();
      }
    }
    Result res(PQexecParams(conn_, rw.sql.c_str(), static_cast<int>(params.size()), nullptr,
                            values.data(), nullptr, nullptr, 0));
    check(res.get(), sql);
    return res;
  }

  Result simple(const char* sql) {
    Result res(PQexec(conn_, sql));
    check(res.get(), sql);
    return res;
  }

  void check(const PGresult* res, std::string_view sql) {
    const ExecStatusType status = res != nullptr ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    switch (status) {
      case PGRES_COMMAND_OK:
      case PGRES_TUPLES_OK:
      case PGRES_EMPTY_QUERY:
        return;
      case PGRES_FATAL_ERROR:
      case PGRES_NONFATAL_ERROR:
      case PGRES_BAD_RESPONSE:
        throw failure(res, sql);
      default:
        // COPY and the like leave the connection in a state this driver does not handle.
        broken_ = true;
        throw StorageError(Kind::kOther, std::string("postgresql: unexpected result ") +
                                             PQresStatus(status) + "; sql: " + collapse(sql));
    }
  }

  StorageError failure(const PGresult* res, std::string_view sql) const {
    const char* state = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    const char* primary =
        res != nullptr ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    std::string msg = collapse(primary != nullptr ? primary : PQerrorMessage(conn_), 400);
    Kind kind = state != nullptr ? kind_of_sqlstate(state) : Kind::kOther;
    if (PQstatus(conn_) != CONNECTION_OK) kind = Kind::kUnavailable;
    std::string constraint;
    if (kind == Kind::kUniqueViolation) {
      const char* name = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);
      if (name != nullptr) constraint = name;
    }
    return StorageError(kind,
                        "postgresql error " + std::string(state != nullptr ? state : "(none)") +
                            ": " + msg + "; sql: " + collapse(sql),
                        std::move(constraint));
  }

  PGconn* conn_ = nullptr;
  bool broken_ = false;
  std::unordered_map<std::string, Rewritten, StringHash, std::equal_to<>> rewrites_;
};

class PgDatabase final : public Database {
 public:
  PgDatabase(std::string url, int pool_size) : Database(pool_size), url_(std::move(url)) {}
  ~PgDatabase() override { stop_writer(); }
  Dialect dialect() const override { return Dialect::kPostgres; }
  std::string describe() const override { return "postgresql"; }

 protected:
  std::unique_ptr<Connection> connect() override { return std::make_unique<PgConnection>(url_); }

 private:
  std::string url_;
};

}  // namespace

std::string rewrite_placeholders(std::string_view sql, std::size_t& count) {
  std::string out;
  out.reserve(sql.size() + 16);
  count = 0;
  const std::size_t n = sql.size();
  std::size_t i = 0;
  auto copy_to = [&](std::size_t end) {
    end = std::min(end, n);
    out.append(sql.substr(i, end - i));
    i = end;
  };
  while (i < n) {
    const char c = sql[i];
    if (c == '\'') {
      // E'...' strings take backslash escapes; standard ones only double the quote.
      const bool escapes =
          i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e') && (i < 2 || !ident_char(sql[i - 2]));
      std::size_t j = i + 1;
      while (j < n) {
        if (escapes && sql[j] == '\\') {
          j += 2;
        } else if (sql[j] == '\'') {
          if (j + 1 < n && sql[j + 1] == '\'') {
            j += 2;
          } else {
            ++j;
            break;
          }
        } else {
          ++j;
        }
      }
      copy_to(j);
    } else if (c == '"') {
      std::size_t j = i + 1;
      while (j < n) {
        if (sql[j] == '"') {
          if (j + 1 < n && sql[j + 1] == '"') {
            j += 2;
            continue;
          }
          ++j;
          break;
        }
        ++j;
      }
      copy_to(j);
    } else if (c == '-' && i + 1 < n && sql[i + 1] == '-') {
      const std::size_t eol = sql.find('\n', i);
      copy_to(eol == std::string_view::npos ? n : eol + 1);
    } else if (c == '/' && i + 1 < n && sql[i + 1] == '*') {
      int depth = 1;  // PostgreSQL block comments nest
      std::size_t j = i + 2;
      while (j < n && depth > 0) {
        if (sql[j] == '/' && j + 1 < n && sql[j + 1] == '*') {
          ++depth;
          j += 2;
        } else if (sql[j] == '*' && j + 1 < n && sql[j + 1] == '/') {
          --depth;
          j += 2;
        } else {
          ++j;
        }
      }
      copy_to(j);
    } else if (c == '$' && (i == 0 || !ident_char(sql[i - 1]))) {
      // $$...$$ or $tag$...$tag$; "$1" is a positional parameter, not a quote.
      std::size_t j = i + 1;
      if (j < n && tag_start(sql[j])) {
        while (j < n && tag_char(sql[j])) ++j;
      }
      if (j < n && sql[j] == '$') {
        const std::string_view tag = sql.substr(i, j - i + 1);
        const std::size_t close = sql.find(tag, j + 1);
        copy_to(close == std::string_view::npos ? n : close + tag.size());
      } else {
        copy_to(i + 1);
      }
    } else if (c == '?') {
      out += '$';
      out += std::to_string(++count);
      ++i;
    } else {
      out += c;
      ++i;
    }
  }
  return out;
}

std::unique_ptr<Database> open_database(const std::string& url, int pool_size) {
  return std::make_unique<PgDatabase>(url, pool_size);
}

}  // namespace civicloop::storage::postgres
