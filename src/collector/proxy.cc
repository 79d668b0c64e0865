#include "collector/proxy.h"

#include <charconv>
#include <string>

namespace el::collector {
namespace asio = boost::asio;
namespace {

asio::ip::address Unmapped(const asio::ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
  }
  return a;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool Trusted(const asio::ip::address& a, const std::vector<IpNetwork>& trusted) {
  for (const IpNetwork& net : trusted) {
    if (InNetwork(a, net)) return true;
  }
  return false;
}

}  // namespace

Result<IpNetwork> ParseIpNetwork(std::string_view text) {
  text = Trim(text);
  std::string_view addr = text;
  int prefix = -1;
  if (size_t slash = text.find('/'); slash != std::string_view::npos) {
    addr = text.substr(0, slash);
    std::string_view bits = text.substr(slash + 1);
    auto [end, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), prefix);
    if (ec != std::errc() || end != bits.data() + bits.size() || bits.empty()) {
      return InvalidArgument("bad network prefix in '" + std::string(text) + "'");
    }
  }
  boost::system::error_code ec;
  asio::ip::address a = asio::ip::make_address(std::string(addr), ec);
  if (ec) return InvalidArgument("not an IP address or network: '" + std::string(text) + "'");
  a = Unmapped(a);
  int max = a.is_v4() ? 32 : 128;
  if (prefix < 0) prefix = max;
  if (prefix > max) return InvalidArgument("network prefix above /" + std::to_string(max) + ": '" + std::string(text) + "'");
  return IpNetwork{a, prefix};
}

bool InNetwork(const asio::ip::address& address, const IpNetwork& net) {
  asio::ip::address a = Unmapped(address);
  if (a.is_v4() != net.address.is_v4()) return false;
  auto compare = [&](const auto& x, const auto& y) {
    int bits = net.prefix;
    for (size_t i = 0; i < x.size() && bits > 0; ++i, bits -= 8) {
      uint8_t mask = bits >= 8 ? 0xFF : static_cast<uint8_t>(0xFF << (8 - bits));
      if ((x[i] & mask) != (y[i] & mask)) return false;
    }
    return true;
  };
  if (a.is_v4()) return compare(a.to_v4().to_bytes(), net.address.to_v4().to_bytes());
  return compare(a.to_v6().to_bytes(), net.address.to_v6().to_bytes());
}

asio::ip::address ClientAddress(const asio::ip::address& peer, std::string_view forwarded_for,
                                const std::vector<IpNetwork>& trusted) {
  asio::ip::address client = Unmapped(peer);
  if (trusted.empty() || !Trusted(client, trusted)) return client;
  while (!forwarded_for.empty()) {
    size_t comma = forwarded_for.rfind(',');
    std::string_view entry = Trim(comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1));
    forwarded_for = comma == std::string_view::npos ? std::string_view() : forwarded_for.substr(0, comma);
    if (entry.empty()) continue;
    boost::system::error_code ec;
    asio::ip::address hop = asio::ip::make_address(std::string(entry), ec);
    if (ec) return client;  // garbage: trust stops at the hop that passed it on
    client = Unmapped(hop);
    if (!Trusted(client, trusted)) return client;
  }
  return client;
}

}  // namespace el::collector
