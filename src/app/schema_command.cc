// `eventlake schema TABLE --lake DIR`: prints a table's schema history (lake/schema_history.h):
// each version with when it was written and what changed, then the latest columns.
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "app/commands.h"
#include "lake/schema_history.h"

namespace el::app {
namespace {

struct SchemaArgs {
  std::string table;
  std::string lake;
};

void RunSchema(const SchemaArgs& args, int& exit_code) {
  auto read = lake::ReadSchemaHistory(std::filesystem::path(args.lake) / args.table);
  if (!read.ok()) {
    std::cerr << "eventlake schema: " << read.status().message() << "\n";
    exit_code = 1;
    return;
  }
  const std::vector<lake::SchemaVersion>& history = *read;
  if (history.empty()) {
    std::cerr << "eventlake schema: table " << args.table << " has no schema history in " << args.lake
              << "\n";
    exit_code = 1;
    return;
  }
  for (const lake::SchemaVersion& v : history) {
    std::cout << fmt::format("v{}  {}  {} columns\n", v.version, v.created, v.columns.size());
    for (const std::string& change : v.changes) std::cout << "    " << change << "\n";
  }
  std::cout << "columns (v" << history.back().version << "):\n";
  for (const lake::SchemaColumn& c : history.back().columns) {
    std::cout << fmt::format("    {} {}\n", c.name, c.type);
  }
  std::cout.flush();
  exit_code = 0;
}

}  // namespace

void AddSchemaCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<SchemaArgs>();
  CLI::App* cmd = app.add_subcommand("schema", "show a lake table's schema versions and changes");
  cmd->add_option("table", args->table, "table name")->required();
  cmd->add_option("--lake", args->lake, "lake directory")->required();
  cmd->callback([args, &exit_code] { RunSchema(*args, exit_code); });
}

}  // namespace el::app
