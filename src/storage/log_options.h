#pragma once
// Tuning knobs of a partition log (segment roll size, index density).
#include <cstdint>

namespace el::storage {

struct LogOptions {
  uint64_t segment_bytes = 128ull << 20;  // roll to a new segment file past this size
  uint64_t index_interval_bytes = 4096;   // one sparse index entry per this many bytes
};

}  // namespace el::storage
