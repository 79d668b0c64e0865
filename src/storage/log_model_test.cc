// Randomized model test: random appends, reads, timestamp lookups, clean and unclean reopens and torn
// tails, checked against an in-memory list of batches. The seed is printed; set EL_TEST_SEED to replay.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <random>

#include "io/dir.h"
#include "io/file.h"
#include "storage/partition_log.h"
#include "storage/test_batches.h"
#include "storage/test_temp_dir.h"

namespace el::storage {
namespace {

struct ModelBatch {
  int64_t base;
  int64_t last;
  int64_t max_ts;
  std::vector<uint8_t> bytes;  // as stored (base offset assigned)
};

class LogModel {
 public:
  explicit LogModel(uint64_t seed) : rng_(seed) {
    options_.segment_bytes = Uniform(300, 3000);
    options_.index_interval_bytes = Uniform(1, 500);
  }

  void Run(int steps) {
    Reopen(false, false);
    for (int i = 0; i < steps && !::testing::Test::HasFatalFailure(); ++i) {
      int op = static_cast<int>(Uniform(0, 99));
      if (op < 45) Append();
      else if (op < 80) CheckRead();
      else if (op < 92) CheckTimestamp();
      else Reopen(op < 95, op >= 97);
    }
    CheckAll();
  }

 private:
  uint64_t Uniform(uint64_t lo, uint64_t hi) {
    return std::uniform_int_distribution<uint64_t>(lo, hi)(rng_);
  }
  int64_t hw() const { return batches_.empty() ? 0 : batches_.back().last + 1; }

  void Append() {
    std::vector<uint8_t> buf;
    std::vector<ModelBatch> added;
    int64_t next = hw();
    for (uint64_t n = Uniform(1, 3); n > 0; --n) {
      int records = static_cast<int>(Uniform(1, 6));
      int64_t ts = static_cast<int64_t>(Uniform(0, 10000));
      auto b = testing::MakeValueBatch(records, std::string(Uniform(0, 120), 'r'), ts);
      buf.insert(buf.end(), b.begin(), b.end());
      SetBaseOffset(b, Offset(next));
      added.push_back({next, next + records - 1, ts + records - 1, std::move(b)});
      next += records;
    }
    auto base = log_->Append(buf, Uniform(0, 19) == 0);
    ASSERT_TRUE(base.ok()) << base.status().ToString();
    ASSERT_EQ(base->value(), hw());
    for (auto& b : added) batches_.push_back(std::move(b));
  }

  void CheckRead() {
    int64_t from = static_cast<int64_t>(Uniform(0, static_cast<uint64_t>(hw())));
    size_t max_bytes = Uniform(0, 2500);
    auto r = log_->Read(Offset(from), max_bytes);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    if (from == hw()) {
      ASSERT_TRUE(r->empty());
      return;
    }
    size_t i = 0;
    while (batches_[i].last < from) ++i;
    const size_t first = i;
    size_t at = 0;
    for (; at < r->size(); ++i) {
      ASSERT_LT(i, batches_.size());
      const auto& want = batches_[i].bytes;
      ASSERT_LE(at + want.size(), r->size()) << "partial batch returned";
      ASSERT_TRUE(std::equal(want.begin(), want.end(), r->begin() + static_cast<long>(at)))
          << "batch " << batches_[i].base << " differs";
      at += want.size();
    }
    ASSERT_GT(at, 0u);
    if (r->size() > max_bytes) {
      ASSERT_EQ(r->size(), batches_[first].bytes.size()) << "more than one batch past max_bytes";
    }
  }

  void CheckTimestamp() {
    int64_t ts = static_cast<int64_t>(Uniform(0, 10010));
    int64_t want = hw();
    for (const auto& b : batches_) {
      if (b.max_ts >= ts) {  // records are stamped first_ts, first_ts + 1, ...: the first at/after ts
        int64_t first_ts = b.max_ts - (b.last - b.base);
        want = b.base + std::max<int64_t>(0, ts - first_ts);
        break;
      }
    }
    ASSERT_EQ(log_->OffsetForTimestamp(TimestampMs(ts)).value(), want) << "ts " << ts;
  }

  // Reopens the log: after Close (clean) or not; optionally with a torn tail left behind.
  void Reopen(bool clean, bool torn) {
    if (log_ && clean) {
    ASSERT_TRUE(log_->Close().ok());
  }
    log_.reset();
    if (torn) {
      std::string last;
      auto listing = io::ListDir(dir_.path());
      ASSERT_TRUE(listing.ok());
      for (const auto& e : *listing) {
        if (e.name.ends_with(".log")) last = dir_.path() + "/" + e.name;
      }
      auto garbage = testing::MakeValueBatch(3, "torn");
      garbage.resize(Uniform(1, garbage.size() - 1));
      auto f = io::File::Open(last, io::File::Mode::kReadWrite);
      ASSERT_TRUE(f.ok());
      ASSERT_TRUE((*f)->Append(garbage).ok());
      clean = false;
    }
    auto log = PartitionLog::Open(dir_.path(), options_, clean);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    log_ = std::move(log).value();
    ASSERT_EQ(log_->high_watermark().value(), hw());
  }

  void CheckAll() {
    for (int64_t from = 0; from < hw(); ++from) {
      auto r = log_->Read(Offset(from), 1);
      ASSERT_TRUE(r.ok());
      size_t i = 0;
      while (batches_[i].last < from) ++i;
      ASSERT_EQ(*r, batches_[i].bytes) << from;
    }
  }

  std::mt19937_64 rng_;
  LogOptions options_;
  testing::TempDir dir_;
  std::unique_ptr<PartitionLog> log_;
  std::vector<ModelBatch> batches_;
};

TEST(LogModelTest, RandomOperationsMatchTheModel) {
  uint64_t seed = std::random_device{}();
  if (const char* env = std::getenv("EL_TEST_SEED")) seed = std::strtoull(env, nullptr, 10);
  for (int round = 0; round < 3 && !HasFatalFailure(); ++round) {
    SCOPED_TRACE("seed " + std::to_string(seed + round) + " (replay with EL_TEST_SEED)");
    std::printf("log model seed %llu\n", static_cast<unsigned long long>(seed + round));
    LogModel(seed + round).Run(250);
  }
}

}  // namespace
}  // namespace el::storage
