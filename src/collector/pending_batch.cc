#include "collector/pending_batch.h"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace el::collector {

namespace asio = boost::asio;

PendingBatch::PendingBatch(asio::any_io_executor executor, std::vector<Outgoing> events)
    : executor_(executor), timer_(executor), events_(std::move(events)) {}

void PendingBatch::Start(rdk::Producer& producer) {
  self_ = shared_from_this();
  pending_.store(1, std::memory_order_relaxed);  // guard, released below
  for (const Outgoing& event : events_) {
    pending_.fetch_add(1, std::memory_order_relaxed);
    Status status = producer.Produce(event.topic, event.payload, this, event.key);
    if (!status.ok()) {
      pending_.fetch_sub(1, std::memory_order_relaxed);
      produce_status_ = std::move(status);
      break;
    }
  }
  Release();
}

void PendingBatch::OnDelivery(rd_kafka_resp_err_t err) noexcept {
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    int expected = RD_KAFKA_RESP_ERR_NO_ERROR;
    first_error_.compare_exchange_strong(expected, err);
  }
  Release();
}

void PendingBatch::Release() noexcept {
  if (pending_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  std::shared_ptr<PendingBatch> self = std::move(self_);
  try {
    asio::post(executor_, [self] {
      self->done_ = true;
      self->timer_.cancel();
    });
  } catch (const std::exception& e) {
    spdlog::error("collector: cannot complete a request: {}", e.what());
  }
}

asio::awaitable<Status> PendingBatch::Wait(std::chrono::steady_clock::duration deadline) {
  if (!done_) {
    timer_.expires_after(deadline);
    co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  if (!done_) co_return DeadlineExceeded("no delivery report from the producer in time");
  if (!produce_status_.ok()) co_return produce_status_;
  auto err = static_cast<rd_kafka_resp_err_t>(first_error_.load(std::memory_order_acquire));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    co_return Unavailable(std::string("broker did not acknowledge the event: ") +
                          rd_kafka_err2str(err));
  }
  co_return Status::Ok();
}

}  // namespace el::collector
