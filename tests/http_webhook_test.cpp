#include "http/webhook.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include "http/server.hpp"

namespace civicloop::http {
namespace {

namespace json = boost::json;

json::object parse_object(const std::string& s) {
  // Boost.JSON rejects invalid UTF-8, so a successful parse also shows no text was cut
  // mid-character.
  return json::parse(s).as_object();
}

std::string str(const json::value& v) { return std::string(v.as_string()); }

const RobotMessage kMessage{"督办：人民路占道经营",
                            "**问题编号**：WM-2024-0001\n> 请于今日 18:00 "
                            "前完成整改\n[查看详情](https://civic.example/c/1)",
                            {"13800000000", "13900000000"}};

// The test receivers listen on loopback, which post_json() refuses unless allowed.
WebhookClientOptions loopback_allowed(WebhookClientOptions options = {}) {
  options.allow = *net::AllowList::parse("127.0.0.1/32, ::1/128");
  return options;
}

// ---------------------------------------------------------------------------------------------
// Payloads

TEST(WebhookPayload, WecomWithoutMentionsIsMarkdown) {
  RobotMessage m = kMessage;
  m.mention_mobiles.clear();
  auto root = parse_object(robot_payload(RobotFlavour::kWecom, m));
  EXPECT_EQ(str(root.at("msgtype")), "markdown");
  EXPECT_EQ(str(root.at("markdown").at("content")), "### 督办：人民路占道经营\n" + m.markdown);
  EXPECT_FALSE(root.contains("text"));
}

TEST(WebhookPayload, WecomWithMentionsIsTextWithMobileList) {
  auto root = parse_object(robot_payload(RobotFlavour::kWecom, kMessage));
  EXPECT_EQ(str(root.at("msgtype")), "text");
  const auto& text = root.at("text").as_object();
  EXPECT_EQ(str(text.at("content")),
            "督办：人民路占道经营\n问题编号：WM-2024-0001\n请于今日 18:00 前完成整改\n查看详情 "
            "https://civic.example/c/1");
  const auto& list = text.at("mentioned_mobile_list").as_array();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(str(list[0]), "13800000000");
  EXPECT_EQ(str(list[1]), "13900000000");
}

TEST(WebhookPayload, WecomCutsLongContentOnACharacterBoundary) {
  RobotMessage m{"超长", "", {}};
  for (int i = 0; i < 3000; ++i) m.markdown += "汉";  // 9000 bytes
  auto md = parse_object(robot_payload(RobotFlavour::kWecom, m));
  std::string content = str(md.at("markdown").at("content"));
  EXPECT_LE(content.size(), 4096u);
  EXPECT_GT(content.size(), 4000u);
  EXPECT_TRUE(content.ends_with("汉…"));

  m.mention_mobiles = {"13800000000"};
  auto text = parse_object(robot_payload(RobotFlavour::kWecom, m));
  content = str(text.at("text").at("content"));
  EXPECT_LE(content.size(), 2048u);
  EXPECT_TRUE(content.ends_with("汉…"));
}

TEST(WebhookPayload, DingtalkMarkdownWithAt) {
  auto root = parse_object(robot_payload(RobotFlavour::kDingtalk, kMessage));
  EXPECT_EQ(str(root.at("msgtype")), "markdown");
  EXPECT_EQ(str(root.at("markdown").at("title")), "督办：人民路占道经营");
  EXPECT_EQ(str(root.at("markdown").at("text")),
            "### 督办：人民路占道经营\n\n" + kMessage.markdown + "\n\n@13800000000 @13900000000");
  const auto& at = root.at("at").as_object();
  ASSERT_EQ(at.at("atMobiles").as_array().size(), 2u);
  EXPECT_EQ(str(at.at("atMobiles").as_array()[1]), "13900000000");
  EXPECT_EQ(at.at("isAtAll").as_bool(), false);
}

TEST(WebhookPayload, DingtalkWithoutMentions) {
  RobotMessage m{"即将超期", "还剩 **2 小时**", {}};
  auto root = parse_object(robot_payload(RobotFlavour::kDingtalk, m));
  EXPECT_EQ(str(root.at("markdown").at("text")), "### 即将超期\n\n还剩 **2 小时**");
  EXPECT_TRUE(root.at("at").at("atMobiles").as_array().empty());
  EXPECT_EQ(root.at("at").at("isAtAll").as_bool(), false);
}

TEST(WebhookPayload, Generic) {
  auto root = parse_object(robot_payload(RobotFlavour::kGeneric, kMessage));
  EXPECT_EQ(str(root.at("title")), kMessage.title);
  EXPECT_EQ(str(root.at("markdown")), kMessage.markdown);
  EXPECT_EQ(root.at("mention_mobiles").as_array().size(), 2u);
}

TEST(WebhookPayload, EscapesAndFlattensTitle) {
  RobotMessage m{"第一行\n第二行", "引号 \" 反斜杠 \\ 制表\t结束", {}};
  for (auto flavour : {RobotFlavour::kWecom, RobotFlavour::kDingtalk, RobotFlavour::kGeneric}) {
    std::string payload = robot_payload(flavour, m);
    EXPECT_NO_THROW(json::parse(payload)) << payload;
    EXPECT_NE(payload.find("第一行 第二行"), std::string::npos) << payload;
  }
  EXPECT_EQ(str(parse_object(robot_payload(RobotFlavour::kGeneric, m)).at("markdown")), m.markdown);
}

// ---------------------------------------------------------------------------------------------
// DingTalk signature

constexpr char kDingtalkSecret[] =
    "SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

TEST(WebhookSign, KnownVector) {
  // Expected sign produced once with python3:
  //   urllib.parse.quote_plus(base64.b64encode(hmac.new(secret.encode(),
  //       ("1700000000000\n" + secret).encode(), hashlib.sha256).digest()))
  EXPECT_EQ(dingtalk_signed_url("https://oapi.dingtalk.com/robot/send?access_token=abc123",
                                kDingtalkSecret, 1700000000000),
            "https://oapi.dingtalk.com/robot/send?access_token=abc123&timestamp=1700000000000"
            "&sign=bTgY2yDbep%2BwesS7jKiNj%2BsrsHoADES4%2BC4f8LCHFtU%3D");
}

// The sign parameter, decoded, is the base64 HMAC computed here with libsodium.
TEST(WebhookSign, MatchesIndependentHmac) {
  ASSERT_GE(sodium_init(), 0);
  const std::string secret = "SECanother-secret-的";
  const std::int64_t ts = 1718000000123;
  std::string signed_url =
      dingtalk_signed_url("https://oapi.dingtalk.com/robot/send?access_token=t", secret, ts);

  std::string data = std::to_string(ts) + "\n" + secret;
  crypto_auth_hmacsha256_state st;
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(secret.data()),
                              secret.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(data.data()),
                                data.size());
  crypto_auth_hmacsha256_final(&st, mac);
  char b64[sodium_base64_ENCODED_LEN(sizeof mac, sodium_base64_VARIANT_ORIGINAL)];
  sodium_bin2base64(b64, sizeof b64, mac, sizeof mac, sodium_base64_VARIANT_ORIGINAL);

