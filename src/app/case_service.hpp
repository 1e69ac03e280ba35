// Use cases of the closed loop: report a problem, move it through its lifecycle (file, dispatch
// with a notice, acknowledge, rectify with evidence, verify, close; void, duplicates, returns,
// extensions, parking, on-site fixes, escalation), read it with its history, and list it.
//
// Each call is one transaction: the domain decides (domain/case_actions.hpp, the action table),
// the action's effect function changes the case, the case row is rewritten, the transition is
// appended to the ledger, and notifications and robot messages are queued in the same
// transaction, so none is lost or sent for a change that did not happen.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "app/case_config.hpp"
#include "app/context.hpp"
#include "app/org_service.hpp"
#include "domain/case_actions.hpp"
#include "domain/case_record.hpp"
#include "domain/ledger.hpp"
#include "storage/case_repo.hpp"

namespace civicloop::app {

struct NewCase {
  std::string category;
  std::string title;
  std::string description;
  std::string address;
  std::optional<double> lat;
  std::optional<double> lng;
  std::optional<std::string> source;  // default from the reporter's role
  // What another intake (Open311, app/open311_service.hpp) stores with the new case: called inside
  // the report's write, after the case row and its ledger event; an error undoes the whole report.
  std::function<Status(storage::Connection&, const cases::Record&)> also;
};

struct TransitionInput {
  std::string action;
  std::string note;                           // every action may carry one; some require it
  std::optional<std::int64_t> unit_id;        // dispatch: override the routed unit (needs note)
  std::optional<std::string> notice_kind;     // dispatch: rectification | reminder
  std::optional<std::string> requirement;     // dispatch: the notice's 整改要求
  std::optional<bool> passed;                 // verify
  std::optional<int> extension_amount;        // request_extension / decide_extension (partial)
  std::optional<std::string> extension_unit;  // request_extension
  std::optional<std::string> decision;        // decide_extension: granted | partial | refused
  std::optional<std::string> review_date;     // park: YYYY-MM-DD
  std::optional<std::int64_t> duplicate_of;   // mark_duplicate
  std::optional<int> version;                 // optimistic check when given
};

// One step of a case's history as its reporter sees it: when, which step, the state after it.
struct PublicStep {
  Millis at = 0;
  std::string action;
  std::string state;
};

struct CaseView {
  cases::Record record;
  // A reporter who is not staff in scope sees the public view: `steps` instead of `events`, only
  // the photos cases::photo_shown_to_reporter allows, no notice unless the workflow says so.
  bool reporter_view = false;
  std::vector<PublicStep> steps;      // reporter view only, oldest first
  std::vector<ledger::Event> events;  // staff view only, oldest first
  std::vector<storage::Attachment> attachments;
  std::vector<cases::Action> allowed;  // for this actor, now
  std::optional<storage::Notice> notice;
  int percent_used = 0;
};

struct ReportResult {
  cases::Record record;
  // Open cases of the same category within the radius that the reporter may see, nearest first:
  // what a reporter needs to recognise one (number, title, state, place, time), not whole cases.
  std::vector<storage::CaseRepo::Near> possible_duplicates;
  // True when such cases exist, whether or not the reporter may see them: a citizen is told
  // only that a similar problem is already being handled.
  bool similar_in_progress = false;
};

struct RoutePreview {
  std::optional<org::Id> unit_id;
  std::optional<org::Id> supervising_group_id;
  std::string rule;
  TenantCaseConfig::Place place;
};

struct CasePage {
  std::vector<cases::Record> items;
  std::optional<std::string> next_cursor;
  // Asked for by the triage queue: each listed case's before-photos the actor may see (all of
  // them for staff in scope; a reporter only those CaseView would show him), by case id.
  bool with_before_photos = false;
  std::map<std::int64_t, std::vector<storage::Attachment>> before_photos;
};

// A case list's cursor is opaque to clients: "ID" for pages in id order, "REPORTED_AT.ID" for a
// date window (storage::CaseQuery::by_reported_at). Sets the query's keyset position; false when
// the text is neither. An "ID" cursor given to a date window continues from that case's time.
bool set_case_cursor(storage::CaseQuery& q, std::string_view text);

struct SweepStats {
  int checked = 0;
  int warnings = 0;
  int escalations = 0;
};

// Whether the use case has a function for this kind of effect (each action's table entry names
// one; a test checks that none is missing).
bool has_effect(cases::Effect kind);

class CaseService {
 public:
  CaseService(Context& ctx, CaseConfigCache& config) : ctx_(ctx), config_(config) {}

  Expected<ReportResult> report(const access::Actor& actor, const NewCase& in);
  Expected<CaseView> transition(const access::Actor& actor, std::int64_t case_id,
                                const TransitionInput& in);
  Expected<CaseView> get(const access::Actor& actor, std::int64_t case_id);
  // Cases in the actor's scope (a citizen: his own reports), newest first; with before_photos,
  // their before-photos too (one query for the page).
  Expected<CasePage> list(const access::Actor& actor, storage::CaseQuery query,
                          const std::string& text, bool before_photos = false);
  Expected<RoutePreview> preview_route(const access::Actor& actor, const std::string& category,
                                       double lat, double lng, std::optional<Millis> at);
  Expected<std::vector<cases::Record>> nearby(const access::Actor& actor,
                                              const std::string& category, double lat, double lng);
  // Dispatches several filed cases of one unit together under one notice.
  Expected<storage::Notice> dispatch_with_notice(const access::Actor& actor,
                                                 const std::vector<std::int64_t>& case_ids,
                                                 std::optional<std::int64_t> unit_id,
                                                 const std::string& kind,
                                                 const std::string& requirement);
  // The scheduler: warnings at 50% and 75%, overdue at 100%, escalations up the ladder.
  // Idempotent: a sweep repeated at the same instant changes nothing.
  SweepStats sweep(Millis now, int max_cases = 500);

  // Who is in scope for a case: its assigned unit or its place.
  static bool in_scope(const access::Actor& actor, const cases::Record& r);
  static bool in_scope(const access::Actor& actor, const std::optional<std::int64_t>& reporter,
                       const std::string& area_path,
                       const std::optional<std::string>& assigned_path);
  // Whether the actor sees the case only as its reporter (the public view of CaseView).
  static bool reporter_only(const access::Actor& actor, const cases::Record& r);
  // The actions this actor may take on the case now (the table's reading, with four eyes looked
  // up in the ledger): the case view's `allowed`, and what an evidence upload is checked against.
  static std::vector<cases::Action> allowed_for(storage::Connection& c, const access::Actor& actor,
                                                const cases::Record& r);

 private:
  Context& ctx_;
  CaseConfigCache& config_;
};

}  // namespace civicloop::app
