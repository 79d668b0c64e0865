#include "storage/segment.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <limits>

#include "base/log.h"
#include "io/dir.h"
#include "storage/batch_header.h"

namespace el::storage {
namespace {

constexpr size_t kScanChunk = 1 << 20;
constexpr TimestampMs kNoTimestamp(std::numeric_limits<int64_t>::min());

// Sequential reader over a log file used by recovery: keeps a window of the file in memory and
// hands out whole batches.
class BatchScanner {
 public:
  BatchScanner(const io::File& file, uint64_t file_size) : file_(file), file_size_(file_size) {}

  // The bytes of the batch at `pos`, validated (CRC only if verify_crc). Any error means "stop here".
  Result<std::span<const uint8_t>> BatchAt(uint64_t pos, bool verify_crc) {
    EL_RETURN_IF_ERROR(Fill(pos, 12));
    int32_t length = static_cast<int32_t>(LoadBe32(At(pos) + 8));
    if (length < kMinBatchLength) return DataLoss("impossible batch length");
    uint64_t total = 12 + static_cast<uint64_t>(length);
    if (total > file_size_ - pos) return OutOfRange("torn batch");
    EL_RETURN_IF_ERROR(Fill(pos, total));
    std::span<const uint8_t> bytes(At(pos), total);
    if (verify_crc) {
      EL_RETURN_IF_ERROR(ParseBatch(bytes).status());
    } else {
      EL_ASSIGN_OR_RETURN(BatchHeader h, ReadBatchHeader(bytes));
      if (h.magic != 2 || h.last_offset_delta < 0) return DataLoss("bad batch header");
    }
    return bytes;
  }

 private:
  const uint8_t* At(uint64_t pos) const { return buf_.data() + (pos - buf_start_); }

  // Ensures [pos, pos + n) is in the window; OutOfRange past the end of the file.
  Status Fill(uint64_t pos, uint64_t n) {
    if (n > file_size_ - std::min(pos, file_size_)) return OutOfRange("torn batch");
    if (pos >= buf_start_ && pos + n <= buf_start_ + buf_.size()) return Status::Ok();
    uint64_t want = std::min<uint64_t>(std::max<uint64_t>(n, kScanChunk), file_size_ - pos);
    buf_.resize(want);
    EL_ASSIGN_OR_RETURN(size_t got, file_.ReadAt(FilePos(pos), buf_));
    buf_.resize(got);
    buf_start_ = pos;
    if (got < n) return OutOfRange("file shrank during recovery");
    return Status::Ok();
  }

