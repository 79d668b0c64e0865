// End-to-end landing against librdkafka's built-in mock cluster.
#include "jobs/lander.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "clients/duck/duck.h"
#include "clients/rdk/handles.h"
#include "io/fault.h"
#include "jobs/land_plan.h"
#include "lake/layout.h"
#include "lake/listing.h"

namespace el::jobs {
namespace {

namespace fs = std::filesystem;

class LanderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    lake_ = fs::temp_directory_path() / ("el_lander_test_" + std::to_string(::getpid()) + "_" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(lake_);
    auto conf = rdk::MakeConf({{"test.mock.num.brokers", "1"}, {"linger.ms", "0"}});
    ASSERT_TRUE(conf.ok());
    auto producer = rdk::MakeHandle(RD_KAFKA_PRODUCER, std::move(*conf));
    ASSERT_TRUE(producer.ok());
    producer_ = std::move(*producer);
    rd_kafka_mock_cluster_t* mock = rd_kafka_handle_mock_cluster(producer_.get());
    ASSERT_NE(mock, nullptr);
    brokers_ = rd_kafka_mock_cluster_bootstraps(mock);
    ASSERT_EQ(rd_kafka_mock_topic_create(mock, "ev", 2, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_EQ(rd_kafka_mock_topic_create(mock, "empty", 1, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
  }
  void TearDown() override {
    producer_.reset();
    fs::remove_all(lake_);
  }

  void Produce(int32_t partition, const std::string& value) {
    ASSERT_EQ(rd_kafka_producev(producer_.get(), RD_KAFKA_V_TOPIC("ev"), RD_KAFKA_V_PARTITION(partition),
                                RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END),
              RD_KAFKA_RESP_ERR_NO_ERROR);
  }
  void Flush() { ASSERT_EQ(rd_kafka_flush(producer_.get(), 10000), RD_KAFKA_RESP_ERR_NO_ERROR); }

  LandOptions Options(const std::string& topic) {
    LandOptions o;
    o.brokers = brokers_;
    o.lake_dir = lake_.string();
    o.topic = topic;
    o.flush_interval = std::chrono::milliseconds(200);
    return o;
  }

  // Runs `sql` against the lake's Parquet files; returns the first cell as text.
  std::string Query(const std::string& sql) {
    auto db = duck::Database::OpenInMemory();
    auto con = duck::Connection::Open(*db);
    auto res = con->Query(sql);
    EXPECT_TRUE(res.ok()) << res.status().ToString();
    if (!res.ok() || res->RowCount() == 0) return "";
    return res->Text(0, 0);
  }
  // The files of a table as readers name it: a folder, or an event type's folders of the topic's table.
  std::string Files(const std::string& table) {
    auto ref = lake::FindReaderTable(lake_, table);
    std::vector<std::string> globs;
    if (ref.ok() && ref->has_value()) {
      for (const fs::path& dir : (*ref)->dirs) globs.push_back("'" + (dir / "**" / "*.parquet").string() + "'");
    }
    if (globs.empty()) globs.push_back("'" + (lake_ / table / "*.parquet").string() + "'");
    return fmt::format("read_parquet([{}], union_by_name=true, hive_partitioning=true)", fmt::join(globs, ", "));
  }

  fs::path lake_;
  std::string brokers_;
  rdk::KafkaHandle producer_;
};

TEST_F(LanderTest, BatchLandsEventsTypesAndDeadLetters) {
  Produce(0, R"({"event_type":"default","Host":"a","n":1})");
  Produce(0, R"({"event_type":"purchase_sword","item":{"kind":"sword","price":3.5},"tags":["x"]})");
  Produce(1, R"({"event_type":"Purchase Sword","n":"text"})");
  Produce(1, "not json");
  Produce(1, R"({"event_type":"default"})");
  Flush();
  auto s = Land(Options("ev"), {});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->events, 4);
  EXPECT_EQ(s->dead_letters, 1);
  EXPECT_EQ(s->tables, (std::vector<std::string>{"ev", "ev_dead_letter", "ev_default", "ev_purchase_sword"}));
  // Each event once: default in partitions 0 and 1, purchase_sword and "Purchase Sword" (one table,
  // two folders) in one each, and the dead letter.
  EXPECT_EQ(s->files, 2 + 1 + 1 + 1);
  EXPECT_EQ(Query("SELECT count(*) FROM " + Files("ev")), "4");
  EXPECT_EQ(Query("SELECT count(*) FROM " + Files("ev_purchase_sword")), "2");
  EXPECT_EQ(Query("SELECT typeof(item) FROM " + Files("ev") + " LIMIT 1"),
            "STRUCT(kind VARCHAR, price DOUBLE)");
  EXPECT_EQ(Query("SELECT typeof(_timestamp) || typeof(tags) FROM " + Files("ev") + " LIMIT 1"),
            "TIMESTAMPVARCHAR[]");
  EXPECT_EQ(Query("SELECT raw || '|' || _offset FROM " + Files("ev_dead_letter")), "not json|1");
  EXPECT_TRUE(fs::exists(lake_ / "ev" / "event_type=default" / "ev+1+0-2.parquet"));
  EXPECT_TRUE(fs::exists(lake_ / "ev" / "event_type=Purchase%20Sword" / "ev+1+0-2.parquet"));
  EXPECT_EQ(FormatSummary("ev", *s).substr(0, 33), "landed 4 events from ev[0:0..1, 1");

  // A second overwrite run replaces instead of duplicating; error mode refuses.
  ASSERT_TRUE(Land(Options("ev"), {}).ok());
  EXPECT_EQ(Query("SELECT count(*) FROM " + Files("ev")), "4");
  LandOptions error_mode = Options("ev");
  error_mode.mode = WriteMode::kError;
  EXPECT_EQ(Land(error_mode, {}).status().code(), StatusCode::kAlreadyExists);
}

TEST_F(LanderTest, ManyEventTypesGoOutInOneCopyPerGroup) {
  // 12 types in 2 partitions: more files than get a COPY each, so the types share one COPY.
  for (int i = 0; i < 48; ++i) {
    Produce(i % 2, "{\"event_type\":\"t" + std::to_string(i / 2 % 12) + "\",\"i\":" + std::to_string(i) + "}");
  }
  Flush();
  auto s = Land(Options("ev"), {});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->events, 48);
  ASSERT_EQ(s->tables.size(), 13u);
  EXPECT_EQ(s->files, 12 * 2);
  for (int t = 0; t < 12; ++t) {
    std::string table = "ev_t" + std::to_string(t);
    EXPECT_EQ(Query("SELECT string_agg(i::VARCHAR, ',' ORDER BY i) FROM " + Files(table)),
              fmt::format("{},{},{},{}", 2 * t, 2 * t + 1, 2 * t + 24, 2 * t + 25)) << table;
    // Named after the batch's range of each partition, as every table of the batch.
    fs::path folder = lake_ / "ev" / ("event_type=t" + std::to_string(t));
    EXPECT_TRUE(fs::exists(folder / "ev+0+0-23.parquet")) << table;
    EXPECT_TRUE(fs::exists(folder / "ev+1+0-23.parquet")) << table;
  }
}

TEST_F(LanderTest, BatchRunInPartsPublishesOnceInTheTypesOfEveryPart) {
  // Parts of about 150 bytes: a part every few records. `n` is a number in the first records and
  // text in the last, a type appears only in a late part, and a dead letter sits in the middle.
  for (int i = 0; i < 40; ++i) {
    std::string n = i < 30 ? std::to_string(i) : "\"t" + std::to_string(i) + "\"";
    std::string type = i >= 36 ? "late" : (i % 3 == 0 ? "a" : "b");
    Produce(i % 2, fmt::format(R"({{"event_type":"{}","event_id":"id-{}","n":{}}})", type, i, n));
    if (i == 20) Produce(0, "not json");
  }
  Flush();
  LandOptions o = Options("ev");
  o.part_bytes = 150;
  auto s = Land(o, {});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->events, 40);
  EXPECT_EQ(s->dead_letters, 1);
  EXPECT_EQ(s->tables, (std::vector<std::string>{"ev", "ev_a", "ev_b", "ev_dead_letter", "ev_late"}));
  // A file per part and type, each holding `n` in the type every part merged to.
  auto files = lake::ListDataFilesRecursive(lake_ / "ev");
  ASSERT_TRUE(files.ok());
  EXPECT_GT(files->size(), 6u);
  EXPECT_EQ(static_cast<int64_t>(files->size()) + 1, s->files);  // + the dead letter's
  std::string glob = "'" + (lake_ / "ev" / "**" / "*.parquet").string() + "'";
  EXPECT_EQ(Query("SELECT string_agg(DISTINCT type, ',') FROM parquet_schema(" + glob + ") WHERE name = 'n'"),
            "BYTE_ARRAY");
  EXPECT_EQ(Query("SELECT count(*) || ' ' || count(DISTINCT event_id) || ' ' || count(DISTINCT (_partition, _offset)) "
                  "FROM " + Files("ev")),
            "40 40 40");
  EXPECT_EQ(Query("SELECT string_agg(n::VARCHAR, ',' ORDER BY event_id) FROM " + Files("ev_late")), "\"t36\",\"t37\",\"t38\",\"t39\"");
  EXPECT_EQ(Query("SELECT raw FROM " + Files("ev_dead_letter")), "not json");
  // Nothing staged is left behind, and the run's one publish committed every offset.
  auto staged = lake::ListDataFilesRecursive(lake_ / "_staging");
  ASSERT_TRUE(staged.ok());
  EXPECT_TRUE(staged->empty());
  LandOptions append = Options("ev");
  append.mode = WriteMode::kAppend;
  auto again = Land(append, {});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->events, 0);
  EXPECT_EQ(Query("SELECT count(*) FROM " + Files("ev")), "40");
}

TEST_F(LanderTest, BatchAppendLandsEachOffsetOnce) {
  Produce(0, R"({"event_type":"a","n":0})");
  Flush();
  LandOptions append = Options("ev");
  append.mode = WriteMode::kAppend;
  auto first = Land(append, {});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(first->resumed_at.empty());
  EXPECT_EQ(first->group, DefaultGroupName("ev", lake_.string()));
  Produce(0, R"({"event_type":"a","n":1})");
  Produce(1, R"({"event_type":"a","n":2})");
  Flush();
  auto s = Land(append, {});  // partition 0 resumes at 1, partition 1 starts at its beginning
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->events, 2);
  EXPECT_EQ(s->resumed_at, (std::map<int32_t, int64_t>{{0, 1}}));
  EXPECT_EQ(Query("SELECT count(*) || ' ' || count(DISTINCT (_partition, _offset)) FROM " + Files("ev")), "3 3");
  auto again = Land(append, {});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(FormatSummary("ev", *again),
            "nothing new to append: the lake already holds every event of ev in the range (it ends at offsets 0:2, 1:1)");
  // An explicit range that overlaps the lake is refused and lands nothing.
  LandOptions overlap = append;
  overlap.from = "0";
  auto refused = Land(overlap, {});
  EXPECT_EQ(refused.status().code(), StatusCode::kAlreadyExists);
  EXPECT_NE(refused.status().message().find(
                "table ev already holds offsets 0..1 of topic ev partition 0, 0..0 of topic ev partition 1: "
                "append lands each offset once; give --from 2"),
            std::string::npos)
      << refused.status().ToString();
  EXPECT_EQ(Query("SELECT count(*) FROM " + Files("ev")), "3");
  // A batch run with a group commits to it without joining it.
  LandOptions grouped = Options("ev");
  grouped.group = "landed-ev";
  auto g = Land(grouped, {});
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ(g->group, "landed-ev");
}

