// The notification and configuration repositories' contract, run on every backend: the same calls
// must give the same answers on SQLite and PostgreSQL. The inbox (per user, unread, read and
// read-all), robots (webhooks) and their outbox (due items, attempts, retries); the category
// taxonomy with its versions, campaign drives, the working-time calendar, routing rules in their
// order and the workflow settings.
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "storage/account_repo.hpp"
#include "storage/config_repo.hpp"
#include "storage/db.hpp"
#include "storage/digest_repo.hpp"
#include "storage/notify_repo.hpp"
#include "support/test_db.hpp"

namespace civicloop::storage {
namespace {

constexpr Millis kNow = 1796002200000;  // 2026-11-30T01:30:00Z, Monday 09:30 in Pingcheng
constexpr Millis kMinute = 60000;
constexpr Millis kHour = 60 * kMinute;

using Ids = std::vector<std::int64_t>;

std::optional<StorageError::Kind> storage_error_kind(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const StorageError& e) {
    return e.kind();
  }
  ADD_FAILURE() << "expected a StorageError";
  return std::nullopt;
}

// A fresh database with two tenants.
class TwoTenants : public test::BackendTest {
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
    ASSERT_NE(tenant_, other_);
  }
  void TearDown() override {
    lease_.reset();
    BackendTest::TearDown();
  }
  Connection& conn() { return **lease_; }

  std::optional<Lease> lease_;
  std::int64_t tenant_ = 0;
  std::int64_t other_ = 0;
};

// ==== NotifyRepo ====

class NotifyRepoContract : public TwoTenants {
 protected:
  NotifyRepo repo() { return NotifyRepo(conn(), tenant_); }
  NotifyRepo other_repo() { return NotifyRepo(conn(), other_); }
  Ids inbox(std::int64_t user, bool unread_only = false, int limit = 50,
            std::optional<std::int64_t> before = std::nullopt) {
    Ids out;
    for (const auto& n : repo().inbox(user, unread_only, limit, before)) out.push_back(n.id);
    return out;
  }
};

Notification a_notification(std::int64_t id, std::int64_t user,
                            std::optional<Millis> read_at = std::nullopt) {
  Notification n;
  n.id = id;
  n.user_id = user;
  n.case_id = 100 + id;
  n.kind = "dispatched";
  n.title = "新派遣问题：暴露垃圾";
  n.body = "2026000" + std::to_string(id) + " 永泰路12号";
  n.created_at = kNow + id * kMinute;
  n.read_at = read_at;
  return n;
}

TEST_P(NotifyRepoContract, ANotificationRoundTripsEveryField) {
  Notification n;
  n.id = 3;
  n.user_id = 7;
  n.case_id = 42;
  n.kind = "warning_75";
  n.title = "即将超期：乱堆物堆料";
  n.body = "第一行\n第二行 'quoted' \"double\" 100%";
  n.created_at = kNow;
  n.read_at = kNow + 5;
  repo().insert_notification(n);
  Notification plain = a_notification(4, 7);
  plain.case_id = std::nullopt;
  plain.body = "";
  repo().insert_notification(plain);

  const auto got = repo().inbox(7, false, 50, std::nullopt);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].id, 3);
  EXPECT_EQ(got[1].user_id, 7);
  EXPECT_EQ(got[1].case_id, 42);
  EXPECT_EQ(got[1].kind, "warning_75");
  EXPECT_EQ(got[1].title, "即将超期：乱堆物堆料");
  EXPECT_EQ(got[1].body, "第一行\n第二行 'quoted' \"double\" 100%");
  EXPECT_EQ(got[1].created_at, kNow);
  EXPECT_EQ(got[1].read_at, kNow + 5);
  EXPECT_EQ(got[0].id, 4);
  EXPECT_EQ(got[0].case_id, std::nullopt);
  EXPECT_EQ(got[0].body, "");
  EXPECT_EQ(got[0].read_at, std::nullopt);
  EXPECT_EQ(storage_error_kind([&] { repo().insert_notification(a_notification(3, 8)); }),
            StorageError::Kind::kUniqueViolation);
}

TEST_P(NotifyRepoContract, EachUserHasAnInboxNewestFirstWithPages) {
  for (std::int64_t id = 1; id <= 7; ++id) repo().insert_notification(a_notification(id, id % 2));
  other_repo().insert_notification(a_notification(8, 1));
  EXPECT_EQ(inbox(1), (Ids{7, 5, 3, 1}));
  EXPECT_EQ(inbox(0), (Ids{6, 4, 2}));
  EXPECT_TRUE(inbox(2).empty());
  EXPECT_EQ(inbox(1, false, 3), (Ids{7, 5, 3}));
  EXPECT_EQ(inbox(1, false, 3, 3), (Ids{1}));
  EXPECT_EQ(inbox(1, false, 2, 5), (Ids{3, 1}));
  EXPECT_TRUE(inbox(1, false, 2, 1).empty());
}

