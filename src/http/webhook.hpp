// Outbound webhooks: the group-chat robots a tenant posts its notifications to (WeCom
// 企业微信群机器人, DingTalk 钉钉自定义机器人, or a generic receiver of our own JSON).
//
// Building a robot's JSON body, signing a DingTalk URL and the retry schedule are pure functions.
// post_json() is one blocking HTTP/1.1 POST over http:// or https:// (Beast and asio::ssl live in
// webhook.cpp only). TLS always verifies the peer against the system CA store (plus an optional
// extra CA), checks the host name or IP address, and sends SNI for host names.
//
// Destinations (SSRF): a webhook URL is configured by a tenant, but the request leaves from the
// server, inside the deployment's network. So by default post_json() reaches only public
// addresses over https: the URL's host is resolved once, every address it resolves to is checked
// (net::address_refusal: loopback, link-local with the cloud metadata address 169.254.169.254,
// private, carrier-grade NAT, unspecified, multicast and reserved addresses are refused), and the
// connection goes only to the addresses that passed: there is no second resolution between the
// check and the connect, so a name cannot be rebound to an internal address in between. An IP
// literal is checked the same way without DNS. Plain http is refused unless the allow-list names
// the host (net::scheme_refusal). A refused address is never connected to. The allow-list
// (WebhookClientOptions::allow, from the server's webhook_allow setting) is for a deployment that
// relays through an internal host. A redirect is never followed, so a public URL cannot bounce
// the server to an internal one.
//
// Threading: post_json() builds its own io_context for each call and runs it on the calling
// thread, so any number of threads may call it at once. The only shared state is the immutable
// TLS context for the system CA store, built once on first use. It blocks for up to
// timeout_ms: call it from the outbox worker, never from a server io thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/net.hpp"

namespace civicloop::http {

enum class RobotFlavour { kWecom, kDingtalk, kGeneric };  // generic: POST our own JSON

struct RobotMessage {
  std::string title;                         // one line; line breaks become spaces
  std::string markdown;                      // Chinese text, the robots' markdown subset
  std::vector<std::string> mention_mobiles;  // mobile numbers to @ in the group
};

// The JSON body each robot expects.
//
//  WeCom, no mentions: {"msgtype":"markdown","markdown":{"content":"### title\n<markdown>"}}
//  WeCom, mentions:    {"msgtype":"text","text":{"content":"title\n<plain text>",
//                                                "mentioned_mobile_list":[...]}}
//    WeCom's markdown messages cannot @ by mobile number (only <@userid>, and we keep mobiles,
//    not WeCom user ids), so a message that must reach people switches to a text message: the
//    markdown is flattened to plain text (headings, quotes, bold and <font> tags dropped, links
//    become "text url"). WeCom's limits are applied: markdown content is cut to 4096 bytes,
//    text content to 2048, on a UTF-8 character boundary, ending in "…".
//  DingTalk: {"msgtype":"markdown","markdown":{"title":title,"text":"### title\n\n<markdown>
//             \n\n@138... @139..."},"at":{"atMobiles":[...],"isAtAll":false}}
//    DingTalk highlights and notifies an @ only when "@mobile" also appears in the text, so the
//    mentions are appended to it. The title field is what the chat list shows as a preview.
//  Generic:  {"title":...,"markdown":...,"mention_mobiles":[...]}
std::string robot_payload(RobotFlavour flavour, const RobotMessage& message);

// DingTalk "加签": sign = urlencode(base64(HMAC-SHA256(key = secret,
// data = timestamp_ms + "\n" + secret))), appended as &timestamp=..&sign=.. (replacing any
// timestamp/sign already in the query). The result carries the secret's signature and the access
// token: never log it.
std::string dingtalk_signed_url(const std::string& url, const std::string& secret,
                                std::int64_t timestamp_ms);

struct WebhookResult {
  bool delivered = false;
  bool retryable = false;  // worth another attempt later (next_retry_delay_ms)
  int status = 0;          // HTTP status, 0 when no response was read
  std::string error;       // empty when delivered; names scheme, host and port, never path or query
};

struct WebhookClientOptions {
  int timeout_ms = 5000;     // for the whole call: resolve, connect, TLS handshake, write, read
  std::string extra_ca_pem;  // trusted in addition to the system store (tests only)
  std::size_t max_response_bytes = 64 * 1024;  // response body limit
  // Internal destinations that may be reached (and over plain http when the list names the
  // host). Empty: public addresses over https only.
  net::AllowList allow;
};

// Blocking POST of a JSON body to an http:// or https:// URL. A redirect is never followed, so a
// public URL cannot bounce the server to an internal one. Never throws. How the answer is
// classified:
//  - A destination refused by the rules above (the scheme, or every address the host resolves
//    to): not delivered, not retryable, no connection made; the error reads "refused: 127.0.0.1
//    is loopback (...)" or "refused: plain http to ... (...)".
//  - 2xx with a JSON body holding "errcode": 0 delivered; 45009 (WeCom rate limit), 130101
//    (DingTalk rate limit) and -1 (both: system busy) retryable; anything else not retryable.
//  - 2xx without an errcode (a generic receiver): delivered.
//  - 2xx whose body exceeds max_response_bytes: not delivered, not retryable (the robot may have
//    taken the message; sending it again could post it twice).
//  - 5xx, 408, 429, timeouts, DNS, connection and TLS transport errors: retryable.
//  - 3xx, other 4xx, an invalid URL and a certificate that fails verification: not retryable.
// URLs: http or https only, a host is required, no userinfo, at most 2048 bytes.
// DNS resolution uses the system resolver, which cannot be interrupted: a hanging resolver can
// hold the call past timeout_ms (it then reports a timeout).
WebhookResult post_json(const std::string& url, const std::string& body,
                        const WebhookClientOptions& options = {});

// The outbox's retry schedule: after attempt n (1-based) fails, wait 30 s, 2 min, 10 min, 30 min,
// 1 h before the next; after the 6th attempt, give up (nullopt). attempts_made < 1 gives 0 (send
// now). No jitter: the outbox spreads its own sweep.
std::optional<std::int64_t> next_retry_delay_ms(int attempts_made);

}  // namespace civicloop::http
