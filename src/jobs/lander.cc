#include "jobs/lander.h"

#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <condition_variable>
#include <cstdlib>
#include <future>
#include <memory>
#include <filesystem>
#include <mutex>
#include <optional>
#include <ranges>
#include <set>

#include <fmt/format.h>

#include "base/log.h"
#include "clients/duck/duck.h"
#include "clients/fetch/fetch_client.h"
#include "clients/rdk/consumer.h"
#include "jobs/batch_parts.h"
#include "jobs/batch_writer.h"
#include "jobs/dedup_fill.h"
#include "jobs/dedup_window.h"
#include "jobs/lake_target.h"
#include "jobs/land_plan.h"
#include "jobs/record_stager.h"
#include "lake/listing.h"
#include "lake/locks.h"
#include "lake/progress.h"
#include "lake/publish.h"
#include "lake/recovery.h"

namespace el::jobs {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using lake::FileLock;
using lake::NextOffsets;

constexpr auto kMetadataTimeout = std::chrono::milliseconds(8000);
constexpr auto kPollTimeout = std::chrono::milliseconds(100);
constexpr auto kBatchPollTimeout = std::chrono::milliseconds(10);
constexpr size_t kBatchPollMessages = 1000;
// Follow: the longest a batch waits for more records while the lander is behind the log.
constexpr auto kCatchUpMaxWait = std::chrono::seconds(5);
constexpr auto kStallTimeout = std::chrono::seconds(60);
constexpr auto kMaxRetryDelay = std::chrono::milliseconds(30'000);
// A batch's records beyond this many bytes wait in a spill file in its staging folder.
constexpr size_t kRecordMemoryBudget = 128 << 20;

int64_t Resolve(const RangeSpec& spec, int32_t partition, const rdk::Watermarks& w,
                const std::map<int32_t, int64_t>& by_time) {
  switch (spec.kind) {
    case RangeSpec::Kind::kEarliest: return w.low;
    case RangeSpec::Kind::kLatest: return w.high;
    case RangeSpec::Kind::kOffset: return std::clamp(spec.value, w.low, w.high);
    case RangeSpec::Kind::kPerPartition: {
      auto it = spec.partitions.find(partition);
      return it == spec.partitions.end() ? w.low : std::clamp(it->second, w.low, w.high);
    }
    case RangeSpec::Kind::kTimestamp: {
      auto it = by_time.find(partition);
      return it == by_time.end() || it->second < 0 ? w.high : std::clamp(it->second, w.low, w.high);
    }
  }
  return w.low;
}

// One record read from the log, as views valid only while it is handled (both readers give these).
using SourceRecord = fetch::Record;

SourceRecord RecordOf(const rd_kafka_message_t& m) {
  SourceRecord r;
  r.partition = m.partition;
  r.offset = m.offset;
  rd_kafka_timestamp_type_t type;
  r.timestamp_ms = rd_kafka_message_timestamp(&m, &type);
  r.log_append_time = type == RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME;
  if (m.key != nullptr) r.key.emplace(static_cast<const char*>(m.key), m.key_len);
  if (m.payload != nullptr) r.value.emplace(static_cast<const char*>(m.payload), m.len);
  return r;
}

// What in `props` ([kafka_client]) only librdkafka can do (empty: the fetch client can read).
std::string LibrdkafkaOnly(const std::map<std::string, std::string>& props) {
  for (const auto& [k, v] : props) {
    std::string lower = v;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    if (k == "security.protocol" && lower != "plaintext") return k + "=" + v;
    if (k.starts_with("sasl.") || k.starts_with("ssl.")) return k;
  }
  return "";
}

// A batch of records read from the log and not landed yet.
struct Batch {
  std::unique_ptr<RecordStager> stager;  // null while it holds no record
  fs::path staging_dir;                  // its staging folder (empty when none)
  std::map<int32_t, PartitionRange> ranges;
  int64_t count = 0;
  int64_t bytes = 0;  // of the records' values
  lake::NextOffsets unlanded_from;  // follow: partition -> first offset read into (or skipped by) it
  size_t dedup_ids = 0;  // its ids are the first this many pending in the dedup window
  int64_t newest_ms = -1;  // the newest Kafka timestamp of its records
  Clock::time_point landing_since{};  // when its landing (staging) began
  // A batch run in parts: the counts of the parts staged into it (its stager is null).
  int64_t parts_good = 0;
  int64_t parts_duplicates = 0;
  int64_t parts_dead_letters = 0;

  int64_t good() const { return parts_good + (stager ? stager->good() : 0); }
  int64_t duplicates() const { return parts_duplicates + (stager ? stager->duplicates() : 0); }
  int64_t dead_letters() const {
    return parts_dead_letters + (stager ? static_cast<int64_t>(stager->dead_letters().size()) : 0);
  }
};

// Follow: a batch whose files DuckDB writes on a worker thread while the next one is read.
struct Staging {
  Batch batch;
  BatchInput in;  // what the worker reads (points into batch)
  std::future<Result<std::vector<StagedTable>>> staged;
};

class LandRun : public rdk::RebalanceListener {
 public:
  LandRun(const LandOptions& options, std::stop_token stop)
      : o_(options), stop_(std::move(stop)), target_(options) {}
  // A run that ends, however it ends, leaves no staging behind: its pending batch goes here, its
  // spill folder and owner file with target_.
  ~LandRun() override {
    if (staging_ && staging_->staged.valid()) staging_->staged.wait();  // DuckDB is still staging it
    if (staging_) ClearBatch(staging_->batch);
    if (!batch_.staging_dir.empty()) Discard(lake::Remove(batch_.staging_dir));
  }

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
    if (o_.max_rows <= 0 || o_.max_bytes <= 0) return InvalidArgument("max rows and bytes must be positive");
    if (o_.part_bytes <= 0) return InvalidArgument("the part size must be positive");
    EL_ASSIGN_OR_RETURN(db_, duck::Database::OpenInMemory());
    EL_ASSIGN_OR_RETURN(con_, duck::Connection::Open(*db_));
    if (!o_.follow) {
      EL_ASSIGN_OR_RETURN(auto stream, OpenStreamConnection(*db_));
      stream_cons_.push_back(std::move(stream));
    }
    if (!con_->Exec("SET memory_limit = " + duck::QuoteLiteral(o_.memory_limit)).ok()) {
      return InvalidArgument("bad memory limit '" + o_.memory_limit + "'");
    }
    if (o_.from_spec) {
      from_ = *o_.from_spec;
    } else {
      EL_ASSIGN_OR_RETURN(from_, ParseRangeText(o_.from, true));
    }
    EL_ASSIGN_OR_RETURN(to_, ParseRangeText(o_.to, false));
    if (o_.max_record_bytes <= 0) return InvalidArgument("the record size limit must be positive");
    EL_RETURN_IF_ERROR(CheckTimeZone());
    if (target_.job() && o_.job_name.empty()) return InvalidArgument("a job needs a name");
    EL_RETURN_IF_ERROR(OpenConsumer());
    EL_ASSIGN_OR_RETURN(partitions_, consumer_->Partitions(o_.topic, kMetadataTimeout));
    for (int32_t p : partitions_) {
      EL_ASSIGN_OR_RETURN(watermarks_[p], consumer_->QueryWatermarks(o_.topic, p, kMetadataTimeout));
    }
    if (from_.kind == RangeSpec::Kind::kTimestamp) {
      EL_ASSIGN_OR_RETURN(by_time_, consumer_->OffsetsForTime(o_.topic, partitions_, from_.value, kMetadataTimeout));
    }
    EL_RETURN_IF_ERROR(OpenFetchClient());
    EL_RETURN_IF_ERROR(target_.Open());
    EL_RETURN_IF_ERROR(con_->Exec("SET temp_directory = " + duck::QuoteLiteral(target_.SpillDir().string())));
    if (!target_.job() && !o_.dedup_field.empty()) {
      dedup_.emplace(o_.dedup_window, o_.dedup_max_ids);
    }
    if (!member_) {
      // On S3 a follow run claims every partition of the topic, those without a record too.
      std::set<int32_t> all(partitions_.begin(), partitions_.end());
      bool claim_all = o_.follow && target_.store() != nullptr;
      EL_ASSIGN_OR_RETURN(committed_, target_.Recover(claim_all ? &all : nullptr));
      expected_ = committed_;
    }
    // After recovery: the files of a batch that was never committed are gone, and so are their ids
    // (they land again). An overwrite replaces the tables: what they held is no reason to drop a
    // record.
    if (!member_ && (o_.follow || o_.mode == WriteMode::kAppend)) {
      EL_RETURN_IF_ERROR(LoadDedupWindow({partitions_.begin(), partitions_.end()}));
    }
    return Status::Ok();
  }

  // A follow run with a named group joins it; any other run only commits landed offsets to its
  // group (named, or one per topic or job and lake), for lag tools.
  Status OpenConsumer() {
    member_ = o_.follow && !o_.group.empty();
    summary_.group = o_.group.empty() ? DefaultGroupName(target_.staging_key(), o_.lake_dir) : o_.group;
    if (member_) {
      std::map<std::string, std::string> props = {{"session.timeout.ms", "10000"}};
      for (const auto& [k, v] : o_.consumer_properties) props[k] = v;
      EL_ASSIGN_OR_RETURN(consumer_, rdk::Consumer::CreateMember(o_.brokers, o_.group, this, props));
      return Status::Ok();
    }
    std::map<std::string, std::string> props = o_.consumer_properties;
    props["group.id"] = summary_.group;
    EL_ASSIGN_OR_RETURN(consumer_, rdk::Consumer::Create(o_.brokers, props));
    spdlog::info("landed offsets of {} are committed to consumer group {}", o_.topic, summary_.group);
    return Status::Ok();
  }

  // A run outside a consumer group reads with the fetch client (clients/fetch), which costs a
  // fraction of librdkafka's reading; librdkafka still answers metadata, watermarks and offsets by
  // time, and commits. Properties the fetch client cannot honour (TLS, SASL) keep librdkafka.
  Status OpenFetchClient() {
    if (member_) return Status::Ok();
    if (std::string why = LibrdkafkaOnly(o_.consumer_properties); !why.empty()) {
      spdlog::info("lander {}: reading through librdkafka ([kafka_client] sets {}, which the fetch client does not speak)",
                   o_.topic, why);
      return Status::Ok();
    }
    fetch::ClientOptions options;
    auto id = o_.consumer_properties.find("client.id");
    options.client_id = id != o_.consumer_properties.end() ? id->second : "eventlake-lander";
    EL_ASSIGN_OR_RETURN(fetch_, fetch::Client::Create(o_.brokers, o_.topic, options));
    return Status::Ok();
  }

  // Cleanup whose failure changes nothing for the lake (recovery removes what is left) is logged.
  static void Discard(const Status& st) {
    if (!st.ok()) spdlog::warn("cleanup: {}", st.message());
  }

  // Fills the dedup window with the ids the lake's topic table holds for `partitions` within the
  // window before its newest event (a restarted lander, or partitions handed over by the group).
  // A lake it cannot read the ids from (say, a truncated file in the table) costs the window, not
  // the landing: the error is logged and the window starts empty.
  Status LoadDedupWindow(const std::set<int32_t>& partitions) {
    if (!dedup_) return Status::Ok();
    dedup_->Clear();
    DedupFill fill{o_.topic, o_.dedup_field, o_.dedup_window, o_.dedup_max_ids,
                   target_.NextBatchDir()};
    Status st = FillDedupWindow(*con_, target_, fill, partitions, *dedup_);
    Discard(lake::Remove(fill.scratch));  // an S3 lake's fetched files
    if (!st.ok() && st.code() != StatusCode::kIOError) {
      spdlog::error("lander {}: cannot read the landed event ids back from the lake ({}); duplicates of events "
                    "landed before this start are not recognized", o_.topic, st.message().substr(0, st.message().find('\n')));
      return Status::Ok();
    }
    return st;
  }

  // Group member: recovers the partitions the group hands this lander and starts them where the
  // lake ends (or at `from` when the lake holds none of them).
  Result<std::map<int32_t, int64_t>> OnAssigned(const std::string&, const std::vector<int32_t>& partitions) override {
    if (staging_) EL_RETURN_IF_ERROR(FinishStaging());  // (a revocation comes first and lands it)
    std::set<int32_t> mine(partitions.begin(), partitions.end());
    EL_ASSIGN_OR_RETURN(auto committed, target_.Recover(&mine));
    EL_RETURN_IF_ERROR(LoadDedupWindow(mine));
    std::map<int32_t, int64_t> starts;
    expected_.clear();
    for (int32_t p : partitions) {
      auto it = committed.find(p);
      if (it != committed.end()) {
        starts[p] = it->second;
        expected_[p] = it->second;
        reached_time_.insert(p);
        continue;
      }
      EL_ASSIGN_OR_RETURN(rdk::Watermarks w, consumer_->QueryWatermarks(o_.topic, p, kMetadataTimeout));
      starts[p] = Resolve(from_, p, w, by_time_);
    }
    owned_ = std::move(mine);
    spdlog::info("group {}: landing {} partition(s) of {}: {}", o_.group, owned_.size(), o_.topic,
                 fmt::join(owned_, ","));
    return starts;
  }

  // Group member: lands what was read from the partitions before they go to another lander.
  Status OnRevoked(const std::string&, const std::vector<int32_t>&) override {
    revoking_ = true;
    Status st = Flush(false);
    revoking_ = false;
    owned_.clear();
    expected_.clear();
    return st;
  }

  Status CheckTimeZone() {
    auto res = con_->Query("SELECT timezone(" + duck::QuoteLiteral(o_.event_time.time_zone) + ", now())");
    if (!res.ok()) return InvalidArgument("unknown time zone '" + o_.event_time.time_zone + "'");
    return Status::Ok();
  }

  // Batch mode: partition -> start offset of every partition with offsets in the range; sets end_.
  std::map<int32_t, int64_t> BatchStarts() {
    std::map<int32_t, int64_t> starts;
    for (int32_t p : partitions_) {
      const rdk::Watermarks& w = watermarks_[p];
      int64_t start = Resolve(from_, p, w, by_time_);
      int64_t end = to_.kind == RangeSpec::Kind::kLatest ? w.high : std::clamp(to_.value, w.low, w.high);
      if (start < end) {
        starts[p] = start;
        end_[p] = end;
      }
    }
    return starts;
  }

  // Whether this is a batch run that adds to what a table holds (for a job: any of its outputs).
  bool AppendsToLake() const {
    if (o_.follow) return false;
    if (!target_.job()) return o_.mode == WriteMode::kAppend;
    return std::any_of(o_.outputs.begin(), o_.outputs.end(), [&](const OutputSpec& out) {
      return out.mode.value_or(o_.mode) == WriteMode::kAppend;
    });
  }

  // Whether the run's start in partition `p` was asked for (an offset or a time) rather than
  // earliest, which an append takes as "where the lake ends".
  bool ExplicitStart(int32_t p) const {
    if (from_.kind == RangeSpec::Kind::kEarliest) return false;
    if (from_.kind == RangeSpec::Kind::kPerPartition) return from_.partitions.count(p) != 0;
    return true;
  }

  // Append: moves each start to where the lake ends (from earliest) and drops partitions with
  // nothing new; refuses an explicit range that overlaps offsets the lake holds. The lake's
  // record is the commit table (its file names and progress records) or the job's progress.
  Status PlanAppend(std::map<int32_t, int64_t>& starts) {
    EL_ASSIGN_OR_RETURN(auto held, HeldRanges(target_.job() ? target_.CommitDir() : target_.lake() / o_.topic, o_.topic, committed_));
    std::map<int32_t, OffsetRange> overlaps;
    int64_t lake_end = 0;
    for (auto it = starts.begin(); it != starts.end();) {
      auto h = held.find(it->first);
      if (h == held.end()) {
        ++it;
        continue;
      }
      int32_t p = it->first;
      AppendDecision d = DecideAppend(h->second, it->second, end_[p], ExplicitStart(p));
      if (d.overlap) {
        overlaps[p] = *d.overlap;
        lake_end = std::max(lake_end, h->second.back().last + 1);
      }
      if (d.resumed) summary_.resumed_at[p] = d.start;
      if (d.start < end_[p]) {
        (it++)->second = d.start;
      } else {
        end_.erase(p);
        it = starts.erase(it);
      }
    }
    if (overlaps.empty()) return Status::Ok();
    std::string holder = target_.job() ? "job " + o_.job_name : "table " + o_.topic;
    return AlreadyExists(OverlapMessage(holder, o_.topic, overlaps, lake_end));
  }

  // The part size of a batch run (tests may set it: see jobs/CMakeLists.txt).
  int64_t PartBytes() const {
#ifdef EL_TEST_HOOKS
    if (const char* v = std::getenv("EVENTLAKE_TEST_PART_BYTES"); v != nullptr && std::atoll(v) > 0)
      return std::atoll(v);
#endif
    return o_.part_bytes;
  }

  Status RunBatch() {
    std::map<int32_t, int64_t> starts = BatchStarts();
    if (AppendsToLake()) EL_RETURN_IF_ERROR(PlanAppend(starts));
    if (starts.empty()) return Status::Ok();
    EL_RETURN_IF_ERROR(target_.CheckNotExists());
    EL_RETURN_IF_ERROR(AssignLog(starts));
    // The default layout's files are written part by part while the rest is read (a job's SQL
    // sees the whole range at once).
    if (!target_.job()) {
      parts_.emplace(target_.NextBatchDir(), o_.topic);
      parts_batch_.staging_dir = parts_->root();
    }
    size_t remaining = starts.size();
    const int64_t part_bytes = PartBytes();
    int64_t total = 0;
    int64_t read = 0;
    for (const auto& [p, start] : starts) total += end_[p] - start;
    auto last_progress = Clock::now();
    bool progressed = false;
    auto add = [&](const SourceRecord& r) {
      auto end = end_.find(r.partition);
      if (end == end_.end() || done_.count(r.partition) != 0 || r.offset >= end->second) return Status::Ok();
      EL_RETURN_IF_ERROR(Add(r));
      progressed = true;
      if (parts_ && batch_.bytes >= part_bytes) EL_RETURN_IF_ERROR(HandOff());
      if (o_.on_progress) o_.on_progress(std::min(++read, total), total);
      return Status::Ok();
    };
    while (remaining > 0) {
      if (stop_.stop_requested()) return Cancelled("landing stopped before the range was read");
      // Many records per visit; the wait only matters at the end of the range.
      EL_ASSIGN_OR_RETURN(bool got, PollLog(kBatchPollTimeout));
      if (!got) {  // the clock is read only here: reading it per record costs
        if (progressed) {
          last_progress = Clock::now();
          progressed = false;
        } else if (Clock::now() - last_progress > kStallTimeout) {
          return Unavailable("no data from the brokers for 60 s");
        }
      }
      EL_RETURN_IF_ERROR(EachRecord(add));
      // A part DuckDB finished writing is taken at once (an S3 lake starts uploading its files).
      if (staging_ && staging_->staged.wait_for(std::chrono::seconds(0)) == std::future_status::ready)
        EL_RETURN_IF_ERROR(FinishStaging());
      for (const auto& [p, end] : end_) {
        if (done_.count(p) != 0 || ReadTo(p) < end) continue;
        done_.insert(p);
        if (fetch_) fetch_->Pause(p);
        --remaining;
      }
    }
    if (o_.on_progress) o_.on_progress(total, total);
    return Flush(true);
  }

  Status RunFollow() {
    if (member_) {
      EL_RETURN_IF_ERROR(consumer_->Subscribe(o_.topic));
    } else {
      std::map<int32_t, int64_t> starts;
      for (int32_t p : partitions_) {
        auto it = committed_.find(p);
        starts[p] = it != committed_.end() ? it->second : Resolve(from_, p, watermarks_[p], by_time_);
        if (it != committed_.end()) reached_time_.insert(p);
      }
      EL_RETURN_IF_ERROR(AssignLog(starts));
      owned_ = {partitions_.begin(), partitions_.end()};
    }
    // When the oldest record of the pending batch arrived; kNone while nothing is pending.
    constexpr Clock::time_point kNone = Clock::time_point::max();
    Clock::time_point first_pending = kNone;
    auto take = [&](const SourceRecord& r) {
      if (owned_.count(r.partition) == 0) return Status::Ok();
      if (rewound_.count(r.partition) != 0) return Status::Ok();  // read again after the seek
      batch_.unlanded_from.try_emplace(r.partition, r.offset);
      if (Status st = Add(r); !st.ok()) {
        EL_RETURN_IF_ERROR(RetryLater(st));
        first_pending = kNone;
        return Status::Ok();
      }
      if (first_pending == kNone) first_pending = Clock::now();
      if (batch_.stager && (batch_.count >= o_.max_rows || batch_.stager->bytes() >= o_.max_bytes)) {
        EL_RETURN_IF_ERROR(FlushFollow());  // full: rotate mid-poll, so files keep their size
        first_pending = kNone;
      }
      return Status::Ok();
    };
    while (!stop_.stop_requested()) {
      // Without a group nothing is ever revoked, so a catch-up takes many records per visit; a
      // group member takes one per poll, so that a rebalance is served between any two.
      EL_RETURN_IF_ERROR(PollLog(member_ ? kPollTimeout : kBatchPollTimeout).status());
      EL_RETURN_IF_ERROR(consumer_->TakeRebalanceError());
      if (!batch_.stager) first_pending = kNone;  // a revocation landed the pending batch
      rewound_.clear();
      EL_RETURN_IF_ERROR(EachRecord(take));
      // The batch DuckDB staged meanwhile is published as soon as it is ready.
      if (staging_ && staging_->staged.valid() &&
          staging_->staged.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
        Status st = FinishStaging();
        if (st.ok()) {
          retry_delay_ = o_.first_retry_delay;
        } else {
          EL_RETURN_IF_ERROR(RetryLater(st));
          first_pending = kNone;
        }
      }
      // Batches are sized by lag: while the log holds more than the batch, it grows to a full
      // batch (as in a batch run: fewer, larger files, the quickest catch-up), up to
      // kCatchUpMaxWait; once caught up, it lands flush_interval after its first record.
      if (first_pending != kNone) {
        auto age = Clock::now() - first_pending;
        if (age >= kCatchUpMaxWait || (age >= o_.flush_interval && !Behind())) {
          EL_RETURN_IF_ERROR(FlushFollow());
          first_pending = kNone;
        }
      }
    }
    return Flush(false);
  }

  // The log, through the fetch client or librdkafka: start reading `starts` (partition -> first
  // offset).
  Status AssignLog(const std::map<int32_t, int64_t>& starts) {
    if (!fetch_) return consumer_->Assign(o_.topic, starts);
    fetch_->Assign(starts);
    return Status::Ok();
  }

  // Moves the read positions of `next`'s partitions; what was read for the old ones is dropped.
  Status SeekLog(const NextOffsets& next) {
    if (!fetch_) return consumer_->Seek(o_.topic, next);
    fetch_->Seek(next);
    return Status::Ok();
  }

  // The partition's high watermark as of the last fetch; nullopt before any.
  std::optional<int64_t> CachedHighWatermark(int32_t p) const {
    return fetch_ ? fetch_->HighWatermark(p) : consumer_->CachedHighWatermark(o_.topic, p);
  }

  // Batch mode: the offset up to which partition `p` has been read (its next offset).
  int64_t ReadTo(int32_t p) const {
    if (fetch_) return fetch_->Position(p).value_or(-1);
    auto it = read_to_.find(p);
    return it != read_to_.end() ? it->second : -1;
  }

  // Waits up to `timeout` for records; whether any record or event came. EachRecord then hands
  // them out (a group member's rebalance is served inside the poll, before them).
  Result<bool> PollLog(std::chrono::milliseconds timeout) {
    if (fetch_) {
      EL_ASSIGN_OR_RETURN(fetched_, fetch_->Poll(timeout));
      return fetched_ != nullptr && !fetched_->empty();
    }
    if (!member_) {
      consumer_->PollBatch(timeout, kBatchPollMessages, polled_);
    } else {
      polled_.clear();
      if (rdk::Message msg = consumer_->Poll(timeout); msg != nullptr) polled_.push_back(std::move(msg));
    }
    return !polled_.empty();
  }

  // Calls `fn` with each record PollLog got. Partition errors of the fetch client end the run
  // (OnFetchError); librdkafka's events are logged, as librdkafka retries them itself.
  template <typename Fn>
  Status EachRecord(Fn&& fn) {
    if (fetch_) {
      fetch::Fetched* f = std::exchange(fetched_, nullptr);
      if (f == nullptr) return Status::Ok();
      for (const fetch::PartitionError& e : f->errors()) EL_RETURN_IF_ERROR(OnFetchError(e));
      SourceRecord r;
      while (true) {
        EL_ASSIGN_OR_RETURN(bool more, f->Next(r));
        if (!more) return Status::Ok();
        EL_RETURN_IF_ERROR(fn(r));
      }
    }
    for (const rdk::Message& msg : polled_) {
      if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        read_to_[msg->partition] = msg->offset + 1;
        EL_RETURN_IF_ERROR(fn(RecordOf(*msg)));
      } else if (msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        read_to_[msg->partition] = msg->offset;
      } else {
        spdlog::warn("consumer: {}", rd_kafka_message_errstr(msg.get()));
      }
    }
    polled_.clear();
    return Status::Ok();
  }

