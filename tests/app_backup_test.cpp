// Backups (app/backup_service.hpp, app/backup_manifest.hpp): the manifest and its checks, a
// SQLite backup restored into an empty place, the refusals (a corrupt or missing file, another
// format version, a non-empty target, the wrong kind of database), and migrate-db from SQLite to
// PostgreSQL when a server is configured. The whole thing under load, with the real server:
// tests/backup_restore_test.sh.
#include "app/backup_service.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "storage/backup_tools.hpp"
#include "storage/db.hpp"
#include "support/test_db.hpp"

namespace civicloop::test {
namespace {

namespace fs = std::filesystem;

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_all(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
}

class Backup : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("backup_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    source_ = {"sqlite:" + (dir_ / "src.db").string(), (dir_ / "media").string(),
               (dir_ / "anchors.jsonl").string(), ""};
    auto db = storage::Database::open(source_.db_url, 1);
    auto lease = db->acquire();
    storage::migrate(*lease);
    lease->execute(
        "INSERT INTO tenants (tenant_id, code, name, timezone, created_at) VALUES (1, 'pc', "
        "'Pingcheng', 'Asia/Shanghai', 0)");
    write_all(dir_ / "media" / "1" / "ab" / "ab01.jpg", "photo one");
    write_all(dir_ / "media" / "1" / "cd" / "cd02.thumb.jpg", "thumb two");
    write_all(dir_ / "media" / "1" / "ef" / "ef03.jpg.tmp.Xy12ab", "being written");
    write_all(dir_ / "anchors.jsonl", "{\"a\":1}\n{\"a\":2}\n{\"torn");
    write_all(dir_ / "anchors.jsonl.pub", std::string(64, 'a') + "\n");
  }
  void TearDown() override { fs::remove_all(dir_); }

  app::BackupManifest backup() {
    auto m = app::make_backup(source_, dir_ / "bk", "test", 1795813500000);
    EXPECT_TRUE(m.ok()) << (m ? "" : m.error().code);
    return m ? *m : app::BackupManifest{};
  }
  app::BackupPlace empty_place() {
    return {"sqlite:" + (dir_ / "restored" / "db.sqlite").string(),
            (dir_ / "restored" / "media").string(), (dir_ / "restored" / "anchors.jsonl").string(),
            ""};
  }

  fs::path dir_;
  app::BackupPlace source_;
};

TEST(BackupManifest, RoundTripsThroughJson) {
  app::BackupManifest m;
  m.civicloop_version = "0.9.0";
  m.created_at = 1795813500000;
  m.dialect = "postgresql";
  m.schema_migration = 14;
  m.database = "database.pgdump";
  m.anchors = "anchors.jsonl";
  m.tables = {{"cases", 3}, {"ledger_events", 12}};
  m.media_files = 1;
  m.anchor_lines = 2;
  m.files = {{"database.pgdump", 100, std::string(64, 'a')},
             {"media/1/ab/ab.jpg", 5, std::string(64, 'b')}};
  auto back = app::manifest_from_json(app::manifest_to_json(m));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->dialect, "postgresql");
  EXPECT_EQ(back->schema_migration, 14);
  EXPECT_EQ(back->tables, m.tables);
  EXPECT_EQ(back->anchors.value_or(""), "anchors.jsonl");
  EXPECT_EQ(back->anchor_lines, 2);
  ASSERT_EQ(back->files.size(), 2U);
  EXPECT_EQ(back->files[1].path, "media/1/ab/ab.jpg");
  EXPECT_EQ(back->files[1].size, 5);
}

