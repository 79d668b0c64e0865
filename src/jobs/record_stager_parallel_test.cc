// RecordStager staging chunks on two threads gives exactly what it gives on one.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "jobs/record_stager.h"
#include "jobs/staging_thread.h"

namespace el::jobs {
namespace {

struct Input {
  RecordMeta meta;
  std::string key;
  std::string value;
};

// Varied records: types that change and widen along the run (BIGINT -> DOUBLE, DATE ->
// TIMESTAMP -> VARCHAR, boolean then number -> JSON), nested objects whose fields come and go,
// arrays, bad JSON, non-objects, oversize values, repeated ids, keys spelled in different cases,
// keys that need rewriting, three partitions and several event types (and none).
std::vector<Input> VariedInput(int count, uint64_t seed) {
  auto next = [&](uint64_t n) {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return (seed >> 33) % n;
  };
  static const char* kTypes[] = {"\"buy\"", "\"view\"", "\"login\"", "\"\"", "null"};
  static const char* kRegion[] = {"region", "Region", "REGION", "rEgion"};
  std::vector<Input> out;
  for (int i = 0; i < count; ++i) {
    Input in;
    in.meta.partition = static_cast<int32_t>(next(3));
    in.meta.offset = i;
    in.meta.timestamp_ms = 1'700'000'000'000 + i;
    in.meta.has_key = next(4) != 0;
    in.key = next(50) == 0 ? std::string("k\xff") : fmt::format("k{}", i);
    std::string v = "{";
    if (next(20) != 0) v += fmt::format("\"event_type\":{},", kTypes[next(5)]);
    // ids repeat (a client's retry) within a stretch of the run only, so that most chunks merge
    // as staged and a few are staged again
    int id = i >= 12000 && i < 13000 && next(10) == 0 ? i - 1 - static_cast<int>(next(300)) : i;
    v += fmt::format("\"event_id\":\"e{}\",", id);
    v += i < 8000 ? fmt::format("\"n\":{},", next(1000)) : fmt::format("\"n\":{}.5,", next(1000));
    if (i < 5000) {
      v += fmt::format("\"t\":\"2024-01-{:02}\",", 1 + next(28));
    } else if (i < 20000) {
      v += fmt::format("\"t\":\"2024-01-01T10:00:{:02}Z\",", next(60));
    } else {
      v += "\"t\":\"late\",";
    }
    v += i < 25000 ? "\"mix\":true," : "\"mix\":3,";
    v += fmt::format("\"o\":{{\"a\":{}", next(9));
    if (next(7) == 0) v += fmt::format(",\"b{}\":[{}]", next(3), next(9));
    if (i > 15000 && next(5) == 0) v += ",\"deep\":{\"x\":[{\"y\":1},{\"z\":\"s\"}]}";
    v += "},";
    if (next(3) == 0) v += fmt::format("\"arr\":[{}],", next(2) == 0 ? "1,2" : "");
    // a key whose first spelling differs by case now and then (sometimes in one record)
    if (next(40) == 0) v += fmt::format("\"{}\":{},", kRegion[next(4)], next(9));
    if (next(200) == 0) v += "\"_offset\":1,\"Host\":1,\"host\":2,\"\":3,";
    v += fmt::format("\"seq\":{}}}", i);
    switch (next(150)) {
      case 0:
        v = "{\"broken\":";
        break;
      case 1:
        v = "[1,2]";
        break;
      case 2:
        v = "";
        break;
      case 3:
        v = fmt::format("{{\"big\":\"{}\"}}", std::string(3000, 'x'));
        break;  // over the limit
      case 4:
        v = "{\"n\":12345678901234567890123}";
        break;  // beyond 64 bits: text
      case 5:
        v = "{\"a\":1";
        break;
      default:
        break;
    }
    in.value = std::move(v);
    out.push_back(std::move(in));
  }
  return out;
}

// Everything a stager holds, as text.
std::string Describe(RecordStager& s, const DedupWindow& window) {
  std::string out =
      fmt::format("good {} duplicates {} bytes {} pending ids {} grouped {}\nschema {}\n", s.good(),
                  s.duplicates(), s.bytes(), window.pending(), s.grouped(), s.schema().SqlType());
  for (const auto& g : s.groups()) {
    out += fmt::format("group {} {} [{}]\n", g.partition, g.type.value_or("(null)"),
                       fmt::join(g.columns, ","));
  }
  for (const auto& d : s.dead_letters()) {
    out += fmt::format("dead {} {} {} {} {} {} {}\n", d.partition, d.offset, d.timestamp_ms,
                       d.has_key, d.key, d.raw.substr(0, 40), d.error);
  }
  Status st = s.records().ForEach([&](const RecordMeta& m, std::string_view value) {
    out += fmt::format("{} {} {} {} {} {} {}\n", m.partition, m.offset, m.timestamp_ms, m.has_key,
                       m.key, m.tag, value);
    return Status::Ok();
  });
  EXPECT_TRUE(st.ok()) << st.ToString();
  return out;
}

class StagerParallelTest : public ::testing::Test {
 protected:
  std::filesystem::path Spill(const std::string& tag) {
    return std::filesystem::temp_directory_path() /
           fmt::format("el_stager_par_{}_{}", tag, ::getpid());
  }

