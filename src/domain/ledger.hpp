// The hash-chained ledger. Every write is an event; each event's hash covers its own content and
// the hash of the event before it, so editing or deleting any event after the fact breaks the
// chain at that point and verify_chain() names it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/clock.hpp"

namespace civicloop::ledger {

struct Event {
  std::int64_t tenant_id = 0;
  std::int64_t seq = 0;  // 1, 2, 3 ... per tenant, no gaps
  Millis at = 0;
  std::optional<std::int64_t> actor_user_id;  // none for the system (init, jobs)
  std::string actor_name;
  std::string entity_type;  // "org_unit", "person", "membership", "liaison", "user", ...
  std::int64_t entity_id = 0;
  std::string action;                 // "create", "update", "move", "retire", ...
  std::optional<std::string> before;  // JSON text of the entity before, none on create
  std::optional<std::string> after;   // JSON text after, none on delete
  std::optional<std::string> note;
  std::string prev_hash;  // hex; 64 zeros for the first event
  std::string hash;       // hex SHA-256
};

extern const std::string kGenesisHash;

// The hash of an event from its content and prev_hash (the event's own hash field is ignored).
std::string compute_hash(const Event& event);

struct VerifyResult {
  bool ok = true;
  std::int64_t events = 0;              // events checked
  std::optional<std::int64_t> bad_seq;  // the first seq found altered or missing
  std::string reason;                   // "altered", "missing", "head_mismatch"
};

// Incremental verifier: feed events in seq order, then finish() with the recorded head.
class Verifier {
 public:
  // Returns false once the chain is broken; later events are not checked.
  bool feed(const Event& event);
  VerifyResult finish(std::int64_t head_seq, const std::string& head_hash);

 private:
  VerifyResult result_;
  std::int64_t expected_seq_ = 1;
  std::string prev_hash_ = kGenesisHash;
};

}  // namespace civicloop::ledger
