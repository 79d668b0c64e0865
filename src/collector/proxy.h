#pragma once
// Trusted reverse proxies: when a request comes from one, the client address is taken from
// X-Forwarded-For, right to left, skipping every trusted hop (the left part is client-supplied and
// may be forged; only what trusted proxies appended counts). Pure code; thread-safe.
#include <string_view>
#include <vector>

#include <boost/asio/ip/address.hpp>

#include "base/result.h"

namespace el::collector {

// An address block: "10.0.0.0/8", "fd00::/8", or one address ("127.0.0.1" = /32, "::1" = /128).
struct IpNetwork {
  boost::asio::ip::address address;
  int prefix = 0;
};

// Errors: InvalidArgument (not an address, prefix out of range).
Result<IpNetwork> ParseIpNetwork(std::string_view text);
bool InNetwork(const boost::asio::ip::address& a, const IpNetwork& net);

// The client of a request that arrived from `peer` with X-Forwarded-For `forwarded_for` (all its
// header lines joined with ","; may be empty). An untrusted peer is the client. From a trusted one,
// the right-most untrusted X-Forwarded-For entry is; if an entry is not an address the hop that
// added it is; if every entry is trusted, the left-most one is. IPv4-mapped IPv6 peers count as IPv4.
boost::asio::ip::address ClientAddress(const boost::asio::ip::address& peer, std::string_view forwarded_for,
                                       const std::vector<IpNetwork>& trusted);

}  // namespace el::collector
