// The only translation unit that includes Beast and Asio (they cost ~18 s and ~0.8 GB to compile).
//
// Threading: one io_context runs on options.threads threads. Every connection is a coroutine on
// its own strand, so a connection's socket, timer and buffers are only touched from that strand;
// the server talks to a connection (stop, forced close) by posting to its strand. The handler is
// called inside the connection coroutine, i.e. on an io thread: a handler that blocks (on the
// database, say) holds that thread for as long as it blocks, and with N threads at most N
// requests are handled at once. Writes (POST, PUT, PATCH, DELETE) are the exception: they may
// wait for the group-commit writer's durable commit (storage/writer.hpp), so they run on a pool of
// options.write_threads threads instead, and the io threads go on reading and answering other
// requests meanwhile; many writes waiting at once is what lets one commit acknowledge many.
#include "http/server.hpp"

#include "http/errors.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <ctime>
#include <exception>
#include <filesystem>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <unordered_set>
#include <vector>

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/file_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/message_generator.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "domain/net.hpp"

namespace civicloop::http {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kFirstReadBytes = 4096;
constexpr std::size_t kReadBytes = 16384;
// After the server decides to close, it half-closes and reads what the client still sends for
// a short while before closing: closing with unread input makes the kernel send a reset, which
// can destroy the response the client has not read yet (a 413 is the usual victim).
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr std::size_t kLingerBytes = std::size_t{1024} * 1024;

// Errors the server answers itself, before or around the handler, with the catalogue's Chinese
// message (src/http/errors.json). Not localised: no handler has looked at Accept-Language yet.
std::string error_body(std::string_view code, std::string_view message,
                       std::string_view details_json = "{}") {
  std::string out = R"({"error":{"code":")";
  out += code;
  out += R"(","message":")";
  out += message;
  out += R"(","details":)";
  out += details_json;
  out += "}}";
  return out;
}

// The message of a code in the first language (no request was read to choose another).
std::string zh_message(std::string_view code) {
  return message_of(Error{std::string(code), {}, {}}, Lang::kZh);
}

Response internal_error() {
  return Response::json(500, error_body("internal", zh_message("internal")));
}

// What to answer when reading a request failed; nullopt means close without answering (the
// peer went away, timed out, or the socket was closed by stop()).
std::optional<Response> read_error_response(const beast::error_code& ec,
                                            const ServerOptions& options) {
  if (ec == bhttp::error::body_limit) {
    return Response::json(
        413, error_body("request.body_too_large", zh_message("request.body_too_large"),
                        R"({"limit":)" + std::to_string(options.max_body_bytes) + "}"));
  }
  if (ec == bhttp::error::header_limit) {
    return Response::json(
        431, error_body("request.header_too_large", zh_message("request.header_too_large"),
                        R"({"limit":)" + std::to_string(options.max_header_bytes) + "}"));
  }
  if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message) {
    return std::nullopt;
  }
  if (ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category()) {
    return Response::json(400, error_body("request.malformed", zh_message("request.malformed")));
  }
  return std::nullopt;
}

bool has_body(int status) { return status >= 200 && status != 204 && status != 304; }

bool safe_header_text(std::string_view s) {
  return s.find_first_of("\r\n") == std::string_view::npos && s.find('\0') == s.npos;
}

// RFC 9110 requires a Date header from a server with a clock; formatting it once a second is
// plenty.
std::string http_date() {
  thread_local std::time_t cached_at = 0;
  thread_local std::string cached;
  std::time_t now = std::time(nullptr);
  if (now != cached_at || cached.empty()) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[64];
    std::size_t n = std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    cached.assign(buf, n);
    cached_at = now;
  }
  return cached;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

void log_exception(std::string_view where, const std::exception_ptr& e) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    spdlog::error("http: {}: {}", where, ex.what());
  } catch (...) {
    spdlog::error("http: {}: unknown exception", where);
  }
}

struct Connection {
  explicit Connection(tcp::socket socket) : stream(std::move(socket)) {}
  beast::tcp_stream stream;  // its executor is the connection's strand
  bool idle = false;         // waiting for the first byte of a request; strand only
};

bool is_write(bhttp::verb v) {
  return v == bhttp::verb::post || v == bhttp::verb::put || v == bhttp::verb::patch ||
         v == bhttp::verb::delete_;
}

}  // namespace

