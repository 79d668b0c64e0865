#include "query/shell/dot_commands.h"

#include <algorithm>
#include <charconv>
#include <iostream>
#include <set>
#include <cctype>

#include "query/shell/terminal.h"

namespace el::query::shell {
namespace {

struct Help {
  const char* usage;
  const char* text;
};

const std::vector<Help>& HelpLines() {
  static const std::vector<Help> lines = {
      {".exit", "Leave the shell (also .quit, Ctrl-D)"},
      {".help", "Show this message"},
      {".maxrows N", "duckbox: show at most N rows, the first and last ones (0: all; default 40)"},
      {".maxwidth N", "duckbox: fit N columns (0: the terminal's width)"},
      {".mode [MODE]", "Set the output mode: duckbox, line, csv, json, jsonlines, markdown"},
      {".output [FILE]", "Send results to FILE, or back to standard output without FILE"},
      {".quit", "Leave the shell"},
      {".read FILE", "Run the SQL and dot commands of FILE"},
      {".schema [TABLE]", "Show the CREATE statement of every table, or of TABLE"},
      {".tables", "List the tables and views"},
      {".timer on|off", "Show the run time of every statement"},
  };
  return lines;
}

Result<size_t> ParseCount(const std::string& text) {
  size_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return InvalidArgument("expected a number, got '" + text + "'");
  }
  return n;
}

// Names laid out in columns across the terminal, like `ls`.
std::string InColumns(const std::vector<std::string>& names, size_t width) {
  size_t col = 0;
  for (const std::string& n : names) col = std::max(col, DisplayWidth(n) + 2);
  size_t per_line = std::max<size_t>(1, col == 0 ? 1 : width / col);
  size_t lines = (names.size() + per_line - 1) / per_line;
  std::string out;
  for (size_t l = 0; l < lines; ++l) {
    std::string line;
    for (size_t i = l; i < names.size(); i += lines) {
      line += names[i];
      line.append(col - DisplayWidth(names[i]), ' ');
    }
    out += line.substr(0, line.find_last_not_of(' ') + 1) + "\n";
  }
  return out;
}

}  // namespace

std::ostream& ShellState::Out() { return output ? *output : std::cout; }

const std::vector<std::string>& DotCommandNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const Help& h : HelpLines())
      v.emplace_back(std::string_view(h.usage).substr(0, std::string_view(h.usage).find(' ')));
    return v;
  }();
  return names;
}

std::vector<std::string> DotCommandWords(std::string_view line) {
  std::vector<std::string> words;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    if (i >= line.size()) break;
    std::string word;
    if (line[i] == '\'' || line[i] == '"') {
      char quote = line[i++];
      while (i < line.size() && line[i] != quote) word += line[i++];
      ++i;
    } else {
      while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i])))
        word += line[i++];
    }
    words.push_back(std::move(word));
  }
  return words;
}

Status DotCommands::Run(std::string_view line) {
  std::vector<std::string> words = DotCommandWords(line);
  if (words.empty()) return Status::Ok();
  const std::string& cmd = words[0];
  std::vector<std::string> args(words.begin() + 1, words.end());
  if (cmd == ".quit" || cmd == ".exit") {
    state_.quit = true;
  } else if (cmd == ".help") {
    for (const Help& h : HelpLines()) {
      std::string usage = h.usage;
      usage.resize(std::max<size_t>(usage.size(), 18), ' ');
      state_.Out() << usage << h.text << "\n";
    }
  } else if (cmd == ".tables") {
    return Tables();
  } else if (cmd == ".schema") {
    return Schema(args);
  } else if (cmd == ".mode") {
    return SetMode(args);
  } else if (cmd == ".timer") {
    if (args.size() != 1 || (args[0] != "on" && args[0] != "off")) {
      return InvalidArgument("usage: .timer on|off");
    }
    state_.timer = args[0] == "on";
  } else if (cmd == ".output") {
    return Output(args);
  } else if (cmd == ".read") {
    if (args.size() != 1) return InvalidArgument("usage: .read FILE");
    if (!read_file_(args[0])) return NotFound("cannot open " + args[0]);
  } else if (cmd == ".maxrows" || cmd == ".maxwidth") {
    if (args.size() != 1) return InvalidArgument("usage: " + cmd + " N");
    EL_ASSIGN_OR_RETURN(size_t n, ParseCount(args[0]));
    (cmd == ".maxrows" ? state_.max_rows : state_.max_width) = n;
  } else {
    return InvalidArgument("unknown command " + cmd + ": .help lists the commands");
  }
  return Status::Ok();
}

