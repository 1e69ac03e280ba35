// Outbound webhooks (see webhook.hpp). The only translation unit of the client side that includes
// Beast, Asio and asio::ssl.
//
// One call = one io_context on the calling thread, one connection (Connection: close), one
// deadline timer for the whole call. When the timer fires it cancels the resolver and closes the
// socket, so whichever step is in flight completes with an error and the call reports a timeout.
// Every object the asynchronous operations touch lives in a Call on post_json()'s stack, which
// outlives io_context::run().
#include "http/webhook.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <exception>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

namespace civicloop::http {

namespace {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace json = boost::json;
namespace urls = boost::urls;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kMaxUrlBytes = 2048;
constexpr std::size_t kMaxHostBytes = 253;
constexpr std::size_t kWecomMarkdownBytes = 4096;
constexpr std::size_t kWecomTextBytes = 2048;
constexpr std::size_t kMaxResponseHeaderBytes = 16 * 1024;
constexpr std::size_t kMaxErrmsgBytes = 200;
constexpr std::size_t kFallbackTitleBytes = 64;
constexpr std::string_view kEllipsis = "…";
constexpr char kUserAgent[] = "civicloop-webhook/1";

// Robot error codes worth another attempt: WeCom 45009 (api freq out of limit), DingTalk 130101
// (send too fast), and -1 (system busy, on both).
constexpr std::array<std::int64_t, 3> kRetryableErrcodes = {45009, 130101, -1};

constexpr std::array<std::int64_t, 5> kRetryDelaysMs = {30'000, 120'000, 600'000, 1'800'000,
                                                        3'600'000};

// ---------------------------------------------------------------------------------------------
// Payloads

std::string one_line(std::string_view s) {
  std::string out(s);
  std::replace(out.begin(), out.end(), '\r', ' ');
  std::replace(out.begin(), out.end(), '\n', ' ');
  return out;
}

// Cuts s to at most max_bytes without splitting a UTF-8 sequence; a cut text ends in "…".
std::string truncate_utf8(std::string s, std::size_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  std::size_t cut = max_bytes > kEllipsis.size() ? max_bytes - kEllipsis.size() : 0;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  s.resize(cut);
  if (max_bytes >= kEllipsis.size()) s += kEllipsis;
  return s;
}

// Inline markdown to plain text: drops ** and <font ...>/</font>, writes [text](url) as
// "text url". Only ASCII markers are touched, so UTF-8 text passes through unchanged.
std::string inline_plain(std::string_view line) {
  std::string out;
  std::size_t i = 0;
  while (i < line.size()) {
    std::string_view rest = line.substr(i);
    if (rest.starts_with("**")) {
      i += 2;
      continue;
    }
    if (rest.starts_with("<font") || rest.starts_with("</font>")) {
      std::size_t close = rest.find('>');
      if (close != std::string_view::npos) {
        i += close + 1;
        continue;
      }
    }
    if (rest.front() == '[') {
      std::size_t mid = rest.find("](");
      std::size_t end = mid == std::string_view::npos ? mid : rest.find(')', mid + 2);
      if (end != std::string_view::npos) {
        out += rest.substr(1, mid - 1);
        out += ' ';
        out += rest.substr(mid + 2, end - mid - 2);
        i += end + 1;
        continue;
      }
    }
    out += rest.front();
    ++i;
  }
  return out;
}

// WeCom's text messages do not render markdown: drop heading and quote markers and inline markup.
std::string markdown_to_plain(std::string_view md) {
  std::string out;
  std::size_t pos = 0;
  while (true) {
    std::size_t nl = md.find('\n', pos);
    std::string_view line = md.substr(pos, nl == std::string_view::npos ? nl : nl - pos);
    std::size_t hashes = 0;
    while (hashes < line.size() && hashes < 6 && line[hashes] == '#') ++hashes;
    if (hashes > 0 && hashes < line.size() && line[hashes] == ' ') {
      line.remove_prefix(hashes + 1);
    } else if (line.starts_with("> ")) {
      line.remove_prefix(2);
    } else if (line.starts_with(">")) {
      line.remove_prefix(1);
    }
    out += inline_plain(line);
    if (nl == std::string_view::npos) break;
    out += '\n';
    pos = nl + 1;
  }
  return out;
}

json::array mobiles_array(const std::vector<std::string>& mobiles) {
  json::array out;
  for (const auto& m : mobiles) {
    if (!m.empty()) out.emplace_back(m);
  }
  return out;
}

std::string wecom_payload(const RobotMessage& m, const std::string& title) {
  json::array mentions = mobiles_array(m.mention_mobiles);
  json::object root;
  if (mentions.empty()) {
    std::string content = title.empty() ? std::string() : "### " + title + "\n";
    content += m.markdown;
    root["msgtype"] = "markdown";
    root["markdown"] =
        json::object{{"content", truncate_utf8(std::move(content), kWecomMarkdownBytes)}};
  } else {
    std::string content = title.empty() ? std::string() : title + "\n";
    content += markdown_to_plain(m.markdown);
    root["msgtype"] = "text";
    root["text"] = json::object{{"content", truncate_utf8(std::move(content), kWecomTextBytes)},
                                {"mentioned_mobile_list", std::move(mentions)}};
  }
  return json::serialize(root);
}

std::string dingtalk_payload(const RobotMessage& m, const std::string& title) {
  json::array mentions = mobiles_array(m.mention_mobiles);
  std::string text = title.empty() ? std::string() : "### " + title + "\n\n";
  text += m.markdown;
  if (!mentions.empty()) {
    // DingTalk notifies an @ only when "@mobile" is also in the text.
    text += "\n\n";
    bool first = true;
    for (const auto& v : mentions) {
      if (!first) text += ' ';
      first = false;
      text += '@';
      text += v.as_string();
    }
  }
  // DingTalk requires a title (the preview in the chat list); without one, the start of the text.
  std::string preview =
      title.empty() ? truncate_utf8(one_line(m.markdown), kFallbackTitleBytes) : title;
  json::object root;
  root["msgtype"] = "markdown";
  root["markdown"] = json::object{{"title", std::move(preview)}, {"text", std::move(text)}};
  root["at"] = json::object{{"atMobiles", std::move(mentions)}, {"isAtAll", false}};
  return json::serialize(root);
}

std::string generic_payload(const RobotMessage& m, const std::string& title) {
  json::object root;
  root["title"] = title;
  root["markdown"] = m.markdown;
  root["mention_mobiles"] = mobiles_array(m.mention_mobiles);
  return json::serialize(root);
}

// ---------------------------------------------------------------------------------------------
// DingTalk signature

std::string hmac_sha256_base64(std::string_view key, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac,
           &mac_len) == nullptr) {
    return {};
  }
  std::string b64(4 * ((mac_len + 2) / 3) + 1, '\0');
  int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()), mac, static_cast<int>(mac_len));
  b64.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  return b64;
}

