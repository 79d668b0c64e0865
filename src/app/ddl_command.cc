// `eventlake ddl --dialect trino --lake DIR TABLE`: prints the CREATE TABLE that lets Trino's Hive
// connector read a lake table in place (query/ddl.h).
#include <iostream>
#include <memory>

#include "app/commands.h"
#include "app/lake_option.h"
#include "query/ddl.h"

namespace el::app {

void AddDdlCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<query::DdlOptions>();
  CLI::App* cmd =
      app.add_subcommand("ddl", "print CREATE TABLE for another engine over a lake table");
  cmd->add_option("--dialect", args->dialect, "trino|presto")
      ->capture_default_str()
      ->check(CLI::IsMember({"trino", "presto"}));
  cmd->add_option("--lake", args->lake_dir, "lake directory")
      ->required()
      ->check(LakeLocationValidator("ddl"));
  cmd->add_option("table", args->table, "table (folder of the lake)")->required();
  cmd->add_option("--catalog", args->catalog, "Hive catalog name")->capture_default_str();
  cmd->add_option("--schema", args->schema, "schema name")->capture_default_str();
  cmd->add_option(
      "--location-prefix", args->location_prefix,
      "URI the lake has for the other engine, e.g. s3://bucket/lake (default: file:// path)");
  cmd->callback([args, &exit_code] {
    auto ddl = query::CreateTableDdl(*args);
    if (!ddl.ok()) {
      std::cerr << "eventlake ddl: " << ddl.status().message() << "\n";
      exit_code = ddl.status().code() == StatusCode::kInvalidArgument ? 2 : 1;
      return;
    }
    std::cout << *ddl << std::flush;
    exit_code = 0;
  });
}

}  // namespace el::app
