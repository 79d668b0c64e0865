#include "query/shell/line_editor.h"

#include <langinfo.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <clocale>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <utility>

#include <editline/readline.h>

namespace el::query::shell {
namespace {

constexpr int kHistoryEntries = 1000;

// libedit calls plain C functions; they reach the one editor's completer through these.
std::unique_ptr<Completer> g_completer;
std::vector<std::string> g_matches;
size_t g_next_match = 0;

char* NextMatch(const char* /*text*/, int state) {
  if (state == 0) g_next_match = 0;
  if (g_next_match >= g_matches.size()) return nullptr;
  return ::strdup(g_matches[g_next_match++].c_str());
}

char** CompleteWord(const char* text, int start, int /*end*/) {
  rl_attempted_completion_over = 1;  // no file name completion in its place
  if (g_completer == nullptr) return nullptr;
  try {
    g_matches = (*g_completer)(std::string_view(rl_line_buffer, static_cast<size_t>(start)), text);
  } catch (...) {
    g_matches.clear();  // never let an exception cross into libedit
  }
  if (g_matches.empty()) return nullptr;
  return rl_completion_matches(text, NextMatch);
}

// The interrupt flag, for ReadByte.
volatile std::sig_atomic_t* g_interrupt = nullptr;

// One byte from the terminal, or -1 at end of input or once Ctrl-C has set the interrupt flag.
// A SIGINT that arrives while libedit is busy (not blocked in read) is seen here at its next
// byte, one that arrives during read() through EINTR (the handler is installed without
// SA_RESTART).
int ReadByte(FILE* in) {
  for (;;) {
    if (g_interrupt != nullptr && *g_interrupt != 0) return -1;
    unsigned char c = 0;
    ssize_t n = ::read(::fileno(in), &c, 1);
    if (n == 1) return c;
    if (n < 0 && errno == EINTR) continue;
    return -1;
  }
}

// libedit's input function: one character (a Unicode code point: libedit takes what this
// returns as a wide character) decoded from the terminal's UTF-8, or -1 (which ends the read as
// at end of input). A byte that does not start valid UTF-8 stands for itself.
int ReadChar(FILE* in) {
  int first = ReadByte(in);
  if (first < 0xC0 || first > 0xF4) return first;
  int more = first >= 0xF0 ? 3 : first >= 0xE0 ? 2 : 1;
  int code = first & (0x3F >> more);
  for (int i = 0; i < more; ++i) {
    int next = ReadByte(in);
    if (next < 0) return -1;
    if ((next & 0xC0) != 0x80) return 0xFFFD;
    code = (code << 6) | (next & 0x3F);
  }
  return code;
}

// libedit turns wide characters into text with the C library's multibyte functions: the
// character type of the locale must be UTF-8 (the user's when it is, else C.UTF-8).
void UseUtf8Locale() {
  const char* locale = std::setlocale(LC_CTYPE, "");
  if (locale == nullptr || std::string_view(nl_langinfo(CODESET)) != "UTF-8") {
    std::setlocale(LC_CTYPE, "C.UTF-8");
  }
}

// Word breaks: blanks, operators and punctuation, and '.' so that "t.col" and ".mode" complete
// their last part.
char g_word_breaks[] = " \t\n\"'`@$><=;|&{(),.+-*/%";

}  // namespace

LineEditor::LineEditor(std::string history_path, Completer completer,
                       volatile std::sig_atomic_t& interrupt)
    : history_path_(std::move(history_path)), interrupt_(interrupt) {
  g_completer = std::make_unique<Completer>(std::move(completer));
  g_interrupt = &interrupt;
  rl_readline_name = const_cast<char*>("eventlake");
  UseUtf8Locale();
  rl_getc_function = ReadChar;  // before rl_initialize, which installs it
  rl_initialize();
  rl_attempted_completion_function = CompleteWord;
  rl_completer_word_break_characters = g_word_breaks;
  rl_basic_word_break_characters = g_word_breaks;  // the one libedit reads
  stifle_history(kHistoryEntries);
  if (!history_path_.empty()) read_history(history_path_.c_str());
}

LineEditor::~LineEditor() { g_completer.reset(); }

ReadStatus LineEditor::Read(const std::string& prompt, std::string* line) {
  interrupt_ = 0;
  char* text = readline(prompt.c_str());
  if (text == nullptr) return interrupt_ != 0 ? ReadStatus::kInterrupted : ReadStatus::kEnd;
  // A line taken before Ctrl-C came: the flag stays set, so that its statement is cancelled.
  *line = text;
  std::free(text);
  return ReadStatus::kLine;
}

void LineEditor::AddHistory(const std::string& entry) {
  if (entry.empty()) return;
  HIST_ENTRY* last = history_length > 0 ? history_get(history_base + history_length - 1) : nullptr;
  if (last != nullptr && last->line != nullptr && entry == last->line) return;  // no repeats
  add_history(entry.c_str());
  if (history_path_.empty()) return;
  write_history(history_path_.c_str());
  ::chmod(history_path_.c_str(), 0600);  // statements may hold secrets: the user's eyes only
}

}  // namespace el::query::shell
