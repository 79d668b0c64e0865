#pragma once
// Write keys (HTTP Basic, as Segment's libraries send them: the key as user name, empty password)
// and client-address helpers. Pure code; thread-safe.
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/ip/address.hpp>

namespace el::collector {

// Standard base64 (RFC 4648, padding optional); empty on invalid input.
std::string Base64Decode(std::string_view text);

// The user name of an `Authorization: Basic ...` value; empty when it is not one.
std::string BasicAuthUser(std::string_view authorization);

// True when `key` is one of `keys` (constant-time per comparison).
bool IsWriteKey(const std::vector<std::string>& keys, std::string_view key);

// The address as text; with `truncate`, IPv4 keeps its /24 and IPv6 its /48 (the rest zeroed).
std::string ClientIpText(const boost::asio::ip::address& address, bool truncate);

}  // namespace el::collector
