// The action table (domain/case_actions.hpp): each action's states, roles and scope, the
// four-eyes rule, what it needs and the validation of its request, read through `decide`, the one
// check the use case asks.
#include "domain/case_actions.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "app/case_service.hpp"

namespace civicloop::cases {
namespace {

using A = Action;
using S = State;
using R = access::Role;

std::string code_of(const Expected<Decision>& d) { return d.ok() ? "ok" : d.error().code; }

std::string detail(const Expected<Decision>& d, const std::string& key) {
  if (d.ok()) return "";
  for (const auto& [k, v] : d.error().details) {
    if (k == key) return v;
  }
  return "";
}

// An actor of the role with his scope covering the case's unit and place.
Who in_scope(R role) { return Who{role, false, true, true}; }

Facts at(S state) {
  Facts f;
  f.state = state;
  f.case_id = 7;
  f.assigned_unit_id = 21;
  return f;
}

Request with_note(std::string_view note = "") {
  Request r;
  r.note = note;
  r.today = {2026, 11, 30};
  return r;
}

TEST(CaseActionTable, OneEntryPerActionInTheEnumsOrderEachWithAnEffect) {
  ASSERT_EQ(action_table().size(), all_actions().size());
  for (std::size_t i = 0; i < all_actions().size(); ++i) {
    const auto& s = action_table()[i];
    EXPECT_EQ(s.action, all_actions()[i]);
    EXPECT_EQ(&spec(s.action), &s);
    EXPECT_FALSE(s.from.empty()) << to_string(s.action);
    EXPECT_TRUE(!s.roles.empty() || s.by_system) << to_string(s.action);
    EXPECT_TRUE(app::has_effect(s.effect)) << to_string(s.action);
    // An action that needs a photo first names the stages that count, its own among them.
    if (!s.needs.photo_stage.empty()) {
      EXPECT_NE(std::find(s.evidence.begin(), s.evidence.end(), s.needs.photo_stage),
                s.evidence.end())
          << to_string(s.action);
    }
  }
}

// The table's other readings agree with it: the states it names are the ones next_state allows.
TEST(CaseActionTable, TheStatesOfEachEntryAreTheOnesItIsAllowedIn) {
  for (const auto& s : action_table()) {
    for (const S st : all_states()) {
      Facts f = at(st);
      f.extension_pending = s.pending == Pending::kWaiting;
      const bool listed = std::find(s.from.begin(), s.from.end(), st) != s.from.end();
      EXPECT_EQ(next_state(f, s.action).ok(), listed)
          << to_string(s.action) << " " << to_string(st);
    }
  }
}

TEST(CaseActionTable, ScopesAndTheFourEyesRuleAreWhereTheRulesSayThey) {
  std::set<A> unit_bound;
  std::set<A> area_bound;
  std::set<A> four_eyes;
  std::set<A> by_system;
  for (const auto& s : action_table()) {
    if (s.scope == Scope::kAssignedUnit) unit_bound.insert(s.action);
    if (s.scope == Scope::kCaseArea) area_bound.insert(s.action);
    if (s.four_eyes) four_eyes.insert(s.action);
    if (s.by_system) by_system.insert(s.action);
  }
  EXPECT_EQ(unit_bound,
            (std::set<A>{A::kAcknowledge, A::kReturn, A::kRequestExtension, A::kRectify}));
  EXPECT_EQ(area_bound, (std::set<A>{A::kFixOnSite}));
  EXPECT_EQ(four_eyes, (std::set<A>{A::kVerify}));
  EXPECT_EQ(by_system, (std::set<A>{A::kEscalate}));
  EXPECT_EQ(to_string(Scope::kAssignedUnit), "assigned_unit");
}

TEST(CaseDecide, APlainActionGoesWhereTheTableSays) {
  auto d = decide(in_scope(R::kHqStaff), at(S::kReported), A::kFile, with_note());
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->to, S::kFiled);
  EXPECT_EQ(d->effect, Effect::kRoute);
  auto close = decide(in_scope(R::kHqAdmin), at(S::kVerified), A::kClose, with_note());
  ASSERT_TRUE(close.ok());
  EXPECT_EQ(close->effect, Effect::kFinish);
}

TEST(CaseDecide, TheRightComesFirstThenTheState) {
  // A citizen asking to close a reported case is told he may not, not that the state is wrong.
  EXPECT_EQ(code_of(decide(in_scope(R::kCitizen), at(S::kReported), A::kClose, with_note())),
            "auth.forbidden");
  EXPECT_EQ(code_of(decide(in_scope(R::kHqStaff), at(S::kReported), A::kClose, with_note())),
            "case.invalid_transition");
}

TEST(CaseDecide, OutOfScopeUnitsAndPlacesAreRefused) {
  Who other_unit{R::kUnitOperator, false, false, true};
  for (const A a : {A::kAcknowledge, A::kReturn}) {
    auto d = decide(other_unit, at(S::kDispatched), a, with_note("why"));
    EXPECT_EQ(code_of(d), "auth.out_of_scope") << to_string(a);
    EXPECT_EQ(detail(d, "action"), to_string(a));
  }
  EXPECT_EQ(code_of(decide(other_unit, at(S::kAcknowledged), A::kRectify, with_note())),
            "auth.out_of_scope");
  Who elsewhere{R::kGridWorker, false, true, false};
  EXPECT_EQ(code_of(decide(elsewhere, at(S::kReported), A::kFixOnSite, with_note())),
            "auth.out_of_scope");
  // The office's scope is the tenant: its actions have no further scope.
  Who office{R::kHqStaff, false, false, false};
  EXPECT_TRUE(decide(office, at(S::kReported), A::kFile, with_note()).ok());
}

TEST(CaseDecide, FourEyesWhateverTheRole) {
  for (const R role : {R::kSupervisor, R::kTaskForceMember, R::kHqStaff, R::kHqAdmin}) {
    Who w = in_scope(role);
    Request req = with_note();
    req.passed = true;
    EXPECT_TRUE(decide(w, at(S::kRectified), A::kVerify, req).ok()) << access::to_string(role);
    w.did_the_work = true;
    EXPECT_EQ(code_of(decide(w, at(S::kRectified), A::kVerify, req)), "case.four_eyes");
  }
  // The rule is the verifier's: the worker may still do other things (a leader escalates).
  Who leader = in_scope(R::kLeader);
  leader.did_the_work = true;
  EXPECT_TRUE(decide(leader, at(S::kRectified), A::kEscalate, with_note()).ok());
}

TEST(CaseDecide, VerifyNeedsItsVerdictAndAReasonWhenFailed) {
  const Who sup = in_scope(R::kSupervisor);
  auto none = decide(sup, at(S::kRectified), A::kVerify, with_note());
  EXPECT_EQ(code_of(none), "field.required");
  EXPECT_EQ(none.error().field, "passed");
  Request failed = with_note();
  failed.passed = false;
  EXPECT_EQ(code_of(decide(sup, at(S::kRectified), A::kVerify, failed)), "case.note_required");
  failed.note = "the sign is still there";
  auto d = decide(sup, at(S::kRectified), A::kVerify, failed);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->to, S::kAcknowledged);
  EXPECT_FALSE(d->passed);
}

