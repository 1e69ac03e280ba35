// The case (问题/案卷): one problem from report to verified close-out, and the rules of its
// closed loop (闭环管理). Pure: which action is allowed in which state, by which role, and what
// state follows. The use case in src/app/case_service applies it in a transaction and records
// every transition as a ledger event; the case row is the projection of those events.
//
//   reported ──file──▶ filed ──dispatch──▶ dispatched ──acknowledge──▶ acknowledged
//      │  ╲               │  ▲                  │  ▲                      │    ▲
//      │   void/dup       │  └──────return──────┘  └─────── return ───────┘    │ verify(failed) =
//      rework │                  park/unpark (also from dispatched, acknowledged)   rectify
//      └─fix_on_site─────────────────────────────────────────────────▶ rectified
//      ──verify(passed)──▶ verified ──close──▶ closed
//
// request_extension / decide_extension and escalate do not change the state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/access.hpp"
#include "domain/error.hpp"

namespace civicloop::cases {

enum class State {
  kReported,      // 上报: waiting for the HQ office to file it
  kFiled,         // 立案: waiting to be dispatched
  kDispatched,    // 派遣: waiting for the unit to acknowledge
  kAcknowledged,  // 签收: the unit is rectifying
  kRectified,     // 整改完成: evidence submitted, waiting for verification
  kVerified,      // 核查通过: waiting to be struck off
  kClosed,        // 销号
  kVoided,        // 作废
  kDuplicate,     // 重复 (points to its original)
  kParked,        // 挂账: a long-term problem, with a review date
};

enum class Action {
  kFile,
  kVoid,
  kMarkDuplicate,
  kDispatch,
  kAcknowledge,
  kReturn,
  kRequestExtension,
  kDecideExtension,
  kRectify,
  kVerify,
  kClose,
  kPark,
  kUnpark,
  kFixOnSite,
  kEscalate,
};

std::string_view to_string(State s);
std::optional<State> parse_state(std::string_view s);
std::string_view to_string(Action a);
std::optional<Action> parse_action(std::string_view s);
const std::vector<Action>& all_actions();
const std::vector<State>& all_states();

// Closed, voided and duplicate cases are finished: no action changes them any more.
bool is_final(State s);
// Open cases are the ones the lists and the deadline sweep look at.
inline bool is_open(State s) { return !is_final(s); }

// What the rules need to know about a case besides its state.
struct Facts {
  State state = State::kReported;
  bool extension_pending = false;
  std::optional<State> parked_from;  // the state to return to on unpark
  // What an action's validation reads of the case (domain/case_actions.hpp).
  std::int64_t case_id = 0;
  std::optional<std::int64_t> assigned_unit_id;  // the proposed or assigned unit
  int escalation_level = 0;
  int extension_asked = 0;  // the pending request's amount
};

// What the rules need to know about the actor.
struct Who {
  access::Role role = access::Role::kCitizen;
  bool is_system = false;         // the scheduler (escalations)
  bool in_assigned_unit = false;  // the actor's scope covers the unit the case is assigned to
  bool in_case_area = false;      // the actor's scope covers the place of the problem
  // The actor, as a person across all his accounts, rectified the case or fixed it on the spot
  // in its current round: he may not verify his own work (four eyes), whatever roles he holds.
  bool did_the_work = false;
};

// Readings of the action table (domain/case_actions.hpp). The state that follows, or an error:
// "case.invalid_transition" (with details "state" and "allowed", the actions allowed now) or
// "auth.forbidden" / "auth.out_of_scope" / "case.four_eyes". `passed` is the verifier's verdict
// for kVerify.
Expected<State> next_state(const Facts& facts, Action action, bool passed = true);
Status may_perform(const Who& who, const Facts& facts, Action action);

// The actions this actor may take now (for the UI's buttons and the 409's "allowed").
std::vector<Action> allowed_actions(const Facts& facts);
std::vector<Action> allowed_actions(const Facts& facts, const Who& who);

// What each action needs besides its state and the actor's right to take it: part of each
// action's specification (domain/case_actions.hpp), which the use case enforces and the web
// dialog is built from (the case view's `actions`, GET /api/v1/case-actions), so the rule is
// written once.
enum class NoteRule {
  kOptional,
  kRequired,     // a reason, always (void, return, request an extension, park)
  kIfFailed,     // verify: when the verdict is "failed" (what to redo)
  kIfRefused,    // decide_extension: when the request is refused
  kIfOtherUnit,  // dispatch: when sent to another unit than the one proposed
};
std::string_view to_string(NoteRule r);

struct ActionNeeds {
  NoteRule note = NoteRule::kOptional;
  std::string_view photo_stage;            // evidence uploaded first ("after", "on_site"), or ""
  std::vector<std::string_view> required;  // body fields it must carry
  std::vector<std::string_view> optional;  // body fields it may carry
};
const ActionNeeds& needs(Action a);

// The facts of one request the note rule depends on.
struct NoteContext {
  bool passed = true;       // verify's verdict
  bool refused = false;     // decide_extension's decision
  bool other_unit = false;  // dispatch to a unit other than the proposed one
};
bool note_required(Action a, const NoteContext& ctx);

// What a reporter (a citizen following his own case) is shown of its history: the steps that
// change what he may expect (filed, dispatched, acknowledged, rectified, verified, closed, voided,
// merged, parked), never who took them, their notes, returns, extensions or escalations.
bool shown_to_reporter(std::string_view event_action);
// The photos a reporter sees: his own, and the after and on-site photos that show the result.
bool photo_shown_to_reporter(std::string_view stage, bool uploaded_by_reporter);

// Where a problem came from (问题来源).
enum class Source {
  kGridPatrol,      // 网格巡查
  kRoadChief,       // 路长
  kEnforcement,     // 执法队巡查
  kSelfCheck,       // 单位自查
  kInspection,      // 督查 (明查暗访)
  kMockEvaluation,  // 第三方模拟测评
  kCitizen,         // 市民随手拍
  kCourier,         // 外卖小哥 文明监督员
  kHotline,         // 12345 热线
};
std::string_view to_string(Source s);
std::optional<Source> parse_source(std::string_view s);
// The source a report gets when its reporter does not say: from the role.
Source default_source(access::Role role);
// Whether a role may record a report under this source: its own default always; only the HQ
// office records the others (hotline, evaluations, inspections); a citizen may say he reports as
// a courier (文明监督员). "auth.forbidden" (field "source") otherwise.
Status may_record_source(access::Role role, Source source);

// Extension decisions (延期审批).
enum class ExtensionDecision { kGranted, kPartial, kRefused };
std::string_view to_string(ExtensionDecision d);
std::optional<ExtensionDecision> parse_extension_decision(std::string_view s);

// Great-circle distance in metres (after-photo vs problem location).
double distance_m(double lat1, double lng1, double lat2, double lng2);

}  // namespace civicloop::cases
