#include "app/anchor_service.hpp"

#include <spdlog/spdlog.h>

#include <vector>

#include "app/anchor_file.hpp"
#include "domain/case.hpp"
#include "storage/account_repo.hpp"
#include "storage/ledger_repo.hpp"

namespace civicloop::app {

namespace {

// The ledger's entity type of a case (app/case_service.cpp writes it).
constexpr std::string_view kCaseEntity = "case";

std::string describe(const Error& e) {
  std::string s = e.code;
  if (!e.field.empty()) s += " " + e.field;
  for (const auto& [k, v] : e.details) s += " " + k + "=" + v;
  return s;
}

}  // namespace

Anchorer::Anchorer(Context& ctx, std::string file, ledger::SigningKey key, Millis interval_ms)
    : ctx_(ctx), file_(std::move(file)), key_(std::move(key)), interval_ms_(interval_ms) {}

Status Anchorer::load() {
  if (auto s = append_anchors(file_, {}); !s) return s;
  auto r = read_anchor_file(
      file_,
      [&](ledger::Anchor a) {
        last_[a.tenant_id] = Last{a.seq, std::move(a.head_hash), a.at};
      },
      true);
  if (!r) return r.error();
  return Ok{};
}

std::optional<Anchorer::LastAnchor> Anchorer::last_anchor(std::int64_t tenant_id) const {
  const auto it = last_.find(tenant_id);
  if (it == last_.end()) return std::nullopt;
  return LastAnchor{it->second.seq, it->second.at};
}

AnchorPassStats Anchorer::pass(bool force) {
  AnchorPassStats stats;
  std::vector<ledger::Anchor> due;
  try {
    const Millis now = ctx_.clock.now();
    const auto close = std::string(cases::to_string(cases::Action::kClose));
    auto heads = in_tx<std::vector<std::pair<std::int64_t, storage::LedgerHead>>>(
        ctx_.db, false,
        [&](storage::Connection& c)
            -> Expected<std::vector<std::pair<std::int64_t, storage::LedgerHead>>> {
          std::vector<std::pair<std::int64_t, storage::LedgerHead>> out;
          for (const auto& t : storage::TenantRepo(c).all()) {
            storage::LedgerRepo repo(c, t.id);
            auto head = repo.head();
            if (head.seq == 0) continue;
            const auto it = last_.find(t.id);
            if (it == last_.end()) {
              out.emplace_back(t.id, std::move(head));
              continue;
            }
            const auto& last = it->second;
            if (last.seq == head.seq && last.hash == head.hash) continue;
            if (head.seq <= last.seq) {
              // Not an append: the head went back or changed in place.
              spdlog::error(
                  "ledger of tenant {}: the head is at event {} but the last anchor is at event "
                  "{} with another hash: the chain was rewritten or restored from a backup "
                  "(civicloop ledger verify --anchors tells where)",
                  t.id, head.seq, last.seq);
              out.emplace_back(t.id, std::move(head));
              continue;
            }
            if (force || now - last.at >= interval_ms_ ||
                repo.any_since(last.seq, kCaseEntity, close)) {
              out.emplace_back(t.id, std::move(head));
            }
          }
          return out;
        });
    if (!heads) {
      spdlog::error("ledger anchoring: {}", describe(heads.error()));
      return stats;
    }
    for (auto& [tenant, head] : *heads) {
      due.push_back(ledger::make_anchor(key_, tenant, head.seq, std::move(head.hash), now));
    }
    if (due.empty()) return stats;
    if (auto s = append_anchors(file_, due); !s) {
      stats.failed = static_cast<int>(due.size());
      spdlog::error("ledger anchoring: {} ({} heads not anchored; next pass tries again)",
                    describe(s.error()), due.size());
      return stats;
    }
  } catch (const std::exception& e) {
    // The database may be away for a moment; the next pass tries again.
    stats.failed = static_cast<int>(due.size());
    spdlog::error("ledger anchoring failed: {}", e.what());
    return stats;
  }
  for (const auto& a : due) {
    last_[a.tenant_id] = Last{a.seq, a.head_hash, a.at};
    spdlog::info("ledger of tenant {} anchored at event {} ({})", a.tenant_id, a.seq, file_);
  }
  stats.written = static_cast<int>(due.size());
  return stats;
}

}  // namespace civicloop::app
