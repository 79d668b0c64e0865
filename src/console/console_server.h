#pragma once
// ConsoleServer: the console's HTTP listener. Serves the pages and the front-end libraries built
// into the binary (console/assets.h) and the JSON API under /api/ (docs/console-api.md) on the
// project's admin HTTP stack (net::AdminServer). The numbers come from the same sources as
// /healthz and /metrics, handed in by the wiring (`eventlake up`, `eventlake console`).
//
// Access: on a non-loopback address Start refuses to run without a token; with a token every
// request needs it (console/access.h). Threads: the listener's threads (3: a long query holds one)
// run the handlers; a sampler thread reads the counters once a second into a 15-minute ring.
// Lifecycle: Start returns once the listener accepts; Stop (and the destructor) stops both.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "base/result.h"
#include "console/live_ring.h"
#include "console/sql_runner.h"
#include "net/admin_server.h"
#include "net/endpoint.h"

namespace el::console {

// A request to browse a partition's messages (GET /api/messages): from `offset`, or from the first
// message at or after `time_ms` when set; at most `limit`.
struct MessageQuery {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  std::optional<int64_t> time_ms;
  int limit = 50;
};

// What a dead-letter replay did (jobs/replay.h's summary, for the page).
struct ReplayOutcome {
  int64_t replayed = 0;
  int64_t already_replayed = 0;
  std::string message;
};

struct ConsoleOptions {
  net::HostPort listen{"127.0.0.1", 5080};
  std::string token;     // empty: none (loopback only)
  std::string lake_dir;  // for SQL and the lake's tables; empty: none
  SqlLimits sql;
};

// Where the numbers come from. Each function is called from the listener's or the sampler's
// threads and must be thread-safe; all are optional.
struct ConsoleSources {
  // The process's /healthz answer ({"status":...,"components":{...}} and its HTTP status).
  std::function<net::AdminResponse()> health;
  // The /metrics samples as JSON: {"samples":[{"name":..,"labels":{..},"value":..},...]}.
  std::function<std::string()> metrics_json;
  // Totals of events received and events landed, for the rate ring.
  std::function<std::pair<double, double>()> counters;
  // Disk use as JSON: {"log":BYTES,"lake":BYTES} (null when unknown).
  std::function<std::string()> disk_json;
  // Live events: the ring a tail reader fills, and what starts that reader (called on every
  // /api/live request). Both null: no live events.
  std::shared_ptr<LiveRing> live;
  std::function<void()> live_wanted;
  // The log's topics and consumer groups as JSON (docs/console-api.md); null: no log watched.
  std::function<Result<std::string>()> topics_json;
  std::function<Result<std::string>()> groups_json;
  // A partition's messages as JSON (docs/console-api.md, /api/messages); null: no log watched.
  // Errors: NotFound (no such topic or partition), Unavailable.
  std::function<Result<std::string>(const MessageQuery&)> messages_json;
  // Produces the dead letters of the landed table `table` again (jobs/replay.h); null: no replay
  // (no log or no lake). Errors: NotFound (no dead-letter table), Unavailable, IOError.
  std::function<Result<ReplayOutcome>(const std::string& table)> replay;
};

class ConsoleServer {
 public:
  // Errors: InvalidArgument (a non-loopback address without a token), IOError (cannot listen).
  static Result<std::unique_ptr<ConsoleServer>> Start(ConsoleOptions options,
                                                      ConsoleSources sources);
  ~ConsoleServer();
  ConsoleServer(const ConsoleServer&) = delete;
  ConsoleServer& operator=(const ConsoleServer&) = delete;

  uint16_t port() const;
  // http://HOST:PORT/ (a wildcard host shown as 127.0.0.1).
  std::string Url() const;
  void Stop();  // idempotent

 private:
  struct Impl;
  explicit ConsoleServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace el::console
