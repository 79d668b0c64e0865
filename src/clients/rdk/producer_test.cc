#include "clients/rdk/producer.h"

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace el::rdk {
namespace {

class CountingListener : public DeliveryListener {
 public:
  void OnDelivery(rd_kafka_resp_err_t err) noexcept override {
    last_error.store(err);
    calls.fetch_add(1);
  }
  std::atomic<int> calls{0};
  std::atomic<int> last_error{-1};
};

bool WaitFor(const std::atomic<int>& counter, int value) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (counter.load() < value && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return counter.load() >= value;
}

// A one-broker librdkafka mock cluster with topic "t"; `owner` keeps it alive.
struct MockCluster {
  KafkaHandle owner;
  std::string bootstraps;
};

void StartMockCluster(MockCluster& cluster) {
  auto owner = MakeHandle(RD_KAFKA_PRODUCER,
                          MakeConf({{"test.mock.num.brokers", "1"}, {"log_level", "0"}}).value());
  ASSERT_TRUE(owner.ok());
  cluster.owner = std::move(*owner);
  rd_kafka_mock_cluster_t* mock = rd_kafka_handle_mock_cluster(cluster.owner.get());
  ASSERT_EQ(rd_kafka_mock_topic_create(mock, "t", 1, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
  cluster.bootstraps = rd_kafka_mock_cluster_bootstraps(mock);
}

TEST(ProducerTest, DeliveryReportsArriveFromThePollThread) {
  MockCluster cluster;
  ASSERT_NO_FATAL_FAILURE(StartMockCluster(cluster));
  auto producer = Producer::Create(
      {{"bootstrap.servers", cluster.bootstraps}, {"acks", "all"}});
  ASSERT_TRUE(producer.ok()) << producer.status().ToString();
  auto topic = (*producer)->OpenTopic("t");
  ASSERT_TRUE(topic.ok());
  CountingListener listener;
  std::string payload = "{\"a\":1}";
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE((*producer)->Produce(topic->get(), payload, &listener).ok());
  }
  // Nobody calls poll here: the producer's own thread serves the reports.
  ASSERT_TRUE(WaitFor(listener.calls, 10));
  EXPECT_EQ(listener.last_error.load(), RD_KAFKA_RESP_ERR_NO_ERROR);
  topic->reset();
  (*producer)->Close(std::chrono::milliseconds(1000));
}

TEST(ProducerTest, EventFdModeSignalsAndServesReportsOnTheCallersThread) {
  MockCluster cluster;
  ASSERT_NO_FATAL_FAILURE(StartMockCluster(cluster));
  auto producer = Producer::Create(
      {{"bootstrap.servers", cluster.bootstraps}, {"acks", "all"}},
      DeliveryMode::kEventFd);
  ASSERT_TRUE(producer.ok()) << producer.status().ToString();
  int fd = (*producer)->delivery_event_fd();
  ASSERT_GE(fd, 0);
  auto topic = (*producer)->OpenTopic("t");
  ASSERT_TRUE(topic.ok());
  CountingListener listener;
  std::string payload = "{\"a\":1}";
  constexpr int kMessages = 50;
  for (int i = 0; i < kMessages; ++i) {
    ASSERT_TRUE((*producer)->Produce(topic->get(), payload, &listener).ok());
  }
  // Nothing serves reports unless this thread does, after the fd said so.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (listener.calls.load() < kMessages && std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 1000) <= 0) continue;
    (*producer)->ServeDeliveries();
  }
  EXPECT_EQ(listener.calls.load(), kMessages);
  EXPECT_EQ(listener.last_error.load(), RD_KAFKA_RESP_ERR_NO_ERROR);
  topic->reset();
  (*producer)->Close(std::chrono::milliseconds(1000));
}

TEST(ProducerTest, CloseReportsUndeliveredMessagesAsFailed) {
  // A bound socket that never listens: connections to it are refused, nothing can be delivered.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  std::string refused = "127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  auto producer = Producer::Create({{"bootstrap.servers", refused}, {"log_level", "0"}});
  ASSERT_TRUE(producer.ok());
  auto topic = (*producer)->OpenTopic("t");
  ASSERT_TRUE(topic.ok());
  CountingListener listener;
  std::string payload = "x";
  ASSERT_TRUE((*producer)->Produce(topic->get(), payload, &listener).ok());
  ASSERT_TRUE((*producer)->Produce(topic->get(), payload, &listener).ok());
  EXPECT_EQ((*producer)->Flush(std::chrono::milliseconds(50)).code(),
            StatusCode::kDeadlineExceeded);
  topic->reset();
  auto start = std::chrono::steady_clock::now();
  (*producer)->Close(std::chrono::milliseconds(200));
  (*producer)->Close(std::chrono::milliseconds(200));  // idempotent
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  EXPECT_EQ(listener.calls.load(), 2);
  EXPECT_NE(listener.last_error.load(), RD_KAFKA_RESP_ERR_NO_ERROR);
  close(fd);
}

TEST(ProducerTest, BadPropertiesAreInvalidArgument) {
  auto producer = Producer::Create({{"no.such.property", "1"}});
  ASSERT_FALSE(producer.ok());
  EXPECT_EQ(producer.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace el::rdk
