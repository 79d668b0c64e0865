#pragma once
// Segment: one `<dir>/<20-digit base offset>.log` file of concatenated v2 record batches plus its
// sparse `.index`. Knows how to recover itself (scan, truncate a torn tail, rebuild the index), to
// append already offset-assigned batches, and to locate and read batches.
// Threading: not synchronized. The owning PartitionLog calls Write/Sync with its append mutex held,
// Publish under its exclusive state lock, and the const read methods under a shared state lock.
// Write never changes what readers see; Publish makes written bytes visible.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/strong_types.h"
#include "io/file.h"
#include "storage/batch_header.h"
#include "storage/log_options.h"
#include "storage/segment_index.h"

namespace el::storage {

// One batch of an append, as placed in the segment.
struct BatchPlacement {
  uint64_t position;        // file position of the batch
  Offset base_offset;
  Offset last_offset;
  TimestampMs max_timestamp;
};

// "<dir>/<20-digit base>.<ext>"
std::string SegmentPath(const std::string& dir, Offset base, const char* ext);

class Segment {
 public:
  // Creates empty `.log` and `.index` files (fails if the log exists).
  static Result<std::unique_ptr<Segment>> Create(const std::string& dir, Offset base,
                                                 const LogOptions& options);
  // Opens an existing segment and recovers it: scans from the last index entry whose batch is valid
  // (or from the start), truncates the log at the first invalid or torn batch (logged), and rebuilds
  // missing index entries. `verify_crc` = false (after a clean shutdown) checks headers only.
  // Errors: IOError only; bad bytes are dropped, never reported as an error.
  static Result<std::unique_ptr<Segment>> Open(const std::string& dir, Offset base,
                                               const LogOptions& options, bool verify_crc);

  Offset base_offset() const { return base_; }
  Offset next_offset() const { return next_; }  // one past the last stored offset
  uint64_t size() const { return size_; }  // published bytes (visible to readers)
  uint64_t written_size() const { return written_size_; }  // appender-only: bytes in the file
  // Largest batch maxTimestamp published so far (INT64_MIN when empty). Under the state lock.
  TimestampMs max_timestamp() const { return max_timestamp_; }

  // Writes `bytes` at the end of the log file (not yet visible). On failure truncates back to
  // written_size() and returns the error.
  Status Write(std::span<const uint8_t> bytes);
  Status SyncLog() { return log_->Sync(); }
  Status SyncAll();  // log and index
  // Makes `batches` (written by Write, totalling `bytes`) visible and indexes them. Publishes happen
  // in write order.
  void Publish(std::span<const BatchPlacement> batches, uint64_t bytes);

  // Reading is split so that file reads need no lock: bytes of the log below a published size()
  // never change. ScanStart runs under the partition's shared lock (it reads the index); FindBatch
  // and ReadBatches only pread the prefix [0, end), with `end` a size() taken under that lock.
  //
  // File position from which to scan for the batch holding `target` (an index floor, or 0).
  uint64_t ScanStart(Offset target) const;
  // Position of the batch containing `target`, scanning headers from `from`, or nullopt if no batch
  // below `end` holds it. Errors: DataLoss for an impossible header on disk, IOError.
  Result<std::optional<FilePos>> FindBatch(Offset target, uint64_t from, uint64_t end) const;
  // Whole batches starting at `pos` (a batch start), up to `max_bytes`, at least one batch.
  Result<std::vector<uint8_t>> ReadBatches(FilePos pos, uint64_t end, size_t max_bytes) const;
  // Base offset of the first batch whose maxTimestamp >= ts, or nullopt.
  Result<std::optional<Offset>> FindTimestamp(TimestampMs ts) const;
  // Calls fn(header) for every batch header in [0, end), in order (header reads only, no CRC).
  // Errors: DataLoss for an impossible header, IOError.
  template <typename Fn>
  Status ForEachHeader(uint64_t end, Fn fn) const {
    for (uint64_t pos = 0; pos < end;) {
      EL_ASSIGN_OR_RETURN(BatchHeader h, ReadHeaderAt(pos, end));
      fn(h);
      pos += h.total_size();
    }
    return Status::Ok();
  }
  // Unlinks the `.log` (first) and `.index` files. Readers that hold this segment keep reading
  // through the open descriptor.
  Status RemoveFiles(const std::string& dir) const;

 private:
  Segment(Offset base, const LogOptions& options, std::unique_ptr<io::File> log,
          std::unique_ptr<SegmentIndex> index);
  Status Recover(bool verify_crc);
  Status MaybeIndex(const BatchPlacement& batch);
  Result<struct BatchHeader> ReadHeaderAt(uint64_t pos, uint64_t end) const;
  Result<std::optional<Offset>> ScanTimestamp(uint64_t from, uint64_t to, TimestampMs ts) const;

  const Offset base_;
  const LogOptions options_;
  std::unique_ptr<io::File> log_;
  std::unique_ptr<SegmentIndex> index_;
  uint64_t size_ = 0;          // published
  uint64_t written_size_ = 0;  // owned by the appender (append mutex)
  Offset next_;
  TimestampMs max_timestamp_;  // running max over all batches (for index entries)
};

}  // namespace el::storage
