#include "query/shell/shell.h"

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

#include "query/shell/completion.h"
#include "query/shell/dot_commands.h"
#include "query/shell/line_editor.h"
#include "query/shell/runner.h"
#include "query/shell/terminal.h"

namespace el::query::shell {
namespace {

// Set by the SIGINT handler; read by the line editor at the prompt and by the runner between a
// running statement's tasks, which then calls duckdb_interrupt from the shell's own thread (so
// the handler does nothing but store to a sig_atomic_t).
volatile std::sig_atomic_t g_interrupt = 0;
extern "C" void OnSigint(int) { g_interrupt = 1; }

constexpr int kMaxReadDepth = 16;

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  size_t e = s.find_last_not_of(" \t\r\n");
  return b == std::string_view::npos ? "" : std::string(s.substr(b, e - b + 1));
}

class Shell {
 public:
  Shell(Session& session, const ShellOptions& options)
      : session_(session),
        runner_(session, g_interrupt),
        dots_(session, state_, [this](const std::string& path) { return ReadFile(path); }) {
    state_.mode = options.mode;
  }

  void Loop(LineEditor& editor);
  std::vector<std::string> Complete(std::string_view before, std::string_view word);

 private:
  // One line of input, typed or read from a file. Returns false when a statement was interrupted.
  bool Feed(const std::string& line);
  bool RunSql(const std::string& sql);
  bool ReadFile(const std::string& path);
  void Report(const Status& st);

  Session& session_;
  ShellState state_;
  Runner runner_;
  DotCommands dots_;
  std::string pending_;  // SQL typed so far, not yet ended by ';'
  std::optional<Catalog> catalog_;
  int read_depth_ = 0;
};

void Shell::Loop(LineEditor& editor) {
  std::string entry;  // the history entry of the statement being typed
  while (!state_.quit) {
    std::string line;
    ReadStatus rs = editor.Read(pending_.empty() ? "eventlake> " : "      ...> ", &line);
    if (rs == ReadStatus::kEnd) break;
    if (rs == ReadStatus::kInterrupted) {
      pending_.clear();
      entry.clear();
      std::cout << "\n" << std::flush;
      continue;
    }
    std::string trimmed = Trim(line);
    if (!trimmed.empty()) {
      // One line per statement, unless a "--" comment would swallow the lines after it.
      size_t dashes = entry.rfind("--");
      size_t newline = entry.rfind('\n');
      bool comment =
          dashes != std::string::npos && (newline == std::string::npos || dashes > newline);
      entry += (entry.empty() ? "" : comment ? "\n" : " ") + trimmed;
    }
    Feed(line);
    if (pending_.empty()) {
      editor.AddHistory(entry);
      entry.clear();
    }
  }
  if (state_.output) state_.output->flush();
  if (!state_.quit) std::cout << "\n" << std::flush;
}

bool Shell::Feed(const std::string& line) {
  std::string trimmed = Trim(line);
  if (pending_.empty()) {
    if (trimmed.empty()) return true;
    if (trimmed[0] == '.') {
      Report(dots_.Run(trimmed));
      return true;
    }
  }
  pending_ += line + "\n";
  if (!IsCompleteSql(pending_)) return true;
  std::string sql = std::move(pending_);
  pending_.clear();
  return RunSql(sql);
}

bool Shell::RunSql(const std::string& sql) {
  catalog_.reset();  // the statements may create or drop tables
  Status st = runner_.Run(sql, [&](const StatementOutcome& outcome) {
    std::ostream& out = state_.Out();
    if (outcome.table && outcome.explain && state_.mode == Mode::kDuckbox) {
      for (const auto& row : outcome.table->rows) {
        if (!row.empty() && row.back()) out << *row.back() << "\n";
      }
    } else if (outcome.table) {
      RenderOptions options{state_.mode, state_.max_width > 0 ? state_.max_width : TerminalWidth(),
                            state_.max_rows};
      out << Render(*outcome.table, options);
    }
    if (state_.timer) {
      char buf[128];
      std::snprintf(buf, sizeof buf, "Run Time (s): real %.3f user %.6f sys %.6f\n",
                    outcome.real_seconds, outcome.user_seconds, outcome.sys_seconds);
      out << buf;
    }
    out.flush();
  });
  Report(st);
  return st.code() != StatusCode::kCancelled;
}

bool Shell::ReadFile(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return false;
  std::ifstream in(path);
  if (!in) return false;
  if (read_depth_ >= kMaxReadDepth) {
    Report(InvalidArgument(".read nested more than " + std::to_string(kMaxReadDepth) + " deep"));
    return true;
  }
  ++read_depth_;
  std::string saved = std::move(pending_);  // .read runs only between statements: empty
  pending_.clear();
  std::string line;
  bool go_on = true;
  while (go_on && !state_.quit && std::getline(in, line)) go_on = Feed(line);
  if (go_on && !Trim(pending_).empty()) RunSql(pending_);  // a last statement without ';'
  pending_ = std::move(saved);
  --read_depth_;
  return true;
}

void Shell::Report(const Status& st) {
  if (st.ok()) return;
  state_.Out().flush();
  std::cout.flush();
  std::cerr << "Error: " << st.message() << std::endl;
}

std::vector<std::string> Shell::Complete(std::string_view before, std::string_view word) {
  if (!catalog_) {
    auto loaded = LoadCatalog(session_.connection());
    catalog_ = loaded.ok() ? std::move(*loaded) : Catalog{};
  }
  return shell::Complete(*catalog_, before, word);
}

}  // namespace

int RunShell(Session& session, const ShellOptions& options) {
  struct sigaction action {};
  struct sigaction previous {};
  action.sa_handler = OnSigint;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: a read at the prompt returns
  ::sigaction(SIGINT, &action, &previous);
  {
    Shell shell(session, options);
    LineEditor editor(
        options.history_path,
        [&shell](std::string_view before, std::string_view word) {
          return shell.Complete(before, word);
        },
        g_interrupt);
    shell.Loop(editor);
  }
  ::sigaction(SIGINT, &previous, nullptr);
  return 0;
}

}  // namespace el::query::shell
