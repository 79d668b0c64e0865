// FetchClient against the broker in-process on port 0: several partitions, a seek, an offset out
// of range, and a broker that goes away and comes back on the same port.
#include "clients/fetch/fetch_client.h"

#include <gtest/gtest.h>

#include "kafka/protocol/metadata.h"
#include "kafka/protocol/produce.h"
#include "kafka/server/broker.h"
#include "kafka/server/test_client.h"
#include "storage/test_batches.h"
#include "storage/test_temp_dir.h"

namespace el::fetch {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kPoll = std::chrono::milliseconds(50);
constexpr auto kDeadline = std::chrono::seconds(20);

class FetchClientTest : public ::testing::Test {
 protected:
  void SetUp() override { StartBroker(0); }

  void StartBroker(uint16_t port) {
    kafka::BrokerOptions options;
    options.data_dir = dir_.path() + "/data";
    options.listen = {"127.0.0.1", port};
    options.default_partitions = 3;
    auto broker = kafka::Broker::Start(options);
    ASSERT_TRUE(broker.ok()) << broker.status().ToString();
    broker_ = std::move(*broker);
    producer_ = std::make_unique<kafka::testing::Client>(broker_->port());
  }

  std::string Brokers() const { return "127.0.0.1:" + std::to_string(broker_->port()); }

  // A client of topic "t" (created, 3 partitions) with `starts` assigned.
  std::unique_ptr<Client> Open(const std::map<int32_t, int64_t>& starts,
                               ClientOptions options = {}) {
    auto client = Client::Create(Brokers(), "t", options);
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    if (!client.ok()) return nullptr;
    (*client)->Assign(starts);
    return std::move(*client);
  }

  void CreateTopic(const std::string& topic) {
    kafka::MetadataRequest req;
    req.topics = std::vector<std::string>{topic};
    req.allow_auto_topic_creation = true;
    auto resp = producer_->Call<kafka::MetadataResponse>(req, 5);
    ASSERT_EQ(resp.topics.at(0).partitions.size(), 3u);
  }

  void Produce(const std::string& topic, int32_t partition, int count, const std::string& prefix) {
    std::vector<uint8_t> batch = storage::testing::MakeValueBatch(count, prefix);
    kafka::ProduceRequest req;
    req.acks = -1;
    req.timeout_ms = 5000;
    req.topics = {{topic, {{partition, kafka::BytesView(batch)}}}};
    auto resp = producer_->Call<kafka::ProduceResponse>(req, 7);
    ASSERT_EQ(resp.topics.at(0).partitions.at(0).error_code, 0);
  }

  // Polls until every partition of `ends` reached its end offset; the values read, by partition.
  std::map<int32_t, std::vector<std::string>> ReadUntil(
      Client& c, const std::map<int32_t, int64_t>& ends,
      std::map<int32_t, std::vector<int64_t>>* offsets = nullptr) {
    std::map<int32_t, std::vector<std::string>> out;
    auto deadline = Clock::now() + kDeadline;
    auto done = [&] {
      for (const auto& [p, end] : ends) {
        if (c.Position(p).value_or(-1) < end) return false;
      }
      return true;
    };
    while (!done() && Clock::now() < deadline) {
      Result<Fetched*> f = c.Poll(kPoll);
      EXPECT_TRUE(f.ok()) << f.status().ToString();
      if (!f.ok() || *f == nullptr) continue;
      EXPECT_TRUE((*f)->errors().empty());
      Record r;
      while (true) {
        Result<bool> more = (*f)->Next(r);
        EXPECT_TRUE(more.ok()) << more.status().ToString();
        if (!more.ok() || !*more) break;
        out[r.partition].emplace_back(*r.value);
        if (offsets != nullptr) (*offsets)[r.partition].push_back(r.offset);
      }
    }
    EXPECT_TRUE(done());
    return out;
  }