// Percent-encodes everything but RFC 3986 unreserved characters (so '+', '/' and '=' of base64
// are encoded, as DingTalk's reference code does with URLEncoder / quote_plus).
std::string percent_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3);
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0x0F];
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// URL

struct Endpoint {
  bool tls = false;
  std::string host;  // name or IP literal (no brackets): what we resolve, verify and send as SNI
  bool host_is_ip = false;
  std::string port;         // decimal
  std::string host_header;  // as in the URL: "example.com", "[::1]:8443"
  std::string target;       // encoded path and query
  std::string where;        // "https://example.com:443", for error messages (no path, no query)
};

bool valid_host_name(std::string_view host) {
  if (host.empty() || host.size() > kMaxHostBytes) return false;
  return std::all_of(host.begin(), host.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-' || c == '_';
  });
}

// Fills out, or returns why the URL is refused (the reason never repeats the URL).
std::optional<std::string> parse_endpoint(const std::string& url, Endpoint& out) {
  if (url.size() > kMaxUrlBytes) return "longer than 2048 bytes";
  auto parsed = urls::parse_absolute_uri(url);
  if (!parsed) return "not an absolute URL";
  const urls::url_view& u = *parsed;
  if (u.scheme_id() == urls::scheme::https) {
    out.tls = true;
  } else if (u.scheme_id() == urls::scheme::http) {
    out.tls = false;
  } else {
    return "scheme must be http or https";
  }
  if (!u.has_authority()) return "no host";
  if (u.has_userinfo()) return "user information in a URL is not allowed";
  switch (u.host_type()) {
    case urls::host_type::name:
      out.host = u.host_name();
      if (!valid_host_name(out.host)) return "invalid host";
      out.host_is_ip = false;
      break;
    case urls::host_type::ipv4:
    case urls::host_type::ipv6:
      out.host = u.host_address();
      out.host_is_ip = true;
      break;
    default:
      return "no host";
  }
  // The port is checked here: Boost 1.81's port_number() wraps values above 65535.
  unsigned long port = out.tls ? 443 : 80;
  if (u.has_port() && !u.port().empty()) {
    std::string_view digits = u.port();
    if (digits.size() > 5) return "invalid port";
    port = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return "invalid port";
      port = port * 10 + static_cast<unsigned long>(c - '0');
    }
    if (port == 0 || port > 65535) return "invalid port";
  }
  out.port = std::to_string(port);
  out.host_header = std::string(u.encoded_host());
  if (u.has_port() && !u.port().empty()) out.host_header += ":" + out.port;
  out.target = std::string(u.encoded_path());
  if (out.target.empty()) out.target = "/";
  if (u.has_query()) {
    out.target += '?';
    out.target += u.encoded_query();
  }
  out.where = (out.tls ? "https://" : "http://") + std::string(u.encoded_host()) + ":" + out.port;
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// TLS

