#include "storage/db.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <latch>
#include <limits>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "storage/migrate.hpp"
#include "storage/postgres/pg_db.hpp"
#include "support/test_db.hpp"

namespace civicloop::storage {
namespace {

using Kind = StorageError::Kind;
using namespace std::chrono_literals;

// The StorageError fn throws; a test failure when it throws none.
StorageError error_from(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const StorageError& e) {
    return e;
  }
  ADD_FAILURE() << "expected a StorageError";
  return StorageError(Kind::kOther, "(none thrown)");
}

std::int64_t count_rows(Connection& c, const std::string& table) {
  return c.query("SELECT count(*) FROM " + table)[0].get_int(0);
}

// ---------------------------------------------------------------------------------------------
// Backend-independent pieces

TEST(StorageRow, ConvertsCells) {
  Row row({std::int64_t{42}, 2.5, std::string("17"), std::string("abc"), nullptr, std::string("t"),
           std::string("12.000"), 3.0, std::string("-2.5"), std::string("f")});
  EXPECT_EQ(row.size(), 10u);
  EXPECT_EQ(row.get_int(0), 42);
  EXPECT_EQ(row.get_text(0), "42");
  EXPECT_DOUBLE_EQ(row.get_double(0), 42.0);
  EXPECT_DOUBLE_EQ(row.get_double(1), 2.5);
  EXPECT_EQ(row.get_text(1), "2.5");
  EXPECT_EQ(row.get_int(2), 17);  // PostgreSQL hands integers over as text
  EXPECT_EQ(row.get_opt_int(2), 17);
  EXPECT_EQ(row.get_text(3), "abc");
  EXPECT_TRUE(row.is_null(4));
  EXPECT_FALSE(row.is_null(3));
  EXPECT_EQ(row.get_opt_int(4), std::nullopt);
  EXPECT_EQ(row.get_opt_text(4), std::nullopt);
  EXPECT_EQ(row.get_text(4), "");
  EXPECT_TRUE(row.get_bool(5));  // PostgreSQL boolean
  EXPECT_FALSE(row.get_bool(9));
  EXPECT_EQ(row.get_int(6), 12);  // numeric aggregate
  EXPECT_EQ(row.get_int(7), 3);
  EXPECT_DOUBLE_EQ(row.get_double(8), -2.5);

  EXPECT_EQ(error_from([&] { row.get_int(3); }).kind(), Kind::kOther);
  EXPECT_EQ(error_from([&] { row.get_int(1); }).kind(), Kind::kOther);  // 2.5 is no integer
  EXPECT_EQ(error_from([&] { row.get_int(4); }).kind(), Kind::kOther);  // NULL
  EXPECT_EQ(error_from([&] { row.get_double(3); }).kind(), Kind::kOther);
  EXPECT_EQ(error_from([&] { row.get_double(4); }).kind(), Kind::kOther);
  EXPECT_EQ(error_from([&] { row.get_text(10); }).kind(), Kind::kOther);  // out of range
  std::string message = error_from([&] { row.get_int(3); }).what();
  EXPECT_NE(message.find("column 3"), std::string::npos) << message;
}

TEST(StorageRow, RejectsIntegersOutOfRange) {
  Row row({std::string("9223372036854775808"), 1e19, std::string("9223372036854775807")});
  EXPECT_THROW(row.get_int(0), StorageError);
  EXPECT_THROW(row.get_int(1), StorageError);
  EXPECT_EQ(row.get_int(2), std::numeric_limits<std::int64_t>::max());
}

TEST(StorageMigrationFileName, Parses) {
  auto up = parse_migration_file_name("0001_init.up.sql");
  ASSERT_TRUE(up);
  EXPECT_EQ(up->version, 1);
  EXPECT_EQ(up->name, "init");
  EXPECT_TRUE(up->up);
  auto down = parse_migration_file_name("0012_add_case_index.down.sql");
  ASSERT_TRUE(down);
  EXPECT_EQ(down->version, 12);
  EXPECT_EQ(down->name, "add_case_index");
  EXPECT_FALSE(down->up);
  for (const char* bad : {"init.up.sql", "0001.up.sql", "0001_.up.sql", "0001_init.sql",
                          "x001_init.up.sql", "0000_zero.up.sql", "_init.up.sql", "README.md"}) {
    EXPECT_FALSE(parse_migration_file_name(bad)) << bad;
  }
}

TEST(StorageMigrations, EmbeddedOnesAreWellFormed) {
  for (Dialect d : {Dialect::kSqlite, Dialect::kPostgres}) {
    auto all = embedded_migrations(d);
    for (std::size_t i = 0; i < all.size(); ++i) {
      EXPECT_FALSE(all[i].up_sql.empty()) << all[i].name;
      if (i > 0) {
        EXPECT_LT(all[i - 1].version, all[i].version);
      }
    }
    EXPECT_EQ(latest_migration(d), all.empty() ? 0 : all.back().version);
  }
}

TEST(StoragePgPlaceholders, RewritesOnlyOutsideLiteralsAndComments) {
  struct Case {
    const char* in;
    const char* out;
    std::size_t count;
  };
  const Case cases[] = {
      {"SELECT ?", "SELECT $1", 1},
      {"SELECT ?, ?, ?", "SELECT $1, $2, $3", 3},
      {"SELECT '?', ?", "SELECT '?', $1", 1},
      {"SELECT 'it''s ?', ?", "SELECT 'it''s ?', $1", 1},
      {"SELECT E'\\'?', ?", "SELECT E'\\'?', $1", 1},
      {"SELECT 'a\\', ?", "SELECT 'a\\', $1", 1},  // standard string: backslash is plain
      {"SELECT \"odd?name\" FROM t WHERE x = ?", "SELECT \"odd?name\" FROM t WHERE x = $1", 1},
      {"-- why?\nSELECT ?", "-- why?\nSELECT $1", 1},
      {"/* ? /* ? */ ? */ SELECT ?", "/* ? /* ? */ ? */ SELECT $1", 1},
      {"SELECT $$?$$, $tag$ ? $$ ? $tag$, ?", "SELECT $$?$$, $tag$ ? $$ ? $tag$, $1", 1},
      {"SELECT a$b, ?", "SELECT a$b, $1", 1},
      {"SELECT '?", "SELECT '?", 0},
      {"SELECT '文明?', ? -- 城市?", "SELECT '文明?', $1 -- 城市?", 1},
  };
  for (const auto& c : cases) {
    std::size_t n = 99;
    EXPECT_EQ(postgres::rewrite_placeholders(c.in, n), c.out) << c.in;
    EXPECT_EQ(n, c.count) << c.in;
  }
}

TEST(StorageOpen, RejectsUnknownSchemesAndMemoryDatabases) {
  auto e = error_from([] { Database::open("mysql://root@localhost/x"); });
  EXPECT_EQ(e.kind(), Kind::kOther);
  EXPECT_NE(std::string(e.what()).find("mysql"), std::string::npos) << e.what();
  EXPECT_EQ(error_from([] { Database::open(""); }).kind(), Kind::kOther);
  EXPECT_EQ(error_from([] { Database::open("sqlite:"); }).kind(), Kind::kOther);
  e = error_from([] { Database::open("sqlite::memory:"); });
  EXPECT_EQ(e.kind(), Kind::kOther);
  EXPECT_NE(std::string(e.what()).find("memory"), std::string::npos) << e.what();
}

TEST(StorageOpen, SqliteCreatesDirectoriesAndSetsPragmas) {
  const std::string url = test::fresh_database_url(test::kSqliteBackend);
  auto db = Database::open(url);
  EXPECT_EQ(db->dialect(), Dialect::kSqlite);
  EXPECT_EQ(db->describe(), "sqlite");
  auto c = db->acquire();
  EXPECT_EQ(c->dialect(), Dialect::kSqlite);
  EXPECT_EQ(c->query("PRAGMA journal_mode")[0].get_text(0), "wal");
  EXPECT_EQ(c->query("PRAGMA synchronous")[0].get_int(0), 2);  // FULL
  EXPECT_EQ(c->query("PRAGMA foreign_keys")[0].get_int(0), 1);
  EXPECT_EQ(c->query("PRAGMA busy_timeout")[0].get_int(0), 10000);
}

TEST(StorageOpen, SqliteFailuresAreUnavailable) {
  // A directory that cannot be created.
  EXPECT_EQ(error_from([] { Database::open("sqlite:/proc/civicloop-no/x.db"); }).kind(),
            Kind::kUnavailable);
  // A file that is not a database.
  const std::string url = test::fresh_database_url(test::kSqliteBackend);
  const std::string path = url.substr(7);
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path) << "this is not a database, just some text that is long enough to look at";
  auto e = error_from([&] { Database::open(url); });
  EXPECT_EQ(e.kind(), Kind::kUnavailable) << e.what();
}

