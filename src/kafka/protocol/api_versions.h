#pragma once
// ApiVersions (key 18), versions 0-3 (ApiVersionsRequest.json / ApiVersionsResponse.json).
// v3 is flexible; its response still goes out under response header v0 (see header.h).
#include <cstdint>
#include <string>
#include <vector>

#include "kafka/protocol/api.h"
#include "kafka/protocol/wire.h"

namespace el::kafka {

struct ApiVersionsRequest {
  static constexpr ApiKey kApiKey = ApiKey::kApiVersions;
  std::string client_software_name;     // v3+
  std::string client_software_version;  // v3+
  bool operator==(const ApiVersionsRequest&) const = default;

  template <class Io, class Self>
  static void Serde(Io& io, Self& m, int16_t v) {
    if (v >= 3) {
      io.String(m.client_software_name);
      io.String(m.client_software_version);
      io.TaggedFields();
    }
  }
};

struct ApiVersionRange {
  int16_t api_key = 0;
  int16_t min_version = 0;
  int16_t max_version = 0;
  bool operator==(const ApiVersionRange&) const = default;
};

struct ApiVersionsResponse {
  static constexpr ApiKey kApiKey = ApiKey::kApiVersions;
  int16_t error_code = 0;
  std::vector<ApiVersionRange> api_keys;
  int32_t throttle_time_ms = 0;  // v1+
  bool operator==(const ApiVersionsResponse&) const = default;

  template <class Io, class Self>
  static void Serde(Io& io, Self& m, int16_t v) {
    io.Int16(m.error_code);
    io.Array(m.api_keys, [&](auto& k) {
      io.Int16(k.api_key);
      io.Int16(k.min_version);
      io.Int16(k.max_version);
      io.TaggedFields();
    });
    if (v >= 1) io.Int32(m.throttle_time_ms);
    io.TaggedFields();
  }
};

}  // namespace el::kafka