struct Server::Impl {
  Impl(ServerOptions o, Handler h, AccessLog l)
      : options(std::move(o)), handler(std::move(h)), access_log(std::move(l)) {
    if (options.threads < 1) options.threads = 1;
    if (options.read_timeout_seconds < 1) options.read_timeout_seconds = 1;
    if (options.idle_timeout_seconds < 1) options.idle_timeout_seconds = 1;
    if (options.max_requests_per_connection < 1) options.max_requests_per_connection = 1;
    std::string bad;
    auto list = net::AllowList::parse(options.trusted_proxies, &bad);
    if (!list) throw std::invalid_argument("trusted_proxies: not an address or CIDR block: " + bad);
    trusted_proxies = std::move(*list);
  }

  // Declared before the io_context on purpose: when the io_context is destroyed it destroys the
  // coroutine frames still queued in it, and their guards touch mu, cv and connections.
  ServerOptions options;
  net::AllowList trusted_proxies;
  Handler handler;
  AccessLog access_log;
  std::mutex mu;
  std::condition_variable cv;
  std::unordered_set<std::shared_ptr<Connection>> connections;  // guarded by mu
  bool signalled = false;                                       // guarded by mu
  std::atomic<bool> stopping{false};

  std::mutex lifecycle_mu;  // serialises start() and stop()
  bool started = false;
  bool stopped = false;
  std::uint16_t bound_port = 0;

  asio::io_context ioc{options.threads};
  // Writes run here (see the top of this file); joined in stop() after the io threads.
  asio::thread_pool write_pool{static_cast<std::size_t>(std::max(options.write_threads, 1))};
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  tcp::acceptor acceptor{asio::make_strand(ioc)};
  std::optional<asio::signal_set> signals;  // created by run_until_signal, guarded by mu
  std::vector<std::thread> threads;

  // Keeps the set of live connections for stop(); wakes stop() when the last one leaves.
  struct Registration {
    Registration(Impl& impl, std::shared_ptr<Connection> c) : impl(impl), conn(std::move(c)) {
      std::lock_guard lock(impl.mu);
      impl.connections.insert(conn);
    }
    ~Registration() {
      std::lock_guard lock(impl.mu);
      impl.connections.erase(conn);
      impl.cv.notify_all();
    }
    Impl& impl;
    std::shared_ptr<Connection> conn;
  };

