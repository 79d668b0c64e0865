#pragma once
// Lexing SQL text just enough to find where statements end: top-level ';' outside quoted strings
// ('...', E'...' with backslash escapes), quoted identifiers ("..."), dollar-quoted strings
// ($$...$$, $tag$...$tag$) and comments (-- to end of line, /* ... */).
// Threading: free functions, no shared state.
#include <string>
#include <string_view>
#include <vector>

namespace el::query {

// Splits SQL text into statements at top-level ';'; empty statements (blanks and comments only)
// are dropped. The ';' itself is not part of a statement.
std::vector<std::string> SplitStatements(std::string_view sql);

// True when `sql` holds at least one statement and its last one is terminated by a top-level ';'
// (only blanks and comments may follow): what a shell waits for before running its input.
bool IsCompleteSql(std::string_view sql);

}  // namespace el::query
