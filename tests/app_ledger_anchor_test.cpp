// Ledger anchors end to end on each backend: the Anchorer writes anchors as the scheduler would,
// someone with database access rewrites the last 100 events and the head with consistent hashes,
// and only the check through the anchors notices.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "app/anchor_file.hpp"
#include "app/anchor_service.hpp"
#include "app/context.hpp"
#include "app/ledger_service.hpp"
#include "domain/case.hpp"
#include "storage/account_repo.hpp"
#include "storage/ledger_repo.hpp"
#include "support/test_db.hpp"

namespace civicloop {
namespace {

namespace fs = std::filesystem;

constexpr Millis kT0 = 1795813500000;
constexpr Millis kInterval = 3600 * 1000;

class LedgerAnchors : public test::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ctx_.emplace(app::Context{db(), clock_, {}});
    auto lease = db().acquire();
    storage::Tenant t;
    t.code = "pingcheng";
    t.name = "平城区";
    tenant_ = storage::TenantRepo(*lease).upsert(t, kT0);
    dir_ = fs::path(::testing::TempDir()) /
           ("ledger-anchors-" + std::to_string(::getpid()) + "-" + GetParam() + "-" +
            std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    file_ = (dir_ / "anchors.jsonl").string();
  }
  void TearDown() override {
    ctx_.reset();
    if (!dir_.empty()) fs::remove_all(dir_);
    BackendTest::TearDown();
  }

  app::Context& ctx() { return *ctx_; }

  std::unique_ptr<app::Anchorer> anchorer() {
    auto a = std::make_unique<app::Anchorer>(ctx(), file_, key_, kInterval);
    EXPECT_TRUE(a->load());
    return a;
  }

  // Appends n events (the last one a case's close-out when `close`), one transaction.
  void append(int n, bool close = false, std::int64_t tenant = 0) {
    auto lease = db().acquire();
    lease->begin(true);
    storage::LedgerRepo repo(*lease, tenant == 0 ? tenant_ : tenant);
    for (int i = 0; i < n; ++i) {
      ledger::Event e;
      e.at = clock_.now();
      e.actor_name = "办公室";
      const bool closing = close && i == n - 1;
      e.entity_type = closing ? "case" : "org_unit";
      e.entity_id = 1 + i;
      e.action = closing ? std::string(cases::to_string(cases::Action::kClose)) : "update";
      e.after = R"({"name":"单位)" + std::to_string(i) + R"("})";
      repo.append(e);
    }
    lease->commit();
  }

  // What someone with write access to the database can do: rewrite every event from `from` on
  // with hashes recomputed and relinked, and set the head to match. The chain alone verifies.
  void rewrite_from(std::int64_t from) {
    auto lease = db().acquire();
    lease->begin(true);
    storage::LedgerRepo repo(*lease, tenant_);
    std::vector<ledger::Event> events;
    repo.each([&](const ledger::Event& e) {
      events.push_back(e);
      return true;
    });
    std::string prev = ledger::kGenesisHash;
    for (auto& e : events) {
      if (e.seq >= from) {
        e.note = "事后改写";
        e.after = R"({"name":"改过的单位"})";
        e.prev_hash = prev;
        e.hash = ledger::compute_hash(e);
        lease->execute(
            "UPDATE ledger_events SET note = ?, after_json = ?, prev_hash = ?, hash = ? "
            "WHERE tenant_id = ? AND seq = ?",
            {*e.note, *e.after, e.prev_hash, e.hash, tenant_, e.seq});
      }
      prev = e.hash;
    }
    lease->execute("UPDATE ledger_heads SET hash = ? WHERE tenant_id = ?", {prev, tenant_});
    lease->commit();
  }

  std::vector<ledger::Anchor> anchors_in_file() {
    std::vector<ledger::Anchor> out;
    EXPECT_TRUE(app::read_anchor_file(
        file_, [&](ledger::Anchor a) { out.push_back(std::move(a)); }, false));
    return out;
  }

