#pragma once
// The interactive SQL shell of `eventlake query` on a terminal: reads input with line editing,
// history and completion (line_editor.h), runs dot commands (dot_commands.h) and SQL once a
// statement ends with ';' (runner.h), printing every statement's result in the current mode
// (render.h) and errors to stderr as DuckDB gives them, after "Error: ".
// Ctrl-C cancels the statement being typed or the one running and never leaves the shell; Ctrl-D
// or .quit leaves. Threading: runs on the calling thread; installs a SIGINT handler while it runs.
#include <string>

#include "query/session.h"
#include "query/shell/render.h"

namespace el::query::shell {

struct ShellOptions {
  Mode mode = Mode::kDuckbox;
  std::string history_path;  // empty: no history file
};

// Runs the shell until .quit, .exit or Ctrl-D; returns the exit code (0).
int RunShell(Session& session, const ShellOptions& options);

}  // namespace el::query::shell
