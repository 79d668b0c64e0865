#pragma once
// Record-level scans inside one stored RecordBatch v2, for answers that need a record's own offset
// rather than its batch's (ListOffsets by timestamp). Only uncompressed batches can be scanned: the
// broker stores compressed batches as received and never decompresses them.
#include <cstdint>
#include <optional>
#include <span>

#include "base/strong_types.h"

namespace el::storage {

// The offset of the first record (in offset order) of `batch` whose timestamp is >= `ts`, given the
// batch's base offset `base`. nullopt when the batch is compressed, its records are malformed, or no
// record qualifies; callers then fall back to the batch's base offset. With LogAppendTime every record
// carries the batch's max timestamp, so the answer is `base` when max >= ts.
std::optional<Offset> FirstRecordAtOrAfter(std::span<const uint8_t> batch, Offset base, TimestampMs ts);

}  // namespace el::storage
