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
// Idempotent producers: every append checks each batch's (producerId, epoch, sequence) against the
// partition's ProducerStateTable under the append mutex, so a retry racing its original is still
// caught; the table is rebuilt at Open from the headers of the last two segments.
// Retention (EnforceRetention) removes whole closed segments from the front under the append mutex.
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
#include "storage/producer_state.h"

namespace el::storage {

class Segment;
struct PendingBatch;  // one batch of an append buffer (partition_log.cc)

// Outcome of an append with producer checks.
struct AppendResult {
  SequenceVerdict verdict = SequenceVerdict::kAppend;
  Offset base;  // kAppend: offset given to the first batch; kDuplicate: the original one
};

// Phase one of an append (PartitionLog::Write): what Finish must still do.
struct AppendTicket {
  AppendResult result;
  uint64_t seq = 0;      // the append's (or, for a duplicate, the original's) write sequence number
  bool sync = false;     // Finish must fdatasync up to seq first
  bool publish = false;  // Finish must publish the batch (a written kAppend)
};

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
  // Without `sync`, once `flush_bytes` (LogOptions) are unsynced the append syncs anyway.
  // Producer checks as in AppendChecked; a refused batch is FailedPrecondition, a duplicate returns
  // the original base offset.
  Result<Offset> Append(std::span<const uint8_t> batches, bool sync);
  // Append with the idempotent-producer verdict: kDuplicate stores nothing and returns the base
  // offset the batch got first (after an fdatasync if `sync`, so the answer is as durable as the
  // original's); kOutOfOrder/kStaleEpoch/kUnknownProducer store nothing. Batches with
  // producerId < 0 are never checked. A duplicate inside a multi-batch append counts as kOutOfOrder.
  Result<AppendResult> AppendChecked(std::span<const uint8_t> batches, bool sync);
  // AppendChecked in two phases, for callers that pipeline: Write checks and writes the batches (page
  // cache only, short) and assigns offsets, so successive Writes land in call order; Finish does the
  // fdatasync (if ticket.sync; group commit: SyncUpTo) and publishes. Every ticket with `publish`
  // must be passed to Finish exactly once, or later appends of this partition never become visible.
  // Finish may run on any thread and in any order relative to other tickets.
  Result<AppendTicket> Write(std::span<const uint8_t> batches, bool sync);
  Status Finish(const AppendTicket& ticket);
  // Group commit: Finish's fdatasync covers every append written before it started, so the Finish
  // of such a later ticket returns without syncing again.
  Status Sync();  // fdatasync everything appended so far
  Status FlushIfDirty();  // Sync() if anything was appended since the last fdatasync
  // Retention and time-based roll at wall-clock `now`: rolls a non-empty active segment older than
  // segment_ms (or wholly past retention_ms), then deletes closed, fully published segments from the
  // front while they are older than retention_ms or the log stays >= retention_bytes without them;
  // log_start() advances. Returns the number of segments deleted. Errors: IOError.
  Result<size_t> EnforceRetention(TimestampMs now);
  // False once any write or fdatasync failed: the log must not be marked as cleanly shut down.
  bool healthy() const { return !io_error_; }
  uint64_t size_bytes() const;  // published bytes over all segments
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
  Result<Offset> WriteLocked(std::span<const PendingBatch> split, int64_t count,
                             std::vector<uint8_t>& buf, uint64_t* seq, bool* sync);
  Status Roll();  // seal the active segment and start a new one at write_next_ (append_mu_ held)
  Status RebuildProducerState();
  Result<SequenceCheck> CheckSequences(std::span<const BatchHeader> headers) const;
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
  std::atomic<bool> io_error_{false};     // any write/fdatasync failed (not a clean shutdown)
  ProducerStateTable producers_;          // GUARDED_BY(append_mu_)
  int64_t active_since_ms_ = 0;           // GUARDED_BY(append_mu_): wall clock of the last roll/Open
  uint64_t written_bytes_ = 0;            // GUARDED_BY(append_mu_): bytes written since Open
  std::atomic<uint64_t> synced_bytes_{0}; // written_bytes_ covered by the last fdatasync
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
