// Digests (工作提示, issue 8 part 9): a daily or weekly message to each unit's head with the unit's
// own figures and rank, through the unit's own robot (a webhook bound to the unit: its group chat)
// and the inbox of the accounts of the unit's head (the person whose membership is_head). The
// schedule is the preset's kpi.json "digests" (domain/digest.hpp): by default daily at 08:30 with
// the day before and the month so far, and Monday 08:30 with the week before and its rank against
// the week before that. The figures are the KPI API's (app/kpi_service.hpp) for the whole tenant,
// so a rank in a digest is the rank on the ranking page.
//
// A unit gets a digest when it has a recipient (an active robot of its own or a head with an
// account) and something to say (cases in the period or open now). Each unit's digest is recorded
// (storage/digest_repo.hpp) in the same transaction as its messages, and the record's key refuses
// the period a second time: nothing is sent twice, whatever restarts there are. Wording:
// robot.digest_<kind>.*, notify.digest_<kind>.*, and digest.rank.<wording> for the rank line.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "app/case_config.hpp"
#include "app/context.hpp"
#include "app/kpi_service.hpp"
#include "app/messages.hpp"
#include "domain/access.hpp"
#include "domain/digest.hpp"
#include "storage/digest_repo.hpp"

namespace civicloop::app {

// How long a pass that sent a period's digests waits before looking at that period again.
inline constexpr Millis kDigestLookAgainMs = 10LL * 60 * 1000;

// kpi.json's "digests" ([{"kind": "daily", "time": "08:30"}, {"kind": "weekly", "weekday": 1,
// "time": "08:30"}]); absent: the defaults, [] turns digests off. "digest.bad_schedule" (field:
// "digests") when it is not such a list or fails digest::check.
Expected<std::vector<digest::Schedule>> parse_digest_schedule(const boost::json::value& kpi_doc);
std::vector<digest::Schedule> default_digest_schedule();

// One unit's digest, worded.
struct DigestMessage {
  std::int64_t unit_id = 0;
  std::string unit_name;
  digest::Kind kind = digest::Kind::kDaily;
  digest::Due due;
  std::string key;       // "digest_daily" or "digest_weekly": robot.<key>.* and notify.<key>.*
  MessageArgs args;      // the figures, as the templates take them
  std::string title;     // robot.<key>.title in the asked locale
  std::string markdown;  // robot.<key>.markdown in the asked locale
};

struct DigestRunStats {
  int units = 0;           // units whose digest was sent by this run
  int robot_messages = 0;  // queued to units' robots
  int notifications = 0;   // written to heads' inboxes
};

struct DigestHistory {
  std::vector<storage::DigestRun> runs;  // newest first
  std::vector<digest::Schedule> schedule;
  int robots = 0;  // the unit's active robots
  int heads = 0;   // accounts of the unit's head
};

class DigestService {
 public:
  DigestService(Context& ctx, CaseConfigCache& config)
      : ctx_(ctx), config_(config), kpis_(ctx, config) {}

  // The digests due now for every tenant (the scheduler, after its sweep; one thread at a time).
  DigestRunStats run_schedule();

  // The digest of `kind` that the unit's head would get now, in `locale` (GET
  // /api/v1/digests/preview): the office (cases.configure) for any unit, others for a unit in
  // their scope. "digest.bad_kind" (field: kind), "org.unit_not_found", "auth.forbidden",
  // "auth.out_of_scope".
  Expected<DigestMessage> preview(const access::Actor& actor, std::int64_t unit_id,
                                  std::string_view kind, std::string_view locale);
  // What was sent to a unit, with its recipients (GET /api/v1/digests); the same checks.
  Expected<DigestHistory> history(const access::Actor& actor, std::int64_t unit_id);

 private:
  Expected<std::vector<digest::Schedule>> schedule_of(std::int64_t tenant_id);
  // Every unit's digest for `due` (the units with something to say), in the tenant's view.
  Expected<std::vector<DigestMessage>> compose(std::int64_t tenant_id, const digest::Due& due,
                                               std::optional<std::int64_t> only);
  Status check_unit(const access::Actor& actor, std::int64_t unit_id);
  Context& ctx_;
  CaseConfigCache& config_;
  KpiService kpis_;
  // run_schedule's: when to look at a tenant's period again ("tenant:kind:from" → the time, and
  // the count of units' robots then: a new robot is looked at at once).
  std::map<std::string, std::pair<Millis, std::int64_t>> next_look_;
};

}  // namespace civicloop::app
