// app::json_text writes what json::serialize writes, except doubles (plain decimals): the ledger's
// case snapshots must stay byte-stable, so the faster string and integer writer is checked
// against Boost.JSON's serializer here.
#include "app/json_text.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

namespace civicloop::app {
namespace {

namespace json = boost::json;

TEST(JsonText, WritesStringsAndIntegersAsBoostJsonDoes) {
  std::string controls;
  for (int c = 0; c < 0x20; ++c) controls += static_cast<char>(c);
  controls += "\x7f";
  const std::vector<std::string> strings = {"",
                                            "plain",
                                            "平城区 永泰街道 第1网格",
                                            "quote \" and backslash \\ and slash /",
                                            controls,
                                            "tab\tnew\nline\rret",
                                            "\xe2\x80\xa8 line separator",
                                            "end\\"};
  for (const auto& s : strings) {
    json::value v = json::string(s);
    EXPECT_EQ(json_text(v), json::serialize(v)) << s;
  }
  json::object o;
  o["id"] = 42;
  o["neg"] = -9223372036854775807LL - 1;
  o["big"] = 18446744073709551615ULL;
  o["t"] = true;
  o["f"] = false;
  o["n"] = nullptr;
  o["key \"quoted\"\n"] = "v";
  o["arr"] = json::array{1, "two", nullptr, json::object{{"x", "y"}}};
  const json::value v = o;
  EXPECT_EQ(json_text(v), json::serialize(v));
}

TEST(JsonText, WritesDoublesAsPlainDecimals) {
  EXPECT_EQ(json_text(json::value(40.08)), "40.08");
  EXPECT_EQ(json_text(json::value(0.000012)), "0.000012");
  EXPECT_EQ(json_text(json::array{113.3, 1.0}), "[113.3,1]");
}

}  // namespace
}  // namespace civicloop::app
