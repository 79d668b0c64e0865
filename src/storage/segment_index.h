#pragma once
// SegmentIndex: the sparse offset index of one segment (`<base>.index`, format in
// docs/formats/segment.md). Maps a batch's relative offset to its file position and records the
// segment's running maximum timestamp up to that batch (for lookups by time).
// Threading: not synchronized; the owning PartitionLog serializes writers and readers.
// The index is derived data: any damage is repaired by dropping entries and rebuilding from the log.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/strong_types.h"
#include "io/file.h"

namespace el::storage {

struct IndexEntry {
  RelativeOffset relative_offset;  // batch base offset - segment base offset
  FilePos position;                // where the batch starts in the .log file
  TimestampMs max_timestamp;       // max batch maxTimestamp from the segment start to this batch
};

inline constexpr uint32_t kIndexMagic = 0x454C4958;  // "ELIX"
inline constexpr uint16_t kIndexVersion = 1;
inline constexpr size_t kIndexHeaderSize = 16;
inline constexpr size_t kIndexEntrySize = 20;

class SegmentIndex {
 public:
  // Opens or creates `path`. Keeps the longest valid prefix of entries (strictly increasing offsets
  // and positions, positions < log_size) and truncates the file after it; a file with a bad header
  // or another base offset is reset to an empty index. Errors: IOError only.
  static Result<std::unique_ptr<SegmentIndex>> Open(std::string path, Offset base, uint64_t log_size);

  const std::vector<IndexEntry>& entries() const { return entries_; }
  // Appends one entry (file and memory). The entry must sort after the last one.
  Status Add(const IndexEntry& entry);
  // Keeps the first `count` entries.
  Status TruncateTo(size_t count);
  // Index of the last entry whose relative offset <= `target`, or nullopt.
  std::optional<size_t> Floor(RelativeOffset target) const;
  Status Sync() { return file_->Sync(); }

 private:
  SegmentIndex(std::unique_ptr<io::File> file, std::vector<IndexEntry> entries)
      : file_(std::move(file)), entries_(std::move(entries)) {}
  std::unique_ptr<io::File> file_;
  std::vector<IndexEntry> entries_;
};

}  // namespace el::storage
