// The case repository's contract, run on every backend: the same calls must give the same answers
// on SQLite and PostgreSQL. Cases, their lists (each filter, full-text search, scope, cursor
// pages), duplicates near a point, the responsibility counts, the timer sweep's due list,
// attachments and notices. Each test gets a fresh, migrated database with two tenants' worth of
// ids and a frozen time.
#include "storage/case_repo.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "domain/geo.hpp"
#include "domain/search.hpp"
#include "storage/account_repo.hpp"
#include "storage/db.hpp"
#include "storage/migrate.hpp"
#include "storage/org_repo.hpp"
#include "support/test_db.hpp"

namespace civicloop::storage {
namespace {

using cases::Source;
using cases::State;
using K = org::UnitKind;

constexpr Millis kNow = 1796002200000;  // 2026-11-30T01:30:00Z, Monday 09:30 in Pingcheng
constexpr Millis kMinute = 60000;
constexpr Millis kHour = 60 * kMinute;
constexpr Millis kDay = 24 * kHour;

std::optional<StorageError::Kind> storage_error_kind(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const StorageError& e) {
    return e.kind();
  }
  ADD_FAILURE() << "expected a StorageError";
  return std::nullopt;
}

// hq 1; subdistricts 2 and 3; community 4 under 2, 5 under 3; grid 6 under 4, 7 under 5;
// department 8; subdistrict 20 (its path "/1/20/" starts with the characters of "/1/2").
struct Tree {
  org::Unit hq, sub_a, sub_b, comm_a, comm_b, grid_a, grid_b, dept, sub_20;
};

org::Unit add_unit(Connection& c, std::int64_t tenant, org::Id id, K kind, const org::Unit* parent,
                   std::string name) {
  org::Unit u;
  u.id = id;
  u.parent_id = parent ? std::optional<org::Id>(parent->id) : std::nullopt;
  u.kind = kind;
  u.name = std::move(name);
  u.path = org::child_path(parent ? parent->path : "", id);
  u.created_at = kNow;
  u.updated_at = kNow;
  OrgRepo(c, tenant).insert_unit(u);
  return u;
}

Tree make_tree(Connection& c, std::int64_t tenant) {
  Tree t;
  t.hq = add_unit(c, tenant, 1, K::kHq, nullptr, "平城区创城指挥部");
  t.sub_a = add_unit(c, tenant, 2, K::kSubdistrict, &t.hq, "永泰街道");
  t.sub_b = add_unit(c, tenant, 3, K::kSubdistrict, &t.hq, "古城街道");
  t.comm_a = add_unit(c, tenant, 4, K::kCommunity, &t.sub_a, "永泰北社区");
  t.comm_b = add_unit(c, tenant, 5, K::kCommunity, &t.sub_b, "古城北社区");
  t.grid_a = add_unit(c, tenant, 6, K::kGrid, &t.comm_a, "永泰北社区第1网格");
  t.grid_b = add_unit(c, tenant, 7, K::kGrid, &t.comm_b, "古城北社区第1网格");
  t.dept = add_unit(c, tenant, 8, K::kDepartment, &t.hq, "区城管局");
  t.sub_20 = add_unit(c, tenant, 20, K::kSubdistrict, &t.hq, "新旺街道");
  return t;
}

std::string case_no(std::int64_t id) {
  std::string n = std::to_string(id);
  return "2026" + std::string(n.size() < 6 ? 6 - n.size() : 0, '0') + n;
}

// The search terms the service writes (app/case_service.cpp): title, description, address, number.
std::string terms_of(const cases::Record& r) {
  return search::document_terms(r.title + " " + r.description + " " + r.address + " " + r.case_no);
}

// A reported case in grid_a (永泰街道), reported `id` minutes after kNow.
cases::Record a_case(std::int64_t id, const Tree& t,
                     const std::string& description = "路边堆放生活垃圾") {
  cases::Record r;
  r.id = id;
  r.case_no = case_no(id);
  r.state = State::kReported;
  r.source = Source::kGridPatrol;
  r.category_code = "0102";
  r.title = "暴露垃圾";
  r.description = description;
  r.address = "永泰路12号";
  r.lat = 40.0901;
  r.lng = 113.2902;
  r.grid_id = t.grid_a.id;
  r.community_id = t.comm_a.id;
  r.subdistrict_id = t.sub_a.id;
  r.area_path = t.grid_a.path;
  r.reporter_name = "白国栋";
  r.reported_at = kNow + id * kMinute;
  r.updated_at = r.reported_at;
  r.search_terms = terms_of(r);
  return r;
}

// Moves a case into subdistrict B's grid.
cases::Record in_b(cases::Record r, const Tree& t) {
  r.grid_id = t.grid_b.id;
  r.community_id = t.comm_b.id;
  r.subdistrict_id = t.sub_b.id;
  r.area_path = t.grid_b.path;
  return r;
}

cases::Record assigned(cases::Record r, const org::Unit& unit, State state = State::kDispatched) {
  r.assigned_unit_id = unit.id;
  r.assigned_path = unit.path;
  r.state = state;
  return r;
}

std::vector<std::int64_t> ids_of(const std::vector<cases::Record>& v) {
  std::vector<std::int64_t> out;
  for (const auto& r : v) out.push_back(r.id);
  return out;
}

std::vector<std::int64_t> ids_of(const std::vector<Notice>& v) {
  std::vector<std::int64_t> out;
  for (const auto& n : v) out.push_back(n.id);
  return out;
}

using Ids = std::vector<std::int64_t>;

void expect_same_case(const cases::Record& got, const cases::Record& want) {
  SCOPED_TRACE("case " + std::to_string(want.id));
  EXPECT_EQ(got.id, want.id);
  EXPECT_EQ(got.case_no, want.case_no);
  EXPECT_EQ(got.state, want.state);
  EXPECT_EQ(got.source, want.source);
  EXPECT_EQ(got.category_code, want.category_code);
  EXPECT_EQ(got.title, want.title);
  EXPECT_EQ(got.description, want.description);
  EXPECT_EQ(got.address, want.address);
  EXPECT_EQ(got.lat, want.lat);
  EXPECT_EQ(got.lng, want.lng);
  EXPECT_EQ(got.grid_id, want.grid_id);
  EXPECT_EQ(got.community_id, want.community_id);
  EXPECT_EQ(got.subdistrict_id, want.subdistrict_id);
  EXPECT_EQ(got.area_path, want.area_path);
  EXPECT_EQ(got.reporter_user_id, want.reporter_user_id);
  EXPECT_EQ(got.reporter_name, want.reporter_name);
  EXPECT_EQ(got.assigned_unit_id, want.assigned_unit_id);
  EXPECT_EQ(got.assigned_path, want.assigned_path);
  EXPECT_EQ(got.supervising_group_id, want.supervising_group_id);
  EXPECT_EQ(got.routing_rule, want.routing_rule);
  EXPECT_EQ(got.duplicate_of, want.duplicate_of);
  EXPECT_EQ(got.rework_count, want.rework_count);
  EXPECT_EQ(got.escalation_level, want.escalation_level);
  EXPECT_EQ(got.extension_pending, want.extension_pending);
  EXPECT_EQ(got.extension_request, want.extension_request);
  EXPECT_EQ(got.parked_from, want.parked_from);
  EXPECT_EQ(got.park_review_date, want.park_review_date);
  EXPECT_EQ(got.notice_id, want.notice_id);
  ASSERT_EQ(got.timer.has_value(), want.timer.has_value());
  if (want.timer) {
    EXPECT_EQ(got.timer->stage, want.timer->stage);
    EXPECT_EQ(got.timer->unit, want.timer->unit);
    EXPECT_EQ(got.timer->budget, want.timer->budget);
    EXPECT_EQ(got.timer->consumed, want.timer->consumed);
    EXPECT_EQ(got.timer->running_since, want.timer->running_since);
    EXPECT_EQ(got.timer->deadline, want.timer->deadline);
    EXPECT_EQ(got.timer->estimated, want.timer->estimated);
    EXPECT_EQ(got.timer->warned_percent, want.timer->warned_percent);
  }
  EXPECT_EQ(got.overdue, want.overdue);
  EXPECT_EQ(got.next_check_at, want.next_check_at);
  EXPECT_EQ(got.search_terms, want.search_terms);
  EXPECT_EQ(got.reported_at, want.reported_at);
  EXPECT_EQ(got.filed_at, want.filed_at);
  EXPECT_EQ(got.dispatched_at, want.dispatched_at);
  EXPECT_EQ(got.rectified_at, want.rectified_at);
  EXPECT_EQ(got.closed_at, want.closed_at);
  EXPECT_EQ(got.updated_at, want.updated_at);
  EXPECT_EQ(got.version, want.version);
}

// A case with every column set to a value other than its default.
cases::Record every_field(const Tree& t) {
  cases::Record r = a_case(7, t, "商铺门口堆放纸箱\n第二行：'单引号' \"双引号\" 100% a_b \\ 结束");
  r.state = State::kAcknowledged;
  r.source = Source::kHotline;
  r.category_code = "0507";
  r.title = "乱堆物堆料";
  r.address = "永泰南路 88 号（东门）";
  r.lat = 40.07654321098765;
  r.lng = -113.30123456789012;  // a negative coordinate and every digit a double holds
  r.reporter_user_id = 42;
  r.assigned_unit_id = t.sub_a.id;
  r.assigned_path = t.sub_a.path;
  r.supervising_group_id = 9;
  r.routing_rule = "rule 3: 暴露垃圾交属地街道";
  r.duplicate_of = 3;
  r.rework_count = 2;
  r.escalation_level = 1;
  r.extension_pending = true;
  r.extension_request = cases::ExtensionRequest{3, calendar::LimitUnit::kWorkingDays,
                                                "需协调环卫车辆", kNow - 7200000};
  r.parked_from = State::kDispatched;
  r.park_review_date = "2027-01-15";
  r.notice_id = 11;
  cases::Timer timer;
  timer.stage = cases::Stage::kVerify;
  timer.unit = calendar::LimitUnit::kWorkingDays;
  timer.budget = 9999 * kDay;  // the longest limit: past 32 bits
  timer.consumed = 5400000;
  timer.running_since = kNow - 1000;
  timer.deadline = kNow + 3 * kDay + 17;
  timer.estimated = true;
  timer.warned_percent = 75;
  r.timer = timer;
  r.overdue = true;
  r.next_check_at = kNow + 2 * kHour;
  r.reported_at = kNow - kDay;
  r.filed_at = kNow - kDay + 1;
  r.dispatched_at = kNow - kDay + 2;
  r.rectified_at = kNow - kDay + 3;
  r.closed_at = kNow - kDay + 4;
  r.updated_at = kNow;
  r.version = 4;
  r.search_terms = terms_of(r);
  return r;
}

class CaseRepoContract : public test::BackendTest {
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
    t_ = make_tree(conn(), tenant_);
    make_tree(conn(), other_);  // the same ids in another tenant
  }
  void TearDown() override {
    lease_.reset();
    BackendTest::TearDown();
  }

