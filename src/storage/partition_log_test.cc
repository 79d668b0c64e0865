#include "storage/partition_log.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "io/dir.h"
#include "io/fault.h"
#include "io/file.h"
#include "storage/segment.h"
#include "storage/test_batches.h"
#include "storage/test_temp_dir.h"

namespace el::storage {
namespace {

using testing::MakeValueBatch;

// Splits fetched bytes into validated batches (a fetch must only ever return whole, valid batches).
std::vector<BatchHeader> Split(const std::vector<uint8_t>& bytes) {
  std::vector<BatchHeader> out;
  std::span<const uint8_t> rest(bytes);
  while (!rest.empty()) {
    auto h = ParseBatch(rest);
    EXPECT_TRUE(h.ok()) << h.status().ToString();
    if (!h.ok()) break;
    out.push_back(*h);
    rest = rest.subspan(h->total_size());
  }
  return out;
}

class PartitionLogTest : public ::testing::Test {
 protected:
  std::unique_ptr<PartitionLog> OpenLog(bool clean = false) {
    auto log = PartitionLog::Open(tmp_.path(), options_, clean);
    EL_CHECK(log.ok());
    return std::move(log).value();
  }
  std::string ActiveLogPath(const PartitionLog& log) {
    auto entries = io::ListDir(tmp_.path());
    std::string last;
    for (const auto& e : *entries) {
      if (e.name.ends_with(".log")) last = tmp_.path() + "/" + e.name;
    }
    return last;
  }
  uint64_t FileSize(const std::string& path) {
    auto f = io::File::Open(path, io::File::Mode::kReadOnly);
    return *(*f)->Size();
  }
  void AppendRaw(const std::string& path, const std::vector<uint8_t>& bytes) {
    auto f = io::File::Open(path, io::File::Mode::kCreate);
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE((*f)->Append(bytes).ok());
  }
  // Appends `n` batches of 3 records (~40 bytes of values each) stamped 1000 + 10 * i.
  void Fill(PartitionLog& log, int n) {
    for (int i = 0; i < n; ++i) {
      auto b = MakeValueBatch(3, "value-" + std::to_string(i) + "-", 1000 + 10 * i);
      auto off = log.Append(b, false);
      ASSERT_TRUE(off.ok()) << off.status().ToString();
      ASSERT_EQ(off->value(), 3 * i);
    }
  }
  // Every offset reads back as the batch that holds it, and a full scan sees every batch once.
  void VerifyAll(const PartitionLog& log, int n) {
    ASSERT_EQ(log.high_watermark().value(), 3 * n);
    for (int64_t o = 0; o < 3 * n; ++o) {
      auto r = log.Read(Offset(o), 1);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      auto batches = Split(*r);
      ASSERT_EQ(batches.size(), 1u) << o;
      EXPECT_EQ(batches[0].base_offset, o / 3 * 3);
      EXPECT_EQ(batches[0].base_timestamp, 1000 + 10 * (o / 3));
    }
    int64_t next = 0;
    while (next < 3 * n) {
      auto r = log.Read(Offset(next), 1 << 20);
      ASSERT_TRUE(r.ok());
      auto batches = Split(*r);
      ASSERT_FALSE(batches.empty());
      for (const auto& h : batches) {
        ASSERT_EQ(h.base_offset, next);
        next += h.last_offset_delta + 1;
      }
    }
  }

  testing::TempDir tmp_;
  LogOptions options_;
};

TEST_F(PartitionLogTest, AppendAssignsConsecutiveOffsets) {
  auto log = OpenLog();
  EXPECT_EQ(log->high_watermark().value(), 0);
  EXPECT_EQ(log->log_start().value(), 0);
  auto a = MakeValueBatch(3);
  auto b = MakeValueBatch(2);
  EXPECT_EQ(log->Append(a, true)->value(), 0);
  EXPECT_EQ(log->Append(b, false)->value(), 3);
  EXPECT_EQ(log->high_watermark().value(), 5);

  auto all = Split(*log->Read(Offset(0), 1 << 20));
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].base_offset, 0);
  EXPECT_EQ(all[1].base_offset, 3);
  auto tail = Split(*log->Read(Offset(4), 1 << 20));  // starts with the batch holding 4
  ASSERT_EQ(tail.size(), 1u);
  EXPECT_EQ(tail[0].base_offset, 3);
  EXPECT_TRUE(log->Read(Offset(5), 100)->empty());
}

