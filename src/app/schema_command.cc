// `eventlake schema TABLE --lake DIR|s3://BUCKET/PREFIX`: prints a table's schema history (lake/schema_history.h):
// each version with when it was written and what changed, then the latest columns; for a topic
// table, each event type's latest version too. TABLE may be an event type's table.
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "app/commands.h"
#include "app/lake_option.h"
#include "lake/layout.h"
#include "lake/schema_history.h"

namespace el::app {
namespace {

namespace fs = std::filesystem;

struct SchemaArgs {
  std::string table;
  std::string lake;
  S3ReadArgs s3;
};

// Prints one history (oldest first) and its latest columns.
void PrintHistory(const std::vector<lake::SchemaVersion>& history) {
  for (const lake::SchemaVersion& v : history) {
    std::cout << fmt::format("v{}  {}  {} columns\n", v.version, v.created, v.columns.size());
    for (const std::string& change : v.changes) std::cout << "    " << change << "\n";
  }
  std::cout << "columns (v" << history.back().version << "):\n";
  for (const lake::SchemaColumn& c : history.back().columns) {
    std::cout << fmt::format("    {} {}\n", c.name, c.type);
  }
}

Status RunSchema(const SchemaArgs& args) {
  fs::path lake_dir(args.lake);
  std::unique_ptr<query::S3Lake> s3;  // an S3 lake: its `_schema/` files, mirrored
  if (IsS3Lake(args.lake)) {
    EL_ASSIGN_OR_RETURN(s3, OpenS3Lake(args.lake, args.s3, true));
    EL_RETURN_IF_ERROR(s3->Sync({}));
    lake_dir = s3->dir();
  }
  EL_RETURN_IF_ERROR(lake::CheckLakeFormat(lake_dir, false));
  EL_ASSIGN_OR_RETURN(std::optional<lake::TableRef> ref,
                      lake::FindReaderTable(lake_dir, args.table));
  std::vector<fs::path> dirs = ref ? ref->dirs : std::vector<fs::path>{lake_dir / args.table};
  bool printed = false;
  for (const fs::path& dir : dirs) {
    EL_ASSIGN_OR_RETURN(auto history, lake::ReadSchemaHistory(dir));
    if (history.empty()) continue;
    if (dirs.size() > 1) std::cout << dir.lexically_relative(lake_dir).generic_string() << ":\n";
    PrintHistory(history);
    printed = true;
  }
  if (!printed) return NotFound("table " + args.table + " has no schema history in " + args.lake);
  if (ref && !ref->is_type && !ref->type_key.empty()) {
    // A topic table: each event type's own history, in brief (`eventlake schema <its table>` in
    // full).
    EL_ASSIGN_OR_RETURN(auto types, lake::ListTypeFolders(lake_dir, args.table));
    std::cout << "event types (" << ref->type_key << "):\n";
    for (const lake::TypeFolder& t : types) {
      EL_ASSIGN_OR_RETURN(auto history, lake::ReadSchemaHistory(t.dir));
      if (history.empty()) continue;
      std::cout << fmt::format("    {}  table {}  v{}  {} columns\n", t.value ? *t.value : "(none)",
                               t.table.empty() ? "-" : t.table, history.back().version,
                               history.back().columns.size());
    }
  }
  std::cout.flush();
  return Status::Ok();
}

}  // namespace

void AddSchemaCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<SchemaArgs>();
  CLI::App* cmd = app.add_subcommand("schema", "show a lake table's schema versions and changes");
  cmd->add_option("table", args->table, "table name")->required();
  cmd->add_option("--lake", args->lake, "lake directory or s3://BUCKET/PREFIX")
      ->required()
      ->transform(LakeLocationValidator("schema", S3Lakes::kAccepted));
  args->s3.AddTo(*cmd);
  cmd->callback([args, &exit_code] {
    Status usage = args->s3.Check(args->lake);
    if (!usage.ok()) {
      std::cerr << "eventlake schema: " << usage.message() << "\n";
      exit_code = 2;
      return;
    }
    Status st = RunSchema(*args);
    if (!st.ok()) std::cerr << "eventlake schema: " << st.message() << "\n";
    exit_code = st.ok() ? 0 : 1;
  });
}

}  // namespace el::app
