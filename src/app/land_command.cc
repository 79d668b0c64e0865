// `eventlake land`: lands a range of a topic, or runs a job file, into the lake (see
// jobs/lander.h, jobs/job_spec.h). A follow run stops
// cleanly on SIGINT/SIGTERM: the pending batch is landed first.
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <iostream>
#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <thread>

#include <fmt/format.h>

#include "app/admin.h"
#include "app/commands.h"
#include "app/settings_cli.h"
#include "base/log.h"
#include "jobs/lander.h"
#include "jobs/progress.h"

namespace el::app {
namespace {

struct LandArgs {
  // The [lander] and [kafka_client] settings fill settings->lander.options; the flags that
  // describe one run (--job, --from, --to, --follow, --mode) are this command's own.
  std::shared_ptr<Settings> settings = std::make_shared<Settings>();
  std::shared_ptr<SettingFlags> setting_flags =
      std::make_shared<SettingFlags>(settings->registry, config::kLand);
  jobs::LandOptions& options = settings->lander.options;
  std::string mode = "overwrite";
  std::string job_file;
  // The run's own options whose presence on the command line matters, by name ("--from").
  std::map<std::string, const CLI::Option*> flags;

  // Whether `name` was given on the command line (a value from the file or the environment
  // applies where it can, and is not refused where it cannot).
  bool Given(const std::string& name) const {
    auto it = flags.find(name);
    if (it != flags.end()) return it->second->count() > 0;
    return setting_flags->Given(name);
  }
};

// Runs one Land per options on worker threads while this thread waits for SIGINT/SIGTERM
// (blocked for the whole process so that no other thread takes them) and turns one into a stop
// request for all of them. A run that fails stops the others. Results in the order given.
std::vector<Result<jobs::LandSummary>> RunWithSignals(const std::vector<jobs::LandOptions>& runs) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGUSR1);  // a run finished (sent to this thread only)
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::vector<Result<jobs::LandSummary>> results(runs.size(), Internal("landing did not run"));
  std::stop_source stop;
  std::atomic<size_t> finished{0};
  std::vector<std::jthread> workers;
  pthread_t waiter = pthread_self();
  for (size_t i = 0; i < runs.size(); ++i) {
    workers.emplace_back([&, i] {
      SetLogComponent("lander");
      results[i] = jobs::Land(runs[i], stop.get_token());
      if (!results[i].ok()) stop.request_stop();
      ++finished;
      pthread_kill(waiter, SIGUSR1);  // the wait below ends now, not at its next tick
    });
  }
  timespec tick{0, 100'000'000};
  while (finished < runs.size() && !stop.stop_requested()) {
    int sig = sigtimedwait(&set, nullptr, &tick);
    if (sig == SIGINT || sig == SIGTERM) {
      spdlog::info("signal {}: landing pending events and stopping", sig);
      stop.request_stop();
    }
  }
  workers.clear();  // joins
  return results;
}

Result<jobs::LandSummary> RunWithSignals(const jobs::LandOptions& options) {
  return std::move(RunWithSignals(std::vector<jobs::LandOptions>{options}).front());
}

// Adds a run's counts and tables to `total` (seconds are the caller's: runs overlap or follow).
void AddUp(jobs::LandSummary& total, const jobs::LandSummary& s) {
  total.events += s.events;
  total.dead_letters += s.dead_letters;
  total.files += s.files;
  for (const std::string& t : s.tables) {
    if (std::find(total.tables.begin(), total.tables.end(), t) == total.tables.end())
      total.tables.push_back(t);
  }
}

// The job file with what the command line gives instead: --topic, --from, --to, --mode (for every
// output), --follow, --event-time-field, --time-zone, --max-record-bytes.
Result<jobs::JobSpec> LoadJob(const LandArgs& args) {
  EL_ASSIGN_OR_RETURN(jobs::JobSpec job, jobs::LoadJobFile(args.job_file));
  const jobs::LandOptions& o = args.options;
  if (args.Given("--topic")) job.topics = {o.topic};
  if (args.Given("--from")) {
    EL_ASSIGN_OR_RETURN(job.from, jobs::ParseRangeText(o.from, true));
  }
  if (args.Given("--to")) {
    EL_ASSIGN_OR_RETURN(job.to, jobs::ParseRangeText(o.to, false));
  }
  if (args.Given("--mode")) {
    EL_ASSIGN_OR_RETURN(job.mode, jobs::ParseWriteMode(args.mode));
    for (jobs::OutputSpec& out : job.outputs) out.mode = job.mode;
  }
  job.follow = job.follow || o.follow;
  if (args.Given("--event-time-field")) job.event_time.field = o.event_time.field;
  if (args.Given("--time-zone")) job.event_time.time_zone = o.event_time.time_zone;
  if (args.Given("--max-record-bytes")) job.max_record_bytes = o.max_record_bytes;
  return job;
}

