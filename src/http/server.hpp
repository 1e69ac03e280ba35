// The HTTP/1.1 server: Boost.Beast with C++20 coroutines on a pool of threads.
//
// It owns the listening socket and the connections; for every complete request it calls the
// handler (on one of its threads; the handler may block on the database) and writes the response.
// Safe defaults on every connection: a read timeout, a header and body size limit, a cap on the
// number of requests served on one keep-alive connection, and a graceful stop that lets requests
// in flight finish. Beast and Asio are included only in server.cpp.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "http/message.hpp"

namespace civicloop::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;  // 0 picks a free port; port() tells which
  int threads = 4;
  // Writes (POST, PUT, PATCH, DELETE) run on this many threads of their own, so that requests
  // waiting for a durable group commit do not hold the io threads; 0 runs them on the io threads.
  int write_threads = 64;
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 8 * 1024 * 1024;
  int read_timeout_seconds = 30;  // for the whole request once its first byte arrived
  int idle_timeout_seconds = 60;  // keep-alive connection with no request
  int max_requests_per_connection = 1000;
  // Peers (net::AllowList text) whose client_ip_header is believed; from any other peer the
  // header is ignored and the socket's address is the client's. Empty: no proxy is trusted.
  std::string trusted_proxies;
  std::string client_ip_header = "x-forwarded-for";  // or "x-real-ip"
  bool hsts = false;  // Strict-Transport-Security on every answer (TLS terminates in front)
};

using Handler = std::function<Response(Request&)>;
// Called once per request after the response is written: method, path, status, microseconds.
using AccessLog = std::function<void(const Request&, int status, std::int64_t micros)>;

class Server {
 public:
  Server(ServerOptions options, Handler handler, AccessLog log = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts the threads; returns once the socket listens. Throws std::runtime_error
  // when it cannot bind.
  void start();
  std::uint16_t port() const;
  // Stops accepting, lets requests in flight finish (up to grace_seconds), then joins the threads.
  // Idempotent; the destructor calls it. A handler that never returns cannot be interrupted, and
  // stop() waits for it. Calling stop() from inside a handler throws std::logic_error.
  void stop(int grace_seconds = 10);
  // Blocks until SIGINT or SIGTERM, then stops gracefully.
  void run_until_signal();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace civicloop::http
