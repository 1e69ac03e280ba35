#include "domain/net.hpp"

#include <gtest/gtest.h>

namespace civicloop::net {
namespace {

AddressClass class_of(const char* text) {
  auto a = parse_address(text);
  EXPECT_TRUE(a.has_value()) << text;
  return a ? classify(*a) : AddressClass::kReserved;
}

TEST(Net, ParsesBothFamiliesAndTreatsMappedIpv4AsIpv4) {
  EXPECT_EQ(parse_address("192.0.2.7")->to_string(), "192.0.2.7");
  EXPECT_EQ(parse_address("::ffff:192.0.2.7")->to_string(), "192.0.2.7");
  EXPECT_EQ(*parse_address("::ffff:127.0.0.1"), *parse_address("127.0.0.1"));
  EXPECT_EQ(parse_address("[2001:db8::1]")->to_string(), "2001:db8::1");
  for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4x", "::g", "fe80::1%eth0",
                          "1.2.3.4:80", "example.com"}) {
    EXPECT_FALSE(parse_address(bad).has_value()) << bad;
  }
}

TEST(Net, ClassifiesTheAddressesAWebhookMustNotReach) {
  EXPECT_EQ(class_of("127.0.0.1"), AddressClass::kLoopback);
  EXPECT_EQ(class_of("127.8.9.10"), AddressClass::kLoopback);
  EXPECT_EQ(class_of("::1"), AddressClass::kLoopback);
  EXPECT_EQ(class_of("::ffff:127.0.0.1"), AddressClass::kLoopback);
  EXPECT_EQ(class_of("169.254.169.254"), AddressClass::kLinkLocal);
  EXPECT_EQ(class_of("fe80::1"), AddressClass::kLinkLocal);
  EXPECT_EQ(class_of("10.1.2.3"), AddressClass::kPrivate);
  EXPECT_EQ(class_of("172.16.0.1"), AddressClass::kPrivate);
  EXPECT_EQ(class_of("172.31.255.255"), AddressClass::kPrivate);
  EXPECT_EQ(class_of("192.168.1.1"), AddressClass::kPrivate);
  EXPECT_EQ(class_of("fd12:3456::1"), AddressClass::kPrivate);
  EXPECT_EQ(class_of("100.64.0.1"), AddressClass::kSharedNat);
  EXPECT_EQ(class_of("0.0.0.0"), AddressClass::kUnspecified);
  EXPECT_EQ(class_of("::"), AddressClass::kUnspecified);
  EXPECT_EQ(class_of("224.0.0.1"), AddressClass::kMulticast);
  EXPECT_EQ(class_of("ff02::1"), AddressClass::kMulticast);
  EXPECT_EQ(class_of("255.255.255.255"), AddressClass::kReserved);
  EXPECT_EQ(class_of("64:ff9b::7f00:1"), AddressClass::kReserved);
  EXPECT_EQ(class_of("2002:7f00:1::"), AddressClass::kReserved);
  EXPECT_EQ(class_of("::127.0.0.1"), AddressClass::kReserved);
  // Public neighbours of the private blocks stay public.
  EXPECT_EQ(class_of("172.32.0.1"), AddressClass::kPublic);
  EXPECT_EQ(class_of("11.0.0.1"), AddressClass::kPublic);
  EXPECT_EQ(class_of("183.60.1.1"), AddressClass::kPublic);
  EXPECT_EQ(class_of("2400:3200::1"), AddressClass::kPublic);
}

TEST(Net, CidrBlocksMatchByPrefixInBothFamilies) {
  auto c = parse_cidr("10.20.0.0/16");
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->contains(*parse_address("10.20.255.1")));
  EXPECT_FALSE(c->contains(*parse_address("10.21.0.1")));
  EXPECT_TRUE(c->contains(*parse_address("::ffff:10.20.1.1")));
  auto one = parse_cidr("127.0.0.1");
  ASSERT_TRUE(one);
  EXPECT_TRUE(one->contains(*parse_address("127.0.0.1")));
  EXPECT_FALSE(one->contains(*parse_address("127.0.0.2")));
  auto v6 = parse_cidr("fd00::/8");
  ASSERT_TRUE(v6);
  EXPECT_TRUE(v6->contains(*parse_address("fd12::1")));
  EXPECT_FALSE(v6->contains(*parse_address("fe00::1")));
  EXPECT_TRUE(parse_cidr("0.0.0.0/0")->contains(*parse_address("8.8.8.8")));
  for (const char* bad : {"10.0.0.0/33", "10.0.0.0/", "10.0.0.0/x", "::/129", "/8"}) {
    EXPECT_FALSE(parse_cidr(bad).has_value()) << bad;
  }
}

TEST(Net, AnAllowListTakesBlocksAndHostNamesAndNamesABadEntry) {
  auto list = AllowList::parse("127.0.0.1/32, relay.Internal ,fd00::/8");
  ASSERT_TRUE(list);
  EXPECT_TRUE(list->allows(*parse_address("127.0.0.1")));
  EXPECT_FALSE(list->allows(*parse_address("127.0.0.2")));
  EXPECT_TRUE(list->allows_host("RELAY.internal"));
  EXPECT_TRUE(list->allows_host("relay.internal."));
  EXPECT_FALSE(list->allows_host("evil.relay.internal"));
  std::string bad;
  EXPECT_FALSE(AllowList::parse("10.0.0.0/8, http://x", &bad));
  EXPECT_EQ(bad, "http://x");
  EXPECT_TRUE(AllowList::parse("")->empty());
}