  // Stages `input` with `worker` (null: serial) and `chunk` records a chunk; returns Describe.
  std::string Stage(const std::vector<Input>& input, StagingThread* worker, size_t chunk,
                    int64_t* restaged = nullptr) {
    DedupWindow window(std::chrono::minutes(10), 1'000'000);
    RecordStager stager("ev", Spill(std::to_string(chunk)), 1 << 20);  // spills beyond 1 MB
    stager.set_max_record_bytes(2000);
    stager.set_dedup("event_id", &window);
    stager.set_group_field("event_type");
    stager.set_worker(worker);
    stager.set_chunk_records(chunk);
    for (const Input& in : input) {
      RecordMeta meta = in.meta;
      meta.key = in.key;
      std::string copy = in.value;  // the stager's copy must not depend on the caller's
      EXPECT_TRUE(stager.Add(meta, copy).ok());
      copy.assign(copy.size(), '#');
    }
    EXPECT_TRUE(stager.Finish().ok());
    if (restaged != nullptr) *restaged = stager.restaged_chunks();
    return Describe(stager, window);
  }
};

TEST_F(StagerParallelTest, TwoThreadsStageExactlyAsOne) {
  std::vector<Input> input = VariedInput(30000, 7);
  std::string serial = Stage(input, nullptr, RecordStager::kChunkRecords);
  ASSERT_NE(serial.find("dead "), std::string::npos);
  ASSERT_EQ(serial.find(" duplicates 0 "), std::string::npos);
  for (size_t chunk : {RecordStager::kChunkRecords, size_t{61}, size_t{1}}) {
    int64_t restaged = 0;
    std::string parallel = Stage(input, &StagingThread::Shared(), chunk, &restaged);
    EXPECT_TRUE(parallel == serial) << "chunk " << chunk;
    EXPECT_GT(restaged, 0) << "chunks with repeated ids are staged again";
  }
}

TEST_F(StagerParallelTest, TypeFieldThatIsNotTextAndManyGroups) {
  std::vector<Input> input = VariedInput(3000, 11);
  input[2500].value = R"({"event_type":7})";
  std::string serial = Stage(input, nullptr, RecordStager::kChunkRecords);
  ASSERT_NE(serial.find("grouped false"), std::string::npos);
  EXPECT_EQ(Stage(input, &StagingThread::Shared(), 97), serial);
  std::vector<Input> many;
  for (int i = 0; i < 3000; ++i) {
    many.push_back(
        {RecordMeta{0, i, 0, false, {}, 0}, "", fmt::format(R"({{"event_type":"t{}"}})", i / 2)});
  }
  serial = Stage(many, nullptr, RecordStager::kChunkRecords);
  ASSERT_NE(serial.find("grouped false"), std::string::npos);
  EXPECT_EQ(Stage(many, &StagingThread::Shared(), 300), serial);
}

// A worker that runs nothing until opened, so that a test decides which thread stages a chunk.
class GatedWorker {
 public:
  GatedWorker() {
    thread_.Post([this] {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return open_; });
    });
  }
  ~GatedWorker() { Open(); }
  void Open() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  StagingThread* thread() { return &thread_; }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
  StagingThread thread_;  // last: joined before the gate goes
};