  auto u = boost::urls::parse_absolute_uri(signed_url);
  ASSERT_TRUE(u.has_value()) << signed_url;
  auto params = u->params();
  auto sign = params.find("sign");
  auto timestamp = params.find("timestamp");
  ASSERT_NE(sign, params.end());
  ASSERT_NE(timestamp, params.end());
  EXPECT_EQ((*sign).value, std::string(b64));
  EXPECT_EQ((*timestamp).value, std::to_string(ts));
  EXPECT_EQ((*params.find("access_token")).value, "t");
}

TEST(WebhookSign, ResigningReplacesTheOldSignature) {
  std::string once = dingtalk_signed_url("https://oapi.dingtalk.com/robot/send?access_token=t",
                                         kDingtalkSecret, 1);
  std::string twice = dingtalk_signed_url(once, kDingtalkSecret, 1700000000000);
  auto u = boost::urls::parse_absolute_uri(twice);
  ASSERT_TRUE(u.has_value());
  EXPECT_EQ(u->params().count("timestamp"), 1u);
  EXPECT_EQ(u->params().count("sign"), 1u);
  EXPECT_EQ((*u->params().find("timestamp")).value, "1700000000000");
}

// ---------------------------------------------------------------------------------------------
// Retry schedule

TEST(WebhookRetry, Schedule) {
  EXPECT_EQ(next_retry_delay_ms(0), 0);
  EXPECT_EQ(next_retry_delay_ms(1), 30'000);
  EXPECT_EQ(next_retry_delay_ms(2), 120'000);
  EXPECT_EQ(next_retry_delay_ms(3), 600'000);
  EXPECT_EQ(next_retry_delay_ms(4), 1'800'000);
  EXPECT_EQ(next_retry_delay_ms(5), 3'600'000);
  EXPECT_EQ(next_retry_delay_ms(6), std::nullopt);
  EXPECT_EQ(next_retry_delay_ms(100), std::nullopt);
}

// ---------------------------------------------------------------------------------------------
// Loopback helpers

// A TCP socket on 127.0.0.1 with a kernel-chosen port. Listening without ever accepting gives a
// receiver that completes the TCP handshake and never answers; bound but not listening gives a
// port that refuses connections (and stays ours for the test).
class LoopbackSocket {
 public:
  explicit LoopbackSocket(bool listening) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) throw std::runtime_error("socket");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      throw std::runtime_error("bind");
    }
    if (listening && ::listen(fd_, 16) != 0) throw std::runtime_error("listen");
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~LoopbackSocket() { ::close(fd_); }
  LoopbackSocket(const LoopbackSocket&) = delete;
  LoopbackSocket& operator=(const LoopbackSocket&) = delete;
  int fd() const { return fd_; }
  std::uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

struct Received {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;
  std::string body;
};

// The plain-http robot: civicloop's own server on 127.0.0.1:0, answering by path.
class WebhookPostTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    options.threads = 2;
    server_ = std::make_unique<Server>(options, [this](Request& req) { return handle(req); });
    server_->start();
  }
  void TearDown() override { server_.reset(); }

  std::string url(const std::string& target) const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + target;
  }

