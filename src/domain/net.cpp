#include "domain/net.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace civicloop::net {

namespace {

constexpr std::array<std::uint8_t, 12> kV4MappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool in(const Address& a, std::string_view cidr) {
  const auto c = parse_cidr(cidr);
  return c && c->contains(a);
}

}  // namespace

bool Address::is_v4() const {
  return std::equal(kV4MappedPrefix.begin(), kV4MappedPrefix.end(), bytes.begin());
}

std::string Address::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (is_v4()) {
    ::inet_ntop(AF_INET, bytes.data() + 12, buf, sizeof buf);
  } else {
    ::inet_ntop(AF_INET6, bytes.data(), buf, sizeof buf);
  }
  return buf;
}

std::optional<Address> parse_address(std::string_view text) {
  text = trim(text);
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  const std::string s(text);
  Address a;
  if (s.find(':') == std::string::npos) {
    std::uint8_t v4[4];
    if (::inet_pton(AF_INET, s.c_str(), v4) != 1) return std::nullopt;
    std::copy(kV4MappedPrefix.begin(), kV4MappedPrefix.end(), a.bytes.begin());
    std::copy(v4, v4 + 4, a.bytes.begin() + 12);
    return a;
  }
  if (::inet_pton(AF_INET6, s.c_str(), a.bytes.data()) != 1) return std::nullopt;
  return a;
}

bool Cidr::contains(const Address& a) const {
  int bits = prefix;
  for (std::size_t i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
    const int take = std::min(bits, 8);
    const auto mask = static_cast<std::uint8_t>(0xff << (8 - take));
    if ((a.bytes[i] & mask) != (base.bytes[i] & mask)) return false;
  }
  return true;
}

std::optional<Cidr> parse_cidr(std::string_view text) {
  text = trim(text);
  const auto slash = text.find('/');
  auto addr = parse_address(text.substr(0, slash));
  if (!addr) return std::nullopt;
  Cidr c;
  c.base = *addr;
  const int max = addr->is_v4() ? 32 : 128;
  int prefix = max;
  if (slash != std::string_view::npos) {
    const auto p = text.substr(slash + 1);
    auto r = std::from_chars(p.data(), p.data() + p.size(), prefix);
    if (p.empty() || r.ec != std::errc() || r.ptr != p.data() + p.size() || prefix < 0 ||
        prefix > max) {
      return std::nullopt;
    }
  }
  c.prefix = addr->is_v4() ? 96 + prefix : prefix;
  return c;
}

AddressClass classify(const Address& a) {
  if (a.is_v4()) {
    if (in(a, "127.0.0.0/8")) return AddressClass::kLoopback;
    if (in(a, "169.254.0.0/16")) return AddressClass::kLinkLocal;
    if (in(a, "10.0.0.0/8") || in(a, "172.16.0.0/12") || in(a, "192.168.0.0/16")) {
      return AddressClass::kPrivate;
    }
    if (in(a, "100.64.0.0/10")) return AddressClass::kSharedNat;
    if (in(a, "0.0.0.0/8")) return AddressClass::kUnspecified;
    if (in(a, "224.0.0.0/4")) return AddressClass::kMulticast;
    if (in(a, "240.0.0.0/4") || in(a, "192.0.0.0/24") || in(a, "192.0.2.0/24") ||
        in(a, "198.18.0.0/15") || in(a, "198.51.100.0/24") || in(a, "203.0.113.0/24")) {
      return AddressClass::kReserved;  // 255.255.255.255 lies in 240/4
    }
    return AddressClass::kPublic;
  }
  if (in(a, "::1/128")) return AddressClass::kLoopback;
  if (in(a, "::/128")) return AddressClass::kUnspecified;
  if (in(a, "fe80::/10")) return AddressClass::kLinkLocal;
  if (in(a, "fc00::/7")) return AddressClass::kPrivate;
  if (in(a, "ff00::/8")) return AddressClass::kMulticast;
  // NAT64 (64:ff9b::/96) reaches IPv4 space whose class we cannot see; the IPv4-compatible
  // (::/96), 6to4 (2002::/16) and Teredo (2001::/32) forms embed IPv4 addresses too;
  // documentation (2001:db8::/32) and the deprecated site-local fec0::/10 are never targets.
  if (in(a, "64:ff9b::/96") || in(a, "::/96") || in(a, "2002::/16") || in(a, "2001::/32") ||
      in(a, "2001:db8::/32") || in(a, "fec0::/10") || in(a, "100::/64")) {
    return AddressClass::kReserved;
  }
  return AddressClass::kPublic;
}

