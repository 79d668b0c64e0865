#pragma once
// Rendering the shell's results in its output modes. Pure functions over a table of text cells.
// The default mode, duckbox, draws a box that fits the terminal: long values are cut with "…",
// middle columns give way to a "…" column when the columns do not fit, and results longer than
// max_rows show their first and last rows around a "·" row, with a footer counting what is shown.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace el::query::shell {

enum class Mode { kDuckbox, kLine, kCsv, kJson, kJsonLines, kMarkdown };

// Parses a mode name: duckbox (alias box, table), line, csv, json, jsonlines, markdown.
// Errors: InvalidArgument naming the modes.
Result<Mode> ParseMode(std::string_view name);
std::string_view ModeName(Mode mode);
// Every mode's name, for .help and completion.
const std::vector<std::string>& ModeNames();

struct Column {
  std::string name;
  std::string type;      // as shown under the name in duckbox ("BIGINT", "VARCHAR[]")
  bool numeric = false;  // right-aligned in duckbox; a bare JSON literal in json modes
  bool boolean = false;  // a bare JSON literal in json modes
};

struct Table {
  std::vector<Column> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;  // nullopt is SQL NULL
};

struct RenderOptions {
  Mode mode = Mode::kDuckbox;
  size_t max_width = 80;  // duckbox: terminal columns
  size_t max_rows = 40;   // duckbox: rows shown before eliding the middle ones; 0 = all
};

std::string Render(const Table& table, const RenderOptions& options);

// Terminal columns that UTF-8 text takes: East Asian wide and emoji code points count 2,
// combining marks 0, other code points (and bytes that are not valid UTF-8) 1.
size_t DisplayWidth(std::string_view text);
// The longest prefix of `text` (whole code points) that is at most `width` columns wide,
// followed by "…" when text was cut (the "…" counted in `width`).
std::string Truncate(std::string_view text, size_t width);

}  // namespace el::query::shell