  // A partition the fetch client could not read. OFFSET_OUT_OF_RANGE (retention removed the
  // next records) reads on from the log's start, as librdkafka does for this lander
  // (auto.offset.reset=earliest); any other error ends the run, naming the partition.
  Status OnFetchError(const fetch::PartitionError& e) {
    if (e.status.code() != StatusCode::kOutOfRange) return e.status;
    EL_ASSIGN_OR_RETURN(rdk::Watermarks w, consumer_->QueryWatermarks(o_.topic, e.partition, kMetadataTimeout));
    spdlog::warn("consumer: {}; reading on from the log's start (offset {})", e.status.message(), w.low);
    fetch_->Seek({{e.partition, w.low}});
    return Status::Ok();
  }

  // Whether the log holds records of the batch's partitions past the batch (as of the consumer's
  // last fetch responses).
  bool Behind() const {
    for (const auto& [p, r] : batch_.ranges) {
      std::optional<int64_t> high = CachedHighWatermark(p);
      if (high && *high > r.last + 1) return true;
    }
    return false;
  }

  // Follow mode: lands the batch staged before (waiting for DuckDB), then hands the pending batch
  // to DuckDB on a worker thread, so that the next batch is read while it is staged. When the
  // lake cannot take a batch (a full or failing disk), the batches are dropped and read again
  // once the lake can (RetryLater).
  Status FlushFollow() {
    Status st = HandOff();
    if (st.ok()) {
      retry_delay_ = o_.first_retry_delay;
      return st;
    }
    return RetryLater(st);
  }

