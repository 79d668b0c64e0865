// The landing job's one-line summary and the options of one topic of a job file (jobs/lander.h).
#include <fmt/format.h>

#include "jobs/lander.h"

namespace el::jobs {

namespace {

// "offset 5" for one partition, "offsets 0:5, 1:7" for several.
std::string LakeEnds(const std::map<int32_t, int64_t>& at) {
  if (at.size() == 1) return fmt::format("offset {}", at.begin()->second);
  std::string out;
  for (const auto& [p, offset] : at) out += fmt::format("{}{}:{}", out.empty() ? "" : ", ", p, offset);
  return "offsets " + out;
}

}  // namespace

std::string FormatSummary(const std::string& topic, const LandSummary& s) {
  if (s.events == 0 && s.dead_letters == 0 && s.duplicates == 0) {
    if (!s.resumed_at.empty()) {
      return fmt::format(
          "nothing new to append: the lake already holds every event of {} in the range (it ends at {})", topic,
          LakeEnds(s.resumed_at));
    }
    return "nothing to land: topic " + topic + " has no events in the range";
  }
  std::string resumed;
  if (s.duplicates > 0) resumed = fmt::format(", {} duplicates dropped (ids landed before)", s.duplicates);
  if (!s.resumed_at.empty()) {
    resumed += fmt::format("; append resumed where the lake ended ({})", LakeEnds(s.resumed_at));
  }
  std::string ranges;
  for (const auto& [p, r] : s.ranges) {
    if (!ranges.empty()) ranges += ", ";
    if (s.ranges.size() > 1) ranges += fmt::format("{}:", p);
    ranges += fmt::format("{}..{}", r.first, r.last);
  }
  return fmt::format("landed {} events from {}[{}] into {} tables ({}): {} files, {} dead letters, {:.1f} s{}",
                     s.events, topic, ranges, s.tables.size(), fmt::join(s.tables, ", "), s.files,
                     s.dead_letters, s.seconds, resumed);
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