TEST_P(NotifyRepoContract, UnreadCountsAndReadingOneOrAll) {
  repo().insert_notification(a_notification(1, 5));
  repo().insert_notification(a_notification(2, 5, kNow));  // already read
  repo().insert_notification(a_notification(3, 5));
  repo().insert_notification(a_notification(4, 5));
  repo().insert_notification(a_notification(5, 6));
  other_repo().insert_notification(a_notification(6, 5));
  EXPECT_EQ(repo().unread_count(5), 3);
  EXPECT_EQ(repo().unread_count(6), 1);
  EXPECT_EQ(repo().unread_count(7), 0);
  EXPECT_EQ(inbox(5, true), (Ids{4, 3, 1}));

  EXPECT_TRUE(repo().mark_read(5, 3, kNow + kHour));
  EXPECT_FALSE(repo().mark_read(5, 3, kNow + 2 * kHour)) << "read once";
  EXPECT_FALSE(repo().mark_read(6, 1, kNow)) << "another user's notification";
  EXPECT_FALSE(repo().mark_read(5, 6, kNow)) << "another tenant's notification";
  EXPECT_FALSE(repo().mark_read(5, 99, kNow));
  EXPECT_EQ(repo().unread_count(5), 2);
  EXPECT_EQ(inbox(5, true), (Ids{4, 1}));
  const auto read = repo().inbox(5, false, 50, std::nullopt);
  ASSERT_EQ(read.size(), 4u);
  EXPECT_EQ(read[1].id, 3);
  EXPECT_EQ(read[1].read_at, kNow + kHour) << "the first reading counts";

  EXPECT_EQ(repo().mark_all_read(5, kNow + 3 * kHour), 2);
  EXPECT_EQ(repo().mark_all_read(5, kNow + 4 * kHour), 0);
  EXPECT_EQ(repo().unread_count(5), 0);
  EXPECT_TRUE(inbox(5, true).empty());
  EXPECT_EQ(repo().inbox(5, false, 50, std::nullopt)[0].read_at, kNow + 3 * kHour);
  EXPECT_EQ(repo().inbox(5, false, 50, std::nullopt)[2].read_at, kNow) << "read before";
  // Nobody else's were touched.
  EXPECT_EQ(repo().unread_count(6), 1);
  EXPECT_EQ(other_repo().unread_count(5), 1);
}

TEST_P(NotifyRepoContract, WebhooksAreCreatedReadUpdatedAndDeleted) {
  repo().insert_webhook(
      {3, "创城工作群", "wecom", "https://qyapi.weixin.qq.com/send?key=abc", std::nullopt, true});
  repo().insert_webhook(
      {1, "城管群", "dingtalk", "https://oapi.dingtalk.com/robot/send?t=1", "SEC0123", false});
  repo().insert_webhook({2, "通用", "generic", "https://example.org/hook", "s", true});
  other_repo().insert_webhook(
      {4, "别区", "generic", "https://example.org/other", std::nullopt, true});

  const auto found = repo().find_webhook(1);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->id, 1);
  EXPECT_EQ(found->name, "城管群");
  EXPECT_EQ(found->flavour, "dingtalk");
  EXPECT_EQ(found->url, "https://oapi.dingtalk.com/robot/send?t=1");
  EXPECT_EQ(found->secret, "SEC0123");
  EXPECT_FALSE(found->active);
  EXPECT_EQ(repo().find_webhook(3)->secret, std::nullopt);
  EXPECT_TRUE(repo().find_webhook(3)->active);
  EXPECT_EQ(repo().find_webhook(4), std::nullopt);

  auto ids = [](const std::vector<Webhook>& v) {
    Ids out;
    for (const auto& w : v) out.push_back(w.id);
    return out;
  };
  EXPECT_EQ(ids(repo().webhooks(false)), (Ids{1, 2, 3}));
  EXPECT_EQ(ids(repo().webhooks(true)), (Ids{2, 3}));

  Webhook changed{
      1, "城管执法群", "wecom", "https://qyapi.weixin.qq.com/send?key=new", std::nullopt, true};
  EXPECT_TRUE(repo().update_webhook(changed));
  const auto updated = repo().find_webhook(1);
  EXPECT_EQ(updated->name, "城管执法群");
  EXPECT_EQ(updated->flavour, "wecom");
  EXPECT_EQ(updated->url, "https://qyapi.weixin.qq.com/send?key=new");
  EXPECT_EQ(updated->secret, std::nullopt);
  EXPECT_TRUE(updated->active);
  EXPECT_EQ(ids(repo().webhooks(true)), (Ids{1, 2, 3}));
  EXPECT_FALSE(repo().update_webhook({9, "x", "generic", "https://x", std::nullopt, true}));
  EXPECT_FALSE(other_repo().update_webhook(changed));

  EXPECT_TRUE(repo().delete_webhook(2));
  EXPECT_FALSE(repo().delete_webhook(2));
  EXPECT_FALSE(repo().delete_webhook(4)) << "another tenant's";
  EXPECT_EQ(ids(repo().webhooks(false)), (Ids{1, 3}));
  EXPECT_EQ(ids(other_repo().webhooks(false)), (Ids{4}));
  EXPECT_EQ(storage_error_kind([&] {
              repo().insert_webhook({1, "again", "generic", "https://x", std::nullopt, true});
            }),
            StorageError::Kind::kUniqueViolation);
}

