#include "jobs/lander.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "base/log.h"
#include "clients/duck/duck.h"
#include "clients/rdk/consumer.h"
#include "jobs/batch_writer.h"
#include "jobs/lake_files.h"
#include "jobs/record_stager.h"

namespace el::jobs {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr auto kMetadataTimeout = std::chrono::milliseconds(8000);
constexpr auto kPollTimeout = std::chrono::milliseconds(100);
constexpr auto kStallTimeout = std::chrono::seconds(60);
constexpr int64_t kMaxBatchRecords = 100'000;
constexpr int64_t kMaxBatchBytes = 64LL << 20;

struct OffsetSpec {
  enum class Kind { kEarliest, kLatest, kOffset } kind = Kind::kEarliest;
  int64_t offset = 0;
};

Result<OffsetSpec> ParseOffsetSpec(const std::string& text, bool allow_earliest) {
  if (text == "earliest" && allow_earliest) return OffsetSpec{OffsetSpec::Kind::kEarliest, 0};
  if (text == "latest") return OffsetSpec{OffsetSpec::Kind::kLatest, 0};
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || value < 0) {
    return InvalidArgument("bad offset '" + text + "': expected " +
                           (allow_earliest ? "earliest, latest" : "latest") +
                           " or a non-negative number");
  }
  return OffsetSpec{OffsetSpec::Kind::kOffset, value};
}

int64_t Resolve(const OffsetSpec& spec, const rdk::Watermarks& w) {
  switch (spec.kind) {
    case OffsetSpec::Kind::kEarliest: return w.low;
    case OffsetSpec::Kind::kLatest: return w.high;
    case OffsetSpec::Kind::kOffset: return std::clamp(spec.offset, w.low, w.high);
  }
  return w.low;
}

class LandRun {
 public:
  LandRun(const LandOptions& options, std::stop_token stop) : o_(options), stop_(std::move(stop)) {}

  Result<LandSummary> Run() {
    auto started = Clock::now();
    EL_RETURN_IF_ERROR(Prepare());
    EL_RETURN_IF_ERROR(o_.follow ? RunFollow() : RunBatch());
    summary_.seconds = std::chrono::duration<double>(Clock::now() - started).count();
    std::sort(summary_.tables.begin(), summary_.tables.end());
    return summary_;
  }

 private:
  Status Prepare() {
    if (o_.topic.empty()) return InvalidArgument("a topic is required");
    if (o_.lake_dir.empty()) return InvalidArgument("a lake directory is required");
    if (o_.brokers.empty()) return InvalidArgument("a broker list is required");
    if (o_.flush_interval.count() <= 0) return InvalidArgument("flush interval must be positive");
    EL_ASSIGN_OR_RETURN(from_, ParseOffsetSpec(o_.from, true));
    EL_ASSIGN_OR_RETURN(to_, ParseOffsetSpec(o_.to, false));
    lake_ = fs::path(o_.lake_dir);
    EL_ASSIGN_OR_RETURN(db_, duck::Database::OpenInMemory());
    EL_ASSIGN_OR_RETURN(con_, duck::Connection::Open(*db_));
    EL_ASSIGN_OR_RETURN(consumer_, rdk::Consumer::Create(o_.brokers, {{"group.id", "eventlake-land"}}));
    EL_ASSIGN_OR_RETURN(partitions_, consumer_->Partitions(o_.topic, kMetadataTimeout));
    for (int32_t p : partitions_) {
      EL_ASSIGN_OR_RETURN(watermarks_[p], consumer_->QueryWatermarks(o_.topic, p, kMetadataTimeout));
    }
    EL_RETURN_IF_ERROR(MakeDirs(lake_));
    EL_ASSIGN_OR_RETURN(committed_, RecoverTopic(lake_, o_.topic));
    EL_RETURN_IF_ERROR(MakeDirs(lake_ / "_staging" / o_.topic));
    return Status::Ok();
  }