  Connection& conn() { return **lease_; }
  CaseRepo repo() { return CaseRepo(conn(), tenant_); }
  CaseRepo other_repo() { return CaseRepo(conn(), other_); }
  void put(const cases::Record& r) { repo().insert(r); }
  Ids list(CaseQuery q) { return ids_of(repo().list(q)); }
  static CaseQuery with_terms(const std::string& text) {
    CaseQuery q;
    q.terms = search::query_terms(text);
    return q;
  }

  std::optional<Lease> lease_;
  std::int64_t tenant_ = 0;
  std::int64_t other_ = 0;
  Tree t_;
};

// ---- insert, find, update ----

TEST_P(CaseRepoContract, InsertAndFindRoundTripEveryField) {
  const auto r = every_field(t_);
  put(r);
  const auto found = repo().find(r.id);
  ASSERT_TRUE(found.has_value());
  expect_same_case(*found, r);
  const auto by_no = repo().find_by_no(r.case_no);
  ASSERT_TRUE(by_no.has_value());
  expect_same_case(*by_no, r);
}

TEST_P(CaseRepoContract, OptionalFieldsLeftEmptyComeBackEmpty) {
  cases::Record r;
  r.id = 3;
  r.case_no = case_no(3);
  r.category_code = "1101";
  r.title = "井盖缺失";
  r.reported_at = kNow;
  r.updated_at = kNow;
  put(r);
  const auto found = repo().find(3);
  ASSERT_TRUE(found.has_value());
  expect_same_case(*found, r);
  EXPECT_EQ(found->lat, std::nullopt);
  EXPECT_EQ(found->grid_id, std::nullopt);
  EXPECT_EQ(found->assigned_path, std::nullopt);
  EXPECT_EQ(found->parked_from, std::nullopt);
  EXPECT_FALSE(found->timer.has_value());
  EXPECT_EQ(found->next_check_at, std::nullopt);
  EXPECT_EQ(found->closed_at, std::nullopt);
  EXPECT_EQ(found->description, "");
  EXPECT_EQ(found->version, 1);
}

TEST_P(CaseRepoContract, APausedTimerKeepsItsBudgetAndConsumedTime) {
  auto r = a_case(1, t_);
  cases::Timer timer;
  timer.stage = cases::Stage::kAcknowledge;
  timer.unit = calendar::LimitUnit::kUrgentHours;
  timer.budget = 2 * kHour;
  timer.consumed = 45 * kMinute;
  timer.running_since = std::nullopt;  // paused
  timer.deadline = kNow + 75 * kMinute;
  r.timer = timer;
  put(r);
  const auto found = repo().find(1);
  ASSERT_TRUE(found.has_value() && found->timer.has_value());
  EXPECT_TRUE(found->timer->paused());
  EXPECT_EQ(found->timer->stage, cases::Stage::kAcknowledge);
  EXPECT_EQ(found->timer->unit, calendar::LimitUnit::kUrgentHours);
  EXPECT_EQ(found->timer->consumed, 45 * kMinute);
  EXPECT_FALSE(found->timer->estimated);
  EXPECT_EQ(found->timer->warned_percent, 0);
}

TEST_P(CaseRepoContract, EveryStateAndSourceRoundTrips) {
  std::int64_t id = 0;
  for (const auto state : cases::all_states()) {
    auto r = a_case(++id, t_);
    r.state = state;
    put(r);
    EXPECT_EQ(repo().find(id)->state, state) << cases::to_string(state);
  }
  for (const auto source : {Source::kGridPatrol, Source::kRoadChief, Source::kEnforcement,
                            Source::kSelfCheck, Source::kInspection, Source::kMockEvaluation,
                            Source::kCitizen, Source::kCourier, Source::kHotline}) {
    auto r = a_case(++id, t_);
    r.source = source;
    put(r);
    EXPECT_EQ(repo().find(id)->source, source) << cases::to_string(source);
  }
}

TEST_P(CaseRepoContract, FindsNothingElsewhere) {
  put(a_case(1, t_));
  EXPECT_EQ(repo().find(2), std::nullopt);
  EXPECT_EQ(repo().find_by_no(case_no(2)), std::nullopt);
  EXPECT_EQ(other_repo().find(1), std::nullopt);
  EXPECT_EQ(other_repo().find_by_no(case_no(1)), std::nullopt);
  EXPECT_TRUE(other_repo().list({}).empty());
}

TEST_P(CaseRepoContract, TheSameIdOrNumberTwiceIsAUniqueViolation) {
  put(a_case(1, t_));
  EXPECT_EQ(storage_error_kind([&] { put(a_case(1, t_)); }), StorageError::Kind::kUniqueViolation);
  auto same_no = a_case(2, t_);
  same_no.case_no = case_no(1);
  EXPECT_EQ(storage_error_kind([&] { put(same_no); }), StorageError::Kind::kUniqueViolation);
  // Another tenant has its own ids and numbers.
  other_repo().insert(a_case(1, t_));
  EXPECT_EQ(other_repo().find(1)->case_no, case_no(1));
}

