// Every transition of the case's closed loop, allowed and forbidden, and who may take it.
#include "domain/case.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include <map>
#include <set>

namespace civicloop::cases {
namespace {

using A = Action;
using S = State;
using R = access::Role;

// The whole table: from each state, the actions allowed and where they lead (verify passed).
// Anything not listed must be refused with case.invalid_transition.
const std::map<S, std::map<A, S>>& expected_table() {
  static const std::map<S, std::map<A, S>> t = {
      {S::kReported,
       {{A::kFile, S::kFiled},
        {A::kVoid, S::kVoided},
        {A::kMarkDuplicate, S::kDuplicate},
        {A::kFixOnSite, S::kRectified},
        {A::kEscalate, S::kReported}}},
      {S::kFiled,
       {{A::kDispatch, S::kDispatched},
        {A::kVoid, S::kVoided},
        {A::kMarkDuplicate, S::kDuplicate},
        {A::kPark, S::kParked},
        {A::kEscalate, S::kFiled}}},
      {S::kDispatched,
       {{A::kAcknowledge, S::kAcknowledged},
        {A::kReturn, S::kFiled},
        {A::kPark, S::kParked},
        {A::kEscalate, S::kDispatched}}},
      {S::kAcknowledged,
       {{A::kRectify, S::kRectified},
        {A::kReturn, S::kFiled},
        {A::kRequestExtension, S::kAcknowledged},
        {A::kPark, S::kParked},
        {A::kEscalate, S::kAcknowledged}}},
      {S::kRectified, {{A::kVerify, S::kVerified}, {A::kEscalate, S::kRectified}}},
      {S::kVerified, {{A::kClose, S::kClosed}}},
      {S::kParked, {{A::kUnpark, S::kDispatched}}},  // parked_from = dispatched below
      {S::kClosed, {}},
      {S::kVoided, {}},
      {S::kDuplicate, {}},
  };
  return t;
}

TEST(CaseTransitions, EveryStateAndActionPairIsAllowedOrRefusedAsTheTableSays) {
  int allowed = 0;
  int refused = 0;
  for (const S s : all_states()) {
    Facts f;
    f.state = s;
    if (s == S::kParked) f.parked_from = S::kDispatched;
    const auto& row = expected_table().at(s);
    for (const A a : all_actions()) {
      auto r = next_state(f, a, true);
      auto it = row.find(a);
      if (it != row.end()) {
        ASSERT_TRUE(r.ok()) << to_string(s) << " + " << to_string(a) << ": " << r.error().code;
        EXPECT_EQ(r.value(), it->second) << to_string(s) << " + " << to_string(a);
        ++allowed;
      } else {
        ASSERT_FALSE(r.ok()) << to_string(s) << " + " << to_string(a) << " should be refused";
        EXPECT_EQ(r.error().code, "case.invalid_transition");
        ++refused;
      }
    }
  }
  EXPECT_EQ(allowed + refused, static_cast<int>(all_states().size() * all_actions().size()));
  EXPECT_EQ(allowed, 23);
}

TEST(CaseTransitions, AFailedVerificationIsRework) {
  Facts f{S::kRectified, false, std::nullopt};
  EXPECT_EQ(next_state(f, A::kVerify, false).value(), S::kAcknowledged);
  EXPECT_EQ(next_state(f, A::kVerify, true).value(), S::kVerified);
}

TEST(CaseTransitions, ExtensionsOneAtATimeAndOnlyDecidedWhenAsked) {
  Facts f{S::kAcknowledged, false, std::nullopt};
  EXPECT_TRUE(next_state(f, A::kRequestExtension).ok());
  EXPECT_FALSE(next_state(f, A::kDecideExtension).ok());
  f.extension_pending = true;
  EXPECT_FALSE(next_state(f, A::kRequestExtension).ok());
  EXPECT_EQ(next_state(f, A::kDecideExtension).value(), S::kAcknowledged);
  // Rectifying while a request waits is allowed: the work is done.
  EXPECT_EQ(next_state(f, A::kRectify).value(), S::kRectified);
}

TEST(CaseTransitions, UnparkReturnsWhereTheCaseWasParked) {
  for (const S from : {S::kFiled, S::kDispatched, S::kAcknowledged}) {
    Facts f{S::kParked, false, from};
    EXPECT_EQ(next_state(f, A::kUnpark).value(), from);
  }
  Facts unknown{S::kParked, false, std::nullopt};
  EXPECT_EQ(next_state(unknown, A::kUnpark).value(), S::kFiled);
}

TEST(CaseTransitions, TheRefusalNamesTheAllowedNextSteps) {
  Facts f{S::kDispatched, false, std::nullopt};
  auto r = next_state(f, A::kClose);
  ASSERT_FALSE(r.ok());
  std::map<std::string, std::string> d(r.error().details.begin(), r.error().details.end());
  EXPECT_EQ(d["state"], "dispatched");
  EXPECT_EQ(d["action"], "close");
  EXPECT_EQ(d["allowed"], "acknowledge,return,park,escalate");
  const auto allowed = allowed_actions(f);
  EXPECT_EQ(allowed, (std::vector<A>{A::kAcknowledge, A::kReturn, A::kPark, A::kEscalate}));
}

TEST(CaseTransitions, FinishedCasesAcceptNothing) {
  for (const S s : {S::kClosed, S::kVoided, S::kDuplicate}) {
    EXPECT_TRUE(is_final(s));
    EXPECT_TRUE(allowed_actions(Facts{s, false, std::nullopt}).empty()) << to_string(s);
  }
  for (const S s : {S::kReported, S::kFiled, S::kDispatched, S::kAcknowledged, S::kRectified,
                    S::kVerified, S::kParked}) {
    EXPECT_TRUE(is_open(s)) << to_string(s);
  }
}

// Who may take each action: the HQ office files, dispatches, decides and closes; the assigned unit
// acknowledges, returns, asks for time and rectifies; supervisors verify; grid workers fix on site.
TEST(CaseRoles, EachActionBelongsToItsRoles) {
  const std::map<A, std::set<R>> who = {
      {A::kFile, {R::kHqAdmin, R::kHqStaff}},
      {A::kVoid, {R::kHqAdmin, R::kHqStaff}},
      {A::kMarkDuplicate, {R::kHqAdmin, R::kHqStaff}},
      {A::kDispatch, {R::kHqAdmin, R::kHqStaff}},
      {A::kDecideExtension, {R::kHqAdmin, R::kHqStaff}},
      {A::kPark, {R::kHqAdmin, R::kHqStaff}},
      {A::kUnpark, {R::kHqAdmin, R::kHqStaff}},
      {A::kClose, {R::kHqAdmin, R::kHqStaff}},
      {A::kAcknowledge, {R::kUnitOperator, R::kGridWorker}},
      {A::kReturn, {R::kUnitOperator, R::kGridWorker}},
      {A::kRequestExtension, {R::kUnitOperator, R::kGridWorker}},
      {A::kRectify, {R::kUnitOperator, R::kGridWorker}},
      {A::kVerify, {R::kHqAdmin, R::kHqStaff, R::kSupervisor, R::kTaskForceMember}},
      {A::kFixOnSite, {R::kUnitOperator, R::kGridWorker}},
      {A::kEscalate, {R::kHqAdmin, R::kHqStaff, R::kLeader}},
  };
  const Facts f{S::kReported, false, std::nullopt};
  for (const auto& [action, roles] : who) {
    for (const R role : access::all_roles()) {
      Who w{role, false, true, true};
      const bool ok = may_perform(w, f, action).ok();
      EXPECT_EQ(ok, roles.contains(role)) << access::to_string(role) << " " << to_string(action);
    }
  }
}

TEST(CaseRoles, TheUnitActsOnlyOnCasesAssignedToIt) {
  const Facts f{S::kDispatched, false, std::nullopt};
  Who other{R::kUnitOperator, false, false, false};
  auto r = may_perform(other, f, A::kAcknowledge);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "auth.out_of_scope");
  Who own{R::kUnitOperator, false, true, false};
  EXPECT_TRUE(may_perform(own, f, A::kAcknowledge).ok());
  // Fixing on site needs the place, not an assignment.
  Who grid_elsewhere{R::kGridWorker, false, false, false};
  EXPECT_EQ(may_perform(grid_elsewhere, f, A::kFixOnSite).error().code, "auth.out_of_scope");
}

TEST(CaseRoles, TheSchedulerMayEscalateAndNothingElse) {
  const Facts f{S::kAcknowledged, false, std::nullopt};
  Who system{R::kCitizen, true, false, false};
  EXPECT_TRUE(may_perform(system, f, A::kEscalate).ok());
  EXPECT_FALSE(may_perform(system, f, A::kClose).ok());
  EXPECT_FALSE(may_perform(system, f, A::kRectify).ok());
}

TEST(CaseRoles, ACitizenMayDoNothingButReport) {
  const Facts f{S::kReported, false, std::nullopt};
  Who citizen{R::kCitizen, false, true, true};
  EXPECT_TRUE(allowed_actions(f, citizen).empty());
  EXPECT_EQ(default_source(R::kCitizen), Source::kCitizen);
  EXPECT_EQ(default_source(R::kGridWorker), Source::kGridPatrol);
}

TEST(CaseRoles, NobodyVerifiesHisOwnWorkWhateverHisRole) {
  const Facts f{S::kRectified, false, std::nullopt};
  for (const R role : {R::kSupervisor, R::kTaskForceMember, R::kHqStaff, R::kHqAdmin}) {
    Who other{role, false, true, true};
    EXPECT_TRUE(may_perform(other, f, A::kVerify).ok());
    Who worker = other;
    worker.did_the_work = true;
    auto s = may_perform(worker, f, A::kVerify);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, "case.four_eyes");
    const auto allowed = allowed_actions(f, worker);
    EXPECT_EQ(std::find(allowed.begin(), allowed.end(), A::kVerify), allowed.end());
  }
}