  static bool Retryable(const Status& st) {
    switch (st.code()) {
      case StatusCode::kIOError:
      case StatusCode::kUnavailable:
      case StatusCode::kResourceExhausted:
      case StatusCode::kDeadlineExceeded:
        return true;
      default:
        return false;
    }
  }

  // Follow mode, after `cause` made the pending batch fail: a lasting error (bad SQL, a job the
  // data cannot fit) is returned; a passing one (ENOSPC, EIO) drops the batch and its staging,
  // waits (1 s, doubling up to 30 s between attempts), then recovers what a half-done publish
  // left and seeks every partition it had read past the lake's end back to that end. Whatever the
  // failure left, the lake decides where reading resumes, so each event still lands once.
  Status RetryLater(Status cause) {
    if (!Retryable(cause)) return cause;
    if (o_.metrics != nullptr) o_.metrics->RecordError(cause.message());
    NextOffsets from;
    auto unlanded = [&](const Batch& b) {
      for (const auto& [p, first] : b.unlanded_from) from[p] = from.count(p) != 0 ? std::min(from[p], first) : first;
      for (const auto& [p, r] : b.ranges) from[p] = from.count(p) != 0 ? std::min(from[p], r.first) : r.first;
    };
    if (staging_) {
      if (staging_->staged.valid()) staging_->staged.wait();
      unlanded(staging_->batch);
      ClearBatch(staging_->batch);
      staging_.reset();
    }
    unlanded(batch_);
    ClearBatch(batch_);
    while (!stop_.stop_requested()) {
      spdlog::error("lander {}: {}; batch dropped, landing again in {:.1f} s", o_.topic, cause.message(),
                    std::chrono::duration<double>(retry_delay_).count());
      std::mutex mu;
      std::condition_variable_any cv;
      std::unique_lock lock(mu);
      cv.wait_for(lock, stop_, retry_delay_, [] { return false; });
      retry_delay_ = std::min(retry_delay_ * 2, kMaxRetryDelay);
      cause = Rewind(from);
      if (cause.ok()) return cause;
      if (!Retryable(cause)) return cause;
    }
    return Status::Ok();  // stopping: the lake holds what it holds
  }