std::shared_ptr<ssl::context> make_tls_context(const std::string& extra_ca_pem) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  ctx->set_verify_mode(ssl::verify_peer);
  ctx->set_default_verify_paths();
  if (!extra_ca_pem.empty()) ctx->add_certificate_authority(asio::buffer(extra_ca_pem));
  return ctx;
}

// The system CA store is loaded once; an SSL_CTX is safe to share between threads once set up.
std::shared_ptr<ssl::context> system_tls_context() {
  static const std::shared_ptr<ssl::context> ctx = make_tls_context({});
  return ctx;
}

// ---------------------------------------------------------------------------------------------
// Destinations

net::Address to_net(const asio::ip::address& ip) {
  net::Address a;
  if (ip.is_v4()) {
    a.bytes[10] = 0xff;
    a.bytes[11] = 0xff;
    const auto v4 = ip.to_v4().to_bytes();
    std::copy(v4.begin(), v4.end(), a.bytes.begin() + 12);
  } else {
    const auto v6 = ip.to_v6().to_bytes();
    std::copy(v6.begin(), v6.end(), a.bytes.begin());
  }
  return a;
}

// An IPv4-mapped IPv6 address is connected to as the IPv4 address it is.
tcp::endpoint connect_endpoint(const tcp::endpoint& e) {
  const auto ip = e.address();
  if (ip.is_v6() && ip.to_v6().is_v4_mapped()) {
    return {asio::ip::make_address_v4(asio::ip::v4_mapped, ip.to_v6()), e.port()};
  }
  return e;
}

std::string refusal(const Endpoint& ep, const std::string& reason) {
  return "refused: " + reason + " (" + ep.where + ", not in webhook_allow)";
}

