// The bulletin workflow's state table, every state × action pair; four eyes; the template's
// placeholders and the figures they may name; the limits on edited sections.
#include "domain/bulletin.hpp"

#include <gtest/gtest.h>

#include <map>
#include <utility>

namespace civicloop::bulletin {
namespace {

using A = Action;
using S = State;

TEST(BulletinWorkflow, EveryStateAndActionPair) {
  const std::map<std::pair<S, A>, S> allowed = {
      {{S::kDraft, A::kEdit}, S::kDraft},
      {{S::kDraft, A::kSubmit}, S::kSubmitted},
      {{S::kSubmitted, A::kWithdraw}, S::kDraft},
      {{S::kSubmitted, A::kReject}, S::kDraft},
      {{S::kSubmitted, A::kApprove}, S::kApproved},
      {{S::kApproved, A::kPublish}, S::kPublished},
      {{S::kPublished, A::kPublish}, S::kPublished},  // a retried publish is the same publish
  };
  ASSERT_EQ(all_states().size(), 4u);
  ASSERT_EQ(all_actions().size(), 6u);
  for (const auto s : all_states()) {
    for (const auto a : all_actions()) {
      const auto it = allowed.find({s, a});
      const auto to = next(s, a);
      if (it == allowed.end()) {
        EXPECT_FALSE(to.has_value()) << to_string(s) << " × " << to_string(a);
        const auto r = apply(s, a);
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().code, "bulletin.invalid_transition");
      } else {
        ASSERT_TRUE(to.has_value()) << to_string(s) << " × " << to_string(a);
        EXPECT_EQ(*to, it->second) << to_string(s) << " × " << to_string(a);
      }
    }
  }
}

TEST(BulletinWorkflow, NamesRoundTrip) {
  for (const auto s : all_states()) EXPECT_EQ(parse_state(to_string(s)), s);
  for (const auto a : all_actions()) EXPECT_EQ(parse_action(to_string(a)), a);
  for (const auto k : {Kind::kWeekly, Kind::kMonthly, Kind::kSpecial}) {
    EXPECT_EQ(parse_kind(to_string(k)), k);
  }
  EXPECT_FALSE(parse_kind("daily").has_value());
  EXPECT_FALSE(parse_action("").has_value());
}

TEST(BulletinWorkflow, FourEyes) {
  EXPECT_TRUE(check_approver(2, 1).ok());
  EXPECT_EQ(check_approver(1, 1).error().code, "bulletin.four_eyes");
  EXPECT_EQ(check_approver(0, 1).error().code, "bulletin.four_eyes");  // the system never approves
  EXPECT_TRUE(check_approver(2, std::nullopt).ok());
}

TEST(BulletinTemplate, PlaceholdersAreFiguresOrRefused) {
  EXPECT_EQ(placeholders("{due}件，{closed}件，又{due}"),
            (std::vector<std::string>{"due", "closed"}));
  EXPECT_TRUE(placeholders("没有占位").empty());
  EXPECT_TRUE(placeholders("{未闭合").empty());
  EXPECT_TRUE(check_text("{period}，应结案{due}件，按期结案率{closed_on_time_rate}", "k").ok());
  const auto bad = check_text("应结案{due}件，满意度{happiness}", "bulletin.text.x");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "bulletin.unknown_figure");
  EXPECT_EQ(bad.error().field, "happiness");
  EXPECT_EQ(check_text("{}", "k").error().field, "");
  for (const auto& f : figure_names()) EXPECT_TRUE(check_text("{" + f + "}", "k").ok()) << f;
}

TEST(BulletinSections, KindsAndLimits) {
  EXPECT_TRUE(check_sections({{"overview", "总体情况", "正文"}, {"text", "", ""}}).ok());
  const auto kind = check_sections({{"gossip", "x", "y"}});
  EXPECT_EQ(kind.error().code, "bulletin.bad_section");
  EXPECT_EQ(kind.error().field, "sections[0].kind");
  std::string long_heading;
  for (int i = 0; i < 101; ++i) long_heading += "字";
  EXPECT_EQ(check_sections({{"text", "ok", ""}, {"text", long_heading, ""}}).error().field,
            "sections[1].heading");
  EXPECT_EQ(check_sections({{"text", "", "\xff"}}).error().field, "sections[0].text");
  std::vector<Section> many(kMaxSections + 1, Section{"text", "", ""});
  EXPECT_EQ(check_sections(many).error().code, "bulletin.too_many_sections");
  for (const auto& k : section_kinds()) EXPECT_TRUE(known_section_kind(k));
}

}  // namespace
}  // namespace civicloop::bulletin
