// `eventlake replay-dead-letter --lake DIR --table T --brokers LIST [--topic T]`: re-produces the
// raw values of T_dead_letter rows not replayed before (jobs/replay.h).
#include <iostream>
#include <memory>

#include "app/commands.h"
#include "app/lake_option.h"
#include "app/settings_cli.h"
#include "jobs/replay.h"

namespace el::app {

void AddReplayDeadLetterCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<jobs::ReplayOptions>();
  args->brokers = "127.0.0.1:9092";
  CLI::App* cmd =
      app.add_subcommand("replay-dead-letter",
                         "produce the raw values of <table>_dead_letter rows again (once per row)");
  cmd->add_option("--lake", args->lake_dir, "lake directory")
      ->required()
      ->transform(LakeLocationValidator("replay-dead-letter"));
  cmd->add_option("--table", args->table, "landed table whose dead letters are replayed")
      ->required();
  cmd->add_option("--brokers", args->brokers, "bootstrap brokers host:port,...")
      ->capture_default_str()
      ->check(BrokerListValidator());
  cmd->add_option("--topic", args->topic, "target topic (default: each row's source topic)");
  cmd->callback([args, &exit_code] {
    auto summary = jobs::ReplayDeadLetters(*args);
    if (!summary.ok()) {
      std::cerr << "eventlake replay-dead-letter: " << summary.status().message() << "\n";
      exit_code = 1;
      return;
    }
    std::cout << jobs::FormatReplaySummary(*args, *summary) << std::endl;
    exit_code = 0;
  });
}

}  // namespace el::app
