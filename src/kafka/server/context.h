#pragma once
// BrokerContext: what request handlers may use. Owned by Broker, which outlives every connection and
// handler; handlers hold it by reference. Thread-safe: LogManager and FetchWaiters lock internally,
// the rest is immutable after Start (except `stopping`, an atomic).
#include <atomic>
#include <cstdint>
#include <string>
#include <type_traits>
#include <optional>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "kafka/server/fetch_waiters.h"
#include "storage/log_manager.h"

namespace el::kafka {
namespace group {
class Coordinator;
}  // namespace group
class GroupCommit;
class BrokerMetrics;

inline constexpr int32_t kNodeId = 0;  // the one node id: brokers[], leader, isr, controller

struct BrokerContext {
  storage::LogManager& logs;
  FetchWaiters& waiters;
  boost::asio::thread_pool& blocking;  // fsync and other blocking file work, off the io threads
  std::string advertised_host;
  int32_t advertised_port = 0;
  int32_t default_partitions = 1;
  std::atomic<bool> stopping{false};
  group::Coordinator* groups = nullptr;  // consumer groups and committed offsets; set by Start
  GroupCommit* commits = nullptr;        // acks=all appends' fdatasync (group commit); set by Broker
  BrokerMetrics* metrics = nullptr;      // set by Broker (null in handler tests)
};

// Runs `f()` (blocking work: fsync, directory changes) on the blocking pool and resumes the calling
// coroutine on its own executor with the result. `f` may capture the caller's locals by reference:
// the caller's frame stays alive until this completes.
template <typename F>
boost::asio::awaitable<std::invoke_result_t<F&>> RunBlocking(BrokerContext& ctx, F f) {
  std::optional<std::invoke_result_t<F&>> out;
  co_await boost::asio::co_spawn(
      ctx.blocking,
      [&]() -> boost::asio::awaitable<void> {
        out.emplace(f());
        co_return;
      },
      boost::asio::use_awaitable);
  co_return std::move(*out);
}

}  // namespace el::kafka