TEST_P(CaseRepoContract, UpdateWritesEveryColumnAtTheExpectedVersionOnly) {
  const auto original = a_case(7, t_);
  put(original);
  auto changed = every_field(t_);
  changed.version = 2;
  EXPECT_TRUE(repo().update(changed, 1));
  expect_same_case(*repo().find(7), changed);

  auto stale = changed;
  stale.title = "过时的写入";
  stale.version = 3;
  EXPECT_FALSE(repo().update(stale, 1)) << "the stored version is 2";
  EXPECT_EQ(repo().find(7)->title, changed.title);
  EXPECT_EQ(repo().find(7)->version, 2);

  auto missing = changed;
  missing.id = 99;
  EXPECT_FALSE(repo().update(missing, 2));
  EXPECT_FALSE(other_repo().update(changed, 2)) << "another tenant's case 7 does not exist";

  // And back: optional columns are cleared, the timer too.
  auto cleared = original;
  cleared.version = 3;
  EXPECT_TRUE(repo().update(cleared, 2));
  expect_same_case(*repo().find(7), cleared);
}

// update_changed (the sweep) writes the columns that differ from the row as read, every one of
// them, at that row's version only.
TEST_P(CaseRepoContract, UpdateChangedWritesWhatDiffersAtTheStoredVersionOnly) {
  const auto original = a_case(7, t_);
  put(original);
  auto changed = every_field(t_);
  changed.version = 2;
  EXPECT_TRUE(repo().update_changed(changed, original));
  expect_same_case(*repo().find(7), changed);
  // The cell follows the point: the duplicate search finds the case at its new place.
  ASSERT_TRUE(changed.lat && changed.lng);
  EXPECT_EQ(ids_of(repo().open_near(changed.category_code, *changed.lat, *changed.lng, 50, 10)),
            (Ids{7}));

  auto stale = changed;
  stale.title = "过时的写入";
  stale.version = 3;
  EXPECT_FALSE(repo().update_changed(stale, original)) << "the stored version is 2, not 1";
  EXPECT_EQ(repo().find(7)->title, changed.title);

  auto one = changed;  // one column and the version
  one.overdue = !changed.overdue;
  one.version = 3;
  EXPECT_TRUE(repo().update_changed(one, changed));
  expect_same_case(*repo().find(7), one);
  auto back = original;  // and back: optional columns cleared
  back.version = 4;
  EXPECT_TRUE(repo().update_changed(back, one));
  expect_same_case(*repo().find(7), back);
}

TEST_P(CaseRepoContract, UpdateReindexesTheSearchTerms) {
  put(a_case(1, t_, "河边倾倒建筑垃圾"));
  put(a_case(2, t_, "河边倾倒建筑垃圾"));
  EXPECT_EQ(list(with_terms("建筑垃圾")), (Ids{2, 1}));
  auto r = *repo().find(1);
  r.title = "共享单车乱停放";
  r.description = "人行道上共享单车乱停放";
  r.search_terms = terms_of(r);
  r.version = 2;
  ASSERT_TRUE(repo().update(r, 1));
  EXPECT_EQ(list(with_terms("建筑垃圾")), (Ids{2}));
  EXPECT_EQ(list(with_terms("单车")), (Ids{1}));
  // A refused update leaves the index alone.
  auto refused = r;
  refused.description = "占道经营";
  refused.search_terms = terms_of(refused);
  ASSERT_FALSE(repo().update(refused, 1));
  EXPECT_TRUE(list(with_terms("占道经营")).empty());
  EXPECT_EQ(list(with_terms("单车")), (Ids{1}));
}

// ---- lists: each filter ----

TEST_P(CaseRepoContract, ListsNewestFirstUpToTheLimit) {
  for (std::int64_t id = 1; id <= 5; ++id) put(a_case(id, t_));
  EXPECT_EQ(list({}), (Ids{5, 4, 3, 2, 1}));
  EXPECT_EQ(list({.limit = 2}), (Ids{5, 4}));
  EXPECT_EQ(list({.limit = 1, .before_id = 3}), (Ids{2}));
  EXPECT_TRUE(list({.before_id = 1}).empty());
}

TEST_P(CaseRepoContract, ListFiltersByStatesAndOpenOnly) {
  const std::vector<State> states{
      State::kReported, State::kFiled,  State::kDispatched, State::kAcknowledged, State::kRectified,
      State::kVerified, State::kClosed, State::kVoided,     State::kDuplicate,    State::kParked};
  for (std::size_t i = 0; i < states.size(); ++i) {
    auto r = a_case(static_cast<std::int64_t>(i + 1), t_);
    r.state = states[i];
    put(r);
  }
  EXPECT_EQ(list({.states = {State::kReported}}), (Ids{1}));
  EXPECT_EQ(list({.states = {State::kClosed, State::kDispatched, State::kParked}}),
            (Ids{10, 7, 3}));
  EXPECT_EQ(list({.states = {State::kClosed}}), (Ids{7}));
  // Open: everything but closed (7), voided (8) and duplicate (9); parked (10) is open.
  EXPECT_EQ(list({.open_only = true}), (Ids{10, 6, 5, 4, 3, 2, 1}));
  EXPECT_EQ(list({}).size(), 10u);
}

TEST_P(CaseRepoContract, ListFiltersByUnitAndPlace) {
  put(assigned(a_case(1, t_), t_.sub_a));
  put(assigned(in_b(a_case(2, t_), t_), t_.sub_b));
  put(assigned(in_b(a_case(3, t_), t_), t_.dept));
  put(a_case(4, t_));  // not assigned, in A
  auto mine = a_case(5, t_);
  mine.reporter_user_id = 77;
  put(mine);
  EXPECT_EQ(list({.assigned_unit_id = t_.sub_a.id}), (Ids{1}));
  EXPECT_EQ(list({.assigned_unit_id = t_.dept.id}), (Ids{3}));
  EXPECT_EQ(list({.subdistrict_id = t_.sub_a.id}), (Ids{5, 4, 1}));
  EXPECT_EQ(list({.subdistrict_id = t_.sub_b.id}), (Ids{3, 2}));
  EXPECT_EQ(list({.community_id = t_.comm_b.id}), (Ids{3, 2}));
  EXPECT_EQ(list({.grid_id = t_.grid_a.id}), (Ids{5, 4, 1}));
  EXPECT_EQ(list({.reporter_user_id = 77}), (Ids{5}));
  EXPECT_TRUE(list({.reporter_user_id = 78}).empty());
  EXPECT_EQ(list({.assigned_unit_id = t_.sub_b.id, .subdistrict_id = t_.sub_b.id}), (Ids{2}));
  EXPECT_TRUE(list({.assigned_unit_id = t_.sub_a.id, .subdistrict_id = t_.sub_b.id}).empty());
}

TEST_P(CaseRepoContract, ListFiltersByCategoryClassPrefixOrExactCode) {
  const std::vector<std::string> codes{"0102", "0105", "1101", "0110", "01"};
  for (std::size_t i = 0; i < codes.size(); ++i) {
    auto r = a_case(static_cast<std::int64_t>(i + 1), t_);
    r.category_code = codes[i];
    put(r);
  }
  // A class (two characters) takes its minor classes; a longer code only itself.
  EXPECT_EQ(list({.category = "01"}), (Ids{5, 4, 2, 1}));
  EXPECT_EQ(list({.category = "11"}), (Ids{3}));
  EXPECT_EQ(list({.category = "0102"}), (Ids{1}));
  EXPECT_TRUE(list({.category = "010"}).empty());
  EXPECT_TRUE(list({.category = "02"}).empty());
}

