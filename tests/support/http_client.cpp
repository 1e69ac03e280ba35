#include "support/http_client.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace civicloop::test {

namespace {

using Clock = std::chrono::steady_clock;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

int open_connection(const std::string& host, std::uint16_t port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  std::string service = std::to_string(port);
  int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found);
  if (rc != 0) throw std::runtime_error("test client: cannot resolve " + host);
  int fd = -1;
  for (addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) continue;
    if (::connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) break;
    ::close(fd);
    fd = -1;
  }
  ::freeaddrinfo(found);
  if (fd < 0) {
    throw std::runtime_error("test client: cannot connect to " + host + ":" + service + ": " +
                             std::strerror(errno));
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

// Reads what is available, waiting until the deadline. Returns bytes read, 0 on EOF, -1 on a
// reset, -2 on timeout.
long read_some(int fd, std::string& into, Clock::time_point deadline) {
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return -2;
    pollfd p{fd, POLLIN, 0};
    int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return -1;
    if (ready == 0) return -2;
    char buf[16384];
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    into.append(buf, static_cast<std::size_t>(n));
    return n;
  }
}

enum class Parse { kIncomplete, kDone, kError };

// Parses one response from the front of data. eof: no more bytes will come, so a body without
// length ends here.
Parse parse_one(std::string_view data, bool head, bool eof, HttpResponse& out,
                std::size_t& consumed) {
  std::size_t header_end = data.find("\r\n\r\n");
  if (header_end == std::string_view::npos) return Parse::kIncomplete;
  std::string_view head_block = data.substr(0, header_end);
  std::size_t line_end = head_block.find("\r\n");
  std::string_view status_line = head_block.substr(0, line_end);
  if (status_line.substr(0, 5) != "HTTP/" || status_line.size() < 12) return Parse::kError;
  out = HttpResponse{};
  out.status = std::atoi(std::string(status_line.substr(9, 3)).c_str());
  if (out.status < 100) return Parse::kError;
  std::string_view rest =
      line_end == std::string_view::npos ? std::string_view{} : head_block.substr(line_end + 2);
  while (!rest.empty()) {
    std::size_t eol = rest.find("\r\n");
    std::string_view line = rest.substr(0, eol);
    rest = eol == std::string_view::npos ? std::string_view{} : rest.substr(eol + 2);
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) return Parse::kError;
    std::string name = lower(trim(line.substr(0, colon)));
    std::string value(trim(line.substr(colon + 1)));
    if (name == "set-cookie") out.set_cookies.push_back(value);
    auto [it, inserted] = out.headers.try_emplace(name, value);
    if (!inserted) it->second += ", " + value;
  }
  std::size_t pos = header_end + 4;

  if (head || out.status < 200 || out.status == 204 || out.status == 304) {
    consumed = pos;
    return Parse::kDone;
  }
  auto te = out.headers.find("transfer-encoding");
  if (te != out.headers.end() && lower(te->second).find("chunked") != std::string::npos) {
    for (;;) {
      std::size_t eol = data.find("\r\n", pos);
      if (eol == std::string_view::npos) return eof ? Parse::kError : Parse::kIncomplete;
      std::string size_text(data.substr(pos, eol - pos));
      size_text = size_text.substr(0, size_text.find(';'));
      char* end = nullptr;
      unsigned long size = std::strtoul(size_text.c_str(), &end, 16);
      if (size_text.empty() || end == size_text.c_str()) return Parse::kError;
      pos = eol + 2;
      if (size == 0) {
        // Trailers, then an empty line.
        for (;;) {
          std::size_t trailer_end = data.find("\r\n", pos);
          if (trailer_end == std::string_view::npos) {
            return eof ? Parse::kError : Parse::kIncomplete;
          }
          bool empty = trailer_end == pos;
          pos = trailer_end + 2;
          if (empty) break;
        }
        consumed = pos;
        return Parse::kDone;
      }
      if (data.size() < pos + size + 2) return eof ? Parse::kError : Parse::kIncomplete;
      out.body.append(data.substr(pos, size));
      pos += size + 2;
    }
  }
  auto cl = out.headers.find("content-length");
  if (cl != out.headers.end()) {
    std::size_t length = std::stoull(cl->second);
    if (data.size() < pos + length) return eof ? Parse::kError : Parse::kIncomplete;
    out.body.assign(data.substr(pos, length));
    consumed = pos + length;
    return Parse::kDone;
  }
  // No framing: the body runs to the end of the connection.
  if (!eof) return Parse::kIncomplete;
  out.body.assign(data.substr(pos));
  consumed = data.size();
  return Parse::kDone;
}

bool wants_close(const HttpResponse& r) {
  auto it = r.headers.find("connection");
  return it != r.headers.end() && lower(it->second).find("close") != std::string::npos;
}

}  // namespace

std::string HttpResponse::header(std::string_view name) const {
  auto it = headers.find(lower(name));
  return it == headers.end() ? std::string{} : it->second;
}

TestClient::TestClient(std::string host, std::uint16_t port)
    : host_(std::move(host)), port_(port) {}

TestClient::~TestClient() { close(); }

void TestClient::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  pending_.clear();
}

void TestClient::connect() {
  close();
  fd_ = open_connection(host_, port_);
  ++connections_opened_;
}

