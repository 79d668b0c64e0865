#pragma once
// HOST:PORT parsing and port files, shared by every listener (broker, collector).
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace el::net {

struct HostPort {
  std::string host;
  uint16_t port = 0;
  std::string ToString() const;
};

// Parses "HOST:PORT", "[v6]:PORT", "HOST" (default_port) or ":PORT" (host 127.0.0.1).
// Port 0 means "any free port". Errors: InvalidArgument naming the bad text.
Result<HostPort> ParseHostPort(std::string_view text, uint16_t default_port);

// Writes `content` to `path` atomically (temp file + rename), so a reader never sees a partial file.
Status WritePortFile(const std::string& path, std::string_view content);

}  // namespace el::net