  std::vector<Received> received() {
    std::lock_guard lock(mu_);
    return received_;
  }

  Response handle(Request& req) {
    {
      std::lock_guard lock(mu_);
      received_.push_back({req.method, req.target, req.headers, req.body});
    }
    const std::string& p = req.path;
    if (p.starts_with("/ok")) return Response::json(200, R"({"errcode":0,"errmsg":"ok"})");
    if (p == "/wecom-rate") {
      return Response::json(200, R"({"errcode":45009,"errmsg":"api freq out of limit"})");
    }
    if (p == "/dingtalk-rate") {
      return Response::json(200, R"({"errcode":130101,"errmsg":"send too fast"})");
    }
    if (p == "/busy") return Response::json(200, R"({"errcode":-1,"errmsg":"系统繁忙"})");
    if (p == "/bad-sign")
      return Response::json(200, R"({"errcode":310000,"errmsg":"sign not match"})");
    if (p == "/plain") {
      Response r = Response::json(200, "ok");
      r.content_type = "text/plain";
      return r;
    }
    if (p == "/e500") return Response::json(500, R"({"error":"boom"})");
    if (p == "/e502") return Response::json(502, "");
    if (p == "/e400") return Response::json(400, R"({"error":"bad"})");
    if (p == "/e404") return Response::json(404, "");
    if (p == "/e429") return Response::json(429, "");
    if (p == "/redirect") {
      Response r = Response::json(302, "");
      r.add_header("Location", url("/ok/after-redirect"));
      return r;
    }
    if (p == "/redirect-elsewhere") {
      Response r = Response::json(302, "");
      r.add_header("Location", redirect_to_);
      return r;
    }
    if (p == "/big") return Response::json(200, std::string(100 * 1024, 'x'));
    if (p == "/big500") return Response::json(500, std::string(100 * 1024, 'x'));
    return Response::json(404, "");
  }

  std::unique_ptr<Server> server_;
  std::mutex mu_;
  std::vector<Received> received_;
  std::string redirect_to_;  // the Location of /redirect-elsewhere; set before the request
};

TEST_F(WebhookPostTest, DeliveredOnErrcodeZero) {
  std::string body = robot_payload(RobotFlavour::kWecom, kMessage);
  auto r = post_json(url("/ok/cgi-bin/webhook/send?key=abc-123"), body, loopback_allowed());
  EXPECT_TRUE(r.delivered) << r.error;
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.error.empty()) << r.error;

  auto got = received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].method, "POST");
  EXPECT_EQ(got[0].target, "/ok/cgi-bin/webhook/send?key=abc-123");
  EXPECT_EQ(got[0].body, body);  // Chinese text intact on the wire
  EXPECT_EQ(got[0].headers["content-type"], "application/json; charset=utf-8");
  EXPECT_EQ(got[0].headers["host"], "127.0.0.1:" + std::to_string(server_->port()));
}

TEST_F(WebhookPostTest, A2xxWithoutErrcodeIsDelivered) {
  auto r = post_json(url("/plain"), "{}", loopback_allowed());
  EXPECT_TRUE(r.delivered) << r.error;
}

TEST_F(WebhookPostTest, RateLimitErrcodesAreRetryable) {
  for (const char* path : {"/wecom-rate", "/dingtalk-rate", "/busy"}) {
    auto r = post_json(url(path), "{}", loopback_allowed());
    EXPECT_FALSE(r.delivered) << path;
    EXPECT_TRUE(r.retryable) << path;
    EXPECT_EQ(r.status, 200) << path;
  }
  auto r = post_json(url("/wecom-rate"), "{}", loopback_allowed());
  EXPECT_NE(r.error.find("45009"), std::string::npos) << r.error;
}

