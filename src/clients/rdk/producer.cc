#include "clients/rdk/producer.h"
#include "base/log.h"

#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

namespace el::rdk {
namespace {

// Delivery-report trampoline: the message opaque is the DeliveryListener given to Produce().
void OnDeliveryReport(rd_kafka_t*, const rd_kafka_message_t* message, void*) noexcept {
  auto* listener = static_cast<DeliveryListener*>(message->_private);
  if (listener != nullptr) listener->OnDelivery(message->err);
}

// Routes librdkafka's own log lines to spdlog (called from librdkafka threads).
void OnLog(const rd_kafka_t*, int level, const char* facility, const char* text) noexcept {
  try {
    if (level <= 5) {
      spdlog::warn("rdkafka {}: {}", facility, text);
    } else {
      spdlog::debug("rdkafka {}: {}", facility, text);
    }
  } catch (...) {
  }
}

// Client-level errors. Connection failures already come through OnLog, so only the ones that
// change what the producer can do are logged loudly.
void OnError(rd_kafka_t*, int err, const char* reason, void*) noexcept {
  try {
    if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN || err == RD_KAFKA_RESP_ERR__FATAL) {
      spdlog::warn("rdkafka: {}", reason);
    } else {
      spdlog::debug("rdkafka: {}", reason);
    }
  } catch (...) {
  }
}

}  // namespace

Result<std::unique_ptr<Producer>> Producer::Create(
    const std::map<std::string, std::string>& properties, DeliveryMode mode) {
  EL_ASSIGN_OR_RETURN(Conf conf, MakeConf(properties));
  rd_kafka_conf_set_dr_msg_cb(conf.get(), OnDeliveryReport);
  rd_kafka_conf_set_log_cb(conf.get(), OnLog);
  rd_kafka_conf_set_error_cb(conf.get(), OnError);
  EL_ASSIGN_OR_RETURN(KafkaHandle handle, MakeHandle(RD_KAFKA_PRODUCER, std::move(conf)));
  std::unique_ptr<Producer> producer(new Producer(std::move(handle)));
  EL_RETURN_IF_ERROR(producer->StartDeliveries(mode));
  return producer;
}

Producer::Producer(KafkaHandle handle) : handle_(std::move(handle)) {}

Status Producer::StartDeliveries(DeliveryMode mode) {
  if (mode == DeliveryMode::kPollThread) {
    poll_thread_ = std::thread([this, component = LogComponent()] {
      SetLogComponent(component);  // delivery reports are the creator's
      PollLoop();
    });
    return Status::Ok();
  }
  event_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (event_fd_ < 0) return ErrnoError("eventfd for delivery reports", errno);
  // librdkafka writes this 8-byte counter increment when a report lands in its (empty) main queue.
  static constexpr uint64_t kOne = 1;
  rd_kafka_queue_t* main_queue = rd_kafka_queue_get_main(handle_.get());
  rd_kafka_queue_io_event_enable(main_queue, event_fd_, &kOne, sizeof(kOne));
  rd_kafka_queue_destroy(main_queue);
  return Status::Ok();
}

Producer::~Producer() {
  Close(std::chrono::milliseconds(10000));
  if (event_fd_ >= 0) {
    rd_kafka_queue_t* main_queue = rd_kafka_queue_get_main(handle_.get());
    rd_kafka_queue_io_event_enable(main_queue, -1, nullptr, 0);
    rd_kafka_queue_destroy(main_queue);
    close(event_fd_);
  }
}

int Producer::ServeDeliveries() {
  if (event_fd_ >= 0) {
    uint64_t count = 0;
    // Cleared before serving: a report queued after this read signals the fd again.
    [[maybe_unused]] ssize_t n = read(event_fd_, &count, sizeof(count));
  }
  int served = 0;
  for (int n; (n = rd_kafka_poll(handle_.get(), 0)) > 0;) served += n;
  return served;
}

void Producer::PollLoop() {
  while (!stop_.load(std::memory_order_acquire)) {
    rd_kafka_poll(handle_.get(), 50);
  }
}

Result<TopicHandle> Producer::OpenTopic(const std::string& name) {
  rd_kafka_topic_t* topic = rd_kafka_topic_new(handle_.get(), name.c_str(), nullptr);
  if (topic == nullptr) {
    return InvalidArgument("kafka topic " + name + ": " + rd_kafka_err2str(rd_kafka_last_error()));
  }
  return TopicHandle(topic);
}

Status Producer::Produce(rd_kafka_topic_t* topic, std::string_view payload,
                         DeliveryListener* listener, std::string_view key) {
  // Flags 0: librdkafka neither copies nor frees the payload; the caller keeps it alive. The key
  // is always copied.
  int rc = rd_kafka_produce(topic, RD_KAFKA_PARTITION_UA, 0, const_cast<char*>(payload.data()),
                            payload.size(), key.empty() ? nullptr : key.data(), key.size(),
                            listener);
  if (rc == 0) return Status::Ok();
  return ProduceError(rd_kafka_last_error());
}

int Producer::ProduceBatch(rd_kafka_topic_t* topic, std::span<rd_kafka_message_t> messages) {
  if (messages.empty()) return 0;
  // Flags 0 as in Produce(); RD_KAFKA_PARTITION_UA runs the partitioner for every message.
  return rd_kafka_produce_batch(topic, RD_KAFKA_PARTITION_UA, 0, messages.data(),
                                static_cast<int>(messages.size()));
}

Status Producer::ProduceError(rd_kafka_resp_err_t err) {
  if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
    return ResourceExhausted("producer queue is full");
  }
  return Unavailable(std::string("produce failed: ") + rd_kafka_err2str(err));
}

Status Producer::Flush(std::chrono::milliseconds timeout) {
  rd_kafka_resp_err_t err = rd_kafka_flush(handle_.get(), static_cast<int>(timeout.count()));
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return Status::Ok();
  return DeadlineExceeded("flush: " + std::to_string(rd_kafka_outq_len(handle_.get())) +
                          " messages still queued");
}

void Producer::Close(std::chrono::milliseconds timeout) {
  if (closed_.exchange(true)) return;
  if (!Flush(timeout).ok()) {
    spdlog::warn("producer: {} messages not delivered at close; purging",
                 rd_kafka_outq_len(handle_.get()));
    rd_kafka_purge(handle_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    // Purged messages get their (failed) delivery reports from the next polls.
    rd_kafka_flush(handle_.get(), 1000);
  }
  stop_.store(true, std::memory_order_release);
  if (poll_thread_.joinable()) poll_thread_.join();
  rd_kafka_poll(handle_.get(), 0);
}

}  // namespace el::rdk