OutboxItem an_item(std::int64_t id, Millis next, std::int64_t webhook = 1) {
  OutboxItem o;
  o.id = id;
  o.webhook_id = webhook;
  o.payload = R"({"title":"新派遣问题","markdown":"**暴露垃圾** 永泰路12号"})";
  o.next_attempt_at = next;
  o.created_at = kNow - kHour + id;
  return o;
}

TEST_P(NotifyRepoContract, ANotificationKeepsItsTemplateAndARobotItsLanguage) {
  Notification n = a_notification(9, 7);
  n.message_key = "notify.dispatched";
  n.message_args = R"({"title":"乱堆物堆料","deadline":"2026-11-30 11:30"})";
  repo().insert_notification(n);
  repo().insert_notification(a_notification(10, 7));
  const auto got = repo().inbox(7, false, 50, std::nullopt);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].message_key, "notify.dispatched");
  EXPECT_EQ(got[1].message_args, R"({"title":"乱堆物堆料","deadline":"2026-11-30 11:30"})");
  EXPECT_EQ(got[0].message_key, std::nullopt) << "a notification without a template";
  EXPECT_EQ(got[0].message_args, std::nullopt);

  Webhook w{5, "英文群", "generic", "https://example.org/en", std::nullopt, true};
  repo().insert_webhook(w);
  repo().insert_webhook({6, "中文群", "generic", "https://example.org/zh", std::nullopt, true});
  w.locale = "en";
  repo().insert_webhook(
      {7, "English", "generic", "https://example.org/e", std::nullopt, true, "en"});
  EXPECT_EQ(repo().find_webhook(5)->locale, "zh-CN") << "the default";
  EXPECT_EQ(repo().find_webhook(7)->locale, "en");
  EXPECT_TRUE(repo().update_webhook(w));
  EXPECT_EQ(repo().find_webhook(5)->locale, "en");
  EXPECT_EQ(repo().webhooks(true).size(), 3u);
}

TEST_P(NotifyRepoContract, TheOutboxHandsOutDueItemsOfEveryTenantSoonestFirst) {
  repo().enqueue(an_item(1, kNow - kMinute));
  repo().enqueue(an_item(2, kNow + kMinute));  // not yet
  repo().enqueue(an_item(3, kNow));            // exactly now: due
  auto delivered = an_item(4, kNow - kHour);
  delivered.delivered_at = kNow - 30 * kMinute;
  repo().enqueue(delivered);
  auto failed = an_item(5, kNow - kHour);
  failed.failed = true;
  failed.attempts = 8;
  failed.last_error = "HTTP 500";
  repo().enqueue(failed);
  other_repo().enqueue(an_item(6, kNow - 2 * kMinute, 7));

  const auto due = repo().due(kNow, 10);
  std::vector<std::pair<std::int64_t, std::int64_t>> got;
  for (const auto& o : due) got.emplace_back(o.tenant_id, o.id);
  EXPECT_EQ(got, (std::vector<std::pair<std::int64_t, std::int64_t>>{
                     {other_, 6}, {tenant_, 1}, {tenant_, 3}}));
  ASSERT_EQ(due.size(), 3u);
  EXPECT_EQ(due[0].webhook_id, 7);
  EXPECT_EQ(due[1].payload, R"({"title":"新派遣问题","markdown":"**暴露垃圾** 永泰路12号"})");
  EXPECT_EQ(due[1].attempts, 0);
  EXPECT_EQ(due[1].next_attempt_at, kNow - kMinute);
  EXPECT_EQ(due[1].delivered_at, std::nullopt);
  EXPECT_FALSE(due[1].failed);
  EXPECT_EQ(due[1].last_error, std::nullopt);
  EXPECT_EQ(due[1].created_at, kNow - kHour + 1);
  EXPECT_EQ(repo().due(kNow, 1).size(), 1u);
  EXPECT_EQ(repo().due(kNow, 1)[0].id, 6);
  EXPECT_TRUE(repo().due(kNow - kHour, 10).empty());
}

