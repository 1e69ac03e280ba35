// The daily anchor digest (每日台账摘要): once a local day, from 08:00 in the tenant's zone, each
// tenant whose workflow settings have `anchor_digest` on sends its active robots one message with
// its ledger's chain head hash, its event count and its last anchor (time and event), so that a
// chat group outside the server holds a daily copy of the head to compare with `civicloop ledger
// verify` later (docs/security.md, "Anchors"). The scheduler calls it after each deadline sweep.
//
// A day is recorded (storage/anchor_digest_repo.hpp) in the same transaction as its messages, and
// the record's key refuses the day a second time: no day is sent twice, whatever restarts or second
// servers there are. A tenant with no events or no active robot gets nothing and its day stays
// open (a robot added later that day still gets it). Wording: robot.anchor_digest.* (with an
// anchor) and robot.anchor_digest_unanchored.* (no anchor file configured, or none written yet).
#pragma once

#include "app/anchor_service.hpp"
#include "app/case_config.hpp"
#include "app/context.hpp"

namespace civicloop::app {

// The local time of day from which a day's digest goes out: 08:00, before office hours.
inline constexpr int kDigestFromLocalMinute = 8 * 60;

struct DigestPassStats {
  int tenants = 0;   // tenants whose digest for the day was queued by this pass
  int messages = 0;  // robot messages queued (one per active robot)
};

// One pass over the tenants at `now`. `anchorer` (null when no anchor file is configured) gives
// the last anchors; call on the thread that runs its passes. Storage errors are thrown (the
// scheduler logs them and tries again on its next pass); nothing is half-written.
DigestPassStats queue_anchor_digests(Context& ctx, CaseConfigCache& config,
                                     const Anchorer* anchorer, Millis now);

}  // namespace civicloop::app
