// Produce pipelining over one socket, against the in-process broker: requests written back-to-back
// (more than the per-connection in-flight bound) are answered in request order with matching
// correlation ids; idempotent sequences stay correct because appends keep request order; a
// non-produce request behind them waits for their answers; the data survives a restart.
#include <gtest/gtest.h>

#include <thread>

#include "kafka/protocol/init_producer_id.h"
#include "kafka/protocol/list_offsets.h"
#include "kafka/protocol/produce.h"
#include "kafka/protocol/topics_admin.h"
#include "kafka/server/broker.h"
#include "kafka/server/test_client.h"
#include "storage/test_batches.h"
#include "storage/test_temp_dir.h"

namespace el::kafka {
namespace {

using storage::testing::MakeProducerBatch;
using testing::Client;

class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(); }
  void Start() {
    broker_.reset();
    BrokerOptions options;
    options.data_dir = dir_.path() + "/data";
    options.listen = {"127.0.0.1", 0};
    options.flush_ms = 0;  // only acks=all syncs
    auto broker = Broker::Start(options);
    ASSERT_TRUE(broker.ok()) << broker.status().ToString();
    broker_ = std::move(*broker);
  }
  void CreateTopic(Client& c, const std::string& name, int32_t partitions) {
    CreateTopicsRequest create;
    create.topics = {{name, partitions, 1, {}, {}}};
    ASSERT_EQ(c.Call<CreateTopicsResponse>(create, 4).topics.at(0).error_code, 0);
  }
  static ProduceRequest ProduceOf(const std::string& topic, int32_t partition, const std::vector<uint8_t>& batch) {
    ProduceRequest req;
    req.acks = -1;
    req.timeout_ms = 30000;
    req.topics = {{topic, {{partition, BytesView(batch)}}}};
    return req;
  }
  static int64_t LatestOffset(Client& c, const std::string& topic, int32_t partition) {
    ListOffsetsRequest req;
    req.replica_id = -1;
    req.topics = {{topic, {{partition, -1, 1}}}};
    return c.Call<ListOffsetsResponse>(req, 1).topics.at(0).partitions.at(0).offset;
  }

  storage::testing::TempDir dir_;
  std::unique_ptr<Broker> broker_;
};

TEST_F(PipelineTest, BackToBackProducesAreAnsweredInOrderAndStoredInOrder) {
  constexpr int kRequests = 40;  // well above the in-flight bound: the connection must apply back-pressure
  constexpr int kPerBatch = 3;
  Client c(broker_->port());
  CreateTopic(c, "t", 1);
  int64_t pid = c.Call<InitProducerIdResponse>(InitProducerIdRequest{std::nullopt, 60000}, 1).producer_id;
  int32_t first_id = c.last_correlation_id() + 1;
  std::vector<std::vector<uint8_t>> batches;
  for (int i = 0; i < kRequests; ++i) batches.push_back(MakeProducerBatch(kPerBatch, pid, 0, i * kPerBatch));
  for (const auto& b : batches) c.Send(ProduceOf("t", 0, b), 7);
  ListOffsetsRequest list;  // a plain request behind the pipelined ones
  list.replica_id = -1;
  list.topics = {{"t", {{0, -1, 1}}}};
  c.Send(list, 1);
  for (int i = 0; i < kRequests; ++i) {
    std::vector<uint8_t> frame = c.ReadFrame();
    ASSERT_EQ(Client::CorrelationId(frame), first_id + i);
    auto resp = Client::Decode<ProduceResponse>(frame, 7);
    const ProducePartitionResponse& p = resp.topics.at(0).partitions.at(0);
    EXPECT_EQ(p.error_code, 0) << "request " << i;
    EXPECT_EQ(p.base_offset, int64_t{i} * kPerBatch) << "request " << i;
  }
  std::vector<uint8_t> frame = c.ReadFrame();
  ASSERT_EQ(Client::CorrelationId(frame), first_id + kRequests);
  auto offsets = Client::Decode<ListOffsetsResponse>(frame, 1);
  EXPECT_EQ(offsets.topics.at(0).partitions.at(0).offset, int64_t{kRequests} * kPerBatch);

  // A retried sequence behind new ones is a duplicate with its original offset; a gap is refused.
  c.Send(ProduceOf("t", 0, MakeProducerBatch(kPerBatch, pid, 0, kRequests * kPerBatch)), 7);
  c.Send(ProduceOf("t", 0, batches[kRequests - 1]), 7);
  c.Send(ProduceOf("t", 0, MakeProducerBatch(1, pid, 0, kRequests * kPerBatch + 99)), 7);
  auto fresh = Client::Decode<ProduceResponse>(c.ReadFrame(), 7).topics.at(0).partitions.at(0);
  auto retry = Client::Decode<ProduceResponse>(c.ReadFrame(), 7).topics.at(0).partitions.at(0);
  auto gap = Client::Decode<ProduceResponse>(c.ReadFrame(), 7).topics.at(0).partitions.at(0);
  EXPECT_EQ(fresh.error_code, 0);
  EXPECT_EQ(fresh.base_offset, int64_t{kRequests} * kPerBatch);
  EXPECT_EQ(retry.error_code, 0);
  EXPECT_EQ(retry.base_offset, int64_t{kRequests - 1} * kPerBatch);
  EXPECT_EQ(gap.error_code, ToWire(ErrorCode::kOutOfOrderSequenceNumber));

  Start();  // everything answered is still there after a restart
  Client after(broker_->port());
  EXPECT_EQ(LatestOffset(after, "t", 0), int64_t{kRequests + 1} * kPerBatch);
}

TEST_F(PipelineTest, ConcurrentConnectionsShareFsyncsAndKeepEachOrder) {
  constexpr int kClients = 4;
  constexpr int kRequests = 50;
  {
    Client admin(broker_->port());
    CreateTopic(admin, "multi", 2);
  }
  std::vector<std::thread> threads;
  std::vector<int> failures(kClients, 0);
  for (int k = 0; k < kClients; ++k) {
    threads.emplace_back([&, k] {
      Client c(broker_->port());
      int64_t pid = c.Call<InitProducerIdResponse>(InitProducerIdRequest{std::nullopt, 60000}, 1).producer_id;
      int32_t first_id = c.last_correlation_id() + 1;
      std::vector<std::vector<uint8_t>> batches;
      for (int i = 0; i < kRequests; ++i) batches.push_back(MakeProducerBatch(1, pid, 0, i));
      for (const auto& b : batches) c.Send(ProduceOf("multi", k % 2, b), 7);
      int64_t last = -1;
      for (int i = 0; i < kRequests; ++i) {
        std::vector<uint8_t> frame = c.ReadFrame();
        auto p = Client::Decode<ProduceResponse>(frame, 7).topics.at(0).partitions.at(0);
        // In order per connection: ids match and each batch got a later offset than the previous one.
        if (Client::CorrelationId(frame) != first_id + i || p.error_code != 0 || p.base_offset <= last) ++failures[k];
        last = p.base_offset;
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int k = 0; k < kClients; ++k) EXPECT_EQ(failures[k], 0) << "client " << k;
  Client c(broker_->port());
  EXPECT_EQ(LatestOffset(c, "multi", 0) + LatestOffset(c, "multi", 1), int64_t{kClients} * kRequests);
}

}  // namespace
}  // namespace el::kafka