TEST_P(NotifyRepoContract, AnAttemptIsRecordedAndARetryWaitsItsTurn) {
  repo().enqueue(an_item(1, kNow - kMinute));
  repo().enqueue(an_item(2, kNow - kMinute));
  // Item 1 failed once: retry in five minutes.
  auto retry = repo().due(kNow, 10).at(0);
  ASSERT_EQ(retry.id, 1);
  retry.attempts = 1;
  retry.next_attempt_at = kNow + 5 * kMinute;
  retry.last_error = "connect: timed out";
  repo().record_attempt(retry);
  // Item 2 was delivered.
  auto done = repo().due(kNow, 10).at(0);
  ASSERT_EQ(done.id, 2);
  done.attempts = 1;
  done.delivered_at = kNow;
  repo().record_attempt(done);

  EXPECT_TRUE(repo().due(kNow, 10).empty());
  EXPECT_TRUE(repo().due(kNow + 5 * kMinute - 1, 10).empty());
  const auto again = repo().due(kNow + 5 * kMinute, 10);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].id, 1);
  EXPECT_EQ(again[0].attempts, 1);
  EXPECT_EQ(again[0].last_error, "connect: timed out");

  // It gives up after the last attempt: failed, never due again.
  auto give_up = again[0];
  give_up.attempts = 2;
  give_up.failed = true;
  give_up.last_error = "HTTP 502";
  repo().record_attempt(give_up);
  EXPECT_TRUE(repo().due(kNow + 24 * kHour, 10).empty());

  const auto recent = repo().recent_outbox(10);
  ASSERT_EQ(recent.size(), 2u);
  EXPECT_EQ(recent[0].id, 2);
  EXPECT_EQ(recent[0].delivered_at, kNow);
  EXPECT_FALSE(recent[0].failed);
  EXPECT_EQ(recent[1].id, 1);
  EXPECT_EQ(recent[1].attempts, 2);
  EXPECT_TRUE(recent[1].failed);
  EXPECT_EQ(recent[1].last_error, "HTTP 502");
  EXPECT_EQ(recent[1].delivered_at, std::nullopt);
  EXPECT_EQ(repo().recent_outbox(1).size(), 1u);
  EXPECT_TRUE(other_repo().recent_outbox(10).empty());
}

TEST_P(NotifyRepoContract, AnAttemptChangesOnlyItsOwnTenantsItem) {
  repo().enqueue(an_item(1, kNow - kMinute));
  other_repo().enqueue(an_item(1, kNow - kMinute));
  auto item = repo().recent_outbox(1).at(0);
  ASSERT_EQ(item.tenant_id, tenant_);
  item.delivered_at = kNow;
  item.attempts = 1;
  repo().record_attempt(item);
  const auto due = repo().due(kNow, 10);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].tenant_id, other_);
  EXPECT_EQ(due[0].attempts, 0);
}

// A unit's own robot (migration 0017) is apart from the tenant's: active_robots(unit) gives the
// unit's active ones, active_robots(none) the tenant-wide ones; the digests sent are recorded once
// per unit, kind and period.
TEST_P(NotifyRepoContract, AUnitsRobotsAreApartAndADigestIsRecordedOncePerPeriod) {
  Webhook tenant_wide{1, "创城工作群", "wecom", "https://example.org/hq", std::nullopt, true};
  Webhook unit{2, "永泰街道工作群", "wecom", "https://example.org/yt", std::nullopt, true};
  unit.unit_id = 41;
  Webhook off = unit;
  off.id = 3;
  off.active = false;
  Webhook other_unit = unit;
  other_unit.id = 4;
  other_unit.unit_id = 42;
  for (const auto& w : {tenant_wide, unit, off, other_unit}) repo().insert_webhook(w);
  Ids ids;
  for (const auto& w : repo().active_robots(std::nullopt)) ids.push_back(w.id);
  EXPECT_EQ(ids, Ids{1});
  ids.clear();
  for (const auto& w : repo().active_robots(41)) ids.push_back(w.id);
  EXPECT_EQ(ids, Ids{2});
  EXPECT_EQ(repo().find_webhook(2)->unit_id, 41);
  EXPECT_EQ(repo().find_webhook(1)->unit_id, std::nullopt);
  EXPECT_EQ(repo().webhooks(false).size(), 4u);
  EXPECT_TRUE(other_repo().active_robots(41).empty());

  DigestRepo digests(conn(), tenant_);
  EXPECT_TRUE(digests.record({"weekly", "2026-11-23", 41, 1, 1, kNow}));
  EXPECT_FALSE(digests.record({"weekly", "2026-11-23", 41, 1, 1, kNow + kHour})) << "twice";
  EXPECT_TRUE(digests.record({"daily", "2026-11-29", 41, 1, 0, kNow}));
  EXPECT_TRUE(digests.record({"weekly", "2026-11-23", 42, 0, 2, kNow}));
  EXPECT_TRUE(DigestRepo(conn(), other_).record({"weekly", "2026-11-23", 41, 1, 1, kNow}));
  EXPECT_EQ(digests.units_sent("weekly", "2026-11-23"), (std::set<std::int64_t>{41, 42}));
  EXPECT_TRUE(digests.units_sent("weekly", "2026-11-30").empty());
  const auto runs = digests.of_unit(41, 10);
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].kind, "daily");
  EXPECT_EQ(runs[1].kind, "weekly");
  EXPECT_EQ(runs[1].robots, 1);
  EXPECT_EQ(runs[1].notified, 1);
  EXPECT_EQ(runs[1].sent_at, kNow);
}