TEST(StorageOpen, UnreachablePostgresIsUnavailable) {
  auto e = error_from([] { Database::open("postgresql://postgres@127.0.0.1:1/postgres"); });
  EXPECT_EQ(e.kind(), Kind::kUnavailable) << e.what();
}

// ---------------------------------------------------------------------------------------------
// Every backend

class StorageDriverTest : public test::BackendTest {
 protected:
  test::FreshOptions fresh_options() const override { return {.pool_size = 2, .migrate = false}; }

  // A generated integer key in each dialect's DDL.
  std::string id_column() const {
    return is_postgres() ? "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
                         : "INTEGER PRIMARY KEY";
  }
};

TEST_P(StorageDriverTest, RoundTripsEveryValueType) {
  auto c = db().acquire();
  c->exec_script("CREATE TABLE vals (k INTEGER PRIMARY KEY, i BIGINT, d DOUBLE PRECISION, s TEXT)");
  const std::string zh = "文明城市创建：占道经营 🚧「测试」";
  const std::int64_t big = std::numeric_limits<std::int64_t>::max();
  const std::int64_t small = std::numeric_limits<std::int64_t>::min();
  const std::vector<std::vector<Value>> inserts = {
      {std::int64_t{1}, big, 0.1, zh},
      {std::int64_t{2}, small, -1.5e300, std::string()},
      {std::int64_t{3}, std::int64_t{0}, 3.0, std::string("it's a 'quote' and a ? mark")},
      {std::int64_t{4}, nullptr, nullptr, nullptr},
  };
  for (const auto& params : inserts) {
    EXPECT_EQ(c->execute("INSERT INTO vals (k, i, d, s) VALUES (?, ?, ?, ?)", params), 1);
  }
  auto rows = c->query("SELECT k, i, d, s FROM vals ORDER BY k");
  ASSERT_EQ(rows.size(), 4u);
  ASSERT_EQ(rows[0].size(), 4u);
  EXPECT_EQ(rows[0].get_int(1), big);
  EXPECT_EQ(rows[0].get_double(2), 0.1);
  EXPECT_EQ(rows[0].get_text(3), zh);
  EXPECT_EQ(rows[1].get_int(1), small);
  EXPECT_EQ(rows[1].get_double(2), -1.5e300);
  EXPECT_FALSE(rows[1].is_null(3));
  EXPECT_EQ(rows[1].get_opt_text(3), std::string());
  EXPECT_EQ(rows[2].get_int(1), 0);
  EXPECT_EQ(rows[2].get_int(2), 3);
  EXPECT_EQ(rows[2].get_text(3), "it's a 'quote' and a ? mark");
  for (std::size_t i = 1; i < 4; ++i) EXPECT_TRUE(rows[3].is_null(i)) << i;
  EXPECT_EQ(rows[3].get_opt_int(1), std::nullopt);
  EXPECT_EQ(rows[3].get_opt_text(3), std::nullopt);

  // Text parameters compare and search as text, Chinese included.
  auto found = c->query("SELECT k FROM vals WHERE s = ?", {zh});
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].get_int(0), 1);
  found = c->query("SELECT k FROM vals WHERE i = ?", {big});
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].get_int(0), 1);
  found = c->query("SELECT k FROM vals WHERE lower(s) LIKE lower(?) ESCAPE '\\'",
                   {std::string("%占道%")});
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].get_int(0), 1);
}

