#pragma once
// Each subcommand registers itself on the CLI11 app; its callback stores the process exit code in
// `exit_code` (0 success, 1 runtime failure; CLI11 itself exits 2 on usage errors).
#include <CLI/CLI.hpp>

namespace el::app {

void AddUpCommand(CLI::App& app, int& exit_code);
void AddConsoleCommand(CLI::App& app, int& exit_code);
void AddBrokerCommand(CLI::App& app, int& exit_code);
void AddTopicsCommand(CLI::App& app, int& exit_code);
void AddCollectCommand(CLI::App& app, int& exit_code);
void AddLandCommand(CLI::App& app, int& exit_code);
void AddQueryCommand(CLI::App& app, int& exit_code);
void AddGenerateCommand(CLI::App& app, int& exit_code);
void AddGroupsCommand(CLI::App& app, int& exit_code);
void AddSchemaCommand(CLI::App& app, int& exit_code);
void AddDdlCommand(CLI::App& app, int& exit_code);
void AddCompactCommand(CLI::App& app, int& exit_code);
void AddConvertCommand(CLI::App& app, int& exit_code);
void AddReplayDeadLetterCommand(CLI::App& app, int& exit_code);
void AddStatusCommand(CLI::App& app, int& exit_code);
void AddConfigCommand(CLI::App& app, int& exit_code);

}  // namespace el::app
