#include "support/test_db.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <stdexcept>

namespace civicloop::test {

namespace {

namespace fs = std::filesystem;

constexpr const char* kRequiredButMissing =
    "CIVICLOOP_REQUIRE_PG=1 but CIVICLOOP_TEST_PG is not set: run the tests under "
    "scripts/with-pg.sh, or unset CIVICLOOP_REQUIRE_PG to test SQLite only";

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? v : "";
}

// The admin URL pointed at database `name`, with `schema` first on the search path (so every
// unqualified table lands there). Handles URIs (postgresql://u@h:p/db?x=y) and keyword/value
// strings ("host=... dbname=...": the last setting wins).
std::string with_database(const std::string& url, const std::string& name,
                          const std::string& schema) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos) {
    std::string out = url + " dbname=" + name;
    if (!schema.empty()) out += " options='-c search_path=" + schema + "'";
    return out;
  }
  auto query = url.find('?', scheme + 3);
  const auto slash = url.find('/', scheme + 3);
  std::string out;
  if (slash == std::string::npos || (query != std::string::npos && slash > query)) {
    out = url;
    out.insert(query == std::string::npos ? out.size() : query, "/" + name);
  } else {
    const auto end = query == std::string::npos ? url.size() : query;
    out = url.substr(0, slash + 1) + name + url.substr(end);
  }
  if (!schema.empty()) {
    out += out.find('?', scheme + 3) == std::string::npos ? '?' : '&';
    out += "options=-c%20search_path%3D" + schema;
  }
  return out;
}

// Six hex digits of the host name: database names carry it so that a sweep only drops leftovers
// of dead processes on this machine.
std::string host_tag() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%06zx", std::hash<std::string>{}(host)&0xFFFFFF);
  return buf;
}

// Hands out fresh databases and removes them: at release, or at the latest when the process exits.
// PostgreSQL: one database clt_<host>_<pid> per test process (creating a database takes ~200 ms),
// and in it one schema per fresh URL (~1 ms), chosen through search_path in the URL.
class Registry {
 public:
  static Registry& instance() {
    static Registry registry;
    return registry;
  }

  std::string new_sqlite_url() {
    std::lock_guard lock(mutex_);
    if (sqlite_root_.empty()) {
      sqlite_root_ =
          fs::path(::testing::TempDir()) / ("civicloop-test-" + std::to_string(getpid()));
    }
    // A directory per database, one level deeper than needed: the driver must create it.
    fs::path dir = sqlite_root_ / ("db" + std::to_string(++counter_));
    return "sqlite:" + (dir / "data" / "civicloop.db").string();
  }

  std::string new_pg_url() {
    const std::string admin_url = env("CIVICLOOP_TEST_PG");
    std::lock_guard lock(mutex_);
    if (!admin_) {
      admin_ = storage::Database::open(admin_url, 1);
      storage::Lease conn = admin_->acquire();
      sweep(*conn);
      database_ = "clt_" + tag_ + "_" + std::to_string(getpid());
      conn->exec_script("DROP DATABASE IF EXISTS " + database_ + " WITH (FORCE)");
      conn->exec_script("CREATE DATABASE " + database_);
      work_ = storage::Database::open(with_database(admin_url, database_, ""), 1);
    }
    const std::string schema = "t" + std::to_string(++counter_);
    storage::Lease conn = work_->acquire();
    conn->exec_script("CREATE SCHEMA " + schema);
    std::string url = with_database(admin_url, database_, schema);
    pg_schemas_[url] = schema;
    return url;
  }

  void release(const std::string& url) {
    std::lock_guard lock(mutex_);
    if (url.starts_with("sqlite:")) {
      fs::path file(url.substr(7));
      std::error_code ec;
      if (!sqlite_root_.empty() && file.string().starts_with(sqlite_root_.string())) {
        fs::remove_all(file.parent_path().parent_path(), ec);
      }
      return;
    }
    auto it = pg_schemas_.find(url);
    if (it == pg_schemas_.end() || !work_) return;
    try {
      storage::Lease conn = work_->acquire();
      conn->exec_script("DROP SCHEMA IF EXISTS " + it->second + " CASCADE");
    } catch (const std::exception&) {
      return;  // goes with the database at exit
    }
    pg_schemas_.erase(it);
  }

