#include "http/server.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "support/http_client.hpp"

namespace civicloop::http {
namespace {

using test::HttpResponse;
using test::parse_responses;
using test::raw_exchange;
using test::TestClient;

constexpr char kLocalhost[] = "127.0.0.1";
constexpr int kRawTimeoutMs = 20000;  // a bound for a broken server, never the expected path

struct LogEntry {
  std::string method;
  std::string path;
  int status;
};

// The world of these tests: a server on an ephemeral loopback port with a tiny handler.
class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("civicloop_http_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "hello.txt") << "static hello\n";
  }

  void TearDown() override {
    server_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  void start(ServerOptions options = {}) {
    options.host = kLocalhost;
    options.port = 0;
    options.threads = 2;
    server_ = std::make_unique<Server>(
        options, [this](Request& req) { return handle(req); },
        [this](const Request& req, int status, std::int64_t micros) {
          std::lock_guard lock(log_mu_);
          log_.push_back({req.method, req.path, status});
          EXPECT_GE(micros, 0);
        });
    server_->start();
    ASSERT_NE(server_->port(), 0);
  }

  Response handle(Request& req) {
    if (req.path == "/hello") {
      Response res = Response::json(200, "hello");
      res.content_type = "text/plain; charset=utf-8";
      return res;
    }
    if (req.path.rfind("/echo", 0) == 0) {
      // method|path|query in order|body
      std::string out = req.method + "|" + req.path + "|";
      for (const auto& [k, v] : req.query)
        out.append("[").append(k).append("=").append(v).append("]");
      out += "|" + req.body;
      return Response::json(200, out);
    }
    if (req.path == "/header") {
      return Response::json(200, req.header("x-custom").value_or("<none>") + "|" +
                                     req.header("X-Custom").value_or("<none>"));
    }
    if (req.path == "/cookie") return Response::json(200, req.cookie("sid").value_or("<none>"));
    if (req.path == "/raw-cookie") return Response::json(200, req.header("cookie").value_or(""));
    if (req.path == "/set-cookie") {
      Response res = Response::no_content();
      res.add_header("Set-Cookie", "sid=s3cr3t; Path=/; HttpOnly; SameSite=Lax");
      res.add_header("Set-Cookie", "lang=zh-CN; Path=/");
      return res;
    }
    if (req.path == "/remote") return Response::json(200, req.remote_address);
    if (req.path == "/throw") throw std::runtime_error("handler exploded");
    if (req.path == "/throw-int") throw 42;
    if (req.path == "/nocontent") return Response::no_content();
    if (req.path == "/bad-status") return Response::json(42, "nonsense");
    if (req.path == "/injection") {
      Response res = Response::json(200, "ok");
      res.add_header("X-Evil", "a\r\nSet-Cookie: pwned=1");
      res.add_header("X-Fine", "yes");
      return res;
    }
    if (req.path == "/file") {
      Response res;
      res.content_type = "text/plain; charset=utf-8";
      res.file_path = (dir_ / "hello.txt").string();
      return res;
    }
    if (req.path == "/missing-file") {
      Response res;
      res.file_path = (dir_ / "nope.txt").string();
      return res;
    }
    if (req.path == "/directory-file") {
      Response res;
      res.file_path = dir_.string();
      return res;
    }
    if (req.path == "/slow") {
      // Stays in flight until the test lets it go (or a generous bound passes).
      slow_entered_ = true;
      auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
      while (!release_slow_.load() && std::chrono::steady_clock::now() < give_up) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      return Response::json(200, "slow done");
    }
    return Response::json(404, R"({"error":{"code":"not_found"}})");
  }

  std::vector<LogEntry> log() {
    std::lock_guard lock(log_mu_);
    return log_;
  }

  std::uint16_t port() const { return server_->port(); }

  // Once a connection is refused, stop() has begun: it sets the stopping flag before it closes
  // the listening socket.
  void wait_until_not_accepting() {
    for (;;) {
      try {
        raw_exchange(kLocalhost, port(), "", 0);
      } catch (const std::runtime_error&) {
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  std::string raw(const std::string& bytes, bool* closed = nullptr) {
    return raw_exchange(kLocalhost, port(), bytes, kRawTimeoutMs, closed);
  }

  std::filesystem::path dir_;
  std::unique_ptr<Server> server_;
  std::atomic<bool> slow_entered_{false};
  std::atomic<bool> release_slow_{false};
  std::mutex log_mu_;
  std::vector<LogEntry> log_;
};

TEST_F(HttpServerTest, GetRoundTripWithSafeDefaultHeaders) {
  start();
  TestClient client(kLocalhost, port());
  HttpResponse res = client.request("GET", "/hello");
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, "hello");
  EXPECT_EQ(res.header("content-type"), "text/plain; charset=utf-8");
  EXPECT_EQ(res.header("content-length"), "5");
  EXPECT_EQ(res.header("server"), "civicloop");
  EXPECT_EQ(res.header("x-content-type-options"), "nosniff");
  EXPECT_EQ(res.header("x-frame-options"), "DENY");
  EXPECT_EQ(res.header("referrer-policy"), "same-origin");
  EXPECT_FALSE(res.header("date").empty());
}

TEST_F(HttpServerTest, DecodesPathAndQuery) {
  start();
  TestClient client(kLocalhost, port());
  HttpResponse res = client.request("GET", "/echo/a%20b+c?x=1+2&y=%E4%B8%AD&x=3&flag&&z=");
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, "GET|/echo/a b+c|[flag=][x=1 2][x=3][y=中][z=]|");
}

TEST_F(HttpServerTest, MalformedTargetIs400) {
  start();
  TestClient client(kLocalhost, port());
  HttpResponse res = client.request("GET", "/echo/%zz");
  EXPECT_EQ(res.status, 400);
  EXPECT_EQ(
      res.body,
      R"({"error":{"code":"request.malformed_target","message":"请求地址格式不正确","details":{}}})");
  EXPECT_EQ(client.request("GET", "/echo?a=%00").status, 400);
  // The framing was intact, so the connection lives on.
  EXPECT_EQ(client.request("GET", "/hello").status, 200);
  EXPECT_EQ(client.connections_opened(), 1);

  std::string reply =
      raw("GET http://example.com/hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  auto responses = parse_responses(reply);
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].status, 400);
}

TEST_F(HttpServerTest, HeadersAreLowerCasedAndRemoteAddressSet) {
  start();
  TestClient client(kLocalhost, port());
  EXPECT_EQ(client.request("GET", "/header", "", {{"X-Custom", "v1"}}).body, "v1|v1");
  EXPECT_EQ(client.request("GET", "/remote").body, "127.0.0.1");
}

TEST_F(HttpServerTest, KeepAliveReusesOneConnection) {
  start();
  TestClient client(kLocalhost, port());
  EXPECT_EQ(client.request("GET", "/hello").status, 200);
  EXPECT_TRUE(client.connected());
  EXPECT_EQ(client.request("POST", "/echo", "body").body, "POST|/echo||body");
  EXPECT_EQ(client.connections_opened(), 1);
}

TEST_F(HttpServerTest, ConnectionCloseIsHonoured) {
  start();
  TestClient client(kLocalhost, port());
  HttpResponse res = client.request("GET", "/hello", "", {{"Connection", "close"}});
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.header("connection"), "close");
  EXPECT_FALSE(client.connected());