// Regression: the class prefix went into LIKE unescaped, so "_" or "%" (any text up to ten
// characters reaches the filter from ?category=) matched every case instead of none.
TEST_P(CaseRepoContract, ACategoryFilterTakesPercentAndUnderscoreLiterally) {
  for (const auto& [id, code] : {std::pair{1, "0102"}, std::pair{2, "1101"}, std::pair{3, "0_"}}) {
    auto r = a_case(id, t_);
    r.category_code = code;
    put(r);
  }
  EXPECT_TRUE(list({.category = "%"}).empty());
  EXPECT_TRUE(list({.category = "_"}).empty());
  EXPECT_TRUE(list({.category = "1%"}).empty());
  EXPECT_EQ(list({.category = "0_"}), (Ids{3}));
  EXPECT_EQ(list({.category = "0"}), (Ids{3, 1}));
}

TEST_P(CaseRepoContract, ListFiltersBySource) {
  auto hotline = a_case(1, t_);
  hotline.source = Source::kHotline;
  put(hotline);
  put(a_case(2, t_));
  auto citizen = a_case(3, t_);
  citizen.source = Source::kCitizen;
  put(citizen);
  EXPECT_EQ(list({.source = Source::kHotline}), (Ids{1}));
  EXPECT_EQ(list({.source = Source::kGridPatrol}), (Ids{2}));
  EXPECT_EQ(list({.source = Source::kCitizen}), (Ids{3}));
  EXPECT_TRUE(list({.source = Source::kCourier}).empty());
}

TEST_P(CaseRepoContract, ListDateWindowIncludesItsStartAndExcludesItsEnd) {
  // Report times out of id order, so that the window is not a range of ids.
  const std::vector<Millis> at{kNow + 5 * kHour, kNow,         kNow + 2 * kHour,
                               kNow - kDay,      kNow + kHour, kNow + 3 * kHour};
  for (std::size_t i = 0; i < at.size(); ++i) {
    auto r = a_case(static_cast<std::int64_t>(i + 1), t_);
    r.reported_at = at[i];
    put(r);
  }
  // A window is listed newest report first (reported_at, then id), not by id.
  EXPECT_EQ(list({.reported_from = kNow, .reported_to = kNow + 3 * kHour}), (Ids{3, 5, 2}));
  EXPECT_EQ(list({.reported_from = kNow + kHour}), (Ids{1, 6, 3, 5}));
  // Ends that fall between the window's first and last ids: 3 is reported exactly at the end.
  EXPECT_EQ(list({.reported_from = kNow, .reported_to = kNow + 2 * kHour}), (Ids{5, 2}));
  EXPECT_EQ(list({.reported_from = kNow + kHour, .reported_to = kNow + 5 * kHour}), (Ids{6, 3, 5}));
  EXPECT_EQ(list({.reported_to = kNow}), (Ids{4}));
  EXPECT_EQ(list({.reported_from = kNow + 2 * kHour, .reported_to = kNow + 2 * kHour + 1}),
            (Ids{3}));
  EXPECT_TRUE(list({.reported_from = kNow + 6 * kHour}).empty());
  EXPECT_TRUE(list({.reported_from = kNow + kHour, .reported_to = kNow + kHour}).empty());
  // Pages inside a window, on (reported_at, id); an id alone continues from that case's time.
  EXPECT_EQ(list({.reported_from = kNow, .limit = 2}), (Ids{1, 6}));
  EXPECT_EQ(list({.reported_from = kNow,
                  .limit = 2,
                  .before_id = 6,
                  .before_reported_at = kNow + 3 * kHour}),
            (Ids{3, 5}));
  EXPECT_EQ(list({.reported_from = kNow, .limit = 2, .before_id = 6}), (Ids{3, 5}));
  EXPECT_EQ(
      list({.reported_from = kNow, .limit = 2, .before_id = 5, .before_reported_at = kNow + kHour}),
      (Ids{2}));
  // Another tenant's reports inside the window do not widen it.
  auto far = a_case(100, t_);
  far.reported_at = kNow + kMinute;
  other_repo().insert(far);
  EXPECT_EQ(list({.reported_from = kNow, .reported_to = kNow + 3 * kHour}), (Ids{3, 5, 2}));
}

TEST_P(CaseRepoContract, DateWindowPagesReturnEveryCaseOnceIncludingEqualReportTimes) {
  // 60 cases whose report times repeat (six cases a minute) and run against the ids, some closed.
  std::vector<std::pair<Millis, std::int64_t>> all;
  for (std::int64_t id = 1; id <= 60; ++id) {
    auto r = a_case(id, t_);
    r.reported_at = kNow + ((id * 7) % 10) * kMinute;
    if (id % 5 == 0) r.state = State::kClosed;
    put(r);
    all.emplace_back(r.reported_at, id);
  }
  other_repo().insert(a_case(61, t_));
  const Millis from = kNow + 2 * kMinute;
  const Millis to = kNow + 8 * kMinute;
  for (const int limit : {1, 4, 6, 7, 50}) {
    for (const bool open : {false, true}) {
      SCOPED_TRACE("limit " + std::to_string(limit) + (open ? " open" : ""));
      CaseQuery q{.open_only = open, .reported_from = from, .reported_to = to, .limit = limit};
      std::vector<std::pair<Millis, std::int64_t>> walked;
      for (int pages = 0;; ++pages) {
        ASSERT_LT(pages, 200);
        const auto page = repo().list(q);
        for (const auto& r : page) walked.emplace_back(r.reported_at, r.id);
        if (page.size() < static_cast<std::size_t>(limit)) break;
        q.before_reported_at = page.back().reported_at;
        q.before_id = page.back().id;
      }
      std::vector<std::pair<Millis, std::int64_t>> want;
      for (const auto& [at, id] : all) {
        if (at >= from && at < to && !(open && id % 5 == 0)) want.emplace_back(at, id);
      }
      std::sort(want.rbegin(), want.rend());
      EXPECT_EQ(walked, want);  // newest first, each once, ties by id
    }
  }
}

TEST_P(CaseRepoContract, ListFiltersByOverdue) {
  for (std::int64_t id = 1; id <= 4; ++id) {
    auto r = assigned(a_case(id, t_), t_.sub_a);
    r.overdue = id % 2 == 0;
    put(r);
  }
  EXPECT_EQ(list({.overdue = true}), (Ids{4, 2}));
  EXPECT_EQ(list({.overdue = false}), (Ids{3, 1}));
  EXPECT_EQ(list({}).size(), 4u);
}

// ---- full-text search ----

TEST_P(CaseRepoContract, FullTextFindsChineseSubstringsAndLatinWords) {
  put(a_case(1, t_, "小区车棚飞线充电存在安全隐患"));
  put(a_case(2, t_, "河边倾倒建筑垃圾"));
  put(a_case(3, t_, "电动车在楼道内充电"));
  auto latin = a_case(4, t_, "KFC 门口 Bike 乱停");
  latin.title = "非机动车乱停放";
  latin.search_terms = terms_of(latin);
  put(latin);
  EXPECT_EQ(list(with_terms("飞线充电")), (Ids{1}));
  EXPECT_EQ(list(with_terms("充电")), (Ids{3, 1}));
  // Every case but 4 has the title 暴露垃圾.
  EXPECT_EQ(list(with_terms("垃圾")), (Ids{3, 2, 1}));
  EXPECT_EQ(list(with_terms("暴露垃圾")), (Ids{3, 2, 1}));
  EXPECT_EQ(list(with_terms("建筑")), (Ids{2}));
  EXPECT_EQ(list(with_terms("bike")), (Ids{4}));
  EXPECT_EQ(list(with_terms("KFC")), (Ids{4}));
  EXPECT_EQ(list(with_terms("ｋｆｃ")), (Ids{4}));           // full-width reads as ASCII
  EXPECT_EQ(list(with_terms("永泰路")), (Ids{4, 3, 2, 1}));  // the address
  EXPECT_EQ(list(with_terms(case_no(3))), (Ids{3}));         // the case number
  // Every term must be there: 充电 and 垃圾 are together in no case.
  EXPECT_TRUE(list(with_terms("充电 建筑")).empty());
  EXPECT_TRUE(list(with_terms("飞线 垃圾 河边")).empty());
  EXPECT_EQ(list(with_terms("河边 垃圾")), (Ids{2}));
  // Characters outside the basic CJK block: extension A (㐂), extension B (𠮷, four bytes in
  // UTF-8) and a compatibility ideograph (﨑).
  put(a_case(5, t_, "𠮷野家门前㐂字招牌﨑岖"));
  EXPECT_EQ(list(with_terms("𠮷野家")), (Ids{5}));
  EXPECT_EQ(list(with_terms("𠮷")), (Ids{5}));
  EXPECT_EQ(list(with_terms("㐂字")), (Ids{5}));
  EXPECT_EQ(list(with_terms("﨑岖")), (Ids{5}));
  // Characters in the wrong order are another word.
  EXPECT_TRUE(list(with_terms("电充")).empty());
  EXPECT_TRUE(list(with_terms("不存在的词")).empty());
}

