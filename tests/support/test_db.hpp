// Fresh databases for tests, on every backend the run is configured for.
//
// SQLite always (a new file under testing::TempDir()); PostgreSQL when CIVICLOOP_TEST_PG names a
// server (an admin URL, e.g. postgresql://postgres@127.0.0.1:55432/postgres, as
// scripts/with-pg.sh exports). There each test process gets its own database clt_<host>_<pid>,
// dropped when the process exits, and each fresh URL a new empty schema in it, selected by
// search_path in the URL (a schema takes ~1 ms to create, a database ~200 ms); unqualified names
// in SQL and migrations resolve to it. With CIVICLOOP_REQUIRE_PG=1 and no CIVICLOOP_TEST_PG, the
// PostgreSQL cases fail instead of being skipped, so CI cannot silently test SQLite only.
//
// A contract suite:
//
//   class CaseRepoContract : public civicloop::test::BackendTest {};
//   TEST_P(CaseRepoContract, FilesACase) { storage::Lease conn = db().acquire(); ... }
//   INSTANTIATE_TEST_SUITE_P(Backends, CaseRepoContract,
//                            ::testing::ValuesIn(civicloop::test::test_backends()),
//                            civicloop::test::backend_name);
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "storage/db.hpp"

namespace civicloop::test {

inline constexpr const char* kSqliteBackend = "sqlite";
inline constexpr const char* kPostgresBackend = "postgres";

// {"sqlite", "postgres"}: instantiate over both; BackendTest skips or fails "postgres" as the
// environment says.
std::vector<std::string> test_backends();
std::string backend_name(const ::testing::TestParamInfo<std::string>& info);

bool pg_configured();  // CIVICLOOP_TEST_PG is set and not empty
bool pg_required();    // CIVICLOOP_REQUIRE_PG=1

// The URL of a new, empty database on `backend`. Throws std::runtime_error for "postgres" when
// CIVICLOOP_TEST_PG is unset, and for an unknown backend.
std::string fresh_database_url(const std::string& backend);

// Drops a database that fresh_database_url() made (and deletes a SQLite one's files) once nothing
// uses it any more. Whatever is not released is removed when the test process exits.
void release_database(const std::string& url);

// One fresh URL per configured backend: SQLite always, PostgreSQL when configured. Throws
// std::runtime_error when CIVICLOOP_REQUIRE_PG=1 and CIVICLOOP_TEST_PG is unset.
std::vector<std::string> test_database_urls();

struct FreshOptions {
  int pool_size = 4;
  bool migrate = true;  // apply the embedded migrations (storage::migrate)
};

// A fresh database on `backend`; nullptr when that backend is not configured and not required (the
// caller skips). Throws std::runtime_error when it is required but not configured.
std::unique_ptr<storage::Database> open_fresh(const std::string& backend,
                                              const FreshOptions& options = {});

// Parameterised over test_backends(): SetUp opens a fresh database, skips the test when its backend
// is not configured, and fails it when CIVICLOOP_REQUIRE_PG=1 demands PostgreSQL. A derived SetUp
// calls BackendTest::SetUp() first and returns if IsSkipped() || HasFatalFailure().
class BackendTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override;
  void TearDown() override;  // closes the database and releases it
  virtual FreshOptions fresh_options() const { return {}; }
  storage::Database& db() { return *db_; }
  bool is_postgres() const { return GetParam() == kPostgresBackend; }

  std::string url_;
  std::unique_ptr<storage::Database> db_;
};

}  // namespace civicloop::test