INSTANTIATE_TEST_SUITE_P(Backends, NotifyRepoContract, ::testing::ValuesIn(test::test_backends()),
                         test::backend_name);

// ==== ConfigRepo ====

class ConfigRepoContract : public TwoTenants {
 protected:
  ConfigRepo repo() { return ConfigRepo(conn(), tenant_); }
  ConfigRepo other_repo() { return ConfigRepo(conn(), other_); }
};

Category a_category(std::string code, std::optional<std::string> parent, std::string name,
                    int sort_order = 0) {
  Category c;
  c.code = std::move(code);
  c.parent_code = std::move(parent);
  c.kind = "event";
  c.name = std::move(name);
  c.sort_order = sort_order;
  return c;
}

Category every_category_field() {
  Category c = a_category("0102", "01", "暴露垃圾", 3);
  c.kind = "component";
  c.name_en = "Exposed rubbish";
  c.drive = "environment";
  c.filing_condition = "垃圾暴露面积≥0.5平方米";
  c.closing_condition = "清理干净，\"无残留\"";
  c.notice_kind = "reminder";
  c.limit = calendar::TimeLimit{4, calendar::LimitUnit::kWorkingHours};
  c.responsible_kind = "subdistrict";
  c.responsible_unit_id = 2;
  c.supervising_group_id = 10;
  c.keywords = "垃圾 堆放 废弃物";
  c.active = false;
  return c;
}

void expect_same_category(const Category& got, const Category& want, int version) {
  SCOPED_TRACE("category " + want.code);
  EXPECT_EQ(got.code, want.code);
  EXPECT_EQ(got.parent_code, want.parent_code);
  EXPECT_EQ(got.kind, want.kind);
  EXPECT_EQ(got.name, want.name);
  EXPECT_EQ(got.name_en, want.name_en);
  EXPECT_EQ(got.drive, want.drive);
  EXPECT_EQ(got.filing_condition, want.filing_condition);
  EXPECT_EQ(got.closing_condition, want.closing_condition);
  EXPECT_EQ(got.notice_kind, want.notice_kind);
  EXPECT_EQ(got.limit, want.limit);
  EXPECT_EQ(got.responsible_kind, want.responsible_kind);
  EXPECT_EQ(got.responsible_unit_id, want.responsible_unit_id);
  EXPECT_EQ(got.supervising_group_id, want.supervising_group_id);
  EXPECT_EQ(got.keywords, want.keywords);
  EXPECT_EQ(got.sort_order, want.sort_order);
  EXPECT_EQ(got.active, want.active);
  EXPECT_EQ(got.version, version);
}

TEST_P(ConfigRepoContract, ACategoryRoundTripsEveryFieldAndItsNulls) {
  const auto full = every_category_field();
  repo().upsert_category(full);
  const auto major = a_category("01", std::nullopt, "市容环境");
  repo().upsert_category(major);
  expect_same_category(*repo().find_category("0102"), full, 1);
  const auto got = repo().find_category("01");
  ASSERT_TRUE(got.has_value());
  expect_same_category(*got, major, 1);
  EXPECT_EQ(got->parent_code, std::nullopt);
  EXPECT_EQ(got->limit, std::nullopt);
  EXPECT_EQ(got->responsible_unit_id, std::nullopt);
  EXPECT_EQ(got->notice_kind, "rectification");
  EXPECT_TRUE(got->active);
  EXPECT_EQ(repo().find_category("0103"), std::nullopt);
  EXPECT_EQ(other_repo().find_category("0102"), std::nullopt);
  // Every time-limit unit survives.
  for (const auto unit : calendar::all_limit_units()) {
    auto c = a_category("0901", "09", "测试");
    c.limit = calendar::TimeLimit{9999, unit};
    repo().upsert_category(c);
    EXPECT_EQ(repo().find_category("0901")->limit, c.limit) << calendar::to_string(unit);
  }
}

