#pragma once
// Collector: the HTTP tracking API (`eventlake collect`). GET /, GET /purchase_a_sword,
// GET /<action>?k=v, POST /events and Segment's POST /v1/* become JSON events on a Kafka topic, produced through
// librdkafka with acks=all; each request is answered only after the broker acknowledged all of its
// events (503 with Retry-After otherwise).
//
// Threads: `io_threads` threads run one io_context (each connection a coroutine on its own strand);
// the producer's delivery reports are served on those io threads too (librdkafka signals an
// eventfd the io_context waits on), so an acknowledgement completes its requests without another
// thread hop; a probe thread checks the broker each second for /healthz. Lifecycle: Start() returns once the
// listener accepts; Stop() (also run by the destructor) stops accepting, lets in-flight requests
// finish, flushes the producer with a bounded wait and joins every thread. Start/Stop/port may be
// called from any thread, but Stop must not be called from an io thread.
#include <cstddef>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "base/result.h"
#include "collector/ignored_paths.h"
#include "net/endpoint.h"
#include "base/component_status.h"

namespace el::collector {

// The producer codecs CollectorOptions::compression accepts.
inline const std::vector<std::string> kCompressionCodecs = {"none", "gzip", "snappy", "lz4", "zstd"};

struct CollectorOptions {
  std::string brokers = "127.0.0.1:9092";  // librdkafka bootstrap.servers
  net::HostPort listen{"127.0.0.1", 5000};
  std::string topic = "events";
  int io_threads = 2;
  size_t max_body_bytes = 500 * 1024;  // per request; 413 beyond
  size_t max_event_bytes = 32 * 1024;  // per event; 413 beyond
  size_t max_batch_events = 2500;      // per request; 400 beyond
  // Request headers copied into events (case-insensitive); "*" copies every header.
  std::vector<std::string> header_allow = {"Host",    "User-Agent",   "Accept",
                                           "Referer", "Content-Type", "Accept-Language"};
  // Reverse proxies (CIDRs or addresses) whose X-Forwarded-For is believed: client_ip is then the
  // right-most untrusted address in it. Empty: client_ip is always the TCP peer.
  std::vector<std::string> trusted_proxies;
  bool truncate_ip = false;  // client_ip keeps only its /24 (IPv4) or /48 (IPv6)
  bool topic_per_type = false;  // produce to "<topic>.<event_type>" instead of `topic`
  std::vector<std::string> write_keys;  // non-empty: requests need one of them (HTTP Basic user)
  std::string cors_origin = "*";        // Access-Control-Allow-Origin for browser trackers
  // Paths browsers and crawlers request on their own (patterns, see ignored_paths.h): GET /<action>
  // answers them 404 and logs nothing, so /favicon.ico never becomes the table events_favicon_ico.
  std::vector<std::string> ignore_paths = DefaultIgnoredPaths();
  std::chrono::milliseconds dedup_window{10 * 60 * 1000};  // 0 disables messageId de-duplication
  size_t dedup_max_ids = 1000000;
  std::chrono::milliseconds header_timeout{10000};  // idle keep-alive wait plus request head
  std::chrono::milliseconds body_timeout{30000};
  std::chrono::milliseconds delivery_timeout{10000};  // librdkafka message.timeout.ms
  // A broker that acknowledges no event for this long while events wait (a full disk, a restart)
  // gets requests answered 503 with Retry-After at once, not after delivery_timeout; the waiting
  // events stay queued until then (delivery_watch.h).
  std::chrono::milliseconds stall_timeout{1000};
  // The process's other components (`eventlake up`): /healthz reports each and answers 503 when
  // any is unwell; /metrics appends their metrics. They must outlive the collector.
  std::vector<const ComponentStatus*> components;
  // producer linger.ms: 0 = send at once; the broker pipelines requests and shares one fdatasync
  // among all appends waiting for it, so waiting here only adds latency to every acknowledged event.
  int linger_ms = 0;
  // Codec of the batches the producer sends (librdkafka compression.type): none, gzip, snappy, lz4
  // or zstd. The broker stores batches as they come, so this is also the topic's codec on disk and
  // what consumers must decode. lz4: about 30% more events/s through /v1/batch than none and a few
  // times less log; every librdkafka- and Java-based client reads it, kafka-python needs its lz4
  // module and KafkaJS an lz4 codec, so `none` is there for clients without one.
  std::string compression = "lz4";  // one of kCompressionCodecs
  // Extra librdkafka producer settings (override the defaults above).
  std::map<std::string, std::string> producer_properties;
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
  // Whether the last broker probe (every second) reached a broker.
  bool broker_reachable() const;
  // Idempotent: stop accepting, finish in-flight requests, flush the producer (bounded), join.
  void Stop();

 private:
  struct Impl;
  explicit Collector(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace el::collector
