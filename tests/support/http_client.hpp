// A small blocking HTTP/1.1 client for tests, on plain POSIX sockets (no Beast or Asio, so test
// files that use it compile fast). It speaks just enough HTTP to check the server: one
// keep-alive connection reused across requests, Content-Length, chunked and read-to-close
// bodies, interim 1xx responses skipped, and an optional cookie jar.
//
// A TestClient is not thread-safe; use one per thread. Failures to connect, send or read, and
// responses it cannot parse, throw std::runtime_error.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace civicloop::test {

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names; repeats joined by ", "
  std::string body;
  std::vector<std::string> set_cookies;  // every Set-Cookie value, in order

  // The header's value, or "" when absent. name in lower case.
  std::string header(std::string_view name) const;
};

class TestClient {
 public:
  TestClient(std::string host, std::uint16_t port);
  ~TestClient();
  TestClient(const TestClient&) = delete;
  TestClient& operator=(const TestClient&) = delete;

  // Sends one request on the kept-alive connection (opening a new one when there is none or the
  // server closed it) and reads the response. Content-Length is added when a body is given or
  // the method is POST, PUT or PATCH; headers override the defaults of set_header.
  HttpResponse request(const std::string& method, const std::string& path,
                       const std::string& body = "",
                       const std::map<std::string, std::string>& headers = {});

  // With the jar on, Set-Cookie from responses is stored (Max-Age<=0 deletes) and sent back.
  void keep_cookies(bool on) { keep_cookies_ = on; }
  std::optional<std::string> cookie(const std::string& name) const;
  void set_cookie(const std::string& name, const std::string& value) { jar_[name] = value; }
  void clear_cookies() { jar_.clear(); }

  // A header sent with every request (X-CSRF-Token, Accept-Language ...); "" removes it.
  void set_header(const std::string& name, const std::string& value);

  void set_timeout_ms(int ms) { timeout_ms_ = ms; }
  // How many TCP connections this client has opened: tells whether keep-alive reuse happened.
  int connections_opened() const { return connections_opened_; }
  bool connected() const { return fd_ >= 0; }
  void close();

 private:
  void connect();
  bool send_all(const std::string& bytes);
  std::string build(const std::string& method, const std::string& path, const std::string& body,
                    const std::map<std::string, std::string>& headers) const;
  void remember_cookies(const HttpResponse& response);

  std::string host_;
  std::uint16_t port_;
  int fd_ = -1;
  int timeout_ms_ = 10000;
  int connections_opened_ = 0;
  bool keep_cookies_ = false;
  std::map<std::string, std::string> default_headers_;
  std::map<std::string, std::string> jar_;
  std::string pending_;  // bytes read past the last response
};

// Connects, writes bytes, and reads until the peer closes or timeout_ms passes; returns what was
// read. closed_by_peer, when given, tells whether the server closed (FIN or reset) before the
// timeout. For malformed-request and timeout tests.
std::string raw_exchange(const std::string& host, std::uint16_t port, const std::string& bytes,
                         int timeout_ms, bool* closed_by_peer = nullptr);

// Splits raw bytes into the complete responses they hold, in order (interim 1xx responses are
// included). head: the requests were HEAD, so no response has a body.
std::vector<HttpResponse> parse_responses(std::string_view bytes, bool head = false);

}  // namespace civicloop::test
