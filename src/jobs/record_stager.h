#pragma once
// RecordStager: turns Kafka records into the lander's staging input. A record whose value is a
// JSON object goes into records() (jobs/record_buffer.h) with its Kafka coordinates, as JSON text
// whose keys are rewritten so that DuckDB cannot refuse them as column or field names (see
// below; a value none of whose keys needs rewriting, on one line, goes in as it was sent);
// anything else (malformed, not an object, empty) becomes a DeadLetter with the reason.
// Key rewriting: DuckDB treats column and struct field names case-insensitively and refuses
// "Host" next to "host", so a key is spelled as the first spelling seen in this stager
// (case-insensitively), and a key that still repeats inside one object gets a "_2", "_3"...
// suffix; top-level keys that clash with the metadata columns get a "_value" suffix; the empty
// key becomes "_empty_key" (SQL has no empty column or struct field name) and control characters
// in keys become '_'.
// The same walk infers the type of every field over every record (jobs/json_schema.h): schema()
// is the type the batch writer loads the records with (jobs/record_loader.h).
// Threading: Add and Finish on one thread (the caller's); with a worker (StagingThread::Shared()
// by default), records are staged in chunks of kChunkRecords (or kChunkBytes) on two threads: the
// caller copies each value into the open chunk; a closed chunk is parsed, checked, inspected or
// rewritten, its types observed into a JsonType of its own and its groups noted
// (jobs/record_walker.h) by the worker or by the caller (whichever is free; at most
// kMaxChunksInFlight chunks are held), and the chunks are merged on the caller's thread in
// the order received: dedup decisions, dead letters, records into the buffer (which keeps its
// memory budget), groups, spellings and JsonType::Merge. The result is exactly the serial one:
// a chunk spells keys as the stager did when it was staged, plus its own first spellings; a
// chunk whose own spelling of a key differs from one an earlier chunk introduced, one holding a
// duplicate id, or one whose groups cannot be merged (a type field that is not a string, more
// than kMaxGroups) is staged again, serially, when it is merged (rare).
// The results (good() ... schema()) are those of the records merged: call Finish() first.
#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "jobs/dedup_window.h"
#include "jobs/json_schema.h"
#include "jobs/record_buffer.h"
#include "jobs/record_groups.h"
#include "jobs/record_walker.h"

namespace el::jobs {

struct DeadLetter {
  int32_t partition = 0;
  int64_t offset = 0;
  int64_t timestamp_ms = 0;
  bool has_key = false;
  std::string key;  // valid UTF-8 (invalid bytes escaped as \xNN)
  std::string raw;  // the value as text, valid UTF-8
  std::string error;
};

class StagingThread;

class RecordStager {
 public:
  // Records beyond `memory_budget` bytes go to the spill file `spill_path` (jobs/record_buffer.h).
  RecordStager(std::string topic, std::filesystem::path spill_path, size_t memory_budget);
  // Waits for the chunk the worker is staging, if any; chunks not merged are dropped.
  ~RecordStager();
  RecordStager(const RecordStager&) = delete;
  RecordStager& operator=(const RecordStager&) = delete;

  // The settings below are made before the first Add.
  // Values longer than this become dead letters "over the size limit".
  void set_max_record_bytes(int64_t bytes) { max_record_bytes_ = bytes; }
  // Drops a record whose string field `field` holds an id `window` knows (jobs/dedup_window.h);
  // records without the field are staged. `window` must outlive this stager.
  void set_dedup(std::string field, DedupWindow* window) {
    dedup_field_ = std::move(field);
    dedup_ = window;
  }
  // Groups the records by Kafka partition and the value of top-level field `field` (matched
  // case-insensitively, as the table matches its columns): each staged record's RecordMeta::tag
  // is its group's index in groups(), so that the default layout's files of one event type can be
  // read from the buffer alone (jobs/record_scan.h). Off by default (every tag 0).
  void set_group_field(std::string field) { group_field_ = std::move(field); }
  // The second thread chunks are staged on (it must outlive this stager), or null: every record
  // is staged by Add itself, on the caller's thread.
  void set_worker(StagingThread* worker) { worker_ = worker; }
  // Records per chunk (tests use small chunks to cross many chunk boundaries).
  void set_chunk_records(size_t records) { chunk_records_ = records; }
  static constexpr size_t kChunkRecords = 2048;
  static constexpr size_t kChunkBytes = 1 << 20;
  static constexpr size_t kMaxChunksInFlight = 4;

