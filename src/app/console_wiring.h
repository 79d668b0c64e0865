#pragma once
// The console's wiring: its numbers come from the /healthz and /metrics of the processes it
// watches, read over HTTP exactly as `eventlake status` and Prometheus read them (in `up`, from its
// own collector's listener). One scrape a second at most, however many pages are open.
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "console/console_server.h"

namespace el::app {

struct WatchedPipeline {
  std::vector<std::string> admin_urls;  // http://HOST:PORT of /healthz and /metrics
  std::string log_dir;                  // for disk use; empty: unknown
  std::string lake_dir;                 // for disk use; empty: unknown
  std::string brokers;                  // for live events of `topic`; empty: none
  std::string topic;
};

// The console's sources over `watched`.
console::ConsoleSources ScrapeSources(WatchedPipeline watched);

}  // namespace el::app