TEST_P(CaseRepoContract, FullTextCombinesWithFiltersPagesAndStaysInItsTenant) {
  for (std::int64_t id = 1; id <= 6; ++id) {
    auto r = a_case(id, t_, id % 3 == 0 ? "楼道内堆放杂物" : "路边堆放生活垃圾");
    if (id % 2 == 0) r = assigned(r, t_.sub_a);
    put(r);
  }
  // Another tenant's cases with the same words and ids.
  for (std::int64_t id = 1; id <= 6; ++id) other_repo().insert(a_case(id, t_, "路边堆放生活垃圾"));
  EXPECT_EQ(list(with_terms("生活垃圾")), (Ids{5, 4, 2, 1}));
  auto q = with_terms("生活垃圾");
  q.states = {State::kDispatched};
  EXPECT_EQ(list(q), (Ids{4, 2}));
  q = with_terms("堆放");
  q.limit = 4;
  EXPECT_EQ(list(q), (Ids{6, 5, 4, 3}));
  q.before_id = 3;
  EXPECT_EQ(list(q), (Ids{2, 1}));
  q = with_terms("杂物");
  q.reported_from = kNow + 4 * kMinute;
  EXPECT_EQ(list(q), (Ids{6}));
  access::Scope b{.all = false, .roots = {t_.sub_b.path}};
  q = with_terms("生活垃圾");
  q.scope = &b;
  EXPECT_TRUE(list(q).empty());
  EXPECT_EQ(ids_of(other_repo().list(with_terms("生活垃圾"))), (Ids{6, 5, 4, 3, 2, 1}));
}

// ---- scope ----

TEST_P(CaseRepoContract, ScopeCoversCasesAssignedIntoOrLocatedInItsSubtrees) {
  put(a_case(1, t_));                                 // located in A, not assigned
  put(assigned(in_b(a_case(2, t_), t_), t_.sub_b));   // located and assigned in B
  put(assigned(in_b(a_case(3, t_), t_), t_.dept));    // located in B, assigned to the dept
  put(assigned(a_case(4, t_), t_.sub_b));             // located in A, assigned into B
  auto nowhere = assigned(a_case(5, t_), t_.sub_20);  // located nowhere, assigned to 20
  nowhere.area_path = "";
  nowhere.grid_id = nowhere.community_id = nowhere.subdistrict_id = std::nullopt;
  put(nowhere);
  access::Scope a{.all = false, .roots = {t_.sub_a.path}};
  access::Scope b{.all = false, .roots = {t_.sub_b.path}};
  access::Scope dept{.all = false, .roots = {t_.dept.path}};
  access::Scope grid_a{.all = false, .roots = {t_.grid_a.path}};
  access::Scope both{.all = false, .roots = {t_.dept.path, t_.sub_20.path}};
  access::Scope all{.all = true, .roots = {}};
  access::Scope none;
  EXPECT_EQ(list({.scope = &a}), (Ids{4, 1})) << "\"/1/2/\" is not a prefix of \"/1/20/\"";
  EXPECT_EQ(list({.scope = &b}), (Ids{4, 3, 2}));
  EXPECT_EQ(list({.scope = &dept}), (Ids{3}));
  EXPECT_EQ(list({.scope = &grid_a}), (Ids{4, 1}));
  EXPECT_EQ(list({.scope = &both}), (Ids{5, 3}));
  EXPECT_EQ(list({.scope = &all}), (Ids{5, 4, 3, 2, 1}));
  EXPECT_TRUE(list({.scope = &none}).empty());
  EXPECT_EQ(list({.states = {State::kDispatched}, .scope = &a}), (Ids{4}));
}

// ---- cursor pages ----

TEST_P(CaseRepoContract, CursorPagesWalkEveryRowOnceInOrder) {
  // 23 cases with gaps in the ids; every third is closed.
  Ids all;
  for (std::int64_t i = 1; i <= 23; ++i) {
    const std::int64_t id = i * 3 + (i % 2);
    auto r = a_case(id, t_);
    if (i % 3 == 0) r.state = State::kClosed;
    put(r);
    all.push_back(id);
  }
  std::sort(all.rbegin(), all.rend());
  for (const int limit : {1, 5, 7, 23, 50}) {
    for (const bool open : {false, true}) {
      SCOPED_TRACE("limit " + std::to_string(limit) + (open ? " open" : ""));
      Ids walked;
      CaseQuery q{.open_only = open, .limit = limit};
      int pages = 0;
      for (;;) {
        const auto page = list(q);
        ASSERT_LE(page.size(), static_cast<std::size_t>(limit));
        walked.insert(walked.end(), page.begin(), page.end());
        if (page.size() < static_cast<std::size_t>(limit)) break;
        q.before_id = page.back();
        ASSERT_LT(++pages, 100);
      }
      Ids want;
      for (const auto id : all) {
        if (!open || repo().find(id)->state != State::kClosed) want.push_back(id);
      }
      EXPECT_EQ(walked, want);
    }
  }
}

// ---- duplicates near a point ----

TEST_P(CaseRepoContract, OpenCasesOfTheCategoryNearAPoint) {
  const double lat = 40.0901;
  const double lng = 113.2902;
  auto at = [&](std::int64_t id, double north_m, double east_m, const std::string& category,
                State state = State::kReported) {
    auto r = a_case(id, t_);
    r.lat = lat + north_m / 111320.0;
    r.lng = lng + east_m / (111320.0 * std::cos(lat * 3.14159265358979 / 180));
    r.category_code = category;
    r.state = state;
    put(r);
  };
  at(1, 10, 0, "0204");
  at(2, 0, -30, "0204");
  at(3, 0, 200, "0204");   // too far east
  at(4, -120, 0, "0204");  // too far south
  at(5, 5, 5, "0102");     // another category
  at(6, -10, 10, "0204", State::kClosed);
  at(7, 20, 20, "0204", State::kDuplicate);
  at(8, 0, 0, "0204", State::kParked);  // parked is still open
  auto no_place = a_case(9, t_);
  no_place.category_code = "0204";
  no_place.lat = no_place.lng = std::nullopt;
  put(no_place);
  other_repo().insert(a_case(10, t_));  // same place, another tenant
  // Nearest first; the caller checks the radius exactly.
  EXPECT_EQ(ids_of(repo().open_near("0204", lat, lng, 50, 10)), (Ids{8, 1, 2}));
  // A limit of two takes the newest two of each cell (8 and 2 here share 1's cell), nearest first.
  EXPECT_EQ(geo::cell_of(lat, lng), geo::cell_of(lat + 10 / 111320.0, lng));
  EXPECT_EQ(ids_of(repo().open_near("0204", lat, lng, 50, 2)), (Ids{8, 2}));
  EXPECT_EQ(ids_of(repo().open_near("0204", lat, lng, 250, 10)), (Ids{8, 1, 2, 4, 3}));
  EXPECT_EQ(ids_of(repo().open_near("0102", lat, lng, 50, 10)), (Ids{5}));
  EXPECT_TRUE(repo().open_near("0204", lat + 0.01, lng, 50, 10).empty());
  // The brief search (a new report's duplicate check) finds the same, with distances.
  const auto brief = repo().open_near_brief("0204", lat, lng, 250, 10);
  Ids brief_ids;
  for (const auto& n : brief) brief_ids.push_back(n.id);
  EXPECT_EQ(brief_ids, (Ids{8, 1, 2, 4, 3}));
  ASSERT_EQ(brief.size(), 5u);
  EXPECT_LT(brief[0].distance_m, 1.0);
  EXPECT_NEAR(brief[1].distance_m, 10.0, 0.5);
  EXPECT_EQ(brief[0].state, State::kParked);
  EXPECT_FALSE(brief[1].case_no.empty());
}