TEST(CaseDecide, ReasonsTheTableAsksFor) {
  const Who office = in_scope(R::kHqStaff);
  const Who unit = in_scope(R::kUnitOperator);
  EXPECT_EQ(code_of(decide(office, at(S::kReported), A::kVoid, with_note())), "case.note_required");
  EXPECT_TRUE(decide(office, at(S::kReported), A::kVoid, with_note("test report")).ok());
  EXPECT_EQ(code_of(decide(unit, at(S::kDispatched), A::kReturn, with_note())),
            "case.note_required");
  auto no_reason = decide(office, at(S::kFiled), A::kPark, with_note());
  EXPECT_EQ(code_of(no_reason), "case.note_required");
  EXPECT_EQ(detail(no_reason, "action"), "park");
}

TEST(CaseDecide, MarkDuplicateNeedsAnotherCase) {
  const Who office = in_scope(R::kHqStaff);
  auto none = decide(office, at(S::kReported), A::kMarkDuplicate, with_note());
  EXPECT_EQ(code_of(none), "field.required");
  EXPECT_EQ(none.error().field, "duplicate_of");
  Request self = with_note();
  self.duplicate_of = 7;
  EXPECT_EQ(code_of(decide(office, at(S::kReported), A::kMarkDuplicate, self)),
            "case.duplicate_of_itself");
  self.duplicate_of = 8;
  auto d = decide(office, at(S::kReported), A::kMarkDuplicate, self);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->effect, Effect::kMerge);
}