TEST_P(ConfigRepoContract, UpsertingACategoryAgainReplacesItAndCountsTheVersion) {
  repo().upsert_category(every_category_field());
  auto plain = a_category("0102", "01", "暴露垃圾（新）", 1);
  repo().upsert_category(plain);
  expect_same_category(*repo().find_category("0102"), plain, 2);
  repo().upsert_category(plain);
  EXPECT_EQ(repo().find_category("0102")->version, 3);
  // The other tenant's category of the same code is its own.
  other_repo().upsert_category(every_category_field());
  EXPECT_EQ(other_repo().find_category("0102")->version, 1);
  EXPECT_EQ(repo().find_category("0102")->name, "暴露垃圾（新）");
}

TEST_P(ConfigRepoContract, UpdatingACategoryChecksItsVersion) {
  repo().upsert_category(a_category("0102", "01", "暴露垃圾"));
  auto edited = every_category_field();
  EXPECT_TRUE(repo().update_category(edited, 1));
  expect_same_category(*repo().find_category("0102"), edited, 2);
  auto stale = edited;
  stale.name = "过时";
  EXPECT_FALSE(repo().update_category(stale, 1));
  EXPECT_EQ(repo().find_category("0102")->name, "暴露垃圾");
  EXPECT_EQ(repo().find_category("0102")->version, 2);
  EXPECT_FALSE(repo().update_category(a_category("0199", "01", "无此类别"), 1));
  EXPECT_FALSE(other_repo().update_category(edited, 2));
  EXPECT_TRUE(repo().update_category(stale, 2));
  EXPECT_EQ(repo().find_category("0102")->name, "过时");
  EXPECT_EQ(repo().find_category("0102")->version, 3);
}

TEST_P(ConfigRepoContract, CategoriesComeInSortOrderThenByCode) {
  repo().upsert_category(a_category("0201", "02", "乙", 2));
  repo().upsert_category(a_category("0102", "01", "甲二", 1));
  repo().upsert_category(a_category("0101", "01", "甲一", 1));
  repo().upsert_category(a_category("02", std::nullopt, "乙类", 0));
  repo().upsert_category(a_category("01", std::nullopt, "甲类", 0));
  repo().upsert_category(a_category("0301", "03", "丙", -1));
  other_repo().upsert_category(a_category("0000", std::nullopt, "别区", -5));
  std::vector<std::string> codes;
  for (const auto& c : repo().categories()) codes.push_back(c.code);
  EXPECT_EQ(codes, (std::vector<std::string>{"0301", "01", "02", "0101", "0102", "0201"}));
  EXPECT_EQ(other_repo().categories().size(), 1u);
}

TEST_P(ConfigRepoContract, DrivesAreUpsertedAndComeInOrder) {
  repo().upsert_drive({"traffic", "交通秩序", std::nullopt, 2});
  repo().upsert_drive({"environment", "环境卫生", "Environment", 1});
  repo().upsert_drive({"market", "市场秩序", std::nullopt, 2});
  repo().upsert_drive({"traffic", "交通秩序整治", "Traffic", 0});
  const auto drives = repo().drives();
  ASSERT_EQ(drives.size(), 3u);
  EXPECT_EQ(drives[0].code, "traffic");
  EXPECT_EQ(drives[0].name, "交通秩序整治");
  EXPECT_EQ(drives[0].name_en, "Traffic");
  EXPECT_EQ(drives[0].sort_order, 0);
  EXPECT_EQ(drives[1].code, "environment");
  EXPECT_EQ(drives[1].name_en, "Environment");
  EXPECT_EQ(drives[2].code, "market");
  EXPECT_EQ(drives[2].name_en, std::nullopt);
  EXPECT_TRUE(other_repo().drives().empty());
}

calendar::Date d(int y, int m, int day) { return {y, m, day}; }

