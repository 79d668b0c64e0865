#pragma once
// Per-topic configs (Kafka topic-level names): parsing, validation, and the small text file that
// persists them in every partition directory (`topic.config`, see docs/formats/segment.md).
// Applied: segment.bytes, segment.ms, retention.ms, retention.bytes. A new topic may also name the
// settings that describe what the broker does anyway (CheckNewTopicConfigs); any other config is
// refused, so that a client never believes a setting (log compaction, say) is in force. Topics
// stored by an older broker keep whatever they hold. Thread-safe: pure functions plus file I/O.
#include <map>
#include <string>

#include "base/result.h"
#include "storage/log_options.h"

namespace el::storage {

using TopicConfigs = std::map<std::string, std::string>;

inline constexpr char kTopicConfigFile[] = "topic.config";

// `defaults` with the configs that apply overridden. Errors: InvalidArgument naming the config for a
// value that is not an integer in range (segment.bytes >= 1024; retention.* >= -1; segment.ms >= 0).
Result<LogOptions> ApplyTopicConfigs(LogOptions defaults, const TopicConfigs& configs);

// The configs a new topic may be created with: the applied ones (valid values), cleanup.policy=delete,
// compression.type=producer, message.timestamp.type=CreateTime, min.insync.replicas=1.
// Errors: InvalidArgument naming the config and what is supported.
Status CheckNewTopicConfigs(const TopicConfigs& configs);

// Writes `configs` durably to `<dir>/topic.config` (temp file + rename + fsync).
Status WriteTopicConfigs(const std::string& dir, const TopicConfigs& configs);
// Reads `<dir>/topic.config`; an absent file means no configs. Errors: IOError, DataLoss for a file
// that does not start with the format line.
Result<TopicConfigs> ReadTopicConfigs(const std::string& dir);

}  // namespace el::storage
