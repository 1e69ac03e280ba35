#include "domain/case.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>

namespace civicloop::cases {

namespace {

template <class E, std::size_t N>
struct Names {
  std::array<std::pair<E, std::string_view>, N> items;
  std::string_view name(E e) const {
    for (const auto& [k, v] : items) {
      if (k == e) return v;
    }
    return "unknown";
  }
  std::optional<E> parse(std::string_view s) const {
    for (const auto& [k, v] : items) {
      if (v == s) return k;
    }
    return std::nullopt;
  }
};

constexpr Names<State, 10> kStates{{{
    {State::kReported, "reported"},
    {State::kFiled, "filed"},
    {State::kDispatched, "dispatched"},
    {State::kAcknowledged, "acknowledged"},
    {State::kRectified, "rectified"},
    {State::kVerified, "verified"},
    {State::kClosed, "closed"},
    {State::kVoided, "voided"},
    {State::kDuplicate, "duplicate"},
    {State::kParked, "parked"},
}}};

constexpr Names<Action, 15> kActions{{{
    {Action::kFile, "file"},
    {Action::kVoid, "void"},
    {Action::kMarkDuplicate, "mark_duplicate"},
    {Action::kDispatch, "dispatch"},
    {Action::kAcknowledge, "acknowledge"},
    {Action::kReturn, "return"},
    {Action::kRequestExtension, "request_extension"},
    {Action::kDecideExtension, "decide_extension"},
    {Action::kRectify, "rectify"},
    {Action::kVerify, "verify"},
    {Action::kClose, "close"},
    {Action::kPark, "park"},
    {Action::kUnpark, "unpark"},
    {Action::kFixOnSite, "fix_on_site"},
    {Action::kEscalate, "escalate"},
}}};

constexpr Names<Source, 9> kSources{{{
    {Source::kGridPatrol, "grid_patrol"},
    {Source::kRoadChief, "road_chief"},
    {Source::kEnforcement, "enforcement"},
    {Source::kSelfCheck, "self_check"},
    {Source::kInspection, "inspection"},
    {Source::kMockEvaluation, "mock_evaluation"},
    {Source::kCitizen, "citizen"},
    {Source::kCourier, "courier"},
    {Source::kHotline, "hotline"},
}}};

constexpr Names<ExtensionDecision, 3> kDecisions{{{
    {ExtensionDecision::kGranted, "granted"},
    {ExtensionDecision::kPartial, "partial"},
    {ExtensionDecision::kRefused, "refused"},
}}};

// The state an action leads to from a state, ignoring the flags; nullopt: not allowed there.
std::optional<State> target(State from, Action a, bool passed) {
  using S = State;
  using A = Action;
  switch (from) {
    case S::kReported:
      if (a == A::kFile) return S::kFiled;
      if (a == A::kVoid) return S::kVoided;
      if (a == A::kMarkDuplicate) return S::kDuplicate;
      if (a == A::kFixOnSite) return S::kRectified;
      if (a == A::kEscalate) return from;
      return std::nullopt;
    case S::kFiled:
      if (a == A::kDispatch) return S::kDispatched;
      if (a == A::kVoid) return S::kVoided;
      if (a == A::kMarkDuplicate) return S::kDuplicate;
      if (a == A::kPark) return S::kParked;
      if (a == A::kEscalate) return from;
      return std::nullopt;
    case S::kDispatched:
      if (a == A::kAcknowledge) return S::kAcknowledged;
      if (a == A::kReturn) return S::kFiled;
      if (a == A::kPark) return S::kParked;
      if (a == A::kEscalate) return from;
      return std::nullopt;
    case S::kAcknowledged:
      if (a == A::kRectify) return S::kRectified;
      if (a == A::kReturn) return S::kFiled;
      if (a == A::kRequestExtension || a == A::kDecideExtension) return from;
      if (a == A::kPark) return S::kParked;
      if (a == A::kEscalate) return from;
      return std::nullopt;
    case S::kRectified:
      // A failed verification sends the case back to the unit: rework (返工).
      if (a == A::kVerify) return passed ? S::kVerified : S::kAcknowledged;
      if (a == A::kEscalate) return from;
      return std::nullopt;
    case S::kVerified:
      if (a == A::kClose) return S::kClosed;
      return std::nullopt;
    case S::kParked:
      return std::nullopt;  // unpark is decided by parked_from, below
    case S::kClosed:
    case S::kVoided:
    case S::kDuplicate:
      return std::nullopt;
  }
  return std::nullopt;
}

bool role_in(access::Role r, std::initializer_list<access::Role> roles) {
  return std::find(roles.begin(), roles.end(), r) != roles.end();
}

}  // namespace

std::string_view to_string(State s) { return kStates.name(s); }
std::optional<State> parse_state(std::string_view s) { return kStates.parse(s); }
std::string_view to_string(Action a) { return kActions.name(a); }
std::optional<Action> parse_action(std::string_view s) { return kActions.parse(s); }
std::string_view to_string(Source s) { return kSources.name(s); }
std::optional<Source> parse_source(std::string_view s) { return kSources.parse(s); }
std::string_view to_string(ExtensionDecision d) { return kDecisions.name(d); }
std::optional<ExtensionDecision> parse_extension_decision(std::string_view s) {
  return kDecisions.parse(s);
}

const std::vector<Action>& all_actions() {
  static const std::vector<Action> v = [] {
    std::vector<Action> out;
    for (const auto& [k, name] : kActions.items) out.push_back(k);
    return out;
  }();
  return v;
}

const std::vector<State>& all_states() {
  static const std::vector<State> v = [] {
    std::vector<State> out;
    for (const auto& [k, name] : kStates.items) out.push_back(k);
    return out;
  }();
  return v;
}

bool is_final(State s) {
  return s == State::kClosed || s == State::kVoided || s == State::kDuplicate;
}

bool shown_to_reporter(std::string_view event_action) {
  static constexpr std::string_view kShown[] = {
      "report", "file",  "dispatch", "acknowledge",    "rectify", "fix_on_site",
      "verify", "close", "void",     "mark_duplicate", "park",    "unpark"};
  return std::find(std::begin(kShown), std::end(kShown), event_action) != std::end(kShown);
}

bool photo_shown_to_reporter(std::string_view stage, bool uploaded_by_reporter) {
  return uploaded_by_reporter || stage == "after" || stage == "on_site";
}

std::string_view to_string(NoteRule r) {
  switch (r) {
    case NoteRule::kOptional:
      return "optional";
    case NoteRule::kRequired:
      return "required";
    case NoteRule::kIfFailed:
      return "if_failed";
    case NoteRule::kIfRefused:
      return "if_refused";
    case NoteRule::kIfOtherUnit:
      return "if_other_unit";
  }
  return "optional";
}

const ActionNeeds& needs(Action a) {
  using N = NoteRule;
  static const std::map<Action, ActionNeeds> table = {
      {Action::kFile, {N::kOptional, "", {}, {"unit_id"}}},
      {Action::kVoid, {N::kRequired, "", {}, {}}},
      {Action::kMarkDuplicate, {N::kOptional, "", {"duplicate_of"}, {}}},
      {Action::kDispatch, {N::kIfOtherUnit, "", {}, {"unit_id", "notice_kind", "requirement"}}},
      {Action::kAcknowledge, {N::kOptional, "", {}, {}}},
      {Action::kReturn, {N::kRequired, "", {}, {}}},
      {Action::kRequestExtension, {N::kRequired, "", {"extension_amount", "extension_unit"}, {}}},
      {Action::kDecideExtension, {N::kIfRefused, "", {"decision"}, {"extension_amount"}}},
      {Action::kRectify, {N::kOptional, "after", {}, {}}},
      {Action::kVerify, {N::kIfFailed, "", {"passed"}, {}}},
      {Action::kClose, {N::kOptional, "", {}, {}}},
      {Action::kPark, {N::kRequired, "", {"review_date"}, {}}},
      {Action::kUnpark, {N::kOptional, "", {}, {}}},
      {Action::kFixOnSite, {N::kOptional, "on_site", {}, {}}},
      {Action::kEscalate, {N::kOptional, "", {}, {}}},
  };
  static const ActionNeeds none;
  auto it = table.find(a);
  return it == table.end() ? none : it->second;
}

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

Status may_record_source(access::Role role, Source source) {
  using R = access::Role;
  if (source == default_source(role) || role == R::kHqAdmin || role == R::kHqStaff) return Ok{};
  if (role == R::kCitizen && source == Source::kCourier) return Ok{};
  return make_error("auth.forbidden", "source");
}

Source default_source(access::Role role) {
  switch (role) {
    case access::Role::kGridWorker:
      return Source::kGridPatrol;
    case access::Role::kSupervisor:
    case access::Role::kLeader:
    case access::Role::kTaskForceMember:
      return Source::kInspection;
    case access::Role::kUnitOperator:
      return Source::kSelfCheck;
    case access::Role::kHqAdmin:
    case access::Role::kHqStaff:
      return Source::kHotline;
    case access::Role::kCitizen:
      return Source::kCitizen;
  }
  return Source::kCitizen;
}

std::vector<Action> allowed_actions(const Facts& f) {
  std::vector<Action> out;
  for (const Action a : all_actions()) {
    if (next_state(f, a).ok()) out.push_back(a);
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

Expected<State> next_state(const Facts& f, Action a, bool passed) {
  std::optional<State> to;
  if (a == Action::kUnpark) {
    if (f.state == State::kParked) to = f.parked_from.value_or(State::kFiled);
  } else if (a == Action::kRequestExtension && f.extension_pending) {
    to = std::nullopt;  // one request at a time
  } else if (a == Action::kDecideExtension && !f.extension_pending) {
    to = std::nullopt;  // nothing to decide
  } else {
    to = target(f.state, a, passed);
  }
  if (!to) {
    std::string allowed;
    for (const Action x : all_actions()) {
      if (x == a) continue;
      Facts probe = f;
      bool ok = false;
      if (x == Action::kUnpark) {
        ok = f.state == State::kParked;
      } else if (x == Action::kRequestExtension) {
        ok = !f.extension_pending && target(f.state, x, true).has_value();
      } else if (x == Action::kDecideExtension) {
        ok = f.extension_pending && target(f.state, x, true).has_value();
      } else {
        ok = target(probe.state, x, true).has_value();
      }
      if (ok) {
        if (!allowed.empty()) allowed += ",";
        allowed += to_string(x);
      }
    }
    return make_error("case.invalid_transition", "action")
        .with("state", std::string(to_string(f.state)))
        .with("action", std::string(to_string(a)))
        .with("allowed", allowed);
  }
  return *to;
}

Status may_perform(const Who& who, const Facts& f, Action a) {
  using R = access::Role;
  const R r = who.role;
  const bool hq = role_in(r, {R::kHqAdmin, R::kHqStaff});
  const bool unit_side = role_in(r, {R::kUnitOperator, R::kGridWorker});
  bool ok = false;
  bool scope_ok = true;
  switch (a) {
    case Action::kFile:
    case Action::kVoid:
    case Action::kMarkDuplicate:
    case Action::kDispatch:
    case Action::kDecideExtension:
    case Action::kPark:
    case Action::kUnpark:
    case Action::kClose:
      ok = hq;
      break;
    case Action::kAcknowledge:
    case Action::kReturn:
    case Action::kRequestExtension:
    case Action::kRectify:
      // The unit the case is assigned to answers for it; nobody else acts in its name.
      ok = unit_side;
      scope_ok = who.in_assigned_unit;
      break;
    case Action::kVerify:
      ok = hq || role_in(r, {R::kSupervisor, R::kTaskForceMember});
      if (ok && who.did_the_work) return make_error("case.four_eyes", "action");
      break;
    case Action::kFixOnSite:
      ok = unit_side;
      scope_ok = who.in_case_area;
      break;
    case Action::kEscalate:
      ok = who.is_system || hq || r == R::kLeader;
      break;
  }
  if (who.is_system && a == Action::kEscalate) return Ok{};
  if (!ok) {
    return make_error("auth.forbidden")
        .with("action", std::string(to_string(a)))
        .with("state", std::string(to_string(f.state)));
  }
  if (!scope_ok) return make_error("auth.out_of_scope").with("action", std::string(to_string(a)));
  return Ok{};
}

double distance_m(double lat1, double lng1, double lat2, double lng2) {
  constexpr double kEarthRadiusM = 6371008.8;
  constexpr double kRad = 3.14159265358979323846 / 180.0;
  const double dlat = (lat2 - lat1) * kRad;
  const double dlng = (lng2 - lng1) * kRad;
  const double a =
      std::sin(dlat / 2) * std::sin(dlat / 2) +
      std::cos(lat1 * kRad) * std::cos(lat2 * kRad) * std::sin(dlng / 2) * std::sin(dlng / 2);
  return 2 * kEarthRadiusM * std::asin(std::min(1.0, std::sqrt(a)));
}

}  // namespace civicloop::cases
