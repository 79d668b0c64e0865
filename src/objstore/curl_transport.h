#pragma once
// CurlTransport: HttpTransport over libcurl's easy interface. Keeps idle easy handles (and so their
// kept-alive connections) in a small pool; each Send takes one, so several threads can send at
// once. A transfer fails with DeadlineExceeded when it makes no progress for `idle_timeout`
// (not a total time limit: a large upload may take long while it moves).
// Lifetime: create after main starts (libcurl's global init runs once, on first construction).
#include <chrono>
#include <memory>
#include <mutex>
#include <vector>

#include "objstore/http_transport.h"

namespace el::objstore {

struct CurlOptions {
  std::chrono::seconds connect_timeout{10};
  std::chrono::seconds idle_timeout{30};
};

class CurlTransport final : public HttpTransport {
 public:
  explicit CurlTransport(CurlOptions options = {});
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  Result<HttpResponse> Send(const HttpRequest& request) override;

 private:
  void* Take();
  void Give(void* handle);

  CurlOptions options_;
  std::mutex mu_;
  std::vector<void*> idle_;  // CURL* handles; GUARDED_BY(mu_)
};

}  // namespace el::objstore
