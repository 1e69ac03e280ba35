// The rules a tenant's workflow settings must meet (domain/workflow.hpp).
#include "domain/workflow.hpp"

#include <gtest/gtest.h>

namespace civicloop::workflow {
namespace {

std::string code_of(const Settings& s) { return check(s) ? "" : check(s).error().code; }
std::string field_of(const Settings& s) { return check(s) ? "" : check(s).error().field; }

TEST(WorkflowSettings, TheDefaultsPass) { EXPECT_TRUE(check(Settings{})); }

TEST(WorkflowSettings, TheLadderRisesStrictlyWithinBounds) {
  Settings s;
  s.escalation_percents = {100, 100};
  EXPECT_EQ(code_of(s), "workflow.bad_escalation");
  s.escalation_percents = {99};
  EXPECT_EQ(code_of(s), "workflow.bad_escalation");
  s.escalation_percents = {100, 1000};
  EXPECT_TRUE(check(s));
  s.escalation_percents = {100, 1001};
  EXPECT_EQ(code_of(s), "workflow.bad_escalation");
  s.escalation_percents = {};
  EXPECT_EQ(field_of(s), "escalation_percents");
}

TEST(WorkflowSettings, RadiiAndLimitsAreBounded) {
  Settings s;
  s.duplicate_radius_m = Bounds::kDuplicateRadiusMin - 1;
  EXPECT_EQ(field_of(s), "duplicate_radius_m");
  s = {};
  s.evidence_distance_m = Bounds::kEvidenceDistanceMax + 1;
  EXPECT_EQ(field_of(s), "evidence_distance_m");
  s = {};
  s.verify_limit.amount = 0;
  EXPECT_EQ(field_of(s), "verify_limit");
  const auto e = check(s).error();
  ASSERT_EQ(e.details.size(), 2u);
  EXPECT_EQ(e.details[1], (std::pair<std::string, std::string>{"max", "365"}));
}

TEST(WorkflowSettings, NumberFormatsNeedYearAndSequenceAndDiffer) {
  Settings s;
  s.rectification_number_format = "整〔2026〕{seq}号";
  EXPECT_EQ(code_of(s), "workflow.bad_number_format");
  s.rectification_number_format = "整〔{year}〕号";
  EXPECT_EQ(code_of(s), "workflow.bad_number_format");
  s.rectification_number_format = "提〔{year}〕{seq:04}号";
  EXPECT_EQ(code_of(s), "workflow.same_number_format");
  s.rectification_number_format = "整〔{year}〕{seq:06}号";
  EXPECT_TRUE(check(s));
}

TEST(WorkflowSettings, TheOutsideAreaPolicyIsRefuseOrFlag) {
  Settings s;
  s.outside_area_policy = "flag";
  EXPECT_TRUE(check(s));
  s.outside_area_policy = "Flag";
  EXPECT_EQ(code_of(s), "workflow.bad_outside_area_policy");
}

TEST(WorkflowSettings, NumbersAreFormatted) {
  EXPECT_EQ(format_number("平创整〔{year}〕{seq:04}号", 2026, 7), "平创整〔2026〕0007号");
  EXPECT_EQ(format_number("{year}-{seq:06}", 2026, 12345), "2026-012345");
  EXPECT_EQ(format_number("{year}/{seq}/{seq}", 2026, 3), "2026/3/3");
  // A value that contains a key is not expanded again.
  EXPECT_EQ(format_number("{year}{seq}", 2026, 1), "20261");
}

}  // namespace
}  // namespace civicloop::workflow
