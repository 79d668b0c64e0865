#pragma once
// ProducerStateTable: per-partition idempotent-producer state (KIP-98), keyed by producer id. For
// each producer it keeps the current epoch and the sequence range and offsets of its last
// kMaxBatchesPerProducer batches, so that a retried batch is recognized (and answered with its
// original offset) and a sequence gap or stale epoch is refused.
// Built from batch headers only (producerId, producerEpoch, baseSequence, lastOffsetDelta): the
// PartitionLog feeds it every appended batch and, at Open, the batches at the log tail.
// Threading: not synchronized; the owning PartitionLog uses it under its append mutex.
#include <cstdint>
#include <deque>
#include <unordered_map>

#include "base/strong_types.h"
#include "storage/batch_header.h"

namespace el::storage {

// What the idempotence check says about one batch.
enum class SequenceVerdict {
  kAppend,             // store it (also every batch with producerId < 0: no checks)
  kDuplicate,          // a retry of a stored batch: answer its original offset, do not store
  kOutOfOrder,         // sequence gap, or a new epoch not starting at 0 (OUT_OF_ORDER_SEQUENCE_NUMBER)
  kStaleEpoch,         // epoch below the producer's current one (INVALID_PRODUCER_EPOCH)
  kUnknownProducer,    // no state for this producer and sequence != 0 (UNKNOWN_PRODUCER_ID)
};

struct SequenceCheck {
  SequenceVerdict verdict = SequenceVerdict::kAppend;
  Offset duplicate_base;  // for kDuplicate: base offset the batch got when first stored
};

class ProducerStateTable {
 public:
  static constexpr size_t kMaxBatchesPerProducer = 5;  // as Kafka: max.in.flight <= 5 with idempotence

  // Checks `h` (a validated v2 batch header) against the state; does not change it.
  SequenceCheck Check(const BatchHeader& h) const;
  // Records a batch stored at offsets [base, base + lastOffsetDelta]. A higher epoch replaces the
  // producer's history. Batches with producerId < 0 are ignored.
  void Record(const BatchHeader& h, Offset base);
  size_t producer_count() const { return producers_.size(); }

 private:
  struct BatchMeta {
    int32_t first_seq;
    int32_t last_seq;
    Offset base;
  };
  struct Producer {
    int16_t epoch = 0;
    std::deque<BatchMeta> batches;  // oldest first, at most kMaxBatchesPerProducer
  };
  std::unordered_map<int64_t, Producer> producers_;
};

// The last sequence number of a batch: baseSequence + lastOffsetDelta, wrapping past INT32_MAX to 0
// as Kafka's sequences do.
int32_t LastSequence(const BatchHeader& h);

}  // namespace el::storage