  std::map<std::int64_t, std::vector<ledger::Anchor>> by_tenant() {
    std::map<std::int64_t, std::vector<ledger::Anchor>> m;
    for (auto& a : anchors_in_file()) m[a.tenant_id].push_back(a);
    return m;
  }

  const app::TenantAudit& audit_of(const app::LedgerAudit& audit) {
    for (const auto& t : audit.tenants) {
      if (t.tenant_id == tenant_) return t;
    }
    ADD_FAILURE() << "tenant not audited";
    return audit.tenants.front();
  }

  FixedClock clock_{kT0};
  std::optional<app::Context> ctx_;
  std::int64_t tenant_ = 0;
  fs::path dir_;
  std::string file_;
  ledger::SigningKey key_ = ledger::SigningKey::generate();
};

TEST_P(LedgerAnchors, AnchorsFollowTheIntervalAndCloseOuts) {
  auto a = anchorer();
  EXPECT_EQ(a->pass().written, 0);  // the head is at 0: nothing to anchor
  append(50);
  EXPECT_EQ(a->pass().written, 1);  // no anchor yet: the first pass anchors
  EXPECT_EQ(a->pass().written, 0);  // head unchanged
  append(10);
  clock_.advance(kInterval - 1000);
  EXPECT_EQ(a->pass().written, 0);  // moved, but the interval has not passed and nothing closed
  append(1, true);
  EXPECT_EQ(a->pass().written, 1);  // a close-out: anchored on the next pass
  append(5);
  clock_.advance(kInterval);
  EXPECT_EQ(a->pass().written, 1);  // the interval
  append(2);
  EXPECT_EQ(a->pass(true).written, 1);  // forced, as when the scheduler stops
  const auto all = anchors_in_file();
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0].seq, 50);
  EXPECT_EQ(all[1].seq, 61);
  EXPECT_EQ(all[2].seq, 66);
  EXPECT_EQ(all[3].seq, 68);
  for (const auto& an : all) {
    EXPECT_EQ(an.tenant_id, tenant_);
    EXPECT_EQ(ledger::check_anchor(an, {key_.public_key()}), ledger::AnchorValidity::kValid);
  }
  // A restart reads the last anchors back: an unchanged head is not anchored again.
  auto restarted = anchorer();
  EXPECT_EQ(restarted->pass().written, 0);
  const auto audit = app::audit_all_ledgers(ctx(), by_tenant(), {key_.public_key()});
  EXPECT_TRUE(audit.ok());
  EXPECT_EQ(audit_of(audit).anchors.matched, 4);
}

TEST_P(LedgerAnchors, ARewriteOfTheLast100EventsAndTheHeadIsCaughtThroughTheAnchors) {
  auto a = anchorer();
  append(50);
  ASSERT_EQ(a->pass().written, 1);  // anchor of event 50
  append(1, true);
  ASSERT_EQ(a->pass().written, 1);  // event 51 closes a case: anchor of 51
  append(99);
  clock_.advance(kInterval);
  ASSERT_EQ(a->pass().written, 1);  // anchor of 150, the head
  rewrite_from(51);                 // the last 100 events and the head

  // The chain alone cannot tell.
  const auto plain = app::verify_all_ledgers(ctx());
  ASSERT_EQ(plain.size(), 1u);
  EXPECT_TRUE(plain[0].second.ok);
  EXPECT_EQ(plain[0].second.events, 150);

  const auto audit = app::audit_all_ledgers(ctx(), by_tenant(), {key_.public_key()});
  EXPECT_FALSE(audit.ok());
  const auto& t = audit_of(audit);
  EXPECT_TRUE(t.chain.ok);
  EXPECT_EQ(t.anchors_given, 3);
  EXPECT_TRUE(t.anchors.invalid.empty());
  EXPECT_EQ(t.anchors.mismatch_seq, 51);
  EXPECT_EQ(t.anchors.mismatch_reason, "rewritten");
  EXPECT_EQ(t.anchors.first_suspect_seq, 51);  // the anchor at 50 still matches: it is event 51
  EXPECT_EQ(t.anchors.last_matched_seq, 50);
  EXPECT_EQ(t.anchors.mismatched, 2);

  // The scheduler notices too: the head moved in place under its last anchor.
  EXPECT_EQ(a->pass().written, 1);
}

