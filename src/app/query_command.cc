// `eventlake query --lake DIR|s3://BUCKET/PREFIX [SQL] [--format table|csv|json]`: SQL over the
// lake (query/session.h; an S3 lake through query/s3_lake.h). Without SQL: reads SQL from stdin
// when it is not a terminal, else opens the interactive shell (query/shell/shell.h).
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <memory>

#include "app/commands.h"
#include "app/lake_option.h"
#include "query/session.h"
#include "query/shell/shell.h"

namespace el::app {
namespace {

namespace fs = std::filesystem;

struct QueryArgs {
  std::string lake;
  std::string sql;
  std::string format = "table";
  S3ReadArgs s3;
  bool fetch_report = false;
};

bool RunOnce(query::Session& session, const std::string& sql, query::Format format) {
  auto table = session.Run(sql, format);
  if (!table.ok()) {
    std::string message = table.status().message();
    std::replace(message.begin(), message.end(), '\n', ' ');
    std::cerr << "eventlake query: " << message << std::endl;
    return false;
  }
  std::cout << query::FormatResult(*table, format) << std::flush;
  return true;
}

// The lake must be an existing folder (an object store URI is checked when it is opened).
Status CheckLakeDir(const std::string& lake) {
  if (IsS3Lake(lake)) return Status::Ok();
  std::error_code ec;
  fs::file_status st = fs::status(lake, ec);
  if (!fs::exists(st)) return InvalidArgument("lake " + lake + " does not exist (no such folder)");
  if (!fs::is_directory(st)) return InvalidArgument("lake " + lake + " is not a folder");
  return Status::Ok();
}

// $EVENTLAKE_HISTORY, else ~/.eventlake_history; empty (no history file) without HOME.
std::string HistoryPath() {
  const char* path = std::getenv("EVENTLAKE_HISTORY");
  if (path != nullptr) return path;
  const char* home = std::getenv("HOME");
  return home != nullptr && *home != '\0' ? (fs::path(home) / ".eventlake_history").string() : "";
}

query::shell::Mode ShellMode(query::Format format) {
  switch (format) {
    case query::Format::kCsv:
      return query::shell::Mode::kCsv;
    case query::Format::kJson:
      return query::shell::Mode::kJson;
    case query::Format::kTable:
      return query::shell::Mode::kDuckbox;
  }
  return query::shell::Mode::kDuckbox;
}

void RunQuery(const QueryArgs& args, int& exit_code) {
  auto format = query::ParseFormat(args.format);
  Status lake_ok = CheckLakeDir(args.lake);
  if (lake_ok.ok()) lake_ok = args.s3.Check(args.lake);
  if (lake_ok.ok() && args.fetch_report && !IsS3Lake(args.lake))
    lake_ok = InvalidArgument("--fetch-report applies to an s3:// lake only");
  if (!format.ok() || !lake_ok.ok()) {
    std::cerr << "eventlake query: " << (format.ok() ? lake_ok : format.status()).message() << "\n";
    exit_code = 2;
    return;
  }
  query::S3Lake* s3 = nullptr;  // owned by the session
  Result<query::Session> session = Internal("no session");
  if (IsS3Lake(args.lake)) {
    auto lake = OpenS3Lake(args.lake, args.s3, false);
    if (lake.ok()) s3 = lake->get();
    session = lake.ok() ? query::Session::Open(std::move(*lake))
                        : Result<query::Session>(lake.status());
  } else {
    session = query::Session::Open(args.lake);
  }
  if (!session.ok()) {
    std::cerr << "eventlake query: " << session.status().message() << "\n";
    exit_code = 1;
    return;
  }
  auto report = [&] {
    if (args.fetch_report && s3 != nullptr) std::cerr << s3->last_report().ToString() << "\n";
  };
  if (!args.sql.empty()) {
    exit_code = RunOnce(*session, args.sql, *format) ? 0 : 1;
    report();
  } else if (!::isatty(STDIN_FILENO)) {
    std::string sql((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    exit_code = RunOnce(*session, sql, *format) ? 0 : 1;
    report();
  } else {
    exit_code = query::shell::RunShell(*session, {ShellMode(*format), HistoryPath()});
  }
}

}  // namespace

void AddQueryCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<QueryArgs>();
  CLI::App* cmd = app.add_subcommand("query", "run SQL over the lake (DuckDB)");
  cmd->add_option("--lake", args->lake, "lake directory or s3://BUCKET/PREFIX")
      ->required()
      ->transform(LakeLocationValidator("query", S3Lakes::kAccepted));
  args->s3.AddTo(*cmd);
  cmd->add_flag("--fetch-report", args->fetch_report,
                "S3 lake: print what the query fetched (files, bytes, seconds) to stderr");
  cmd->add_option("sql", args->sql, "SQL statements (the last one's result is printed)");
  cmd->add_option("--format", args->format, "table|csv|json")->capture_default_str();
  cmd->callback([args, &exit_code] { RunQuery(*args, exit_code); });
}

}  // namespace el::app