  bool closed = false;
  std::string reply = raw("GET /hello HTTP/1.0\r\n\r\n", &closed);
  EXPECT_TRUE(closed);
  auto responses = parse_responses(reply);
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].body, "hello");
}

TEST_F(HttpServerTest, BodyOverLimitIs413WithJsonError) {
  ServerOptions options;
  options.max_body_bytes = 1024;
  start(options);
  TestClient client(kLocalhost, port());
  const std::string expected =
      R"({"error":{"code":"request.body_too_large","message":"请求体过大","details":{"limit":1024}}})";

  HttpResponse res = client.request("POST", "/echo", std::string(4000, 'x'));
  EXPECT_EQ(res.status, 413);
  EXPECT_EQ(res.body, expected);
  EXPECT_EQ(res.header("connection"), "close");
  EXPECT_EQ(res.header("x-frame-options"), "DENY");

  // At the limit is fine.
  EXPECT_EQ(client.request("POST", "/echo", std::string(1024, 'y')).status, 200);

  // Chunked bodies are counted as they arrive.
  std::string chunk(800, 'z');
  char size_line[16];
  std::snprintf(size_line, sizeof size_line, "%zx\r\n", chunk.size());
  std::string chunked = "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  chunked += size_line + chunk + "\r\n" + size_line + chunk + "\r\n0\r\n\r\n";
  bool closed = false;
  auto responses = parse_responses(raw(chunked, &closed));
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].status, 413);
  EXPECT_EQ(responses[0].body, expected);
  EXPECT_TRUE(closed);
}

