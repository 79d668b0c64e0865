#pragma once
// Convert: turns a lake of format 1 (a topic's table beside one table folder per event type, every
// event written twice) into format 2 (the topic's table partitioned by event type, lake/layout.h).
// For each topic with progress records, under its publish lock (no lander may run):
//   1. recovery as format 1 reads it, and the committed offsets;
//   2. the topic table's files, range by range, are written anew into a hidden folder
//      (LAKE/_convert/new/<topic>) in format 2, with fresh schema histories;
//   3. the old table folder moves to LAKE/_convert/<topic>.v1 and the new one takes its place;
//      the progress records become the committed offsets;
//   4. the event types' old table folders (`<topic>_<type>`, whose events are all in the topic's
//      table) and the old folder are removed.
// Then LAKE/_format records format 2. A crash at any point loses nothing: the next run picks up
// where it stopped (a topic table already in format 2 goes on with step 4).
// Threading: blocks the calling thread.
#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"

namespace el::jobs {

struct ConvertOptions {
  std::string lake_dir;
  std::string event_type_field = "event_type";  // the field the lake's type tables were named by
};

struct ConvertSummary {
  int from_format = 0;
  std::vector<std::string> topics;  // topic tables converted
  int64_t files_before = 0;         // data files read
  int64_t files_after = 0;          // data files written
  int64_t rows = 0;
  std::vector<std::string> removed_tables;  // event types' old tables
};

// Errors: FailedPrecondition (a newer lake format; a lander running; a file eventlake did not
// write in a topic table), IOError, Internal (DuckDB could not read or write).
Result<ConvertSummary> Convert(const ConvertOptions& options);

// "converted LAKE from lake format 1 to 2: ..." or "LAKE is already in lake format 2".
std::string FormatConvertSummary(const std::string& lake_dir, const ConvertSummary& summary);

}  // namespace el::jobs