// The endpoints among `candidates` that the allow rules let through, in their order; when none
// does, the reason the first was refused.
std::vector<tcp::endpoint> permitted(const Endpoint& ep,
                                     const std::vector<tcp::endpoint>& candidates,
                                     const net::AllowList& allow, std::string& why) {
  std::vector<tcp::endpoint> out;
  for (const auto& e : candidates) {
    if (auto r = net::address_refusal(to_net(e.address()), ep.host, allow)) {
      if (why.empty()) why = *r;
    } else {
      out.push_back(connect_endpoint(e));
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The call

struct Call {
  Call(const Endpoint& e, const std::string& b, const WebhookClientOptions& o)
      : endpoint(e), body(b), options(o) {}

  const Endpoint& endpoint;
  const std::string& body;
  const WebhookClientOptions& options;
  // For an IP literal, the one address, already checked; for a name, filled after resolving.
  std::vector<tcp::endpoint> targets;
  asio::io_context io{1};
  tcp::resolver resolver{io};
  asio::steady_timer deadline{io};
  tcp::socket plain{io};
  std::shared_ptr<ssl::context> tls_context;
  std::optional<ssl::stream<tcp::socket>> tls;
  bool timed_out = false;
  WebhookResult result;

  tcp::socket& socket() { return tls ? tls->next_layer() : plain; }

  void fail(bool retryable, std::string error) {
    result.delivered = false;
    result.retryable = retryable;
    result.error = std::move(error);
  }

  // A failed step: a timeout when the deadline closed the socket, else the step's own error.
  void fail_step(std::string_view step, const error_code& ec, bool retryable = true) {
    if (timed_out) {
      fail(true, "timeout after " + std::to_string(options.timeout_ms) + " ms (" +
                     std::string(step) + ") " + endpoint.where);
    } else {
      fail(retryable, std::string(step) + " " + endpoint.where + ": " + ec.message());
    }
  }
};

void classify_answer(Call& c, int status, const std::string& body, bool body_complete) {
  c.result.status = status;
  if (status >= 200 && status < 300) {
    if (!body_complete) {
      c.fail(false, "response from " + c.endpoint.where + " exceeds " +
                        std::to_string(c.options.max_response_bytes) + " bytes");
      return;
    }
    error_code jec;
    json::value v = json::parse(body, jec);
    const json::value* code = nullptr;
    if (!jec && v.is_object()) code = v.as_object().if_contains("errcode");
    if (code == nullptr) {  // not a robot: a 2xx is enough
      c.result.delivered = true;
      return;
    }
    error_code nec;
    auto n = code->to_number<std::int64_t>(nec);
    if (!nec && n == 0) {
      c.result.delivered = true;
      return;
    }
    std::string errmsg;
    if (const auto* m = v.as_object().if_contains("errmsg"); m != nullptr && m->is_string()) {
      errmsg = truncate_utf8(one_line(m->as_string()), kMaxErrmsgBytes);
    }
    bool retryable = !nec && std::find(kRetryableErrcodes.begin(), kRetryableErrcodes.end(), n) !=
                                 kRetryableErrcodes.end();
    c.fail(retryable, "robot at " + c.endpoint.where + " answered errcode " +
                          (nec ? json::serialize(*code) : std::to_string(n)) +
                          (errmsg.empty() ? "" : ": " + errmsg));
    return;
  }
  if (status >= 300 && status < 400) {
    c.fail(false, "HTTP " + std::to_string(status) + " from " + c.endpoint.where +
                      " (redirects are not followed)");
    return;
  }
  bool retryable = status >= 500 || status == 408 || status == 429;
  c.fail(retryable, "HTTP " + std::to_string(status) + " from " + c.endpoint.where);
}

template <class Stream>
asio::awaitable<void> exchange(Stream& stream, Call& c) {
  bhttp::request<bhttp::string_body> req{bhttp::verb::post, c.endpoint.target, 11};
  req.set(bhttp::field::host, c.endpoint.host_header);
  req.set(bhttp::field::user_agent, kUserAgent);
  req.set(bhttp::field::content_type, "application/json; charset=utf-8");
  req.set(bhttp::field::accept, "application/json");
  req.set(bhttp::field::connection, "close");
  req.body() = c.body;
  req.prepare_payload();
  auto [wec, written] = co_await bhttp::async_write(stream, req, kUseTuple);
  if (wec) {
    c.fail_step("write", wec);
    co_return;
  }

  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.header_limit(kMaxResponseHeaderBytes);
  parser.body_limit(c.options.max_response_bytes);
  auto [rec, read] = co_await bhttp::async_read(stream, buffer, parser, kUseTuple);
  if (rec == asio::ssl::error::stream_truncated && parser.is_header_done() && parser.need_eof()) {
    // A body delimited by the end of the connection, closed without a TLS close_notify.
    error_code eof_ec;
    parser.put_eof(eof_ec);
    if (!eof_ec) rec = {};
  }
  if (rec == bhttp::error::body_limit && parser.is_header_done() && !c.timed_out) {
    classify_answer(c, parser.get().result_int(), {}, false);
    co_return;
  }
  if (rec) {
    if (parser.is_header_done()) c.result.status = parser.get().result_int();
    c.fail_step("read", rec);
    co_return;
  }
  classify_answer(c, parser.get().result_int(), parser.get().body(), true);
}

asio::awaitable<void> run(Call& c) {
  const Endpoint& ep = c.endpoint;
  if (!ep.host_is_ip) {
    // Resolved once: the addresses checked here are the ones connected to (no rebinding between
    // the check and the connect).
    auto [rec, results] = co_await c.resolver.async_resolve(
        ep.host, ep.port, tcp::resolver::numeric_service, kUseTuple);
    if (rec) {
      c.fail_step("resolve", rec);
      co_return;
    }
    std::vector<tcp::endpoint> resolved;
    for (const auto& r : results) resolved.push_back(r.endpoint());
    std::string why;
    c.targets = permitted(ep, resolved, c.options.allow, why);
    if (c.targets.empty()) {
      c.fail(false, refusal(ep, why.empty() ? "no address" : why));
      co_return;
    }
  }
  auto [cec, connected] = co_await asio::async_connect(c.socket(), c.targets, kUseTuple);
  if (cec) {
    c.fail_step("connect", cec);
    co_return;
  }
  if (!c.tls) {
    co_await exchange(c.plain, c);
    co_return;
  }

  SSL* ssl_handle = c.tls->native_handle();
  bool configured = true;
  if (ep.host_is_ip) {
    // RFC 6066: no SNI for an IP address; verify the certificate's IP address instead.
    configured = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_handle), ep.host.c_str()) == 1;
  } else {
    configured = SSL_set_tlsext_host_name(ssl_handle, ep.host.c_str()) == 1 &&
                 SSL_set1_host(ssl_handle, ep.host.c_str()) == 1;
  }
  if (!configured) {
    c.fail(false, "TLS setup for " + ep.where + " failed");
    co_return;
  }
  auto [hec] = co_await c.tls->async_handshake(ssl::stream_base::client, kUseTuple);
  if (hec) {
    long verify = SSL_get_verify_result(ssl_handle);
    if (!c.timed_out && verify != X509_V_OK) {
      c.fail(false, "TLS certificate of " + ep.where +
                        " failed verification: " + X509_verify_cert_error_string(verify));
    } else {
      c.fail_step("TLS handshake", hec);
    }
    co_return;
  }
  co_await exchange(*c.tls, c);
}

}  // namespace