TEST(CaseRoles, OnlyTheOfficeRecordsAnotherSource) {
  EXPECT_TRUE(may_record_source(R::kGridWorker, Source::kGridPatrol).ok());
  EXPECT_FALSE(may_record_source(R::kGridWorker, Source::kHotline).ok());
  EXPECT_EQ(may_record_source(R::kSupervisor, Source::kMockEvaluation).error().code,
            "auth.forbidden");
  EXPECT_TRUE(may_record_source(R::kHqStaff, Source::kHotline).ok());
  EXPECT_TRUE(may_record_source(R::kHqAdmin, Source::kMockEvaluation).ok());
  EXPECT_TRUE(may_record_source(R::kCitizen, Source::kCourier).ok());
  EXPECT_FALSE(may_record_source(R::kCitizen, Source::kHotline).ok());
}

TEST(CaseNames, RoundTrip) {
  for (const A a : all_actions()) EXPECT_EQ(parse_action(to_string(a)), a);
  for (const S s : all_states()) EXPECT_EQ(parse_state(to_string(s)), s);
  EXPECT_FALSE(parse_action("teleport").has_value());
  EXPECT_EQ(parse_source("hotline"), Source::kHotline);
  EXPECT_EQ(parse_extension_decision("partial"), ExtensionDecision::kPartial);
}

TEST(CaseGeo, DistanceInMetres) {
  EXPECT_NEAR(distance_m(40.08, 113.28, 40.08, 113.28), 0.0, 1e-6);
  // One thousandth of a degree of latitude is about 111 m.
  EXPECT_NEAR(distance_m(40.080, 113.28, 40.081, 113.28), 111.2, 0.5);
  // Datong to Beijing, about 270 km.
  EXPECT_NEAR(distance_m(40.08, 113.28, 39.9042, 116.4074) / 1000.0, 266.0, 10.0);
}

}  // namespace
}  // namespace civicloop::cases