  void run_thread() {
    for (;;) {
      try {
        ioc.run();
        return;
      } catch (...) {
        // Nothing should get here (every coroutine catches), but a thread must never die.
        log_exception("io thread", std::current_exception());
      }
    }
  }

  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(ioc), kUseTuple);
      if (stopping.load()) co_return;  // the socket, if any, closes as it goes out of scope
      if (ec) {
        if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
        // Out of file descriptors and the like: say so, and do not spin.
        spdlog::warn("http: accept failed: {}", ec.message());
        asio::steady_timer pause(co_await asio::this_coro::executor, std::chrono::milliseconds(50));
        co_await pause.async_wait(kUseTuple);
        continue;
      }
      // No Nagle: a response goes out in more than one write (header, body pieces), and
      // holding back the last piece until the client's delayed ACK (40 ms on Linux) capped every
      // keep-alive connection at ~23 requests per second.
      {
        beast::error_code nodelay_ec;
        socket.set_option(tcp::no_delay(true), nodelay_ec);
      }
      auto conn = std::make_shared<Connection>(tcp::socket(std::move(socket)));
      asio::co_spawn(conn->stream.get_executor(), session(conn),
                     [](const std::exception_ptr& e) { log_exception("connection", e); });
    }
  }

  Response call_handler(Request& req) {
    try {
      return handler(req);
    } catch (const std::exception& e) {
      spdlog::error("http: handler failed on {} {}: {}", req.method, log_safe(req.target),
                    log_safe(e.what()));
    } catch (...) {
      spdlog::error("http: handler failed on {} {}: unknown exception", req.method,
                    log_safe(req.target));
    }
    return internal_error();
  }

  void log_access(const Request& req, int status, Clock::time_point started_at) {
    if (!access_log) return;
    auto micros =
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started_at).count();
    try {
      access_log(req, status, static_cast<std::int64_t>(micros));
    } catch (...) {
      log_exception("access log", std::current_exception());
    }
  }

  std::chrono::seconds write_timeout() const {
    return std::chrono::seconds(options.read_timeout_seconds);
  }

  // Writes piece by piece so that the timeout bounds a stall, not the whole transfer: a large
  // static file to a slow but steady phone still goes through. The generator erases the body
  // type, so there is one write operation to compile rather than one per body type.
  asio::awaitable<beast::error_code> write_message(beast::tcp_stream& stream,
                                                   bhttp::message_generator generator) {
    while (!generator.is_done()) {
      beast::error_code ec;
      auto buffers = generator.prepare(ec);
      if (ec) co_return ec;
      stream.expires_after(write_timeout());
      auto [write_ec, n] = co_await stream.async_write_some(buffers, kUseTuple);
      if (write_ec) co_return write_ec;
      generator.consume(n);
    }
    co_return beast::error_code{};
  }

  // Writes res; returns the status actually sent and whether the write succeeded.
  asio::awaitable<std::pair<int, bool>> write_response(beast::tcp_stream& stream, Response res,
                                                       unsigned version, bool head,
                                                       bool keep_alive) {
    if (res.status < 200 || res.status > 599) {
      spdlog::error("http: handler returned status {}; answering 500", res.status);
      res = internal_error();
    }
    // Static files: refuse anything but a regular file (a directory opens fine on POSIX and
    // then fails halfway through the response).
    std::optional<bhttp::file_body::value_type> file;
    if (!res.file_path.empty() && has_body(res.status)) {
      std::error_code fs_ec;
      beast::error_code ec;
      if (std::filesystem::is_regular_file(res.file_path, fs_ec)) {
        file.emplace();
        file->open(res.file_path.c_str(), beast::file_mode::scan, ec);
      }
      if (fs_ec || ec || !file || !file->is_open()) {
        file.reset();
        res = Response::json(404, error_body("not_found", zh_message("not_found")));
      }
    }

    bhttp::response_header<> header;
    header.version(version);
    header.result(static_cast<unsigned>(res.status));
    header.set(bhttp::field::server, "civicloop");
    header.set(bhttp::field::date, http_date());
    header.set("X-Content-Type-Options", "nosniff");
    header.set("X-Frame-Options", "DENY");
    header.set("Referrer-Policy", "same-origin");
    if (options.hsts) header.set(bhttp::field::strict_transport_security, "max-age=31536000");
    bool body_allowed = has_body(res.status);
    if (!safe_header_text(res.content_type)) {
      spdlog::error("http: dropping Content-Type with CR, LF or NUL");
      res.content_type.clear();
    }
    if (body_allowed && !res.content_type.empty()) {
      header.set(bhttp::field::content_type, res.content_type);
    }
    for (const auto& [name, value] : res.headers) {
      if (name.empty() || !safe_header_text(name) || !safe_header_text(value)) {
        spdlog::error("http: dropping response header with CR, LF or NUL: {}", name);
        continue;
      }
      // Framing and connection management belong to the server.
      if (beast::iequals(name, "content-length") || beast::iequals(name, "transfer-encoding") ||
          beast::iequals(name, "connection")) {
        continue;
      }
      if (beast::iequals(name, "content-type")) {
        header.set(bhttp::field::content_type, value);
      } else {
        header.insert(name, value);
      }
    }
    int status = res.status;

    beast::error_code ec;
    if (file && !head) {
      std::uint64_t size = file->size();
      bhttp::response<bhttp::file_body> message{std::move(header), std::move(*file)};
      message.content_length(size);
      message.keep_alive(keep_alive);
      ec = co_await write_message(stream, std::move(message));
    } else if (file || head || !body_allowed) {
      // HEAD gets the GET headers, Content-Length included, and no body.
      std::optional<std::uint64_t> length;
      if (file) {
        length = file->size();
      } else if (body_allowed) {
        length = res.body.size();
      }
      bhttp::response<bhttp::empty_body> message{std::move(header)};
      if (length) message.content_length(*length);
      message.keep_alive(keep_alive);
      ec = co_await write_message(stream, std::move(message));
    } else {
      bhttp::response<bhttp::string_body> message{std::move(header), std::move(res.body)};
      message.content_length(message.body().size());
      message.keep_alive(keep_alive);
      ec = co_await write_message(stream, std::move(message));
    }
    co_return std::pair{status, !ec};
  }

  using Parser = bhttp::request_parser<bhttp::string_body>;

  // Feeds the parser from the buffer, reading more from the stream as needed, until it holds
  // the header (header_only) or the whole request. This is Beast's read loop (http/impl/read.hpp)
  // written out: with one read operation for both phases, instead of the composed operations of
  // async_read_header and async_read, server.cpp compiles markedly faster.
  asio::awaitable<beast::error_code> read_into(beast::tcp_stream& stream,
                                               beast::flat_buffer& buffer, Parser& parser,
                                               bool header_only) {
    parser.eager(!header_only);
    for (;;) {
      if (header_only ? parser.is_header_done() : parser.is_done()) co_return beast::error_code{};
      if (buffer.size() > 0) {
        beast::error_code ec;
        std::size_t used = parser.put(buffer.data(), ec);
        buffer.consume(used);
        if (!ec) continue;
        if (ec != bhttp::error::need_more) co_return ec;
      }
      auto [ec, n] = co_await stream.async_read_some(buffer.prepare(kReadBytes), kUseTuple);
      buffer.commit(n);
      if (ec == asio::error::eof) {
        if (!parser.got_some()) co_return beast::error_code(bhttp::error::end_of_stream);
        beast::error_code eof_ec;
        parser.put_eof(eof_ec);  // completes the message or says partial_message
        if (eof_ec) co_return eof_ec;
        continue;
      }
      if (ec) co_return ec;
    }
  }

  // Half-closes, then reads and discards for a moment so the client can read the response
  // before the connection goes (see kLingerTime).
  asio::awaitable<void> linger_close(beast::tcp_stream& stream) {
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (!ec) {
      stream.expires_after(std::min<std::chrono::seconds>(kLingerTime, write_timeout()));
      std::size_t total = 0;
      char scratch[4096];
      while (total < kLingerBytes) {
        auto [rec, n] = co_await stream.async_read_some(asio::buffer(scratch), kUseTuple);
        if (rec) break;
        total += n;
      }
    }
    stream.close();
  }

  asio::awaitable<void> session(std::shared_ptr<Connection> conn) {
    Registration registration(*this, conn);
    beast::tcp_stream& stream = conn->stream;
    std::string remote;
    {
      beast::error_code ec;
      auto endpoint = stream.socket().remote_endpoint(ec);
      if (!ec) remote = endpoint.address().to_string();
    }
    beast::flat_buffer buffer;
    int served = 0;
    bool linger = false;

    for (;;) {
      if (stopping.load()) break;
      // Idle phase: wait for the first byte of the next request (unless one is already
      // buffered, pipelined behind the last). stop() closes connections that sit here.
      if (buffer.size() == 0) {
        conn->idle = true;
        stream.expires_after(std::chrono::seconds(options.idle_timeout_seconds));
        auto [ec, n] = co_await stream.async_read_some(buffer.prepare(kFirstReadBytes), kUseTuple);
        conn->idle = false;
        if (ec) break;
        buffer.commit(n);
      }

      // Read phase: the rest of the request under the read timeout.
      Clock::time_point started_at = Clock::now();
      Parser parser;
      parser.header_limit(
          static_cast<std::uint32_t>(std::min<std::size_t>(options.max_header_bytes, UINT32_MAX)));
      parser.body_limit(static_cast<std::uint64_t>(options.max_body_bytes));
      stream.expires_after(std::chrono::seconds(options.read_timeout_seconds));
      beast::error_code read_ec = co_await read_into(stream, buffer, parser, /*header_only=*/true);
      if (!read_ec && !parser.is_done()) {
        const auto& fields = parser.get();
        if (fields.version() >= 11 &&
            beast::iequals(fields[bhttp::field::expect], "100-continue")) {
          bhttp::response<bhttp::empty_body> go_on{bhttp::status::continue_, fields.version()};
          read_ec = co_await write_message(stream, std::move(go_on));
          if (read_ec) break;
          stream.expires_after(std::chrono::seconds(options.read_timeout_seconds));
        }
        read_ec = co_await read_into(stream, buffer, parser, /*header_only=*/false);
      }
      if (read_ec) {
        std::optional<Response> answer = read_error_response(read_ec, options);
        if (!answer) break;  // timeout, peer gone, or closed by stop()
        spdlog::debug("http: bad request from {}: {}", remote, read_ec.message());
        Request partial;
        partial.remote_address = remote;
        partial.peer_address = remote;
        if (parser.is_header_done()) {
          partial.method = std::string(parser.get().method_string());
          partial.target = std::string(parser.get().target());
          parse_target(partial.target, partial.path, partial.query);
        }
        unsigned version = parser.is_header_done() ? parser.get().version() : 11;
        bool head = parser.is_header_done() && parser.get().method() == bhttp::verb::head;
        // The rest of the stream cannot be framed any more: answer, then close.
        auto [status, ok] =
            co_await write_response(stream, std::move(*answer), version, head, false);
        if (ok) log_access(partial, status, started_at);
        linger = ok;
        break;
      }

      bhttp::request<bhttp::string_body> message = parser.release();
      Request req;
      req.method = std::string(message.method_string());
      req.target = std::string(message.target());
      req.peer_address = remote;
      for (const auto& field : message) {
        std::string name = lower(field.name_string());
        auto [it, inserted] = req.headers.try_emplace(name, field.value());
        if (!inserted) {
          // RFC 9110 section 5.3, except Cookie, whose pairs are separated by "; ".
          it->second += name == "cookie" ? "; " : ", ";
          it->second += field.value();
        }
      }
      req.body = std::move(message.body());
      // Behind a trusted reverse proxy the client is who the proxy says; otherwise the peer.
      {
        const auto forwarded = req.headers.find(options.client_ip_header);
        req.remote_address = net::client_address(
            remote, forwarded == req.headers.end() ? std::string_view{} : forwarded->second,
            trusted_proxies);
      }
      bool head = message.method() == bhttp::verb::head;
      unsigned version = message.version();

      Response res;
      if (!parse_target(req.target, req.path, req.query)) {
        res = Response::json(
            400, error_body("request.malformed_target", zh_message("request.malformed_target")));
      } else if (options.write_threads > 0 && is_write(message.method())) {
        res = co_await asio::co_spawn(
            write_pool.get_executor(),
            [this, &req]() -> asio::awaitable<Response> { co_return call_handler(req); },
            asio::use_awaitable);
      } else {
        res = call_handler(req);
      }

      ++served;
      bool keep_alive =
          message.keep_alive() && served < options.max_requests_per_connection && !stopping.load();
      auto [status, ok] =
          co_await write_response(stream, std::move(res), version, head, keep_alive);
      if (!ok) break;
      log_access(req, status, started_at);
      if (!keep_alive) {
        linger = true;
        break;
      }
    }

    if (linger) {
      co_await linger_close(stream);
    } else {
      stream.close();
    }
  }

  // Closes connections from outside their strand. With only_idle, only those waiting for a
  // request: the others finish the request they are on and then close (keep_alive is off once
  // stopping is set).
  void close_connections(bool only_idle) {
    std::vector<std::shared_ptr<Connection>> live;
    {
      std::lock_guard lock(mu);
      live.assign(connections.begin(), connections.end());
    }
    for (auto& conn : live) {
      asio::post(conn->stream.get_executor(), [conn, only_idle] {
        if (!only_idle || conn->idle) conn->stream.close();
      });
    }
  }

  bool wait_for_connections(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mu);
    return cv.wait_until(lock, deadline, [&] { return connections.empty(); });
  }
};

