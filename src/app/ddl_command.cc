// `eventlake ddl --dialect trino|presto --lake DIR|s3://BUCKET/PREFIX TABLE`: prints the CREATE
// TABLE that lets Trino's (or Presto's) Hive connector read a lake table in place (query/ddl.h);
// for an S3 lake, located at its s3:// URL.
#include <iostream>
#include <memory>

#include "app/commands.h"
#include "app/lake_option.h"
#include "query/ddl.h"

namespace el::app {
namespace {

// The DDL of a table of an S3 lake: its files fetched (the schema is their union), located at the
// lake's s3:// URL unless --location-prefix says otherwise.
Result<std::string> S3Ddl(query::DdlOptions options, const S3ReadArgs& s3) {
  EL_ASSIGN_OR_RETURN(auto lake, OpenS3Lake(options.lake_dir, s3, false));
  EL_RETURN_IF_ERROR(lake->Sync({{options.table, query::TableNeed{}}}));
  if (options.location_prefix.empty()) options.location_prefix = options.lake_dir;
  std::string shown = options.lake_dir;
  options.lake_dir = lake->dir().string();
  auto ddl = query::CreateTableDdl(options);
  if (!ddl.ok() && ddl.status().code() == StatusCode::kNotFound)
    return NotFound("table " + options.table + " has no committed Parquet files in " + shown);
  return ddl;
}

}  // namespace

void AddDdlCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<query::DdlOptions>();
  auto s3 = std::make_shared<S3ReadArgs>();
  CLI::App* cmd =
      app.add_subcommand("ddl", "print CREATE TABLE for another engine over a lake table");
  cmd->add_option("--dialect", args->dialect, "trino|presto")
      ->capture_default_str()
      ->check(CLI::IsMember({"trino", "presto"}));
  cmd->add_option("--lake", args->lake_dir, "lake directory or s3://BUCKET/PREFIX")
      ->required()
      ->transform(LakeLocationValidator("ddl", S3Lakes::kAccepted));
  cmd->add_option("table", args->table, "table (folder of the lake)")->required();
  cmd->add_option("--catalog", args->catalog, "Hive catalog name")->capture_default_str();
  cmd->add_option("--schema", args->schema, "schema name")->capture_default_str();
  cmd->add_option("--location-prefix", args->location_prefix,
                  "URI the lake has for the other engine, e.g. s3a://bucket/lake (default: the "
                  "lake's s3:// URL, or the file:// path of a local lake)");
  s3->AddTo(*cmd);
  cmd->callback([args, s3, &exit_code] {
    Result<std::string> ddl = Internal("no DDL");
    Status usage = s3->Check(args->lake_dir);
    if (!usage.ok()) {
      ddl = usage;
    } else if (IsS3Lake(args->lake_dir)) {
      ddl = S3Ddl(*args, *s3);
    } else {
      ddl = query::CreateTableDdl(*args);
    }
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
