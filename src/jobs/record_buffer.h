#pragma once
// RecordBuffer: the good records of one batch, in arrival order: each record's Kafka coordinates
// and its value's JSON text as the stager spelled it (jobs/record_stager.h). Records are kept in
// memory up to a budget and appended to a spill file beyond it, so that a batch of any size costs
// bounded memory; ForEach reads them back in order for loading into DuckDB
// (jobs/record_loader.h) without any JSON staging file.
// Every value handed to ForEach is followed by at least kPadding readable bytes, so that simdjson
// can parse it in place.
// Threading: one thread at a time. Lifetime: owns its spill file (removed on destruction).
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <iterator>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace el::jobs {

// The metadata columns every landed row starts with, from a record's RecordMeta and its topic
// (their SQL types: kMetaSchema in jobs/record_loader.h).
inline constexpr std::string_view kMetaColumnNames[] = {"_topic", "_partition", "_offset", "_timestamp",
                                                        "_key"};
inline constexpr size_t kMetaColumns = std::size(kMetaColumnNames);

struct RecordMeta {
  int32_t partition = 0;
  int64_t offset = 0;
  int64_t timestamp_ms = 0;
  bool has_key = false;
  std::string_view key;
  uint32_t tag = 0;  // the stager's group of the record (jobs/record_stager.h), 0 by default
};

class RecordBuffer {
 private:
  struct Segment {
    // Records, then kPadding spare bytes past `used`; not zero-filled (a batch writes hundreds
    // of megabytes through these).
    struct Free {
      size_t bytes;  // the allocation's size (value-initialized: 0)
      void operator()(char* p) const;
    };
    std::unique_ptr<char[], Free> data;
    size_t capacity = 0;
    size_t used = 0;
    // Where each tag's records start (tag -> offsets, in order): a reader of one tag visits only
    // its records.
    std::vector<std::vector<uint32_t>> index;
    void Reserve(size_t bytes);
  };

 public:
  static constexpr size_t kPadding = 64;  // simdjson::SIMDJSON_PADDING

  // `spill_path` is created only when the records outgrow `memory_budget` bytes.
  RecordBuffer(std::filesystem::path spill_path, size_t memory_budget);
  RecordBuffer(RecordBuffer&& other) noexcept;
  RecordBuffer& operator=(RecordBuffer&&) = delete;
  ~RecordBuffer();

  // Errors: IOError (the spill file cannot be written).
  Status Add(const RecordMeta& meta, std::string_view value);
  using Visitor = std::function<Status(const RecordMeta& meta, std::string_view value)>;
  // Calls `fn` with every record in the order added; `value` (and `meta.key`) are valid during
  // the call only. Stops at the first error `fn` returns. Errors: IOError (spill file), fn's.
  Status ForEach(const Visitor& fn) const { return ForEachIn(0, segments(), fn); }
  // The records are held in segments (a few MB each, in order): ForEachIn visits those of
  // segments [first, end). Calls on disjoint ranges may run on different threads at once.
  size_t segments() const { return kept_.size() + spilled_.size() + 1; }
  Status ForEachIn(size_t first, size_t end, const Visitor& fn) const;
  // Frees the records (memory and spill file).
  void Clear();

  // Reads the records of one segment at a time, in order, on any thread (one cursor a thread;
  // the buffer must not change meanwhile).
  class Cursor {
   public:
    explicit Cursor(const RecordBuffer& buffer) : buffer_(buffer) {}
    // Positions the cursor at the first record of segment `segment` (with `tag`: at its first
    // record with that tag, and Next skips the others). Errors: IOError (spill file).
    Status Open(size_t segment);
    Status Open(size_t segment, uint32_t tag);
    // The next record of the segment (valid until the next Open or Next), false past its end.
    bool Next(RecordMeta& meta, std::string_view& value);

   private:
    const RecordBuffer& buffer_;
    Segment read_;  // a spilled segment read back
    const Segment* segment_ = nullptr;
    size_t at_ = 0;
    const std::vector<uint32_t>* tagged_ = nullptr;  // with a tag: its records' offsets
    size_t next_tagged_ = 0;
  };

  int64_t size() const { return size_; }
  // Records added with RecordMeta::tag `tag` (from the segments' tag indexes).
  int64_t tagged(uint32_t tag) const;
  // Bytes of the spill file (0 while the records fit the budget).
  int64_t spilled_bytes() const { return spilled_bytes_; }

 private:
  Status SpillCurrent();

  std::filesystem::path spill_path_;
  size_t memory_budget_;
  std::vector<Segment> kept_;  // full segments held in memory (within the budget)
  // (offset, size) of the full segments written to the spill file, in order
  std::vector<std::pair<int64_t, int64_t>> spilled_;
  Segment current_;  // the segment being filled (after every kept and spilled one)
  std::vector<std::vector<std::vector<uint32_t>>> spilled_index_;  // Segment::index of each spilled one
  size_t kept_bytes_ = 0;
  FILE* spill_ = nullptr;
  int64_t spilled_bytes_ = 0;
  int64_t size_ = 0;
};

}  // namespace el::jobs
