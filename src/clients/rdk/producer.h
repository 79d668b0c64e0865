#pragma once
// Producer: a librdkafka producer with a dedicated delivery-report poll thread.
//
// Lifecycle: Create() starts the poll thread; Close() (or the destructor) flushes with a bounded
// wait, purges what is still queued (each purged message gets a failed delivery report), then stops
// and joins the poll thread. Produce() and OpenTopic() are thread-safe and never block.
// Delivery reports run on the poll thread (or inside Close): listeners must be cheap and must not
// call back into this Producer's Close().
#include <librdkafka/rdkafka.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "base/result.h"
#include "clients/rdk/handles.h"

namespace el::rdk {

struct TopicDeleter {
  void operator()(rd_kafka_topic_t* t) const noexcept { rd_kafka_topic_destroy(t); }
};
using TopicHandle = std::unique_ptr<rd_kafka_topic_t, TopicDeleter>;

// Receives the outcome of one produced message. `err` is RD_KAFKA_RESP_ERR_NO_ERROR once the
// broker acknowledged it (with the producer's acks setting). Called exactly once per message that
// Produce() accepted, on the poll thread.
class DeliveryListener {
 public:
  virtual void OnDelivery(rd_kafka_resp_err_t err) noexcept = 0;

 protected:
  ~DeliveryListener() = default;
};

class Producer {
 public:
  // `properties` are librdkafka settings (bootstrap.servers, acks, ...). Errors: InvalidArgument.
  static Result<std::unique_ptr<Producer>> Create(
      const std::map<std::string, std::string>& properties);
  ~Producer();
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  // A topic handle for Produce(); it must be destroyed before this Producer.
  Result<TopicHandle> OpenTopic(const std::string& name);

  // Queues `payload` (not copied: it must stay valid until `listener` is called) to the topic's
  // partitioner, which hashes a non-empty `key` (copied) so that equal keys share a partition.
  // On success `listener` is called exactly once later; on failure never.
  // Errors: ResourceExhausted when the local queue is full, Unavailable otherwise.
  Status Produce(rd_kafka_topic_t* topic, std::string_view payload, DeliveryListener* listener,
                 std::string_view key = {});

  // Messages queued or in flight, not yet reported.
  int QueueDepth() const { return rd_kafka_outq_len(handle_.get()); }

  // Waits up to `timeout` for every queued message to be delivered. Errors: DeadlineExceeded.
  Status Flush(std::chrono::milliseconds timeout);

  // Idempotent: flush (bounded by `timeout`), purge the rest, stop the poll thread.
  void Close(std::chrono::milliseconds timeout);

  rd_kafka_t* handle() const { return handle_.get(); }

 private:
  explicit Producer(KafkaHandle handle);
  void PollLoop();

  KafkaHandle handle_;  // destroyed last, after the poll thread has been joined
  std::atomic<bool> stop_{false};
  std::atomic<bool> closed_{false};
  std::thread poll_thread_;
};

}  // namespace el::rdk
