#pragma once
// RecordReader: the records of one partition of a Fetch response, decoded lazily (RecordBatch v2,
// KIP-98) into views that point into the response buffer, or, for a compressed batch, into the
// reader's decompression buffer; nothing is copied per record. What it does, as Kafka's own
// consumers do:
//   - checks each batch's CRC-32C and lengths (a corrupt batch is a DataLoss error naming the
//     partition; a partial batch at the end of the response is the broker's cut, not an error);
//   - skips records below `fetch_offset` (a batch may start before the requested offset);
//   - read_committed: skips control batches and the batches of transactions the response lists as
//     aborted (a producer's batches from an aborted transaction's first offset up to its abort
//     marker);
//   - gives log-append-time batches' records the batch's max timestamp.
// Lifetime: the bytes passed to Reset, and the Decompressor, must outlive the reader's use; a
// Record returned by Next is valid until the next call of Next or Reset. Threading: one thread.
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "clients/fetch/codecs.h"

namespace el::fetch {

// One record, as views.
struct Record {
  int32_t partition = 0;
  int64_t offset = 0;
  int64_t timestamp_ms = -1;
  bool log_append_time = false;  // the broker stamped it (message.timestamp.type=LogAppendTime)
  std::optional<std::string_view> key;    // nullopt: null key
  std::optional<std::string_view> value;  // nullopt: null value (a tombstone)
};

struct AbortedTxn {
  int64_t producer_id = 0;
  int64_t first_offset = 0;
};

class RecordReader {
 public:
  // Largest size a compressed batch may decompress to.
  static constexpr size_t kMaxBatchBytes = 256 << 20;

  explicit RecordReader(Decompressor* decompressor) : decompressor_(decompressor) {}

  // Starts reading `records` (whole batches, maybe a partial one at the end) of `partition` from
  // `fetch_offset`; `aborted` as listed by the response (any order), empty for read_uncommitted.
  void Reset(int32_t partition, int64_t fetch_offset, std::span<const uint8_t> records,
             std::span<const AbortedTxn> aborted);

  // Fills `out` with the next record; false at the end. Errors: DataLoss (bad CRC, malformed
  // record, bad compressed data), InvalidArgument (message format older than v2, unknown codec),
  // ResourceExhausted; each names the partition and offset.
  Result<bool> Next(Record& out);

 private:
  struct Batch {
    int64_t base_offset = 0;
    int64_t base_timestamp = 0;
    int64_t max_timestamp = 0;
    bool log_append_time = false;
    int32_t remaining = 0;          // records left in the batch
    std::span<const uint8_t> body;  // its (decompressed) records
    size_t pos = 0;
  };
  // Moves to the next batch holding records to give; false at the end.
  Result<bool> NextBatch();
  // Whether a data batch of `producer_id` ending at `last_offset` is part of an aborted
  // transaction; a control batch ends one (read_committed bookkeeping, as KafkaConsumer does).
  bool Aborted(int64_t producer_id, int64_t last_offset, bool control,
               std::span<const uint8_t> body);
  Status Error(const std::string& what) const;

  Decompressor* decompressor_;
  int32_t partition_ = 0;
  int64_t fetch_offset_ = 0;
  std::span<const uint8_t> records_;
  size_t pos_ = 0;
  std::vector<AbortedTxn> aborted_;  // not yet reached, by first offset descending
  std::vector<int64_t> aborting_;    // producers whose aborted transaction is open
  Batch batch_;
};

}  // namespace el::fetch

namespace el::fetch {

// The offset after the last whole batch of `records` (as its headers say; nothing is verified),
// or nullopt when it holds no whole batch. Lets a client send its next Fetch before the records
// are decoded.
std::optional<int64_t> OffsetAfter(std::span<const uint8_t> records);

}  // namespace el::fetch
