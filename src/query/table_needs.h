#pragma once
// What SQL reads of a lake whose files must be fetched before DuckDB can read them (an S3 lake):
// which tables it names, and which Hive partition folders of each its filters leave in play.
//
// Tables: every name of `tables` that the SQL holds as a word or a quoted identifier (case
// folded), so that DESCRIBE, SUMMARIZE and statements DuckDB cannot serialize still find theirs.
// Partition pruning, from DuckDB's own parse tree (json_serialize_sql; SELECT statements only):
// a table reference directly in a SELECT's FROM (alone, or in joins of the plain kinds: inner,
// outer, cross, natural; not ASOF or POSITIONAL) is constrained by the conjuncts of that SELECT's
// WHERE of the forms `col = constant`, `constant = col` and `col IN (constants...)`, where `col`
// is `alias.col` / `table.col`, or a bare `col` when the table is the FROM's only item. A table is
// pruned on a column only when every reference to it in the SQL is constrained on that column (the
// allowed values are then the union). Anything else (a reference in a subquery without such a
// filter, OR, functions of the column, a statement DuckDB cannot serialize) prunes nothing: the
// rule only ever leaves out folders whose rows the query's own filters would drop.
// Threading: free functions; the connection is used on the calling thread.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "clients/duck/duck.h"

namespace el::query {

struct TableNeed {
  // Column (lower case) -> the constants' text allowed for it; a column not here: any value.
  std::map<std::string, std::set<std::string>> allowed;
};

// Table name (as given in `tables`) -> what the SQL needs of it; tables the SQL does not name are
// absent. `con` parses the statements (nothing is run).
std::map<std::string, TableNeed> TablesNeeded(duck::Connection& con, std::string_view sql,
                                              const std::vector<std::string>& tables);

// Whether a file below the Hive folders `folders` ("col=value" segments of its key, others
// ignored) may hold rows `need` lets through. A folder value matches a constant when its decoded
// text equals it, or both read as the same number, or both start with the same YYYY-MM-DD date;
// the null folder (__HIVE_DEFAULT_PARTITION__) matches no constant.
bool FoldersMayMatch(const TableNeed& need, const std::vector<std::string>& folders);

}  // namespace el::query
