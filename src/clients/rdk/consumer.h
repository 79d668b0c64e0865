#pragma once
// Consumer: a librdkafka consumer used without a consumer group: the caller assigns explicit
// start offsets (rd_kafka_assign) and reads partition ends from watermarks. Offsets are never
// committed (enable.auto.commit=false); the lake, not Kafka, records progress.
// Threading: one thread at a time (librdkafka polls by blocking). Lifetime: messages returned by
// Poll() must be destroyed before the Consumer (they are owned by unique_ptrs, so destroy them
// first); the destructor closes the consumer, then destroys the handle.
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/result.h"
#include "clients/rdk/handles.h"

namespace el::rdk {

struct Watermarks {
  int64_t low = 0;   // first offset still in the log
  int64_t high = 0;  // next offset to be written
};

class Consumer {
 public:
  // Creates a consumer for `brokers` ("host:port,..."); `extra` overrides properties.
  // Errors: InvalidArgument (bad property).
  static Result<Consumer> Create(const std::string& brokers,
                                 const std::map<std::string, std::string>& extra = {});
  Consumer(Consumer&&) noexcept = default;
  Consumer& operator=(Consumer&&) noexcept = default;
  ~Consumer();

  // The topic's partition ids, ascending. Errors: NotFound (unknown topic), Unavailable (no
  // broker answered within `timeout`).
  Result<std::vector<int32_t>> Partitions(const std::string& topic, std::chrono::milliseconds timeout);
  // Errors: Unavailable.
  Result<Watermarks> QueryWatermarks(const std::string& topic, int32_t partition,
                                     std::chrono::milliseconds timeout);
  // Starts fetching each partition in `starts` (partition -> first offset). Replaces any
  // earlier assignment. Errors: Internal with librdkafka's reason.
  Status Assign(const std::string& topic, const std::map<int32_t, int64_t>& starts);
  // The next message or event (partition EOF, error), or nullptr after `timeout`.
  Message Poll(std::chrono::milliseconds timeout);

 private:
  explicit Consumer(KafkaHandle handle) : handle_(std::move(handle)) {}
  KafkaHandle handle_;
};

}  // namespace el::rdk