TEST_P(StorageDriverTest, CastPlaceholdersInTheSelectList) {
  auto c = db().acquire();
  auto rows = c->query(
      "SELECT CAST(? AS BIGINT), CAST(? AS DOUBLE PRECISION), CAST(? AS TEXT), CAST(? AS TEXT)",
      {std::int64_t{-7}, 2.25, std::string("城"), nullptr});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].get_int(0), -7);
  EXPECT_EQ(rows[0].get_double(1), 2.25);
  EXPECT_EQ(rows[0].get_text(2), "城");
  EXPECT_TRUE(rows[0].is_null(3));
  // The optional-filter idiom: a NULL parameter needs a cast for PostgreSQL to type it.
  c->exec_script("CREATE TABLE f (k INTEGER PRIMARY KEY, status TEXT)");
  c->execute("INSERT INTO f (k, status) VALUES (1, 'open'), (2, 'closed')");
  const char* filter = "SELECT count(*) FROM f WHERE (CAST(? AS TEXT) IS NULL OR status = ?)";
  EXPECT_EQ(c->query(filter, {nullptr, nullptr})[0].get_int(0), 2);
  EXPECT_EQ(c->query(filter, {std::string("open"), std::string("open")})[0].get_int(0), 1);
}

TEST_P(StorageDriverTest, QuestionMarksInLiteralsAndCommentsAreNotPlaceholders) {
  auto c = db().acquire();
  auto rows =
      c->query("SELECT 'why?' || ?, 'it''s ?' /* ? */ AS \"odd?\", -- ?\n CAST(? AS BIGINT)",
               {std::string("x"), std::int64_t{7}});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].get_text(0), "why?x");
  EXPECT_EQ(rows[0].get_text(1), "it's ?");
  EXPECT_EQ(rows[0].get_int(2), 7);
  // One `?` in a literal and no parameter is fine; a parameter for it is an error.
  EXPECT_EQ(c->query("SELECT '?'")[0].get_text(0), "?");
  EXPECT_EQ(error_from([&] { c->query("SELECT '?'", {std::int64_t{1}}); }).kind(), Kind::kOther);
  EXPECT_EQ(error_from([&] { c->query("SELECT CAST(? AS BIGINT)"); }).kind(), Kind::kOther);
}