std::string robot_payload(RobotFlavour flavour, const RobotMessage& message) {
  std::string title = one_line(message.title);
  switch (flavour) {
    case RobotFlavour::kWecom:
      return wecom_payload(message, title);
    case RobotFlavour::kDingtalk:
      return dingtalk_payload(message, title);
    case RobotFlavour::kGeneric:
      break;
  }
  return generic_payload(message, title);
}

std::string dingtalk_signed_url(const std::string& url, const std::string& secret,
                                std::int64_t timestamp_ms) {
  std::string timestamp = std::to_string(timestamp_ms);
  std::string sign = percent_encode(hmac_sha256_base64(secret, timestamp + "\n" + secret));
  if (auto parsed = urls::parse_absolute_uri(url)) {
    urls::url u(*parsed);
    u.encoded_params().set("timestamp", timestamp);
    u.encoded_params().set("sign", sign);
    return std::string(u.buffer());
  }
  // Not a URL post_json() would accept anyway; append textually.
  return url + (url.find('?') == std::string::npos ? "?" : "&") + "timestamp=" + timestamp +
         "&sign=" + sign;
}

WebhookResult post_json(const std::string& url, const std::string& body,
                        const WebhookClientOptions& options) {
  Endpoint endpoint;
  if (auto why = parse_endpoint(url, endpoint)) {
    return WebhookResult{false, false, 0, "invalid webhook URL: " + *why};
  }
  std::vector<tcp::endpoint> literal;
  if (endpoint.host_is_ip) {
    // Checked without DNS, before anything is set up.
    error_code ec;
    const auto ip = asio::ip::make_address(endpoint.host, ec);
    if (ec) return WebhookResult{false, false, 0, "invalid webhook URL: invalid host"};
    std::string why;
    literal = permitted(endpoint,
                        {tcp::endpoint(ip, static_cast<unsigned short>(std::stoul(endpoint.port)))},
                        options.allow, why);
    if (literal.empty()) return WebhookResult{false, false, 0, refusal(endpoint, why)};
  }
  // Before any DNS: plain http goes only to a host the allow-list names.
  if (auto why = net::scheme_refusal(endpoint.tls, endpoint.host, options.allow)) {
    return WebhookResult{false, false, 0, refusal(endpoint, *why)};
  }
  try {
    Call c(endpoint, body, options);
    c.targets = std::move(literal);
    if (endpoint.tls) {
      c.tls_context = options.extra_ca_pem.empty() ? system_tls_context()
                                                   : make_tls_context(options.extra_ca_pem);
      c.tls.emplace(c.io, *c.tls_context);
    }
    c.deadline.expires_after(std::chrono::milliseconds(std::max(1, options.timeout_ms)));
    c.deadline.async_wait([&c](const error_code& ec) {
      if (ec) return;  // cancelled: the call finished in time
      c.timed_out = true;
      c.resolver.cancel();
      error_code ignored;
      c.socket().close(ignored);
    });
    asio::co_spawn(c.io, run(c), [&c](std::exception_ptr e) {
      if (e) {
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          c.fail(true, "webhook to " + c.endpoint.where + " failed: " + ex.what());
        } catch (...) {
          c.fail(true, "webhook to " + c.endpoint.where + " failed");
        }
      }
      c.deadline.cancel();
      error_code ignored;
      c.socket().close(ignored);
    });
    c.io.run();
    return c.result;
  } catch (const std::exception& ex) {
    // Setting up TLS (the CA store, an extra CA that does not parse) is configuration.
    return WebhookResult{false, false, 0,
                         "webhook to " + endpoint.where + " not attempted: " + ex.what()};
  }
}

std::optional<std::int64_t> next_retry_delay_ms(int attempts_made) {
  if (attempts_made < 1) return 0;
  if (attempts_made > static_cast<int>(kRetryDelaysMs.size())) return std::nullopt;
  return kRetryDelaysMs[static_cast<std::size_t>(attempts_made - 1)];
}

}  // namespace civicloop::http
