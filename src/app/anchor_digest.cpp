#include "app/anchor_digest.hpp"

#include <spdlog/spdlog.h>

#include <string>
#include <vector>

#include "app/outbox.hpp"
#include "storage/account_repo.hpp"
#include "storage/anchor_digest_repo.hpp"
#include "storage/ledger_repo.hpp"
#include "storage/notify_repo.hpp"

namespace civicloop::app {

DigestPassStats queue_anchor_digests(Context& ctx, CaseConfigCache& config,
                                     const Anchorer* anchorer, Millis now) {
  DigestPassStats stats;
  auto tenants = in_tx<std::vector<storage::Tenant>>(
      ctx.db, false, [](storage::Connection& c) -> Expected<std::vector<storage::Tenant>> {
        return storage::TenantRepo(c).all();
      });
  if (!tenants) return stats;
  for (const auto& t : *tenants) {
    auto cfgx = config.get(t.id);
    if (!cfgx) continue;  // a tenant without a case configuration has no workflow settings
    const auto& cfg = **cfgx;
    if (!cfg.workflow.anchor_digest) continue;
    if (cfg.local_minute(now) < kDigestFromLocalMinute) continue;
    const std::string day = cfg.local_text(now).substr(0, 10);
    const auto last = anchorer != nullptr ? anchorer->last_anchor(t.id) : std::nullopt;
    auto queued = in_tx<int>(ctx.db, true, [&](storage::Connection& c) -> Expected<int> {
      const auto head = storage::LedgerRepo(c, t.id).head();
      if (head.seq == 0) return 0;
      if (storage::NotifyRepo(c, t.id).active_robots(std::nullopt).empty()) return 0;
      if (!storage::AnchorDigestRepo(c, t.id).record({day, head.seq, head.hash, now})) return 0;
      MessageArgs args{{"day", day}, {"head", head.hash}, {"events", std::to_string(head.seq)}};
      Outbox out{c, t.id, now, cfg};
      if (last) {
        args.emplace_back("anchored_at", cfg.local_text(last->at));
        args.emplace_back("anchored_seq", std::to_string(last->seq));
        return out.robots("anchor_digest", args);
      }
      return out.robots("anchor_digest_unanchored", args);
    });
    if (!queued || *queued == 0) continue;
    ++stats.tenants;
    stats.messages += *queued;
    spdlog::info("anchor digest of tenant {} for {} queued to {} robots", t.id, day, *queued);
  }
  return stats;
}

}  // namespace civicloop::app