TEST_F(HttpServerTest, ChunkedRequestBodyIsAssembled) {
  start();
  bool closed = false;
  auto responses = parse_responses(raw(
      "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
      "3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\n\r\n",
      &closed));
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].body, "POST|/echo||abcde");
  EXPECT_TRUE(closed);
}

TEST_F(HttpServerTest, GarbageIs400AndClosed) {
  start();
  bool closed = false;
  std::string reply = raw("\x01\x02\x03 garbage\r\n\r\n", &closed);
  EXPECT_TRUE(closed);
  auto responses = parse_responses(reply);
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].status, 400);
  EXPECT_EQ(responses[0].body,
            R"({"error":{"code":"request.malformed","message":"请求格式不正确","details":{}}})");

  closed = false;
  responses = parse_responses(raw(
      "GET /hello HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", &closed));
  EXPECT_TRUE(closed);
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].status, 400);

  // Both framings at once is how requests are smuggled past proxies: refuse.
  closed = false;
  responses = parse_responses(raw(
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
      "0\r\n\r\n",
      &closed));
  EXPECT_TRUE(closed);
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].status, 400);

  // The server is unharmed.
  TestClient client(kLocalhost, port());
  EXPECT_EQ(client.request("GET", "/hello").status, 200);
}

TEST_F(HttpServerTest, OversizedHeaderIs431) {
  ServerOptions options;
  options.max_header_bytes = 1024;
  start(options);
  bool closed = false;
  auto responses = parse_responses(raw(
      "GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(4000, 'a') + "\r\n\r\n", &closed));
  EXPECT_TRUE(closed);
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].status, 431);
}

TEST_F(HttpServerTest, ReadTimeoutClosesSlowClient) {
  ServerOptions options;
  options.read_timeout_seconds = 1;
  options.idle_timeout_seconds = 1;
  start(options);
  // Half a request, then silence: the server must hang up rather than wait for ever.
  bool closed = false;
  std::string reply = raw("GET /hello HTTP/1.1\r\nHost: x\r\n", &closed);
  EXPECT_TRUE(closed);
  EXPECT_EQ(reply.find("200"), std::string::npos);

  // Half a body too.
  closed = false;
  reply = raw("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc", &closed);
  EXPECT_TRUE(closed);
  EXPECT_EQ(reply.find("200"), std::string::npos);
}

TEST_F(HttpServerTest, IdleTimeoutClosesSilentConnection) {
  ServerOptions options;
  options.idle_timeout_seconds = 1;
  start(options);
  bool closed = false;
  std::string reply = raw("", &closed);
  EXPECT_TRUE(closed);
  EXPECT_TRUE(reply.empty());
}

TEST_F(HttpServerTest, PipelinedRequestsAnsweredInOrderUpToTheCap) {
  ServerOptions options;
  options.max_requests_per_connection = 3;
  start(options);
  std::string bytes;
  for (int i = 1; i <= 5; ++i) {
    bytes += "GET /echo?i=" + std::to_string(i) + " HTTP/1.1\r\nHost: x\r\n\r\n";
  }
  bool closed = false;
  auto responses = parse_responses(raw(bytes, &closed));
  EXPECT_TRUE(closed);
  ASSERT_EQ(responses.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(responses[i].status, 200);
    EXPECT_EQ(responses[i].body, "GET|/echo|[i=" + std::to_string(i + 1) + "]|");
  }
  EXPECT_EQ(responses[0].header("connection"), "");
  EXPECT_EQ(responses[1].header("connection"), "");
  EXPECT_EQ(responses[2].header("connection"), "close");
}

TEST_F(HttpServerTest, ThrowingHandlerGives500AndServerCarriesOn) {
  start();
  TestClient client(kLocalhost, port());
  const std::string expected =
      R"({"error":{"code":"internal","message":"服务器内部错误","details":{}}})";
  HttpResponse res = client.request("GET", "/throw");
  EXPECT_EQ(res.status, 500);
  EXPECT_EQ(res.body, expected);
  EXPECT_EQ(res.header("content-type"), "application/json; charset=utf-8");
  EXPECT_EQ(client.request("GET", "/throw-int").body, expected);
  EXPECT_EQ(client.request("GET", "/bad-status").status, 500);
  EXPECT_EQ(client.request("GET", "/hello").status, 200);
  EXPECT_EQ(client.connections_opened(), 1);
}

