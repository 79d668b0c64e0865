#pragma once
// ReplayDeadLetters: `eventlake replay-dead-letter`. After a fix (a larger size limit, a producer
// that now sends valid JSON by hand-edited re-send, ...) the raw values of `<table>_dead_letter`
// rows are produced again, with their original key, to their source topic (the row's `_topic`)
// or to `topic` when given; the lander then lands them like any new event (a value that is still
// bad becomes a new dead-letter row with its new offset).
// Replayed rows are remembered in `LAKE/<table>_dead_letter/_replayed.tsv` (one line
// `topic\tpartition\toffset` per row, appended and fsynced once the broker acknowledged the
// produce), so a second run replays nothing. In an S3 lake the ledger is that object of the
// bucket, rewritten whole with a conditional PUT (If-Match on the ETag it was read with,
// If-None-Match: * when new), read again and retried when another run wrote it meanwhile.
// Guarantee: at least once; a crash between the broker's acknowledgement and the ledger write
// replays those rows again on the next run. Raw values are the text the dead-letter table holds
// (invalid UTF-8 bytes as "\xNN"). Threading: blocks the calling thread (plus the producer's poll
// thread).
#include <cstdint>
#include <string>

#include "base/result.h"

namespace el {
namespace objstore {
class ObjectStore;
}

namespace jobs {

struct ReplayOptions {
  std::string lake_dir;
  std::string table;  // the landed table; rows come from <table>_dead_letter
  std::string brokers;
  std::string topic;  // empty: each row's own _topic
  // An S3 lake: `lake_dir` is a local folder laid out as the lake that holds the dead-letter
  // table's committed files (query/s3_lake.h), and the ledger lives in `store` (not owned).
  objstore::ObjectStore* store = nullptr;
};

struct ReplaySummary {
  int64_t replayed = 0;
  int64_t already_replayed = 0;
  int64_t failed = 0;
  std::string dead_letter_table;
};

// Errors: NotFound (no dead-letter table), Unavailable (broker did not acknowledge in time),
// IOError (ledger), FailedPrecondition (the ledger kept changing under this run), the store's
// errors, Internal (DuckDB).
Result<ReplaySummary> ReplayDeadLetters(const ReplayOptions& options);

std::string FormatReplaySummary(const ReplayOptions& options, const ReplaySummary& summary);

}  // namespace jobs
}  // namespace el