TEST_F(WebhookPostTest, OtherErrcodesAreNotRetryable) {
  auto r = post_json(url("/bad-sign"), "{}", loopback_allowed());
  EXPECT_FALSE(r.delivered);
  EXPECT_FALSE(r.retryable);
  EXPECT_NE(r.error.find("310000"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("sign not match"), std::string::npos) << r.error;
}

TEST_F(WebhookPostTest, ServerErrorsAreRetryableClientErrorsAreNot) {
  for (const char* path : {"/e500", "/e502", "/e429"}) {
    auto r = post_json(url(path), "{}", loopback_allowed());
    EXPECT_FALSE(r.delivered) << path;
    EXPECT_TRUE(r.retryable) << path;
  }
  for (const char* path : {"/e400", "/e404"}) {
    auto r = post_json(url(path), "{}", loopback_allowed());
    EXPECT_FALSE(r.delivered) << path;
    EXPECT_FALSE(r.retryable) << path;
  }
  EXPECT_EQ(post_json(url("/e500"), "{}", loopback_allowed()).status, 500);
  EXPECT_EQ(post_json(url("/e400"), "{}", loopback_allowed()).status, 400);
}

TEST_F(WebhookPostTest, RedirectsAreNotFollowed) {
  auto r = post_json(url("/redirect"), "{}", loopback_allowed());
  EXPECT_FALSE(r.delivered);
  EXPECT_FALSE(r.retryable);
  EXPECT_EQ(r.status, 302);
  for (const auto& got : received()) EXPECT_NE(got.target, "/ok/after-redirect");
}

TEST_F(WebhookPostTest, ResponseReadIsBounded) {
  auto options = loopback_allowed();
  options.max_response_bytes = 1024;
  auto r = post_json(url("/big"), "{}", options);
  EXPECT_FALSE(r.delivered);
  EXPECT_FALSE(r.retryable);  // the robot may have taken it: do not post twice
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.error.find("exceeds"), std::string::npos) << r.error;

  r = post_json(url("/big500"), "{}", options);
  EXPECT_FALSE(r.delivered);
  EXPECT_TRUE(r.retryable);
  EXPECT_EQ(r.status, 500);

  EXPECT_FALSE(
      post_json(url("/big"), "{}", loopback_allowed()).delivered);  // 100 KiB > the 64 KiB default
  options.max_response_bytes = 200 * 1024;
  EXPECT_TRUE(post_json(url("/big"), "{}", options).delivered);
}

TEST_F(WebhookPostTest, ErrorsNeverCarryPathOrQuery) {
  const std::string secret = "SECRET-TOKEN-42";
  auto r = post_json(url("/e500?key=" + secret), "{}", loopback_allowed());
  EXPECT_FALSE(r.delivered);
  EXPECT_EQ(r.error.find(secret), std::string::npos) << r.error;
  EXPECT_EQ(r.error.find("/e500"), std::string::npos) << r.error;

  LoopbackSocket refused(false);
  r = post_json("http://127.0.0.1:" + std::to_string(refused.port()) + "/x?access_token=" + secret,
                "{}", loopback_allowed());
  EXPECT_FALSE(r.delivered);
  EXPECT_EQ(r.error.find(secret), std::string::npos) << r.error;

  r = post_json("https://user:" + secret + "@127.0.0.1/", "{}", loopback_allowed());
  EXPECT_EQ(r.error.find(secret), std::string::npos) << r.error;
}

TEST_F(WebhookPostTest, ConcurrentCallsFromManyThreads) {
  constexpr int kThreads = 6;
  constexpr int kEach = 5;
  std::atomic<int> delivered{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        if (post_json(url("/ok/" + std::to_string(t)), "{}", loopback_allowed()).delivered)
          ++delivered;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(delivered.load(), kThreads * kEach);
  EXPECT_EQ(received().size(), static_cast<std::size_t>(kThreads * kEach));
}

TEST(WebhookPost, ConnectionRefusedIsRetryable) {
  LoopbackSocket refused(false);
  auto r = post_json("http://127.0.0.1:" + std::to_string(refused.port()) + "/robot", "{}",
                     loopback_allowed());
  EXPECT_FALSE(r.delivered);
  EXPECT_TRUE(r.retryable);
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.error.find("connect"), std::string::npos) << r.error;
}

TEST(WebhookPost, ReceiverThatNeverAnswersTimesOut) {
  LoopbackSocket silent(true);  // the kernel accepts the connection; nobody reads or answers
  auto options = loopback_allowed();
  options.timeout_ms = 300;
  for (const char* scheme : {"http", "https"}) {
    auto r = post_json(std::string(scheme) + "://127.0.0.1:" + std::to_string(silent.port()) + "/",
                       "{}", options);
    // Reaching this line is the point: the call returned on its own deadline.
    EXPECT_FALSE(r.delivered) << scheme;
    EXPECT_TRUE(r.retryable) << scheme;
    EXPECT_NE(r.error.find("timeout"), std::string::npos) << r.error;
  }
}