TEST(BackupManifest, AnotherFormatVersionIsRefusedByNumber) {
  auto r = app::manifest_from_json(
      R"({"format":"civicloop-backup","version":2,"civicloop_version":"9","created_at":0})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "backup.unsupported_version");
  ASSERT_FALSE(r.error().details.empty());
  EXPECT_EQ(r.error().details[0].second, "2");
}

TEST(BackupManifest, NotAManifestOrAPathOutsideTheBackupIsMalformed) {
  EXPECT_EQ(app::manifest_from_json("not json").error().code, "backup.manifest_malformed");
  EXPECT_EQ(app::manifest_from_json(R"({"format":"other","version":1})").error().code,
            "backup.manifest_malformed");
  app::BackupManifest m;
  m.dialect = "sqlite";
  m.database = "database.sqlite";
  m.files = {{"../etc/passwd", 1, std::string(64, 'a')}};
  EXPECT_EQ(app::manifest_from_json(app::manifest_to_json(m)).error().code,
            "backup.manifest_malformed");
  m.files = {{"/etc/passwd", 1, std::string(64, 'a')}};
  EXPECT_EQ(app::manifest_from_json(app::manifest_to_json(m)).error().code,
            "backup.manifest_malformed");
}

TEST_F(Backup, HoldsTheDatabaseTheMediaAndTheCompleteAnchorLines) {
  const auto m = backup();
  EXPECT_EQ(m.dialect, "sqlite");
  EXPECT_EQ(m.schema_migration, storage::latest_migration(storage::Dialect::kSqlite));
  EXPECT_EQ(m.tables.at("tenants"), 1);
  EXPECT_EQ(m.media_files, 2);  // the photo being written is left out
  EXPECT_EQ(m.anchor_lines, 2);
  EXPECT_EQ(read_all(dir_ / "bk" / "anchors.jsonl"), "{\"a\":1}\n{\"a\":2}\n");
  EXPECT_TRUE(fs::exists(dir_ / "bk" / "manifest.json"));
  EXPECT_TRUE(fs::exists(dir_ / "bk" / "database.sqlite"));
  EXPECT_FALSE(fs::exists(dir_ / "bk" / "database.sqlite-wal"));
  EXPECT_EQ(read_all(dir_ / "bk" / "media" / "1" / "ab" / "ab01.jpg"), "photo one");
  auto v = app::verify_backup(dir_ / "bk");
  ASSERT_TRUE(v.ok()) << v.error().code;
  EXPECT_EQ(v->files.size(), 5U);  // anchors, their key, the database, two media files
}

TEST_F(Backup, RestoresIntoAnEmptyPlaceAndTheLedgerVerifies) {
  backup();
  const auto to = empty_place();
  auto r = app::restore_backup(dir_ / "bk", to);
  ASSERT_TRUE(r.ok()) << r.error().code << " " << r.error().field;
  EXPECT_TRUE(r->anchors_restored);
  ASSERT_EQ(r->ledgers.size(), 1U);
  EXPECT_TRUE(r->ledgers[0].second.ok);
  EXPECT_EQ(read_all(fs::path(to.media_dir) / "1" / "cd" / "cd02.thumb.jpg"), "thumb two");
  EXPECT_EQ(read_all(to.anchor_file), "{\"a\":1}\n{\"a\":2}\n");
  EXPECT_TRUE(fs::exists(to.anchor_file + ".pub"));
  auto db = storage::Database::open(to.db_url, 1);
  auto lease = db->acquire();
  EXPECT_EQ(lease->query("SELECT code FROM tenants").at(0).get_text(0), "pc");
}

TEST_F(Backup, ACorruptFileIsNamedAndNothingIsRestored) {
  backup();
  write_all(dir_ / "bk" / "media" / "1" / "ab" / "ab01.jpg", "photo 0ne");
  auto r = app::restore_backup(dir_ / "bk", empty_place());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "backup.file_corrupt");
  EXPECT_EQ(r.error().field, "media/1/ab/ab01.jpg");
  EXPECT_FALSE(fs::exists(dir_ / "restored"));
}

TEST_F(Backup, AMissingFileOrManifestIsNamed) {
  backup();
  fs::remove(dir_ / "bk" / "media" / "1" / "cd" / "cd02.thumb.jpg");
  auto r = app::verify_backup(dir_ / "bk");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "backup.file_missing");
  EXPECT_EQ(r.error().field, "media/1/cd/cd02.thumb.jpg");
  fs::remove(dir_ / "bk" / "manifest.json");
  EXPECT_EQ(app::verify_backup(dir_ / "bk").error().code, "backup.manifest_missing");
}

