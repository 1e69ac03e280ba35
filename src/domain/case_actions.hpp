// The case actions as one table: for each action, the states it applies to and the state that
// follows, the roles and the scope that may take it, the four-eyes rule, what it needs (a reason,
// a photo first, the body fields), the validation of its request and the kind of effect the use
// case applies. next_state, may_perform, allowed_actions and needs (domain/case.hpp) are readings
// of this table; CaseService::transition asks `decide` and then runs the effect of the answer.
//
// Adding an action: an Action (and its name in case.cpp), its ActionSpec in case_actions.cpp,
// and, unless it reuses one, an Effect with its function in app/case_service.cpp (kEffects).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/calendar.hpp"
#include "domain/case.hpp"

namespace civicloop::cases {

// Which cases, among those the actor can see, his role lets him act on.
enum class Scope {
  kVisible,       // any case in his scope (the HQ office's is the tenant; the scheduler's too)
  kAssignedUnit,  // only the unit the case is assigned to answers for it and acts in its name
  kCaseArea,      // the place of the problem (fixing it on the spot needs no assignment)
};
std::string_view to_string(Scope s);

// Whether the action depends on a pending extension request.
enum class Pending {
  kAny,
  kNone,     // request_extension: one request at a time
  kWaiting,  // decide_extension: something to decide
};

// What an action does to the case besides moving its state. The use case holds one function per
// kind (app/case_service.cpp, kEffects); actions that do the same share a kind (void and close).
enum class Effect {
  kRoute,            // file: the routing proposal (unit, supervising group, rule)
  kFinish,           // void, close: the timer stops, closed_at
  kMerge,            // mark_duplicate: linked to its original, finished
  kDispatch,         // to its unit: timer, notice, notifications, robots
  kStartRectifying,  // acknowledge: the rectification timer
  kHandBack,         // return: unassigned, no notice, the office is told
  kAskForTime,       // request_extension: the clock stops, the office is told
  kDecideTime,       // decide_extension: the clock runs again, longer by what was granted
  kAwaitVerdict,     // rectify: the verification timer
  kVerdict,          // verify: stopped, or rework with a new rectification timer
  kPark,             // park: paused until the review date
  kUnpark,           // unpark: the clock runs again
  kTakeOnSite,       // fix_on_site: the place's unit answers for it; the verification timer
  kEscalate,         // one level up; its targets and the robots are told
};

// One action request as the rules read it (the handler parsed the JSON body; the use case adds
// what it looked up).
struct Request {
  std::string_view note;  // trimmed
  std::optional<bool> passed;
  std::optional<std::int64_t> unit_id;
  std::optional<std::string> notice_kind;
  std::optional<int> extension_amount;
  std::optional<std::string> extension_unit;
  std::optional<std::string> decision;
  std::optional<std::string> review_date;
  std::optional<std::int64_t> duplicate_of;
  // The stages of the case's photos (read only by an action that needs a photo first).
  std::vector<std::string> photo_stages;
  // The tenant's local date now (a review date must lie after it).
  calendar::Date today;
};

// What a valid request means, for its effect: where the case goes and the values parsed.
struct Decision {
  Action action = Action::kFile;
  State to = State::kReported;
  Effect effect = Effect::kRoute;
  bool passed = true;       // verify's verdict
  bool other_unit = false;  // dispatch to a unit other than the proposed one
  std::optional<calendar::LimitUnit> extension_unit;  // request_extension
  std::optional<ExtensionDecision> decision;          // decide_extension
  int granted = 0;                                    // decide_extension: what was granted
  std::optional<calendar::Date> review_date;          // park
};

struct ActionSpec {
  Action action = Action::kFile;
  // The states it applies to, and the state it leads to (nullopt: the case stays where it is).
  std::vector<State> from{};
  std::optional<State> to{};
  std::optional<State> to_if_failed{};  // verify: a failed verdict sends it back (rework, 返工)
  bool back_to_parked_from = false;     // unpark: where it was parked from (filed when unknown)
  Pending pending = Pending::kAny;
  // Who may take it: these roles, on cases in this scope; the scheduler when by_system.
  std::vector<access::Role> roles{};
  Scope scope = Scope::kVisible;
  bool by_system = false;
  // Four eyes: never by the person (across his accounts) who did the work now to be verified.
  bool four_eyes = false;
  ActionNeeds needs{};
  // The photo stages that count as the photo it needs first (needs.photo_stage set).
  std::vector<std::string_view> evidence{};
  // The action's own checks of its request, after the generic ones; fills the decision.
  Status (*validate)(const Facts&, const Request&, Decision&) = nullptr;
  Effect effect = Effect::kRoute;
};

// The table, in the order of all_actions(); spec(a) is its entry for a.
const std::vector<ActionSpec>& action_table();
const ActionSpec& spec(Action a);

// The whole check of one request, in the order the answers come: the actor's right (role, scope,
// four eyes), verify's verdict, the state, the reason, the photo first, then the action's own
// validation. The use case checks visibility and the version before, and applies the effect.
Expected<Decision> decide(const Who& who, const Facts& facts, Action a, const Request& req);

// Whether a photo of this stage may be added now, given the actions the actor may take on the case
// (allowed_actions). A stage that some action takes as its photo first (on_site, after) is taken
// only when one of those actions is allowed to him now, so that a photo for an action he would be
// refused is never stored; "case.photo_not_allowed" (details: stage) otherwise. Any other stage
// (before: the problem as found) is not the photo of an action and is not limited here.
Status may_add_photo(std::string_view stage, const std::vector<Action>& allowed);

}  // namespace civicloop::cases