TEST_F(PartitionLogTest, OneAppendOfSeveralBatches) {
  auto log = OpenLog();
  auto buf = MakeValueBatch(2);
  auto second = MakeValueBatch(4);
  buf.insert(buf.end(), second.begin(), second.end());
  EXPECT_EQ(log->Append(buf, true)->value(), 0);
  EXPECT_EQ(log->high_watermark().value(), 6);
  auto all = Split(*log->Read(Offset(0), 1 << 20));
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1].base_offset, 2);
}

TEST_F(PartitionLogTest, OutOfRangeReads) {
  auto log = OpenLog();
  Fill(*log, 2);
  EXPECT_EQ(log->Read(Offset(7), 100).status().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(log->Read(Offset(-1), 100).status().code(), StatusCode::kOutOfRange);
  EXPECT_TRUE(log->Read(Offset(6), 100)->empty());
}

TEST_F(PartitionLogTest, MaxBytesSmallerThanOneBatchStillReturnsIt) {
  auto log = OpenLog();
  auto big = MakeValueBatch(50, std::string(100, 'x'));
  ASSERT_TRUE(log->Append(big, false).ok());
  for (size_t max : {size_t{0}, size_t{1}, size_t{61}, big.size() - 1}) {
    auto r = log->Read(Offset(10), max);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->size(), big.size()) << max;
    EXPECT_EQ(Split(*r).size(), 1u);
  }
}

TEST_F(PartitionLogTest, RejectsBytesThatAreNotWholeBatches) {
  auto log = OpenLog();
  auto b = MakeValueBatch(2);
  EXPECT_EQ(log->Append(std::span(b).first(b.size() - 1), false).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(log->Append({}, false).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(log->high_watermark().value(), 0);
  EXPECT_EQ(log->Append(b, false)->value(), 0);
}

TEST_F(PartitionLogTest, RoundTripAcrossSegmentsAndReopen) {
  options_.segment_bytes = 1000;
  options_.index_interval_bytes = 200;
  {
    auto log = OpenLog();
    Fill(*log, 60);
    VerifyAll(*log, 60);
    ASSERT_TRUE(log->Close().ok());
    EXPECT_EQ(log->Append(MakeValueBatch(1), false).status().code(),
              StatusCode::kFailedPrecondition);
  }
  int segments = 0;
  auto listing = io::ListDir(tmp_.path());
  for (const auto& e : *listing) segments += e.name.ends_with(".log");
  EXPECT_GT(segments, 5);
  auto log = OpenLog(/*clean=*/true);
  VerifyAll(*log, 60);
  EXPECT_EQ(log->Append(MakeValueBatch(3), false)->value(), 180);
}

TEST_F(PartitionLogTest, ReopenWithoutCloseKeepsEverything) {
  options_.segment_bytes = 2000;
  { auto log = OpenLog(); Fill(*log, 30); }
  auto log = OpenLog();
  VerifyAll(*log, 30);
}

TEST_F(PartitionLogTest, TornTailIsTruncatedOnReopen) {
  std::string path;
  uint64_t good_size = 0;
  {
    auto log = OpenLog();
    Fill(*log, 5);
    ASSERT_TRUE(log->Sync().ok());
    path = ActiveLogPath(*log);
    good_size = FileSize(path);
  }
  auto half = MakeValueBatch(8);
  half.resize(half.size() / 2);
  AppendRaw(path, half);
  int batches = 5;
  for (bool clean : {false, true}) {
    auto log = OpenLog(clean);
    VerifyAll(*log, batches);
    EXPECT_EQ(FileSize(path), good_size);
    auto next = MakeValueBatch(3, "more", 1000 + 10 * batches);
    EXPECT_EQ(log->Append(next, false)->value(), 3 * batches);
    ++batches;
    log.reset();
    good_size = FileSize(path);
    AppendRaw(path, {1, 2, 3});  // garbage for the second round
  }
}

TEST_F(PartitionLogTest, CorruptLastBatchIsDropped) {
  std::string path;
  {
    auto log = OpenLog();
    Fill(*log, 4);
    path = ActiveLogPath(*log);
  }
  uint64_t size = FileSize(path);
  {
    // Flip the last byte of the last batch: its CRC no longer matches.
    auto f = io::File::Open(path, io::File::Mode::kReadWrite);
    std::vector<uint8_t> all(size);
    ASSERT_TRUE((*f)->ReadAt(FilePos(0), all).ok());
    all.back() ^= 0xFF;
    ASSERT_TRUE((*f)->Truncate(0).ok());
    ASSERT_TRUE((*f)->Append(all).ok());
  }
  auto log = OpenLog();
  VerifyAll(*log, 3);
}

TEST_F(PartitionLogTest, CorruptSealedSegmentLeavesAHoleThatReadsSkip) {
  options_.segment_bytes = 600;
  { auto log = OpenLog(); Fill(*log, 20); }
  // Damage the last batch of the first (sealed) segment.
  std::string first = SegmentPath(tmp_.path(), Offset(0), "log");
  uint64_t size = FileSize(first);
  {
    auto f = io::File::Open(first, io::File::Mode::kReadWrite);
    ASSERT_TRUE((*f)->Truncate(size - 1).ok());
  }
  auto log = OpenLog();
  EXPECT_EQ(log->high_watermark().value(), 60);
  auto head = Split(*log->Read(Offset(0), 1 << 20));
  ASSERT_FALSE(head.empty());
  int64_t hole = head.back().base_offset + head.back().last_offset_delta + 1;
  auto after = Split(*log->Read(Offset(hole), 1));  // the missing batch: next segment's first
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].base_offset, hole + 3);
}

