#pragma once
// The terminal the shell runs in. Threading: free functions, no shared state.
#include <cstddef>

namespace el::query::shell {

// Columns of the terminal on standard output (TIOCGWINSZ), else $COLUMNS, else 80.
size_t TerminalWidth();

}  // namespace el::query::shell
