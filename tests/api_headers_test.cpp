// The headers on each kind of answer: API data, API errors, the app's HTML, its hashed assets
// (precompressed), photos (private, revalidated with an ETag), and the operations endpoints
// (only from the configured addresses; through a trusted proxy, the forwarded client counts).
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "support/api_fixture.hpp"

namespace civicloop::test {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class Headers : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new ApiServer("sqlite"); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static ApiServer& server() { return *server_; }
  static inline ApiServer* server_ = nullptr;

  static void expect_security_headers(const HttpResponse& r) {
    EXPECT_NE(r.header("content-security-policy").find("script-src 'self'"), std::string::npos);
    EXPECT_NE(r.header("content-security-policy").find("frame-ancestors 'none'"),
              std::string::npos);
    EXPECT_EQ(r.header("content-security-policy").find("unsafe-eval"), std::string::npos);
    EXPECT_NE(r.header("permissions-policy").find("microphone=()"), std::string::npos);
    EXPECT_NE(r.header("permissions-policy").find("geolocation=(self)"), std::string::npos);
    EXPECT_EQ(r.header("x-content-type-options"), "nosniff");
    EXPECT_EQ(r.header("x-frame-options"), "DENY");
  }

  // The app's entry script, as index.html names it.
  static std::string entry_asset() {
    const auto html = read_file(std::string(CIVICLOOP_SOURCE_DIR) + "/web/dist/index.html");
    std::smatch m;
    if (!std::regex_search(html, m, std::regex(R"re(src="(/assets/index-[^"]+\.js)")re"))) {
      return "";
    }
    return m[1];
  }
};

TEST_F(Headers, PersonalDataAndErrorsAreNeverStored) {
  auto admin = server().login("admin");
  auto data = admin->request("GET", "/api/v1/cases?limit=5");
  ASSERT_EQ(data.status, 200);
  EXPECT_EQ(data.header("cache-control"), "no-store");
  expect_security_headers(data);
  auto error = admin->request("GET", "/api/v1/cases/99999999");
  EXPECT_EQ(error.status, 404);
  EXPECT_EQ(error.header("cache-control"), "no-store");
  expect_security_headers(error);
  auto anonymous = server().client()->request("GET", "/api/v1/auth/me");
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_EQ(anonymous.header("cache-control"), "no-store");
}

TEST_F(Headers, TheAppIsRevalidatedAndItsAssetsAreCachedForAYearCompressed) {
  auto c = server().client();
  auto html = c->request("GET", "/", "", {{"Accept-Encoding", "identity"}});
  ASSERT_EQ(html.status, 200);
  EXPECT_EQ(html.header("cache-control"), "no-cache");
  EXPECT_EQ(html.header("content-encoding"), "");
  EXPECT_EQ(html.header("vary"), "Accept-Encoding");
  EXPECT_NE(html.body.find("<div id=\"app\""), std::string::npos);
  expect_security_headers(html);
  // The web app has no inline script for the policy to block.
  EXPECT_FALSE(std::regex_search(html.body, std::regex(R"(<script(?![^>]*\bsrc=)[^>]*>)")));

  const auto asset = entry_asset();
  ASSERT_FALSE(asset.empty()) << "no entry script in web/dist/index.html";
  const auto plain = read_file(std::string(CIVICLOOP_SOURCE_DIR) + "/web/dist" + asset);
  auto br = c->request("GET", asset, "", {{"Accept-Encoding", "gzip, deflate, br"}});
  ASSERT_EQ(br.status, 200);
  EXPECT_EQ(br.header("content-encoding"), "br");
  EXPECT_EQ(br.header("cache-control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(br.header("content-type"), "text/javascript; charset=utf-8");
  EXPECT_LT(br.body.size(), plain.size() / 2);
  auto gz = c->request("GET", asset, "", {{"Accept-Encoding", "br;q=0, gzip"}});
  EXPECT_EQ(gz.header("content-encoding"), "gzip");
  ASSERT_GE(gz.body.size(), 2u);
  EXPECT_EQ(gz.body.substr(0, 2), "\x1f\x8b");
  auto none = c->request("GET", asset, "", {{"Accept-Encoding", "identity"}});
  EXPECT_EQ(none.header("content-encoding"), "");
  EXPECT_EQ(none.body, plain);
  // A photo or font (not compressible) has no variant and no Vary.
  auto icon = c->request("GET", "/favicon.svg", "", {{"Accept-Encoding", "br"}});
  EXPECT_EQ(icon.status, 200);
}

TEST_F(Headers, PhotosArePrivateAndRevalidatedWithAnETag) {
  auto grid = server().login("grid");
  auto created =
      grid->request("POST", "/api/v1/cases",
                    R"({"category":"0102","description":"缓存测试","address":"永泰路2号"})");
  ASSERT_EQ(created.status, 201) << created.body;
  const auto id = parse(created).at("case").at("id").as_int64();
  const auto photo =
      read_file(std::string(CIVICLOOP_SOURCE_DIR) + "/tests/fixtures/district_gps.jpg");
  auto up =
      grid->request("POST", "/api/v1/cases/" + std::to_string(id) + "/attachments?stage=before",
                    photo, {{"Content-Type", "application/octet-stream"}});
  ASSERT_EQ(up.status, 201) << up.body;
  const auto url = std::string(parse(up).at("url").as_string());
  auto first = grid->request("GET", url);
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(first.header("cache-control"), "private, no-cache");
  const auto etag = first.header("etag");
  ASSERT_EQ(etag.size(), 66u) << etag;  // a quoted SHA-256
  EXPECT_EQ(first.body, photo);
  auto again = grid->request("GET", url, "", {{"If-None-Match", etag}});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(again.header("etag"), etag);
  auto thumb = grid->request("GET", url + "/thumbnail");
  EXPECT_EQ(thumb.status, 200);
  EXPECT_NE(thumb.header("etag"), etag);
  // The scope check still runs on a conditional request: no 304 for someone out of scope.
  auto citizen = server().login("citizen");
  EXPECT_EQ(citizen->request("GET", url, "", {{"If-None-Match", etag}}).status, 403);
}

TEST_F(Headers, MetricsAndTheVersionOnlyForTheOperationsAddresses) {
  auto c = server().client();
  auto health = c->request("GET", "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_TRUE(parse(health).as_object().contains("version"));
  EXPECT_EQ(c->request("GET", "/metrics").status, 200);

  // Behind a trusted proxy (the loopback peer), a forwarded outside client is not an ops address.
  api::ApiOptions options;
  http::ServerOptions proxied;
  proxied.trusted_proxies = "127.0.0.1, ::1";
  server().reconfigure(options, proxied);
  auto outside = server().client();
  outside->set_header("X-Forwarded-For", "203.0.113.9");
  auto h = outside->request("GET", "/healthz");
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(parse(h).at("status").as_string(), "ok");
  EXPECT_FALSE(parse(h).as_object().contains("version"));
  EXPECT_FALSE(parse(h).as_object().contains("db"));
  auto m = outside->request("GET", "/metrics");
  EXPECT_EQ(m.status, 403);
  EXPECT_EQ(error_code(m), "ops.address_not_allowed");
  EXPECT_EQ(m.body.find("civicloop_info"), std::string::npos);
  // The same client allowed by the configuration.
  options.ops_allow = "203.0.113.0/24";
  server().reconfigure(options, proxied);
  auto allowed = server().client();
  allowed->set_header("X-Forwarded-For", "203.0.113.9");
  EXPECT_EQ(allowed->request("GET", "/metrics").status, 200);
  // And loopback is no longer one when the list does not name it.
  EXPECT_EQ(server().client()->request("GET", "/metrics").status, 403);
  server().reconfigure({}, {});
}

}  // namespace
}  // namespace civicloop::test
