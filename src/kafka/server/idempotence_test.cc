// Idempotent producers and topic configs over the wire, against the in-process broker: InitProducerId
// hands out distinct ids that survive a restart; raw Produce requests repeating a sequence are
// answered with the original offset and not stored; gaps, stale epochs and unknown producers get
// their Kafka error codes; CreateTopics validates retention configs.
#include <gtest/gtest.h>

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "kafka/protocol/codec.h"
#include "kafka/protocol/header.h"
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

namespace asio = boost::asio;
using storage::testing::MakeProducerBatch;

using RawClient = testing::Client;

class IdempotenceTest : public ::testing::Test {
 protected:
  void SetUp() override { Restart(); }
  void Restart() {
    client_.reset();
    broker_.reset();
    BrokerOptions options;
    options.data_dir = dir_.path() + "/data";
    options.listen = {"127.0.0.1", 0};
    auto broker = Broker::Start(options);
    ASSERT_TRUE(broker.ok()) << broker.status().ToString();
    broker_ = std::move(*broker);
    client_ = std::make_unique<RawClient>(broker_->port());
  }
  InitProducerIdResponse InitProducer(int16_t version = 1) {
    return client_->Call<InitProducerIdResponse>(InitProducerIdRequest{std::nullopt, 60000}, version);
  }
  ProducePartitionResponse Produce(std::vector<uint8_t> batch, int16_t acks = -1) {
    ProduceRequest req;
    req.acks = acks;
    req.topics = {{"t", {{0, BytesView(batch)}}}};
    auto resp = client_->Call<ProduceResponse>(req, 7);
    return resp.topics.at(0).partitions.at(0);
  }
  int16_t CreateTopic(const std::string& name, std::vector<CreatableConfig> configs) {
    CreateTopicsRequest create;
    create.topics = {{name, 1, 1, {}, std::move(configs)}};
    return client_->Call<CreateTopicsResponse>(create, 4).topics.at(0).error_code;
  }
  int64_t LatestOffset() {
    ListOffsetsRequest req;
    req.replica_id = -1;
    req.topics = {{"t", {{0, -1, 1}}}};
    return client_->Call<ListOffsetsResponse>(req, 1).topics.at(0).partitions.at(0).offset;
  }

  storage::testing::TempDir dir_;
  std::unique_ptr<Broker> broker_;
  std::unique_ptr<RawClient> client_;
};

TEST_F(IdempotenceTest, ProducerIdsAreDistinctAcrossRestarts) {
  InitProducerIdResponse a = InitProducer(0);
  InitProducerIdResponse b = InitProducer(1);
  EXPECT_EQ(a.error_code, 0);
  EXPECT_EQ(a.producer_epoch, 0);
  EXPECT_NE(a.producer_id, b.producer_id);
  Restart();
  InitProducerIdResponse c = InitProducer();
  EXPECT_EQ(c.error_code, 0);
  EXPECT_GT(c.producer_id, std::max(a.producer_id, b.producer_id));
  auto txn = client_->Call<InitProducerIdResponse>(InitProducerIdRequest{"txn", 60000}, 1);
  EXPECT_NE(txn.error_code, 0);
}

TEST_F(IdempotenceTest, RepeatedSequenceIsStoredOnceEvenAcrossRestart) {
  ASSERT_EQ(CreateTopic("t", {}), 0);
  int64_t pid = InitProducer().producer_id;
  auto first = Produce(MakeProducerBatch(3, pid, 0, 0));
  ASSERT_EQ(first.error_code, 0);
  EXPECT_EQ(first.base_offset, 0);
  auto second = Produce(MakeProducerBatch(2, pid, 0, 3));
  ASSERT_EQ(second.error_code, 0);
  EXPECT_EQ(second.base_offset, 3);
  auto retry = Produce(MakeProducerBatch(3, pid, 0, 0));
  EXPECT_EQ(retry.error_code, 0);
  EXPECT_EQ(retry.base_offset, 0);
  EXPECT_EQ(LatestOffset(), 5);
  EXPECT_EQ(Produce(MakeProducerBatch(1, pid, 0, 7)).error_code,
            ToWire(ErrorCode::kOutOfOrderSequenceNumber));
  EXPECT_EQ(Produce(MakeProducerBatch(1, pid + 1000, 0, 4)).error_code,
            ToWire(ErrorCode::kUnknownProducerId));
  // Unchecked producer (-1, as KafkaJS sends with epoch 0 / sequence 0).
  auto plain = storage::testing::MakeValueBatch(1);
  storage::testing::SetProducer(plain, -1, 0, 0);
  EXPECT_EQ(Produce(plain).error_code, 0);
  EXPECT_EQ(Produce(plain).error_code, 0);
  EXPECT_EQ(LatestOffset(), 7);

  Restart();  // clean shutdown; the same holds after a crash (storage tests)
  auto after = Produce(MakeProducerBatch(2, pid, 0, 3), 1);
  EXPECT_EQ(after.error_code, 0);
  EXPECT_EQ(after.base_offset, 3);
  EXPECT_EQ(LatestOffset(), 7);
  EXPECT_EQ(Produce(MakeProducerBatch(1, pid, 1, 0)).error_code, 0);  // new epoch restarts at 0
  EXPECT_EQ(Produce(MakeProducerBatch(1, pid, 0, 5)).error_code,
            ToWire(ErrorCode::kInvalidProducerEpoch));
}

TEST_F(IdempotenceTest, CreateTopicsValidatesConfigs) {
  EXPECT_EQ(CreateTopic("bad", {{"retention.ms", "tomorrow"}}), ToWire(ErrorCode::kInvalidConfig));
  EXPECT_EQ(CreateTopic("good", {{"retention.ms", "60000"}, {"segment.bytes", "1048576"},
                                 {"cleanup.policy", "delete"}, {"retention.bytes", std::nullopt}}),
            0);
}

}  // namespace
}  // namespace el::kafka