TEST_P(CaseRepoContract, ACrowdedPointDoesNotHideTheNearestCaseInTheNextCell) {
  // 300 newer open cases 20 m south of a row edge of the cell grid, one older case 5 m north of
  // it: the crowd fills its own cell's share of the answer, not the others'.
  const double row = std::floor(40.0901 * 111320.0 / 50.0);
  const double edge = (row + 1) * 50.0 / 111320.0;
  const double crowd_lat = edge - 20 / 111320.0;
  const double lone_lat = edge + 5 / 111320.0;
  const double lng = 113.2902;
  auto lone = a_case(1, t_);
  lone.category_code = "0204";
  lone.lat = lone_lat;
  lone.lng = lng;
  put(lone);
  for (std::int64_t id = 2; id <= 301; ++id) {
    auto r = a_case(id, t_);
    r.category_code = "0204";
    r.lat = crowd_lat;
    r.lng = lng;
    put(r);
  }
  const auto near_lone = repo().open_near("0204", lone_lat, lng, 50, 10);
  ASSERT_EQ(near_lone.size(), 10U);
  EXPECT_EQ(near_lone[0].id, 1);
  for (std::size_t i = 1; i < near_lone.size(); ++i) EXPECT_GE(near_lone[i].id, 2);
  // At the crowded point: its nearest ten, the newest of them.
  const auto at_crowd = repo().open_near("0204", crowd_lat, lng, 50, 10);
  ASSERT_EQ(at_crowd.size(), 10U);
  for (const auto& r : at_crowd) EXPECT_GE(r.id, 292);
  // Closing the crowd empties the index of them: the lone case is found from the crowd's spot.
  for (std::int64_t id = 2; id <= 301; ++id) {
    auto r = *repo().find(id);
    r.state = State::kClosed;
    ASSERT_TRUE(repo().update(r, r.version));
  }
  EXPECT_EQ(ids_of(repo().open_near("0204", crowd_lat, lng, 50, 10)), (Ids{1}));
}

TEST_P(CaseRepoContract, ADuplicateAcrossACellCornerIsFound) {
  // Four cases 3 m around a corner where four cells meet: each finds the other three.
  const double row = std::floor(40.0901 * 111320.0 / 50.0);
  const double edge_lat = (row + 1) * 50.0 / 111320.0;
  double edge_lng = 113.2902;
  const auto c0 = geo::cell_of(edge_lat + 1e-5, edge_lng);
  while (geo::cell_of(edge_lat + 1e-5, edge_lng) == c0) edge_lng += 1e-7;
  const double d = 3 / 111320.0;
  const std::vector<std::pair<double, double>> points{{edge_lat - d, edge_lng - 2 * d},
                                                      {edge_lat - d, edge_lng + 2 * d},
                                                      {edge_lat + d, edge_lng - 2 * d},
                                                      {edge_lat + d, edge_lng + 2 * d}};
  std::set<std::int64_t> cells;
  for (std::size_t i = 0; i < points.size(); ++i) {
    auto r = a_case(static_cast<std::int64_t>(i + 1), t_);
    r.lat = points[i].first;
    r.lng = points[i].second;
    put(r);
    cells.insert(geo::cell_of(points[i].first, points[i].second));
  }
  EXPECT_GE(cells.size(), 3U);  // the points lie in different cells
  for (const auto& [plat, plng] : points) {
    auto found = ids_of(repo().open_near("0102", plat, plng, 50, 10));
    std::sort(found.begin(), found.end());
    EXPECT_EQ(found, (Ids{1, 2, 3, 4}));
  }
}

TEST_P(CaseRepoContract, MigrationBackFillsTheSameCellsAndCountsTheRepositoryWrites) {
  // Points on both hemispheres and near edges; units, states and overdue mixed.
  const std::vector<std::pair<double, double>> points{
      {40.0901, 113.2902}, {-33.8688, 151.2093}, {0.0001, -0.0001},        {64.1466, -21.9426},
      {40.08, 113.3},      {39.9999999, 116.4},  {40.090123456, 113.2931}, {-0.5, 179.9}};
  for (std::size_t i = 0; i < points.size(); ++i) {
    const auto id = static_cast<std::int64_t>(i + 1);
    auto r = i % 2 == 0 ? assigned(a_case(id, t_), t_.sub_a) : assigned(a_case(id, t_), t_.dept);
    r.lat = points[i].first;
    r.lng = points[i].second;
    r.overdue = i % 3 == 0;
    if (i == 5) r.state = State::kClosed;
    put(r);
  }
  put(a_case(20, t_));  // no point
  auto no_point = a_case(21, t_);
  no_point.lat = no_point.lng = std::nullopt;
  put(no_point);
  auto snapshot = [&] {
    std::vector<std::string> out;
    for (const auto& row :
         conn().query("SELECT id, cell FROM cases WHERE tenant_id = ? ORDER BY id", {tenant_})) {
      out.push_back(std::to_string(row.get_int(0)) + ":" +
                    (row.is_null(1) ? "null" : std::to_string(row.get_int(1))));
    }
    for (const auto& row :
         conn().query("SELECT tenant_id, unit_id, open_cases, overdue_cases FROM "
                      "case_unit_counts WHERE open_cases <> 0 ORDER BY tenant_id, unit_id",
                      {})) {
      out.push_back("count " + std::to_string(row.get_int(1)) + ":" +
                    std::to_string(row.get_int(2)) + "/" + std::to_string(row.get_int(3)));
    }
    return out;
  };
  const auto written = snapshot();
  ASSERT_EQ(written.back().rfind("count", 0), 0U);
  EXPECT_EQ(written[9], "21:null");
  const auto migrations = embedded_migrations(conn().dialect());
  // Down to before 0006 (reverting the later ones first), then up again.
  std::vector<int> reverted;
  while (reverted.empty() || reverted.back() > 6) {
    const auto v = revert_last_migration(conn(), migrations);
    ASSERT_TRUE(v.has_value());
    reverted.push_back(*v);
  }
  ASSERT_EQ(reverted.back(), 6);
  std::vector<int> reapplied(reverted.rbegin(), reverted.rend());
  ASSERT_EQ(migrate_with(conn(), migrations), reapplied);
  EXPECT_EQ(snapshot(), written);
}

TEST_P(CaseRepoContract, UnitCountsFollowEveryInsertUpdateAndDelete) {
  const std::vector<const org::Unit*> units{&t_.sub_a, &t_.sub_b, &t_.dept, &t_.grid_a};
  const std::vector<State> states{State::kReported,     State::kFiled,     State::kDispatched,
                                  State::kAcknowledged, State::kRectified, State::kParked,
                                  State::kClosed,       State::kVoided,    State::kDuplicate};
  std::mt19937 rng(11);
  for (std::int64_t id = 1; id <= 40; ++id) {
    auto r = a_case(id, t_);
    if (id % 4 != 0) r = assigned(r, *units[rng() % units.size()], states[rng() % states.size()]);
    r.overdue = rng() % 3 == 0;
    put(r);
  }
  for (int step = 0; step < 200; ++step) {
    const std::int64_t id = 1 + static_cast<std::int64_t>(rng() % 40);
    auto r = *repo().find(id);
    switch (rng() % 4) {
      case 0:
        r.state = states[rng() % states.size()];
        break;
      case 1:
        if (rng() % 5 == 0) {
          r.assigned_unit_id.reset();
          r.assigned_path.reset();
        } else {
          r.assigned_unit_id = units[rng() % units.size()]->id;
        }
        break;
      case 2:
        r.overdue = !r.overdue;
        break;
      default:
        r.title += "!";  // a change the counts ignore
    }
    ASSERT_TRUE(repo().update(r, r.version));
  }
  conn().execute("DELETE FROM cases WHERE tenant_id = ? AND id IN (3, 7, 11)", {tenant_});
  std::map<std::int64_t, std::pair<int, int>> recount;
  for (const auto& r : repo().page_by_id(0, 1000)) {
    if (!r.assigned_unit_id || cases::is_final(r.state)) continue;
    auto& n = recount[*r.assigned_unit_id];
    ++n.first;
    if (r.overdue) ++n.second;
  }
  std::vector<std::tuple<std::int64_t, int, int>> want;
  for (const auto& [unit, n] : recount) want.emplace_back(unit, n.first, n.second);
  EXPECT_EQ(repo().open_counts_by_unit(), want);
  EXPECT_FALSE(want.empty());
}