TEST_F(HttpServerTest, HeadHasGetHeadersAndNoBody) {
  start();
  TestClient client(kLocalhost, port());
  HttpResponse res = client.request("HEAD", "/hello");
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.header("content-length"), "5");
  EXPECT_TRUE(res.body.empty());
  // The connection is still in step: no stray body bytes arrive ahead of the next response.
  EXPECT_EQ(client.request("GET", "/hello").body, "hello");

  std::string reply = raw("HEAD /file HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  ASSERT_GE(reply.size(), 4u);
  EXPECT_EQ(reply.substr(reply.size() - 4), "\r\n\r\n");
  auto responses = parse_responses(reply, /*head=*/true);
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].header("content-length"), "13");
}

TEST_F(HttpServerTest, NoContentHasNoBodyOrType) {
  start();
  TestClient client(kLocalhost, port());
  HttpResponse res = client.request("DELETE", "/nocontent");
  EXPECT_EQ(res.status, 204);
  EXPECT_TRUE(res.body.empty());
  EXPECT_EQ(res.header("content-type"), "");
  EXPECT_EQ(client.request("GET", "/hello").body, "hello");
}

TEST_F(HttpServerTest, ServesFilesAnd404sMissingOnes) {
  start();
  TestClient client(kLocalhost, port());
  HttpResponse res = client.request("GET", "/file");
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, "static hello\n");
  EXPECT_EQ(res.header("content-type"), "text/plain; charset=utf-8");
  EXPECT_EQ(res.header("x-content-type-options"), "nosniff");

  res = client.request("GET", "/missing-file");
  EXPECT_EQ(res.status, 404);
  EXPECT_EQ(res.header("content-type"), "application/json; charset=utf-8");
  EXPECT_NE(res.body.find(R"("code":"not_found")"), std::string::npos);
  EXPECT_EQ(client.request("GET", "/directory-file").status, 404);
  EXPECT_EQ(client.request("GET", "/hello").status, 200);
}

TEST_F(HttpServerTest, HeaderWithLineBreakIsDropped) {
  start();
  TestClient client(kLocalhost, port());
  HttpResponse res = client.request("GET", "/injection");
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.header("x-evil"), "");
  EXPECT_TRUE(res.set_cookies.empty());
  EXPECT_EQ(res.header("x-fine"), "yes");
}

TEST_F(HttpServerTest, ExpectContinueIsAnswered) {
  start();
  std::string reply =
      raw("POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n"
          "Connection: close\r\n\r\nping");
  auto responses = parse_responses(reply);
  ASSERT_EQ(responses.size(), 2u);
  EXPECT_EQ(responses[0].status, 100);
  EXPECT_EQ(responses[1].status, 200);
  EXPECT_EQ(responses[1].body, "POST|/echo||ping");
}

TEST_F(HttpServerTest, CookiesReachTheHandlerAndTheJar) {
  start();
  TestClient client(kLocalhost, port());
  EXPECT_EQ(client.request("GET", "/cookie", "", {{"Cookie", "a=1;  sid = abc ; b=2"}}).body,
            "abc");
  EXPECT_EQ(client.request("GET", "/cookie").body, "<none>");

  client.keep_cookies(true);
  HttpResponse res = client.request("POST", "/set-cookie");
  EXPECT_EQ(res.status, 204);
  ASSERT_EQ(res.set_cookies.size(), 2u);
  EXPECT_EQ(client.cookie("sid"), "s3cr3t");
  EXPECT_EQ(client.request("GET", "/cookie").body, "s3cr3t");

  // Two Cookie header lines reach the handler as one "; "-separated list.
  auto responses =
      parse_responses(raw("GET /raw-cookie HTTP/1.1\r\nHost: x\r\nCookie: a=1\r\nCookie: b=2\r\n"
                          "Connection: close\r\n\r\n"));
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].body, "a=1; b=2");
}

