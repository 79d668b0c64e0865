#include "storage/partition_log.h"

#include <algorithm>
#include <chrono>
#include <cctype>
#include <limits>

#include "base/check.h"
#include "base/log.h"
#include "io/dir.h"
#include "storage/record_scan.h"
#include "storage/segment.h"

namespace el::storage {

struct PendingBatch {
  size_t at;  // position inside the append buffer
  BatchHeader header;
};

namespace {

// Parses "<20 digits>.log" into its base offset.
std::optional<Offset> ParseSegmentName(const std::string& name) {
  if (name.size() != 24 || name.compare(20, 4, ".log") != 0) return std::nullopt;
  int64_t v = 0;
  for (size_t i = 0; i < 20; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(name[i]))) return std::nullopt;
    int d = name[i] - '0';
    if (v > (std::numeric_limits<int64_t>::max() - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return Offset(v);
}

// Splits an append buffer into batches, checking only the framing (callers validated CRCs).
Result<std::vector<PendingBatch>> SplitBatches(std::span<const uint8_t> bytes, int64_t* count) {
  std::vector<PendingBatch> out;
  *count = 0;
  for (size_t at = 0; at < bytes.size();) {
    auto h = ReadBatchHeader(bytes.subspan(at));
    if (!h.ok() || h->batch_length < kMinBatchLength || h->total_size() > bytes.size() - at ||
        h->magic != 2 || h->last_offset_delta < 0) {
      return InvalidArgument("append data is not a sequence of whole v2 record batches");
    }
    out.push_back({at, *h});
    *count += int64_t{h->last_offset_delta} + 1;
    at += h->total_size();
  }
  if (out.empty()) return InvalidArgument("append of zero batches");
  return out;
}

int64_t WallClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

const char* VerdictName(SequenceVerdict v) {
  switch (v) {
    case SequenceVerdict::kAppend: return "append";
    case SequenceVerdict::kDuplicate: return "duplicate";
    case SequenceVerdict::kOutOfOrder: return "out-of-order sequence";
    case SequenceVerdict::kStaleEpoch: return "stale producer epoch";
    case SequenceVerdict::kUnknownProducer: return "unknown producer id";
  }
  return "?";
}

}  // namespace

struct PartitionLog::Pending {
  uint64_t seq;
  std::shared_ptr<Segment> segment;
  std::vector<BatchPlacement> placements;
  uint64_t bytes;
  Offset next;
  bool ready = false;
};

PartitionLog::PartitionLog(std::string dir, LogOptions options)
    : dir_(std::move(dir)), options_(options) {}

PartitionLog::~PartitionLog() = default;

Result<std::unique_ptr<PartitionLog>> PartitionLog::Open(std::string dir, LogOptions options,
                                                         bool clean) {
  std::unique_ptr<PartitionLog> log(new PartitionLog(std::move(dir), options));
  EL_ASSIGN_OR_RETURN(auto entries, io::ListDir(log->dir_));
  std::vector<Offset> bases;
  for (const auto& e : entries) {
    if (auto base = ParseSegmentName(e.name); base && !e.is_dir) bases.push_back(*base);
  }
  for (const auto& e : entries) {  // an index without its log is garbage from an interrupted roll
    if (e.name.ends_with(".index") &&
        !io::Exists(log->dir_ + "/" + e.name.substr(0, e.name.size() - 6) + ".log")) {
      EL_RETURN_IF_ERROR(io::RemoveFile(log->dir_ + "/" + e.name));
    }
  }
  std::sort(bases.begin(), bases.end());
  for (Offset base : bases) {
    EL_ASSIGN_OR_RETURN(auto seg, Segment::Open(log->dir_, base, options, !clean));
    log->segments_.push_back(std::move(seg));
  }
  if (log->segments_.empty()) {
    EL_ASSIGN_OR_RETURN(auto seg, Segment::Create(log->dir_, Offset(0), options));
    log->segments_.push_back(std::move(seg));
    EL_RETURN_IF_ERROR(io::SyncDir(log->dir_));
  }
  log->next_offset_ = log->segments_.back()->next_offset();
  log->write_next_ = log->next_offset_;
  log->active_since_ms_ = WallClockMs();
  EL_RETURN_IF_ERROR(log->RebuildProducerState());
  return log;
}

Status PartitionLog::RollIfNeeded(uint64_t append_bytes, int64_t offset_count) {
  Segment& active = *segments_.back();
  uint64_t size = active.written_size();
  bool too_big = size > 0 && size + append_bytes > options_.segment_bytes;
  bool too_many = write_next_.value() - active.base_offset().value() + offset_count >
                  int64_t{std::numeric_limits<uint32_t>::max()};
  if (!too_big && !too_many) return Status::Ok();
  return Roll();
}

Status PartitionLog::Roll() {
  Segment& active = *segments_.back();
  // Seal the old segment durably before the new one exists: then one fdatasync of the active
  // segment covers every earlier write (SyncUpTo relies on this).
  EL_RETURN_IF_ERROR(active.SyncAll());
  EL_ASSIGN_OR_RETURN(auto seg, Segment::Create(dir_, write_next_, options_));
  EL_RETURN_IF_ERROR(io::SyncDir(dir_));
  std::unique_lock lock(state_mu_);
  segments_.push_back(std::move(seg));
  active_since_ms_ = WallClockMs();
  return Status::Ok();
}

Result<Offset> PartitionLog::Append(std::span<const uint8_t> batches, bool sync) {
  EL_ASSIGN_OR_RETURN(AppendResult r, AppendChecked(batches, sync));
  if (r.verdict != SequenceVerdict::kAppend && r.verdict != SequenceVerdict::kDuplicate) {
    return FailedPrecondition(std::string("partition ") + dir_ + ": " + VerdictName(r.verdict));
  }
  return r.base;
}

Result<SequenceCheck> PartitionLog::CheckSequences(std::span<const BatchHeader> headers) const {
  if (headers.size() == 1) return producers_.Check(headers[0]);
  ProducerStateTable staged = producers_;  // later batches see the earlier ones of this append
  for (const BatchHeader& h : headers) {
    SequenceCheck c = staged.Check(h);
    if (c.verdict == SequenceVerdict::kDuplicate) c.verdict = SequenceVerdict::kOutOfOrder;
    if (c.verdict != SequenceVerdict::kAppend) return c;
    staged.Record(h, Offset(0));
  }
  return SequenceCheck{};
}

Result<AppendResult> PartitionLog::AppendChecked(std::span<const uint8_t> batches, bool sync) {
  EL_ASSIGN_OR_RETURN(AppendTicket ticket, Write(batches, sync));
  EL_RETURN_IF_ERROR(Finish(ticket));
  return ticket.result;
}

Result<AppendTicket> PartitionLog::Write(std::span<const uint8_t> batches, bool sync) {
  int64_t count = 0;
  EL_ASSIGN_OR_RETURN(auto split, SplitBatches(batches, &count));
  std::vector<BatchHeader> headers;
  headers.reserve(split.size());
  for (const PendingBatch& p : split) headers.push_back(p.header);
  std::vector<uint8_t> buf(batches.begin(), batches.end());
  AppendTicket ticket;
  std::lock_guard append_lock(append_mu_);
  if (closed_) return FailedPrecondition("partition log " + dir_ + " is closed");
  if (failed_) return IOError("partition log " + dir_ + " failed an fdatasync earlier");
  EL_ASSIGN_OR_RETURN(SequenceCheck check, CheckSequences(headers));
  ticket.result.verdict = check.verdict;
  if (check.verdict == SequenceVerdict::kDuplicate) {
    spdlog::debug("partition {}: duplicate batch of producer {} (sequence {}) at offset {}", dir_,
                  headers[0].producer_id, headers[0].base_sequence, check.duplicate_base.value());
    ticket.result.base = check.duplicate_base;
    ticket.seq = written_seq_;  // the original is at or before this append
    ticket.sync = sync;
  } else if (check.verdict == SequenceVerdict::kAppend) {
    EL_ASSIGN_OR_RETURN(ticket.result.base, WriteLocked(split, count, buf, &ticket.seq, &sync));
    ticket.sync = sync;
    ticket.publish = true;
  }
  return ticket;
}

Status PartitionLog::Finish(const AppendTicket& ticket) {
  Status st = ticket.sync ? SyncUpTo(ticket.seq) : Status::Ok();
  // Publish even after a failed fdatasync: later appends wait for this one in the queue, and the
  // bytes are intact in the page cache. The caller still gets the error.
  if (ticket.publish) MarkReadyAndPublish(ticket.seq);
  return st;
}

Result<Offset> PartitionLog::WriteLocked(std::span<const PendingBatch> split, int64_t count,
                                         std::vector<uint8_t>& buf, uint64_t* seq, bool* sync) {
  Status st = RollIfNeeded(buf.size(), count);
  if (!st.ok()) {
    io_error_ = true;
    return st;
  }
  std::shared_ptr<Segment> seg = segments_.back();
  Offset base = write_next_;
  int64_t next = base.value();
  std::vector<BatchPlacement> placements;
  placements.reserve(split.size());
  for (const PendingBatch& p : split) {
    SetBaseOffset(std::span(buf).subspan(p.at), Offset(next));
    placements.push_back({seg->written_size() + p.at, Offset(next),
                          Offset(next + p.header.last_offset_delta),
                          TimestampMs(p.header.max_timestamp)});
    next += int64_t{p.header.last_offset_delta} + 1;
  }
  st = seg->Write(buf);
  if (!st.ok()) {
    io_error_ = true;
    return st;
  }
  for (size_t i = 0; i < split.size(); ++i) {
    producers_.Record(split[i].header, placements[i].base_offset);
  }
  *seq = ++written_seq_;
  written_bytes_ += buf.size();
  write_next_ = Offset(next);
  if (!*sync && options_.flush_bytes > 0 &&
      written_bytes_ - synced_bytes_.load() >= options_.flush_bytes) {
    *sync = true;  // flush policy by size: this append pays for the fdatasync
  }
  std::lock_guard publish_lock(publish_mu_);
  pending_.push_back({*seq, std::move(seg), std::move(placements), buf.size(), Offset(next)});
  return base;
}

Status PartitionLog::SyncUpTo(uint64_t seq) {
  std::lock_guard sync_lock(sync_mu_);
  if (synced_seq_ >= seq) return Status::Ok();  // someone else's fdatasync covered us
  uint64_t target = 0;
  uint64_t target_bytes = 0;
  std::shared_ptr<Segment> active;
  {
    std::lock_guard append_lock(append_mu_);
    target = written_seq_;
    target_bytes = written_bytes_;
    active = segments_.back();
  }
  auto started = std::chrono::steady_clock::now();
  Status st = active->SyncLog();
  if (options_.fsync_latency != nullptr) {
    options_.fsync_latency->Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  }
  if (!st.ok()) {
    failed_ = true;
    io_error_ = true;
    spdlog::error("partition {}: fdatasync failed, refusing further appends: {}", dir_,
                  st.ToString());
    return st;
  }
  synced_seq_ = target;
  synced_bytes_ = target_bytes;
  return Status::Ok();
}

void PartitionLog::MarkReadyAndPublish(uint64_t seq) {
  std::lock_guard publish_lock(publish_mu_);
  EL_CHECK(!pending_.empty() && seq >= pending_.front().seq);
  pending_[seq - pending_.front().seq].ready = true;
  while (!pending_.empty() && pending_.front().ready) {
    Pending& p = pending_.front();
    {
      std::unique_lock state_lock(state_mu_);
      p.segment->Publish(p.placements, p.bytes);
      next_offset_ = p.next;
    }
    pending_.pop_front();
  }
}

Status PartitionLog::Sync() {
  uint64_t seq = 0;
  {
    std::lock_guard append_lock(append_mu_);
    seq = written_seq_;
  }
  return SyncUpTo(seq);
}

Status PartitionLog::FlushIfDirty() {
  uint64_t seq = 0;
  {
    std::lock_guard append_lock(append_mu_);
    if (closed_ || failed_) return Status::Ok();
    seq = written_seq_;
  }
  {
    std::lock_guard sync_lock(sync_mu_);
    if (synced_seq_ >= seq) return Status::Ok();
  }
  return SyncUpTo(seq);
}

Status PartitionLog::RebuildProducerState() {
  // Only the tail: producers idle for longer than about two segments are forgotten (their next
  // batch then gets UNKNOWN_PRODUCER_ID, which idempotent clients answer with a new epoch).
  size_t first = segments_.size() >= 2 ? segments_.size() - 2 : 0;
  for (size_t i = first; i < segments_.size(); ++i) {
    const Segment& seg = *segments_[i];
    EL_RETURN_IF_ERROR(seg.ForEachHeader(seg.size(), [&](const BatchHeader& h) {
      producers_.Record(h, Offset(h.base_offset));
    }));
  }
  if (producers_.producer_count() > 0) {
    spdlog::info("partition {}: producer state rebuilt for {} producer(s)", dir_,
                 producers_.producer_count());
  }
  return Status::Ok();
}

Result<size_t> PartitionLog::EnforceRetention(TimestampMs now) {
  std::vector<std::shared_ptr<Segment>> doomed;
  {
    std::lock_guard append_lock(append_mu_);
    if (closed_ || failed_) return size_t{0};
    Segment& active = *segments_.back();
    bool active_nonempty = active.written_size() > 0;
    bool aged = options_.segment_ms > 0 && now.value() - active_since_ms_ >= options_.segment_ms;
    bool expired;
    {
      std::shared_lock lock(state_mu_);
      expired = options_.retention_ms >= 0 && active.size() == active.written_size() &&
                active.max_timestamp().value() < now.value() - options_.retention_ms;
    }
    if (active_nonempty && (aged || expired)) {
      Status st = Roll();
      if (!st.ok()) {
        io_error_ = true;
        return st;
      }
    }
    std::unique_lock lock(state_mu_);
    uint64_t total = 0;
    for (const auto& seg : segments_) total += seg->size();
    size_t n = 0;
    for (; n + 1 < segments_.size(); ++n) {
      const Segment& seg = *segments_[n];
      if (seg.next_offset() != segments_[n + 1]->base_offset()) break;  // not fully published
      // An empty segment's max timestamp is INT64_MIN: always old enough.
      bool too_old = options_.retention_ms >= 0 &&
                     seg.max_timestamp().value() < now.value() - options_.retention_ms;
      bool too_big = options_.retention_bytes >= 0 &&
                     total - seg.size() >= static_cast<uint64_t>(options_.retention_bytes);
      if (!too_old && !too_big) break;
      total -= seg.size();
    }
    doomed.assign(segments_.begin(), segments_.begin() + static_cast<std::ptrdiff_t>(n));
    segments_.erase(segments_.begin(), segments_.begin() + static_cast<std::ptrdiff_t>(n));
  }
  // Oldest first, so that a crash midway never leaves a hole: Open starts at the first remaining.
  for (const auto& seg : doomed) {
    Status st = seg->RemoveFiles(dir_);
    if (!st.ok()) return st;
  }
  if (!doomed.empty()) {
    EL_RETURN_IF_ERROR(io::SyncDir(dir_));
    spdlog::info("partition {}: retention deleted {} segment(s); log start is now {}", dir_,
                 doomed.size(), log_start().value());
  }
  return doomed.size();
}

uint64_t PartitionLog::size_bytes() const {
  std::shared_lock lock(state_mu_);
  uint64_t total = 0;
  for (const auto& seg : segments_) total += seg->size();
  return total;
}

Status PartitionLog::Close() {
  std::lock_guard append_lock(append_mu_);
  closed_ = true;
  for (auto& seg : segments_) EL_RETURN_IF_ERROR(seg->SyncAll());
  return Status::Ok();
}

Offset PartitionLog::log_start() const {
  std::shared_lock lock(state_mu_);
  return segments_.front()->base_offset();
}

Offset PartitionLog::high_watermark() const {
  std::shared_lock lock(state_mu_);
  return next_offset_;
}

Result<std::vector<uint8_t>> PartitionLog::Read(Offset from, size_t max_bytes) const {
  size_t i = 0;
  {
    std::shared_lock lock(state_mu_);
    Offset start = segments_.front()->base_offset();
    if (from < start || from > next_offset_) {
      return OutOfRange("offset " + std::to_string(from.value()) + " is outside the log range [" +
                        std::to_string(start.value()) + ", " +
                        std::to_string(next_offset_.value()) + "]");
    }
    if (from == next_offset_) return std::vector<uint8_t>();
    auto it = std::upper_bound(segments_.begin(), segments_.end(), from,
                               [](Offset o, const auto& s) { return o < s->base_offset(); });
    i = static_cast<size_t>(it - segments_.begin()) - 1;
  }
  // Normally one iteration; more only past a segment that ends early (a hole left by recovery).
  for (;; ++i) {
    std::shared_ptr<const Segment> seg;
    uint64_t end = 0;
    uint64_t scan_from = 0;
    Offset target;
    {
      std::shared_lock lock(state_mu_);
      if (i >= segments_.size()) return std::vector<uint8_t>();
      seg = segments_[i];
      end = seg->size();
      target = std::max(from, seg->base_offset());
      if (target >= seg->next_offset()) continue;
      scan_from = seg->ScanStart(target);
    }
    EL_ASSIGN_OR_RETURN(auto pos, seg->FindBatch(target, scan_from, end));
    if (pos) return seg->ReadBatches(*pos, end, max_bytes);
  }
}

Offset PartitionLog::OffsetForTimestamp(TimestampMs ts) const {
  std::optional<Offset> batch_base;
  {
    std::shared_lock lock(state_mu_);
    for (const auto& seg : segments_) {
      auto found = seg->FindTimestamp(ts);
      if (!found.ok()) {
        spdlog::warn("partition {}: timestamp lookup: {}", dir_, found.status().ToString());
        continue;
      }
      if (*found) {
        batch_base = **found;
        break;
      }
    }
    if (!batch_base) return next_offset_;
  }
  // The index knows batches; within an uncompressed batch the answer is the first record at or
  // after `ts`, as Kafka gives it. Compressed batches keep the batch's base offset.
  auto bytes = Read(*batch_base, 1);
  if (!bytes.ok()) return *batch_base;
  auto exact = FirstRecordAtOrAfter(*bytes, *batch_base, ts);
  return exact ? *exact : *batch_base;
}

}  // namespace el::storage
