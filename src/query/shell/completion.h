#pragma once
// Completion candidates for the shell: SQL keywords, table and view names, column names, and the
// dot commands with their arguments. Threading: one thread (the shell's).
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "clients/duck/duck.h"

namespace el::query::shell {

struct Catalog {
  std::vector<std::string> keywords;  // upper case, as duckdb_keywords() names them
  std::vector<std::string> tables;    // tables and views
  std::vector<std::string> columns;   // of every table and view
};

// Reads keywords (duckdb_keywords()), tables and views, and their columns through `con`.
// Errors: InvalidArgument with DuckDB's message.
Result<Catalog> LoadCatalog(duck::Connection& con);

// Candidates for completing `word`, the text before the cursor back to a word break, where
// `before` is the line's text before `word`. Dot commands complete at the start of a line
// (`before` is "." and `word` lacks the dot); keywords take the case of `word`'s first letter;
// matching ignores case. Sorted, without duplicates.
std::vector<std::string> Complete(const Catalog& catalog, std::string_view before,
                                  std::string_view word);

}  // namespace el::query::shell
