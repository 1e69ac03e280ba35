#include "domain/case_actions.hpp"

#include <algorithm>

namespace civicloop::cases {

namespace {

using A = Action;
using S = State;
using R = access::Role;
using N = NoteRule;

// The stages of the closed loop in which the unit, the office or a leader may still push a case.
const std::vector<S> kOpenBeforeVerdict = {S::kReported, S::kFiled, S::kDispatched,
                                           S::kAcknowledged, S::kRectified};
const std::vector<R> kOffice = {R::kHqAdmin, R::kHqStaff};
const std::vector<R> kUnitSide = {R::kUnitOperator, R::kGridWorker};

Status check_duplicate(const Facts& f, const Request& req, Decision&) {
  if (!req.duplicate_of) return make_error("field.required", "duplicate_of");
  if (*req.duplicate_of == f.case_id) {
    return make_error("case.duplicate_of_itself", "duplicate_of");
  }
  return Ok{};
}

Status check_dispatch(const Facts& f, const Request& req, Decision&) {
  if (!req.unit_id && !f.assigned_unit_id) return make_error("case.no_unit", "unit_id");
  if (req.notice_kind && *req.notice_kind != "rectification" && *req.notice_kind != "reminder") {
    return make_error("case.bad_notice_kind", "notice_kind");
  }
  return Ok{};
}

constexpr int kMaxExtension = 90;

Status check_extension_request(const Facts&, const Request& req, Decision& d) {
  if (!req.extension_amount || *req.extension_amount < 1 || *req.extension_amount > kMaxExtension) {
    return make_error("field.out_of_range", "extension_amount")
        .with("max", std::to_string(kMaxExtension));
  }
  d.extension_unit = calendar::parse_limit_unit(req.extension_unit.value_or(""));
  if (!d.extension_unit) return make_error("case.bad_limit_unit", "extension_unit");
  return Ok{};
}

Status check_extension_decision(const Facts& f, const Request& req, Decision& d) {
  d.decision = parse_extension_decision(req.decision.value_or(""));
  if (!d.decision) return make_error("field.required", "decision");
  const int asked = f.extension_asked;
  d.granted = 0;
  if (*d.decision == ExtensionDecision::kGranted) d.granted = asked;
  if (*d.decision == ExtensionDecision::kPartial) {
    // Partly: something, and less than was asked.
    if (!req.extension_amount || *req.extension_amount < 1 || *req.extension_amount >= asked) {
      return make_error("case.partial_out_of_range", "extension_amount")
          .with("max", std::to_string(asked - 1));
    }
    d.granted = *req.extension_amount;
  }
  return Ok{};
}

Status check_park(const Facts&, const Request& req, Decision& d) {
  d.review_date = calendar::parse_date(req.review_date.value_or(""));
  if (!d.review_date) return make_error("field.required", "review_date");
  if (*d.review_date <= req.today) return make_error("case.review_date_past", "review_date");
  return Ok{};
}

constexpr int kMaxEscalation = 3;  // the unit's head, the place's liaison leader, the HQ office

Status check_escalation(const Facts& f, const Request&, Decision&) {
  if (f.escalation_level >= kMaxEscalation) return make_error("case.escalation_max");
  return Ok{};
}

// One entry per action, in the order of all_actions().
std::vector<ActionSpec> make_table() {
  std::vector<ActionSpec> t;
  t.push_back({.action = A::kFile,
               .from = {S::kReported},
               .to = S::kFiled,
               .roles = kOffice,
               .needs = {N::kOptional, "", {}, {"unit_id"}},
               .effect = Effect::kRoute});
  t.push_back({.action = A::kVoid,
               .from = {S::kReported, S::kFiled},
               .to = S::kVoided,
               .roles = kOffice,
               .needs = {N::kRequired, "", {}, {}},
               .effect = Effect::kFinish});
  t.push_back({.action = A::kMarkDuplicate,
               .from = {S::kReported, S::kFiled},
               .to = S::kDuplicate,
               .roles = kOffice,
               .needs = {N::kOptional, "", {"duplicate_of"}, {}},
               .validate = check_duplicate,
               .effect = Effect::kMerge});
  t.push_back({.action = A::kDispatch,
               .from = {S::kFiled},
               .to = S::kDispatched,
               .roles = kOffice,
               .needs = {N::kIfOtherUnit, "", {}, {"unit_id", "notice_kind", "requirement"}},
               .validate = check_dispatch,
               .effect = Effect::kDispatch});
  t.push_back({.action = A::kAcknowledge,
               .from = {S::kDispatched},
               .to = S::kAcknowledged,
               .roles = kUnitSide,
               .scope = Scope::kAssignedUnit,
               .needs = {N::kOptional, "", {}, {}},
               .effect = Effect::kStartRectifying});
  t.push_back({.action = A::kReturn,
               .from = {S::kDispatched, S::kAcknowledged},
               .to = S::kFiled,
               .roles = kUnitSide,
               .scope = Scope::kAssignedUnit,
               .needs = {N::kRequired, "", {}, {}},
               .effect = Effect::kHandBack});
  t.push_back({.action = A::kRequestExtension,
               .from = {S::kAcknowledged},
               .pending = Pending::kNone,
               .roles = kUnitSide,
               .scope = Scope::kAssignedUnit,
               .needs = {N::kRequired, "", {"extension_amount", "extension_unit"}, {}},
               .validate = check_extension_request,
               .effect = Effect::kAskForTime});
  t.push_back({.action = A::kDecideExtension,
               .from = {S::kAcknowledged},
               .pending = Pending::kWaiting,
               .roles = kOffice,
               .needs = {N::kIfRefused, "", {"decision"}, {"extension_amount"}},
               .validate = check_extension_decision,
               .effect = Effect::kDecideTime});
  // Rectifying while a request waits is allowed: the work is done, the request lapses.
  t.push_back({.action = A::kRectify,
               .from = {S::kAcknowledged},
               .to = S::kRectified,
               .roles = kUnitSide,
               .scope = Scope::kAssignedUnit,
               .needs = {N::kOptional, "after", {}, {}},
               .evidence = {"after"},
               .effect = Effect::kAwaitVerdict});
  t.push_back({.action = A::kVerify,
               .from = {S::kRectified},
               .to = S::kVerified,
               .to_if_failed = S::kAcknowledged,
               .roles = {R::kHqAdmin, R::kHqStaff, R::kSupervisor, R::kTaskForceMember},
               .four_eyes = true,
               .needs = {N::kIfFailed, "", {"passed"}, {}},
               .effect = Effect::kVerdict});
  t.push_back({.action = A::kClose,
               .from = {S::kVerified},
               .to = S::kClosed,
               .roles = kOffice,
               .needs = {N::kOptional, "", {}, {}},
               .effect = Effect::kFinish});
  t.push_back({.action = A::kPark,
               .from = {S::kFiled, S::kDispatched, S::kAcknowledged},
               .to = S::kParked,
               .roles = kOffice,
               .needs = {N::kRequired, "", {"review_date"}, {}},
               .validate = check_park,
               .effect = Effect::kPark});
  t.push_back({.action = A::kUnpark,
               .from = {S::kParked},
               .back_to_parked_from = true,
               .roles = kOffice,
               .needs = {N::kOptional, "", {}, {}},
               .effect = Effect::kUnpark});
  t.push_back({.action = A::kFixOnSite,
               .from = {S::kReported},
               .to = S::kRectified,
               .roles = kUnitSide,
               .scope = Scope::kCaseArea,
               .needs = {N::kOptional, "on_site", {}, {}},
               .evidence = {"on_site", "after"},
               .effect = Effect::kTakeOnSite});
  t.push_back({.action = A::kEscalate,
               .from = kOpenBeforeVerdict,
               .roles = {R::kHqAdmin, R::kHqStaff, R::kLeader},
               .by_system = true,
               .needs = {N::kOptional, "", {}, {}},
               .validate = check_escalation,
               .effect = Effect::kEscalate});
  return t;
}

template <class T>
bool contains(const std::vector<T>& v, const T& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

// Where the action leads from these facts, or nullopt when the state does not allow it.
std::optional<State> reach(const Facts& f, const ActionSpec& s, bool passed) {
  if (!contains(s.from, f.state)) return std::nullopt;
  if (s.pending == Pending::kNone && f.extension_pending) return std::nullopt;
  if (s.pending == Pending::kWaiting && !f.extension_pending) return std::nullopt;
  if (s.back_to_parked_from) return f.parked_from.value_or(State::kFiled);
  if (!passed && s.to_if_failed) return *s.to_if_failed;
  return s.to.value_or(f.state);
}

}  // namespace

std::string_view to_string(Scope s) {
  switch (s) {
    case Scope::kVisible:
      return "visible";
    case Scope::kAssignedUnit:
      return "assigned_unit";
    case Scope::kCaseArea:
      return "case_area";
  }
  return "visible";
}

const std::vector<ActionSpec>& action_table() {
  static const std::vector<ActionSpec> t = make_table();
  return t;
}

const ActionSpec& spec(Action a) {
  // The table follows the enum's order (checked by the tests).
  return action_table().at(static_cast<std::size_t>(a));
}

const ActionNeeds& needs(Action a) { return spec(a).needs; }

bool note_required(Action a, const NoteContext& ctx) {
  switch (needs(a).note) {
    case NoteRule::kOptional:
      return false;
    case NoteRule::kRequired:
      return true;
    case NoteRule::kIfFailed:
      return !ctx.passed;
    case NoteRule::kIfRefused:
      return ctx.refused;
    case NoteRule::kIfOtherUnit:
      return ctx.other_unit;
  }
  return false;
}

Expected<State> next_state(const Facts& f, Action a, bool passed) {
  if (auto to = reach(f, spec(a), passed)) return *to;
  std::string allowed;
  for (const ActionSpec& x : action_table()) {
    if (x.action == a || !reach(f, x, true)) continue;
    if (!allowed.empty()) allowed += ",";
    allowed += to_string(x.action);
  }
  return make_error("case.invalid_transition", "action")
      .with("state", std::string(to_string(f.state)))
      .with("action", std::string(to_string(a)))
      .with("allowed", allowed);
}

Status may_perform(const Who& who, const Facts& f, Action a) {
  const ActionSpec& s = spec(a);
  if (who.is_system && s.by_system) return Ok{};
  if (!contains(s.roles, who.role)) {
    return make_error("auth.forbidden")
        .with("action", std::string(to_string(a)))
        .with("state", std::string(to_string(f.state)));
  }
  if (s.four_eyes && who.did_the_work) return make_error("case.four_eyes", "action");
  const bool in_scope = s.scope == Scope::kAssignedUnit ? who.in_assigned_unit
                        : s.scope == Scope::kCaseArea   ? who.in_case_area
                                                        : true;
  if (!in_scope) return make_error("auth.out_of_scope").with("action", std::string(to_string(a)));
  return Ok{};
}

std::vector<Action> allowed_actions(const Facts& f) {
  std::vector<Action> out;
  for (const ActionSpec& s : action_table()) {
    if (reach(f, s, true)) out.push_back(s.action);
  }
  return out;
}

std::vector<Action> allowed_actions(const Facts& f, const Who& who) {
  std::vector<Action> out;
  for (const Action a : allowed_actions(f)) {
    if (may_perform(who, f, a).ok()) out.push_back(a);
  }
  return out;
}

Expected<Decision> decide(const Who& who, const Facts& f, Action a, const Request& req) {
  const ActionSpec& s = spec(a);
  if (auto ok = may_perform(who, f, a); !ok) return ok.error();
  // The verdict decides the state that follows, so it is asked for before the state is read.
  if (s.to_if_failed && !req.passed) return make_error("field.required", "passed");
  Decision d;
  d.action = a;
  d.effect = s.effect;
  d.passed = req.passed.value_or(true);
  auto to = next_state(f, a, d.passed);
  if (!to) return to.error();
  d.to = *to;
  d.other_unit = req.unit_id.has_value() && req.unit_id != f.assigned_unit_id;
  const NoteContext ctx{d.passed, req.decision.value_or("") == "refused", d.other_unit};
  if (note_required(a, ctx) && req.note.empty()) {
    return make_error("case.note_required", "note").with("action", std::string(to_string(a)));
  }
  if (!s.needs.photo_stage.empty()) {
    const bool shown = std::any_of(
        req.photo_stages.begin(), req.photo_stages.end(),
        [&](const std::string& st) { return contains(s.evidence, std::string_view(st)); });
    if (!shown) {
      return make_error("case.evidence_required", "attachments")
          .with("stage", std::string(s.needs.photo_stage));
    }
  }
  if (s.validate != nullptr) {
    if (auto ok = s.validate(f, req, d); !ok) return ok.error();
  }
  return d;
}

Status may_add_photo(std::string_view stage, const std::vector<Action>& allowed) {
  const auto takes = [&](const ActionSpec& s) { return contains(s.evidence, stage); };
  const auto& table = action_table();
  if (std::none_of(table.begin(), table.end(), takes)) return Ok{};
  if (std::any_of(allowed.begin(), allowed.end(), [&](Action a) { return takes(spec(a)); })) {
    return Ok{};
  }
  return make_error("case.photo_not_allowed", "stage").with("stage", std::string(stage));
}

}  // namespace civicloop::cases
