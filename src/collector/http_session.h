#pragma once
// HttpSession: one client connection, served by one coroutine on its own strand (so its state
// needs no lock). Requests on a connection are handled one after another (keep-alive); the answer
// to a request is written only after the broker acknowledged every event of it.
//
// Lifetime: owned by shared_ptr (the coroutine holds one); the SessionEnv must outlive it.
// RequestStop() may be called from any thread: an idle session closes at once, a session
// with a request in flight answers it first.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "clients/rdk/producer.h"
#include "collector/proxy.h"
#include "collector/body.h"
#include "collector/dedup.h"
#include "collector/delivery_watch.h"
#include "collector/event.h"
#include "collector/ignored_paths.h"
#include "collector/metrics.h"
#include "collector/response.h"
#include "collector/route.h"
#include "collector/topic_router.h"
#include "base/component_status.h"

namespace el::collector {

class HttpSession;

// Tracks live sessions so that shutdown can stop them and wait for them. Thread-safe; its lock is
// taken once per connection, never per request.
class SessionRegistry {
 public:
  // False once StopAll() has run: the caller drops the connection.
  bool Add(const std::shared_ptr<HttpSession>& session);
  void Remove(HttpSession* session);
  // Refuses new sessions and asks every live one to stop.
  void StopAll();
  // Waits until no session is left or `timeout` passed; true when none is left.
  bool WaitEmpty(std::chrono::milliseconds timeout);

 private:
  std::mutex mu_;
  std::condition_variable empty_;
  bool stopping_ = false;                                                  // guarded by mu_
  std::unordered_map<HttpSession*, std::weak_ptr<HttpSession>> sessions_;  // guarded by mu_
};

// What sessions share; owned by the Collector, which outlives its sessions. Pointers may be null
// in tests that never route a request.
struct SessionEnv {
  rdk::Producer* producer = nullptr;
  TopicRouter* router = nullptr;
  MessageIdWindow* dedup = nullptr;
  Metrics* metrics = nullptr;
  const std::atomic<bool>* broker_reachable = nullptr;
  const DeliveryWatch* delivery_watch = nullptr;  // null: requests wait out delivery_deadline
  std::vector<std::string> header_allow;  // canonical names; empty with all_headers: every header
  bool all_headers = false;
  bool truncate_ip = false;
  std::vector<IpNetwork> trusted_proxies;  // non-empty: client_ip from their X-Forwarded-For
  std::vector<std::string> write_keys;  // empty: no authentication
  std::string cors_origin = "*";
  IgnoredPaths ignored_paths;  // answered 404 instead of logged as GET events
  BodyLimits limits;
  size_t max_body_bytes = 500 * 1024;
  // Idle keep-alive wait plus the request head; then the body has body_timeout.
  std::chrono::steady_clock::duration read_timeout = std::chrono::seconds(10);
  std::chrono::steady_clock::duration body_timeout = std::chrono::seconds(30);
  std::chrono::steady_clock::duration delivery_deadline = std::chrono::seconds(30);
  SessionRegistry* registry = nullptr;
  // The process's other components (`eventlake up`): /healthz reports each, /metrics appends theirs.
  std::vector<const ComponentStatus*> components;
};

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  // `socket` must use a strand executor.
  HttpSession(boost::asio::ip::tcp::socket socket, const SessionEnv& env);

  // The session's coroutine; catches everything, unregisters itself at the end. It takes the
  // owning pointer by value so that the coroutine frame keeps the session alive.
  static boost::asio::awaitable<void> Run(std::shared_ptr<HttpSession> self);
  void RequestStop();
  boost::asio::any_io_executor executor() { return stream_.get_executor(); }

 private:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;

  boost::asio::awaitable<void> Serve();
  // `request` lives in Serve()'s frame, which awaits this call to its end.
  boost::asio::awaitable<Response> Handle(const Request& request);
  // The routes that log events (seed, actions, /events, Segment).
  boost::asio::awaitable<Response> HandleEvents(const Request& request, const Route& route);
  boost::asio::awaitable<Response> HandleGetEvent(const Request& request, const Route& route);
  // Produces `events` (duplicates of acknowledged messageIds skipped), waits for acknowledgement;
  // OK or the error to answer with.
  boost::asio::awaitable<Status> Publish(EventBatch batch);
  RequestContext MakeContext(const Request& request) const;
  Response Preflight(const Request& request, const Route& route) const;
  Response Health() const;
  bool Authorized(const Request& request) const;
  boost::asio::awaitable<bool> Write(Response response, bool keep_alive);
  // Writes fixed_body_ as a keep-alive 200 text answer from pre-serialized bytes (one write).
  boost::asio::awaitable<bool> WriteFixed();
  boost::asio::awaitable<void> LingeringClose();
  void Record(std::string_view label, int status, std::chrono::steady_clock::time_point start,
              size_t body_bytes);
  // Reads one request (answering `Expect: 100-continue` between header and body).
  boost::asio::awaitable<boost::beast::error_code> ReadRequest(
      boost::beast::http::request_parser<boost::beast::http::string_body>& parser);

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  const SessionEnv& env_;
  boost::asio::ip::address peer_;      // the TCP peer
  std::string client_ip_;             // remote address text (truncated when configured)
  std::string_view route_label_;      // the current request's metrics label; strand only
  // A seed route's fixed 200 answer for the current request (body text), set by HandleGetEvent
  // instead of building a Response; empty otherwise. Strand only.
  std::string_view fixed_body_;
  bool reading_ = false;  // strand only
  bool stop_ = false;     // strand only
};

}  // namespace el::collector
