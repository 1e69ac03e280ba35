// Reading and verifying the ledger. Only roles with ledger.read (district-wide roles) may read it.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "app/context.hpp"
#include "app/org_service.hpp"
#include "domain/anchor.hpp"
#include "storage/ledger_repo.hpp"

namespace civicloop::app {

Expected<Page<ledger::Event>> list_ledger(Context& ctx, const access::Actor& actor,
                                          storage::LedgerQuery query);
Expected<ledger::VerifyResult> verify_ledger(Context& ctx, const access::Actor& actor);
// For `civicloop ledger verify`: every tenant, as the system.
std::vector<std::pair<std::string, ledger::VerifyResult>> verify_all_ledgers(Context& ctx);

// For `civicloop ledger verify --anchors FILE --public-key KEY...`: every tenant's chain and its
// anchors, in one walk per tenant.
struct TenantAudit {
  std::int64_t tenant_id = 0;
  std::string tenant_code;
  std::int64_t head_seq = 0;
  ledger::VerifyResult chain;
  std::int64_t anchors_given = 0;  // anchors in the file for this tenant
  ledger::AnchorCheckResult anchors;
  bool ok() const { return chain.ok && anchors.ok(); }
};
struct LedgerAudit {
  std::vector<TenantAudit> tenants;
  // Tenant ids that anchors name but the database does not have, with their anchor counts.
  std::map<std::int64_t, std::int64_t> unknown_tenants;
  bool ok() const;
};
LedgerAudit audit_all_ledgers(Context& ctx,
                              const std::map<std::int64_t, std::vector<ledger::Anchor>>& anchors,
                              const std::vector<ledger::PublicKey>& keys);

}  // namespace civicloop::app
