#include "domain/case.hpp"

#include <algorithm>
#include <array>
#include <cmath>

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