bool PartitionsByTime(const std::vector<std::string>& columns) {
  return std::any_of(columns.begin(), columns.end(),
                     [](const std::string& c) { return c == "dt" || c == "hour"; });
}

// Refuses options that would have no effect on this run (InvalidArgument naming the option), so
// that every option given either does what it says or stops the run. `job`: the job file with
// the command line's overrides, or null for the default layout.
Status CheckOptions(const LandArgs& args, const jobs::JobSpec* job) {
  bool follow = job != nullptr ? job->follow : args.options.follow;
  for (const char* name : {"--max-rows", "--max-bytes", "--flush-ms"}) {
    if (args.Given(name) && !follow) {
      return InvalidArgument(
          fmt::format("{} sizes the batches of a --follow run; a batch run lands its whole range "
                      "at once: drop {} or add --follow",
                      name, name));
    }
  }
  if (args.Given("--to") && follow) {
    return InvalidArgument(
        "--to ends a batch run, but --follow keeps landing new events: drop one of them");
  }
  if (args.Given("--mode") && follow && args.mode != "append") {
    return InvalidArgument("--mode " + args.mode +
                           " cannot be used with --follow: a continuous landing always appends");
  }
  if (job != nullptr) {
    for (const char* name :
         {"--partition-by", "--event-type-field", "--dedup-field", "--dedup-window-ms"}) {
      if (args.Given(name)) {
        return InvalidArgument(
            fmt::format("{} shapes the default layout; with --job the job file's [[output]] tables "
                        "(sql, partition_by) decide",
                        name));
      }
    }
  }
  bool by_time = job == nullptr
                     ? PartitionsByTime(args.options.partition_by)
                     : std::any_of(job->outputs.begin(), job->outputs.end(), [](const auto& out) {
                         return PartitionsByTime(out.partition_by);
                       });
  for (const char* name : {"--event-time-field", "--time-zone"}) {
    if (args.Given(name) && !by_time) {
      return InvalidArgument(fmt::format(
          "{} only sets the dt/hour partition folders, and {} partitions by neither: {}", name,
          job == nullptr ? "this run" : "no output of the job",
          job == nullptr ? "add --partition-by dt (or dt,hour)"
                         : "add partition_by = [\"dt\"] to an [[output]]"));
    }
  }
  return Status::Ok();
}

// --admin serves one follow lander's health (its lag against --max-lag-s) and metrics.
Status CheckLanderAdmin(const LandArgs& args, const jobs::JobSpec* job) {
  EL_RETURN_IF_ERROR(CheckAdminFlags(args.settings->lander.admin));
  if (args.settings->lander.admin.listen.empty()) {
    return args.Given("--max-lag-s")
               ? InvalidArgument("--max-lag-s sets the health of --admin's /healthz: add --admin")
               : Status::Ok();
  }
  bool follow = job != nullptr ? job->follow : args.options.follow;
  if (!follow) {
    return InvalidArgument(
        "--admin serves the health of a --follow run: add --follow or drop --admin");
  }
  if (job != nullptr && job->topics.size() > 1) {
    return InvalidArgument(
        "--admin serves one topic's lander: run one `eventlake land` per topic of the job");
  }
  return Status::Ok();
}

// A job file: one Land run per source topic (later topics append to what earlier ones wrote).
Result<jobs::LandSummary> RunJob(const LandArgs& args, const jobs::JobSpec& job,
                                 std::string& label) {
  jobs::LandSummary total;
  label = fmt::format("{}", fmt::join(job.topics, ","));
  if (job.follow) {  // every topic at once, each on its own thread
    std::vector<jobs::LandOptions> runs;
    for (const std::string& topic : job.topics) {
      runs.push_back(jobs::OptionsForJob(args.options, job, topic));
      runs.back().mode = jobs::WriteMode::kAppend;
      if (job.topics.size() > 1) runs.back().staging_key = job.name + "." + topic;
    }
    for (auto& r : RunWithSignals(runs)) {
      EL_RETURN_IF_ERROR(r.status());
      AddUp(total, *r);
      total.seconds = std::max(total.seconds, r->seconds);  // the runs overlap
      if (job.topics.size() == 1) total.ranges = r->ranges;
      total.group = r->group;
    }
    std::sort(total.tables.begin(), total.tables.end());
    return total;
  }
  for (size_t i = 0; i < job.topics.size(); ++i) {
    jobs::LandOptions o = jobs::OptionsForJob(args.options, job, job.topics[i]);
    o.mode = job.mode;
    if (i > 0 && o.mode == jobs::WriteMode::kOverwrite) o.mode = jobs::WriteMode::kAppend;
    if (i > 0) {
      for (auto& out : o.outputs) out.mode = o.mode;
    }
    EL_ASSIGN_OR_RETURN(jobs::LandSummary s, RunWithSignals(o));
    AddUp(total, s);
    total.seconds += s.seconds;  // one after another
    if (job.topics.size() == 1) {
      total.ranges = s.ranges;
      total.resumed_at = s.resumed_at;
    }
    total.group = s.group;
  }
  std::sort(total.tables.begin(), total.tables.end());
  return total;
}