TEST_P(LedgerAnchors, WithSparseAnchorsTheRewriteIsBoundedByTheLastGoodOne) {
  auto a = anchorer();
  append(30);
  ASSERT_EQ(a->pass().written, 1);  // 30
  append(120);
  clock_.advance(kInterval);
  ASSERT_EQ(a->pass().written, 1);  // 150
  rewrite_from(51);
  const auto audit = app::audit_all_ledgers(ctx(), by_tenant(), {key_.public_key()});
  const auto& t = audit_of(audit);
  EXPECT_TRUE(t.chain.ok);
  EXPECT_EQ(t.anchors.mismatch_seq, 150);
  EXPECT_EQ(t.anchors.first_suspect_seq, 31);
  EXPECT_EQ(t.anchors.last_matched_seq, 30);
}

TEST_P(LedgerAnchors, ATruncatedChainIsMissingAtTheAnchor) {
  auto a = anchorer();
  append(40);
  ASSERT_EQ(a->pass().written, 1);
  append(20);
  clock_.advance(kInterval);
  ASSERT_EQ(a->pass().written, 1);  // 60
  {
    // The last 10 events deleted and the head set back: the chain alone is consistent.
    auto lease = db().acquire();
    lease->begin(true);
    lease->execute("DELETE FROM ledger_events WHERE tenant_id = ? AND seq > 50", {tenant_});
    auto h =
        lease->query("SELECT hash FROM ledger_events WHERE tenant_id = ? AND seq = 50", {tenant_});
    lease->execute("UPDATE ledger_heads SET seq = 50, hash = ? WHERE tenant_id = ?",
                   {h[0].get_text(0), tenant_});
    lease->commit();
  }
  const auto audit = app::audit_all_ledgers(ctx(), by_tenant(), {key_.public_key()});
  const auto& t = audit_of(audit);
  EXPECT_TRUE(t.chain.ok);
  EXPECT_EQ(t.anchors.mismatch_seq, 60);
  EXPECT_EQ(t.anchors.mismatch_reason, "missing");
  EXPECT_EQ(t.anchors.first_suspect_seq, 41);
}

TEST_P(LedgerAnchors, RotatedKeysWrongKeysAndUnknownTenants) {
  append(20);
  ASSERT_EQ(anchorer()->pass().written, 1);  // old key
  const auto old_key = key_;
  key_ = ledger::SigningKey::generate();  // rotation: a new key, the same file
  append(5);
  clock_.advance(kInterval);
  ASSERT_EQ(anchorer()->pass().written, 1);
  EXPECT_TRUE(
      app::audit_all_ledgers(ctx(), by_tenant(), {key_.public_key(), old_key.public_key()}).ok());
  // Without the old public key its anchors cannot be checked: invalid, not "rewritten".
  const auto new_only = app::audit_all_ledgers(ctx(), by_tenant(), {key_.public_key()});
  EXPECT_FALSE(new_only.ok());
  const auto& t = audit_of(new_only);
  EXPECT_FALSE(t.anchors.mismatch_seq);
  ASSERT_EQ(t.anchors.invalid.size(), 1u);
  EXPECT_EQ(t.anchors.invalid[0].why, ledger::AnchorValidity::kUnknownKey);
  EXPECT_EQ(t.anchors.invalid[0].anchor.seq, 20);
  // Anchors of a tenant the database does not have.
  auto anchors = by_tenant();
  anchors[tenant_ + 40].push_back(
      ledger::make_anchor(key_, tenant_ + 40, 3, std::string(64, 'f'), kT0));
  const auto stray =
      app::audit_all_ledgers(ctx(), anchors, {key_.public_key(), old_key.public_key()});
  EXPECT_FALSE(stray.ok());
  EXPECT_EQ(stray.unknown_tenants.at(tenant_ + 40), 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, LedgerAnchors, ::testing::ValuesIn(test::test_backends()),
                         test::backend_name);

}  // namespace
}  // namespace civicloop
