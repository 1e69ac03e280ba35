// The message templates (app/messages.hpp): placeholders, the fallback to zh-CN, keys named in
// arguments, a missing key shown as itself and logged, the preset's files read and checked.
#include "app/messages.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace civicloop::app {
namespace {

Messages sample() {
  Messages m;
  m.add("zh-CN", "notify.x.title", "新派遣问题：{title}");
  m.add("en", "notify.x.title", "New case dispatched: {title}");
  m.add("zh-CN", "source.grid_patrol", "网格巡查");
  m.add("en", "source.grid_patrol", "Grid patrol");
  m.add("zh-CN", "only.zh", "只有中文");
  m.add("zh-CN", "with.ref", "来源：{source}，{n} 件");
  m.add("en", "with.ref", "Source: {source}, {n} cases");
  return m;
}

TEST(Messages, FillsPlaceholdersInTheLocaleAsked) {
  const auto m = sample();
  EXPECT_EQ(m.text("zh-CN", "notify.x.title", {{"title", "路边垃圾"}}), "新派遣问题：路边垃圾");
  EXPECT_EQ(m.text("en", "notify.x.title", {{"title", "路边垃圾"}}),
            "New case dispatched: 路边垃圾");
  // A placeholder without an argument stays as written; an unused argument is ignored.
  EXPECT_EQ(m.text("en", "notify.x.title", {{"other", "y"}}), "New case dispatched: {title}");
}

TEST(Messages, FallsBackToChineseThenShowsTheKey) {
  const auto m = sample();
  EXPECT_EQ(m.text("en", "only.zh"), "只有中文");
  EXPECT_EQ(m.text("fr", "source.grid_patrol"), "网格巡查");
  EXPECT_EQ(m.text("en", "no.such.key"), "no.such.key");
  const auto missing = missing_message_keys();
  EXPECT_NE(std::find(missing.begin(), missing.end(), "en no.such.key"), missing.end());
  EXPECT_FALSE(m.has("en", "only.zh"));
  EXPECT_TRUE(m.has("zh-CN", "only.zh"));
}

TEST(Messages, AnArgumentNamingAKeyIsWordedInTheSameLocale) {
  const auto m = sample();
  const MessageArgs args{{"source@", "source.grid_patrol"}, {"n", "3"}};
  EXPECT_EQ(m.text("zh-CN", "with.ref", args), "来源：网格巡查，3 件");
  EXPECT_EQ(m.text("en", "with.ref", args), "Source: Grid patrol, 3 cases");
  // A value a user typed is never taken for a key.
  EXPECT_EQ(m.text("en", "with.ref", {{"source", "@source.grid_patrol"}, {"n", "1"}}),
            "Source: @source.grid_patrol, 1 cases");
  // Stored with a notification and read back unchanged.
  EXPECT_EQ(args_from_json(args_to_json(args)), args);
  EXPECT_TRUE(args_from_json("not json").empty());
}

TEST(Messages, AnArgumentOfALocaleStandsForItsNameInThatLocaleOnly) {
  Messages m;
  m.add("zh-CN", "digest.title", "工作提示：{unit}");
  m.add("en", "digest.title", "Digest: {unit}");
  const MessageArgs args{{"unit", "永泰街道"}, {"unit:en", "Yongtai Subdistrict"}};
  EXPECT_EQ(m.text("zh-CN", "digest.title", args), "工作提示：永泰街道");
  EXPECT_EQ(m.text("en", "digest.title", args), "Digest: Yongtai Subdistrict");
  // Without an English name the one name serves both; stored and read back as it is.
  EXPECT_EQ(m.text("en", "digest.title", {{"unit", "永泰街道"}}), "Digest: 永泰街道");
  EXPECT_EQ(args_from_json(args_to_json(args)), args);
}

TEST(Messages, ReadsThePresetFilesAndRefusesBadOnes) {
  for (const auto& locale : supported_locales()) {
    std::ifstream in(std::string(CIVICLOOP_SOURCE_DIR) + "/presets/pingcheng/messages/" + locale +
                     ".json");
    std::stringstream ss;
    ss << in.rdbuf();
    auto f = parse_message_file(boost::json::parse(ss.str()));
    ASSERT_TRUE(f) << locale << ": " << f.error().field;
    EXPECT_EQ(f->locale, locale);
    EXPECT_GT(f->items.size(), 50u);
  }
  EXPECT_FALSE(parse_message_file(boost::json::parse(R"({"locale":"en","messages":{}})")));
  EXPECT_FALSE(parse_message_file(
      boost::json::parse(R"({"format":"civicloop-messages/1","locale":"en","messages":{"a":1}})")));
  auto bad = parse_message_file(boost::json::parse(R"({"format":"civicloop-messages/1"})"));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field, "locale");
}

}  // namespace
}  // namespace civicloop::app