TEST_P(StorageDriverTest, ReturningHandsBackGeneratedKeys) {
  auto c = db().acquire();
  c->exec_script("CREATE TABLE items (id " + id_column() + ", name TEXT NOT NULL)");
  auto first = c->query("INSERT INTO items (name) VALUES (?) RETURNING id", {std::string("a")});
  auto second = c->query("INSERT INTO items (name) VALUES (?) RETURNING id", {std::string("b")});
  ASSERT_EQ(first.size(), 1u);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_LT(first[0].get_int(0), second[0].get_int(0));
  auto updated = c->query("UPDATE items SET name = ? WHERE id = ? RETURNING id, name",
                          {std::string("a2"), first[0].get_int(0)});
  ASSERT_EQ(updated.size(), 1u);
  EXPECT_EQ(updated[0].get_text(1), "a2");
  EXPECT_EQ(c->execute("DELETE FROM items WHERE id = ? RETURNING id", {second[0].get_int(0)}), 1);
}

TEST_P(StorageDriverTest, ExecuteCountsChangedRows) {
  auto c = db().acquire();
  c->exec_script("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)");
  EXPECT_EQ(c->execute("INSERT INTO t (k, v) VALUES (?, ?), (?, ?), (?, ?)",
                       {std::int64_t{1}, std::string("a"), std::int64_t{2}, std::string("b"),
                        std::int64_t{3}, std::string("b")}),
            3);
  EXPECT_EQ(c->execute("UPDATE t SET v = ? WHERE v = ?", {std::string("c"), std::string("b")}), 2);
  EXPECT_EQ(c->execute("UPDATE t SET v = ? WHERE k > ?", {std::string("z"), std::int64_t{100}}), 0);
  EXPECT_EQ(c->execute("SELECT k FROM t"), 0);  // reads change nothing
  EXPECT_EQ(c->execute("CREATE TABLE u (x INTEGER)"), 0);
  EXPECT_EQ(c->execute("DELETE FROM t"), 3);
}

TEST_P(StorageDriverTest, CommitShowsAndRollbackHidesWrites) {
  auto writer = db().acquire();
  auto reader = db().acquire();
  writer->exec_script("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)");

  writer->begin(true);
  writer->execute("INSERT INTO t (k, v) VALUES (1, 'draft')");
  EXPECT_EQ(count_rows(*writer, "t"), 1);  // its own write
  EXPECT_EQ(count_rows(*reader, "t"), 0);  // not yet committed
  writer->rollback();
  EXPECT_EQ(count_rows(*writer, "t"), 0);
  EXPECT_EQ(count_rows(*reader, "t"), 0);

  writer->begin(true);
  writer->execute("INSERT INTO t (k, v) VALUES (2, 'final')");
  writer->commit();
  reader->begin(false);
  auto rows = reader->query("SELECT k, v FROM t");
  reader->commit();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].get_int(0), 2);
  EXPECT_EQ(rows[0].get_text(1), "final");

  EXPECT_EQ(error_from([&] { writer->commit(); }).kind(), Kind::kOther);  // none open
  writer->begin(false);
  EXPECT_EQ(error_from([&] { writer->begin(true); }).kind(), Kind::kOther);  // nested
  writer->rollback();
}

