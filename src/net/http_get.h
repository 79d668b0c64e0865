#pragma once
// HttpGet: a one-shot HTTP/1.1 GET for operator tools (`eventlake status` reading /healthz and
// /metrics of a running process). Blocking; one connection per call. Thread-safe (no shared state).
#include <chrono>
#include <string>
#include <string_view>

#include "base/result.h"

namespace el::net {

struct HttpAnswer {
  int status = 0;
  std::string body;
};

// `base_url`: "http://HOST:PORT" (a trailing '/' is fine; "HOST:PORT" alone means http) to which
// `path` is appended. Errors: InvalidArgument (not such a URL), Unavailable (cannot connect, or the
// connection failed), DeadlineExceeded (no full answer within `timeout`).
Result<HttpAnswer> HttpGet(std::string_view base_url, std::string_view path,
                           std::chrono::milliseconds timeout);

}  // namespace el::net