TEST_F(LanderTest, EmptyAndUnknownTopics) {
  auto s = Land(Options("empty"), {});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->events, 0);
  EXPECT_EQ(FormatSummary("empty", *s), "nothing to land: topic empty has no events in the range");
  // (Unknown topics: the mock cluster auto-creates them; tests/integration/test_land.py covers
  // the NotFound path against the real broker.)
  LandOptions bad = Options("ev");
  bad.from = "yesterday";
  EXPECT_EQ(Land(bad, {}).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(LanderTest, FollowResumesWithoutDuplicates) {
  for (int i = 0; i < 5; ++i) Produce(i % 2, "{\"event_type\":\"e\",\"i\":" + std::to_string(i) + "}");
  Flush();
  LandOptions o = Options("ev");
  o.follow = true;
  for (int round = 0; round < 2; ++round) {
    Result<LandSummary> result = Internal("not run");
    std::jthread runner([&](std::stop_token st) { result = Land(o, st); });
    std::string want = round == 0 ? "5" : "10";
    if (round == 1) {
      for (int i = 5; i < 10; ++i) Produce(i % 2, "{\"event_type\":\"e\",\"i\":" + std::to_string(i) + "}");
      Flush();
    }
    for (int i = 0; i < 100 && lake::ListDataFilesRecursive(lake_ / "ev")->empty(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    std::string got;
    for (int i = 0; i < 100 && got != want; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      got = Query("SELECT count(*) FROM " + Files("ev"));
    }
    EXPECT_EQ(got, want);
    runner.request_stop();
    runner.join();
    ASSERT_TRUE(result.ok()) << result.status().ToString();
  }
  EXPECT_EQ(Query("SELECT count(DISTINCT (_partition, _offset)) FROM " + Files("ev")), "10");
  EXPECT_EQ(Query("SELECT count(*) FROM " + Files("ev_e")), "10");
}

// A follow lander whose lake fails under it (here: the topic table's files cannot be renamed in,
// as on a disk that filled up mid-publish) keeps running: it
// drops the batch and its staging, waits, recovers the half-done publish and lands again from
// the lake's end once the disk takes writes, each event once.
TEST_F(LanderTest, FollowSurvivesAFailingLakeAndLandsEachEventOnce) {
  for (int i = 0; i < 6; ++i) Produce(i % 2, "{\"event_type\":\"e\",\"i\":" + std::to_string(i) + "}");
  Flush();
  std::atomic<int> failures{0};
  std::atomic<bool> failing{true};
  std::string topic_files = (fs::path("ev") / "event_type=e" / "ev+").string();
  io::SetFaultHook([&](io::FileOp op, const std::string& path) {
    if (!failing || op != io::FileOp::kRename || path.find(topic_files) == std::string::npos) return Status::Ok();
    ++failures;
    return IOError("rename " + path + ": No space left on device");
  });
  LandOptions o = Options("ev");
  o.follow = true;
  o.first_retry_delay = std::chrono::milliseconds(100);
  Result<LandSummary> result = Internal("not run");
  std::jthread runner([&](std::stop_token st) { result = Land(o, st); });
  for (int i = 0; i < 100 && failures < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_GE(failures, 2);  // it tried again after the first failure instead of giving up
  for (int i = 6; i < 10; ++i) Produce(i % 2, "{\"event_type\":\"e\",\"i\":" + std::to_string(i) + "}");
  Flush();
  failing = false;
  io::SetFaultHook(nullptr);
  std::string got;
  for (int i = 0; i < 150 && got != "10"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (!lake::ListDataFilesRecursive(lake_ / "ev")->empty()) got = Query("SELECT count(*) FROM " + Files("ev"));
  }
  runner.request_stop();
  runner.join();
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(got, "10");
  EXPECT_EQ(Query("SELECT count(DISTINCT (_partition, _offset)) FROM " + Files("ev")), "10");
  EXPECT_EQ(Query("SELECT count(*) || '/' || count(DISTINCT (_partition, _offset)) FROM " + Files("ev_e")), "10/10");
  auto staging = lake::ListNames(lake_ / "_staging" / "ev");
  ASSERT_TRUE(staging.ok());
  EXPECT_TRUE(staging->empty()) << fmt::format("{}", fmt::join(*staging, ", "));
}

}  // namespace
}  // namespace el::jobs