  Status RunBatch() {
    std::map<int32_t, int64_t> starts;
    for (int32_t p : partitions_) {
      const rdk::Watermarks& w = watermarks_[p];
      int64_t start = Resolve(from_, w);
      int64_t end = to_.kind == OffsetSpec::Kind::kLatest ? w.high : std::clamp(to_.offset, w.low, w.high);
      if (start < end) {
        starts[p] = start;
        end_[p] = end;
      }
    }
    if (starts.empty()) return Status::Ok();
    if (o_.mode == WriteMode::kError && !ListDataFiles(lake_ / o_.topic).empty()) {
      return AlreadyExists("table " + o_.topic + " already exists in " + o_.lake_dir);
    }
    EL_RETURN_IF_ERROR(consumer_->Assign(o_.topic, starts));
    size_t remaining = starts.size();
    int64_t total = 0;
    int64_t read = 0;
    for (const auto& [p, start] : starts) total += end_[p] - start;
    auto last_progress = Clock::now();
    while (remaining > 0) {
      if (stop_.stop_requested()) return Cancelled("landing stopped before the range was read");
      rdk::Message msg = consumer_->Poll(kPollTimeout);
      if (msg == nullptr) {
        if (Clock::now() - last_progress > kStallTimeout) {
          return Unavailable("no data from the brokers for 60 s");
        }
        continue;
      }
      int32_t p = msg->partition;
      auto end = end_.find(p);
      if (end == end_.end() || done_.count(p) != 0) continue;
      if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR && msg->offset < end->second) {
        EL_RETURN_IF_ERROR(Add(*msg));
        last_progress = Clock::now();
        if (o_.on_progress) o_.on_progress(std::min(++read, total), total);
      } else if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR &&
                 msg->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        spdlog::warn("consumer: {}", rd_kafka_message_errstr(msg.get()));
        continue;
      }
      int64_t next = msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF ? msg->offset : msg->offset + 1;
      if (next >= end->second) {
        done_.insert(p);
        --remaining;
      }
    }
    if (o_.on_progress) o_.on_progress(total, total);
    return Flush(o_.mode == WriteMode::kOverwrite);
  }

  Status RunFollow() {
    std::map<int32_t, int64_t> starts;
    for (int32_t p : partitions_) {
      auto it = committed_.find(p);
      starts[p] = it != committed_.end() ? it->second : Resolve(from_, watermarks_[p]);
    }
    EL_RETURN_IF_ERROR(consumer_->Assign(o_.topic, starts));
    std::optional<Clock::time_point> first_pending;
    while (!stop_.stop_requested()) {
      rdk::Message msg = consumer_->Poll(kPollTimeout);
      if (msg != nullptr && msg->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        EL_RETURN_IF_ERROR(Add(*msg));
        if (!first_pending) first_pending = Clock::now();
      } else if (msg != nullptr && msg->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        spdlog::warn("consumer: {}", rd_kafka_message_errstr(msg.get()));
      }
      msg.reset();
      bool full = stager_ && (batch_count_ >= kMaxBatchRecords || stager_->bytes() >= kMaxBatchBytes);
      if (first_pending && (full || Clock::now() - *first_pending >= o_.flush_interval)) {
        EL_RETURN_IF_ERROR(Flush(false));
        first_pending.reset();
      }
    }
    return stager_ ? Flush(false) : Status::Ok();
  }

  Status Add(const rd_kafka_message_t& m) {
    if (!stager_) {
      staging_id_ = fmt::format("{}-{}-{}", o_.topic, ::getpid(), ++batch_seq_);
      ndjson_ = lake_ / "_staging" / o_.topic / (staging_id_ + ".ndjson");
      EL_ASSIGN_OR_RETURN(auto stager, RecordStager::Open(o_.topic, ndjson_));
      stager_.emplace(std::move(stager));
    }
    RecordMeta meta;
    meta.partition = m.partition;
    meta.offset = m.offset;
    rd_kafka_timestamp_type_t ts_type;
    meta.timestamp_ms = rd_kafka_message_timestamp(&m, &ts_type);
    meta.has_key = m.key != nullptr;
    if (meta.has_key) meta.key = std::string_view(static_cast<const char*>(m.key), m.key_len);
    std::string_view value(m.payload != nullptr ? static_cast<const char*>(m.payload) : "", m.len);
    EL_RETURN_IF_ERROR(stager_->Add(meta, value));
    PartitionRange& r = batch_[m.partition];
    if (r.count == 0) r.first = m.offset;
    r.partition = m.partition;
    r.last = m.offset;
    ++r.count;
    ++batch_count_;
    return Status::Ok();
  }

  Status Flush(bool replace) {
    if (!stager_) return Status::Ok();
    EL_RETURN_IF_ERROR(stager_->Close());
    BatchInput in;
    in.topic = o_.topic;
    in.lake_dir = lake_;
    in.staging_id = staging_id_;
    in.event_type_field = o_.event_type_field;
    in.ndjson = ndjson_;
    in.good_records = stager_->good();
    in.dead_letters = &stager_->dead_letters();
    for (const auto& [p, r] : batch_) in.ranges.push_back(r);
    EL_ASSIGN_OR_RETURN(std::vector<StagedTable> staged, StageBatch(*con_, in));
    EL_RETURN_IF_ERROR(Publish(staged, replace));
    summary_.events += stager_->good();
    summary_.dead_letters += static_cast<int64_t>(stager_->dead_letters().size());
    for (const auto& [p, r] : batch_) {
      LandedRange& landed = summary_.ranges[p];
      if (landed.first < 0) landed.first = r.first;
      landed.last = r.last;
    }
    std::error_code ec;
    fs::remove(ndjson_, ec);
    stager_.reset();
    batch_.clear();
    batch_count_ = 0;
    return Status::Ok();
  }

  Status Publish(const std::vector<StagedTable>& staged, bool replace) {
    if (o_.mode == WriteMode::kError && !o_.follow) {
      for (const StagedTable& t : staged) {
        if (t.name != o_.topic && !ListDataFiles(lake_ / t.name).empty()) {
          for (const StagedTable& s : staged) fs::remove_all(s.staging_dir);
          return AlreadyExists("table " + t.name + " already exists in " + o_.lake_dir);
        }
      }
    }
    for (const StagedTable& t : staged) {
      EL_ASSIGN_OR_RETURN(int64_t files, PublishStaged(t.staging_dir, replace));
      summary_.files += files;
      if (std::find(summary_.tables.begin(), summary_.tables.end(), t.name) == summary_.tables.end()) {
        summary_.tables.push_back(t.name);
      }
    }
    EL_RETURN_IF_ERROR(SyncDir(lake_));
    return Status::Ok();
  }

  const LandOptions& o_;
  std::stop_token stop_;
  fs::path lake_;
  OffsetSpec from_;
  OffsetSpec to_;
  std::optional<duck::Database> db_;
  std::optional<duck::Connection> con_;  // declared after db_: destroyed before it
  std::optional<rdk::Consumer> consumer_;
  std::vector<int32_t> partitions_;
  std::map<int32_t, rdk::Watermarks> watermarks_;
  std::map<int32_t, int64_t> committed_;  // partition -> next offset according to the lake
  std::map<int32_t, int64_t> end_;        // batch mode: partition -> end offset (exclusive)
  std::set<int32_t> done_;
  std::optional<RecordStager> stager_;
  std::string staging_id_;
  fs::path ndjson_;
  std::map<int32_t, PartitionRange> batch_;
  int64_t batch_count_ = 0;
  int64_t batch_seq_ = 0;
  LandSummary summary_;
};

}  // namespace