TEST_P(ConfigRepoContract, TheCalendarKeepsItsPeriodsAndEachYearsDays) {
  EXPECT_EQ(repo().calendar(), std::nullopt);
  const std::vector<calendar::WorkPeriod> periods{{510, 720}, {870, 1080}};
  repo().save_calendar_header(480, periods);
  calendar::YearSchedule y2026{
      2026, {d(2026, 10, 1), d(2026, 1, 1), d(2026, 2, 16)}, {d(2026, 2, 14), d(2026, 1, 4)}};
  repo().save_year(y2026);
  repo().save_year({2025, {d(2025, 1, 1)}, {d(2025, 1, 26)}});
  repo().save_year({2028, {}, {}});  // entered, with nothing off
  other_repo().save_calendar_header(420, {{540, 1020}});
  other_repo().save_year({2026, {d(2026, 5, 1)}, {}});

  const auto cal = repo().calendar();
  ASSERT_TRUE(cal.has_value());
  EXPECT_EQ(cal->utc_offset_minutes, 480);
  EXPECT_EQ(cal->periods, periods);
  ASSERT_EQ(cal->years.size(), 3u);
  EXPECT_EQ(cal->years[0].year, 2025);
  EXPECT_EQ(cal->years[0].holidays, (std::vector<calendar::Date>{d(2025, 1, 1)}));
  EXPECT_EQ(cal->years[0].makeup_workdays, (std::vector<calendar::Date>{d(2025, 1, 26)}));
  EXPECT_EQ(cal->years[1].year, 2026);
  EXPECT_EQ(cal->years[1].holidays,
            (std::vector<calendar::Date>{d(2026, 1, 1), d(2026, 2, 16), d(2026, 10, 1)}));
  EXPECT_EQ(cal->years[1].makeup_workdays,
            (std::vector<calendar::Date>{d(2026, 1, 4), d(2026, 2, 14)}));
  EXPECT_EQ(cal->years[2].year, 2028);
  EXPECT_TRUE(cal->years[2].holidays.empty());
  EXPECT_TRUE(cal->years[2].makeup_workdays.empty());

  // Saving a year again replaces that year's days only; a new header replaces the periods.
  repo().save_year({2026, {d(2026, 12, 31)}, {}});
  repo().save_calendar_header(540, {{480, 1200}});
  const auto again = repo().calendar();
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->utc_offset_minutes, 540);
  EXPECT_EQ(again->periods, (std::vector<calendar::WorkPeriod>{{480, 1200}}));
  ASSERT_EQ(again->years.size(), 3u);
  EXPECT_EQ(again->years[1].holidays, (std::vector<calendar::Date>{d(2026, 12, 31)}));
  EXPECT_TRUE(again->years[1].makeup_workdays.empty());
  EXPECT_EQ(again->years[0].holidays, (std::vector<calendar::Date>{d(2025, 1, 1)}));

  const auto other = other_repo().calendar();
  ASSERT_TRUE(other.has_value());
  EXPECT_EQ(other->utc_offset_minutes, 420);
  ASSERT_EQ(other->years.size(), 1u);
  EXPECT_EQ(other->years[0].holidays, (std::vector<calendar::Date>{d(2026, 5, 1)}));
}

routing::Rule a_rule(std::int64_t id, std::string name) {
  routing::Rule r;
  r.id = id;
  r.name = std::move(name);
  return r;
}

TEST_P(ConfigRepoContract, RoutingRulesKeepTheGivenOrderAndEveryField) {
  EXPECT_TRUE(repo().rules().empty());
  routing::Rule full = a_rule(7, "夜间暴露垃圾交执法队");
  full.category = "0102";
  full.category_prefix = "01";
  full.area_unit_id = 2;
  full.area_kind = org::UnitKind::kCommunity;
  full.from_minute = 1320;
  full.to_minute = 360;
  full.unit_id = 8;
  full.unit_by_area = org::UnitKind::kEnforcementTeam;
  full.supervising_group_id = 10;
  full.active = false;
  routing::Rule by_area = a_rule(3, "属地街道");
  by_area.unit_by_area = org::UnitKind::kSubdistrict;
  routing::Rule fixed = a_rule(12, "全部交城管局");
  fixed.unit_id = 8;
  // Ids deliberately not in list order: the position decides.
  repo().replace_rules({full, by_area, fixed});
  other_repo().replace_rules({a_rule(1, "别区")});

  const auto rules = repo().rules();
  ASSERT_EQ(rules.size(), 3u);
  EXPECT_EQ(rules[0].id, 7);
  EXPECT_EQ(rules[1].id, 3);
  EXPECT_EQ(rules[2].id, 12);
  const auto& r = rules[0];
  EXPECT_EQ(r.name, "夜间暴露垃圾交执法队");
  EXPECT_EQ(r.category, "0102");
  EXPECT_EQ(r.category_prefix, "01");
  EXPECT_EQ(r.area_unit_id, 2);
  EXPECT_EQ(r.area_kind, org::UnitKind::kCommunity);
  EXPECT_EQ(r.from_minute, 1320);
  EXPECT_EQ(r.to_minute, 360);
  EXPECT_EQ(r.unit_id, 8);
  EXPECT_EQ(r.unit_by_area, org::UnitKind::kEnforcementTeam);
  EXPECT_EQ(r.supervising_group_id, 10);
  EXPECT_FALSE(r.active);
  const auto& a = rules[1];
  EXPECT_EQ(a.category, std::nullopt);
  EXPECT_EQ(a.category_prefix, std::nullopt);
  EXPECT_EQ(a.area_unit_id, std::nullopt);
  EXPECT_EQ(a.area_kind, std::nullopt);
  EXPECT_EQ(a.from_minute, std::nullopt);
  EXPECT_EQ(a.to_minute, std::nullopt);
  EXPECT_EQ(a.unit_id, std::nullopt);
  EXPECT_EQ(a.unit_by_area, org::UnitKind::kSubdistrict);
  EXPECT_EQ(a.supervising_group_id, std::nullopt);
  EXPECT_TRUE(a.active);

  // Replacing the list reorders it and drops what is not in it.
  repo().replace_rules({fixed, full});
  const auto after = repo().rules();
  ASSERT_EQ(after.size(), 2u);
  EXPECT_EQ(after[0].id, 12);
  EXPECT_EQ(after[1].id, 7);
  repo().replace_rules({});
  EXPECT_TRUE(repo().rules().empty());
  ASSERT_EQ(other_repo().rules().size(), 1u);
  EXPECT_EQ(other_repo().rules()[0].name, "别区");
}