TEST_P(StorageDriverTest, ConstraintViolationsAreClassified) {
  auto c = db().acquire();
  c->exec_script(
      "CREATE TABLE users (id INTEGER PRIMARY KEY, login TEXT NOT NULL, active INTEGER NOT NULL,"
      " CONSTRAINT users_login_key UNIQUE (login), CHECK (active IN (0, 1)));"
      "CREATE UNIQUE INDEX users_one_active ON users (id) WHERE active = 1;"
      "CREATE TABLE grants (id INTEGER PRIMARY KEY,"
      " user_id INTEGER NOT NULL REFERENCES users (id), role TEXT NOT NULL);"
      "CREATE UNIQUE INDEX grants_one_active_role ON grants (user_id) WHERE role = 'admin';");
  const char* insert = "INSERT INTO users (id, login, active) VALUES (?, ?, ?)";
  c->execute(insert, {std::int64_t{1}, std::string("li"), std::int64_t{1}});

  auto e = error_from([&] {
    c->execute(insert, {std::int64_t{2}, std::string("li"), std::int64_t{0}});
  });
  EXPECT_EQ(e.kind(), Kind::kUniqueViolation) << e.what();
  EXPECT_EQ(e.constraint(), is_postgres() ? "users_login_key" : "users.login");

  e = error_from([&] {
    c->execute(insert, {std::int64_t{1}, std::string("wang"), std::int64_t{0}});
  });
  EXPECT_EQ(e.kind(), Kind::kUniqueViolation) << e.what();
  EXPECT_EQ(e.constraint(), is_postgres() ? "users_pkey" : "users.id");

  e = error_from([&] { c->execute(insert, {std::int64_t{3}, nullptr, std::int64_t{0}}); });
  EXPECT_EQ(e.kind(), Kind::kConstraint) << e.what();
  e = error_from([&] {
    c->execute(insert, {std::int64_t{3}, std::string("zhao"), std::int64_t{5}});
  });
  EXPECT_EQ(e.kind(), Kind::kConstraint) << e.what();

  const char* grant = "INSERT INTO grants (id, user_id, role) VALUES (?, ?, ?)";
  e = error_from([&] { c->execute(grant, {std::int64_t{1}, std::int64_t{99}, std::string("x")}); });
  EXPECT_EQ(e.kind(), Kind::kConstraint) << e.what();  // foreign key

  // A partial unique index binds only the rows it covers.
  c->execute(grant, {std::int64_t{1}, std::int64_t{1}, std::string("admin")});
  c->execute(grant, {std::int64_t{2}, std::int64_t{1}, std::string("viewer")});
  e = error_from([&] {
    c->execute(grant, {std::int64_t{3}, std::int64_t{1}, std::string("admin")});
  });
  EXPECT_EQ(e.kind(), Kind::kUniqueViolation) << e.what();
  EXPECT_EQ(e.constraint(), is_postgres() ? "grants_one_active_role" : "grants.user_id");
}

TEST_P(StorageDriverTest, AFailedStatementAbortsTheTransaction) {
  auto c = db().acquire();
  c->exec_script("CREATE TABLE t (k INTEGER PRIMARY KEY)");
  c->begin(true);
  c->execute("INSERT INTO t (k) VALUES (1)");
  EXPECT_EQ(error_from([&] { c->execute("INSERT INTO t (k) VALUES (1)"); }).kind(),
            Kind::kUniqueViolation);
  // Both backends refuse to go on (PostgreSQL would anyway; SQLite is made to match).
  EXPECT_EQ(error_from([&] { c->query("SELECT 1"); }).kind(), Kind::kOther);
  EXPECT_EQ(error_from([&] { c->commit(); }).kind(), Kind::kOther);
  c->rollback();
  EXPECT_EQ(count_rows(*c, "t"), 0);
  c->begin(true);
  c->execute("INSERT INTO t (k) VALUES (1)");
  c->commit();
  EXPECT_EQ(count_rows(*c, "t"), 1);
}

TEST_P(StorageDriverTest, ALockTimeoutIsAConflict) {
  auto holder = db().acquire();
  auto waiter = db().acquire();
  holder->exec_script("CREATE TABLE r (k INTEGER PRIMARY KEY, n INTEGER NOT NULL)");
  holder->execute("INSERT INTO r (k, n) VALUES (1, 0)");
  holder->begin(true);
  holder->execute("UPDATE r SET n = n + 1 WHERE k = 1");
  // Shorten the wait (10 s by default) for this test only.
  if (is_postgres()) {
    waiter->begin(true);
    waiter->exec_script("SET LOCAL lock_timeout = '100ms'");
  } else {
    waiter->exec_script("PRAGMA busy_timeout = 100");
  }
  auto e = error_from([&] {
    if (!is_postgres()) waiter->begin(true);
    waiter->execute("UPDATE r SET n = n + 1 WHERE k = 1");
  });
  EXPECT_EQ(e.kind(), Kind::kConflict) << e.what();
  waiter->rollback();
  if (!is_postgres()) waiter->exec_script("PRAGMA busy_timeout = 10000");
  holder->commit();
  waiter->begin(true);  // free again
  EXPECT_EQ(waiter->execute("UPDATE r SET n = n + 1 WHERE k = 1"), 1);
  waiter->commit();
  EXPECT_EQ(holder->query("SELECT n FROM r")[0].get_int(0), 2);
}