TEST_F(HttpServerTest, AccessLogSeesEveryResponse) {
  start();
  TestClient client(kLocalhost, port());
  client.request("GET", "/hello");
  client.request("GET", "/throw");
  raw(std::string("\x01garbage\r\n\r\n"));
  client.request("GET", "/hello");
  // A log line is written after its response, so the client may see a response before the
  // line exists and lines from different connections may come in any order; stop() joins the
  // threads, after which every line is in.
  server_->stop();
  auto entries = log();
  ASSERT_EQ(entries.size(), 4u);
  std::map<int, std::vector<LogEntry>> by_status;
  for (const auto& e : entries) by_status[e.status].push_back(e);
  ASSERT_EQ(by_status[200].size(), 2u);
  EXPECT_EQ(by_status[200][0].method, "GET");
  EXPECT_EQ(by_status[200][0].path, "/hello");
  ASSERT_EQ(by_status[500].size(), 1u);
  EXPECT_EQ(by_status[500][0].path, "/throw");
  ASSERT_EQ(by_status[400].size(), 1u);
  EXPECT_EQ(by_status[400][0].method, "");  // no request line could be read
}

TEST_F(HttpServerTest, GracefulStopLetsInFlightRequestFinish) {
  start();
  HttpResponse slow;
  std::string failure;
  std::thread caller([&] {
    try {
      TestClient client(kLocalhost, port());
      slow = client.request("GET", "/slow");
    } catch (const std::exception& e) {
      failure = e.what();
    }
  });
  while (!slow_entered_.load()) std::this_thread::yield();
  std::thread stopper([this] { server_->stop(30); });
  wait_until_not_accepting();
  release_slow_ = true;
  caller.join();
  stopper.join();
  EXPECT_EQ(failure, "");
  EXPECT_EQ(slow.status, 200);
  EXPECT_EQ(slow.body, "slow done");
  EXPECT_EQ(slow.header("connection"), "close");

  // Stopped means stopped: nobody listens any more, and stopping again is harmless.
  TestClient late(kLocalhost, port());
  EXPECT_THROW(late.request("GET", "/hello"), std::runtime_error);
  server_->stop();
}

TEST_F(HttpServerTest, StopWithoutGraceStillShutsDown) {
  start();
  std::thread caller([&] {
    try {
      TestClient client(kLocalhost, port());
      client.request("GET", "/slow");  // may or may not get its answer; must not hang
    } catch (const std::exception&) {
    }
  });
  while (!slow_entered_.load()) std::this_thread::yield();
  std::thread stopper([this] { server_->stop(0); });
  wait_until_not_accepting();
  release_slow_ = true;
  caller.join();
  stopper.join();
  TestClient late(kLocalhost, port());
  EXPECT_THROW(late.request("GET", "/hello"), std::runtime_error);
}

TEST_F(HttpServerTest, StopClosesIdleKeepAliveConnections) {
  start();
  TestClient client(kLocalhost, port());
  EXPECT_EQ(client.request("GET", "/hello").status, 200);
  server_->stop(60);
  // The kept-alive connection was closed and no new one is accepted.
  EXPECT_THROW(client.request("GET", "/hello"), std::runtime_error);
}

TEST_F(HttpServerTest, BindFailureThrows) {
  start();
  ServerOptions options;
  options.host = kLocalhost;
  options.port = port();
  Server second(options, [](Request&) { return Response::no_content(); });
  EXPECT_THROW(second.start(), std::runtime_error);

  options.host = "not a host name";
  Server third(options, [](Request&) { return Response::no_content(); });
  EXPECT_THROW(third.start(), std::runtime_error);
}

TEST_F(HttpServerTest, RunUntilSignalStopsOnSigterm) {
  start();
  struct sigaction before {};
  ::sigaction(SIGTERM, nullptr, &before);
  std::thread runner([this] { server_->run_until_signal(); });
  // Wait until the server's handler is installed; only then is SIGTERM safe to send.
  for (;;) {
    struct sigaction now {};
    ::sigaction(SIGTERM, nullptr, &now);
    if (now.sa_handler != before.sa_handler) break;
    std::this_thread::yield();
  }
  ::kill(::getpid(), SIGTERM);
  runner.join();
  TestClient late(kLocalhost, port());
  EXPECT_THROW(late.request("GET", "/hello"), std::runtime_error);
}

