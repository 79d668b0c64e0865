#include "collector/proxy.h"

#include <gtest/gtest.h>

namespace el::collector {
namespace {

namespace asio = boost::asio;

std::vector<IpNetwork> Nets(std::initializer_list<const char*> texts) {
  std::vector<IpNetwork> out;
  for (const char* t : texts) {
    auto n = ParseIpNetwork(t);
    EXPECT_TRUE(n.ok()) << t;
    if (n.ok()) out.push_back(*n);
  }
  return out;
}

std::string Client(const char* peer, std::string_view xff, const std::vector<IpNetwork>& trusted) {
  return ClientAddress(asio::ip::make_address(peer), xff, trusted).to_string();
}

TEST(ProxyTest, ParsesNetworksAndMatchesPrefixes) {
  EXPECT_FALSE(ParseIpNetwork("10.0.0.0/33").ok());
  EXPECT_FALSE(ParseIpNetwork("10.0.0.0/").ok());
  EXPECT_FALSE(ParseIpNetwork("proxy.local").ok());
  auto nets = Nets({"10.1.0.0/16", "fd00::/8", "192.168.1.7"});
  EXPECT_EQ(nets[2].prefix, 32);
  EXPECT_TRUE(InNetwork(asio::ip::make_address("10.1.200.3"), nets[0]));
  EXPECT_FALSE(InNetwork(asio::ip::make_address("10.2.0.1"), nets[0]));
  EXPECT_TRUE(InNetwork(asio::ip::make_address("fdab::1"), nets[1]));
  EXPECT_FALSE(InNetwork(asio::ip::make_address("fe80::1"), nets[1]));
  EXPECT_TRUE(InNetwork(asio::ip::make_address("::ffff:10.1.0.9"), nets[0]));  // v4-mapped
  EXPECT_FALSE(InNetwork(asio::ip::make_address("192.168.1.8"), nets[2]));
}

TEST(ProxyTest, RightMostUntrustedForwardedAddressIsTheClient) {
  auto trusted = Nets({"127.0.0.1", "10.0.0.0/8"});
  // Untrusted peer: its header is ignored.
  EXPECT_EQ(Client("203.0.113.9", "1.2.3.4", trusted), "203.0.113.9");
  // No proxies configured: always the peer.
  EXPECT_EQ(Client("127.0.0.1", "1.2.3.4", {}), "127.0.0.1");
  // Trusted peer: skip trusted hops from the right; a forged left part is not believed.
  EXPECT_EQ(Client("127.0.0.1", "6.6.6.6, 198.51.100.2, 10.0.0.5", trusted), "198.51.100.2");
  EXPECT_EQ(Client("127.0.0.1", "198.51.100.2", trusted), "198.51.100.2");
  // Every hop trusted: the left-most one.
  EXPECT_EQ(Client("127.0.0.1", "10.9.9.9,10.0.0.5", trusted), "10.9.9.9");
  // Garbage stops the walk at the trusted hop that passed it on.
  EXPECT_EQ(Client("127.0.0.1", "1.2.3.4, unknown, 10.0.0.5", trusted), "10.0.0.5");
  // Empty header and empty entries.
  EXPECT_EQ(Client("127.0.0.1", "", trusted), "127.0.0.1");
  EXPECT_EQ(Client("127.0.0.1", " 2001:db8::1 ,, ", trusted), "2001:db8::1");
}

}  // namespace
}  // namespace el::collector
