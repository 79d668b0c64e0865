// Fetch 4-11. Long-poll: the reply waits until min_bytes are available or max_wait_ms has passed,
// and appends to the partitions being read wake it early (FetchWaiters). KIP-74: the first
// non-empty partition always gets at least one whole batch, even past max_bytes. Empty partitions
// answer zero-length records (never null), last_stable_offset = HWM (no transactions), and
// preferred_read_replica -1. Fetch sessions (v7+) are not kept: session id is always 0.
#include <chrono>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>

#include "kafka/protocol/fetch.h"
#include "kafka/server/broker_metrics.h"
#include "kafka/server/errors.h"
#include "kafka/server/handlers/handler.h"

namespace el::kafka {
namespace {

using Clock = std::chrono::steady_clock;

struct Snapshot {
  FetchResponse resp;
  size_t bytes = 0;
  bool has_error = false;
  std::vector<int64_t> hwms;  // per requested partition, to detect appends that raced the wait
};

FetchPartitionResponse ReadOne(BrokerContext& ctx, const std::string& topic, const FetchPartition& p,
                               size_t& budget, bool& has_data, Snapshot& snap) {
  FetchPartitionResponse out;
  out.partition_index = p.partition;
  std::shared_ptr<storage::PartitionLog> log = ctx.logs.Get(topic, p.partition);
  if (!log) {
    out.error_code = ToWire(ErrorCode::kUnknownTopicOrPartition);
    snap.has_error = true;
    snap.hwms.push_back(-1);
    return out;
  }
  Offset start = log->log_start();
  Offset hwm = log->high_watermark();
  out.high_watermark = hwm.value();
  out.last_stable_offset = hwm.value();
  out.log_start_offset = start.value();
  snap.hwms.push_back(hwm.value());
  if (p.fetch_offset < start.value() || p.fetch_offset > hwm.value()) {
    out.error_code = ToWire(ErrorCode::kOffsetOutOfRange);
    snap.has_error = true;
    return out;
  }
  if (p.fetch_offset == hwm.value() || (budget == 0 && has_data)) return out;
  size_t limit = std::min(budget, static_cast<size_t>(std::max(p.partition_max_bytes, 0)));
  auto data = log->Read(Offset(p.fetch_offset), limit);
  if (!data.ok()) {
    out.error_code = ToWire(ToErrorCode(data.status(), ApiKey::kFetch));
    snap.has_error = true;
    return out;
  }
  out.records = std::move(*data);
  budget -= std::min(budget, out.records.size());
  if (!out.records.empty()) has_data = true;
  snap.bytes += out.records.size();
  return out;
}

Snapshot ReadAll(BrokerContext& ctx, const FetchRequest& req) {
  Snapshot snap;
  size_t budget = static_cast<size_t>(std::max(req.max_bytes, 0));
  bool has_data = false;
  for (const FetchTopic& t : req.topics) {
    FetchTopicResponse tr;
    tr.topic = t.topic;
    for (const FetchPartition& p : t.partitions) {
      tr.partitions.push_back(ReadOne(ctx, t.topic, p, budget, has_data, snap));
    }
    snap.resp.topics.push_back(std::move(tr));
  }
  return snap;
}

std::vector<int64_t> CurrentHwms(BrokerContext& ctx, const FetchRequest& req) {
  std::vector<int64_t> out;
  for (const FetchTopic& t : req.topics) {
    for (const FetchPartition& p : t.partitions) {
      auto log = ctx.logs.Get(t.topic, p.partition);
      out.push_back(log ? log->high_watermark().value() : -1);
    }
  }
  return out;
}

boost::asio::awaitable<Result<Response>> Handle(BrokerContext& ctx, const Request& req) {
  int16_t v = req.header.api_version;
  auto parsed = DecodeMessage<FetchRequest>(req.body, v);
  if (!parsed.ok()) co_return parsed.status();
  const FetchRequest& fr = *parsed;
  auto deadline = Clock::now() + std::chrono::milliseconds(std::max(fr.max_wait_ms, 0));
  auto executor = co_await boost::asio::this_coro::executor;
  for (;;) {
    Snapshot snap = ReadAll(ctx, fr);
    bool enough = snap.bytes >= static_cast<size_t>(std::max(fr.min_bytes, 0));
    if (enough || snap.has_error || Clock::now() >= deadline || ctx.stopping) {
      if (ctx.metrics != nullptr) {
        for (const FetchTopicResponse& t : snap.resp.topics) {
          int64_t bytes = 0;
          for (const FetchPartitionResponse& p : t.partitions) bytes += static_cast<int64_t>(p.records.size());
          ctx.metrics->RecordFetched(t.topic, bytes);
        }
      }
      co_return Reply(snap.resp, v);
    }
    auto waiter = std::make_shared<FetchWaiters::Waiter>(executor);
    for (const FetchTopic& t : fr.topics) {
      for (const FetchPartition& p : t.partitions) waiter->partitions.emplace_back(t.topic, p.partition);
    }
    ctx.waiters.Add(waiter);
    // An append between ReadAll and Add sent no wake-up; the watermarks show it.
    if (CurrentHwms(ctx, fr) == snap.hwms && !ctx.stopping) {
      waiter->timer.expires_at(deadline);
      if (!waiter->notified) {
        co_await waiter->timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
      }
    }
    ctx.waiters.Remove(waiter);
  }
}

}  // namespace

HandlerSpec FetchHandler() { return {ApiKey::kFetch, 4, 11, &Handle}; }

}  // namespace el::kafka