  // Seeks the partitions of `from` (partition -> first offset read and not landed) to where the
  // lake ends, or to `from` when it holds none of them, after recovering what a half-done publish
  // of this lander left. Takes the publish lock.
  Status Rewind(const NextOffsets& from) {
    EL_ASSIGN_OR_RETURN(FileLock lock, target_.LockPublish());
    EL_RETURN_IF_ERROR(target_.RecoverLocked(&owned_).status());
    EL_ASSIGN_OR_RETURN(NextOffsets actual, target_.Committed());
    NextOffsets seek;
    for (const auto& [p, first] : from) {
      if (owned_.count(p) == 0) continue;
      auto a = actual.find(p);
      seek[p] = a != actual.end() ? a->second : first;
      if (a != actual.end()) {
        expected_[p] = a->second;
      } else {
        expected_.erase(p);
      }
      rewound_.insert(p);
    }
    spdlog::info("lander {}: reading partition(s) {} again from the lake's end", o_.topic,
                 fmt::join(seek | std::views::keys, ","));
    return seek.empty() ? Status::Ok() : SeekLog(seek);
  }

  Status Add(const SourceRecord& m) {
    if (from_.kind == RangeSpec::Kind::kTimestamp && reached_time_.count(m.partition) == 0) {
      // Brokers answer ListOffsets by time with the first offset at or after it, but not all
      // do it exactly: records before the start time are skipped here as well.
      if (m.timestamp_ms >= 0 && m.timestamp_ms < from_.value) return Status::Ok();
      reached_time_.insert(m.partition);
    }
    if (!batch_.stager) {
      batch_.staging_dir = parts_ ? parts_->NextDir() : target_.NextBatchDir();
      EL_RETURN_IF_ERROR(lake::MakeDirs(batch_.staging_dir));
      batch_.stager = std::make_unique<RecordStager>(o_.topic, batch_.staging_dir / "records.spill", kRecordMemoryBudget);
      batch_.stager->set_max_record_bytes(o_.max_record_bytes);
      if (dedup_) batch_.stager->set_dedup(o_.dedup_field, &*dedup_);
      if (!target_.job() && o_.partition_by.empty() && !o_.event_type_field.empty())
        batch_.stager->set_group_field(o_.event_type_field);
    }
    RecordMeta meta;
    meta.partition = m.partition;
    meta.offset = m.offset;
    meta.timestamp_ms = m.timestamp_ms;
    meta.has_key = m.key.has_value();
    if (meta.has_key) meta.key = *m.key;
    std::string_view value = m.value.value_or(std::string_view());
    EL_RETURN_IF_ERROR(batch_.stager->Add(meta, value));
    PartitionRange& r = batch_.ranges[m.partition];
    if (r.count == 0) r.first = m.offset;
    r.partition = m.partition;
    r.last = m.offset;
    ++r.count;
    ++batch_.count;
    batch_.bytes += static_cast<int64_t>(value.size());
    batch_.newest_ms = std::max(batch_.newest_ms, meta.timestamp_ms);
    return Status::Ok();
  }

