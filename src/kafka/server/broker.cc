#include "kafka/server/broker.h"

#include <chrono>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "base/log.h"
#include "net/listener.h"
#include "kafka/server/connection.h"

namespace el::kafka {
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {
// Connections accepted at once after an accept completes, when more are waiting.
constexpr int kAcceptBurst = 256;
}  // namespace

Result<std::unique_ptr<Broker>> Broker::Start(BrokerOptions options) {
  if (options.io_threads < 1) return InvalidArgument("io_threads must be at least 1");
  if (options.default_partitions < 1) return InvalidArgument("default partitions must be at least 1");
  EL_ASSIGN_OR_RETURN(auto logs, storage::LogManager::Open(options.data_dir, options.log));
  std::unique_ptr<Broker> broker(new Broker(std::move(options), std::move(logs)));
  EL_ASSIGN_OR_RETURN(broker->groups_, group::Coordinator::Open(broker->options_.data_dir, broker->options_.groups));
  broker->ctx_.groups = broker->groups_.get();
  broker->metrics_->SetGroups(broker->groups_.get());
  EL_RETURN_IF_ERROR(broker->Listen());
  broker->maintenance_ = LogMaintenance::Start(*broker->logs_, broker->options_.flush_ms,
                                               broker->options_.retention_check_ms);
  asio::co_spawn(broker->acceptor_.get_executor(), broker->AcceptLoop(), asio::detached);
  for (int i = 0; i < broker->options_.io_threads; ++i) {
    broker->threads_.emplace_back([b = broker.get()] {
      SetLogComponent("broker");
      b->ioc_.run();
    });
  }
  return broker;
}

Broker::Broker(BrokerOptions options, std::unique_ptr<storage::LogManager> logs)
    : options_(std::move(options)),
      logs_(std::move(logs)),
      ctx_{*logs_, waiters_, blocking_, "", 0, options_.default_partitions, {false}},
      acceptor_(asio::make_strand(ioc_)) {
  ctx_.commits = &commits_;
  metrics_ = std::make_unique<BrokerMetrics>(*logs_);
  ctx_.metrics = metrics_.get();
}

Broker::~Broker() { Stop(); }

Status Broker::Listen() {
  EL_ASSIGN_OR_RETURN(port_, net::OpenListener(acceptor_, options_.listen));
  if (options_.advertise) {
    ctx_.advertised_host = options_.advertise->host;
    ctx_.advertised_port = options_.advertise->port != 0 ? options_.advertise->port : port_;
  } else {
    const std::string& host = options_.listen.host;
    bool wildcard = host == "0.0.0.0" || host == "::" || host.empty();
    ctx_.advertised_host = wildcard ? "127.0.0.1" : host;
    ctx_.advertised_port = port_;
  }
  return Status::Ok();
}

std::string Broker::advertised() const {
  return net::HostPort{ctx_.advertised_host, static_cast<uint16_t>(ctx_.advertised_port)}.ToString();
}

asio::awaitable<void> Broker::AcceptLoop() {
  boost::system::error_code ec;
  acceptor_.non_blocking(true, ec);  // for the burst accepts below; async accepts are unaffected
  while (!ctx_.stopping) {
    auto socket = std::make_shared<Socket>(asio::make_strand(ioc_));
    auto [accept_ec] = co_await acceptor_.async_accept(*socket, asio::as_tuple(asio::use_awaitable));
    if (accept_ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
    if (accept_ec) {
      // Out of descriptors and similar: back off briefly instead of spinning.
      spdlog::warn("accept failed: {}", accept_ec.message());
      asio::steady_timer t(acceptor_.get_executor(), std::chrono::milliseconds(100));
      co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    if (!StartSession(std::move(socket))) co_return;
    // Clients reconnecting at once (a broker restart) are taken in one go rather than one per turn
    // of the io queue.
    for (int i = 0; i < kAcceptBurst; ++i) {
      auto next = std::make_shared<Socket>(asio::make_strand(ioc_));
      acceptor_.accept(*next, ec);
      if (ec) break;  // would_block: the backlog is empty; other errors show on the next async accept
      if (!StartSession(std::move(next))) co_return;
    }
  }
}

bool Broker::StartSession(std::shared_ptr<Socket> socket) {
  boost::system::error_code ignored;
  socket->set_option(tcp::no_delay(true), ignored);
  {
    std::lock_guard lock(sessions_mu_);
    if (ctx_.stopping) return false;
    sessions_.insert(socket);
  }
  asio::co_spawn(socket->get_executor(), Session(socket), asio::detached);
  return true;
}

asio::awaitable<void> Broker::Session(std::shared_ptr<Socket> socket) {
  co_await RunConnection(ctx_, socket, options_.max_request_bytes);
  std::lock_guard lock(sessions_mu_);
  sessions_.erase(socket);
  sessions_cv_.notify_all();
}

void Broker::Stop() {
  if (stopped_.exchange(true)) return;
  ctx_.stopping = true;
  asio::post(acceptor_.get_executor(), [this] {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
  });
  {
    std::unique_lock lock(sessions_mu_);
    for (const auto& s : sessions_) {
      asio::post(s->get_executor(), [s] {
        boost::system::error_code ignored;
        s->shutdown(tcp::socket::shutdown_both, ignored);
        s->close(ignored);
      });
    }
    waiters_.WakeAll();
    if (groups_) groups_->Shutdown();  // answers parked JoinGroup/SyncGroup requests
    sessions_cv_.wait_for(lock, std::chrono::seconds(5), [this] { return sessions_.empty(); });
  }
  ioc_.stop();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  blocking_.join();
  if (maintenance_) maintenance_->Stop();
  Status st = logs_->Close();
  if (!st.ok()) spdlog::error("closing logs: {}", st.ToString());
}

}  // namespace el::kafka
