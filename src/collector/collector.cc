#include "collector/collector.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>

#include "clients/rdk/producer.h"
#include "collector/http_session.h"
#include "base/log.h"
#include "net/listener.h"

namespace el::collector {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {
constexpr std::chrono::milliseconds kSessionDrainTimeout{20000};
constexpr std::chrono::milliseconds kFlushTimeout{10000};
// Delivery reports are also served on this period, whatever the eventfd says (a safety net).
constexpr std::chrono::milliseconds kDeliverySweep{100};
// Connections accepted at once after an accept completes, when more are waiting.
constexpr int kAcceptBurst = 256;
}  // namespace

// Member order is destruction-safe: the io_context goes first (destroying any abandoned session
// coroutine while the registry, router and producer still exist); the router (topic handles) goes
// before the producer it belongs to.
struct Collector::Impl {
  CollectorOptions options;
  std::unique_ptr<rdk::Producer> producer;
  std::unique_ptr<TopicRouter> router;
  std::unique_ptr<MessageIdWindow> dedup;
  Metrics metrics;
  std::atomic<bool> broker_reachable{false};
  std::optional<DeliveryWatch> delivery_watch;
  std::mutex probe_mu;
  std::condition_variable probe_cv;
  bool probe_stop = false;  // guarded by probe_mu
  std::thread probe_thread;
  SessionRegistry registry;
  SessionEnv env;
  uint16_t port = 0;
  std::once_flag stop_once;
  std::vector<std::thread> threads;
  asio::io_context io;
  asio::strand<asio::io_context::executor_type> accept_strand{io.get_executor()};
  tcp::acceptor acceptor{accept_strand};
  asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
  // A dup of the producer's delivery eventfd; its waits and the sweep timer run on the io threads.
  std::optional<asio::posix::stream_descriptor> delivery_fd;
  std::optional<asio::steady_timer> delivery_sweep;

  Status Listen();
  Status StartDeliveries();
  asio::awaitable<void> DeliveryLoop();
  asio::awaitable<void> DeliverySweep();
  void ProbeLoop();
  void ConfigureEnv();
  asio::awaitable<void> AcceptLoop();
  void StartSession(tcp::socket socket);
  void StopNow();
};

Status Collector::Impl::Listen() {
  EL_ASSIGN_OR_RETURN(port, net::OpenListener(acceptor, options.listen));
  return Status::Ok();
}

asio::awaitable<void> Collector::Impl::AcceptLoop() {
  asio::steady_timer backoff(accept_strand);
  std::chrono::steady_clock::time_point last_warning{};
  boost::system::error_code ec;
  acceptor.non_blocking(true, ec);  // for the burst accepts below; async accepts are unaffected
  for (;;) {
    auto [accept_ec, socket] = co_await acceptor.async_accept(
        asio::any_io_executor(asio::make_strand(io)), asio::as_tuple(asio::use_awaitable));
    if (!acceptor.is_open() || accept_ec == asio::error::operation_aborted) co_return;
    if (accept_ec) {  // e.g. out of file descriptors: back off instead of spinning, warn once a second
      auto now = std::chrono::steady_clock::now();
      if (now - last_warning >= std::chrono::seconds(1)) {
        spdlog::warn("collector: accept failed: {}", accept_ec.message());
        last_warning = now;
      }
      backoff.expires_after(std::chrono::milliseconds(50));
      co_await backoff.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    StartSession(std::move(socket));
    // A connection storm (clients reconnecting at once) is taken in one go: one accept per turn of
    // the busy io queue would leave the last clients' first requests unread for seconds.
    for (int i = 0; i < kAcceptBurst; ++i) {
      tcp::socket next = acceptor.accept(asio::any_io_executor(asio::make_strand(io)), ec);
      if (ec) break;  // would_block: the backlog is empty; other errors show on the next async accept
      StartSession(std::move(next));
    }
  }
}

void Collector::Impl::StartSession(tcp::socket socket) {
  boost::system::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  auto session = std::make_shared<HttpSession>(std::move(socket), env);
  if (!registry.Add(session)) return;  // shutting down: the socket closes here
  asio::co_spawn(session->executor(), HttpSession::Run(session), asio::detached);
}

// Delivery reports are served on an io thread as soon as librdkafka signals them, so completing a
// request needs no other thread: the session strands' completions are posted from the io thread.
Status Collector::Impl::StartDeliveries() {
  int fd = dup(producer->delivery_event_fd());
  if (fd < 0) return ErrnoError("dup of the delivery eventfd", errno);
  delivery_fd.emplace(io, fd);
  delivery_sweep.emplace(io);
  auto log_failure = [](const char* what) {
    return [what](std::exception_ptr e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        spdlog::error("collector: {} failed: {}", what, ex.what());
      }
    };
  };
  asio::co_spawn(io, DeliveryLoop(), log_failure("delivery loop"));
  asio::co_spawn(io, DeliverySweep(), log_failure("delivery sweep"));
  return Status::Ok();
}

asio::awaitable<void> Collector::Impl::DeliveryLoop() {
  for (;;) {
    auto [ec] = co_await delivery_fd->async_wait(asio::posix::descriptor_base::wait_read,
                                                 asio::as_tuple(asio::use_awaitable));
    if (ec == asio::error::operation_aborted || !delivery_fd->is_open()) co_return;
    if (producer->ServeDeliveries() > 0) delivery_watch->Progress(DeliveryWatch::Clock::now());
  }
}

asio::awaitable<void> Collector::Impl::DeliverySweep() {
  for (;;) {
    delivery_sweep->expires_after(kDeliverySweep);
    auto [ec] = co_await delivery_sweep->async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec == asio::error::operation_aborted) co_return;
    auto now = DeliveryWatch::Clock::now();
    if (producer->ServeDeliveries() > 0) delivery_watch->Progress(now);
    delivery_watch->Sample(now, producer->QueueDepth());
  }
}