  // What StageBatch needs of batch `b`.
  BatchInput Input(Batch& b) {
    BatchInput in;
    in.topic = o_.topic;
    in.lake_dir = target_.lake();
    in.staging_dir = b.staging_dir;
    in.event_type_field = o_.event_type_field;
    in.records = &b.stager->records();
    in.db = &*db_;
    in.copy_streams = o_.follow ? 1 : 2;
    for (duck::Connection& c : stream_cons_) in.stream_connections.push_back(&c);
    in.schema = &b.stager->schema();
    if (b.stager->grouped()) in.groups = &b.stager->groups();
    in.dead_letters = &b.stager->dead_letters();
    for (const auto& [p, r] : b.ranges) in.ranges.push_back(r);
    in.mode = o_.mode;
    in.event_time = o_.event_time;
    in.partition_by = o_.partition_by;
    if (target_.job()) {
      in.outputs = &o_.outputs;
      in.commit_dir = target_.CommitDir();
    }
    return in;
  }

  // Lands the batch staged on the worker thread (if any), then the pending batch, on this thread.
  Status Flush(bool replace) {
    if (staging_) EL_RETURN_IF_ERROR(FinishStaging());
    if (parts_ && parts_->size() > 0) return PublishParts(replace);
    if (!batch_.stager) return Status::Ok();
    EL_RETURN_IF_ERROR(batch_.stager->Finish());
    // What a batch run's read phase freed (librdkafka's fetch buffers) goes back to the system
    // before DuckDB's phase, which has its own memory limit: peak RSS is then DuckDB's, not the
    // sum. (Follow batches are small; their flushes skip the heap walk.)
    if (!o_.follow) malloc_trim(0);
    batch_.dedup_ids = dedup_ ? dedup_->pending() : 0;
    batch_.landing_since = Clock::now();
    EL_ASSIGN_OR_RETURN(std::vector<StagedTable> staged, StageBatch(*con_, Input(batch_)));
    return PublishBatch(batch_, staged, replace);
  }