TEST_P(StorageDriverTest, SeveralStatementsNeedExecScript) {
  auto c = db().acquire();
  EXPECT_EQ(error_from([&] { c->query("SELECT 1; SELECT 2"); }).kind(), Kind::kOther);
  EXPECT_EQ(c->query("SELECT 1;")[0].get_int(0), 1);
  EXPECT_EQ(c->query("SELECT 2 -- trailing comment")[0].get_int(0), 2);
  c->exec_script(
      "CREATE TABLE a (x INTEGER); CREATE TABLE b (x INTEGER); INSERT INTO a VALUES (1);");
  EXPECT_EQ(count_rows(*c, "a"), 1);
  EXPECT_NE(error_from([&] { c->exec_script("INSERT INTO nowhere VALUES (1)"); }).what(),
            std::string());
}

TEST_P(StorageDriverTest, ManyDistinctStatementsAndSchemaChanges) {
  auto c = db().acquire();
  c->exec_script("CREATE TABLE s (k INTEGER PRIMARY KEY)");
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 150; ++i) {  // more than the statement cache holds
      auto rows = c->query("SELECT CAST(? AS BIGINT) + " + std::to_string(i), {std::int64_t{1000}});
      ASSERT_EQ(rows[0].get_int(0), 1000 + i);
    }
  }
  EXPECT_EQ(c->query("SELECT * FROM s").size(), 0u);
  c->exec_script("ALTER TABLE s ADD COLUMN note TEXT");
  c->execute("INSERT INTO s (k, note) VALUES (1, 'n')");
  auto rows = c->query("SELECT * FROM s");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].size(), 2u);  // a cached statement sees the new column
}

TEST_P(StorageDriverTest, SearchIsCaseInsensitiveOnlyWhenWrittenSo) {
  auto c = db().acquire();
  c->exec_script("CREATE TABLE p (k INTEGER PRIMARY KEY, name TEXT)");
  c->execute(
      "INSERT INTO p (k, name) VALUES (1, 'Main Street'), (2, '100% done'), (3, '1000 done')");
  const char* search = "SELECT k FROM p WHERE lower(name) LIKE lower(?) ESCAPE '\\' ORDER BY k";
  auto rows = c->query(search, {std::string("%MAIN%")});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].get_int(0), 1);
  rows = c->query(search, {std::string("100\\%%")});  // a literal % in the user's text
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].get_int(0), 2);
}

TEST_P(StorageDriverTest, ReturningALeaseRollsBackWhatItLeftOpen) {
  {
    auto c = db().acquire();
    c->exec_script("CREATE TABLE t (k INTEGER PRIMARY KEY)");
    c->begin(true);
    c->execute("INSERT INTO t (k) VALUES (1)");
  }  // no commit
  auto c = db().acquire();
  EXPECT_EQ(count_rows(*c, "t"), 0);
  c->begin(true);  // not "inside a transaction"
  c->execute("INSERT INTO t (k) VALUES (2)");
  c->commit();
  EXPECT_EQ(count_rows(*c, "t"), 1);
}

TEST_P(StorageDriverTest, PoolReusesConnectionsAndWaitsWhenExhausted) {
  auto db1 = Database::open(test::fresh_database_url(GetParam()), 1);
  Connection* first = nullptr;
  {
    auto a = db1->acquire();
    first = &*a;
  }
  {
    auto b = db1->acquire();
    EXPECT_EQ(&*b, first);
  }
  std::optional<Lease> held;
  held.emplace(db1->acquire());
  std::atomic<bool> got{false};
  std::thread waiter([&] {
    auto lease = db1->acquire();
    got = true;
    lease->query("SELECT 1");
  });
  std::this_thread::sleep_for(200ms);
  EXPECT_FALSE(got.load());  // the only connection is taken
  held.reset();
  waiter.join();
  EXPECT_TRUE(got.load());
}