bool TestClient::send_all(const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

void TestClient::set_header(const std::string& name, const std::string& value) {
  std::string key = lower(name);
  if (value.empty()) {
    default_headers_.erase(key);
  } else {
    default_headers_[key] = value;
  }
}

std::optional<std::string> TestClient::cookie(const std::string& name) const {
  auto it = jar_.find(name);
  if (it == jar_.end()) return std::nullopt;
  return it->second;
}

std::string TestClient::build(const std::string& method, const std::string& path,
                              const std::string& body,
                              const std::map<std::string, std::string>& headers) const {
  std::map<std::string, std::string> all = default_headers_;
  for (const auto& [name, value] : headers) all[lower(name)] = value;
  if (keep_cookies_ && !jar_.empty() && all.find("cookie") == all.end()) {
    std::string cookies;
    for (const auto& [name, value] : jar_) {
      if (!cookies.empty()) cookies += "; ";
      cookies.append(name).append("=").append(value);
    }
    all["cookie"] = cookies;
  }
  if (all.find("host") == all.end()) all["host"] = host_ + ":" + std::to_string(port_);
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
    all["content-length"] = std::to_string(body.size());
  }
  std::string out = method + " " + path + " HTTP/1.1\r\n";
  for (const auto& [name, value] : all) out.append(name).append(": ").append(value).append("\r\n");
  out += "\r\n";
  out += body;
  return out;
}

void TestClient::remember_cookies(const HttpResponse& response) {
  for (const std::string& set_cookie : response.set_cookies) {
    std::string_view text = set_cookie;
    std::size_t semi = text.find(';');
    std::string_view pair = text.substr(0, semi);
    std::size_t eq = pair.find('=');
    if (eq == std::string_view::npos) continue;
    std::string name(trim(pair.substr(0, eq)));
    std::string value(trim(pair.substr(eq + 1)));
    bool expired = false;
    std::string attributes = semi == std::string_view::npos ? "" : lower(text.substr(semi));
    std::size_t max_age = attributes.find("max-age=");
    if (max_age != std::string::npos) {
      expired = std::atol(attributes.c_str() + max_age + 8) <= 0;
    }
    if (attributes.find("expires=") != std::string::npos &&
        attributes.find("1970") != std::string::npos) {
      expired = true;
    }
    if (expired) {
      jar_.erase(name);
    } else {
      jar_[name] = value;
    }
  }
}

HttpResponse TestClient::request(const std::string& method, const std::string& path,
                                 const std::string& body,
                                 const std::map<std::string, std::string>& headers) {
  const std::string bytes = build(method, path, body, headers);
  const bool head = method == "HEAD";
  for (int attempt = 0;; ++attempt) {
    bool reused = fd_ >= 0;
    if (!reused) connect();
    if (!send_all(bytes)) {
      // The server closed the kept-alive connection since the last request: retry once.
      if (reused && attempt == 0) {
        close();
        continue;
      }
      close();
      throw std::runtime_error("test client: send failed: " + std::string(std::strerror(errno)));
    }
    auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms_);
    std::string& data = pending_;
    bool eof = false;
    bool read_anything = !data.empty();
    for (;;) {
      HttpResponse response;
      std::size_t consumed = 0;
      Parse p = parse_one(data, head, eof, response, consumed);
      if (p == Parse::kDone) {
        data.erase(0, consumed);
        if (response.status < 200) continue;  // 100 Continue and friends
        if (keep_cookies_) remember_cookies(response);
        if (wants_close(response) || eof) close();
        return response;
      }
      if (p == Parse::kError) {
        close();
        throw std::runtime_error("test client: malformed response");
      }
      if (eof) break;
      long n = read_some(fd_, data, deadline);
      if (n == -2) {
        close();
        throw std::runtime_error(std::string("test client: timed out waiting for ")
                                     .append(method)
                                     .append(" ")
                                     .append(path));
      }
      if (n <= 0) {
        eof = true;
      } else {
        read_anything = true;
      }
    }
    // The connection ended before a complete response.
    close();
    if (reused && !read_anything && attempt == 0) continue;
    throw std::runtime_error(std::string("test client: connection closed before a response to ")
                                 .append(method)
                                 .append(" ")
                                 .append(path));
  }
}

std::string raw_exchange(const std::string& host, std::uint16_t port, const std::string& bytes,
                         int timeout_ms, bool* closed_by_peer) {
  int fd = open_connection(host, port);
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // the server may close early (an over-long body); read what it said
    sent += static_cast<std::size_t>(n);
  }
  std::string received;
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  bool closed = false;
  for (;;) {
    long n = read_some(fd, received, deadline);
    if (n == -2) break;
    if (n <= 0) {
      closed = true;
      break;
    }
  }
  ::close(fd);
  if (closed_by_peer != nullptr) *closed_by_peer = closed;
  return received;
}

std::vector<HttpResponse> parse_responses(std::string_view bytes, bool head) {
  std::vector<HttpResponse> out;
  while (!bytes.empty()) {
    HttpResponse response;
    std::size_t consumed = 0;
    if (parse_one(bytes, head, true, response, consumed) != Parse::kDone) break;
    out.push_back(std::move(response));
    bytes.remove_prefix(consumed);
  }
  return out;
}

}  // namespace civicloop::test