Result<LandSummary> Land(const LandOptions& options, std::stop_token stop) {
  try {
    LandRun run(options, std::move(stop));
    return run.Run();
  } catch (const std::exception& e) {
    return Internal(std::string("landing failed: ") + e.what());
  }
}

Result<WriteMode> ParseWriteMode(const std::string& text) {
  if (text == "overwrite") return WriteMode::kOverwrite;
  if (text == "append") return WriteMode::kAppend;
  if (text == "error") return WriteMode::kError;
  return InvalidArgument("bad mode '" + text + "': expected overwrite, append or error");
}

std::string FormatSummary(const std::string& topic, const LandSummary& s) {
  if (s.events == 0 && s.dead_letters == 0) {
    return "nothing to land: topic " + topic + " has no events in the range";
  }
  std::string ranges;
  for (const auto& [p, r] : s.ranges) {
    if (!ranges.empty()) ranges += ", ";
    if (s.ranges.size() > 1) ranges += fmt::format("{}:", p);
    ranges += fmt::format("{}..{}", r.first, r.last);
  }
  return fmt::format("landed {} events from {}[{}] into {} tables ({}): {} files, {} dead letters, {:.1f} s",
                     s.events, topic, ranges, s.tables.size(), fmt::join(s.tables, ", "), s.files,
                     s.dead_letters, s.seconds);
}

}  // namespace el::jobs