TEST_P(StorageDriverTest, PooledWritersFromSeveralThreads) {
  {
    auto c = db().acquire();
    c->exec_script(
        "CREATE TABLE counter (id INTEGER PRIMARY KEY, n BIGINT NOT NULL);"
        "INSERT INTO counter (id, n) VALUES (1, 0);"
        "CREATE TABLE issued (n BIGINT PRIMARY KEY, by_thread INTEGER NOT NULL);");
  }
  constexpr int kThreads = 4;
  constexpr int kEach = 15;
  std::mutex mutex;
  std::set<Connection*> seen;
  std::vector<std::string> failures;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      try {
        for (int i = 0; i < kEach; ++i) {
          auto c = db().acquire();
          {
            std::lock_guard lock(mutex);
            seen.insert(&*c);
          }
          // The UPDATE takes the row lock first, so the read after it cannot race.
          c->begin(true);
          c->execute("UPDATE counter SET n = n + 1 WHERE id = 1");
          const auto n = c->query("SELECT n FROM counter WHERE id = 1")[0].get_int(0);
          c->execute("INSERT INTO issued (n, by_thread) VALUES (?, ?)", {n, std::int64_t{t}});
          c->commit();
        }
      } catch (const std::exception& e) {
        std::lock_guard lock(mutex);
        failures.push_back(e.what());
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_TRUE(failures.empty()) << failures.front();
  EXPECT_LE(seen.size(), 2u);  // the pool holds two
  auto c = db().acquire();
  EXPECT_EQ(count_rows(*c, "issued"), kThreads * kEach);
  EXPECT_EQ(c->query("SELECT max(n) FROM issued")[0].get_int(0), kThreads * kEach);
}

TEST_P(StorageDriverTest, ABrokenConnectionIsNotReturnedToThePool) {
  if (!is_postgres()) GTEST_SKIP() << "SQLite connections do not break this way";
  std::optional<Lease> victim;
  victim.emplace(db().acquire());
  const auto pid = (*victim)->query("SELECT pg_backend_pid()")[0].get_int(0);
  {
    auto killer = db().acquire();
    auto done = killer->query("SELECT pg_terminate_backend(CAST(? AS INTEGER), 10000)", {pid});
    ASSERT_TRUE(done[0].get_bool(0));
  }
  auto e = error_from([&] { (*victim)->query("SELECT 1"); });
  EXPECT_EQ(e.kind(), Kind::kUnavailable) << e.what();
  EXPECT_TRUE((*victim)->broken());
  victim.reset();
  // Both pooled connections now work, and neither is the terminated one.
  auto a = db().acquire();
  auto b = db().acquire();
  const auto pid_a = a->query("SELECT pg_backend_pid()")[0].get_int(0);
  const auto pid_b = b->query("SELECT pg_backend_pid()")[0].get_int(0);
  EXPECT_NE(pid_a, pid);
  EXPECT_NE(pid_b, pid);
  EXPECT_NE(pid_a, pid_b);
}

TEST_P(StorageDriverTest, SessionSettings) {
  auto c = db().acquire();
  if (is_postgres()) {
    EXPECT_EQ(c->query("SHOW client_encoding")[0].get_text(0), "UTF8");
    EXPECT_EQ(c->query("SHOW TimeZone")[0].get_text(0), "UTC");
    EXPECT_EQ(c->query("SHOW standard_conforming_strings")[0].get_text(0), "on");
    EXPECT_EQ(db().describe(), "postgresql");
    EXPECT_EQ(db().dialect(), Dialect::kPostgres);
  } else {
    EXPECT_EQ(c->query("PRAGMA foreign_keys")[0].get_int(0), 1);
    EXPECT_EQ(db().describe(), "sqlite");
  }
  EXPECT_EQ(c->dialect(), db().dialect());
}

// ---------------------------------------------------------------------------------------------
// Migrations, on every backend

std::vector<Migration> scratch_migrations() {
  return {
      {1, "create_a", "CREATE TABLE mig_a (x INTEGER NOT NULL); INSERT INTO mig_a (x) VALUES (1);",
       "DROP TABLE mig_a;"},
      {2, "create_b", "CREATE TABLE mig_b (y TEXT); INSERT INTO mig_a (x) VALUES (2);",
       "DROP TABLE mig_b; DELETE FROM mig_a WHERE x = 2;"},
  };
}

TEST_P(StorageDriverTest, MigrateWithAppliesEachMigrationOnce) {
  auto c = db().acquire();
  auto v1 = scratch_migrations();
  EXPECT_EQ(migrate_with(*c, v1), (std::vector<int>{1, 2}));
  EXPECT_TRUE(migrate_with(*c, v1).empty());
  EXPECT_EQ(count_rows(*c, "mig_a"), 2);

  auto v2 = v1;
  v2.push_back({3, "create_c", "CREATE TABLE mig_c (z INTEGER)", ""});
  EXPECT_EQ(migrate_with(*c, v2), (std::vector<int>{3}));
  EXPECT_EQ(applied_migrations(*c), (std::vector<int>{1, 2, 3}));
  auto rows = c->query("SELECT version, name, applied_at FROM schema_migrations ORDER BY version");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1].get_text(1), "create_b");
  EXPECT_GT(rows[2].get_int(2), 1700000000000);  // milliseconds since the epoch

  // An older binary (it knows only 1 and 2) refuses a schema at version 3.
  auto e = error_from([&] { migrate_with(*c, v1); });
  EXPECT_EQ(e.kind(), Kind::kOther);
  EXPECT_NE(std::string(e.what()).find("newer"), std::string::npos) << e.what();
}