Status DotCommands::Tables() {
  EL_RETURN_IF_ERROR(session_.Refresh());
  EL_ASSIGN_OR_RETURN(duck::QueryResult res,
                      session_.connection().Query(
                          "SELECT table_name FROM duckdb_tables() WHERE NOT internal UNION "
                          "SELECT view_name FROM duckdb_views() WHERE NOT internal ORDER BY 1"));
  // With the lake elsewhere (S3), tables no statement has read yet have no view but are listed.
  std::vector<std::string> lake = session_.Tables();
  std::set<std::string> unique(lake.begin(), lake.end());
  for (size_t r = 0; r < res.RowCount(); ++r) unique.insert(res.Text(0, r));
  std::vector<std::string> names(unique.begin(), unique.end());
  state_.Out() << InColumns(names, state_.max_width > 0 ? state_.max_width : TerminalWidth());
  return Status::Ok();
}

Status DotCommands::Schema(const std::vector<std::string>& args) {
  if (args.size() > 1) return InvalidArgument("usage: .schema [TABLE]");
  EL_RETURN_IF_ERROR(session_.Refresh(args.empty() ? "" : duck::QuoteIdent(args[0])));
  std::string filter = args.empty() ? "" : " AND name = " + duck::QuoteLiteral(args[0]);
  // Tables and views made in the shell show their own SQL; the lake's tables (views over its
  // Parquet files, whose SQL lists every file) show as the table they read as.
  EL_ASSIGN_OR_RETURN(
      duck::QueryResult res,
      session_.connection().Query(
          "SELECT name, sql FROM (SELECT table_name AS name, sql FROM duckdb_tables() WHERE NOT "
          "internal UNION ALL SELECT view_name, sql FROM duckdb_views() WHERE NOT internal) "
          "WHERE true" +
          filter + " ORDER BY name"));
  if (res.RowCount() == 0 && !args.empty()) return NotFound("no table " + args[0]);
  std::vector<std::string> lake = session_.Tables();
  for (size_t r = 0; r < res.RowCount(); ++r) {
    std::string name = res.Text(0, r);
    if (!std::binary_search(lake.begin(), lake.end(), name)) {
      state_.Out() << res.Text(1, r) << "\n";
      continue;
    }
    EL_ASSIGN_OR_RETURN(
        duck::QueryResult cols,
        session_.connection().Query("SELECT column_name, data_type FROM duckdb_columns() WHERE "
                                    "table_name = " +
                                    duck::QuoteLiteral(name) + " ORDER BY column_index"));
    std::string create = "CREATE TABLE " + duck::QuoteIdent(name) + "(";
    for (size_t c = 0; c < cols.RowCount(); ++c) {
      create += (c > 0 ? ", " : "") + duck::QuoteIdent(cols.Text(0, c)) + " " + cols.Text(1, c);
    }
    state_.Out() << create << ");\n";
  }
  return Status::Ok();
}

Status DotCommands::SetMode(const std::vector<std::string>& args) {
  if (args.empty()) {
    state_.Out() << "current output mode: " << ModeName(state_.mode) << "\n";
    return Status::Ok();
  }
  if (args.size() > 1) return InvalidArgument("usage: .mode [MODE]");
  EL_ASSIGN_OR_RETURN(state_.mode, ParseMode(args[0]));
  return Status::Ok();
}

Status DotCommands::Output(const std::vector<std::string>& args) {
  if (args.size() > 1) return InvalidArgument("usage: .output [FILE]");
  if (state_.output) state_.output->flush();
  state_.output.reset();
  if (args.empty() || args[0] == "stdout") return Status::Ok();
  auto file = std::make_unique<std::ofstream>(args[0], std::ios::out | std::ios::trunc);
  if (!*file) return IOError("cannot write " + args[0]);
  state_.output = std::move(file);
  return Status::Ok();
}

}  // namespace el::query::shell
