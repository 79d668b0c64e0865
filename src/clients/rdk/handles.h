#pragma once
// Move-only RAII owners for librdkafka handles, and config building with clear errors.
// Destruction order matters for consumers: destroy messages first, then rd_kafka_consumer_close(),
// then rd_kafka_destroy(); KafkaHandle's deleter only destroys, so a consumer's owner must close it.
#include <librdkafka/rdkafka.h>

#include <map>
#include <memory>
#include <string>

#include "base/result.h"

namespace el::rdk {

struct ConfDeleter {
  void operator()(rd_kafka_conf_t* c) const noexcept { rd_kafka_conf_destroy(c); }
};
struct KafkaDeleter {
  void operator()(rd_kafka_t* k) const noexcept { rd_kafka_destroy(k); }
};
struct MessageDeleter {
  void operator()(rd_kafka_message_t* m) const noexcept { rd_kafka_message_destroy(m); }
};
struct TopicPartitionListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* l) const noexcept {
    rd_kafka_topic_partition_list_destroy(l);
  }
};

using Conf = std::unique_ptr<rd_kafka_conf_t, ConfDeleter>;
using KafkaHandle = std::unique_ptr<rd_kafka_t, KafkaDeleter>;
using Message = std::unique_ptr<rd_kafka_message_t, MessageDeleter>;
using TopicPartitionList = std::unique_ptr<rd_kafka_topic_partition_list_t, TopicPartitionListDeleter>;

// Builds a configuration from properties. Errors: InvalidArgument naming the property.
// librdkafka's version, e.g. "2.0.2".
inline std::string LibraryVersion() { return rd_kafka_version_str(); }

Result<Conf> MakeConf(const std::map<std::string, std::string>& properties);

// Creates a producer or consumer from `conf` (ownership passes to the handle on success and is
// released on failure). Errors: InvalidArgument with librdkafka's message.
Result<KafkaHandle> MakeHandle(rd_kafka_type_t type, Conf conf);

}  // namespace el::rdk