  const io::File& file_;
  const uint64_t file_size_;
  std::vector<uint8_t> buf_;
  uint64_t buf_start_ = 0;
};

}  // namespace

std::string SegmentPath(const std::string& dir, Offset base, const char* ext) {
  char name[48];
  std::snprintf(name, sizeof(name), "%020" PRId64 ".%s", base.value(), ext);
  return dir + "/" + name;
}

Segment::Segment(Offset base, const LogOptions& options, std::unique_ptr<io::File> log,
                 std::unique_ptr<SegmentIndex> index)
    : base_(base), options_(options), log_(std::move(log)), index_(std::move(index)), next_(base),
      max_timestamp_(kNoTimestamp) {}

Result<std::unique_ptr<Segment>> Segment::Create(const std::string& dir, Offset base,
                                                 const LogOptions& options) {
  std::string path = SegmentPath(dir, base, "log");
  auto existing = io::File::Open(path, io::File::Mode::kReadOnly);
  if (existing.ok()) return AlreadyExists("segment exists: " + path);
  EL_ASSIGN_OR_RETURN(auto log, io::File::Open(path, io::File::Mode::kCreate));
  EL_RETURN_IF_ERROR(io::RemoveFile(SegmentPath(dir, base, "index")));
  EL_ASSIGN_OR_RETURN(auto index, SegmentIndex::Open(SegmentPath(dir, base, "index"), base, 0));
  return std::unique_ptr<Segment>(new Segment(base, options, std::move(log), std::move(index)));
}

Result<std::unique_ptr<Segment>> Segment::Open(const std::string& dir, Offset base,
                                               const LogOptions& options, bool verify_crc) {
  EL_ASSIGN_OR_RETURN(auto log, io::File::Open(SegmentPath(dir, base, "log"),
                                               io::File::Mode::kReadWrite));
  EL_ASSIGN_OR_RETURN(uint64_t log_size, log->Size());
  EL_ASSIGN_OR_RETURN(auto index,
                      SegmentIndex::Open(SegmentPath(dir, base, "index"), base, log_size));
  std::unique_ptr<Segment> seg(new Segment(base, options, std::move(log), std::move(index)));
  EL_RETURN_IF_ERROR(seg->Recover(verify_crc));
  return seg;
}

Status Segment::Recover(bool verify_crc) {
  EL_ASSIGN_OR_RETURN(uint64_t file_size, log_->Size());
  BatchScanner scanner(*log_, file_size);
  uint64_t pos = 0;
  // Resume after the last index entry whose batch is intact; later entries are rebuilt by the scan.
  size_t keep = index_->entries().size();
  for (; keep > 0; --keep) {
    const IndexEntry& e = index_->entries()[keep - 1];
    auto bytes = scanner.BatchAt(e.position.value(), verify_crc);
    if (!bytes.ok() && bytes.status().code() == StatusCode::kIOError) return bytes.status();
    if (!bytes.ok()) continue;
    BatchHeader h = *ReadBatchHeader(*bytes);
    if (h.base_offset != base_.value() + e.relative_offset.value()) continue;
    pos = e.position.value() + bytes->size();
    next_ = Offset(h.base_offset + h.last_offset_delta + 1);
    max_timestamp_ = e.max_timestamp;
    break;
  }
  EL_RETURN_IF_ERROR(index_->TruncateTo(keep));
  while (pos < file_size) {
    auto bytes = scanner.BatchAt(pos, verify_crc);
    // A failing disk must not look like a torn tail: only bad bytes are truncated away.
    if (!bytes.ok() && bytes.status().code() == StatusCode::kIOError) return bytes.status();
    if (!bytes.ok()) break;
    BatchHeader h = *ReadBatchHeader(*bytes);
    if (h.base_offset != next_.value()) break;  // offsets on disk are always contiguous
    Offset last(h.base_offset + h.last_offset_delta);
    max_timestamp_ = std::max(max_timestamp_, TimestampMs(h.max_timestamp));
    EL_RETURN_IF_ERROR(MaybeIndex({pos, Offset(h.base_offset), last, max_timestamp_}));
    pos += bytes->size();
    next_ = Offset(last.value() + 1);
  }
  if (pos < file_size) {
    spdlog::warn("segment {}: dropping {} bytes after the last valid batch at position {}",
                 log_->path(), file_size - pos, pos);
    EL_RETURN_IF_ERROR(log_->Truncate(pos));
  }
  size_ = pos;
  written_size_ = pos;
  return Status::Ok();
}

Status Segment::MaybeIndex(const BatchPlacement& b) {
  const auto& entries = index_->entries();
  if (!entries.empty() &&
      b.position - entries.back().position.value() < options_.index_interval_bytes) {
    return Status::Ok();
  }
  return index_->Add({RelativeOffset(static_cast<uint32_t>(b.base_offset.value() - base_.value())),
                      FilePos(b.position), b.max_timestamp});
}

Status Segment::Write(std::span<const uint8_t> bytes) {
  Status st = log_->Append(bytes);
  if (st.ok()) written_size_ += bytes.size();
  if (!st.ok()) {
    Status undo = log_->Truncate(written_size_);
    if (!undo.ok()) spdlog::error("segment {}: cannot undo a failed write: {}", log_->path(), undo.ToString());
  }
  return st;
}

Status Segment::RemoveFiles(const std::string& dir) const {
  EL_RETURN_IF_ERROR(io::RemoveFile(SegmentPath(dir, base_, "log")));
  return io::RemoveFile(SegmentPath(dir, base_, "index"));
}

Status Segment::SyncAll() {
  EL_RETURN_IF_ERROR(log_->Sync());
  return index_->Sync();
}

void Segment::Publish(std::span<const BatchPlacement> batches, uint64_t bytes) {
  for (const BatchPlacement& b : batches) {
    max_timestamp_ = std::max(max_timestamp_, b.max_timestamp);
    Status st = MaybeIndex({b.position, b.base_offset, b.last_offset, max_timestamp_});
    // The index is derived data: a failed entry only makes lookups scan further; recovery rebuilds.
    if (!st.ok()) spdlog::warn("segment {}: index update failed: {}", log_->path(), st.ToString());
    next_ = Offset(b.last_offset.value() + 1);
  }
  size_ += bytes;
}

Result<BatchHeader> Segment::ReadHeaderAt(uint64_t pos, uint64_t end) const {
  uint8_t buf[kBatchHeaderSize];
  EL_ASSIGN_OR_RETURN(size_t n, log_->ReadAt(FilePos(pos), buf));
  if (n < kBatchHeaderSize || pos + kBatchHeaderSize > end) {
    return DataLoss("short batch header in " + log_->path());
  }
  EL_ASSIGN_OR_RETURN(BatchHeader h, ReadBatchHeader(buf));
  if (h.batch_length < kMinBatchLength || h.total_size() > end - pos) {
    return DataLoss("impossible batch length at position " + std::to_string(pos) + " in " +
                    log_->path());
  }
  return h;
}

uint64_t Segment::ScanStart(Offset target) const {
  if (target <= base_) return 0;
  auto i = index_->Floor(RelativeOffset(static_cast<uint32_t>(target.value() - base_.value())));
  return i ? index_->entries()[*i].position.value() : 0;
}

Result<std::optional<FilePos>> Segment::FindBatch(Offset target, uint64_t from,
                                                  uint64_t end) const {
  // The batch sought normally starts within about one index interval of `from`: read that span
  // once and walk the headers in memory; pread single headers only beyond it.
  std::vector<uint8_t> window(static_cast<size_t>(
      std::min<uint64_t>(end - std::min(from, end), 2 * options_.index_interval_bytes + 4096)));
  EL_ASSIGN_OR_RETURN(size_t got, log_->ReadAt(FilePos(from), window));
  window.resize(got);
  for (uint64_t pos = from; pos < end;) {
    BatchHeader h;
    if (pos - from + kBatchHeaderSize <= window.size()) {
      EL_ASSIGN_OR_RETURN(h, ReadBatchHeader(std::span<const uint8_t>(window).subspan(pos - from)));
      if (h.batch_length < kMinBatchLength || h.total_size() > end - pos) {
        return DataLoss("impossible batch length at position " + std::to_string(pos) + " in " +
                        log_->path());
      }
    } else {
      EL_ASSIGN_OR_RETURN(h, ReadHeaderAt(pos, end));
    }
    if (h.base_offset + h.last_offset_delta >= target.value()) return std::optional(FilePos(pos));
    pos += h.total_size();
  }
  return std::optional<FilePos>();
}

Result<std::vector<uint8_t>> Segment::ReadBatches(FilePos start, uint64_t end,
                                                  size_t max_bytes) const {
  uint64_t pos = start.value();
  if (pos >= end) return std::vector<uint8_t>();
  size_t want = static_cast<size_t>(std::min<uint64_t>(end - pos, std::max(max_bytes, kBatchHeaderSize)));
  std::vector<uint8_t> buf(want);
  EL_ASSIGN_OR_RETURN(size_t n, log_->ReadAt(start, buf));
  if (n < want) return DataLoss("segment " + log_->path() + " is shorter than expected");
  size_t used = 0;
  while (buf.size() - used >= 12) {
    int32_t length = static_cast<int32_t>(LoadBe32(buf.data() + used + 8));
    if (length < kMinBatchLength) return DataLoss("impossible batch length in " + log_->path());
    size_t total = 12 + static_cast<size_t>(length);
    if (total > buf.size() - used) break;
    used += total;
  }
  if (used == 0) {  // the first batch alone exceeds max_bytes: return it whole (KIP-74)
    EL_ASSIGN_OR_RETURN(BatchHeader h, ReadHeaderAt(pos, end));
    size_t have = buf.size();
    buf.resize(h.total_size());
    std::span<uint8_t> rest(buf.data() + have, buf.size() - have);
    EL_ASSIGN_OR_RETURN(size_t got, log_->ReadAt(FilePos(pos + have), rest));
    if (got < rest.size()) return DataLoss("segment " + log_->path() + " is shorter than expected");
    used = buf.size();
  }
  buf.resize(used);
  return buf;
}

Result<std::optional<Offset>> Segment::ScanTimestamp(uint64_t from, uint64_t to,
                                                     TimestampMs ts) const {
  for (uint64_t pos = from; pos < to && pos < size_;) {
    EL_ASSIGN_OR_RETURN(BatchHeader h, ReadHeaderAt(pos, size_));
    if (h.max_timestamp >= ts.value()) return std::optional(Offset(h.base_offset));
    pos += h.total_size();
  }
  return std::optional<Offset>();
}

Result<std::optional<Offset>> Segment::FindTimestamp(TimestampMs ts) const {
  const auto& entries = index_->entries();
  // Entries carry a running max, so the first entry reaching `ts` bounds the search window.
  auto it = std::partition_point(entries.begin(), entries.end(),
                                 [ts](const IndexEntry& e) { return e.max_timestamp < ts; });
  if (it == entries.end()) {
    uint64_t from = entries.empty() ? 0 : entries.back().position.value();
    return ScanTimestamp(from, size_, ts);
  }
  uint64_t from = it == entries.begin() ? 0 : std::prev(it)->position.value();
  return ScanTimestamp(from, it->position.value() + 1, ts);
}

}  // namespace el::storage
