#include "storage/producer_state.h"

#include <limits>

namespace el::storage {
namespace {

constexpr int64_t kSequenceSpace = int64_t{std::numeric_limits<int32_t>::max()} + 1;

// The sequence after `seq`: Kafka wraps from INT32_MAX to 0.
int32_t NextSequence(int32_t seq) {
  return seq == std::numeric_limits<int32_t>::max() ? 0 : seq + 1;
}

}  // namespace

int32_t LastSequence(const BatchHeader& h) {
  if (h.base_sequence < 0) return h.base_sequence;
  return static_cast<int32_t>((int64_t{h.base_sequence} + h.last_offset_delta) % kSequenceSpace);
}

SequenceCheck ProducerStateTable::Check(const BatchHeader& h) const {
  if (h.producer_id < 0) return {};
  auto it = producers_.find(h.producer_id);
  if (it == producers_.end()) {
    // Kafka: a producer this partition has never seen must start at sequence 0; otherwise its
    // state was lost (retention, or older than the log tail scanned at Open).
    if (h.base_sequence != 0) return {SequenceVerdict::kUnknownProducer, {}};
    return {};
  }
  const Producer& p = it->second;
  if (h.producer_epoch < p.epoch) return {SequenceVerdict::kStaleEpoch, {}};
  if (h.producer_epoch > p.epoch) {
    // A bumped epoch restarts the sequence at 0.
    if (h.base_sequence != 0) return {SequenceVerdict::kOutOfOrder, {}};
    return {};
  }
  int32_t last = LastSequence(h);
  for (const BatchMeta& b : p.batches) {
    if (b.first_seq == h.base_sequence && b.last_seq == last) {
      return {SequenceVerdict::kDuplicate, b.base};
    }
  }
  if (p.batches.empty()) {
    if (h.base_sequence != 0) return {SequenceVerdict::kOutOfOrder, {}};
    return {};
  }
  if (h.base_sequence != NextSequence(p.batches.back().last_seq)) {
    return {SequenceVerdict::kOutOfOrder, {}};
  }
  return {};
}

void ProducerStateTable::Record(const BatchHeader& h, Offset base) {
  if (h.producer_id < 0) return;
  Producer& p = producers_[h.producer_id];
  if (h.producer_epoch != p.epoch) {
    p.epoch = h.producer_epoch;
    p.batches.clear();
  }
  p.batches.push_back({h.base_sequence, LastSequence(h), base});
  while (p.batches.size() > kMaxBatchesPerProducer) p.batches.pop_front();
}

}  // namespace el::storage