TEST(WebhookPost, InvalidUrlsAreRefused) {
  const std::vector<std::string> bad = {
      "",
      "oapi.dingtalk.com/robot/send",
      "/robot/send",
      "ftp://example.com/robot",
      "file:///etc/passwd",
      "https://",
      "http:///robot",
      "https://user:pw@example.com/robot",
      "https://user@example.com/robot",
      "https://example.com:99999/robot",
      "https://example.com:0/robot",
      "https://example.com:65536/robot",
      "https://example.com:000000443/robot",
      "https://exa mple.com/",
      "https://exa%00mple.com/",
      "http://[v1.fe]/robot",
      "https://example.com/" + std::string(2048, 'a'),
  };
  for (const auto& u : bad) {
    auto r = post_json(u, "{}");
    EXPECT_FALSE(r.delivered) << u;
    EXPECT_FALSE(r.retryable) << u;
    EXPECT_EQ(r.status, 0) << u;
    EXPECT_TRUE(r.error.starts_with("invalid webhook URL")) << u << " -> " << r.error;
  }
}

TEST(WebhookPost, UrlsAtTheLimitAndIpv6LiteralsAreAccepted) {
  LoopbackSocket refused(false);
  std::string base = "http://127.0.0.1:" + std::to_string(refused.port()) + "/";
  std::string at_limit = base + std::string(2048 - base.size(), 'a');
  ASSERT_EQ(at_limit.size(), 2048u);
  auto r = post_json(at_limit, "{}", loopback_allowed());
  EXPECT_FALSE(r.error.starts_with("invalid")) << r.error;
  EXPECT_TRUE(r.retryable);

  r = post_json("http://[::1]:" + std::to_string(refused.port()) + "/robot", "{}",
                loopback_allowed());
  EXPECT_FALSE(r.error.starts_with("invalid")) << r.error;
  EXPECT_TRUE(r.retryable) << r.error;
}

// ---------------------------------------------------------------------------------------------
// Destinations: internal addresses are refused by default, before any connection

// No connection has reached the listening socket (nothing waits in its accept queue).
bool nobody_connected(const LoopbackSocket& s) {
  pollfd p{s.fd(), POLLIN, 0};
  return ::poll(&p, 1, 0) == 0;
}

TEST(WebhookDestination, InternalAddressLiteralsAreRefusedByDefault) {
  LoopbackSocket silent(true);  // a connection would wait here, never answered
  const std::string port = std::to_string(silent.port());
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"127.0.0.1:" + port, "127.0.0.1 is loopback"},
      {"127.8.9.10", "127.8.9.10 is loopback"},
      {"[::1]:" + port, "::1 is loopback"},
      {"[::ffff:127.0.0.1]:" + port, "127.0.0.1 is loopback"},
      {"169.254.169.254", "169.254.169.254 is link_local"},
      {"[fe80::1]", "fe80::1 is link_local"},
      {"10.0.0.1", "10.0.0.1 is private"},
      {"172.16.5.4", "172.16.5.4 is private"},
      {"172.31.255.254", "172.31.255.254 is private"},
      {"192.168.1.1", "192.168.1.1 is private"},
      {"[fd00::1]", "fd00::1 is private"},
      {"100.64.0.1", "100.64.0.1 is shared_nat"},
      {"0.0.0.0:" + port, "0.0.0.0 is unspecified"},
      {"[::]", ":: is unspecified"},
      {"224.0.0.1", "224.0.0.1 is multicast"},
      {"255.255.255.255", "255.255.255.255 is reserved"},
  };
  WebhookClientOptions options;
  options.timeout_ms = 10'000;
  const auto started = std::chrono::steady_clock::now();
  for (const auto& [host, reason] : cases) {
    const std::string secret = "access_token=SECRET-7";
    auto r = post_json("https://" + host + "/robot/send?" + secret, "{}", options);
    EXPECT_FALSE(r.delivered) << host;
    EXPECT_FALSE(r.retryable) << host;
    EXPECT_EQ(r.status, 0) << host;
    EXPECT_TRUE(r.error.starts_with("refused: " + reason)) << host << " -> " << r.error;
    EXPECT_EQ(r.error.find("SECRET"), std::string::npos) << r.error;
    EXPECT_EQ(r.error.find("/robot"), std::string::npos) << r.error;
  }
  // Refused before any connection: the calls returned at once (a connection to the metadata
  // address or a silent port would have waited for the 10 s deadline), and nothing reached the
  // loopback socket.
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
  EXPECT_TRUE(nobody_connected(silent));
}