  // Follow: lands the batch staged before, then starts staging the pending one on a worker
  // thread (DuckDB's connection is the worker's until FinishStaging).
  Status HandOff() {
    if (staging_) EL_RETURN_IF_ERROR(FinishStaging());
    if (!batch_.stager) return Status::Ok();
    EL_RETURN_IF_ERROR(batch_.stager->Finish());
    staging_ = std::make_unique<Staging>();
    staging_->batch = std::exchange(batch_, Batch{});
    staging_->batch.dedup_ids = dedup_ ? dedup_->pending() : 0;
    staging_->batch.landing_since = Clock::now();
    staging_->in = Input(staging_->batch);
    Staging* s = staging_.get();
    staging_->staged = std::async(std::launch::async, [this, s, component = LogComponent()] {
      SetLogComponent(component);
      return StageBatch(*con_, s->in);
    });
    return Status::Ok();
  }

  // A batch run's part: its counts and ranges join parts_batch_, its files parts_.
  void AddPart(Batch part, std::vector<StagedTable> staged) {
    Batch& run = parts_batch_;
    for (const auto& [p, r] : part.ranges) {
      auto [it, fresh] = run.ranges.try_emplace(p, r);
      if (fresh) continue;
      PartitionRange& m = it->second;
      m.first = std::min(m.first, r.first);
      m.last = std::max(m.last, r.last);
      m.count += r.count;
    }
    run.count += part.count;
    run.newest_ms = std::max(run.newest_ms, part.newest_ms);
    run.parts_good += part.good();
    run.parts_duplicates += part.duplicates();
    run.parts_dead_letters += part.dead_letters();
    parts_->Add(std::move(staged));
  }