// ---- responsibility counts ----

TEST_P(CaseRepoContract, OpenAndOverdueCountsPerAssignedUnit) {
  auto add = [&](std::int64_t id, const org::Unit& unit, State state, bool overdue) {
    auto r = assigned(a_case(id, t_), unit, state);
    r.overdue = overdue;
    put(r);
  };
  add(1, t_.sub_a, State::kDispatched, true);
  add(2, t_.sub_a, State::kAcknowledged, false);
  add(3, t_.sub_a, State::kRectified, true);
  add(4, t_.sub_a, State::kClosed, true);  // finished: not counted
  add(5, t_.sub_b, State::kParked, false);
  add(6, t_.sub_b, State::kVoided, false);
  add(7, t_.dept, State::kClosed, false);  // nothing open: no row
  add(8, t_.grid_a, State::kDuplicate, true);
  put(a_case(9, t_));  // not assigned
  other_repo().insert(assigned(a_case(10, t_), t_.sub_a));
  auto counts = repo().open_counts_by_unit();
  std::sort(counts.begin(), counts.end());
  EXPECT_EQ(counts, (std::vector<std::tuple<std::int64_t, int, int>>{{t_.sub_a.id, 3, 2},
                                                                     {t_.sub_b.id, 1, 0}}));
  EXPECT_EQ(other_repo().open_counts_by_unit(),
            (std::vector<std::tuple<std::int64_t, int, int>>{{t_.sub_a.id, 1, 0}}));
  EXPECT_TRUE(CaseRepo(conn(), other_ + 1).open_counts_by_unit().empty());
}

// ---- the timer sweep's due list ----

TEST_P(CaseRepoContract, DueListsCasesWhoseNextCheckHasComeAcrossTenantsSoonestFirst) {
  auto with_check = [&](CaseRepo r, std::int64_t id, std::optional<Millis> next) {
    auto c = assigned(a_case(id, t_), t_.sub_a);
    c.next_check_at = next;
    r.insert(c);
  };
  with_check(repo(), 1, kNow - kHour);
  with_check(repo(), 2, kNow + kHour);  // not yet
  with_check(repo(), 3, kNow);          // exactly now: due
  with_check(repo(), 4, std::nullopt);  // nothing to check
  with_check(other_repo(), 5, kNow - kDay);
  with_check(other_repo(), 6, kNow - 2 * kMinute);
  auto as_pairs = [](const std::vector<CaseRepo::Due>& due) {
    std::vector<std::pair<std::int64_t, std::int64_t>> out;
    for (const auto& d : due) out.emplace_back(d.tenant_id, d.case_id);
    return out;
  };
  using Pairs = std::vector<std::pair<std::int64_t, std::int64_t>>;
  EXPECT_EQ(as_pairs(repo().due(kNow, 10)),
            (Pairs{{other_, 5}, {tenant_, 1}, {other_, 6}, {tenant_, 3}}));
  EXPECT_EQ(as_pairs(repo().due(kNow, 2)), (Pairs{{other_, 5}, {tenant_, 1}}));
  EXPECT_EQ(as_pairs(repo().due(kNow - kHour - 1, 10)), (Pairs{{other_, 5}}));
  EXPECT_EQ(as_pairs(repo().due(kNow + kHour, 10)),
            (Pairs{{other_, 5}, {tenant_, 1}, {other_, 6}, {tenant_, 3}, {tenant_, 2}}));
  // Once the sweep moves next_check_at on, the case is no longer due.
  auto c = *repo().find(1);
  c.next_check_at = kNow + kDay;
  c.version = 2;
  ASSERT_TRUE(repo().update(c, 1));
  EXPECT_EQ(as_pairs(repo().due(kNow, 10)), (Pairs{{other_, 5}, {other_, 6}, {tenant_, 3}}));
}

// ---- attachments ----

Attachment an_attachment(std::int64_t id, std::int64_t case_id, std::string sha) {
  Attachment a;
  a.id = id;
  a.case_id = case_id;
  a.stage = "before";
  a.content_type = "image/jpeg";
  a.size = 123456;
  a.sha256 = std::move(sha);
  a.width = 1600;
  a.height = 1200;
  a.uploaded_at = kNow;
  return a;
}

TEST_P(CaseRepoContract, AttachmentsRoundTripEveryFieldAndListByCase) {
  put(a_case(1, t_));
  put(a_case(2, t_));
  Attachment full = an_attachment(5, 1, std::string(64, 'a'));
  full.stage = "after";
  full.content_type = "image/webp";
  full.size = 9876543210;
  full.lat = 40.09012345678901;
  full.lng = 113.29023456789012;
  full.taken_at = kNow - 3 * kHour;
  full.flags = "far_from_problem,taken_before_dispatch";
  full.uploaded_by = 17;
  full.uploaded_at = kNow + 1;
  repo().insert_attachment(full);
  repo().insert_attachment(an_attachment(3, 1, std::string(64, 'b')));
  repo().insert_attachment(an_attachment(4, 2, std::string(64, 'c')));
  repo().insert_attachment(an_attachment(9, 1, std::string(64, 'd')));

  const auto found = repo().find_attachment(5);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->id, 5);
  EXPECT_EQ(found->case_id, 1);
  EXPECT_EQ(found->stage, "after");
  EXPECT_EQ(found->content_type, "image/webp");
  EXPECT_EQ(found->size, 9876543210);
  EXPECT_EQ(found->sha256, std::string(64, 'a'));
  EXPECT_EQ(found->width, 1600);
  EXPECT_EQ(found->height, 1200);
  EXPECT_EQ(found->lat, full.lat);
  EXPECT_EQ(found->lng, full.lng);
  EXPECT_EQ(found->taken_at, kNow - 3 * kHour);
  EXPECT_EQ(found->flags, "far_from_problem,taken_before_dispatch");
  EXPECT_EQ(found->uploaded_by, 17);
  EXPECT_EQ(found->uploaded_at, kNow + 1);

  const auto plain = repo().find_attachment(3);
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(plain->lat, std::nullopt);
  EXPECT_EQ(plain->lng, std::nullopt);
  EXPECT_EQ(plain->taken_at, std::nullopt);
  EXPECT_EQ(plain->uploaded_by, std::nullopt);
  EXPECT_EQ(plain->flags, "");

  std::vector<std::int64_t> of_1;
  for (const auto& a : repo().attachments_of(1)) of_1.push_back(a.id);
  EXPECT_EQ(of_1, (Ids{3, 5, 9}));
  ASSERT_EQ(repo().attachments_of(2).size(), 1u);
  EXPECT_EQ(repo().attachments_of(2)[0].sha256, std::string(64, 'c'));
  EXPECT_TRUE(repo().attachments_of(3).empty());
  EXPECT_EQ(repo().find_attachment(6), std::nullopt);
  EXPECT_EQ(other_repo().find_attachment(5), std::nullopt);
  EXPECT_TRUE(other_repo().attachments_of(1).empty());

  // One stage of several cases at once (a triage page's before-photos), in (case, id) order.
  std::vector<std::pair<std::int64_t, std::int64_t>> before;
  for (const auto& a : repo().attachments_of_cases({2, 1, 3}, "before")) {
    before.emplace_back(a.case_id, a.id);
  }
  EXPECT_EQ(before, (std::vector<std::pair<std::int64_t, std::int64_t>>{{1, 3}, {1, 9}, {2, 4}}));
  ASSERT_EQ(repo().attachments_of_cases({1}, "after").size(), 1u);
  EXPECT_EQ(repo().attachments_of_cases({1}, "after")[0].id, 5);
  EXPECT_TRUE(repo().attachments_of_cases({}, "before").empty());
  EXPECT_TRUE(other_repo().attachments_of_cases({1, 2}, "before").empty());
  EXPECT_EQ(storage_error_kind([&] { repo().insert_attachment(an_attachment(5, 2, "x")); }),
            StorageError::Kind::kUniqueViolation);
}