Server::Server(ServerOptions options, Handler handler, AccessLog log)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler), std::move(log))) {}

Server::~Server() {
  try {
    stop();
  } catch (...) {
    log_exception("stop", std::current_exception());
  }
}

void Server::start() {
  Impl& impl = *impl_;
  std::lock_guard lifecycle(impl.lifecycle_mu);
  if (impl.started) throw std::logic_error("http::Server::start called twice");
  const ServerOptions& options = impl.options;
  std::string where = options.host + ":" + std::to_string(options.port);

  beast::error_code ec;
  tcp::endpoint endpoint;
  auto address = asio::ip::make_address(options.host, ec);
  if (!ec) {
    endpoint = tcp::endpoint(address, options.port);
  } else {
    tcp::resolver resolver(impl.ioc);
    auto results = resolver.resolve(options.host, std::to_string(options.port), ec);
    if (ec || results.empty()) {
      throw std::runtime_error("http: cannot resolve " + where + ": " + ec.message());
    }
    endpoint = results.begin()->endpoint();
  }

  auto fail = [&](std::string_view what) {
    beast::error_code ignored;
    impl.acceptor.close(ignored);
    throw std::runtime_error("http: cannot " + std::string(what) + " " + where + ": " +
                             ec.message());
  };
  impl.acceptor.open(endpoint.protocol(), ec);
  if (ec) fail("open a socket for");
  impl.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (ec) fail("set SO_REUSEADDR for");
  impl.acceptor.bind(endpoint, ec);
  if (ec) fail("bind");
  impl.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) fail("listen on");
  impl.bound_port = impl.acceptor.local_endpoint(ec).port();

  impl.work.emplace(impl.ioc.get_executor());
  asio::co_spawn(impl.acceptor.get_executor(), impl.accept_loop(),
                 [](const std::exception_ptr& e) { log_exception("accept loop", e); });
  impl.threads.reserve(static_cast<std::size_t>(options.threads));
  for (int i = 0; i < options.threads; ++i) {
    impl.threads.emplace_back([&impl] { impl.run_thread(); });
  }
  impl.started = true;
  spdlog::info("http: listening on {}:{} with {} threads", endpoint.address().to_string(),
               impl.bound_port, options.threads);
}

