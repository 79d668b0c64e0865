#pragma once
// The lander's planning rules that need no broker (jobs/lander.h): which offsets a batch append
// may land given what the lake already holds, and the name of the consumer group a lander
// commits its landed offsets to when none is given.
// Threading: free functions, no shared state.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "lake/names.h"

namespace el::jobs {

// Offsets first..last of one partition, inclusive.
struct OffsetRange {
  int64_t first = 0;
  int64_t last = 0;
  bool operator==(const OffsetRange&) const = default;
};

// Sorts `ranges` and merges the ones that overlap or touch (0..4 and 5..9 become 0..9).
std::vector<OffsetRange> MergeRanges(std::vector<OffsetRange> ranges);

// partition -> merged offsets of `topic` that the data files at any depth of `dir` hold, read from
// their names (`<topic>+<partition>+<first>-<last>.parquet`, lake/names.h). `next` (the lake's
// progress according to other records, e.g. the default layout's progress records) extends a
// partition's last range up to next - 1 (from offset 0 when no file names the partition).
// Errors: IOError (the folder could not be listed).
Result<std::map<int32_t, std::vector<OffsetRange>>> HeldRanges(const std::filesystem::path& dir,
                                                               const std::string& topic,
                                                               const lake::NextOffsets& next);

// What a batch append does with one partition whose requested range is [start, end), given the
// offsets the lake holds for it (`held`, merged and sorted).
struct AppendDecision {
  int64_t start = 0;        // where to start reading; >= end: nothing to land
  bool resumed = false;     // start moved past `start` to where the lake ends
  std::optional<OffsetRange> overlap;  // an explicit range overlaps this held range: refuse
};
// With `explicit_start` (a range the user gave), the range is kept and the first held range it
// overlaps is reported; otherwise (from earliest) it starts where the lake ends, or at `start`
// when that is further.
AppendDecision DecideAppend(const std::vector<OffsetRange>& held, int64_t start, int64_t end,
                            bool explicit_start);

// The refusal of an explicit append range that overlaps what the lake holds, e.g. "table ev
// already holds offsets 0..1 of topic ev partition 0: append lands each offset once; give --from 2
// to land after them, or --mode overwrite to replace what table ev holds". `holder` names what
// holds the offsets ("table ev", "job extract_events"); `overlaps`: partition -> held range;
// `lake_end`: the offset after the last one held of any of those partitions.
std::string OverlapMessage(const std::string& holder, const std::string& topic,
                           const std::map<int32_t, OffsetRange>& overlaps, int64_t lake_end);

// FNV-1a (32 bit) of `text`: the same in every run and on every machine.
uint32_t Fnv1a32(const std::string& text);

// The lake's identity for group names: its absolute path with `.`/`..` and symbolic links
// resolved and no trailing '/'; a URI (`s3://bucket/prefix`) as given, without a trailing '/'.
std::string NormalizedLakePath(const std::string& lake_dir);

// The consumer group a lander commits to without --group:
// `eventlake-land-<key>-<8 hex digits of Fnv1a32(NormalizedLakePath(lake_dir))>`, so that landers
// of one topic or job into different lakes never share a group. `key` is the topic or job name.
std::string DefaultGroupName(const std::string& key, const std::string& lake_dir);

}  // namespace el::jobs
