#pragma once
// DescribeConfigs (key 32), versions 0-2 (DescribeConfigsRequest.json /
// DescribeConfigsResponse.json; flexible from v4). v0 answers is_default per entry, v1+ a
// config_source and synonyms instead.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kafka/protocol/api.h"
#include "kafka/protocol/wire.h"

namespace el::kafka {

// ConfigResource types and ConfigSource values of the Kafka protocol.
inline constexpr int8_t kResourceTopic = 2;
inline constexpr int8_t kResourceBroker = 4;
inline constexpr int8_t kConfigSourceTopic = 1;    // DYNAMIC_TOPIC_CONFIG: set on the topic
inline constexpr int8_t kConfigSourceDefault = 5;  // DEFAULT_CONFIG

struct DescribeConfigsResource {
  int8_t resource_type = 0;
  std::string resource_name;
  std::optional<std::vector<std::string>> configuration_keys;  // null: every config
  bool operator==(const DescribeConfigsResource&) const = default;
};

struct DescribeConfigsRequest {
  static constexpr ApiKey kApiKey = ApiKey::kDescribeConfigs;
  std::vector<DescribeConfigsResource> resources;
  bool include_synonyms = false;  // v1+
  bool operator==(const DescribeConfigsRequest&) const = default;

  template <class Io, class Self>
  static void Serde(Io& io, Self& m, int16_t v) {
    io.Array(m.resources, [&](auto& r) {
      io.Int8(r.resource_type);
      io.String(r.resource_name);
      io.NullableArray(r.configuration_keys, [&](auto& k) { io.String(k); });
    });
    if (v >= 1) io.Bool(m.include_synonyms);
  }
};

struct DescribeConfigsSynonym {
  std::string name;
  std::optional<std::string> value;
  int8_t source = 0;
  bool operator==(const DescribeConfigsSynonym&) const = default;
};

struct DescribeConfigsEntry {
  std::string name;
  std::optional<std::string> value;
  bool read_only = false;
  bool is_default = false;                      // v0 only
  int8_t config_source = kConfigSourceDefault;  // v1+
  bool is_sensitive = false;
  std::vector<DescribeConfigsSynonym> synonyms;  // v1+
  bool operator==(const DescribeConfigsEntry&) const = default;
};

struct DescribeConfigsResult {
  int16_t error_code = 0;
  std::optional<std::string> error_message;
  int8_t resource_type = 0;
  std::string resource_name;
  std::vector<DescribeConfigsEntry> configs;
  bool operator==(const DescribeConfigsResult&) const = default;
};

struct DescribeConfigsResponse {
  static constexpr ApiKey kApiKey = ApiKey::kDescribeConfigs;
  int32_t throttle_time_ms = 0;
  std::vector<DescribeConfigsResult> results;
  bool operator==(const DescribeConfigsResponse&) const = default;

  template <class Io, class Self>
  static void Serde(Io& io, Self& m, int16_t v) {
    io.Int32(m.throttle_time_ms);
    io.Array(m.results, [&](auto& r) {
      io.Int16(r.error_code);
      io.NullableString(r.error_message);
      io.Int8(r.resource_type);
      io.String(r.resource_name);
      io.Array(r.configs, [&](auto& c) {
        io.String(c.name);
        io.NullableString(c.value);
        io.Bool(c.read_only);
        if (v == 0) {
          io.Bool(c.is_default);
        } else {
          io.Int8(c.config_source);
        }
        io.Bool(c.is_sensitive);
        if (v >= 1) {
          io.Array(c.synonyms, [&](auto& s) {
            io.String(s.name);
            io.NullableString(s.value);
            io.Int8(s.source);
          });
        }
      });
    });
  }
};

}  // namespace el::kafka
