#pragma once
// Broker: a single-node Kafka-wire-compatible broker over a storage::LogManager.
// Lifecycle: Start() opens the data directory (taking its lock), binds and listens, starts
// `io_threads` threads running one io_context, and returns once connections are being accepted.
// Stop() (idempotent, also run by the destructor) stops accepting, closes every session, wakes parked
// fetches, joins the threads and closes the logs (sync + clean-shutdown marker).
// Threading: Start/Stop/port/advertised from one controlling thread; each connection runs on its
// own strand. See docs/kafka_compat.md for the APIs and versions served.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/thread_pool.hpp>

#include "base/result.h"
#include "kafka/server/context.h"
#include "kafka/server/fetch_waiters.h"
#include "kafka/server/group_commit.h"
#include "kafka/server/log_maintenance.h"
#include "kafka/server/group/coordinator.h"
#include "net/endpoint.h"
#include "storage/log_manager.h"
#include "kafka/server/broker_metrics.h"

namespace el::kafka {

struct BrokerOptions {
  std::string data_dir;
  net::HostPort listen{"127.0.0.1", 9092};
  std::optional<net::HostPort> advertise;  // default: listen host (0.0.0.0/:: -> 127.0.0.1) and the BOUND port
  int io_threads = 2;
  int32_t default_partitions = 1;          // for auto-created topics and CreateTopics with -1
  size_t max_request_bytes = 100u << 20;
  storage::LogOptions log;                 // broker-wide segment/retention/flush defaults (topics override)
  int64_t flush_ms = 1000;                 // acks=0/1: fdatasync unsynced partitions this often (0: leave to the OS)
  int64_t retention_check_ms = 30000;      // how often retention and segment.ms roll run (0: never)
  group::GroupConfig groups;               // initial rebalance delay, session timeout bounds
};

class Broker {
 public:
  // Errors: FailedPrecondition (data dir locked by another broker), IOError (data dir unusable,
  // cannot bind), InvalidArgument (bad options).
  static Result<std::unique_ptr<Broker>> Start(BrokerOptions options);
  ~Broker();
  Broker(const Broker&) = delete;
  Broker& operator=(const Broker&) = delete;

  uint16_t port() const { return port_; }
  std::string advertised() const;  // "host:port" clients are told
  // Health and metrics for /healthz and /metrics.
  const ComponentStatus& status() const { return *metrics_; }
  void Stop();

 private:
  using Socket = boost::asio::ip::tcp::socket;
  Broker(BrokerOptions options, std::unique_ptr<storage::LogManager> logs);
  Status Listen();
  boost::asio::awaitable<void> AcceptLoop();
  // Registers and starts a session; false once the broker is stopping (the socket then closes).
  bool StartSession(std::shared_ptr<Socket> socket);
  boost::asio::awaitable<void> Session(std::shared_ptr<Socket> socket);

  const BrokerOptions options_;
  // Declaration order is destruction order in reverse: the io_context (and any coroutine frames it
  // still holds) goes before the state those frames reference.
  std::unique_ptr<storage::LogManager> logs_;
  std::unique_ptr<LogMaintenance> maintenance_;  // uses logs_; stopped in Stop() before logs_ closes
  FetchWaiters waiters_;
  // Blocking file work: appends' page-cache writes, one group-commit fdatasync per busy partition,
  // topic and offset-store changes. Threads mostly wait on the disk, so more than the cores.
  boost::asio::thread_pool blocking_{8};
  GroupCommit commits_{blocking_};
  std::unique_ptr<BrokerMetrics> metrics_;
  BrokerContext ctx_;
  std::mutex sessions_mu_;
  std::condition_variable sessions_cv_;
  std::unordered_set<std::shared_ptr<Socket>> sessions_;  // GUARDED_BY(sessions_mu_)
  boost::asio::io_context ioc_;
  std::unique_ptr<group::Coordinator> groups_;  // before ioc_ in destruction: it holds parked timers
  boost::asio::ip::tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::vector<std::thread> threads_;
  std::atomic<bool> stopped_{false};
};

}  // namespace el::kafka
