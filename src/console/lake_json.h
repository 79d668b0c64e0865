#pragma once
// The Lake page's answers as JSON (docs/console-api.md): tables, dead letters and schema
// histories. Pure functions over what SqlRunner and lake/ read; thread-safe.
#include <string>
#include <vector>

#include "base/result.h"
#include "console/sql_runner.h"

namespace el::console {

// {"tables":[{"name","rows","files","bytes","partitions","last_landed_ms"}]}
std::string TablesJson(const std::vector<TableInfo>& tables);

// {"tables":[{"table","source","rows","replayed","newest":[{"partition","offset","timestamp_ms",
// "error","raw"}]}]}
std::string DeadLettersJson(const std::vector<DeadLetterTable>& tables);

// The schema history of the reader table `table` of the lake at `lake_dir`:
// {"table":..,"histories":[{"folder":..,"versions":[{"version","created","columns":[{"name",
// "type"}],"changes":[..]}]}]} (one history per folder: an event type's table may span several).
// Errors: InvalidArgument (a name that is no table name), NotFound (no such table, or no
// history), IOError, FailedPrecondition (a lake of a newer format).
Result<std::string> SchemaJson(const std::string& lake_dir, const std::string& table);

}  // namespace el::console
