// Reading and verifying the ledger. Only roles with ledger.read (district-wide roles) may read it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "app/context.hpp"
#include "app/org_service.hpp"
#include "storage/ledger_repo.hpp"

namespace civicloop::app {

Expected<Page<ledger::Event>> list_ledger(Context& ctx, const access::Actor& actor,
                                          storage::LedgerQuery query);
Expected<ledger::VerifyResult> verify_ledger(Context& ctx, const access::Actor& actor);
// For `civicloop ledger verify`: every tenant, as the system.
std::vector<std::pair<std::string, ledger::VerifyResult>> verify_all_ledgers(Context& ctx);

}  // namespace civicloop::app
