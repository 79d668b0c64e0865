#pragma once
// Collector: the HTTP tracking API (`eventlake collect`). GET /, GET /purchase_a_sword,
// GET /<action>?k=v and POST /events become JSON events on a Kafka topic, produced through
// librdkafka with acks=all; each request is answered only after the broker acknowledged all of its
// events (503 with Retry-After otherwise).
//
// Threads: `io_threads` threads run one io_context (each connection a coroutine on its own strand);
// the producer has its own delivery-report poll thread. Lifecycle: Start() returns once the
// listener accepts; Stop() (also run by the destructor) stops accepting, lets in-flight requests
// finish, flushes the producer with a bounded wait and joins every thread. Start/Stop/port may be
// called from any thread, but Stop must not be called from an io thread.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "base/result.h"
#include "net/endpoint.h"

namespace el::collector {

struct CollectorOptions {
  std::string brokers = "127.0.0.1:9092";  // librdkafka bootstrap.servers
  net::HostPort listen{"127.0.0.1", 5000};
  std::string topic = "events";
  int io_threads = 2;
  size_t max_body_bytes = 512 * 1024;
};

class Collector {
 public:
  // Errors: InvalidArgument (bad options or producer settings), IOError (cannot listen).
  static Result<std::unique_ptr<Collector>> Start(CollectorOptions options);
  ~Collector();
  Collector(const Collector&) = delete;
  Collector& operator=(const Collector&) = delete;

  // The bound port (the real one when options.listen.port was 0).
  uint16_t port() const;
  // Idempotent: stop accepting, finish in-flight requests, flush the producer (bounded), join.
  void Stop();

 private:
  struct Impl;
  explicit Collector(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace el::collector
