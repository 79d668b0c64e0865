#pragma once
// Tuning knobs of a partition log: segment roll, retention and flush policy. Broker-wide defaults
// come from flags; a topic's own configs (topic_config.h) override them per topic.
#include <cstdint>

#include "base/histogram.h"

namespace el::storage {

struct LogOptions {
  uint64_t segment_bytes = 128ull << 20;  // roll to a new segment file past this size
  // Roll a non-empty active segment once it is this old (wall clock since it was created or the
  // log was opened); checked by the periodic maintenance task. <= 0: never.
  int64_t segment_ms = 7ll * 24 * 3600 * 1000;
  // Delete closed segments whose newest batch timestamp is older than this. < 0: keep forever.
  int64_t retention_ms = -1;
  // Delete the oldest closed segments while the log stays at least this big without them. < 0: no
  // size limit.
  int64_t retention_bytes = -1;
  // acks=0/1 appends: fdatasync once this many bytes are unsynced (0: never by size).
  uint64_t flush_bytes = 0;
  uint64_t index_interval_bytes = 4096;   // one sparse index entry per this many bytes
  // Observes the time of every fdatasync of a partition's log (not owned; null: none). LogManager
  // points it at its own histogram.
  LatencyHistogram* fsync_latency = nullptr;
};

}  // namespace el::storage
