// JobEntry: a TOML job file (jobs/job_spec.h) as a user might write it. A job that parses has at
// least one topic and one output, every output a table name and SQL, and nothing that becomes a
// path in the lake (job name, topics, tables) can leave its folder or hide in it.
#include <string>

#include "fuzz/entries.h"
#include "jobs/job_spec.h"

namespace el::fuzz {
namespace {

bool SafeInPath(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos &&
         name.find('\0') == std::string::npos;
}

}  // namespace

Status JobEntry(Input data) {
  std::string text(reinterpret_cast<const char*>(data.data()), data.size());
  Result<jobs::JobSpec> job = jobs::ParseJob(text, "fuzz.toml");
  if (!job.ok()) {
    if (job.status().message().empty()) return Internal("a refused job file gets no reason");
    return Status::Ok();
  }
  if (job->topics.empty() || job->outputs.empty()) {
    return Internal("a job without topics or outputs was accepted");
  }
  if (!job->name.empty() &&
      (!SafeInPath(job->name) || job->name[0] == '_' || job->name[0] == '.')) {
    return Internal("job name accepted: " + job->name);
  }
  for (const std::string& topic : job->topics) {
    if (!SafeInPath(topic)) return Internal("topic name accepted: " + topic);
  }
  for (const jobs::OutputSpec& out : job->outputs) {
    if (out.sql.empty()) return Internal("an output without SQL");
    if (!SafeInPath(out.table) || out.table[0] == '_' || out.table[0] == '.') {
      return Internal("table name accepted: " + out.table);
    }
  }
  return Status::Ok();
}

}  // namespace el::fuzz
