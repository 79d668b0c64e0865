#pragma once
// Refills a lander's dedup window (jobs/dedup_window.h) from the lake at start and when a consumer
// group hands it partitions: the ids of the events the lake's topic table holds, committed ones
// only, within the window before each partition's newest landed event. A local lake's files are
// read in place; an S3 lake's committed files are fetched, newest range first per partition, into
// a scratch folder until a file reaches past the window (or the window's id bound is met), then
// read the same way and removed.
// Threading: the landing thread only.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <set>
#include <string>

#include "base/result.h"
#include "clients/duck/duck.h"
#include "jobs/dedup_window.h"
#include "jobs/lake_target.h"

namespace el::jobs {

struct DedupFill {
  std::string topic;
  std::string field;  // the id field (`[lander] dedup_field`)
  std::chrono::milliseconds window{0};
  size_t max_ids = 0;
  std::filesystem::path scratch;  // S3: where fetched files go (created, then removed)
};

// Adds to `window` the ids of `partitions` that the lake holds within the window. Errors: IOError
// (the lake cannot be listed or read), the store's errors, DuckDB's (a file it cannot read).
Status FillDedupWindow(duck::Connection& con, LakeTarget& target, const DedupFill& fill,
                       const std::set<int32_t>& partitions, DedupWindow& window);

}  // namespace el::jobs