std::uint16_t Server::port() const { return impl_->bound_port; }

void Server::stop(int grace_seconds) {
  Impl& impl = *impl_;
  std::lock_guard lifecycle(impl.lifecycle_mu);
  for (const auto& thread : impl.threads) {
    // A handler cannot wait for its own thread to finish.
    if (thread.get_id() == std::this_thread::get_id()) {
      throw std::logic_error("http::Server::stop called from a handler");
    }
  }
  if (!impl.started || impl.stopped) return;
  impl.stopped = true;
  impl.stopping.store(true);
  {
    std::lock_guard lock(impl.mu);
    if (impl.signals) {
      asio::post(impl.signals->get_executor(), [&impl] {
        beast::error_code ignored;
        impl.signals->cancel(ignored);
      });
    }
    impl.cv.notify_all();  // wakes run_until_signal
  }
  asio::post(impl.acceptor.get_executor(), [&impl] {
    beast::error_code ignored;
    impl.acceptor.close(ignored);
  });

  impl.close_connections(/*only_idle=*/true);
  auto deadline = Clock::now() + std::chrono::seconds(std::max(grace_seconds, 0));
  if (!impl.wait_for_connections(deadline)) {
    std::size_t left = 0;
    {
      std::lock_guard lock(impl.mu);
      left = impl.connections.size();
    }
    spdlog::warn("http: closing {} connection(s) still busy after {} s", left, grace_seconds);
    impl.close_connections(/*only_idle=*/false);
    impl.wait_for_connections(Clock::now() + kLingerTime);
  }
  impl.work.reset();
  // Whatever is still queued (a handler that never returns cannot be interrupted; join waits
  // for it) is dropped rather than run.
  {
    std::lock_guard lock(impl.mu);
    if (!impl.connections.empty()) impl.ioc.stop();
  }
  for (auto& thread : impl.threads) thread.join();
  impl.threads.clear();
  impl.write_pool.join();  // handlers still running refer to frames the io_context keeps
  spdlog::info("http: stopped");
}

void Server::run_until_signal() {
  Impl& impl = *impl_;
  bool need_start = false;
  {
    std::lock_guard lifecycle(impl.lifecycle_mu);
    if (impl.stopped) return;
    need_start = !impl.started;
  }
  if (need_start) start();
  {
    std::unique_lock lock(impl.mu);
    if (!impl.signals && !impl.stopping.load()) {
      impl.signals.emplace(asio::make_strand(impl.ioc), SIGINT, SIGTERM);
      impl.signals->async_wait([&impl](const beast::error_code& ec, int signal) {
        if (!ec) spdlog::info("http: signal {} received, stopping", signal);
        std::lock_guard inner(impl.mu);
        impl.signalled = true;
        impl.cv.notify_all();
      });
    }
    impl.cv.wait(lock, [&] { return impl.signalled || impl.stopping.load(); });
  }
  stop();
}

}  // namespace civicloop::http
