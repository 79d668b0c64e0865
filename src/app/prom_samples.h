#pragma once
// The samples of a Prometheus text exposition, for the commands that read a running process's
// /metrics (`status`, `topics describe --admin`). Pure functions.
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace el::app {

// One sample: name{labels} value.
struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

// Every sample of `text` (comments skipped, malformed lines ignored).
std::vector<Sample> ParseSamples(std::string_view text);

}  // namespace el::app