void Collector::Impl::ProbeLoop() {
  std::unique_lock lock(probe_mu);
  while (!probe_stop) {
    lock.unlock();
    const rd_kafka_metadata_t* metadata = nullptr;
    rd_kafka_resp_err_t err =
        rd_kafka_metadata(producer->handle(), 0, nullptr, &metadata, 1000);
    bool up = err == RD_KAFKA_RESP_ERR_NO_ERROR && metadata != nullptr && metadata->broker_cnt > 0;
    if (metadata != nullptr) rd_kafka_metadata_destroy(metadata);
    broker_reachable.store(up);
    lock.lock();
    probe_cv.wait_for(lock, std::chrono::seconds(1), [this] { return probe_stop; });
  }
}

void Collector::Impl::ConfigureEnv() {
  const CollectorOptions& o = options;
  env.producer = producer.get();
  env.router = router.get();
  env.dedup = dedup.get();
  env.metrics = &metrics;
  env.broker_reachable = &broker_reachable;
  env.delivery_watch = &*delivery_watch;
  for (const std::string& name : o.header_allow) {
    if (name == "*") env.all_headers = true;
  }
  if (!env.all_headers) env.header_allow = o.header_allow;
  env.truncate_ip = o.truncate_ip;
  env.write_keys = o.write_keys;
  env.cors_origin = o.cors_origin;
  env.limits.max_event_bytes = o.max_event_bytes;
  env.limits.max_events = o.max_batch_events;
  env.max_body_bytes = o.max_body_bytes;
  env.read_timeout = o.header_timeout;
  env.body_timeout = o.body_timeout;
  env.delivery_deadline = o.delivery_timeout + std::chrono::seconds(5);
  env.registry = &registry;
  env.components = o.components;
}

