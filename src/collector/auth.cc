#include "collector/auth.h"

#include <cstdint>

namespace el::collector {
namespace {

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

std::string Base64Decode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v = Base64Value(c);
    if (v < 0) return "";
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

std::string BasicAuthUser(std::string_view authorization) {
  while (!authorization.empty() && authorization.front() == ' ') authorization.remove_prefix(1);
  if (authorization.size() < 6) return "";
  std::string_view scheme = authorization.substr(0, 6);
  auto lower = [](char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); };
  const char* expected = "basic ";
  for (size_t i = 0; i < 6; ++i) {
    if (lower(scheme[i]) != expected[i]) return "";
  }
  std::string_view encoded = authorization.substr(6);
  while (!encoded.empty() && encoded.front() == ' ') encoded.remove_prefix(1);
  while (!encoded.empty() && encoded.back() == ' ') encoded.remove_suffix(1);
  std::string decoded = Base64Decode(encoded);
  return decoded.substr(0, decoded.find(':'));
}

bool IsWriteKey(const std::vector<std::string>& keys, std::string_view key) {
  if (key.empty()) return false;
  bool found = false;
  for (const std::string& k : keys) {
    if (k.size() != key.size()) continue;
    unsigned char diff = 0;
    for (size_t i = 0; i < k.size(); ++i) diff |= static_cast<unsigned char>(k[i] ^ key[i]);
    found |= diff == 0;
  }
  return found;
}

std::string ClientIpText(const boost::asio::ip::address& address, bool truncate) {
  if (!truncate) return address.to_string();
  if (address.is_v4()) {
    auto bytes = address.to_v4().to_bytes();
    bytes[3] = 0;
    return boost::asio::ip::address_v4(bytes).to_string();
  }
  auto v6 = address.to_v6();
  if (v6.is_v4_mapped()) {
    auto bytes = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, v6).to_bytes();
    bytes[3] = 0;
    return boost::asio::ip::address_v4(bytes).to_string();
  }
  auto bytes = v6.to_bytes();
  for (size_t i = 6; i < bytes.size(); ++i) bytes[i] = 0;
  return boost::asio::ip::address_v6(bytes).to_string();
}

}  // namespace el::collector
