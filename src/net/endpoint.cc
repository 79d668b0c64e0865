#include "net/endpoint.h"

#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>

namespace el::net {

std::string HostPort::ToString() const {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

Result<HostPort> ParseHostPort(std::string_view text, uint16_t default_port) {
  HostPort hp;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos) return InvalidArgument("bad address '" + std::string(text) + "'");
    hp.host = std::string(text.substr(1, close - 1));
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return InvalidArgument("bad address '" + std::string(text) + "'");
      port_text = rest.substr(1);
    }
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      hp.host = std::string(text);
    } else {
      hp.host = std::string(text.substr(0, colon));
      port_text = text.substr(colon + 1);
    }
  }
  if (hp.host.empty()) hp.host = "127.0.0.1";
  hp.port = default_port;
  if (!port_text.empty()) {
    unsigned value = 0;
    auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc() || ptr != port_text.data() + port_text.size() || value > 65535) {
      return InvalidArgument("bad port in '" + std::string(text) + "'");
    }
    hp.port = static_cast<uint16_t>(value);
  }
  return hp;
}

Status WritePortFile(const std::string& path, std::string_view content) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return IOError("cannot write port file " + tmp);
    out << content;
    if (!out.flush()) return IOError("cannot write port file " + tmp);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return IOError("cannot rename port file to " + path + ": " + ec.message());
  return Status::Ok();
}

}  // namespace el::net
