// The broker in-process on port 0, driven over a real socket with the protocol module's encoders:
// error paths that real clients rarely exercise.
#include "kafka/server/broker.h"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "kafka/protocol/codec.h"
#include "kafka/protocol/fetch.h"
#include "kafka/protocol/header.h"
#include "kafka/protocol/list_offsets.h"
#include "kafka/protocol/metadata.h"
#include "kafka/protocol/produce.h"
#include "kafka/protocol/topics_admin.h"
#include "kafka/server/test_client.h"
#include "storage/test_batches.h"
#include "storage/test_temp_dir.h"

namespace el::kafka {
namespace {

namespace asio = boost::asio;
using storage::testing::MakeValueBatch;

using testing::Client;

class BrokerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    BrokerOptions options;
    options.data_dir = dir_.path() + "/data";
    options.listen = {"127.0.0.1", 0};
    options.default_partitions = 2;
    auto broker = Broker::Start(options);
    ASSERT_TRUE(broker.ok()) << broker.status().ToString();
    broker_ = std::move(*broker);
    client_ = std::make_unique<Client>(broker_->port());
  }

  int16_t ProduceOne(const std::string& topic, std::vector<uint8_t> batch, int16_t acks = 1,
                     int16_t version = 7) {
    ProduceRequest req;
    req.acks = acks;
    req.topics = {{topic, {{0, BytesView(batch)}}}};
    auto resp = client_->Call<ProduceResponse>(req, version);
    return resp.topics.at(0).partitions.at(0).error_code;
  }

  storage::testing::TempDir dir_;
  std::unique_ptr<Broker> broker_;
  std::unique_ptr<Client> client_;
};

TEST_F(BrokerTest, AdvertisesBoundPort) {
  EXPECT_NE(broker_->port(), 0);
  EXPECT_EQ(broker_->advertised(), "127.0.0.1:" + std::to_string(broker_->port()));
}

TEST_F(BrokerTest, MetadataAutoCreatesOnlyWhenAllowed) {
  MetadataRequest req;
  req.topics = std::vector<std::string>{"no-create"};
  req.allow_auto_topic_creation = false;
  auto resp = client_->Call<MetadataResponse>(req, 4);
  EXPECT_EQ(resp.controller_id, 0);
  ASSERT_EQ(resp.topics.size(), 1u);
  EXPECT_EQ(resp.topics[0].error_code, ToWire(ErrorCode::kUnknownTopicOrPartition));
  req.topics = std::vector<std::string>{"made"};
  req.allow_auto_topic_creation = true;
  resp = client_->Call<MetadataResponse>(req, 4);
  ASSERT_EQ(resp.topics.size(), 1u);
  EXPECT_EQ(resp.topics[0].error_code, 0);
  EXPECT_EQ(resp.topics[0].partitions.size(), 2u);  // default_partitions
  req.topics = std::vector<std::string>{"bad name!"};
  resp = client_->Call<MetadataResponse>(req, 1);
  EXPECT_EQ(resp.topics[0].error_code, ToWire(ErrorCode::kInvalidTopicException));
}

TEST_F(BrokerTest, ProduceErrors) {
  EXPECT_EQ(ProduceOne("missing", MakeValueBatch(1)), ToWire(ErrorCode::kUnknownTopicOrPartition));
  CreateTopicsRequest create;
  create.topics = {{"t", 1, 1, {}, {}}};
  auto created = client_->Call<CreateTopicsResponse>(create, 4);
  ASSERT_EQ(created.topics.at(0).error_code, 0);
  std::vector<uint8_t> bad_crc = MakeValueBatch(2);
  bad_crc.back() ^= 0xff;
  EXPECT_EQ(ProduceOne("t", bad_crc), ToWire(ErrorCode::kCorruptMessage));
  std::vector<uint8_t> two = MakeValueBatch(1);
  std::vector<uint8_t> second = MakeValueBatch(1);
  two.insert(two.end(), second.begin(), second.end());
  EXPECT_EQ(ProduceOne("t", two), ToWire(ErrorCode::kInvalidRecord));
  std::vector<uint8_t> magic1 = MakeValueBatch(1);
  magic1[16] = 1;
  EXPECT_EQ(ProduceOne("t", magic1), ToWire(ErrorCode::kInvalidRecord));
  EXPECT_EQ(ProduceOne("t", MakeValueBatch(1), /*acks=*/2), ToWire(ErrorCode::kInvalidRequiredAcks));
  EXPECT_EQ(ProduceOne("t", MakeValueBatch(3), -1), 0);
  // Nothing above was stored except the last batch.
  ListOffsetsRequest lo;
  lo.topics = {{"t", {{0, kLatestTimestamp, 1}}}};
  auto offsets = client_->Call<ListOffsetsResponse>(lo, 1);
  EXPECT_EQ(offsets.topics.at(0).partitions.at(0).offset, 3);
}