TEST_P(StorageDriverTest, AFailedMigrationLeavesNoTrace) {
  auto c = db().acquire();
  std::vector<Migration> bad = {
      {1, "ok", "CREATE TABLE ok_t (x INTEGER)", ""},
      {2, "broken", "CREATE TABLE half_done (x INTEGER); INSERT INTO no_such_table VALUES (1);",
       ""},
  };
  auto e = error_from([&] { migrate_with(*c, bad); });
  EXPECT_NE(std::string(e.what()).find("0002_broken"), std::string::npos) << e.what();
  EXPECT_EQ(applied_migrations(*c), (std::vector<int>{1}));
  EXPECT_THROW(c->query("SELECT count(*) FROM half_done"), StorageError);  // rolled back
  bad[1].up_sql = "CREATE TABLE half_done (x INTEGER)";
  EXPECT_EQ(migrate_with(*c, bad), (std::vector<int>{2}));
  EXPECT_EQ(count_rows(*c, "half_done"), 0);
}

TEST_P(StorageDriverTest, ConcurrentMigratorsApplyEachMigrationOnce) {
  std::vector<Migration> list = {{1, "log", "CREATE TABLE mig_log (v INTEGER NOT NULL)", ""}};
  for (int v = 2; v <= 6; ++v) {
    list.push_back({v, "step" + std::to_string(v),
                    "INSERT INTO mig_log (v) VALUES (" + std::to_string(v) + ")", ""});
  }
  std::vector<int> applied[2];
  std::string failure[2];
  std::latch start(2);
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      try {
        auto c = db().acquire();
        start.arrive_and_wait();
        applied[t] = migrate_with(*c, list);
      } catch (const std::exception& e) {
        failure[t] = e.what();
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failure[0], "");
  EXPECT_EQ(failure[1], "");
  std::set<int> all(applied[0].begin(), applied[0].end());
  for (int v : applied[1]) EXPECT_TRUE(all.insert(v).second) << "applied twice: " << v;
  EXPECT_EQ(all, (std::set<int>{1, 2, 3, 4, 5, 6}));
  auto c = db().acquire();
  EXPECT_EQ(count_rows(*c, "mig_log"), 5);
}

TEST_P(StorageDriverTest, RevertLastMigrationRunsItsDownSql) {
  auto c = db().acquire();
  auto list = scratch_migrations();
  migrate_with(*c, list);
  EXPECT_EQ(revert_last_migration(*c, list), 2);
  EXPECT_THROW(c->query("SELECT count(*) FROM mig_b"), StorageError);
  EXPECT_EQ(count_rows(*c, "mig_a"), 1);
  EXPECT_EQ(applied_migrations(*c), (std::vector<int>{1}));
  EXPECT_EQ(migrate_with(*c, list), (std::vector<int>{2}));  // and forward again
  list[1].down_sql.clear();
  EXPECT_EQ(error_from([&] { revert_last_migration(*c, list); }).kind(), Kind::kOther);
  EXPECT_EQ(applied_migrations(*c), (std::vector<int>{1, 2}));
  list = scratch_migrations();
  EXPECT_EQ(revert_last_migration(*c, list), 2);
  EXPECT_EQ(revert_last_migration(*c, list), 1);
  EXPECT_EQ(revert_last_migration(*c, list), std::nullopt);
}

TEST_P(StorageDriverTest, EmbeddedMigrationsApplyOnce) {
  auto c = db().acquire();
  const auto all = embedded_migrations(c->dialect());
  std::vector<int> versions;
  for (const auto& m : all) versions.push_back(m.version);
  EXPECT_EQ(migrate(*c), versions);
  EXPECT_TRUE(migrate(*c).empty());
  EXPECT_EQ(applied_migrations(*c), versions);
  EXPECT_EQ(latest_migration(c->dialect()), versions.empty() ? 0 : versions.back());
}

INSTANTIATE_TEST_SUITE_P(Backends, StorageDriverTest, ::testing::ValuesIn(test::test_backends()),
                         test::backend_name);

}  // namespace
}  // namespace civicloop::storage