  // A batch run in parts: stages the last part here, then publishes every part as one batch.
  Status PublishParts(bool replace) {
    if (batch_.stager) {
      EL_RETURN_IF_ERROR(batch_.stager->Finish());
      EL_ASSIGN_OR_RETURN(std::vector<StagedTable> staged, StageBatch(*con_, Input(batch_)));
      AddPart(std::exchange(batch_, Batch{}), std::move(staged));
    }
    if (target_.store() != nullptr) target_.store()->WaitPreuploads();  // (before the files move)
    EL_ASSIGN_OR_RETURN(std::vector<StagedTable> staged, parts_->Merge(*con_));
    parts_batch_.dedup_ids = dedup_ ? dedup_->pending() : 0;
    spdlog::debug("lander {}: publishing {} parts as one batch", o_.topic, parts_->size());
    return PublishBatch(parts_batch_, staged, replace);
  }

  // Waits for the worker's batch and publishes it (a batch run's part: keeps it for
  // PublishParts). On failure the batch stays in staging_ (its records dropped or not) for
  // RetryLater to read again.
  Status FinishStaging() {
    Result<std::vector<StagedTable>> staged = staging_->staged.get();
    if (!o_.follow) {
      EL_RETURN_IF_ERROR(staged.status());
      if (target_.store() != nullptr) target_.store()->Preupload(*staged);
      AddPart(std::move(staging_->batch), std::move(*staged));
      staging_.reset();
      return Status::Ok();
    }
    Status st = staged.ok() ? PublishBatch(staging_->batch, *staged, false) : staged.status();
    if (st.ok()) staging_.reset();
    return st;
  }

  // Publishes batch `b`'s staged tables, under the publish lock, when the lake still ends where
  // this lander expects (follow and append).
  Status PublishBatch(Batch& b, const std::vector<StagedTable>& staged, bool replace) {
    EL_ASSIGN_OR_RETURN(FileLock lock, target_.LockPublish());
    EL_RETURN_IF_ERROR(target_.RecoverIfLanderGone({partitions_.begin(), partitions_.end()}));
    if (o_.follow || AppendsToLake()) {
      EL_ASSIGN_OR_RETURN(bool still_next, StillNext(b));
      if (!still_next) return o_.follow ? DropBatch() : AbandonAppend();
    }
    NextOffsets next;
    for (const auto& [p, r] : b.ranges) next[p] = r.last + 1;
    auto publish = target_.Publish(*con_, staged, replace, next, b.staging_dir / "_rewrite");
    // S3, a group member: another lander claimed or landed a partition of the batch (this one
    // lost it, maybe without knowing yet): the batch is dropped, the partitions still owned go on.
    if (!publish.ok() && publish.status().code() == StatusCode::kFailedPrecondition && member_ &&
        target_.store() != nullptr) {
      spdlog::warn("lander {}: {}", o_.topic, publish.status().message());
      return DropBatch();
    }
    EL_ASSIGN_OR_RETURN(LakeTarget::Published published, std::move(publish));
    summary_.files += published.files;
    for (const std::string& t : published.tables) {
      if (std::find(summary_.tables.begin(), summary_.tables.end(), t) == summary_.tables.end()) {
        summary_.tables.push_back(t);
      }
    }
    // The lake now ends at `next` for every partition of the batch: StillNext() saw it end at
    // expected_ <= first, and this publish committed each range (file names, progress records or
    // the job's progress files) under the same lock.
    if (o_.follow) {
      for (const auto& [p, n] : next) expected_[p] = n;
    }
    if (Status st = consumer_->Commit(o_.topic, next); !st.ok()) spdlog::warn("{}", st.ToString());
    if (dedup_) dedup_->CommitPending(b.dedup_ids);
    summary_.events += b.good();
    summary_.duplicates += b.duplicates();
    summary_.dead_letters += b.dead_letters();
    for (const auto& [p, r] : b.ranges) {
      LandedRange& landed = summary_.ranges[p];
      if (landed.first < 0) landed.first = r.first;
      landed.last = r.last;
    }
    if (o_.follow) LogLanded(b, published.files, published.bytes);
    b.dedup_ids = 0;  // committed: not pending any more
    // Not ClearBatch: the ids still pending are the next batch's, read meanwhile; they stay.
    if (!b.staging_dir.empty()) Discard(lake::Remove(b.staging_dir));
    b = Batch{};
    return Status::Ok();
  }

  // Follow: a line per landed batch (events, files, how far behind the log the lake is).
  void LogLanded(const Batch& b, int64_t files, int64_t bytes) {
    int64_t behind = 0;  // records past the batch in the log, as of the last fetch
    LandedBatch landed{b.good(), b.duplicates(), b.dead_letters(),
                       files, bytes, std::chrono::duration<double>(Clock::now() - b.landing_since).count(),
                       b.newest_ms, {}};
    for (const auto& [p, r] : b.ranges) {
      std::optional<int64_t> high = CachedHighWatermark(p);
      int64_t past = high ? std::max<int64_t>(0, *high - r.last - 1) : 0;
      behind += past;
      landed.lag_records[p] = past;
    }
    if (o_.metrics != nullptr) o_.metrics->RecordLanded(landed);
    int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count();
    double age = b.newest_ms >= 0 ? std::max<int64_t>(0, now_ms - b.newest_ms) / 1000.0 : 0.0;
    LogFields(spdlog::level::info,
              fmt::format("landed {} events of {} in {} files", b.good(), o_.topic, files),
              {{"topic", o_.topic},
               {"events", b.good()},
               {"files", files},
               {"dead_letters", b.dead_letters()},
               {"duplicates", b.duplicates()},
               {"lag_records", behind},
               {"event_age_seconds", age},
               {"batch_seconds", std::chrono::duration<double>(Clock::now() - b.landing_since).count()}});
  }