TEST(Net, HostNamesAreCheckedLabelByLabel) {
  EXPECT_TRUE(valid_host_name("oapi.dingtalk.com"));
  EXPECT_TRUE(valid_host_name("qyapi.weixin.qq.com."));
  EXPECT_FALSE(valid_host_name(""));
  EXPECT_FALSE(valid_host_name("a..b"));
  EXPECT_FALSE(valid_host_name("-a.com"));
  EXPECT_FALSE(valid_host_name("a-.com"));
  EXPECT_FALSE(valid_host_name("a b.com"));
  EXPECT_FALSE(valid_host_name(std::string(64, 'a') + ".com"));
}

TEST(Net, OutboundRequestsGoToPublicHttpsUnlessTheAllowListSaysOtherwise) {
  const auto none = *AllowList::parse("");
  const auto relay = *AllowList::parse("10.1.0.0/16, relay.internal");
  const auto addr = [](const char* text) { return *parse_address(text); };

  // Scheme: https always; plain http only to a host the list names.
  EXPECT_EQ(scheme_refusal(true, "example.com", none), std::nullopt);
  EXPECT_EQ(scheme_refusal(false, "8.8.8.8", none), "plain http to 8.8.8.8");
  EXPECT_EQ(scheme_refusal(false, "example.com", none), "plain http to example.com");
  EXPECT_EQ(scheme_refusal(false, "10.1.2.3", relay), std::nullopt);
  EXPECT_EQ(scheme_refusal(false, "::ffff:10.1.2.3", relay), std::nullopt);
  EXPECT_EQ(scheme_refusal(false, "Relay.Internal", relay), std::nullopt);
  EXPECT_EQ(scheme_refusal(false, "10.2.0.1", relay), "plain http to 10.2.0.1");
  EXPECT_EQ(scheme_refusal(false, "other.internal", relay), "plain http to other.internal");

  // Address: public, or held by a block, or reached through a named host.
  EXPECT_EQ(address_refusal(addr("183.60.1.1"), "qyapi.weixin.qq.com", none), std::nullopt);
  EXPECT_EQ(address_refusal(addr("127.0.0.1"), "localhost", none), "127.0.0.1 is loopback");
  EXPECT_EQ(address_refusal(addr("::ffff:127.0.0.1"), "::ffff:127.0.0.1", none),
            "127.0.0.1 is loopback");
  EXPECT_EQ(address_refusal(addr("169.254.169.254"), "metadata.example", none),
            "169.254.169.254 is link_local");
  EXPECT_EQ(address_refusal(addr("fe80::1"), "fe80::1", none), "fe80::1 is link_local");
  EXPECT_EQ(address_refusal(addr("100.64.1.1"), "cgnat.example", none), "100.64.1.1 is shared_nat");
  EXPECT_EQ(address_refusal(addr("0.0.0.0"), "0.0.0.0", none), "0.0.0.0 is unspecified");
  EXPECT_EQ(address_refusal(addr("10.1.2.3"), "anything.example", relay), std::nullopt);
  EXPECT_EQ(address_refusal(addr("192.168.1.1"), "relay.internal", relay), std::nullopt);
  EXPECT_EQ(address_refusal(addr("10.2.0.1"), "evil.example", relay), "10.2.0.1 is private");
  EXPECT_EQ(address_refusal(addr("::1"), "relay.internal.evil.example", relay), "::1 is loopback");
}

TEST(Net, TheClientAddressComesFromTheHeaderOnlyThroughTrustedProxies) {
  const auto proxies = *AllowList::parse("10.0.0.0/8, 192.0.2.7");
  // No proxy configured: the header is ignored whatever it says.
  EXPECT_EQ(client_address("203.0.113.5", "1.2.3.4", *AllowList::parse("")), "203.0.113.5");
  // A peer that is not a trusted proxy cannot forge the address.
  EXPECT_EQ(client_address("203.0.113.5", "1.2.3.4", proxies), "203.0.113.5");
  // From the trusted proxy, the hop it saw.
  EXPECT_EQ(client_address("10.0.0.2", "198.51.100.9", proxies), "198.51.100.9");
  // A chain: the client's own spoofed entry on the left is skipped past the first untrusted hop.
  EXPECT_EQ(client_address("10.0.0.2", "6.6.6.6, 198.51.100.9, 192.0.2.7", proxies),
            "198.51.100.9");
  // A malformed entry stops the walk at the last hop known good.
  EXPECT_EQ(client_address("10.0.0.2", "198.51.100.9, garbage", proxies), "10.0.0.2");
  // Missing header from a proxy: the proxy itself.
  EXPECT_EQ(client_address("10.0.0.2", "", proxies), "10.0.0.2");
  // IPv4-mapped peers (a dual-stack socket) print as dotted quads.
  EXPECT_EQ(client_address("::ffff:10.0.0.2", "2001:db8::5", proxies), "2001:db8::5");
}

}  // namespace
}  // namespace civicloop::net
