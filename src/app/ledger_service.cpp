#include "app/ledger_service.hpp"

#include "storage/account_repo.hpp"

namespace civicloop::app {

Expected<Page<ledger::Event>> list_ledger(Context& ctx, const access::Actor& actor,
                                          storage::LedgerQuery query) {
  if (auto s = access::require(actor, access::Permission::kLedgerRead); !s) return s.error();
  return in_tx<Page<ledger::Event>>(
      ctx.db, false, [&](storage::Connection& c) -> Expected<Page<ledger::Event>> {
        const int want = query.limit < 1 ? 50 : (query.limit > 200 ? 200 : query.limit);
        query.limit = want + 1;
        auto events = storage::LedgerRepo(c, actor.tenant_id).list(query);
        Page<ledger::Event> page;
        if (static_cast<int>(events.size()) > want) {
          events.pop_back();
          page.next_cursor = storage::encode_cursor({0, events.back().seq});
        }
        page.items = std::move(events);
        return page;
      });
}

Expected<ledger::VerifyResult> verify_ledger(Context& ctx, const access::Actor& actor) {
  if (auto s = access::require(actor, access::Permission::kLedgerRead); !s) return s.error();
  return in_tx<ledger::VerifyResult>(ctx.db, false,
                                     [&](storage::Connection& c) -> Expected<ledger::VerifyResult> {
                                       return storage::LedgerRepo(c, actor.tenant_id).verify();
                                     });
}

std::vector<std::pair<std::string, ledger::VerifyResult>> verify_all_ledgers(Context& ctx) {
  auto result = in_tx<std::vector<std::pair<std::string, ledger::VerifyResult>>>(
      ctx.db, false,
      [&](storage::Connection& c)
          -> Expected<std::vector<std::pair<std::string, ledger::VerifyResult>>> {
        std::vector<std::pair<std::string, ledger::VerifyResult>> out;
        for (const auto& t : storage::TenantRepo(c).all()) {
          out.emplace_back(t.code, storage::LedgerRepo(c, t.id).verify());
        }
        return out;
      });
  return result.ok() ? std::move(result).value()
                     : std::vector<std::pair<std::string, ledger::VerifyResult>>{};
}

bool LedgerAudit::ok() const {
  if (!unknown_tenants.empty()) return false;
  for (const auto& t : tenants) {
    if (!t.ok()) return false;
  }
  return true;
}

LedgerAudit audit_all_ledgers(Context& ctx,
                              const std::map<std::int64_t, std::vector<ledger::Anchor>>& anchors,
                              const std::vector<ledger::PublicKey>& keys) {
  static const std::vector<ledger::Anchor> kNone;
  auto result =
      in_tx<LedgerAudit>(ctx.db, false, [&](storage::Connection& c) -> Expected<LedgerAudit> {
        LedgerAudit audit;
        for (const auto& [tenant, list] : anchors) {
          audit.unknown_tenants[tenant] = static_cast<std::int64_t>(list.size());
        }
        for (const auto& t : storage::TenantRepo(c).all()) {
          audit.unknown_tenants.erase(t.id);
          const auto it = anchors.find(t.id);
          const auto& mine = it == anchors.end() ? kNone : it->second;
          storage::LedgerRepo repo(c, t.id);
          const auto head = repo.head();
          ledger::Verifier chain;
          ledger::AnchorChecker checker(mine, keys);
          // One walk feeds both: the chain check stops at its first break, the anchor check
          // when every anchor has been compared.
          bool chain_going = true;
          repo.each([&](const ledger::Event& e) {
            if (chain_going) chain_going = chain.feed(e);
            if (checker.wants_more()) checker.feed(e);
            return chain_going || checker.wants_more();
          });
          TenantAudit ta;
          ta.tenant_id = t.id;
          ta.tenant_code = t.code;
          ta.head_seq = head.seq;
          ta.chain = chain.finish(head.seq, head.hash);
          ta.anchors_given = static_cast<std::int64_t>(mine.size());
          ta.anchors = checker.finish();
          audit.tenants.push_back(std::move(ta));
        }
        return audit;
      });
  return result.ok() ? std::move(result).value() : LedgerAudit{};
}

}  // namespace civicloop::app