  // Removes batch `b`'s staging of a batch that is dropped; every id still pending in the dedup
  // window is forgotten (callers drop the batch read after it too).
  void ClearBatch(Batch& b) {
    if (dedup_ && b.stager) dedup_->DropPending();
    if (!b.staging_dir.empty()) Discard(lake::Remove(b.staging_dir));
    b = Batch{};
  }

  // Whether the lake still ends, for every partition of the batch, where it ended when this
  // lander last looked (no other lander landed them meanwhile). Call under the publish lock.
  Result<bool> StillNext(const Batch& b) {
    EL_ASSIGN_OR_RETURN(NextOffsets actual, target_.Committed());
    for (const auto& [p, r] : b.ranges) {
      auto a = actual.find(p);
      auto e = expected_.find(p);
      bool same = (a == actual.end()) == (e == expected_.end()) && (a == actual.end() || a->second == e->second);
      if (!same) return false;
    }
    return true;
  }

  // Another lander landed some of this batch's partitions: the batch (and the one being read
  // after it) is dropped and every one of their partitions is read again from where the lake now
  // ends.
  Status DropBatch() {
    EL_ASSIGN_OR_RETURN(NextOffsets actual, target_.Committed());
    NextOffsets seek;
    for (Batch* b : {staging_ ? &staging_->batch : nullptr, &batch_}) {
      if (b == nullptr) continue;
      for (const auto& [p, r] : b->ranges) {
        auto a = actual.find(p);
        if (a != actual.end()) {
          expected_[p] = a->second;
        } else {
          expected_.erase(p);
        }
        seek[p] = a != actual.end() ? a->second : std::min(seek.count(p) != 0 ? seek[p] : r.first, r.first);
        rewound_.insert(p);
      }
    }
    spdlog::warn("another lander landed part of {} partition(s) {}: dropping this batch, reading on from the lake",
                 o_.topic, fmt::join(seek | std::views::keys, ","));
    if (staging_) ClearBatch(staging_->batch);  // (FinishStaging ends staging_ itself)
    ClearBatch(batch_);
    if (revoking_) return Status::Ok();  // the partitions go elsewhere; nothing to re-read here
    return SeekLog(seek);
  }

  // A batch append whose partitions another lander landed while this one read them: publishing
  // could land some offsets twice, so nothing is published.
  Status AbandonAppend() {
    ClearBatch(batch_);
    return Unavailable("another lander landed offsets of " + o_.topic +
                              " into the lake while this run read them; nothing was published: run again to "
                              "append what is still missing");
  }

  const LandOptions& o_;
  std::stop_token stop_;
  LakeTarget target_;  // declared before the DuckDB members: its destructor removes their spill folder
  RangeSpec from_;
  RangeSpec to_;
  std::map<int32_t, int64_t> by_time_;  // from = timestamp: partition -> first offset at/after it
  std::set<int32_t> reached_time_;      // from = timestamp: partitions past the start time
  std::optional<duck::Database> db_;
  std::optional<duck::Connection> con_;  // declared after db_: destroyed before it
  std::vector<duck::Connection> stream_cons_;  // BatchInput::stream_connections (batch runs)
  std::optional<rdk::Consumer> consumer_;
  std::vector<rdk::Message> polled_;  // librdkafka's last poll (declared after consumer_: destroyed first)
  std::map<int32_t, int64_t> read_to_;  // librdkafka, batch mode: partition -> next offset read
  std::unique_ptr<fetch::Client> fetch_;  // reads the log unless the run needs librdkafka
  fetch::Fetched* fetched_ = nullptr;     // fetch_'s last response, not handed out yet
  std::vector<int32_t> partitions_;
  std::map<int32_t, rdk::Watermarks> watermarks_;
  bool member_ = false;    // follow with a named group: joined to it
  NextOffsets committed_;  // according to the lake
  NextOffsets expected_;   // follow: the same, as of this lander's last look
  std::set<int32_t> owned_;               // partitions this lander lands now
  std::optional<DedupWindow> dedup_;      // ids landed lately (default layout, unless turned off)
  std::set<int32_t> rewound_;  // follow: partitions sought back during the current poll's messages
  std::chrono::milliseconds retry_delay_{o_.first_retry_delay};  // follow: wait before landing again
  bool revoking_ = false;
  std::map<int32_t, int64_t> end_;        // batch mode: partition -> end offset (exclusive)
  std::set<int32_t> done_;
  Batch batch_;  // the batch being read
  // A batch run of the default layout: its parts (declared before staging_, which may still
  // write into its folder while it is destroyed), and the batch they publish as.
  std::optional<BatchParts> parts_;
  Batch parts_batch_;
  std::unique_ptr<Staging> staging_;  // follow: the batch DuckDB stages meanwhile; a batch run: a part
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

Status CheckEngineOptions(const LandOptions& options) {
  EL_ASSIGN_OR_RETURN(auto db, duck::Database::OpenInMemory());
  EL_ASSIGN_OR_RETURN(auto con, duck::Connection::Open(db));  // destroyed before db
  if (!con.Exec("SET memory_limit = " + duck::QuoteLiteral(options.memory_limit)).ok()) {
    return InvalidArgument("bad memory limit '" + options.memory_limit + "'");
  }
  if (!con.Query("SELECT timezone(" + duck::QuoteLiteral(options.event_time.time_zone) + ", now())").ok()) {
    return InvalidArgument("unknown time zone '" + options.event_time.time_zone + "'");
  }
  return Status::Ok();
}

}  // namespace el::jobs