TEST_F(BrokerTest, AcksZeroHasNoResponse) {
  CreateTopicsRequest create;
  create.topics = {{"t", 1, 1, {}, {}}};
  client_->Call<CreateTopicsResponse>(create, 3);
  std::vector<uint8_t> batch = MakeValueBatch(4);
  ProduceRequest req;
  req.acks = 0;
  req.topics = {{"t", {{0, BytesView(batch)}}}};
  client_->Send(req, 7);
  // The next answer on the connection belongs to the next request.
  ListOffsetsRequest lo;
  lo.topics = {{"t", {{0, kLatestTimestamp, 1}, {0, kEarliestTimestamp, 1}, {0, 1000, 1}, {0, 99999, 1}}}};
  auto offsets = client_->Call<ListOffsetsResponse>(lo, 2);
  const auto& parts = offsets.topics.at(0).partitions;
  EXPECT_EQ(parts.at(0).offset, 4);
  EXPECT_EQ(parts.at(1).offset, 0);
  EXPECT_EQ(parts.at(2).offset, 0);
  EXPECT_EQ(parts.at(2).timestamp, 1003);  // the batch's max timestamp
  EXPECT_EQ(parts.at(3).offset, -1);
  auto v0 = client_->Call<ListOffsetsResponse>(lo, 0);
  EXPECT_EQ(v0.topics.at(0).partitions.at(0).old_style_offsets, std::vector<int64_t>{4});
}

TEST_F(BrokerTest, FetchReturnsWholeBatchesAndRanges) {
  CreateTopicsRequest create;
  create.topics = {{"t", 1, 1, {}, {}}};
  client_->Call<CreateTopicsResponse>(create, 0);
  std::vector<uint8_t> batch = MakeValueBatch(5);
  ASSERT_EQ(ProduceOne("t", batch), 0);
  FetchRequest req;
  req.max_wait_ms = 10;
  req.min_bytes = 1;
  req.max_bytes = 1;  // KIP-74: still one whole batch
  req.topics = {{"t", {{0, -1, 2, -1, 1}}}};
  auto resp = client_->Call<FetchResponse>(req, 11);
  const auto& p = resp.topics.at(0).partitions.at(0);
  EXPECT_EQ(p.error_code, 0);
  EXPECT_EQ(p.high_watermark, 5);
  EXPECT_EQ(p.last_stable_offset, 5);
  EXPECT_EQ(p.log_start_offset, 0);
  EXPECT_EQ(p.preferred_read_replica, -1);
  ASSERT_EQ(p.records.size(), batch.size());
  EXPECT_TRUE(std::equal(batch.begin() + 8, batch.end(), p.records.begin() + 8));  // all but baseOffset
  req.topics = {{"t", {{0, -1, 6, -1, 1 << 20}}, }};
  resp = client_->Call<FetchResponse>(req, 4);
  EXPECT_EQ(resp.topics.at(0).partitions.at(0).error_code, ToWire(ErrorCode::kOffsetOutOfRange));
  req.topics = {{"t", {{0, -1, 5, -1, 1 << 20}, {7, -1, 0, -1, 100}}}};
  resp = client_->Call<FetchResponse>(req, 4);
  EXPECT_EQ(resp.topics.at(0).partitions.at(0).error_code, 0);
  EXPECT_TRUE(resp.topics.at(0).partitions.at(0).records.empty());
  EXPECT_EQ(resp.topics.at(0).partitions.at(1).error_code, ToWire(ErrorCode::kUnknownTopicOrPartition));
}

TEST_F(BrokerTest, CreateAndDeleteTopicsValidation) {
  CreateTopicsRequest create;
  create.topics = {{"ok", -1, -1, {}, {}},
                   {"zero", 0, 1, {}, {}},
                   {"rf3", 1, 3, {}, {}},
                   {"bad/name", 1, 1, {}, {}},
                   {"checked", 1, 1, {}, {}}};
  auto resp = client_->Call<CreateTopicsResponse>(create, 4);
  ASSERT_EQ(resp.topics.size(), 5u);
  EXPECT_EQ(resp.topics[0].error_code, 0);
  EXPECT_EQ(resp.topics[1].error_code, ToWire(ErrorCode::kInvalidPartitions));
  EXPECT_EQ(resp.topics[2].error_code, ToWire(ErrorCode::kInvalidReplicationFactor));
  EXPECT_EQ(resp.topics[3].error_code, ToWire(ErrorCode::kInvalidTopicException));
  EXPECT_EQ(resp.topics[4].error_code, 0);
  resp = client_->Call<CreateTopicsResponse>(create, 4);
  EXPECT_EQ(resp.topics[0].error_code, ToWire(ErrorCode::kTopicAlreadyExists));
  CreateTopicsRequest dry;
  dry.topics = {{"dry", 1, 1, {}, {}}};
  dry.validate_only = true;
  EXPECT_EQ(client_->Call<CreateTopicsResponse>(dry, 1).topics.at(0).error_code, 0);
  DeleteTopicsRequest del{{"ok", "dry"}, 1000};
  auto deleted = client_->Call<DeleteTopicsResponse>(del, 3);
  EXPECT_EQ(deleted.responses.at(0).error_code, 0);
  EXPECT_EQ(deleted.responses.at(1).error_code, ToWire(ErrorCode::kUnknownTopicOrPartition));
  MetadataRequest all;
  all.topics.reset();
  auto md = client_->Call<MetadataResponse>(all, 6);
  ASSERT_EQ(md.topics.size(), 1u);
  EXPECT_EQ(md.topics[0].name, "checked");
}

TEST_F(BrokerTest, StopIsIdempotentAndSecondBrokerOnSameDirFails) {
  BrokerOptions options;
  options.data_dir = dir_.path() + "/data";
  options.listen = {"127.0.0.1", 0};
  auto second = Broker::Start(options);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
  broker_->Stop();
  broker_->Stop();
}

}  // namespace
}  // namespace el::kafka
