#pragma once
// The shell's dot commands (.help, .tables, .schema, .mode, .timer, .output, .read, .maxrows,
// .maxwidth, .quit/.exit), run on the shell's state. Threading: the shell's thread. Lifetime:
// `session` and `state` must outlive the DotCommands.
#include <fstream>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "query/session.h"
#include "query/shell/render.h"

namespace el::query::shell {

// What the dot commands change and the shell reads.
struct ShellState {
  Mode mode = Mode::kDuckbox;
  bool timer = false;
  size_t max_rows = 40;
  size_t max_width = 0;                   // 0: the terminal's width
  std::unique_ptr<std::ofstream> output;  // .output FILE; null: standard output
  bool quit = false;

  std::ostream& Out();
};

// Every command's name, with its dot (".help").
const std::vector<std::string>& DotCommandNames();

// Splits a dot command line into words; '...' and "..." quote a word with blanks.
std::vector<std::string> DotCommandWords(std::string_view line);

class DotCommands {
 public:
  // `read_file` runs a file's lines as shell input (for .read); it returns false when the file
  // cannot be opened.
  DotCommands(Session& session, ShellState& state,
              std::function<bool(const std::string&)> read_file)
      : session_(session), state_(state), read_file_(std::move(read_file)) {}

  // Runs one dot command line (".mode csv"). Errors: InvalidArgument (unknown command, bad
  // argument), NotFound (.read or .schema of something that does not exist), IOError (.output to
  // a file that cannot be written), or DuckDB's message.
  Status Run(std::string_view line);

 private:
  Status Tables();
  Status Schema(const std::vector<std::string>& args);
  Status SetMode(const std::vector<std::string>& args);
  Status Output(const std::vector<std::string>& args);

  Session& session_;
  ShellState& state_;
  std::function<bool(const std::string&)> read_file_;
};

}  // namespace el::query::shell
