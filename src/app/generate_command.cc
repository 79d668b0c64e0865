// `eventlake generate game-events|assessments [--count N] [--seed S]`: NDJSON test data on stdout.
#include <iostream>
#include <memory>

#include "app/commands.h"
#include "generate/assessments.h"
#include "generate/game_events.h"

namespace el::app {
namespace {

struct GenerateArgs {
  std::string kind;
  int64_t count = -1;  // -1: the kind's default
  uint64_t seed = 1;
};

}  // namespace

void AddGenerateCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<GenerateArgs>();
  CLI::App* cmd = app.add_subcommand("generate", "write synthetic events as NDJSON to stdout");
  cmd->add_option("kind", args->kind, "game-events|assessments")
      ->required()
      ->check(CLI::IsMember({"game-events", "assessments"}));
  cmd->add_option("--count", args->count, "records (default: 1000 game events, 3280 assessments)")
      ->check(CLI::Range(int64_t{0}, int64_t{100'000'000}));
  cmd->add_option("--seed", args->seed, "random seed")->capture_default_str();
  cmd->callback([args, &exit_code] {
    std::ios::sync_with_stdio(false);
    if (args->kind == "game-events") {
      generate::GenerateGameEvents(args->count < 0 ? 1000 : args->count, args->seed, std::cout);
    } else {
      generate::GenerateAssessments(args->count < 0 ? generate::kAssessmentRecords : args->count,
                                    args->seed, std::cout);
    }
    std::cout.flush();
    exit_code = std::cout.good() ? 0 : 1;
  });
}

}  // namespace el::app
