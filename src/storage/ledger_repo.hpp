// Persistence of the hash-chained ledger (see domain/ledger.hpp). Appending locks the tenant's
// head row for the rest of the transaction, so events get gap-free sequence numbers and each
// links to the one committed before it.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "domain/ledger.hpp"
#include "storage/db.hpp"

namespace civicloop::storage {

struct LedgerQuery {
  std::optional<std::string> entity_type;
  std::optional<std::int64_t> entity_id;
  int limit = 50;
  std::optional<std::int64_t> before_seq;  // newest first: events with seq < before_seq
};

struct LedgerHead {
  std::int64_t seq = 0;
  std::string hash = ledger::kGenesisHash;
};

class LedgerRepo {
 public:
  LedgerRepo(Connection& conn, std::int64_t tenant_id) : c_(conn), tenant_(tenant_id) {}

  // Fills seq, prev_hash and hash of `event` and stores it. Needs a write transaction.
  void append(ledger::Event& event);
  std::vector<ledger::Event> list(const LedgerQuery& q);
  // Walks the whole chain in seq order, in pages, and checks it against the head.
  ledger::VerifyResult verify();
  // The user who took the latest of these actions on the entity, if any and not the system.
  std::optional<std::int64_t> last_actor_of(std::string_view entity_type, std::int64_t entity_id,
                                            const std::vector<std::string>& actions);
  // Events of one entity type in seq order after after_seq (for replay), at most limit.
  std::vector<ledger::Event> page_of_type(std::string_view entity_type, std::int64_t after_seq,
                                          int limit);
  // The recorded head (seq 0 and the genesis hash when the tenant has none).
  LedgerHead head();
  // Calls fn for each event in seq order, read in pages, until fn returns false.
  void each(const std::function<bool(const ledger::Event&)>& fn);
  // Whether an event of this entity type and action has a seq above after_seq.
  bool any_since(std::int64_t after_seq, std::string_view entity_type, std::string_view action);

 private:
  Connection& c_;
  std::int64_t tenant_;
};

}  // namespace civicloop::storage
