// eventlake: one binary for the whole pipeline (collector, broker, lander, lake, query).
#include <sys/resource.h>

#include <csignal>
#include <string>

#include "app/commands.h"
#include "base/log.h"
#ifdef EL_HAVE_LAND_COMMAND
#include "clients/duck/duck.h"
#endif
#ifdef EL_HAVE_BROKER_COMMAND
#include "clients/rdk/handles.h"
#endif

namespace {

// The broker and the collector hold a descriptor per connection and per open segment, and the
// usual soft limit (1024) is far below the hard one: take the hard limit, as nginx's
// worker_rlimit_nofile or the JVM's MaxFDLimit do.
void RaiseOpenFileLimit() {
  constexpr rlim_t kCeiling = rlim_t{1} << 20;
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  rlim_t want = limit.rlim_max == RLIM_INFINITY ? kCeiling : limit.rlim_max;
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < want) {
    limit.rlim_cur = want;
    setrlimit(RLIMIT_NOFILE, &limit);  // best effort: the old limit still works
  }
}

// "eventlake 0.1.0 (DuckDB v1.4.4, librdkafka 2.0.2)": the libraries decide the lake's and the
// Kafka clients' behaviour, so a bug report needs them too.
std::string VersionText() {
  std::string text = "eventlake " EL_VERSION;
  std::string libs;
#ifdef EL_HAVE_LAND_COMMAND
  libs += "DuckDB " + el::duck::LibraryVersion();
#endif
#ifdef EL_HAVE_BROKER_COMMAND
  libs += std::string(libs.empty() ? "" : ", ") + "librdkafka " + el::rdk::LibraryVersion();
#endif
  return libs.empty() ? text : text + " (" + libs + ")";
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  RaiseOpenFileLimit();
  CLI::App app{
      "eventlake: user events from HTTP to a Kafka-compatible log to a Parquet lake to SQL"};
  app.require_subcommand(1);
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "trace|debug|info|warn|error|off")
      ->capture_default_str()
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  std::string log_format = "text";
  app.add_option("--log-format", log_format,
                 "text | json (one object a line: time, level, component, message, fields)")
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "json"}));
  app.set_version_flag("--version", VersionText());
  app.add_option("--config",
                 "eventlake.toml to read (default: $EVENTLAKE_CONFIG); see `eventlake config`")
      ->type_name("FILE");
  app.fallthrough();  // --config and --log-level also after the command's name
  int exit_code = 0;
  app.parse_complete_callback([&] { el::InitLogging(log_level, log_format); });
#ifdef EL_HAVE_UP_COMMAND
  el::app::AddUpCommand(app, exit_code);
  el::app::AddConsoleCommand(app, exit_code);
  el::app::AddConfigCommand(app, exit_code);
#endif
#ifdef EL_HAVE_BROKER_COMMAND
  el::app::AddBrokerCommand(app, exit_code);
  el::app::AddTopicsCommand(app, exit_code);
#endif
#ifdef EL_HAVE_COLLECT_COMMAND
  el::app::AddCollectCommand(app, exit_code);
#endif
#ifdef EL_HAVE_LAND_COMMAND
  el::app::AddLandCommand(app, exit_code);
  el::app::AddQueryCommand(app, exit_code);
  el::app::AddGenerateCommand(app, exit_code);
#endif
#ifdef EL_HAVE_GROUPS_COMMAND
  el::app::AddGroupsCommand(app, exit_code);
#endif
#ifdef EL_HAVE_SCHEMA_COMMAND
  el::app::AddSchemaCommand(app, exit_code);
#endif
#ifdef EL_HAVE_DDL_COMMAND
  el::app::AddDdlCommand(app, exit_code);
#endif
#ifdef EL_HAVE_COMPACT_COMMAND
  el::app::AddCompactCommand(app, exit_code);
  el::app::AddConvertCommand(app, exit_code);
#endif
#ifdef EL_HAVE_REPLAY_COMMAND
  el::app::AddReplayDeadLetterCommand(app, exit_code);
#endif
#ifdef EL_HAVE_STATUS_COMMAND
  el::app::AddStatusCommand(app, exit_code);
#endif
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  return exit_code;
}