TEST(WebhookDestination, TheMetadataAddressIsRefusedAtOnce) {
  WebhookClientOptions options;
  options.timeout_ms = 10'000;
  for (const char* url : {"http://169.254.169.254/latest/meta-data/iam/security-credentials/",
                          "https://169.254.169.254/", "https://[::ffff:169.254.169.254]/"}) {
    const auto started = std::chrono::steady_clock::now();
    auto r = post_json(url, "{}", options);
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(500)) << url;
    EXPECT_FALSE(r.delivered) << url;
    EXPECT_FALSE(r.retryable) << url;
    EXPECT_TRUE(r.error.starts_with("refused: 169.254.169.254 is link_local")) << r.error;
  }
}

// localhost is a DNS name (/etc/hosts): refused after resolution, for the address it resolves to.
TEST(WebhookDestination, ANameThatResolvesToLoopbackIsRefused) {
  LoopbackSocket silent(true);
  WebhookClientOptions options;
  options.timeout_ms = 2000;
  auto r = post_json("https://localhost:" + std::to_string(silent.port()) + "/robot?key=k", "{}",
                     options);
  EXPECT_FALSE(r.delivered);
  EXPECT_FALSE(r.retryable);
  EXPECT_EQ(r.status, 0);
  EXPECT_TRUE(r.error.starts_with("refused: 127.0.0.1 is loopback")) << r.error;
  EXPECT_NE(r.error.find("https://localhost:" + std::to_string(silent.port())), std::string::npos)
      << r.error;
  EXPECT_TRUE(nobody_connected(silent));

  // A block that does not hold the address does not help; neither does another host name.
  options.allow = *net::AllowList::parse("10.0.0.0/8, relay.internal");
  r = post_json("https://localhost:" + std::to_string(silent.port()) + "/", "{}", options);
  EXPECT_TRUE(r.error.starts_with("refused: 127.0.0.1 is loopback")) << r.error;
  EXPECT_TRUE(nobody_connected(silent));
}

TEST(WebhookDestination, PlainHttpIsRefusedEvenToAPublicAddress) {
  WebhookClientOptions options;
  options.timeout_ms = 500;
  auto r = post_json("http://8.8.8.8:9/robot?key=SECRET", "{}", options);
  EXPECT_FALSE(r.delivered);
  EXPECT_FALSE(r.retryable);
  EXPECT_EQ(r.status, 0);
  EXPECT_TRUE(r.error.starts_with("refused: plain http to 8.8.8.8")) << r.error;
  EXPECT_EQ(r.error.find("SECRET"), std::string::npos) << r.error;

  // A host name over plain http is refused before any DNS lookup.
  LoopbackSocket silent(true);
  r = post_json("http://localhost:" + std::to_string(silent.port()) + "/", "{}", options);
  EXPECT_TRUE(r.error.starts_with("refused: ")) << r.error;
  EXPECT_TRUE(nobody_connected(silent));
}

TEST_F(WebhookPostTest, RefusedWithoutTheAllowList) {
  auto r = post_json(url("/ok/robot?key=abc"), "{}");
  EXPECT_FALSE(r.delivered);
  EXPECT_FALSE(r.retryable);
  EXPECT_TRUE(r.error.starts_with("refused: 127.0.0.1 is loopback")) << r.error;
  EXPECT_TRUE(received().empty());
}

TEST_F(WebhookPostTest, TheAllowListLetsTheLoopbackReceiverThroughByBlockOrHostName) {
  const std::string port = std::to_string(server_->port());
  WebhookClientOptions by_block;
  by_block.allow = *net::AllowList::parse("127.0.0.0/8");
  auto r = post_json(url("/ok/block"), "{}", by_block);
  EXPECT_TRUE(r.delivered) << r.error;
  // The IPv4-mapped form is the same address.
  r = post_json("http://[::ffff:127.0.0.1]:" + port + "/ok/mapped", "{}", by_block);
  EXPECT_TRUE(r.delivered) << r.error;
  // Plain http to a name needs the name itself in the list (the block covers its address only).
  r = post_json("http://localhost:" + port + "/ok/name-by-block", "{}", by_block);
  EXPECT_FALSE(r.delivered);
  EXPECT_TRUE(r.error.starts_with("refused: plain http to localhost")) << r.error;

  WebhookClientOptions by_name;
  by_name.allow = *net::AllowList::parse("LOCALHOST");
  r = post_json("http://localhost:" + port + "/ok/name", "{}", by_name);
  EXPECT_TRUE(r.delivered) << r.error;
  // The name is allowed, not its address.
  r = post_json(url("/ok/literal-by-name"), "{}", by_name);
  EXPECT_FALSE(r.delivered);
  EXPECT_TRUE(r.error.starts_with("refused: 127.0.0.1 is loopback")) << r.error;

  std::vector<std::string> targets;
  for (const auto& got : received()) targets.push_back(got.target);
  EXPECT_EQ(targets, (std::vector<std::string>{"/ok/block", "/ok/mapped", "/ok/name"}));
}