TEST_P(CaseRepoContract, AFileIsInUseWhileAnAttachmentOfTheTenantNamesIt) {
  put(a_case(1, t_));
  repo().insert_attachment(an_attachment(1, 1, std::string(64, 'e')));
  EXPECT_TRUE(repo().attachment_file_in_use(std::string(64, 'e')));
  EXPECT_FALSE(repo().attachment_file_in_use(std::string(64, 'f')));
  EXPECT_FALSE(repo().attachment_file_in_use(std::string(63, 'e')));
  EXPECT_FALSE(other_repo().attachment_file_in_use(std::string(64, 'e')));
}

// ---- notices ----

Notice a_notice(std::int64_t id, std::int64_t unit, std::vector<std::int64_t> case_ids, int seq = 0,
                std::string kind = "rectification") {
  Notice n;
  n.id = id;
  n.kind = std::move(kind);
  n.year = 2026;
  n.seq = seq != 0 ? seq : static_cast<int>(id);
  n.number = "平创整〔2026〕" + std::to_string(n.seq) + "号";
  n.unit_id = unit;
  n.requirement = "立即清理";
  n.issued_at = kNow + id;
  n.case_ids = std::move(case_ids);
  return n;
}

TEST_P(CaseRepoContract, NoticeNumbersCountPerKindAndYearFromOne) {
  EXPECT_EQ(repo().next_notice_seq("rectification", 2026), 1);
  EXPECT_EQ(repo().next_notice_seq("rectification", 2026), 2);
  EXPECT_EQ(repo().next_notice_seq("reminder", 2026), 1);
  EXPECT_EQ(repo().next_notice_seq("rectification", 2027), 1);
  EXPECT_EQ(repo().next_notice_seq("rectification", 2026), 3);
  EXPECT_EQ(other_repo().next_notice_seq("rectification", 2026), 1);
}

TEST_P(CaseRepoContract, ANoticeRoundTripsWithItsCases) {
  for (std::int64_t id = 1; id <= 3; ++id) put(assigned(a_case(id, t_), t_.sub_a));
  Notice n = a_notice(4, t_.sub_a.id, {3, 1});
  n.kind = "reminder";
  n.number = "平创提〔2026〕0004号";
  n.requirement = "立即清理，恢复通行\n限期两天";
  n.deadline_at = kNow + 2 * kDay;
  n.issued_by = 12;
  repo().insert_notice(n);
  const auto found = repo().find_notice(4);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->id, 4);
  EXPECT_EQ(found->kind, "reminder");
  EXPECT_EQ(found->year, 2026);
  EXPECT_EQ(found->seq, 4);
  EXPECT_EQ(found->number, "平创提〔2026〕0004号");
  EXPECT_EQ(found->unit_id, t_.sub_a.id);
  EXPECT_EQ(found->requirement, "立即清理，恢复通行\n限期两天");
  EXPECT_EQ(found->deadline_at, kNow + 2 * kDay);
  EXPECT_EQ(found->issued_by, 12);
  EXPECT_EQ(found->issued_at, kNow + 4);
  EXPECT_EQ(found->case_ids, (Ids{1, 3}));  // in id order

  repo().insert_notice(a_notice(5, t_.sub_b.id, {}));
  const auto bare = repo().find_notice(5);
  ASSERT_TRUE(bare.has_value());
  EXPECT_EQ(bare->deadline_at, std::nullopt);
  EXPECT_EQ(bare->issued_by, std::nullopt);
  EXPECT_TRUE(bare->case_ids.empty());
  EXPECT_EQ(repo().find_notice(6), std::nullopt);
  EXPECT_EQ(other_repo().find_notice(4), std::nullopt);
  // A number is issued once per kind and year.
  EXPECT_EQ(storage_error_kind([&] { repo().insert_notice(a_notice(6, t_.sub_a.id, {}, 5)); }),
            StorageError::Kind::kUniqueViolation);
  repo().insert_notice(a_notice(7, t_.sub_a.id, {}, 5, "reminder"));
  EXPECT_EQ(repo().find_notice(7)->seq, 5);
}

TEST_P(CaseRepoContract, NoticeListsFilterByUnitOpennessAndScopeAndPageNewestFirst) {
  put(assigned(a_case(1, t_), t_.sub_a, State::kClosed));
  put(assigned(a_case(2, t_), t_.sub_a, State::kAcknowledged));
  put(assigned(a_case(3, t_), t_.sub_a, State::kVoided));
  put(assigned(in_b(a_case(4, t_), t_), t_.sub_b, State::kDispatched));
  put(assigned(a_case(5, t_), t_.comm_a, State::kParked));
  repo().insert_notice(a_notice(1, t_.sub_a.id, {1, 3}));  // every case finished
  repo().insert_notice(a_notice(2, t_.sub_a.id, {1, 2}));  // one case still open
  repo().insert_notice(a_notice(3, t_.sub_b.id, {4}));
  repo().insert_notice(a_notice(4, t_.comm_a.id, {5}));
  repo().insert_notice(a_notice(5, t_.dept.id, {}));
  other_repo().insert_notice(a_notice(6, t_.sub_a.id, {2}));

  auto notices = [&](std::optional<std::int64_t> unit, bool open, const access::Scope* scope,
                     int limit = 50, std::optional<std::int64_t> before = std::nullopt) {
    return ids_of(repo().list_notices(unit, open, scope, limit, before));
  };
  EXPECT_EQ(notices(std::nullopt, false, nullptr), (Ids{5, 4, 3, 2, 1}));
  EXPECT_EQ(notices(t_.sub_a.id, false, nullptr), (Ids{2, 1}));
  EXPECT_EQ(notices(std::nullopt, true, nullptr), (Ids{4, 3, 2}));
  EXPECT_EQ(notices(t_.sub_a.id, true, nullptr), (Ids{2}));
  access::Scope a{.all = false, .roots = {t_.sub_a.path}};
  access::Scope b{.all = false, .roots = {t_.sub_b.path}};
  access::Scope none;
  EXPECT_EQ(notices(std::nullopt, false, &a), (Ids{4, 2, 1}));
  EXPECT_EQ(notices(std::nullopt, false, &b), (Ids{3}));
  EXPECT_TRUE(notices(std::nullopt, false, &none).empty());
  EXPECT_EQ(notices(std::nullopt, false, nullptr, 2), (Ids{5, 4}));
  EXPECT_EQ(notices(std::nullopt, false, nullptr, 2, 4), (Ids{3, 2}));
  EXPECT_EQ(notices(std::nullopt, false, nullptr, 2, 2), (Ids{1}));
  const auto listed = repo().list_notices(t_.sub_a.id, false, nullptr, 50, std::nullopt);
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].case_ids, (Ids{1, 2}));
  EXPECT_EQ(listed[1].case_ids, (Ids{1, 3}));
  EXPECT_EQ(listed[0].number, "平创整〔2026〕2号");
  EXPECT_EQ(ids_of(other_repo().list_notices(std::nullopt, false, nullptr, 50, std::nullopt)),
            (Ids{6}));
}

INSTANTIATE_TEST_SUITE_P(Backends, CaseRepoContract, ::testing::ValuesIn(test::test_backends()),
                         test::backend_name);

}  // namespace
}  // namespace civicloop::storage