TEST_F(PartitionLogTest, GarbageOnlyAndEmptyFilesNeverCrashOpen) {
  AppendRaw(tmp_.path() + "/00000000000000000000.log", std::vector<uint8_t>(1000, 0x5A));
  AppendRaw(tmp_.path() + "/00000000000000000000.index", std::vector<uint8_t>(37, 0x11));
  { auto log = OpenLog(); EXPECT_EQ(log->high_watermark().value(), 0); Fill(*log, 2); }
  auto log = OpenLog();
  VerifyAll(*log, 2);
}

TEST_F(PartitionLogTest, MissingOrDamagedIndexIsRebuilt) {
  options_.segment_bytes = 1500;
  options_.index_interval_bytes = 100;
  { auto log = OpenLog(); Fill(*log, 40); ASSERT_TRUE(log->Close().ok()); }
  std::string first_index = SegmentPath(tmp_.path(), Offset(0), "index");
  uint64_t index_size = FileSize(first_index);
  EXPECT_GT(index_size, kIndexHeaderSize + 3 * kIndexEntrySize);
  // Remove one index, overwrite another's header.
  ASSERT_TRUE(io::RemoveFile(first_index).ok());
  std::string last_index = ActiveLogPath(*OpenLog());
  last_index.replace(last_index.size() - 3, 3, "index");
  {
    auto f = io::File::Open(last_index, io::File::Mode::kReadWrite);
    ASSERT_TRUE((*f)->Truncate(3).ok());
  }
  auto log = OpenLog();
  EXPECT_EQ(FileSize(first_index), index_size);
  EXPECT_GE(FileSize(last_index), kIndexHeaderSize + kIndexEntrySize);
  VerifyAll(*log, 40);
}

