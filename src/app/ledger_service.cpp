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

}  // namespace civicloop::app