  using Group = RecordGroups::Group;
  const std::vector<Group>& groups() const { return groups_.groups(); }
  // Whether the tags name the groups: false when grouping is off, or once a record's field held
  // something other than a string or null, or the groups grew past kMaxGroups.
  bool grouped() const { return !group_field_.empty() && grouped_; }
  static constexpr size_t kMaxGroups = RecordGroups::kMaxGroups;

  // Stages one record (`value` is copied: it need not outlive the call); bad values go to
  // dead_letters(). Errors: IOError (spill write failed, also for an earlier record staged
  // meanwhile: the stager is then failed, and every later call returns the error).
  Status Add(const RecordMeta& meta, std::string_view value);
  // Stages the records added and not staged yet, on this thread and the worker, and merges
  // them; returns when the results below hold every record added. Cheap when none is pending.
  // Errors: as Add's.
  Status Finish();

  int64_t good() const { return good_; }
  int64_t duplicates() const { return duplicates_; }  // records dropped by the dedup window
  // Of the good records' JSON text (of those merged: it lags Add by the chunks in flight).
  int64_t bytes() const { return bytes_; }
  const std::vector<DeadLetter>& dead_letters() const { return dead_letters_; }
  // Chunks staged again serially when merged (see above).
  int64_t restaged_chunks() const { return restaged_chunks_; }
  // The good records, their values as staged (keys rewritten).
  RecordBuffer& records() { return records_; }
  // The type of the staged objects over every good record so far.
  const JsonType& schema() const { return *schema_; }

 private:
  struct Chunk;
  struct ChunkPool;
  struct Sync;

  // Stages one record on this thread, with the dedup decision `duplicate` when it was made
  // before (a chunk staged again), else asking the dedup window.
  Status StageRecord(const RecordMeta& meta, std::string_view value, bool padded,
                     const bool* duplicate);
  // Closes the open chunk: the worker may stage it (`post`) or this thread.
  void CloseChunk(bool post);
  // Merges the staged chunks at the front; stages chunks on this thread while the worker is busy
  // (and two are waiting) or, with `finish` or kMaxChunksInFlight held, until none is left.
  Status Pump(bool finish);
  // The records of `chunk` by `walker` (on either thread; touches only the chunk and spellings_).
  void StageChunk(Chunk& chunk, RecordWalker& walker) const;
  Status MergeChunk(Chunk& chunk);

  std::string topic_;
  RecordBuffer records_;
  KeySpellings spellings_;                       // lower-case key -> first spelling
  RecordWalker walker_{spellings_};              // the caller's thread's
  std::unique_ptr<RecordWalker> worker_walker_;  // the worker's (its tasks run one at a time)
  std::shared_ptr<JsonType> schema_ = std::make_shared<JsonType>();
  std::vector<DeadLetter> dead_letters_;
  int64_t good_ = 0;
  int64_t duplicates_ = 0;
  int64_t bytes_ = 0;
  int64_t restaged_chunks_ = 0;
  std::string dedup_field_;
  DedupWindow* dedup_ = nullptr;
  std::string group_field_;
  bool grouped_ = true;
  RecordGroups groups_;
  std::optional<std::string_view> group_type_;   // StageRecord's scratch
  std::vector<std::string_view> group_columns_;  // StageRecord's scratch
  std::vector<uint32_t> group_index_;  // MergeChunk's scratch: chunk group -> index in groups_
  std::vector<char> duplicate_;        // MergeChunk's scratch: dedup decisions of a chunk's records
  std::vector<DedupWindow::Id> ids_;   // MergeChunk's scratch: the ids of a chunk's good records
  std::vector<char> seen_;             // MergeChunk's scratch: their dedup decisions
  int64_t max_record_bytes_ = 1 << 20;
  StagingThread* worker_;
  size_t chunk_records_ = kChunkRecords;
  std::shared_ptr<Sync> sync_;                    // shared with the worker's tasks
  std::shared_ptr<Chunk> open_;                   // receiving records
  std::vector<std::shared_ptr<Chunk>> spare_;     // merged, kept for reuse (their buffers)
  std::deque<std::shared_ptr<Chunk>> in_flight_;  // closed, not merged yet, in order
  Status failed_;  // the first error of a merge; every later call returns it
};

// Appends `text` as a JSON string literal (quotes included) to `out`; invalid UTF-8 bytes are
// written as the escaped text "\\xNN".
void AppendJsonString(std::string& out, std::string_view text);
// `text` with invalid UTF-8 bytes replaced by the text "\xNN".
std::string ToValidUtf8(std::string_view text);

}  // namespace el::jobs
