#pragma once
// Admin: topic administration over the Kafka protocol with librdkafka (CreateTopics and
// DeleteTopics to the controller, Metadata for listing, ListOffsets for watermarks, DescribeConfigs
// for a topic's configs), for `eventlake topics`. Works against eventlake's broker and any Kafka
// cluster alike. Not thread-safe; one caller at a time. Lifetime: owns its rd_kafka_t; every call
// blocks for at most the timeout given to Connect.
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/result.h"
#include "clients/rdk/handles.h"

namespace el::rdk {

struct PartitionMetadata {
  int32_t id = 0;
  int32_t leader = -1;
  std::string error;  // empty if none
};

struct TopicMetadata {
  std::string name;
  std::string error;  // empty if none
  std::vector<PartitionMetadata> partitions;
};

struct ConfigEntry {
  std::string name;
  std::string value;        // "" for a null value
  bool is_default = false;  // not set on the topic: the broker's default applies
  bool read_only = false;
};

class Admin {
 public:
  // Errors: InvalidArgument (bad broker list or client property).
  static Result<Admin> Connect(const std::string& brokers, std::chrono::milliseconds timeout);

  // Errors: AlreadyExists, InvalidArgument (bad name, partitions, replication), DeadlineExceeded,
  // Unavailable (any other broker error).
  // `configs`: topic-level configs (e.g. retention.ms) sent with the CreateTopics request.
  Status CreateTopic(const std::string& topic, int32_t partitions, int32_t replication_factor = -1,
                     const std::map<std::string, std::string>& configs = {});
  // Errors: NotFound, DeadlineExceeded, Unavailable.
  Status DeleteTopic(const std::string& topic);
  // Every topic (sorted by name), from a Metadata request for all topics.
  Result<std::vector<TopicMetadata>> ListTopics();
  // Errors: NotFound if the broker does not know `topic`.
  Result<TopicMetadata> DescribeTopic(const std::string& topic);
  // The topic's effective configs (DescribeConfigs), sorted by name. Errors: NotFound,
  // DeadlineExceeded, Unavailable.
  Result<std::vector<ConfigEntry>> DescribeTopicConfigs(const std::string& topic);
  // [low, high) watermarks of one partition (ListOffsets earliest/latest).
  Result<std::pair<int64_t, int64_t>> Watermarks(const std::string& topic, int32_t partition);

 private:
  Admin(KafkaHandle handle, std::chrono::milliseconds timeout)
      : handle_(std::move(handle)), timeout_(timeout) {}
  KafkaHandle handle_;
  std::chrono::milliseconds timeout_;
};

}  // namespace el::rdk