TEST(CaseDecide, DispatchNeedsAUnitAKnownNoticeKindAndAReasonForAnotherUnit) {
  const Who office = in_scope(R::kHqStaff);
  Facts unrouted = at(S::kFiled);
  unrouted.assigned_unit_id.reset();
  EXPECT_EQ(code_of(decide(office, unrouted, A::kDispatch, with_note())), "case.no_unit");
  Request kind = with_note();
  kind.notice_kind = "letter";
  EXPECT_EQ(code_of(decide(office, at(S::kFiled), A::kDispatch, kind)), "case.bad_notice_kind");
  Request other = with_note();
  other.unit_id = 22;
  EXPECT_EQ(code_of(decide(office, at(S::kFiled), A::kDispatch, other)), "case.note_required");
  other.note = "the market office answers for the square";
  auto d = decide(office, at(S::kFiled), A::kDispatch, other);
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->other_unit);
  // The proposed unit named again is no override.
  Request same = with_note();
  same.unit_id = 21;
  auto s = decide(office, at(S::kFiled), A::kDispatch, same);
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE(s->other_unit);
}

TEST(CaseDecide, AnExtensionRequestIsOneToNinetyInAKnownUnit) {
  const Who unit = in_scope(R::kUnitOperator);
  Request req = with_note("waiting for parts");
  req.extension_unit = "working_days";
  for (const std::optional<int> bad :
       {std::optional<int>{}, std::optional<int>{0}, std::optional<int>{91}}) {
    req.extension_amount = bad;
    auto d = decide(unit, at(S::kAcknowledged), A::kRequestExtension, req);
    EXPECT_EQ(code_of(d), "field.out_of_range");
    EXPECT_EQ(detail(d, "max"), "90");
  }
  req.extension_amount = 90;
  req.extension_unit = "fortnights";
  EXPECT_EQ(code_of(decide(unit, at(S::kAcknowledged), A::kRequestExtension, req)),
            "case.bad_limit_unit");
  req.extension_unit = "calendar_days";
  auto d = decide(unit, at(S::kAcknowledged), A::kRequestExtension, req);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->to, S::kAcknowledged);
  EXPECT_EQ(d->extension_unit, calendar::LimitUnit::kCalendarDays);
  // One request at a time.
  Facts pending = at(S::kAcknowledged);
  pending.extension_pending = true;
  EXPECT_EQ(code_of(decide(unit, pending, A::kRequestExtension, req)), "case.invalid_transition");
}

TEST(CaseDecide, AnExtensionDecisionGrantsAtMostWhatWasAsked) {
  const Who office = in_scope(R::kHqStaff);
  Facts f = at(S::kAcknowledged);
  EXPECT_EQ(code_of(decide(office, f, A::kDecideExtension, with_note())),
            "case.invalid_transition");  // nothing to decide
  f.extension_pending = true;
  f.extension_asked = 5;
  Request req = with_note();
  req.decision = "maybe";
  EXPECT_EQ(code_of(decide(office, f, A::kDecideExtension, req)), "field.required");
  req.decision = "granted";
  auto granted = decide(office, f, A::kDecideExtension, req);
  ASSERT_TRUE(granted.ok());
  EXPECT_EQ(granted->granted, 5);
  req.decision = "partial";
  for (const int bad : {0, 5, 6}) {
    req.extension_amount = bad;
    auto d = decide(office, f, A::kDecideExtension, req);
    EXPECT_EQ(code_of(d), "case.partial_out_of_range") << bad;
    EXPECT_EQ(detail(d, "max"), "4");
  }
  req.extension_amount = 3;
  auto partial = decide(office, f, A::kDecideExtension, req);
  ASSERT_TRUE(partial.ok());
  EXPECT_EQ(partial->granted, 3);
  req.decision = "refused";
  EXPECT_EQ(code_of(decide(office, f, A::kDecideExtension, req)), "case.note_required");
  req.note = "the work is small";
  auto refused = decide(office, f, A::kDecideExtension, req);
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(refused->granted, 0);
}

