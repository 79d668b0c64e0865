// `eventlake land`: lands a range of a topic, or runs a job file, into the lake (see
// jobs/lander.h, jobs/job_spec.h). A follow run stops
// cleanly on SIGINT/SIGTERM: the pending batch is landed first.
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <iostream>
#include <algorithm>
#include <memory>
#include <thread>

#include <fmt/format.h>

#include "app/commands.h"
#include "base/log.h"
#include "jobs/lander.h"
#include "jobs/progress.h"

namespace el::app {
namespace {

struct LandArgs {
  jobs::LandOptions options;
  std::string mode = "overwrite";
  int64_t flush_ms = 300;
  std::string job_file;
  bool mode_given = false;
};

// Runs one Land per options on worker threads while this thread waits for SIGINT/SIGTERM
// (blocked for the whole process so that no other thread takes them) and turns one into a stop
// request for all of them. A run that fails stops the others. Results in the order given.
std::vector<Result<jobs::LandSummary>> RunWithSignals(const std::vector<jobs::LandOptions>& runs) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::vector<Result<jobs::LandSummary>> results(runs.size(), Internal("landing did not run"));
  std::stop_source stop;
  std::atomic<size_t> finished{0};
  std::vector<std::jthread> workers;
  for (size_t i = 0; i < runs.size(); ++i) {
    workers.emplace_back([&, i] {
      results[i] = jobs::Land(runs[i], stop.get_token());
      if (!results[i].ok()) stop.request_stop();
      ++finished;
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
    if (std::find(total.tables.begin(), total.tables.end(), t) == total.tables.end()) total.tables.push_back(t);
  }
}

// A job file: one Land run per source topic (later topics append to what earlier ones wrote).
Result<jobs::LandSummary> RunJob(const LandArgs& args, std::string& label) {
  EL_ASSIGN_OR_RETURN(jobs::JobSpec job, jobs::LoadJobFile(args.job_file));
  if (!args.options.topic.empty()) job.topics = {args.options.topic};  // --topic overrides the file
  jobs::LandSummary total;
  label = fmt::format("{}", fmt::join(job.topics, ","));
  if (job.follow || args.options.follow) {  // every topic at once, each on its own thread
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
    }
    std::sort(total.tables.begin(), total.tables.end());
    return total;
  }
  for (size_t i = 0; i < job.topics.size(); ++i) {
    jobs::LandOptions o = jobs::OptionsForJob(args.options, job, job.topics[i]);
    if (!args.mode_given) o.mode = job.mode;
    if (o.follow) o.mode = jobs::WriteMode::kAppend;
    if (i > 0 && o.mode == jobs::WriteMode::kOverwrite) o.mode = jobs::WriteMode::kAppend;
    if (i > 0) {
      for (auto& out : o.outputs) out.mode = o.mode;
    }
    EL_ASSIGN_OR_RETURN(jobs::LandSummary s, RunWithSignals(o));
    AddUp(total, s);
    total.seconds += s.seconds;  // one after another
    if (job.topics.size() == 1) total.ranges = s.ranges;
  }
  std::sort(total.tables.begin(), total.tables.end());
  return total;
}

void RunLand(LandArgs& args, int& exit_code) {
  auto mode = jobs::ParseWriteMode(args.mode);
  if (!mode.ok() || (args.job_file.empty() && args.options.topic.empty())) {
    std::cerr << "eventlake land: "
              << (mode.ok() ? "give either --topic or --job" : mode.status().message()) << "\n";
    exit_code = 2;
    return;
  }
  args.options.mode = args.options.follow ? jobs::WriteMode::kAppend : *mode;
  args.options.flush_interval = std::chrono::milliseconds(args.flush_ms);
  auto bar = std::make_shared<jobs::ProgressBar>(jobs::ProgressBar::ForStderr());
  if (!args.options.follow && bar->enabled()) {  // a terminal only; erased before the summary
    args.options.on_progress = [bar](int64_t done, int64_t total) {
      done < total ? bar->Update(done, total) : bar->Finish();
    };
  }
  std::string label = args.options.topic;
  auto summary = args.job_file.empty() ? RunWithSignals(args.options) : RunJob(args, label);
  if (!summary.ok()) {
    std::cerr << "eventlake land: " << summary.status().message() << "\n";
    exit_code = summary.status().code() == StatusCode::kInvalidArgument ? 2 : 1;
    return;
  }
  std::cout << jobs::FormatSummary(label, *summary) << std::endl;
  exit_code = 0;
}

}  // namespace

void AddLandCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<LandArgs>();
  CLI::App* cmd = app.add_subcommand("land", "land a topic range into the Parquet lake");
  cmd->add_option("--brokers", args->options.brokers, "bootstrap brokers host:port,...")
      ->capture_default_str();
  cmd->add_option("--lake", args->options.lake_dir, "lake directory")->required();
  cmd->add_option("--topic", args->options.topic, "topic to land (with --job: replaces the job's topics)");
  cmd->add_option("--job", args->job_file, "job file (TOML): source range and outputs, see README");
  cmd->add_option("--from", args->options.from, "earliest|latest|OFFSET (every partition)")
      ->capture_default_str();
  cmd->add_option("--to", args->options.to, "latest|OFFSET (exclusive end, every partition)")
      ->capture_default_str();
  cmd->add_flag("--follow", args->options.follow, "keep landing new events until SIGINT/SIGTERM");
  cmd->add_option("--group", args->options.group,
                  "follow: consumer group whose landers split the topic's partitions between them");
  cmd->add_option("--mode", args->mode, "overwrite|append|error (follow always appends)")
      ->capture_default_str()
      ->each([args](const std::string&) { args->mode_given = true; });
  cmd->add_option("--flush-ms", args->flush_ms, "follow: longest time an event waits to be landed")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{3'600'000}));
  cmd->add_option("--max-rows", args->options.max_rows, "follow: land a batch once it holds this many records")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{100'000'000}));
  cmd->add_option("--max-bytes", args->options.max_bytes, "follow: land a batch once it stages this many bytes")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 40));
  cmd->add_option("--event-type-field", args->options.event_type_field,
                  "field whose values get their own tables")
      ->capture_default_str();
  cmd->add_option("--event-time-field", args->options.event_time.field,
                  "field holding the event time for dt/hour partitions (else the Kafka timestamp)");
  cmd->add_option("--time-zone", args->options.event_time.time_zone, "zone of dt/hour folders")
      ->capture_default_str();
  cmd->add_option("--partition-by", args->options.partition_by,
                  "partition columns of the default layout, e.g. dt or dt,hour")
      ->delimiter(',');
  cmd->add_option("--memory-limit", args->options.memory_limit,
                  "DuckDB memory for a batch (e.g. 512MB, 2GB); beyond it, it spills to the lake's _staging")
      ->capture_default_str();
  cmd->add_option("--max-record-bytes", args->options.max_record_bytes,
                  "records longer than this become dead letters")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 30));
  cmd->callback([args, &exit_code] { RunLand(*args, exit_code); });
}

}  // namespace el::app
