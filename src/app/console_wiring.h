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

// Sources over the processes at `admin_urls` (http://HOST:PORT), with disk use of `log_dir` and
// `lake_dir` (either may be empty).
console::ConsoleSources ScrapeSources(std::vector<std::string> admin_urls, std::string log_dir,
                                      std::string lake_dir);

}  // namespace el::app