std::string_view to_string(AddressClass c) {
  switch (c) {
    case AddressClass::kPublic:
      return "public";
    case AddressClass::kLoopback:
      return "loopback";
    case AddressClass::kLinkLocal:
      return "link_local";
    case AddressClass::kPrivate:
      return "private";
    case AddressClass::kSharedNat:
      return "shared_nat";
    case AddressClass::kUnspecified:
      return "unspecified";
    case AddressClass::kMulticast:
      return "multicast";
    case AddressClass::kReserved:
      return "reserved";
  }
  return "reserved";
}

bool valid_host_name(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  if (host.back() == '.') host.remove_suffix(1);
  std::size_t label = 0;
  char prev = '.';
  for (const char c : host) {
    if (c == '.') {
      if (label == 0 || prev == '-') return false;
      label = 0;
    } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') {
      if (label == 0 && c == '-') return false;
      if (++label > 63) return false;
    } else {
      return false;
    }
    prev = c;
  }
  return label > 0 && prev != '-';
}

std::optional<AllowList> AllowList::parse(std::string_view text, std::string* error) {
  AllowList list;
  std::size_t i = 0;
  while (i <= text.size()) {
    auto j = text.find_first_of(", \t\n", i);
    if (j == std::string_view::npos) j = text.size();
    const auto entry = trim(text.substr(i, j - i));
    i = j + 1;
    if (entry.empty()) continue;
    if (auto c = parse_cidr(entry)) {
      list.cidrs_.push_back(*c);
    } else if (entry.find_first_of(":/") == std::string_view::npos && valid_host_name(entry)) {
      list.hosts_.push_back(lower(entry));
    } else {
      if (error != nullptr) *error = std::string(entry);
      return std::nullopt;
    }
  }
  return list;
}

bool AllowList::allows(const Address& a) const {
  return std::any_of(cidrs_.begin(), cidrs_.end(), [&](const Cidr& c) { return c.contains(a); });
}

bool AllowList::allows_host(std::string_view host) const {
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  const auto h = lower(host);
  return std::find(hosts_.begin(), hosts_.end(), h) != hosts_.end();
}

std::optional<std::string> scheme_refusal(bool tls, std::string_view host, const AllowList& allow) {
  if (tls) return std::nullopt;
  if (const auto a = parse_address(host)) {
    if (allow.allows(*a)) return std::nullopt;
    return "plain http to " + a->to_string();
  }
  if (allow.allows_host(host)) return std::nullopt;
  return "plain http to " + std::string(host);
}

std::optional<std::string> address_refusal(const Address& address, std::string_view host,
                                           const AllowList& allow) {
  const auto c = classify(address);
  if (c == AddressClass::kPublic || allow.allows(address)) return std::nullopt;
  if (allow.allows_host(host)) return std::nullopt;
  return address.to_string() + " is " + std::string(to_string(c));
}

std::string client_address(std::string_view peer, std::string_view forwarded,
                           const AllowList& trusted) {
  auto current = parse_address(peer);
  if (!current) return std::string(peer);
  if (trusted.empty()) return current->to_string();
  std::size_t end = forwarded.size();
  while (trusted.allows(*current)) {
    // The hop to the left of `current` in the header, if any.
    if (end == 0) break;
    const auto comma = forwarded.rfind(',', end - 1);
    const auto begin = comma == std::string_view::npos ? 0 : comma + 1;
    auto entry = forwarded.substr(begin, end - begin);
    while (!entry.empty() && (entry.front() == ' ' || entry.front() == '\t'))
      entry.remove_prefix(1);
    while (!entry.empty() && (entry.back() == ' ' || entry.back() == '\t')) entry.remove_suffix(1);
    auto next = parse_address(entry);
    if (!next) break;
    current = next;
    end = comma == std::string_view::npos ? 0 : comma;
  }
  return current->to_string();
}

}  // namespace civicloop::net
