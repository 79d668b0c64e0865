#pragma once
// Runs the shell's SQL against a Session's connection: every statement of a text in turn
// (duckdb_extract_statements, duckdb_prepare_extracted_statement), each through DuckDB's pending
// API one task at a time, so that an interrupt request (a flag a SIGINT handler sets) stops it
// between tasks. Threading: the session's thread; only the interrupt flag is shared with a
// signal handler. Lifetime: `session` must outlive the runner.
#include <csignal>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "query/session.h"
#include "query/shell/render.h"

namespace el::query::shell {

struct StatementOutcome {
  std::optional<Table> table;  // set for statements that return rows (SELECT, SHOW, PRAGMA ...)
  bool explain = false;        // EXPLAIN: the last column holds the plan, drawn over many lines
  double real_seconds = 0;
  double user_seconds = 0;
  double sys_seconds = 0;
};

class Runner {
 public:
  // `interrupt` is the flag a SIGINT handler sets; while it is set, every statement is stopped
  // (the caller clears it when it reads new input).
  Runner(Session& session, volatile std::sig_atomic_t& interrupt)
      : session_(session), interrupt_(interrupt) {}

  // Runs every statement of `sql` in order, handing each one's outcome to `on_statement`, and
  // stops at the first failure. Errors: InvalidArgument with DuckDB's message as it is (several
  // lines: "Parser Error: ...", "LINE 1: ...", the caret line), Cancelled when interrupted.
  Status Run(std::string_view sql,
             const std::function<void(const StatementOutcome&)>& on_statement);

 private:
  Status RunText(const std::string& text, const std::function<void(const StatementOutcome&)>& on);

  Session& session_;
  volatile std::sig_atomic_t& interrupt_;
};

}  // namespace el::query::shell
