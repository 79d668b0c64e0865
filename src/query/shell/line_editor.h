#pragma once
// Line editing for the shell through libedit's readline interface: cursor keys and Emacs keys,
// history recalled with the arrow keys and kept in a file across sessions, and Tab completion.
// libedit's readline interface is one per process, so is this: create one LineEditor at a time.
// Threading: the shell's thread. Ctrl-C is seen through `interrupt`, the flag a SIGINT handler
// sets (the caller installs it, without SA_RESTART, so that a read at the prompt returns).
#include <csignal>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace el::query::shell {

// Completion candidates for `word`, given the text before it on the line.
using Completer =
    std::function<std::vector<std::string>(std::string_view before, std::string_view word)>;

enum class ReadStatus { kLine, kInterrupted, kEnd };

class LineEditor {
 public:
  // Reads the history from `history_path` (absent: empty; an empty path keeps no history).
  LineEditor(std::string history_path, Completer completer, volatile std::sig_atomic_t& interrupt);
  ~LineEditor();
  LineEditor(const LineEditor&) = delete;
  LineEditor& operator=(const LineEditor&) = delete;

  // Clears the interrupt flag, shows `prompt` and reads a line: kLine with the line, kInterrupted
  // on Ctrl-C (the line typed is dropped), kEnd on Ctrl-D at an empty line or end of input. A
  // Ctrl-C that comes after the line was taken leaves the flag set for the statement's runner.
  ReadStatus Read(const std::string& prompt, std::string* line);
  // Appends an entry to the history, unless it repeats the last one, and saves the history file
  // (the last 1000 entries, mode 0600).
  void AddHistory(const std::string& entry);

 private:
  std::string history_path_;
  volatile std::sig_atomic_t& interrupt_;
};

}  // namespace el::query::shell