TEST_F(PartitionLogTest, OffsetForTimestamp) {
  options_.segment_bytes = 800;
  options_.index_interval_bytes = 150;
  auto log = OpenLog();
  EXPECT_EQ(log->OffsetForTimestamp(TimestampMs(0)).value(), 0);
  Fill(*log, 40);  // batch i holds offsets 3i..3i+2 stamped 1000+10i .. 1002+10i
  EXPECT_EQ(log->OffsetForTimestamp(TimestampMs(0)).value(), 0);
  EXPECT_EQ(log->OffsetForTimestamp(TimestampMs(1000)).value(), 0);
  EXPECT_EQ(log->OffsetForTimestamp(TimestampMs(1003)).value(), 3);
  for (int i = 0; i < 40; ++i) {
    EXPECT_EQ(log->OffsetForTimestamp(TimestampMs(1000 + 10 * i)).value(), 3 * i) << i;
    // Inside a batch the answer is the record's own offset, as Kafka gives it.
    EXPECT_EQ(log->OffsetForTimestamp(TimestampMs(1001 + 10 * i)).value(), 3 * i + 1) << i;
    EXPECT_EQ(log->OffsetForTimestamp(TimestampMs(1002 + 10 * i)).value(), 3 * i + 2) << i;
  }
  EXPECT_EQ(log->OffsetForTimestamp(TimestampMs(1000 + 10 * 39 + 3)).value(), 120);
  // Non-monotonic timestamps: an old-stamped batch after newer ones.
  ASSERT_TRUE(log->Append(MakeValueBatch(1, "late", 5000), false).ok());
  ASSERT_TRUE(log->Append(MakeValueBatch(1, "old", 10), false).ok());
  EXPECT_EQ(log->OffsetForTimestamp(TimestampMs(4000)).value(), 120);
  log.reset();
  log = OpenLog();
  EXPECT_EQ(log->OffsetForTimestamp(TimestampMs(1203)).value(), 63);
  EXPECT_EQ(log->OffsetForTimestamp(TimestampMs(4000)).value(), 120);
  EXPECT_EQ(log->OffsetForTimestamp(TimestampMs(6000)).value(), 122);
}

TEST_F(PartitionLogTest, ConcurrentReadersSeeOnlyWholeBatches) {
  options_.segment_bytes = 4000;
  auto log = OpenLog();
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int i = 0; i < 300; ++i) ASSERT_TRUE(log->Append(MakeValueBatch(3, "w", 1000 + i), false).ok());
    done = true;
  });
  int64_t next = 0;
  while (!done || next < log->high_watermark().value()) {
    auto r = log->Read(Offset(next), 700);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    for (const auto& h : Split(*r)) {
      ASSERT_EQ(h.base_offset, next);
      next += h.last_offset_delta + 1;
    }
  }
  writer.join();
  EXPECT_EQ(next, 900);
}

TEST_F(PartitionLogTest, ConcurrentSyncedAndPlainAppendsStayOrderedAndComplete) {
  options_.segment_bytes = 3000;
  auto log = OpenLog();
  constexpr int kThreads = 4;
  constexpr int kPerThread = 40;
  std::vector<std::vector<int64_t>> bases(kThreads);
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto b = MakeValueBatch(2, "t" + std::to_string(t) + "-", 1000 + i);
        auto off = log->Append(b, /*sync=*/(t % 2 == 0) && i % 4 == 0);
        ASSERT_TRUE(off.ok()) << off.status().ToString();
        bases[t].push_back(off->value());
      }
    });
  }
  int64_t next = 0;
  constexpr int64_t kTotal = 2 * kThreads * kPerThread;
  while (next < kTotal) {
    auto r = log->Read(Offset(next), 500);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    for (const auto& h : Split(*r)) {
      ASSERT_EQ(h.base_offset, next);
      next += h.last_offset_delta + 1;
    }
  }
  for (auto& w : writers) w.join();
  EXPECT_EQ(log->high_watermark().value(), kTotal);
  std::vector<int64_t> all;
  for (const auto& b : bases) all.insert(all.end(), b.begin(), b.end());
  std::sort(all.begin(), all.end());
  for (size_t i = 0; i < all.size(); ++i) ASSERT_EQ(all[i], static_cast<int64_t>(2 * i));
  ASSERT_TRUE(log->Sync().ok());
  log.reset();
  log = OpenLog();
  EXPECT_EQ(log->high_watermark().value(), kTotal);
}

// Installs an io fault hook for the scope of a test.
class ScopedFault {
 public:
  explicit ScopedFault(io::FaultHook hook) { io::SetFaultHook(std::move(hook)); }
  ~ScopedFault() { io::SetFaultHook(nullptr); }
};

