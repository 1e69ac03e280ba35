// Meetings (例会, 推进会) and their action items (issue 8, part 8): schedule a meeting with its
// attendees and agenda, read the progress report for it (the KPIs of the units and the case
// escalations since the last meeting of its kind; for a 推进会 also the gaps found since: black-
// listed units, units with overdue cases, reworked cases per unit, action items still open),
// write the minutes, issue them (each decision becomes an action item with a working-time
// deadline counted from the meeting), sweep the items (reminders, overdue, the escalation ladder
// of the case timers), close an item with a note and a photo, and print the minutes as PDF.
//
// Each write is one transaction with its ledger event ("meeting" and "action_item" entities, the
// row's full before and after as JSON): every change to an action item is an event, in the same
// hash chain as the cases, so who moved a deadline or closed an item cannot be quietly rewritten.
// Versions guard edits (conflict.stale_version, 409). Role and scope are checked here
// (domain/meeting.hpp). Thread-safe: every call runs its own transactions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "app/case_config.hpp"
#include "app/context.hpp"
#include "app/evidence_service.hpp"
#include "app/kpi_service.hpp"
#include "domain/meeting.hpp"
#include "storage/meeting_repo.hpp"

namespace civicloop::app {

struct MeetingView {
  meetings::Meeting meeting;
  std::vector<meetings::ActionItem> items;
};

struct MeetingPage {
  std::vector<meetings::Meeting> items;
  std::optional<std::string> next_cursor;  // "STARTS_AT.ID"
};

struct ItemPage {
  std::vector<meetings::ActionItem> items;
  std::optional<std::string> next_cursor;  // "ID"
};

struct MeetingSweepStats {
  int checked = 0;
  int reminders = 0;
  int escalations = 0;
};

class MeetingService {
 public:
  // `evidence` stores and opens the closing photos; the scheduler, which only sweeps, gives none
  // (closing and photos then fail with media.busy).
  MeetingService(Context& ctx, CaseConfigCache& config, EvidenceService* evidence)
      : ctx_(ctx), config_(config), evidence_(evidence), kpis_(ctx, config) {}

  // The HQ office. Checks the fields (domain meetings::check), that every unit and person named
  // exists (org.unit_not_found / org.person_not_found, field naming the place in the lists).
  Expected<MeetingView> create(const access::Actor& actor, meetings::Meeting in);
  // Replaces the editable fields of a scheduled meeting (minutes included) when `version` is the
  // stored one (conflict.stale_version otherwise).
  Expected<MeetingView> update(const access::Actor& actor, std::int64_t id, meetings::Meeting in,
                               int version);
  // Issues the minutes: freezes the progress report, makes one action item per decision, tells
  // each owner unit's people; the meeting is then fixed.
  Expected<MeetingView> issue(const access::Actor& actor, std::int64_t id, int version);
  Expected<MeetingView> cancel(const access::Actor& actor, std::int64_t id, int version);
  Expected<MeetingView> get(const access::Actor& actor, std::int64_t id);
  Expected<MeetingPage> list(const access::Actor& actor, std::optional<meetings::Kind> kind,
                             int limit, const std::optional<std::string>& cursor);
  // The progress report as JSON: frozen once the minutes are issued, else read now.
  Expected<boost::json::object> report(const access::Actor& actor, std::int64_t id);

  // Action items in the actor's scope (a unit: its own subtree's; tenant-wide readers: all).
  Expected<ItemPage> items(const access::Actor& actor, std::optional<std::int64_t> meeting_id,
                           std::optional<meetings::ItemState> state, bool overdue_only, int limit,
                           const std::optional<std::string>& cursor);
  Expected<meetings::ActionItem> item(const access::Actor& actor, std::int64_t id);
  // Closes an item with a note and a photo (the evidence checks of app/evidence_service.hpp).
  Expected<meetings::ActionItem> close_item(const access::Actor& actor, std::int64_t id,
                                            const std::string& note, std::string_view photo,
                                            std::optional<int> version);
  Expected<StoredFile> item_photo(const access::Actor& actor, std::int64_t id, bool thumbnail);

  // The minutes as PDF in the locale's wording (meeting.minuted only: meeting.not_minuted).
  Expected<std::string> minutes_pdf(const access::Actor& actor, std::int64_t id,
                                    std::string_view locale);

  // The scheduler: reminders at 50 % and 75 %, overdue at 100 %, escalations up the ladder.
  // Idempotent: a sweep repeated at the same instant changes nothing.
  MeetingSweepStats sweep(Millis now, int max_items = 500);

 private:
  Context& ctx_;
  CaseConfigCache& config_;
  EvidenceService* evidence_;
  KpiService kpis_;
};

}  // namespace civicloop::app
