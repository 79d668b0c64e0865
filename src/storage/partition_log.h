#pragma once
// PartitionLog: one topic-partition's log, a sequence of segments in one directory
// (`<dir>/<20-digit base offset>.log` + `.index`, see docs/formats/segment.md).
// Threading: every method may be called from any thread. Readers take state_mu_ shared only to look
// up positions and then pread without any lock. Appends write under append_mu_ (short: a page-cache
// write), then fdatasync outside it with group commit (one fdatasync covers every append written
// before it started), then publish in write order under state_mu_. So readers never see a partially
// written batch, nor a synced append's batch before it is durable, and a plain append never waits
// for another's fdatasync (only for the one sealing a segment at a roll); its batch becomes visible
// once every earlier append is visible.
// Lock order: sync_mu_ -> append_mu_ -> publish_mu_ -> state_mu_.
#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/strong_types.h"
#include "storage/batch_header.h"
#include "storage/log_options.h"

namespace el::storage {

class Segment;

class PartitionLog {
 public:
  // Opens the log in `dir` (which must exist), recovering every segment (see Segment::Open); creates
  // the first segment (base 0) if there is none. `clean` = the previous run shut down cleanly, so
  // recovery checks headers only. Errors: IOError.
  static Result<std::unique_ptr<PartitionLog>> Open(std::string dir, LogOptions options, bool clean);
  ~PartitionLog();

  // Appends `batches` (one or more whole batches already validated by ParseBatch, concatenated),
  // assigning consecutive offsets: each batch's baseOffset is rewritten to the next offset and the
  // next offset advances by lastOffsetDelta + 1. If `sync`, the bytes are fdatasync'ed before
  // returning (acks=all). Returns the base offset given to the first batch. Errors: IOError (the log
  // stays consistent: nothing partially visible), InvalidArgument if `batches` is not a sequence of
  // whole batches, FailedPrecondition after Close or topic deletion. A failed fdatasync fails this
  // append and every later one (IOError) until the log is reopened: the disk state is unknown.
  // Without `sync`, the batch may become visible (high_watermark) slightly after this returns, when
  // an earlier synced append completes.
  Result<Offset> Append(std::span<const uint8_t> batches, bool sync);
  Status Sync();  // fdatasync everything appended so far
  // Whole batches, in order, starting with the batch that contains `from` (it may start before
  // `from`), up to `max_bytes` total, but always at least one whole batch when
  // from < high_watermark (KIP-74). Returns batches of one segment per call. Empty when
  // from == high_watermark. Errors: OutOfRange when from < log_start or from > high_watermark;
  // DataLoss if a segment's bytes became unreadable after recovery.
  Result<std::vector<uint8_t>> Read(Offset from, size_t max_bytes) const;
  Offset log_start() const;       // first offset still stored (0 without retention)
  Offset high_watermark() const;  // next offset to be assigned (= log end offset)
  // First offset whose batch maxTimestamp >= ts; high_watermark() if none (ListOffsets by
  // timestamp). Batch granularity: the returned offset is a batch's base offset.
  Offset OffsetForTimestamp(TimestampMs ts) const;

  // Syncs log and index files and refuses further appends.
  Status Close();
  const std::string& dir() const { return dir_; }

 private:
  // An append written to its segment and waiting to be published (in write order).
  struct Pending;

  PartitionLog(std::string dir, LogOptions options);
  Status RollIfNeeded(uint64_t append_bytes, int64_t offset_count);
  Status SyncUpTo(uint64_t seq);
  void MarkReadyAndPublish(uint64_t seq);

  const std::string dir_;
  const LogOptions options_;
  std::mutex sync_mu_;                    // one fdatasync at a time (group commit)
  uint64_t synced_seq_ = 0;               // GUARDED_BY(sync_mu_): appends <= this are durable
  std::mutex append_mu_;                  // serializes writes, rolls and Close
  uint64_t written_seq_ = 0;              // GUARDED_BY(append_mu_): appends written so far
  Offset write_next_;                     // GUARDED_BY(append_mu_): next offset to assign
  bool closed_ = false;                   // GUARDED_BY(append_mu_)
  std::atomic<bool> failed_{false};       // an fdatasync failed: refuse appends
  std::mutex publish_mu_;
  std::deque<Pending> pending_;           // GUARDED_BY(publish_mu_), ordered by seq
  mutable std::shared_mutex state_mu_;    // guards the fields below
  // GUARDED_BY(state_mu_) for readers; mutated only with append_mu_ also held, so the appender may
  // read them without state_mu_. Sorted by base offset; never empty after Open.
  // shared_ptr: a reader keeps the segment it is reading after dropping the lock.
  std::vector<std::shared_ptr<Segment>> segments_;
  Offset next_offset_;                    // GUARDED_BY(state_mu_): published end (high watermark)
};

}  // namespace el::storage