TEST_F(Backup, AManifestOfAnotherVersionIsRefused) {
  backup();
  auto text = read_all(dir_ / "bk" / "manifest.json");
  const auto at = text.find("\"version\":1");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 11, "\"version\":7");
  write_all(dir_ / "bk" / "manifest.json", text);
  auto r = app::restore_backup(dir_ / "bk", empty_place());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "backup.unsupported_version");
}

TEST_F(Backup, ANonEmptyTargetIsRefused) {
  backup();
  // The database file exists.
  auto to = empty_place();
  write_all(storage::sqlite_path_of(to.db_url), "x");
  auto r = app::restore_backup(dir_ / "bk", to);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "backup.target_not_empty");
  EXPECT_EQ(r.error().field, storage::sqlite_path_of(to.db_url));
  // The media directory holds something.
  fs::remove(storage::sqlite_path_of(to.db_url));
  write_all(fs::path(to.media_dir) / "old.jpg", "old");
  r = app::restore_backup(dir_ / "bk", to);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, to.media_dir);
  // A backup into a directory that holds one already.
  auto again = app::make_backup(source_, dir_ / "bk", "test", 0);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, "backup.target_not_empty");
}

TEST_F(Backup, ASqliteBackupGoesOnlyIntoSqlite) {
  backup();
  auto to = empty_place();
  to.db_url = "postgresql://nobody@127.0.0.1:1/none";
  auto r = app::restore_backup(dir_ / "bk", to);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "backup.dialect_mismatch");
}

TEST_F(Backup, MigrateDbTakesSqliteToPostgresqlOnly) {
  EXPECT_EQ(app::migrate_database("postgresql://x/y", "postgresql://x/z", {}).error().code,
            "migrate_db.source_not_sqlite");
  EXPECT_EQ(app::migrate_database(source_.db_url, "sqlite:/tmp/x.db", {}).error().code,
            "migrate_db.target_not_postgresql");
  EXPECT_EQ(app::migrate_database("sqlite:" + (dir_ / "none.db").string(), "postgresql://x/y", {})
                .error()
                .code,
            "backup.source_missing");
}

TEST_F(Backup, TablesAreCopiedInTheMigrationsOrder) {
  const auto order = storage::tables_in_migration_order(storage::Dialect::kPostgres);
  ASSERT_FALSE(order.empty());
  EXPECT_EQ(order.front(), "tenants");
  auto pos = [&](const std::string& t) {
    return std::find(order.begin(), order.end(), t) - order.begin();
  };
  EXPECT_LT(pos("tenants"), pos("cases"));
  EXPECT_LT(pos("cases"), pos("case_unit_counts"));
  EXPECT_LT(static_cast<std::size_t>(pos("ledger_events")), order.size());
}

TEST_F(Backup, MigrateDbMovesADistrictToAnEmptyPostgresql) {
  if (!pg_configured()) {
    if (pg_required()) FAIL() << "CIVICLOOP_REQUIRE_PG=1 but CIVICLOOP_TEST_PG is not set";
    GTEST_SKIP() << "no PostgreSQL (CIVICLOOP_TEST_PG)";
  }
  const auto url = fresh_database_url(kPostgresBackend);
  auto r = app::migrate_database(source_.db_url, url, {});
  ASSERT_TRUE(r.ok()) << r.error().code << " " << r.error().field;
  EXPECT_EQ(r->schema_migration, storage::latest_migration(storage::Dialect::kSqlite));
  ASSERT_EQ(r->ledgers.size(), 1U);
  EXPECT_TRUE(r->ledgers[0].second.ok);
  // A second time: the target is no longer empty.
  auto again = app::migrate_database(source_.db_url, url, {});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, "backup.target_not_empty");
  release_database(url);
}

}  // namespace
}  // namespace civicloop::test
