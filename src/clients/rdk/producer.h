#pragma once
// Producer: a librdkafka producer whose delivery reports are served either by a dedicated poll
// thread (DeliveryMode::kPollThread) or by the application's own event loop
// (DeliveryMode::kEventFd: librdkafka signals an eventfd when reports are waiting, and the loop
// calls ServeDeliveries() on its thread, so no extra thread wakes up per report).
//
// Lifecycle: Create() starts the poll thread (kPollThread); Close() (or the destructor) flushes
// with a bounded wait, purges what is still queued (each purged message gets a failed delivery
// report), then stops and joins the poll thread. Produce() and OpenTopic() are thread-safe and
// never block. Delivery reports run on the poll thread, on the thread calling ServeDeliveries(),
// or inside Close() (several of these may run at once): listeners must be cheap and thread-safe and
// must not call back into this Producer's Close().
#include <librdkafka/rdkafka.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <span>
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
// Produce() accepted, on whichever thread serves delivery reports (see Producer).
class DeliveryListener {
 public:
  virtual void OnDelivery(rd_kafka_resp_err_t err) noexcept = 0;

 protected:
  ~DeliveryListener() = default;
};

enum class DeliveryMode {
  kPollThread,  // the producer's own thread polls for delivery reports
  kEventFd,     // the caller waits on delivery_event_fd() and calls ServeDeliveries()
};

class Producer {
 public:
  // `properties` are librdkafka settings (bootstrap.servers, acks, ...). Errors: InvalidArgument,
  // IOError (no eventfd).
  static Result<std::unique_ptr<Producer>> Create(
      const std::map<std::string, std::string>& properties,
      DeliveryMode mode = DeliveryMode::kPollThread);
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

  // Queues several messages to `topic` in one call (one lock round for the whole run). Each
  // message's payload/len (not copied: valid until its report), key/key_len (copied) and _private
  // (its DeliveryListener, called exactly once for every accepted message) must be set by the
  // caller. Returns how many were accepted; a refused message has its `err` set (see
  // ProduceError()).
  int ProduceBatch(rd_kafka_topic_t* topic, std::span<rd_kafka_message_t> messages);

  // The Status for a message Produce()/ProduceBatch() refused with `err`.
  static Status ProduceError(rd_kafka_resp_err_t err);

  // Messages queued or in flight, not yet reported.
  int QueueDepth() const { return rd_kafka_outq_len(handle_.get()); }

  // Waits up to `timeout` for every queued message to be delivered. Errors: DeadlineExceeded.
  Status Flush(std::chrono::milliseconds timeout);

  // Idempotent: flush (bounded by `timeout`), purge the rest, stop the poll thread.
  void Close(std::chrono::milliseconds timeout);

  // kEventFd only: readable (non-blocking eventfd, owned by the Producer, valid until it is
  // destroyed) whenever delivery reports may be waiting; -1 in kPollThread mode.
  int delivery_event_fd() const { return event_fd_; }

  // Clears delivery_event_fd() and runs every waiting delivery report on the calling thread;
  // returns how many events were served. Thread-safe; never blocks.
  int ServeDeliveries();

  rd_kafka_t* handle() const { return handle_.get(); }

 private:
  explicit Producer(KafkaHandle handle);
  Status StartDeliveries(DeliveryMode mode);
  void PollLoop();

  KafkaHandle handle_;  // destroyed last, after the poll thread has been joined
  int event_fd_ = -1;   // kEventFd: signalled by librdkafka's main queue
  std::atomic<bool> stop_{false};
  std::atomic<bool> closed_{false};
  std::thread poll_thread_;
};

}  // namespace el::rdk
