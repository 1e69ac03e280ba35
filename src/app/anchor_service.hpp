// Anchoring the ledger heads (domain/anchor.hpp, app/anchor_file.hpp): the scheduler calls
// Anchorer::pass() every half minute. A tenant gets a new anchor when its head has moved since its
// last anchor and either
//   - the interval has passed since that anchor (or the tenant has none yet), or
//   - a case was closed since that anchor (a close-out: it is anchored on the next pass), or
//   - the pass is forced (the server is stopping).
// Anchoring only reads the database and appends to the file, outside any request; a failure is
// logged and tried again on the next pass, and never reaches a user.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "app/context.hpp"
#include "domain/anchor.hpp"

namespace civicloop::app {

struct AnchorPassStats {
  int written = 0;  // anchors appended
  int failed = 0;   // tenants whose anchor could not be written (logged)
};

class Anchorer {
 public:
  Anchorer(Context& ctx, std::string file, ledger::SigningKey key, Millis interval_ms);

  // Makes sure the file can be appended to (creating it) and reads the last anchor of each tenant
  // from it. Errors: anchor.file_unreadable, anchor.file_unwritable.
  Status load();
  // One pass over the tenants (see the top of this file). Never throws.
  AnchorPassStats pass(bool force = false);

  // The tenant's last anchor (its event and time) as this process knows it: from the file at
  // load() and from every pass since. Not synchronised: call it on the thread that runs pass()
  // (the scheduler's).
  struct LastAnchor {
    std::int64_t seq = 0;
    Millis at = 0;
  };
  std::optional<LastAnchor> last_anchor(std::int64_t tenant_id) const;

  const std::string& file() const { return file_; }
  const ledger::SigningKey& key() const { return key_; }

 private:
  struct Last {
    std::int64_t seq = 0;
    std::string hash;
    Millis at = 0;
  };
  Context& ctx_;
  std::string file_;
  ledger::SigningKey key_;
  Millis interval_ms_;
  std::map<std::int64_t, Last> last_;  // by tenant id
};

}  // namespace civicloop::app