  storage::testing::TempDir dir_;
  std::unique_ptr<kafka::Broker> broker_;
  std::unique_ptr<kafka::testing::Client> producer_;
};

TEST_F(FetchClientTest, FetchesEveryAssignedPartitionFromItsStart) {
  CreateTopic("t");
  for (int32_t p = 0; p < 3; ++p) {
    Produce("t", p, 10, "p" + std::to_string(p) + "-");
    Produce("t", p, 5, "q" + std::to_string(p) + "-");
  }
  auto client = Client::Create(Brokers(), "t");
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  Client& c = **client;
  EXPECT_EQ(c.partitions(), (std::vector<int32_t>{0, 1, 2}));
  c.Assign({{0, 0}, {1, 3}, {2, 12}});
  std::map<int32_t, std::vector<int64_t>> offsets;
  auto values = ReadUntil(c, {{0, 15}, {1, 15}, {2, 15}}, &offsets);
  ASSERT_EQ(values[0].size(), 15u);
  EXPECT_EQ(values[0][0], "p0-0");
  EXPECT_EQ(values[0][14], "q0-4");
  ASSERT_EQ(values[1].size(), 12u);
  EXPECT_EQ(values[1][0], "p1-3");
  EXPECT_EQ(offsets[1].front(), 3);
  EXPECT_EQ(offsets[1].back(), 14);
  EXPECT_EQ(values[2], (std::vector<std::string>{"q2-2", "q2-3", "q2-4"}));
  EXPECT_EQ(c.HighWatermark(0), 15);
  EXPECT_EQ(c.LogStartOffset(0), 0);
  EXPECT_EQ(c.Position(1), 15);
}

TEST_F(FetchClientTest, SeekDropsWhatWasFetchedForTheOldPosition) {
  CreateTopic("t");
  Produce("t", 0, 10, "v");
  auto client = Open({{0, 0}});
  ASSERT_NE(client, nullptr);
  Client& c = *client;
  ReadUntil(c, {{0, 10}});
  // A Fetch at offset 10 is now in flight; after the seek its answer must not be given out.
  c.Seek({{0, 4}});
  EXPECT_EQ(c.Position(0), 4);
  Produce("t", 0, 2, "w");
  std::map<int32_t, std::vector<int64_t>> offsets;
  auto values = ReadUntil(c, {{0, 12}}, &offsets);
  ASSERT_FALSE(offsets[0].empty());
  EXPECT_EQ(offsets[0].front(), 4);
  EXPECT_EQ(values[0], (std::vector<std::string>{"v4", "v5", "v6", "v7", "v8", "v9", "w0", "w1"}));
}

TEST_F(FetchClientTest, OffsetOutOfRangeNamesThePartitionAndPausesIt) {
  CreateTopic("t");
  Produce("t", 1, 3, "v");
  auto client = Open({{1, 100}});
  ASSERT_NE(client, nullptr);
  Client& c = *client;
  std::vector<PartitionError> errors;
  auto deadline = Clock::now() + kDeadline;
  while (errors.empty() && Clock::now() < deadline) {
    Result<Fetched*> f = c.Poll(kPoll);
    ASSERT_TRUE(f.ok());
    if (*f != nullptr) errors = (*f)->errors();
  }
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].partition, 1);
  EXPECT_EQ(errors[0].status.code(), StatusCode::kOutOfRange);
  EXPECT_NE(errors[0].status.message().find("t[1] at offset 100"), std::string::npos)
      << errors[0].status.ToString();
  c.Seek({{1, 0}});  // resumes it
  auto values = ReadUntil(c, {{1, 3}});
  EXPECT_EQ(values[1], (std::vector<std::string>{"v0", "v1", "v2"}));
}

TEST_F(FetchClientTest, ReadsOnAfterTheLeadersConnectionDrops) {
  CreateTopic("t");
  Produce("t", 0, 5, "a");
  Produce("t", 2, 5, "b");
  auto client =
      Open({{0, 0}, {2, 0}}, ClientOptions{.first_backoff = std::chrono::milliseconds(20)});
  ASSERT_NE(client, nullptr);
  Client& c = *client;
  auto first = ReadUntil(c, {{0, 5}, {2, 5}});
  EXPECT_EQ(first[0].size(), 5u);
  uint16_t port = broker_->port();
  producer_.reset();
  broker_.reset();  // every connection closes, the Fetch in flight included
  StartBroker(port);
  Produce("t", 0, 3, "c");
  Produce("t", 2, 1, "d");
  auto rest = ReadUntil(c, {{0, 8}, {2, 6}});
  EXPECT_EQ(rest[0], (std::vector<std::string>{"c0", "c1", "c2"}));
  EXPECT_EQ(rest[2], (std::vector<std::string>{"d0"}));
}

TEST_F(FetchClientTest, UnknownTopicAndBadBrokerListAreRefused) {
  EXPECT_EQ(Client::Create(Brokers(), "missing").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Client::Create("nonsense", "t").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(
      Client::Create("127.0.0.1:1", "t", ClientOptions{.timeout = std::chrono::milliseconds(200)})
          .status()
          .code(),
      StatusCode::kUnavailable);
}

}  // namespace
}  // namespace el::fetch