// Prints a failed run's message; InvalidArgument is a usage error (exit 2), the rest exit 1.
void Fail(const Status& st, int& exit_code) {
  std::cerr << "eventlake land: " << st.message() << "\n";
  exit_code = st.code() == StatusCode::kInvalidArgument ? 2 : 1;
}

void RunLand(LandArgs& args, int& exit_code) {
  auto mode = jobs::ParseWriteMode(args.mode);
  if (!mode.ok() || (args.job_file.empty() && args.options.topic.empty())) {
    Fail(mode.ok() ? InvalidArgument("give either --topic or --job") : mode.status(), exit_code);
    return;
  }
  std::optional<jobs::JobSpec> job;
  if (!args.job_file.empty()) {
    auto loaded = LoadJob(args);
    if (!loaded.ok()) return Fail(loaded.status(), exit_code);
    job = std::move(*loaded);
  }
  if (Status st = CheckOptions(args, job ? &*job : nullptr); !st.ok()) return Fail(st, exit_code);
  if (Status st = CheckLanderAdmin(args, job ? &*job : nullptr); !st.ok()) {
    return Fail(st, exit_code);
  }
  args.options.mode = args.options.follow ? jobs::WriteMode::kAppend : *mode;
  auto bar = std::make_shared<jobs::ProgressBar>(jobs::ProgressBar::ForStderr());
  if (!args.options.follow && bar->enabled()) {  // a terminal only; erased before the summary
    args.options.on_progress = [bar](int64_t done, int64_t total) {
      done < total ? bar->Update(done, total) : bar->Finish();
    };
  }
  std::string label = args.options.topic;
  // --admin: /healthz and /metrics of this lander while it follows the topic.
  std::unique_ptr<jobs::LandMetrics> metrics;
  if (!args.settings->lander.admin.listen.empty()) {
    metrics = std::make_unique<jobs::LandMetrics>(
        job ? job->topics.front() : args.options.topic,
        std::chrono::milliseconds(static_cast<int64_t>(args.settings->lander.max_lag_s * 1000)));
    args.options.metrics = metrics.get();
  }
  auto admin = StartAdmin(args.settings->lander.admin, {metrics.get()});
  if (!admin.ok()) return Fail(admin.status(), exit_code);
  auto summary = job ? RunJob(args, *job, label) : RunWithSignals(args.options);
  if (*admin) (*admin)->Stop();
  if (!summary.ok()) return Fail(summary.status(), exit_code);
  std::cout << jobs::FormatSummary(label, *summary) << std::endl;
  exit_code = 0;
}

}  // namespace

void AddLandCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<LandArgs>();
  CLI::App* cmd = AddSettingsCommand(app, "land", "land a topic range into the Parquet lake",
                                     args->settings, args->setting_flags, exit_code, [args] {
                                       SetLogComponent("lander");
                                       int code = 0;
                                       RunLand(*args, code);
                                       return code;
                                     });
  cmd->add_option("--job", args->job_file, "job file (TOML): source range and outputs, see README");
  auto& flags = args->flags;
  flags["--from"] =
      cmd->add_option(
             "--from", args->options.from,
             "earliest|latest|OFFSET|TIME (every partition; with --job: replaces the job's)")
          ->capture_default_str();
  flags["--to"] =
      cmd->add_option(
             "--to", args->options.to,
             "latest|OFFSET (exclusive end, every partition; with --job: replaces the job's)")
          ->capture_default_str();
  cmd->add_flag("--follow", args->options.follow, "keep landing new events until SIGINT/SIGTERM");
  flags["--mode"] =
      cmd->add_option("--mode", args->mode,
                      "overwrite|append|error (with --job: every output's; follow always appends)")
          ->capture_default_str();
}

}  // namespace el::app
