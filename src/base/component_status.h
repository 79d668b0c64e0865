#pragma once
// ComponentStatus: what a component of a process (broker, collector, lander) reports to the
// process's /healthz and /metrics. `eventlake up` serves every component's on the collector's HTTP
// listener.
// Threading: called from HTTP threads while the component runs; implementations are thread-safe.
#include <string>

namespace el {

class ComponentStatus {
 public:
  virtual ~ComponentStatus() = default;
  virtual std::string name() const = 0;
  // Empty while the component is well; else what is wrong, in a few words.
  virtual std::string Problem() const = 0;
  // Prometheus text exposition format 0.0.4: # HELP, # TYPE and samples.
  virtual std::string Metrics() const = 0;
};

}  // namespace el
