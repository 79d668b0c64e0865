// `eventlake query --lake DIR [SQL] [--format table|csv|json]`: SQL over the lake
// (query/session.h). Without SQL: reads SQL from stdin when it is not a terminal, else runs a
// minimal line shell.
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <iterator>
#include <memory>

#include "app/commands.h"
#include "app/lake_option.h"
#include "query/session.h"

namespace el::app {
namespace {

struct QueryArgs {
  std::string lake;
  std::string sql;
  std::string format = "table";
};

bool RunOnce(query::Session& session, const std::string& sql, query::Format format) {
  auto table = session.Run(sql, format);
  if (!table.ok()) {
    std::string message = table.status().message();
    std::replace(message.begin(), message.end(), '\n', ' ');
    std::cerr << "eventlake query: " << message << std::endl;
    return false;
  }
  std::cout << query::FormatResult(*table, format) << std::flush;
  return true;
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  size_t e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// `eventlake> ` prompt; statements end with ';'. Dot commands: .tables, .quit, .exit.
void Shell(query::Session& session, query::Format format) {
  std::string pending;
  std::string line;
  std::cout << "eventlake> " << std::flush;
  while (std::getline(std::cin, line)) {
    std::string trimmed = Trim(line);
    if (pending.empty() && (trimmed == ".quit" || trimmed == ".exit")) return;
    if (pending.empty() && trimmed == ".tables") {
      for (const auto& t : session.Tables()) std::cout << t << "\n";
    } else if (!trimmed.empty()) {
      pending += line + "\n";
      if (trimmed.back() == ';') {
        RunOnce(session, pending, format);
        pending.clear();
      }
    }
    std::cout << (pending.empty() ? "eventlake> " : "      ...> ") << std::flush;
  }
  std::cout << "\n";
}

void RunQuery(const QueryArgs& args, int& exit_code) {
  auto format = query::ParseFormat(args.format);
  if (!format.ok()) {
    std::cerr << "eventlake query: " << format.status().message() << "\n";
    exit_code = 2;
    return;
  }
  auto session = query::Session::Open(args.lake);
  if (!session.ok()) {
    std::cerr << "eventlake query: " << session.status().message() << "\n";
    exit_code = 1;
    return;
  }
  if (!args.sql.empty()) {
    exit_code = RunOnce(*session, args.sql, *format) ? 0 : 1;
  } else if (!::isatty(STDIN_FILENO)) {
    std::string sql((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    exit_code = RunOnce(*session, sql, *format) ? 0 : 1;
  } else {
    Shell(*session, *format);
    exit_code = 0;
  }
}

}  // namespace

void AddQueryCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<QueryArgs>();
  CLI::App* cmd = app.add_subcommand("query", "run SQL over the lake (DuckDB)");
  cmd->add_option("--lake", args->lake, "lake directory")
      ->required()
      ->check(LakeLocationValidator("query"));
  cmd->add_option("sql", args->sql, "SQL statements (the last one's result is printed)");
  cmd->add_option("--format", args->format, "table|csv|json")->capture_default_str();
  cmd->callback([args, &exit_code] { RunQuery(*args, exit_code); });
}

}  // namespace el::app
