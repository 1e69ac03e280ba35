// Network addresses as data: parsing IPv4 and IPv6 literals, CIDR blocks, and the classes of
// address that an outbound request must not reach by default (loopback, link-local and the cloud
// metadata address, private ranges, carrier-grade NAT, multicast, unspecified and reserved).
//
// Used by the robot webhooks (refuse internal targets after DNS resolution, with an allow-list for
// a deployment's internal relay), by the trusted-proxy rule (take the client address from a
// header only when the peer is a configured proxy) and by the operations endpoints (/metrics only
// from configured addresses). Pure: no sockets, no DNS.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace civicloop::net {

// An IPv4 or IPv6 address. IPv4 is held as an IPv4-mapped IPv6 address (::ffff:a.b.c.d), so that
// "127.0.0.1" and "::ffff:127.0.0.1" are the same address and one CIDR rule covers both forms.
struct Address {
  std::array<std::uint8_t, 16> bytes{};
  bool is_v4() const;
  std::string to_string() const;  // dotted quad for IPv4, RFC 5952 text for IPv6
  friend bool operator==(const Address&, const Address&) = default;
};

// "192.0.2.1", "2001:db8::1", "[2001:db8::1]", "::ffff:192.0.2.1". No zone ids, no ports.
std::optional<Address> parse_address(std::string_view text);

struct Cidr {
  Address base;
  int prefix = 128;  // in IPv6 bits; an IPv4 /n is stored as /(96+n)
  bool contains(const Address& a) const;
};

// "10.0.0.0/8", "fd00::/8", or a single address (a /32 or /128).
std::optional<Cidr> parse_cidr(std::string_view text);

enum class AddressClass {
  kPublic,
  kLoopback,     // 127.0.0.0/8, ::1
  kLinkLocal,    // 169.254.0.0/16 (the cloud metadata address 169.254.169.254), fe80::/10
  kPrivate,      // 10/8, 172.16/12, 192.168/16, fc00::/7
  kSharedNat,    // 100.64.0.0/10 (carrier-grade NAT)
  kUnspecified,  // 0.0.0.0/8, ::
  kMulticast,    // 224.0.0.0/4, ff00::/8
  kReserved,  // 240.0.0.0/4, 255.255.255.255, documentation and benchmarking ranges, 64:ff9b::/96
};
AddressClass classify(const Address& a);
std::string_view to_string(AddressClass c);  // "loopback", "link_local", ...

// A list of CIDR blocks and host names, written "127.0.0.1/32, relay.internal, fd00::/8".
// Host names match case-insensitively and exactly (no wildcards).
class AllowList {
 public:
  // nullopt when an entry is neither a CIDR block nor a host name; error names the entry.
  static std::optional<AllowList> parse(std::string_view text, std::string* error = nullptr);
  bool allows(const Address& a) const;
  bool allows_host(std::string_view host) const;
  bool empty() const { return cidrs_.empty() && hosts_.empty(); }

 private:
  std::vector<Cidr> cidrs_;
  std::vector<std::string> hosts_;  // lower case
};

// Outbound requests to a configured URL (robot webhooks): the two rules, shared by the check made
// when a robot is configured and the one made at delivery. `host` is the URL's host as written
// (a name, or an IP literal without brackets). Each returns nullopt when allowed, else the reason
// ("plain http to 8.8.8.8", "127.0.0.1 is loopback"), which names the host or address and never
// anything else of the URL.
//  - Scheme: https, or plain http when the allow-list names the host itself (the host name, or a
//    block holding the IP literal): an internal relay may speak http, the public Internet may not.
//  - Address: a public address, or one the allow-list holds, or any address reached through a
//    host name the allow-list names. Checked for every address a name resolves to.
std::optional<std::string> scheme_refusal(bool tls, std::string_view host, const AllowList& allow);
std::optional<std::string> address_refusal(const Address& address, std::string_view host,
                                           const AllowList& allow);

// The client's address behind reverse proxies. `peer` is the socket's address; `forwarded` the
// value of the configured header (X-Forwarded-For "client, proxy1, proxy2", or X-Real-IP). The
// header is believed only while the hop that added it is a trusted proxy: the list is walked from
// the right, past trusted proxies, and the first address that is not one is the client. A peer
// that is not trusted, a missing header or a malformed entry leaves the last address known good
// (the peer itself when it is not trusted). Returns the address as text.
std::string client_address(std::string_view peer, std::string_view forwarded,
                           const AllowList& trusted);

// A syntactically valid DNS host name (letters, digits, hyphens, dots; labels of 1–63 bytes).
bool valid_host_name(std::string_view host);

}  // namespace civicloop::net
