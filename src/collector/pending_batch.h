#pragma once
// PendingBatch: one HTTP request's events on their way to the broker.
//
// It keeps the request's event text (every payload, back to back) alive until librdkafka has
// reported on every event (payloads are produced without copying), and wakes the waiting session when the last delivery report arrives: the thread
// serving delivery reports (an io thread, or the producer's Close) posts the completion to the
// session's executor (a strand), never runs session code itself.
// Start() and Wait() run on that strand; OnDelivery() wherever the producer serves reports.
// Lifetime: held by shared_ptr; while deliveries are outstanding the batch keeps itself alive, so
// it survives an abandoned session, and is released by the last delivery report.
#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <span>
#include <string_view>
#include <string>
#include <vector>

#include "base/status.h"
#include "clients/rdk/producer.h"
#include "collector/delivery_watch.h"

namespace el::collector {

// One event to produce: the payload (inside the batch's text), its partition key (copied by the
// producer, so it only needs to live through Start()) and topic.
struct Outgoing {
  std::string_view payload;
  std::string_view key;
  rd_kafka_topic_t* topic = nullptr;
};

class PendingBatch final : public rdk::DeliveryListener,
                           public std::enable_shared_from_this<PendingBatch> {
 public:
  // `text` holds every payload that Start() will be given.
  PendingBatch(boost::asio::any_io_executor executor, std::shared_ptr<const std::string> text);

  // Queues every event (payloads inside the text given to the constructor). If the producer refuses one (queue full), the rest are not queued and the
  // batch fails; events already queued are still waited for.
  void Start(rdk::Producer& producer, std::span<const Outgoing> events);

  // Completes once every queued event has a delivery report, after `deadline`, or as soon as
  // `watch` (may be null) says the broker stopped acknowledging; the events stay queued then, and
  // a client retrying with the same messageIds is de-duplicated downstream.
  // Returns OK only if every event was acknowledged. Errors: ResourceExhausted (queue full),
  // Unavailable (delivery failed, or the broker stalled), DeadlineExceeded.
  boost::asio::awaitable<Status> Wait(std::chrono::steady_clock::duration deadline,
                                      const DeliveryWatch* watch = nullptr);

  void OnDelivery(rd_kafka_resp_err_t err) noexcept override;

 private:
  void Release() noexcept;

  boost::asio::any_io_executor executor_;
  boost::asio::steady_timer timer_;  // used on the strand only
  std::shared_ptr<const std::string> text_;  // payloads referenced by librdkafka until delivery
  std::atomic<int> pending_{0};
  std::atomic<int> first_error_{RD_KAFKA_RESP_ERR_NO_ERROR};
  Status produce_status_;               // written in Start(), read in Wait(), both on the strand
  bool done_ = false;                   // strand only
  std::shared_ptr<PendingBatch> self_;  // set by Start(), dropped by the last Release()
};

}  // namespace el::collector
