// The landing job's one-line summary and the options of one topic of a job file (jobs/lander.h).
#include <fmt/format.h>

#include "jobs/lander.h"

namespace el::jobs {

std::string FormatSummary(const std::string& topic, const LandSummary& s) {
  if (s.events == 0 && s.dead_letters == 0) {
    return "nothing to land: topic " + topic + " has no events in the range";
  }
  std::string ranges;
  for (const auto& [p, r] : s.ranges) {
    if (!ranges.empty()) ranges += ", ";
    if (s.ranges.size() > 1) ranges += fmt::format("{}:", p);
    ranges += fmt::format("{}..{}", r.first, r.last);
  }
  return fmt::format("landed {} events from {}[{}] into {} tables ({}): {} files, {} dead letters, {:.1f} s",
                     s.events, topic, ranges, s.tables.size(), fmt::join(s.tables, ", "), s.files,
                     s.dead_letters, s.seconds);
}

LandOptions OptionsForJob(const LandOptions& base, const JobSpec& job, const std::string& topic) {
  LandOptions o = base;
  o.topic = topic;
  o.from_spec = job.from;
  o.to = job.to.kind == RangeSpec::Kind::kLatest ? "latest" : std::to_string(job.to.value);
  o.follow = base.follow || job.follow;
  o.event_time = job.event_time;
  o.max_record_bytes = job.max_record_bytes;
  o.job_name = job.name;
  o.outputs = job.outputs;
  return o;
}

}  // namespace el::jobs