Result<std::unique_ptr<Collector>> Collector::Start(CollectorOptions options) {
  if (options.io_threads < 1) return InvalidArgument("io_threads must be at least 1");
  if (options.topic.empty()) return InvalidArgument("topic must not be empty");
  if (options.stall_timeout.count() <= 0) return InvalidArgument("stall_timeout must be positive");
  if (options.max_body_bytes == 0) return InvalidArgument("max_body_bytes must be positive");
  if (options.max_event_bytes == 0 || options.max_batch_events == 0) {
    return InvalidArgument("event limits must be positive");
  }
  if (std::find(kCompressionCodecs.begin(), kCompressionCodecs.end(), options.compression) ==
      kCompressionCodecs.end()) {
    return InvalidArgument("compression must be none, gzip, snappy, lz4 or zstd, not '" +
                           options.compression + "'");
  }
  std::vector<IpNetwork> trusted_proxies;
  for (const std::string& text : options.trusted_proxies) {
    EL_ASSIGN_OR_RETURN(IpNetwork net, ParseIpNetwork(text));
    trusted_proxies.push_back(net);
  }
  EL_ASSIGN_OR_RETURN(IgnoredPaths ignored_paths, IgnoredPaths::Create(options.ignore_paths));
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  const CollectorOptions& o = impl->options;
  EL_RETURN_IF_ERROR(impl->Listen());  // first, so a bad address fails before any client starts
  std::map<std::string, std::string> properties{
      {"bootstrap.servers", o.brokers},
      {"client.id", "eventlake-collector"},
      {"acks", "all"},
      // Retries after a broker failure never write a batch twice: the broker drops a batch whose
      // producer id and sequence it already stored (and keeps that state across restarts).
      {"enable.idempotence", "true"},
      {"linger.ms", std::to_string(o.linger_ms)},
      {"compression.type", o.compression},
      {"message.timeout.ms", std::to_string(o.delivery_timeout.count())},
      {"log.connection.close", "false"},
      {"socket.nagle.disable", "true"},
      // Many maximal POSTs of tiny events must fit.
      {"queue.buffering.max.messages", "1000000"},
  };
  for (const auto& [k, v] : o.producer_properties) properties[k] = v;
  EL_ASSIGN_OR_RETURN(impl->producer, rdk::Producer::Create(properties, rdk::DeliveryMode::kEventFd));
  impl->router = std::make_unique<TopicRouter>(impl->producer.get(), o.topic, o.topic_per_type);
  EL_RETURN_IF_ERROR(impl->router->Init());
  impl->dedup = std::make_unique<MessageIdWindow>(o.dedup_window, o.dedup_max_ids);
  impl->delivery_watch.emplace(o.stall_timeout);
  impl->ConfigureEnv();
  impl->env.trusted_proxies = std::move(trusted_proxies);
  impl->env.ignored_paths = std::move(ignored_paths);
  EL_RETURN_IF_ERROR(impl->StartDeliveries());
  Impl* raw = impl.get();
  raw->probe_thread = std::thread([raw] {
    SetLogComponent("collector");
    raw->ProbeLoop();
  });
  asio::co_spawn(raw->accept_strand, raw->AcceptLoop(), [](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      spdlog::error("collector: accept loop failed: {}", ex.what());
    }
  });
  for (int i = 0; i < o.io_threads; ++i) {
    raw->threads.emplace_back([raw] {
      SetLogComponent("collector");
      for (;;) {
        try {
          raw->io.run();
          return;
        } catch (const std::exception& e) {
          spdlog::error("collector: io thread caught: {}", e.what());
        }
      }
    });
  }
  return std::unique_ptr<Collector>(new Collector(std::move(impl)));
}

Collector::Collector(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Collector::~Collector() {
  if (impl_) Stop();
}

uint16_t Collector::port() const { return impl_->port; }

bool Collector::broker_reachable() const { return impl_->broker_reachable.load(); }

void Collector::Stop() {
  std::call_once(impl_->stop_once, [this] { impl_->StopNow(); });
}

void Collector::Impl::StopNow() {
  asio::post(accept_strand, [this] {
    boost::system::error_code ignored;
    acceptor.close(ignored);
  });
  registry.StopAll();
  if (!registry.WaitEmpty(kSessionDrainTimeout)) {
    spdlog::warn("collector: sessions still open after {} ms; stopping anyway",
                 kSessionDrainTimeout.count());
  }
  producer->Close(kFlushTimeout);
  {
    std::lock_guard lock(probe_mu);
    probe_stop = true;
  }
  probe_cv.notify_all();
  if (probe_thread.joinable()) probe_thread.join();
  work.reset();
  io.stop();
  for (auto& thread : threads) {
    if (thread.joinable()) thread.join();
  }
}

}  // namespace el::collector