TEST_P(ConfigRepoContract, WorkflowSettingsAreSavedAndReplaced) {
  EXPECT_EQ(repo().workflow(), std::nullopt);
  WorkflowSettings w;
  w.acknowledge_limit = {3, calendar::LimitUnit::kUrgentHours};
  w.verify_limit = {2, calendar::LimitUnit::kCalendarDays};
  w.escalation_percents = {100, 125, 150, 300};
  w.duplicate_radius_m = 80;
  w.evidence_distance_m = 350;
  w.rectification_number_format = "平创整〔{year}〕{seq:04}号";
  w.reminder_number_format = "平创提〔{year}〕{seq:04}号";
  w.issuer = "平城区创建文明城市指挥部办公室";
  w.reporter_sees_notice = true;
  repo().save_workflow(w);
  auto got = repo().workflow();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->acknowledge_limit, w.acknowledge_limit);
  EXPECT_EQ(got->verify_limit, w.verify_limit);
  EXPECT_EQ(got->escalation_percents, (std::vector<int>{100, 125, 150, 300}));
  EXPECT_EQ(got->duplicate_radius_m, 80);
  EXPECT_EQ(got->evidence_distance_m, 350);
  EXPECT_EQ(got->rectification_number_format, "平创整〔{year}〕{seq:04}号");
  EXPECT_EQ(got->reminder_number_format, "平创提〔{year}〕{seq:04}号");
  EXPECT_EQ(got->issuer, "平城区创建文明城市指挥部办公室");
  EXPECT_TRUE(got->reporter_sees_notice);
  EXPECT_EQ(other_repo().workflow(), std::nullopt);

  w.acknowledge_limit = {1, calendar::LimitUnit::kWorkingDays};
  w.escalation_percents = {200};
  w.issuer = "";
  w.reporter_sees_notice = false;
  repo().save_workflow(w);
  got = repo().workflow();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->acknowledge_limit, w.acknowledge_limit);
  EXPECT_EQ(got->escalation_percents, (std::vector<int>{200}));
  EXPECT_EQ(got->issuer, "");
  EXPECT_FALSE(got->reporter_sees_notice);
  EXPECT_EQ(got->duplicate_radius_m, 80);
}

TEST_P(ConfigRepoContract, MessageTemplatesAreReplacedPerLocaleAndKeptPerTenant) {
  EXPECT_FALSE(repo().has_message_templates());
  repo().replace_message_templates("zh-CN",
                                   {{"state.closed", "已销号"}, {"pdf.page", "第 {page} 页"}});
  repo().replace_message_templates("en", {{"state.closed", "Closed"}});
  other_repo().replace_message_templates("zh-CN", {{"state.closed", "办结"}});
  EXPECT_TRUE(repo().has_message_templates());
  auto all = repo().message_templates();
  ASSERT_EQ(all.size(), 3u);
  // Ordered by locale, then key.
  EXPECT_EQ(all[0].locale, "en");
  EXPECT_EQ(all[0].key, "state.closed");
  EXPECT_EQ(all[0].text, "Closed");
  EXPECT_EQ(all[1].key, "pdf.page");
  EXPECT_EQ(all[1].text, "第 {page} 页");
  EXPECT_EQ(all[2].text, "已销号");
  // Replacing one locale leaves the other as it was.
  repo().replace_message_templates("zh-CN", {{"state.closed", "已办结"}});
  all = repo().message_templates();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1].text, "已办结");
  EXPECT_EQ(other_repo().message_templates().at(0).text, "办结");
}

INSTANTIATE_TEST_SUITE_P(Backends, ConfigRepoContract, ::testing::ValuesIn(test::test_backends()),
                         test::backend_name);

}  // namespace
}  // namespace civicloop::storage