// A redirect from an allowed receiver to another one is reported, never followed: a public URL
// cannot bounce the server to an internal one.
TEST_F(WebhookPostTest, ARedirectToAnotherReceiverIsNotFollowed) {
  std::mutex other_mu;
  int other_requests = 0;
  ServerOptions so;
  so.host = "127.0.0.1";
  so.port = 0;
  so.threads = 1;
  Server other(so, [&](Request&) {
    std::lock_guard lock(other_mu);
    ++other_requests;
    return Response::json(200, R"({"errcode":0})");
  });
  other.start();
  redirect_to_ = "http://127.0.0.1:" + std::to_string(other.port()) + "/";

  auto r = post_json(url("/redirect-elsewhere"), "{}", loopback_allowed());
  EXPECT_FALSE(r.delivered);
  EXPECT_FALSE(r.retryable);
  EXPECT_EQ(r.status, 302);
  EXPECT_NE(r.error.find("redirects are not followed"), std::string::npos) << r.error;
  ASSERT_EQ(received().size(), 1u);
  {
    std::lock_guard lock(other_mu);
    EXPECT_EQ(other_requests, 0);
  }
  // The other receiver works: the nought above is not for want of a listener.
  EXPECT_TRUE(post_json(redirect_to_, "{}", loopback_allowed()).delivered);
  std::lock_guard lock(other_mu);
  EXPECT_EQ(other_requests, 1);
}

// ---------------------------------------------------------------------------------------------
// TLS

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};

struct TestCert {
  std::unique_ptr<EVP_PKEY, PkeyFree> key;
  std::unique_ptr<X509, X509Free> cert;
  std::string pem;
};

void add_extension(X509* x, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) throw std::runtime_error("X509V3_EXT_conf_nid");
  X509_add_ext(x, ext, -1);
  X509_EXTENSION_free(ext);
}

// A self-signed P-256 certificate valid for an hour either side of now, made at test time.
TestCert make_self_signed(const char* common_name, const char* subject_alt_names) {
  TestCert out;
  out.key.reset(EVP_EC_gen("P-256"));
  out.cert.reset(X509_new());
  if (!out.key || !out.cert) throw std::runtime_error("key or certificate allocation");
  X509* x = out.cert.get();
  X509_set_version(x, 2);
  unsigned char serial[16];
  randombytes_buf(serial, sizeof serial);
  serial[0] &= 0x7F;
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(x), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x), 3600);
  X509_set_pubkey(x, out.key.get());
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name), -1, -1, 0);
  X509_set_issuer_name(x, name);
  add_extension(x, NID_basic_constraints, "critical,CA:TRUE");
  add_extension(x, NID_key_usage, "critical,digitalSignature,keyCertSign");
  add_extension(x, NID_ext_key_usage, "serverAuth");
  add_extension(x, NID_subject_alt_name, subject_alt_names);
  if (X509_sign(x, out.key.get(), EVP_sha256()) == 0) throw std::runtime_error("X509_sign");
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, x);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  out.pem.assign(data, static_cast<std::size_t>(n));
  BIO_free(bio);
  return out;
}

// A blocking TLS robot on 127.0.0.1:0 (plain OpenSSL, one connection at a time) that answers
// every request with {"errcode":0} and records the request and the SNI name it was sent.
class TlsReceiver {
 public:
  explicit TlsReceiver(const TestCert& cert) : socket_(true) {
    ctx_ = SSL_CTX_new(TLS_server_method());
    if (ctx_ == nullptr || SSL_CTX_use_certificate(ctx_, cert.cert.get()) != 1 ||
        SSL_CTX_use_PrivateKey(ctx_, cert.key.get()) != 1) {
      throw std::runtime_error("server TLS context");
    }
    thread_ = std::thread([this] { loop(); });
  }
  ~TlsReceiver() {
    stop_ = true;
    thread_.join();
    SSL_CTX_free(ctx_);
  }
  TlsReceiver(const TlsReceiver&) = delete;
  TlsReceiver& operator=(const TlsReceiver&) = delete;

  std::uint16_t port() const { return socket_.port(); }
  struct Seen {
    std::string sni;
    std::string request;
  };
  std::vector<Seen> seen() {
    std::lock_guard lock(mu_);
    return seen_;
  }

