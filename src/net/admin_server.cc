#include "net/admin_server.h"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <algorithm>
#include <chrono>
#include <mutex>
#include <thread>

#include "base/json_text.h"
#include "net/listener.h"

namespace el::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

namespace {
constexpr auto kIdleTimeout = std::chrono::seconds(30);
constexpr size_t kMaxHeaderBytes = 16 * 1024;
}  // namespace

// Member order: the io_context goes first on destruction, so abandoned connection coroutines are
// destroyed while `routes` still exists.
struct AdminServer::Impl {
  std::map<std::string, AdminHandler> routes;
  AdminServerOptions options;
  uint16_t port = 0;
  std::once_flag stop_once;
  std::vector<std::thread> threads;
  asio::io_context io;
  tcp::acceptor acceptor{io};

  Status Listen(const HostPort& listen);
  asio::awaitable<void> AcceptLoop();
  asio::awaitable<void> Serve(tcp::socket socket);
  http::response<http::string_body> Answer(const http::request<http::string_body>& request) const;
};

Status AdminServer::Impl::Listen(const HostPort& listen) {
  EL_ASSIGN_OR_RETURN(port, OpenListener(acceptor, listen));
  return Status::Ok();
}

asio::awaitable<void> AdminServer::Impl::AcceptLoop() {
  asio::steady_timer backoff(io);
  for (;;) {
    // Each connection on its own strand: with several threads, its timer and its reads must not
    // run at once.
    auto [ec, socket] =
        co_await acceptor.async_accept(asio::make_strand(io), asio::as_tuple(asio::use_awaitable));
    if (!acceptor.is_open() || ec == asio::error::operation_aborted) co_return;
    if (ec) {  // e.g. out of file descriptors: back off instead of spinning
      spdlog::warn("admin listener: accept failed: {}", ec.message());
      backoff.expires_after(std::chrono::milliseconds(100));
      co_await backoff.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    auto executor = socket.get_executor();
    asio::co_spawn(executor, Serve(std::move(socket)), asio::detached);
  }
}

http::response<http::string_body> AdminServer::Impl::Answer(
    const http::request<http::string_body>& request) const {
  std::string_view target(request.target().data(), request.target().size());
  std::string path(target.substr(0, target.find('?')));
  AdminResponse answer;
  auto route = routes.find(path);
  if (route == routes.end() && options.fallback) {
    AdminRequest r;
    r.method = std::string(request.method_string());
    r.path = path;
    if (size_t q = target.find('?'); q != std::string_view::npos) r.query = target.substr(q + 1);
    r.authorization = std::string(request[http::field::authorization]);
    r.cookie = std::string(request[http::field::cookie]);
    r.body = request.body();
    answer = options.fallback(r);
  } else if (route == routes.end()) {
    answer = {404, "text/plain; charset=utf-8", "no such path: " + path + "\n", {}};
  } else if (request.method() != http::verb::get) {
    answer = {405, "text/plain; charset=utf-8", "only GET\n", {}};
  } else {
    answer = route->second();
  }
  http::response<http::string_body> response{static_cast<http::status>(answer.status),
                                             request.version()};
  response.set(http::field::content_type, answer.content_type);
  for (const auto& [name, value] : answer.headers) response.set(name, value);
  if (answer.status == 405) response.set(http::field::allow, "GET");
  if (answer.status == 503) response.set(http::field::retry_after, "1");
  response.body() = std::move(answer.body);
  response.keep_alive(request.keep_alive());
  response.prepare_payload();
  return response;
}

asio::awaitable<void> AdminServer::Impl::Serve(tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  try {
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.header_limit(kMaxHeaderBytes);
      parser.body_limit(options.max_body_bytes);
      stream.expires_after(kIdleTimeout);
      auto [ec, n] =
          co_await http::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
      if (ec == http::error::body_limit) {
        http::response<http::string_body> too_large{http::status::payload_too_large, 11};
        too_large.set(http::field::content_type, "application/json");
        too_large.body() = "{\"error\":\"request body too large\"}";
        too_large.keep_alive(false);
        too_large.prepare_payload();
        co_await http::async_write(stream, too_large, asio::as_tuple(asio::use_awaitable));
        break;
      }
      if (ec) break;  // closed, timed out, cancelled or not HTTP: nothing to answer
      auto response = Answer(parser.get());
      bool keep_alive = response.keep_alive();
      auto [wec, wn] =
          co_await http::async_write(stream, response, asio::as_tuple(asio::use_awaitable));
      if (wec || !keep_alive) break;
    }
  } catch (const std::exception& e) {
    spdlog::warn("admin listener: connection ended by error: {}", e.what());
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
}

AdminServer::AdminServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

AdminServer::~AdminServer() { Stop(); }

Result<std::unique_ptr<AdminServer>> AdminServer::Start(
    const HostPort& listen, std::map<std::string, AdminHandler> routes) {
  return Start(listen, std::move(routes), AdminServerOptions{});
}

Result<std::unique_ptr<AdminServer>> AdminServer::Start(const HostPort& listen,
                                                        std::map<std::string, AdminHandler> routes,
                                                        AdminServerOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->routes = std::move(routes);
  impl->options = std::move(options);
  EL_RETURN_IF_ERROR(impl->Listen(listen));
  Impl* raw = impl.get();
  asio::co_spawn(raw->io, raw->AcceptLoop(), [](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      spdlog::error("admin listener: accept loop failed: {}", ex.what());
    }
  });
  for (int i = 0; i < std::max(1, raw->options.threads); ++i)
    raw->threads.emplace_back([raw] { raw->io.run(); });
  return std::unique_ptr<AdminServer>(new AdminServer(std::move(impl)));
}

uint16_t AdminServer::port() const { return impl_->port; }

void AdminServer::Stop() {
  std::call_once(impl_->stop_once, [this] {
    impl_->io.stop();  // open connections are dropped: they only ever read state
    for (std::thread& t : impl_->threads) t.join();
    boost::system::error_code ignored;
    impl_->acceptor.close(ignored);  // no thread runs the io_context any more
  });
}

bool AppendComponentsJson(const std::vector<const ComponentStatus*>& components, std::string& out) {
  bool well = true;
  bool first = true;
  for (const ComponentStatus* c : components) {
    std::string problem = c->Problem();
    well = well && problem.empty();
    if (!first) out += ',';
    first = false;
    AppendJsonString(out, c->name());
    out += ':';
    AppendJsonString(out, problem.empty() ? "ok" : problem);
  }
  return well;
}

AdminResponse HealthResponse(const std::vector<const ComponentStatus*>& components) {
  std::string listed;
  bool well = AppendComponentsJson(components, listed);
  std::string body = std::string("{\"status\":\"") + (well ? "ok" : "unavailable") +
                     "\",\"components\":{" + listed + "}}";
  return {well ? 200 : 503, "application/json", std::move(body), {}};
}

AdminResponse MetricsResponse(const std::vector<const ComponentStatus*>& components) {
  std::string text;
  for (const ComponentStatus* c : components) text += c->Metrics();
  return {200, "text/plain; version=0.0.4; charset=utf-8", std::move(text), {}};
}

std::map<std::string, AdminHandler> ComponentRoutes(
    std::vector<const ComponentStatus*> components) {
  return {{"/healthz", [components] { return HealthResponse(components); }},
          {"/metrics", [components] { return MetricsResponse(components); }}};
}

}  // namespace el::net
