// `eventlake compact TABLE --lake DIR`: merges small files of a table's closed partitions
// atomically (jobs/compact.h).
#include <iostream>
#include <memory>

#include "app/commands.h"
#include "app/lake_option.h"
#include "jobs/compact.h"

namespace el::app {

void AddCompactCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<jobs::CompactOptions>();
  auto small_mb = std::make_shared<int64_t>(64);
  CLI::App* cmd = app.add_subcommand("compact", "merge small files of a table's closed partitions");
  cmd->add_option("table", args->table, "table (folder of the lake)")->required();
  cmd->add_option("--lake", args->lake_dir, "lake directory")
      ->required()
      ->transform(LakeLocationValidator("compact"));
  cmd->add_option("--small-mb", *small_mb, "files smaller than this many MiB are merged")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 20));
  cmd->callback([args, small_mb, &exit_code] {
    args->small_file_bytes = *small_mb << 20;
    auto summary = jobs::Compact(*args);
    if (!summary.ok()) {
      std::cerr << "eventlake compact: " << summary.status().message() << "\n";
      exit_code = 1;
      return;
    }
    std::cout << jobs::FormatCompactSummary(args->table, *summary) << std::endl;
    exit_code = 0;
  });
}

}  // namespace el::app