// Fails `op` on segment .log files the next `times` times.
io::FaultHook FailLogOp(io::FileOp op, std::shared_ptr<std::atomic<int>> times) {
  return [op, times](io::FileOp o, const std::string& path) {
    if (o == op && path.ends_with(".log") && times->fetch_sub(1) > 0) {
      return IOError("injected fault on " + path);
    }
    return Status::Ok();
  };
}

TEST_F(PartitionLogTest, FailedWriteLeavesNothingVisible) {
  auto log = OpenLog();
  Fill(*log, 2);
  std::string path = ActiveLogPath(*log);
  uint64_t size = FileSize(path);
  {
    ScopedFault fault(FailLogOp(io::FileOp::kAppend, std::make_shared<std::atomic<int>>(1)));
    auto r = log->Append(MakeValueBatch(5), true);
    EXPECT_EQ(r.status().code(), StatusCode::kIOError);
  }
  EXPECT_EQ(log->high_watermark().value(), 6);
  EXPECT_TRUE(log->Read(Offset(6), 1000)->empty());
  EXPECT_EQ(FileSize(path), size);  // the torn half-write was cut off again
  auto b = MakeValueBatch(3, "value-2-", 1020);
  EXPECT_EQ(log->Append(b, true)->value(), 6);
  log.reset();
  log = OpenLog();
  VerifyAll(*log, 3);
}

TEST_F(PartitionLogTest, FailedSyncFailsThisAndLaterAppends) {
  auto log = OpenLog();
  Fill(*log, 1);
  {
    ScopedFault fault(FailLogOp(io::FileOp::kSync, std::make_shared<std::atomic<int>>(1)));
    EXPECT_EQ(log->Append(MakeValueBatch(3, "value-1-", 1010), true).status().code(),
              StatusCode::kIOError);
  }
  EXPECT_EQ(log->Append(MakeValueBatch(1), false).status().code(), StatusCode::kIOError);
  EXPECT_EQ(log->high_watermark().value(), 6);  // whole batches only, never a part
  log.reset();
  log = OpenLog();  // a restart clears the failure
  VerifyAll(*log, 2);
  EXPECT_EQ(log->Append(MakeValueBatch(1), true)->value(), 6);
}

TEST_F(PartitionLogTest, ReadErrorDuringRecoveryFailsOpenWithoutTruncating) {
  { auto log = OpenLog(); Fill(*log, 3); }
  std::string path = SegmentPath(tmp_.path(), Offset(0), "log");
  uint64_t size = FileSize(path);
  {
    ScopedFault fault(FailLogOp(io::FileOp::kReadAt, std::make_shared<std::atomic<int>>(1000)));
    auto log = PartitionLog::Open(tmp_.path(), options_, false);
    EXPECT_EQ(log.status().code(), StatusCode::kIOError);
  }
  EXPECT_EQ(FileSize(path), size);
  auto log = OpenLog();
  VerifyAll(*log, 3);
}

TEST_F(PartitionLogTest, WriteAssignsOffsetsNowAndFinishPublishesInWriteOrder) {
  auto log = OpenLog();
  auto a = log->Write(MakeValueBatch(2), /*sync=*/true);
  auto b = log->Write(MakeValueBatch(3), /*sync=*/true);
  auto c = log->Write(MakeValueBatch(1), /*sync=*/false);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(a->result.base, Offset(0));
  EXPECT_EQ(b->result.base, Offset(2));
  EXPECT_EQ(c->result.base, Offset(5));
  EXPECT_TRUE(a->sync && a->publish && b->sync && !c->sync);
  EXPECT_EQ(log->high_watermark(), Offset(0));  // nothing visible before its Finish
  ASSERT_TRUE(log->Finish(*c).ok());
  ASSERT_TRUE(log->Finish(*b).ok());
  EXPECT_EQ(log->high_watermark(), Offset(0));  // b and c wait for a
  ASSERT_TRUE(log->Finish(*a).ok());
  EXPECT_EQ(log->high_watermark(), Offset(6));
  auto read = log->Read(Offset(0), 1 << 20);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(Split(*read).size(), 3u);
}

}  // namespace
}  // namespace el::storage
