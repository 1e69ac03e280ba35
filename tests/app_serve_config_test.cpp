#include "app/serve_config.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace civicloop::app {
namespace {

std::string detail(const Error& e, const std::string& key) {
  for (const auto& [k, v] : e.details) {
    if (k == key) return v;
  }
  return "";
}

TEST(ServeConfig, AFileSetsKeysAndTheEnvironmentOverridesIt) {
  ServeConfig c;
  ASSERT_TRUE(apply_config_file(c,
                                "# comment\n\n listen = 0.0.0.0:9090 \nsecure_cookies = yes\n"
                                "trusted_proxies = 127.0.0.1, 10.0.0.0/8 # nginx\n"));
  EXPECT_EQ(c.listen, "0.0.0.0:9090");
  EXPECT_TRUE(c.secure_cookies);
  EXPECT_EQ(c.trusted_proxies, "127.0.0.1, 10.0.0.0/8");
  ASSERT_TRUE(apply_environment(c, {{"CIVICLOOP_SECURE_COOKIES", "false"},
                                    {"CIVICLOOP_OPS_ALLOW", "192.0.2.0/24"},
                                    {"OTHER", "x"}}));
  EXPECT_FALSE(c.secure_cookies);
  EXPECT_EQ(c.ops_allow, "192.0.2.0/24");
}

TEST(ServeConfig, MistakesNameTheKeyAndTheLine) {
  ServeConfig c;
  auto unknown = apply_config_file(c, "listen = 127.0.0.1:1\nlisten_port = 8\n");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, "config.unknown_key");
  EXPECT_EQ(unknown.error().field, "listen_port");
  EXPECT_EQ(detail(unknown.error(), "line"), "2");
  for (const char* bad : {"threads = 0", "threads = many", "listen = 8080", "db = mysql://x",
                          "secure_cookies = maybe", "trusted_proxies = 10.0.0.0/40",
                          "client_ip_header = forwarded", "anchor_interval_seconds = 59",
                          "anchor_interval_seconds = 604801", "anchor_interval_seconds = hourly",
                          "kpi_interval_seconds = -1", "kpi_interval_seconds = 3601"}) {
    ServeConfig d;
    auto s = apply_config_file(d, bad);
    ASSERT_FALSE(s) << bad;
    EXPECT_EQ(s.error().code, "config.bad_value") << bad;
  }
  EXPECT_EQ(apply_config_file(c, "just words").error().code, "config.bad_line");
  auto env = apply_environment(c, {{"CIVICLOOP_THREADS", "-1"}});
  ASSERT_FALSE(env);
  EXPECT_EQ(detail(env.error(), "variable"), "CIVICLOOP_THREADS");
}

TEST(ServeConfig, AnchorKeysAreOffByDefaultAndSetLikeTheOthers) {
  ServeConfig c;
  EXPECT_EQ(c.anchor_file, "");
  EXPECT_EQ(c.anchor_key_file, "");
  EXPECT_EQ(c.anchor_interval_seconds, 3600);
  ASSERT_TRUE(apply_config_file(c,
                                "anchor_file = /srv/anchors/civicloop.jsonl\n"
                                "anchor_key_file = /etc/civicloop/anchor.key\n"
                                "anchor_interval_seconds = 600\n"));
  EXPECT_EQ(c.anchor_file, "/srv/anchors/civicloop.jsonl");
  EXPECT_EQ(c.anchor_key_file, "/etc/civicloop/anchor.key");
  EXPECT_EQ(c.anchor_interval_seconds, 600);
  ASSERT_TRUE(apply_environment(
      c, {{"CIVICLOOP_ANCHOR_FILE", ""}, {"CIVICLOOP_ANCHOR_INTERVAL_SECONDS", "86400"}}));
  EXPECT_EQ(c.anchor_file, "");  // empty turns anchoring off
  EXPECT_EQ(c.anchor_interval_seconds, 86400);
  const auto& keys = serve_config_keys();
  for (const char* key : {"anchor_file", "anchor_key_file", "anchor_interval_seconds"}) {
    EXPECT_NE(std::find(keys.begin(), keys.end(), key), keys.end()) << key;
  }
}

TEST(ServeConfig, TheExampleFileIsValidAndNamesEveryKey) {
  std::ifstream in(std::string(CIVICLOOP_SOURCE_DIR) + "/etc/civicloop.conf.example");
  std::stringstream text;
  text << in.rdbuf();
  ServeConfig c;
  ASSERT_TRUE(apply_config_file(c, text.str()));
  for (const auto& key : serve_config_keys()) {
    EXPECT_NE(text.str().find(key + " ="), std::string::npos) << key;
  }
}

}  // namespace
}  // namespace civicloop::app