TEST_F(HttpServerTest, RunUntilSignalReturnsWhenStoppedElsewhere) {
  start();
  struct sigaction before {};
  ::sigaction(SIGTERM, nullptr, &before);
  std::promise<void> returned;
  auto done = returned.get_future();
  std::thread runner([this, &returned] {
    server_->run_until_signal();
    returned.set_value();
  });
  // Wait until it blocks waiting for a signal (its handler is installed), so that the stop below
  // comes from elsewhere while it waits, not before it started.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  bool waiting = false;
  while (!waiting && std::chrono::steady_clock::now() < give_up) {
    struct sigaction now {};
    ::sigaction(SIGTERM, nullptr, &now);
    waiting = now.sa_handler != before.sa_handler;
    if (!waiting) std::this_thread::yield();
  }
  EXPECT_TRUE(waiting) << "run_until_signal never installed its signal handler";
  // While it waits, the server serves and run_until_signal has not returned.
  TestClient client(kLocalhost, port());
  EXPECT_EQ(client.request("GET", "/hello").body, "hello");
  EXPECT_EQ(done.wait_for(std::chrono::milliseconds(100)), std::future_status::timeout)
      << "run_until_signal returned without a signal or a stop";

  server_->stop();
  const bool came_back = done.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
  if (!came_back) ::kill(::getpid(), SIGTERM);  // unblock it, so that join cannot hang the run
  runner.join();
  EXPECT_TRUE(came_back) << "run_until_signal did not return within 10 s of stop()";
  // It returned because the server stopped: nothing is accepted any more.
  TestClient late(kLocalhost, port());
  EXPECT_THROW(late.request("GET", "/hello"), std::runtime_error);
}

TEST_F(HttpServerTest, TheClientAddressIsTakenFromTheHeaderOfATrustedProxyOnly) {
  // Not configured: a client cannot choose its address with a header.
  start();
  TestClient client(kLocalhost, port());
  EXPECT_EQ(client.request("GET", "/remote", "", {{"X-Forwarded-For", "198.51.100.7"}}).body,
            "127.0.0.1");
  server_.reset();
  // The loopback peer is a configured proxy: the hop it saw is the client.
  ServerOptions trusted;
  trusted.trusted_proxies = "127.0.0.1";
  start(trusted);
  TestClient behind(kLocalhost, port());
  EXPECT_EQ(
      behind.request("GET", "/remote", "", {{"X-Forwarded-For", "6.6.6.6, 198.51.100.7"}}).body,
      "198.51.100.7");
  EXPECT_EQ(behind.request("GET", "/remote").body, "127.0.0.1");
  server_.reset();
  // X-Real-IP when that is the configured header; X-Forwarded-For is then ignored.
  ServerOptions real_ip;
  real_ip.trusted_proxies = "127.0.0.0/8";
  real_ip.client_ip_header = "x-real-ip";
  start(real_ip);
  TestClient nginx(kLocalhost, port());
  EXPECT_EQ(nginx.request("GET", "/remote", "", {{"X-Forwarded-For", "6.6.6.6"}}).body,
            "127.0.0.1");
  EXPECT_EQ(nginx.request("GET", "/remote", "", {{"X-Real-IP", "2001:db8::9"}}).body,
            "2001:db8::9");
}

TEST_F(HttpServerTest, StrictTransportSecurityOnlyWhenConfigured) {
  start();
  TestClient plain(kLocalhost, port());
  EXPECT_EQ(plain.request("GET", "/hello").header("strict-transport-security"), "");
  server_.reset();
  ServerOptions tls;
  tls.hsts = true;
  start(tls);
  TestClient behind_tls(kLocalhost, port());
  EXPECT_EQ(behind_tls.request("GET", "/hello").header("strict-transport-security"),
            "max-age=31536000");
}

TEST_F(HttpServerTest, AnEncodedNewlineInThePathReachesTheLogEscaped) {
  start();
  TestClient client(kLocalhost, port());
  client.request("GET", "/nowhere%0aGET%20/admin%20200");
  server_.reset();  // the access log runs after the write; stopping waits for it
  std::lock_guard lock(log_mu_);
  ASSERT_FALSE(log_.empty());
  EXPECT_EQ(log_.back().path, "/nowhere\nGET /admin 200");  // the handler sees the real path
  Request logged;
  logged.method = log_.back().method;
  logged.path = log_.back().path;
  EXPECT_EQ(access_log_line(logged, log_.back().status, 1).find('\n'), std::string::npos);
}

}  // namespace
}  // namespace civicloop::http
