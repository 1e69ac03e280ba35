// The Open311 repository's contract, run on every backend: keys stored by hash and found by it
// within their tenant only, listed newest first, revoked once; the settings document and the
// jurisdiction that finds its tenant; the link of a case to its token.
#include "storage/open311_repo.hpp"

#include <gtest/gtest.h>

#include "storage/account_repo.hpp"
#include "support/test_db.hpp"

namespace civicloop::storage {
namespace {

constexpr Millis kNow = 1796002200000;  // 2026-11-30T01:30:00Z

class Open311RepoContract : public test::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    lease_.emplace(db().acquire());
    Tenant a;
    a.code = "pingcheng";
    a.name = "平城区";
    tenant_ = TenantRepo(conn()).upsert(a, kNow);
    Tenant b;
    b.code = "yungang";
    b.name = "云冈区";
    other_ = TenantRepo(conn()).upsert(b, kNow);
  }
  void TearDown() override {
    lease_.reset();
    BackendTest::TearDown();
  }
  Connection& conn() { return **lease_; }
  Open311Repo repo() { return Open311Repo(conn(), tenant_); }

  static Open311Key key(std::int64_t id, const std::string& hash) {
    Open311Key k;
    k.id = id;
    k.name = "市民热线 App " + std::to_string(id);
    k.contact = "ops@example.org";
    k.key_hash = hash;
    k.key_prefix = "1.abcdef";
    k.rate_per_minute = 120;
    k.created_by = 5;
    k.created_at = kNow + id;
    return k;
  }

  std::optional<Lease> lease_;
  std::int64_t tenant_ = 0;
  std::int64_t other_ = 0;
};

TEST_P(Open311RepoContract, KeysAreFoundByHashInTheirTenantListedNewestFirstAndRevokedOnce) {
  repo().insert_key(key(1, "hash-one"));
  repo().insert_key(key(2, "hash-two"));
  auto found = repo().find_key_by_hash("hash-two");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->id, 2);
  EXPECT_EQ(found->name, "市民热线 App 2");
  EXPECT_EQ(found->rate_per_minute, 120);
  EXPECT_EQ(found->created_by, std::optional<std::int64_t>(5));
  EXPECT_EQ(found->created_at, kNow + 2);
  EXPECT_FALSE(found->revoked_at.has_value());
  EXPECT_FALSE(repo().find_key_by_hash("hash-three").has_value());
  // Another tenant's repository does not see the key, even by its hash.
  EXPECT_FALSE(Open311Repo(conn(), other_).find_key_by_hash("hash-two").has_value());
  EXPECT_TRUE(Open311Repo(conn(), other_).keys().empty());
  // The same hash in another tenant is another key; twice in one tenant is refused.
  Open311Repo(conn(), other_).insert_key(key(1, "hash-two"));
  EXPECT_THROW(repo().insert_key(key(3, "hash-one")), StorageError);
  lease_.reset();
  lease_.emplace(db().acquire());

  const auto all = repo().keys();
  ASSERT_EQ(all.size(), 2U);
  EXPECT_EQ(all[0].id, 2);
  EXPECT_EQ(all[1].id, 1);

  EXPECT_TRUE(repo().revoke_key(1, 5, kNow + 100));
  EXPECT_FALSE(repo().revoke_key(1, 5, kNow + 200));  // once
  EXPECT_FALSE(repo().revoke_key(99, 5, kNow + 200));
  auto revoked = repo().find_key(1);
  ASSERT_TRUE(revoked.has_value());
  EXPECT_EQ(revoked->revoked_at, std::optional<Millis>(kNow + 100));
  EXPECT_EQ(revoked->revoked_by, std::optional<std::int64_t>(5));
  EXPECT_FALSE(repo().find_key(2)->revoked_at.has_value());
}

TEST_P(Open311RepoContract, SettingsFindTheirTenantByJurisdiction) {
  EXPECT_FALSE(repo().settings_doc().has_value());
  EXPECT_TRUE(Open311Repo::tenants(conn()).empty());
  repo().save_settings("pingcheng.example.org", R"({"a":1})", kNow);
  repo().save_settings("pingcheng.example.org", R"({"a":2})", kNow + 1);
  Open311Repo(conn(), other_).save_settings("yungang.example.org", R"({"b":1})", kNow);
  EXPECT_EQ(repo().settings_doc(), std::optional<std::string>(R"({"a":2})"));
  EXPECT_EQ(Open311Repo::tenant_of_jurisdiction(conn(), "pingcheng.example.org"),
            std::optional<std::int64_t>(tenant_));
  EXPECT_EQ(Open311Repo::tenant_of_jurisdiction(conn(), "yungang.example.org"),
            std::optional<std::int64_t>(other_));
  EXPECT_FALSE(Open311Repo::tenant_of_jurisdiction(conn(), "nowhere.example.org").has_value());
  EXPECT_EQ(Open311Repo::tenants(conn()), (std::vector<std::int64_t>{tenant_, other_}));
}

TEST_P(Open311RepoContract, LinksAreFoundByTokenAndByCase) {
  repo().insert_link({41, "tok-41", 1, R"({"hazard":["a"]})", 2, kNow});
  repo().insert_link({42, "tok-42", 1, "{}", 0, kNow});
  auto l = repo().find_link_by_token("tok-41");
  ASSERT_TRUE(l.has_value());
  EXPECT_EQ(l->case_id, 41);
  EXPECT_EQ(l->attributes_json, R"({"hazard":["a"]})");
  EXPECT_EQ(l->media_count, 2);
  EXPECT_FALSE(repo().find_link_by_token("tok-43").has_value());
  EXPECT_FALSE(Open311Repo(conn(), other_).find_link_by_token("tok-41").has_value());
  const auto links = repo().links_of({41, 42, 43});
  EXPECT_EQ(links.size(), 2U);
  EXPECT_EQ(links.at(42).token, "tok-42");
  EXPECT_TRUE(repo().links_of({}).empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, Open311RepoContract, ::testing::ValuesIn(test::test_backends()),
                         test::backend_name);

}  // namespace
}  // namespace civicloop::storage
