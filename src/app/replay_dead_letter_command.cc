// `eventlake replay-dead-letter --lake DIR|s3://BUCKET/PREFIX --table T --brokers LIST [--topic
// T]`: re-produces the raw values of T_dead_letter rows not replayed before (jobs/replay.h); an S3
// lake's dead-letter files are read through query/s3_lake.h.
#include <iostream>
#include <memory>

#include "app/commands.h"
#include "app/lake_option.h"
#include "app/settings_cli.h"
#include "jobs/replay.h"

namespace el::app {
namespace {

struct ReplayArgs {
  jobs::ReplayOptions options;
  S3ReadArgs s3;
};

Result<jobs::ReplaySummary> ReplayS3(const ReplayArgs& args) {
  EL_ASSIGN_OR_RETURN(std::unique_ptr<query::S3Lake> s3,
                      OpenS3Lake(args.options.lake_dir, args.s3, /*schemas=*/false));
  EL_RETURN_IF_ERROR(s3->Sync({{args.options.table + "_dead_letter", query::TableNeed{}}}));
  jobs::ReplayOptions options = args.options;
  options.lake_dir = s3->dir().string();
  options.store = &s3->store();
  return jobs::ReplayDeadLetters(options);
}

}  // namespace

void AddReplayDeadLetterCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ReplayArgs>();
  args->options.brokers = "127.0.0.1:9092";
  CLI::App* cmd =
      app.add_subcommand("replay-dead-letter",
                         "produce the raw values of <table>_dead_letter rows again (once per row)");
  cmd->add_option("--lake", args->options.lake_dir, "lake directory or s3://BUCKET/PREFIX")
      ->required()
      ->transform(LakeLocationValidator("replay-dead-letter", S3Lakes::kAccepted));
  cmd->add_option("--table", args->options.table, "landed table whose dead letters are replayed")
      ->required();
  cmd->add_option("--brokers", args->options.brokers, "bootstrap brokers host:port,...")
      ->capture_default_str()
      ->check(BrokerListValidator());
  cmd->add_option("--topic", args->options.topic,
                  "target topic (default: each row's source topic)");
  args->s3.AddTo(*cmd);
  cmd->callback([args, &exit_code] {
    if (Status usage = args->s3.Check(args->options.lake_dir); !usage.ok()) {
      std::cerr << "eventlake replay-dead-letter: " << usage.message() << "\n";
      exit_code = 2;
      return;
    }
    auto summary =
        IsS3Lake(args->options.lake_dir) ? ReplayS3(*args) : jobs::ReplayDeadLetters(args->options);
    if (!summary.ok()) {
      std::cerr << "eventlake replay-dead-letter: " << summary.status().message() << "\n";
      exit_code = 1;
      return;
    }
    std::cout << jobs::FormatReplaySummary(args->options, *summary) << std::endl;
    exit_code = 0;
  });
}

}  // namespace el::app
