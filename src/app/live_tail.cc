#include "app/live_tail.h"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <map>
#include <optional>
#include <vector>

#include "clients/rdk/consumer.h"

namespace el::app {
namespace {

constexpr auto kMetadataTimeout = std::chrono::seconds(5);
// One tick: the reader takes at most kTickEvents events a tick (kTickEvents * 5 a second: more
// than the pages show, 200 per page every 0.5 s) and skips to the end of a partition that got
// further ahead than kMaxBehind, so that its cost does not grow with the topic's rate.
constexpr auto kTick = std::chrono::milliseconds(200);
constexpr size_t kTickEvents = 200;
constexpr int64_t kMaxBehind = 2 * kTickEvents;
// librdkafka prefetches up to this much per partition: small, since most of it may be skipped.
constexpr char kPrefetchKiB[] = "256";

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

LiveTail::LiveTail(std::string brokers, std::string topic, std::shared_ptr<console::LiveRing> ring)
    : brokers_(std::move(brokers)), topic_(std::move(topic)), ring_(std::move(ring)) {}

LiveTail::~LiveTail() {
  std::lock_guard lock(mu_);
  if (reader_.joinable()) {
    reader_.request_stop();
    reader_.join();
  }
}

void LiveTail::Want() {
  wanted_at_ms_ = SteadyMs();
  if (running_) return;
  std::lock_guard lock(mu_);
  if (running_) return;
  if (reader_.joinable()) reader_.join();  // it has finished (running_ is false)
  running_ = true;
  reader_ = std::jthread([this](std::stop_token stop) {
    Read(stop);
    running_ = false;
  });
}

void LiveTail::Read(std::stop_token stop) {
  ring_->SetState("starting");
  // librdkafka assigns only with a group.id; nothing is ever committed or joined under it.
  auto consumer = rdk::Consumer::Create(brokers_, {{"client.id", "eventlake-console"},
                                                   {"group.id", "eventlake-console"},
                                                   {"queued.max.messages.kbytes", kPrefetchKiB}});
  if (!consumer.ok()) {
    ring_->SetState("error: " + consumer.status().message());
    return;
  }
  auto partitions = consumer->Partitions(topic_, kMetadataTimeout);
  if (!partitions.ok()) {
    ring_->SetState("error: " + partitions.status().message());
    return;
  }
  std::map<int32_t, int64_t> starts;
  for (int32_t p : *partitions) {
    auto marks = consumer->QueryWatermarks(topic_, p, kMetadataTimeout);
    if (!marks.ok()) {
      ring_->SetState("error: " + marks.status().message());
      return;
    }
    starts[p] = marks->high;
  }
  if (Status st = consumer->Assign(topic_, starts); !st.ok()) {
    ring_->SetState("error: " + st.message());
    return;
  }
  ring_->SetState("reading");
  spdlog::info("console: live events of {} followed", topic_);
  std::vector<rdk::Message> batch;
  std::mutex mu;
  std::condition_variable_any cv;
  auto idle_ms = std::chrono::duration_cast<std::chrono::milliseconds>(kIdle).count();
  while (!stop.stop_requested() && SteadyMs() - wanted_at_ms_ < idle_ms) {
    auto tick_end = std::chrono::steady_clock::now() + kTick;
    consumer->PollBatch(kTick, kTickEvents, batch);
    for (const rdk::Message& m : batch) {
      if (!m || m->err != RD_KAFKA_RESP_ERR_NO_ERROR) continue;
      console::LiveEvent e;
      e.partition = m->partition;
      e.offset = m->offset;
      e.timestamp_ms = rd_kafka_message_timestamp(m.get(), nullptr);
      if (m->payload != nullptr) e.value.assign(static_cast<const char*>(m->payload), m->len);
      ring_->Add(std::move(e));
      starts[m->partition] = m->offset + 1;
    }
    bool full = batch.size() >= kTickEvents;
    batch.clear();  // messages go before the consumer
    if (!full) continue;
    // More than a tick's worth was waiting: skip what is too far behind, and wait out the tick.
    std::map<int32_t, int64_t> skip;
    for (const auto& [p, next] : starts) {
      std::optional<int64_t> high = consumer->CachedHighWatermark(topic_, p);
      if (high && *high - next > kMaxBehind) skip[p] = *high - kTickEvents;
    }
    if (!skip.empty()) {
      if (Status st = consumer->Seek(topic_, skip); !st.ok()) {
        spdlog::warn("console: live events: {}", st.message());
      }
      for (const auto& [p, next] : skip) starts[p] = next;
    }
    std::unique_lock lock(mu);
    cv.wait_until(lock, stop, tick_end, [] { return false; });
  }
  ring_->SetState("idle");
}

}  // namespace el::app
