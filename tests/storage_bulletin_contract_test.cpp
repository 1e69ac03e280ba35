// The bulletin repository's contract, run on every backend: rows with their recipients, the
// versioned update (a stale version changes nothing), the list newest first with its filters and
// keyset, the unique number and schedule key, the PDF in use, the template document, and tenants
// kept apart.
#include "storage/bulletin_repo.hpp"

#include <gtest/gtest.h>

#include <functional>

#include "storage/account_repo.hpp"
#include "support/test_db.hpp"

namespace civicloop::storage {
namespace {

constexpr Millis kNow = 1796002200000;  // 2026-11-30T01:30:00Z

class BulletinRepoContract : public test::BackendTest {
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
  BulletinRepo repo() { return BulletinRepo(conn(), tenant_); }

  static BulletinRow row(std::int64_t id, std::string state = "draft") {
    BulletinRow b;
    b.id = id;
    b.kind = "weekly";
    b.state = std::move(state);
    b.title = "关于第" + std::to_string(id) + "周的通报";
    b.period_kind = "week";
    b.period_from = "2026-11-30";
    b.period_to = "2026-12-06";
    b.content = R"({"sections":[]})";
    b.snapshot = R"({"totals":{"due":3}})";
    b.created_by = 7;
    b.created_at = kNow;
    b.updated_at = kNow;
    b.recipients = {12, 5};
    return b;
  }

  std::optional<Lease> lease_;
  std::int64_t tenant_ = 0;
  std::int64_t other_ = 0;
};

bool unique_violation(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const StorageError& e) {
    return e.kind() == StorageError::Kind::kUniqueViolation;
  }
  return false;
}

TEST_P(BulletinRepoContract, InsertFindAndTheRecipientsInOrder) {
  repo().insert(row(1));
  const auto b = repo().find(1);
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->title, "关于第1周的通报");
  EXPECT_EQ(b->state, "draft");
  EXPECT_EQ(b->version, 1);
  EXPECT_EQ(b->snapshot, R"({"totals":{"due":3}})");
  EXPECT_EQ(b->recipients, (std::vector<std::int64_t>{5, 12}));
  EXPECT_EQ(b->created_by, 7);
  EXPECT_FALSE(b->number.has_value());
  EXPECT_FALSE(b->submitted_at.has_value());
  EXPECT_FALSE(repo().find(2).has_value());
  EXPECT_FALSE(BulletinRepo(conn(), other_).find(1).has_value());
  EXPECT_TRUE(repo().find_for_update(1).has_value());
}

TEST_P(BulletinRepoContract, AStaleVersionChangesNothing) {
  repo().insert(row(1));
  auto b = *repo().find(1);
  b.title = "新标题";
  b.version = 2;
  b.recipients = {9};
  EXPECT_TRUE(repo().update(b, 1));
  auto stale = b;
  stale.title = "晚到的标题";
  stale.version = 2;
  EXPECT_FALSE(repo().update(stale, 1));
  const auto now = *repo().find(1);
  EXPECT_EQ(now.title, "新标题");
  EXPECT_EQ(now.version, 2);
  EXPECT_EQ(now.recipients, (std::vector<std::int64_t>{9}));
}

TEST_P(BulletinRepoContract, NumbersAndScheduleKeysAreUniquePerTenant) {
  auto a = row(1, "published");
  a.year = 2026;
  a.seq = 1;
  a.number = "平创通〔2026〕1号";
  a.schedule_key = "weekly:2026-11-23";
  a.pdf_sha256 = std::string(64, 'a');
  repo().insert(a);
  auto b = row(2);
  b.number = a.number;
  EXPECT_TRUE(unique_violation([&] { repo().insert(b); }));
  auto c = row(3);
  c.schedule_key = a.schedule_key;
  EXPECT_TRUE(unique_violation([&] { repo().insert(c); }));
  // Another tenant may use both.
  BulletinRepo(conn(), other_).insert(a);
  EXPECT_EQ(repo().find_by_schedule_key("weekly:2026-11-23")->id, 1);
  EXPECT_FALSE(repo().find_by_schedule_key("weekly:2026-11-30").has_value());
  EXPECT_TRUE(repo().pdf_in_use(std::string(64, 'a')));
  EXPECT_FALSE(repo().pdf_in_use(std::string(64, 'b')));
  // Drafts without number or key do not collide.
  repo().insert(row(4));
  repo().insert(row(5));
}

TEST_P(BulletinRepoContract, TheListIsNewestFirstWithFiltersAndKeyset) {
  repo().insert(row(1, "published"));
  auto two = row(2, "draft");
  two.recipients = {5};
  repo().insert(two);
  auto three = row(3, "published");
  three.kind = "monthly";
  three.recipients = {99};
  repo().insert(three);
  auto ids = [](const std::vector<BulletinRow>& v) {
    std::vector<std::int64_t> out;
    for (const auto& b : v) out.push_back(b.id);
    return out;
  };
  BulletinFilter f;
  EXPECT_EQ(ids(repo().list(f)), (std::vector<std::int64_t>{3, 2, 1}));
  const auto all = repo().list(f);
  EXPECT_TRUE(all[0].content.empty());  // the list leaves out the documents
  EXPECT_EQ(all[0].recipients, (std::vector<std::int64_t>{99}));
  f.state = "published";
  EXPECT_EQ(ids(repo().list(f)), (std::vector<std::int64_t>{3, 1}));
  f.kind = "weekly";
  EXPECT_EQ(ids(repo().list(f)), (std::vector<std::int64_t>{1}));
  BulletinFilter g;
  g.recipient_units = std::vector<std::int64_t>{5};
  EXPECT_EQ(ids(repo().list(g)), (std::vector<std::int64_t>{2, 1}));
  g.recipient_units = std::vector<std::int64_t>{};
  EXPECT_TRUE(repo().list(g).empty());
  BulletinFilter h;
  h.limit = 1;
  EXPECT_EQ(ids(repo().list(h)), (std::vector<std::int64_t>{3}));
  h.before_id = 3;
  EXPECT_EQ(ids(repo().list(h)), (std::vector<std::int64_t>{2}));
  EXPECT_TRUE(BulletinRepo(conn(), other_).list(f).empty());
}

TEST_P(BulletinRepoContract, TheTemplateDocumentIsKeptPerTenant) {
  EXPECT_FALSE(repo().settings_doc().has_value());
  repo().save_settings_doc(R"({"a":1})", kNow);
  repo().save_settings_doc(R"({"a":2})", kNow + 1);
  EXPECT_EQ(repo().settings_doc(), std::optional<std::string>(R"({"a":2})"));
  EXPECT_FALSE(BulletinRepo(conn(), other_).settings_doc().has_value());
}

INSTANTIATE_TEST_SUITE_P(Backends, BulletinRepoContract, ::testing::ValuesIn(test::test_backends()),
                         test::backend_name);

}  // namespace
}  // namespace civicloop::storage