  ~Registry() {
    work_.reset();
    try {
      if (admin_) {
        storage::Lease conn = admin_->acquire();
        conn->exec_script("DROP DATABASE IF EXISTS " + database_ + " WITH (FORCE)");
      }
    } catch (const std::exception&) {
      // The server may be gone already (with-pg.sh stops it after the run): nothing to drop.
    }
    admin_.reset();
    std::error_code ec;
    if (!sqlite_root_.empty()) fs::remove_all(sqlite_root_, ec);
  }

 private:
  // Databases that crashed runs on this host left behind.
  void sweep(storage::Connection& conn) {
    const std::string prefix = "clt_" + tag_ + "_";
    for (const auto& row :
         conn.query("SELECT datname FROM pg_database WHERE datname LIKE ?", {prefix + "%"})) {
      const std::string name = row.get_text(0);
      if (!name.starts_with(prefix)) continue;  // '_' is a LIKE wildcard
      const std::string pid = name.substr(prefix.size());
      if (pid.empty() || pid == std::to_string(getpid())) continue;
      std::error_code ec;
      if (fs::exists("/proc/" + pid, ec)) continue;  // its process still runs
      try {
        conn.exec_script("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
      } catch (const std::exception&) {
        // Another process is sweeping it too.
      }
    }
  }

  std::mutex mutex_;
  int counter_ = 0;
  const std::string tag_ = host_tag();
  fs::path sqlite_root_;
  std::unique_ptr<storage::Database> admin_;  // the server's admin database
  std::unique_ptr<storage::Database> work_;   // this process's database
  std::string database_;
  std::map<std::string, std::string> pg_schemas_;  // url -> schema
};

}  // namespace

std::vector<std::string> test_backends() { return {kSqliteBackend, kPostgresBackend}; }

std::string backend_name(const ::testing::TestParamInfo<std::string>& info) { return info.param; }

bool pg_configured() { return !env("CIVICLOOP_TEST_PG").empty(); }

bool pg_required() { return env("CIVICLOOP_REQUIRE_PG") == "1"; }

std::string fresh_database_url(const std::string& backend) {
  if (backend == kSqliteBackend) return Registry::instance().new_sqlite_url();
  if (backend == kPostgresBackend) {
    if (!pg_configured()) {
      throw std::runtime_error(pg_required() ? kRequiredButMissing
                                             : "CIVICLOOP_TEST_PG is not set: no PostgreSQL");
    }
    return Registry::instance().new_pg_url();
  }
  throw std::runtime_error("unknown test backend \"" + backend + "\"");
}

void release_database(const std::string& url) { Registry::instance().release(url); }

std::vector<std::string> test_database_urls() {
  std::vector<std::string> urls{fresh_database_url(kSqliteBackend)};
  if (pg_configured()) {
    urls.push_back(fresh_database_url(kPostgresBackend));
  } else if (pg_required()) {
    throw std::runtime_error(kRequiredButMissing);
  }
  return urls;
}

std::unique_ptr<storage::Database> open_fresh(const std::string& backend,
                                              const FreshOptions& options) {
  if (backend == kPostgresBackend && !pg_configured()) {
    if (pg_required()) throw std::runtime_error(kRequiredButMissing);
    return nullptr;
  }
  auto db = storage::Database::open(fresh_database_url(backend), options.pool_size);
  if (options.migrate) {
    storage::Lease conn = db->acquire();
    storage::migrate(*conn);
  }
  return db;
}

void BackendTest::SetUp() {
  if (is_postgres() && !pg_configured()) {
    if (pg_required()) FAIL() << kRequiredButMissing;
    GTEST_SKIP() << "PostgreSQL not configured: run under scripts/with-pg.sh (sets "
                    "CIVICLOOP_TEST_PG) to include it";
  }
  const FreshOptions options = fresh_options();
  url_ = fresh_database_url(GetParam());
  db_ = storage::Database::open(url_, options.pool_size);
  if (options.migrate) {
    storage::Lease conn = db_->acquire();
    storage::migrate(*conn);
  }
}

void BackendTest::TearDown() {
  db_.reset();
  if (!url_.empty()) release_database(url_);
}

}  // namespace civicloop::test