TEST_F(StagerParallelTest, KeySpelledFirstInALaterChunkStagedFirst) {
  // Chunk 0 spells "Region" first, chunk 1 "REGION": the caller stages chunk 1 while chunk 0
  // waits for the worker, so chunk 1 spells it its own way; merged after chunk 0, it is staged
  // again and spells it "Region", as the serial stager does.
  std::vector<Input> input;
  for (int i = 0; i < 8; ++i) {
    std::string key = i < 4 ? (i == 2 ? "Region" : "city") : "REGION";
    input.push_back(
        {RecordMeta{0, i, 0, false, {}, 0}, "", fmt::format(R"({{"{}":{},"n":{}}})", key, i, i)});
  }
  std::string serial = Stage(input, nullptr, 4);
  ASSERT_NE(serial.find(R"({"Region":4,"n":4})"), std::string::npos) << serial;
  GatedWorker worker;
  DedupWindow window(std::chrono::minutes(10), 100);
  RecordStager stager("ev", Spill("gate"), 1 << 20);
  stager.set_max_record_bytes(2000);
  stager.set_dedup("event_id", &window);
  stager.set_group_field("event_type");
  stager.set_worker(worker.thread());
  stager.set_chunk_records(4);
  for (const Input& in : input) ASSERT_TRUE(stager.Add(in.meta, in.value).ok());
  EXPECT_EQ(stager.good(), 0);  // chunk 1 is staged, chunk 0 waits: nothing merged yet
  worker.Open();
  ASSERT_TRUE(stager.Finish().ok());
  EXPECT_EQ(stager.restaged_chunks(), 1);
  EXPECT_EQ(Describe(stager, window), serial);
}

TEST_F(StagerParallelTest, SpillFailureComesBackFromAddOrFinishAndStays) {
  RecordStager stager("ev", "/nonexistent-el-dir/spill", 0);  // the first full segment spills
  stager.set_chunk_records(100);
  std::string value = fmt::format(R"({{"pad":"{}"}})", std::string(1000, 'p'));
  Status st;
  for (int i = 0; i < 10000 && st.ok(); ++i)
    st = stager.Add(RecordMeta{0, i, 0, false, {}, 0}, value);
  if (st.ok()) st = stager.Finish();
  EXPECT_EQ(st.code(), StatusCode::kIOError) << st.ToString();
  EXPECT_EQ(stager.Add(RecordMeta{}, value).code(), StatusCode::kIOError);
  EXPECT_EQ(stager.Finish().code(), StatusCode::kIOError);
}

TEST_F(StagerParallelTest, FinishWithNothingPendingAndAddAfterFinish) {
  RecordStager stager("ev", Spill("again"), 1 << 20);
  ASSERT_TRUE(stager.Finish().ok());
  ASSERT_TRUE(stager.Add(RecordMeta{0, 1, 0, false, {}, 0}, R"({"a":1})").ok());
  ASSERT_TRUE(stager.Finish().ok());
  ASSERT_TRUE(stager.Add(RecordMeta{0, 2, 0, false, {}, 0}, R"({"a":2.5})").ok());
  ASSERT_TRUE(stager.Finish().ok());
  EXPECT_EQ(stager.good(), 2);
  EXPECT_EQ(stager.schema().SqlType(), R"(STRUCT("a" DOUBLE))");
}

// A stager dropped with chunks in flight (a batch given up) waits for the worker's chunk and
// leaves nothing running.
TEST_F(StagerParallelTest, DroppedWithChunksInFlight) {
  std::vector<Input> input = VariedInput(5000, 3);
  for (int round = 0; round < 20; ++round) {
    RecordStager stager("ev", Spill("drop"), 1 << 20);
    stager.set_chunk_records(50);
    for (const Input& in : input) ASSERT_TRUE(stager.Add(in.meta, in.value).ok());
  }
}

}  // namespace
}  // namespace el::jobs
