#include "collector/pending_batch.h"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <algorithm>
#include <string>
#include <vector>

namespace el::collector {

namespace asio = boost::asio;

namespace {
// How often a waiting request reads the delivery watch.
constexpr std::chrono::milliseconds kWatchSlice{50};
}  // namespace

PendingBatch::PendingBatch(asio::any_io_executor executor, std::shared_ptr<const std::string> text)
    : executor_(executor), timer_(executor), text_(std::move(text)) {}

void PendingBatch::Start(rdk::Producer& producer, std::span<const Outgoing> events) {
  self_ = shared_from_this();
  // The guard (released below) plus one per event; events that are not queued are taken off.
  pending_.store(static_cast<int>(events.size()) + 1, std::memory_order_relaxed);
  // Reused by every request on this thread (Start runs to completion without yielding).
  thread_local std::vector<rd_kafka_message_t> messages;
  messages.assign(events.size(), rd_kafka_message_t{});
  auto* listener = static_cast<rdk::DeliveryListener*>(this);
  for (size_t i = 0; i < events.size(); ++i) {
    rd_kafka_message_t& m = messages[i];
    m.payload = const_cast<char*>(events[i].payload.data());
    m.len = events[i].payload.size();
    m.key = events[i].key.empty() ? nullptr : const_cast<char*>(events[i].key.data());
    m.key_len = events[i].key.size();
    m._private = listener;
  }
  // One produce call per run of events bound for the same topic.
  int not_queued = 0;
  for (size_t begin = 0, end = 0; begin < events.size(); begin = end) {
    for (end = begin; end < events.size() && events[end].topic == events[begin].topic;) ++end;
    int count = static_cast<int>(end - begin);
    if (!produce_status_.ok()) {  // the batch already failed: queue no more
      not_queued += count;
      continue;
    }
    std::span<rd_kafka_message_t> run(messages.data() + begin, end - begin);
    int accepted = producer.ProduceBatch(events[begin].topic, run);
    if (accepted == count) continue;
    not_queued += count - accepted;
    for (const rd_kafka_message_t& m : run) {
      if (m.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        produce_status_ = rdk::Producer::ProduceError(m.err);
        break;
      }
    }
    if (produce_status_.ok()) produce_status_ = Unavailable("producer refused an event");
  }
  if (not_queued > 0) pending_.fetch_sub(not_queued, std::memory_order_relaxed);
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

asio::awaitable<Status> PendingBatch::Wait(std::chrono::steady_clock::duration deadline,
                                           const DeliveryWatch* watch) {
  // Without a watch one wait covers the deadline; with one, the wait is cut into slices after
  // each of which the watch is read.
  const auto end = std::chrono::steady_clock::now() + deadline;
  while (!done_) {
    auto now = std::chrono::steady_clock::now();
    if (now >= end) break;
    if (watch != nullptr && watch->stalled()) co_return watch->StalledError();
    auto wait = end - now;
    if (watch != nullptr) wait = std::min<std::chrono::steady_clock::duration>(wait, kWatchSlice);
    timer_.expires_after(wait);
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
