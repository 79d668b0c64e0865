// BatchEntry: storage::ParseBatch over arbitrary bytes, plus the invariants of an accepted batch.
#include <string>
#include <vector>

#include "fuzz/entries.h"
#include "storage/batch_header.h"

namespace el::fuzz {

Status BatchEntry(Input data) {
  // An exactly sized copy, so that a read past the input is caught by ASan.
  std::vector<uint8_t> bytes(data.begin(), data.end());
  Result<storage::BatchHeader> h = storage::ParseBatch(bytes);
  if (!h.ok()) return Status::Ok();
  if (h->magic != 2 || h->batch_length < storage::kMinBatchLength || h->total_size() > bytes.size()) {
    return Internal("accepted batch is not whole: total size " + std::to_string(h->total_size()) +
                    " of " + std::to_string(bytes.size()) + " bytes");
  }
  if (h->last_offset_delta < 0 || h->record_count < 0) return Internal("accepted negative counts");
  Result<storage::BatchHeader> raw = storage::ReadBatchHeader(bytes);
  if (!raw.ok() || raw->crc != h->crc || raw->batch_length != h->batch_length) {
    return Internal("ReadBatchHeader disagrees with ParseBatch");
  }
  // baseOffset is outside the CRC: rewriting it (as the log does on append) keeps the batch valid.
  storage::SetBaseOffset(bytes, Offset(12345));
  Result<storage::BatchHeader> moved = storage::ParseBatch(bytes);
  if (!moved.ok() || moved->base_offset != 12345) {
    return Internal("batch invalid after SetBaseOffset");
  }
  return Status::Ok();
}

}  // namespace el::fuzz
