// `eventlake compact TABLE --lake DIR|s3://BUCKET/PREFIX`: merges small files of a table's closed
// partitions (jobs/compact.h for a local lake, jobs/store_compact.h for an S3 one).
#include <iostream>
#include <memory>

#include "app/commands.h"
#include "app/lake_option.h"
#include "jobs/compact.h"
#include "jobs/store_compact.h"

namespace el::app {
namespace {

struct CompactArgs {
  jobs::CompactOptions local;
  int64_t small_mb = 64;
  S3ReadArgs s3;
};

Result<jobs::CompactSummary> CompactS3(const CompactArgs& args) {
  EL_ASSIGN_OR_RETURN(std::unique_ptr<query::S3Lake> s3,
                      OpenS3Lake(args.local.lake_dir, args.s3, /*schemas=*/true));
  jobs::StoreCompactOptions options;
  options.table = args.local.table;
  options.small_file_bytes = args.local.small_file_bytes;
  jobs::StoreCompactLake lake;
  lake.store = &s3->store();
  lake.mirror = s3->dir();
  lake.fetch = [&s3](const std::string& table) -> Result<std::map<std::string, std::string>> {
    std::map<std::string, query::TableNeed> needs;
    if (!table.empty()) needs[table] = query::TableNeed{};
    EL_RETURN_IF_ERROR(s3->Sync(needs));
    return s3->LinkedFiles();
  };
  return jobs::CompactStore(options, lake);
}

}  // namespace

void AddCompactCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<CompactArgs>();
  CLI::App* cmd = app.add_subcommand("compact", "merge small files of a table's closed partitions");
  cmd->add_option("table", args->local.table,
                  "table (folder of the lake, or an event type's table)")
      ->required();
  cmd->add_option("--lake", args->local.lake_dir, "lake directory or s3://BUCKET/PREFIX")
      ->required()
      ->transform(LakeLocationValidator("compact", S3Lakes::kAccepted));
  cmd->add_option("--small-mb", args->small_mb, "files smaller than this many MiB are merged")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 20));
  args->s3.AddTo(*cmd);
  cmd->callback([args, &exit_code] {
    if (Status usage = args->s3.Check(args->local.lake_dir); !usage.ok()) {
      std::cerr << "eventlake compact: " << usage.message() << "\n";
      exit_code = 2;
      return;
    }
    args->local.small_file_bytes = args->small_mb << 20;
    auto summary = IsS3Lake(args->local.lake_dir) ? CompactS3(*args) : jobs::Compact(args->local);
    if (!summary.ok()) {
      std::cerr << "eventlake compact: " << summary.status().message() << "\n";
      exit_code = 1;
      return;
    }
    std::cout << jobs::FormatCompactSummary(args->local.table, *summary) << std::endl;
    exit_code = 0;
  });
}

}  // namespace el::app
