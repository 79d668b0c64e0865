#pragma once
// TopicRouter: which topic an event goes to: always the configured one, or (per_type) one topic per
// event type named "<topic>.<event_type>" (characters Kafka does not allow become '_').
// Topic handles are opened on first use and cached for the router's lifetime. Thread-safe.
// Lifetime: must be destroyed before the Producer it opens topics on.
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>

#include "base/result.h"
#include "clients/rdk/producer.h"

namespace el::collector {

// "<topic>.<sanitised type>" (an empty type becomes "unknown"; at most 249 characters).
std::string TopicForType(std::string_view topic, std::string_view event_type);

class TopicRouter {
 public:
  TopicRouter(rdk::Producer* producer, std::string topic, bool per_type);
  // Opens the default topic. Errors: InvalidArgument.
  Status Init();
  // The handle for an event of `event_type`. Errors: InvalidArgument (cannot open the topic).
  Result<rd_kafka_topic_t*> For(std::string_view event_type);

 private:
  rdk::Producer* producer_;
  const std::string topic_;
  const bool per_type_;
  rdk::TopicHandle default_;
  std::shared_mutex mu_;
  std::map<std::string, rdk::TopicHandle, std::less<>> by_type_;  // guarded by mu_
};

}  // namespace el::collector