 private:
  void loop() {
    // A peer that hangs up while we write must not kill the test binary.
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
    while (!stop_) {
      pollfd p{socket_.fd(), POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int fd = ::accept(socket_.fd(), nullptr, nullptr);
      if (fd < 0) continue;
      timeval tv{5, 0};
      ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
      serve(fd);
      ::close(fd);
    }
  }

  void serve(int fd) {
    SSL* ssl = SSL_new(ctx_);
    SSL_set_fd(ssl, fd);
    if (SSL_accept(ssl) == 1) {
      const char* sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
      std::string request;
      char buf[4096];
      while (!complete(request)) {
        int n = SSL_read(ssl, buf, sizeof buf);
        if (n <= 0) break;
        request.append(buf, static_cast<std::size_t>(n));
      }
      {
        std::lock_guard lock(mu_);
        seen_.push_back({sni != nullptr ? sni : "", request});
      }
      const std::string body = R"({"errcode":0,"errmsg":"ok"})";
      std::string response =
          "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
          std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
      SSL_write(ssl, response.data(), static_cast<int>(response.size()));
      SSL_shutdown(ssl);
    }
    SSL_free(ssl);
  }

  static bool complete(const std::string& request) {
    auto end = request.find("\r\n\r\n");
    if (end == std::string::npos) return false;
    auto cl = request.find("Content-Length: ");
    if (cl == std::string::npos || cl > end) return true;
    std::size_t length = std::stoul(request.substr(cl + 16));
    return request.size() >= end + 4 + length;
  }

  LoopbackSocket socket_;
  SSL_CTX* ctx_ = nullptr;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::vector<Seen> seen_;
};

class WebhookTlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cert_ = new TestCert(make_self_signed("civicloop loopback", "IP:127.0.0.1,DNS:localhost"));
  }
  static void TearDownTestSuite() {
    delete cert_;
    cert_ = nullptr;
  }
  static WebhookClientOptions trusting(const TestCert& cert) {
    auto options = loopback_allowed();
    options.extra_ca_pem = cert.pem;
    return options;
  }
  static TestCert* cert_;
};
TestCert* WebhookTlsTest::cert_ = nullptr;

TEST_F(WebhookTlsTest, DeliveredWithTheTestCa) {
  TlsReceiver robot(*cert_);
  std::string body = robot_payload(RobotFlavour::kDingtalk, kMessage);
  auto r = post_json(
      "https://127.0.0.1:" + std::to_string(robot.port()) + "/robot/send?access_token=abc", body,
      trusting(*cert_));
  EXPECT_TRUE(r.delivered) << r.error;
  EXPECT_EQ(r.status, 200);
  auto seen = robot.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_TRUE(seen[0].request.starts_with("POST /robot/send?access_token=abc HTTP/1.1\r\n"))
      << seen[0].request;
  EXPECT_TRUE(seen[0].request.ends_with("\r\n\r\n" + body));
  EXPECT_EQ(seen[0].sni, "");  // no SNI for an IP address
}

TEST_F(WebhookTlsTest, SendsSniForAHostName) {
  TlsReceiver robot(*cert_);
  auto r =
      post_json("https://localhost:" + std::to_string(robot.port()) + "/", "{}", trusting(*cert_));
  EXPECT_TRUE(r.delivered) << r.error;
  auto seen = robot.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].sni, "localhost");
}

TEST_F(WebhookTlsTest, UntrustedCertificateFailsVerification) {
  TlsReceiver robot(*cert_);
  auto r = post_json("https://127.0.0.1:" + std::to_string(robot.port()) + "/", "{}",
                     loopback_allowed());
  EXPECT_FALSE(r.delivered);
  EXPECT_FALSE(r.retryable);
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.error.find("verification"), std::string::npos) << r.error;
  EXPECT_TRUE(robot.seen().empty());  // nothing was sent
}

TEST_F(WebhookTlsTest, CertificateForAnotherHostFailsVerification) {
  TestCert other = make_self_signed("robot.example", "DNS:robot.example");
  TlsReceiver robot(other);
  for (const char* host : {"127.0.0.1", "localhost"}) {
    auto r = post_json("https://" + std::string(host) + ":" + std::to_string(robot.port()) + "/",
                       "{}", trusting(other));
    EXPECT_FALSE(r.delivered) << host;
    EXPECT_NE(r.error.find("verification"), std::string::npos) << r.error;
  }
  EXPECT_TRUE(robot.seen().empty());
}

TEST_F(WebhookTlsTest, UnparsableExtraCaIsAConfigurationError) {
  auto options = loopback_allowed();
  options.extra_ca_pem = "not a certificate";
  auto r = post_json("https://127.0.0.1:1/", "{}", options);
  EXPECT_FALSE(r.delivered);
  EXPECT_FALSE(r.retryable);
  EXPECT_NE(r.error.find("not attempted"), std::string::npos) << r.error;
}

}  // namespace
}  // namespace civicloop::http
