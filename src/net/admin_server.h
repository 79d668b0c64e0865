#pragma once
// AdminServer: a small HTTP/1.1 server for a process's operator endpoints (GET /healthz,
// GET /metrics) on its own listener (`--admin HOST:PORT`), for the processes that have no HTTP
// listener of their own (`eventlake broker`, `eventlake land`). Routes are exact paths answered by
// handlers; other paths get 404, other methods 405.
//
// Threads: one thread (AdminServerOptions::threads) runs the server's io_context; each connection
// is one coroutine (requests on it served one after another, keep-alive). Handlers run on that
// thread and must be thread-safe with respect to the rest of the process. Lifecycle: Start()
// returns once the listener accepts; Stop() (also run by the destructor) closes the listener and
// every connection and joins the thread.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/component_status.h"
#include "base/result.h"
#include "net/endpoint.h"

namespace el::net {

struct AdminResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra: name, value
};

using AdminHandler = std::function<AdminResponse()>;

// What a request handler sees of a request.
struct AdminRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // without the query
  std::string query;   // after '?', undecoded
  std::string authorization;
  std::string cookie;
  std::string body;
};
using AdminRequestHandler = std::function<AdminResponse(const AdminRequest&)>;

struct AdminServerOptions {
  // Answers every request no route matches; without one those get 404.
  AdminRequestHandler fallback;
  size_t max_body_bytes = 16 * 1024;  // larger requests get 413
  int threads = 1;                    // threads running handlers (a slow one holds only its own)
};

class AdminServer {
 public:
  // `routes`: exact request paths (query ignored) to handlers. Errors: InvalidArgument (bad host),
  // IOError (cannot listen).
  static Result<std::unique_ptr<AdminServer>> Start(const HostPort& listen,
                                                    std::map<std::string, AdminHandler> routes);
  static Result<std::unique_ptr<AdminServer>> Start(const HostPort& listen,
                                                    std::map<std::string, AdminHandler> routes,
                                                    AdminServerOptions options);
  ~AdminServer();
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  uint16_t port() const;
  void Stop();  // idempotent

 private:
  struct Impl;
  explicit AdminServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// /healthz of a process made of `components` (which must outlive the handlers): 200
// {"status":"ok","components":{"broker":"ok"}} while every one is well, else 503 with
// "status":"unavailable" and, for each unwell component, what is wrong.
AdminResponse HealthResponse(const std::vector<const ComponentStatus*>& components);
// /metrics: every component's Prometheus text, one after another.
AdminResponse MetricsResponse(const std::vector<const ComponentStatus*>& components);
// Both routes over `components`.
std::map<std::string, AdminHandler> ComponentRoutes(std::vector<const ComponentStatus*> components);
// Appends `"name":"ok"` (or the problem) for each component, comma-separated, to `out`; true when
// every one is well. Shared by the collector's /healthz so that both answer in one shape.
bool AppendComponentsJson(const std::vector<const ComponentStatus*>& components, std::string& out);

}  // namespace el::net