TEST(CaseDecide, ParkingNeedsAReviewDateAfterToday) {
  const Who office = in_scope(R::kHqStaff);
  Request req = with_note("needs the city's budget");
  EXPECT_EQ(code_of(decide(office, at(S::kFiled), A::kPark, req)), "field.required");
  for (const char* past : {"2026-11-29", "2026-11-30"}) {
    req.review_date = past;
    EXPECT_EQ(code_of(decide(office, at(S::kFiled), A::kPark, req)), "case.review_date_past")
        << past;
  }
  req.review_date = "2026-02-30";
  EXPECT_EQ(code_of(decide(office, at(S::kFiled), A::kPark, req)), "field.required");
  req.review_date = "2026-12-01";
  auto d = decide(office, at(S::kFiled), A::kPark, req);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->review_date, (calendar::Date{2026, 12, 1}));
  Facts parked = at(S::kParked);
  parked.parked_from = S::kAcknowledged;
  auto back = decide(office, parked, A::kUnpark, with_note());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->to, S::kAcknowledged);
}

TEST(CaseDecide, ThePhotoComesFirst) {
  const Who unit = in_scope(R::kUnitOperator);
  Request req = with_note();
  auto none = decide(unit, at(S::kAcknowledged), A::kRectify, req);
  EXPECT_EQ(code_of(none), "case.evidence_required");
  EXPECT_EQ(detail(none, "stage"), "after");
  req.photo_stages = {"before"};
  EXPECT_EQ(code_of(decide(unit, at(S::kAcknowledged), A::kRectify, req)),
            "case.evidence_required");
  req.photo_stages = {"before", "after"};
  EXPECT_TRUE(decide(unit, at(S::kAcknowledged), A::kRectify, req).ok());
  // On the spot, an on-site or an after photo.
  Request site = with_note();
  EXPECT_EQ(detail(decide(unit, at(S::kReported), A::kFixOnSite, site), "stage"), "on_site");
  site.photo_stages = {"after"};
  EXPECT_TRUE(decide(unit, at(S::kReported), A::kFixOnSite, site).ok());
}

TEST(CaseDecide, EscalationStopsAtTheThirdLevelAndTheSchedulerMayTakeIt) {
  Who system{R::kCitizen, true, false, false};
  Facts f = at(S::kAcknowledged);
  f.escalation_level = 2;
  auto d = decide(system, f, A::kEscalate, with_note());
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->to, S::kAcknowledged);
  f.escalation_level = 3;
  EXPECT_EQ(code_of(decide(system, f, A::kEscalate, with_note())), "case.escalation_max");
  EXPECT_EQ(code_of(decide(in_scope(R::kLeader), f, A::kEscalate, with_note())),
            "case.escalation_max");
  EXPECT_EQ(code_of(decide(system, f, A::kClose, with_note())), "auth.forbidden");
}

// The photo an action takes first only from whom that action is allowed to now (the evidence
// upload asks this before it stores anything).
TEST(CaseMayAddPhoto, AnActionsPhotoNeedsThatActionAllowed) {
  const auto code = [](const Status& s) { return s.ok() ? std::string("ok") : s.error().code; };
  const Facts reported = at(S::kReported);
  // A citizen, the office: no fix on the spot, so no on-site photo; a before-photo is no action's.
  for (const auto role : {R::kCitizen, R::kHqStaff}) {
    const auto allowed = allowed_actions(reported, in_scope(role));
    EXPECT_EQ(code(may_add_photo("on_site", allowed)), "case.photo_not_allowed");
    EXPECT_EQ(code(may_add_photo("after", allowed)), "case.photo_not_allowed");
    EXPECT_EQ(code(may_add_photo("before", allowed)), "ok");
  }
  const auto refused = may_add_photo("on_site", {});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().details.at(0).first, "stage");
  EXPECT_EQ(refused.error().details.at(0).second, "on_site");
  // The grid worker of the place may fix it: an on-site photo, or an after one (fix_on_site takes
  // either).
  const auto grid = allowed_actions(reported, in_scope(R::kGridWorker));
  EXPECT_EQ(code(may_add_photo("on_site", grid)), "ok");
  EXPECT_EQ(code(may_add_photo("after", grid)), "ok");
  // The unit: an after-photo once it may rectify (acknowledged), not before.
  EXPECT_EQ(
      code(may_add_photo("after", allowed_actions(at(S::kDispatched), in_scope(R::kUnitOperator)))),
      "case.photo_not_allowed");
  const auto working = allowed_actions(at(S::kAcknowledged), in_scope(R::kUnitOperator));
  EXPECT_EQ(code(may_add_photo("after", working)), "ok");
  EXPECT_EQ(code(may_add_photo("on_site", working)), "case.photo_not_allowed");
}

}  // namespace
}  // namespace civicloop::cases
