#include "net/http_get.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <optional>

#include "net/endpoint.h"

namespace el::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

namespace {

constexpr size_t kMaxAnswerBytes = 64u << 20;

asio::awaitable<Result<HttpAnswer>> Exchange(const HostPort& where, const std::string& target) {
  auto executor = co_await asio::this_coro::executor;
  tcp::resolver resolver(executor);
  auto [rec, endpoints] = co_await resolver.async_resolve(where.host, std::to_string(where.port),
                                                          asio::as_tuple(asio::use_awaitable));
  if (rec) co_return Unavailable("cannot resolve " + where.host + ": " + rec.message());
  beast::tcp_stream stream(executor);
  auto [cec, endpoint] =
      co_await stream.async_connect(endpoints, asio::as_tuple(asio::use_awaitable));
  if (cec) co_return Unavailable("cannot connect to " + where.ToString() + ": " + cec.message());
  http::request<http::empty_body> request{http::verb::get, target, 11};
  request.set(http::field::host, where.ToString());
  request.set(http::field::connection, "close");
  auto [wec, wn] = co_await http::async_write(stream, request, asio::as_tuple(asio::use_awaitable));
  if (wec) co_return Unavailable(where.ToString() + ": " + wec.message());
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxAnswerBytes);
  auto [ec, n] =
      co_await http::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
  if (ec) co_return Unavailable(where.ToString() + ": " + ec.message());
  co_return HttpAnswer{static_cast<int>(parser.get().result_int()), std::move(parser.get().body())};
}

// Runs Exchange into `*out`; `out` outlives the io_context running this.
asio::awaitable<void> ExchangeInto(HostPort where, std::string target,
                                   std::optional<Result<HttpAnswer>>* out) {
  try {
    *out = co_await Exchange(where, target);
  } catch (const std::exception& e) {
    *out = Unavailable(where.ToString() + ": " + e.what());
  }
}

}  // namespace

Result<HttpAnswer> HttpGet(std::string_view base_url, std::string_view path,
                           std::chrono::milliseconds timeout) {
  std::string_view rest = base_url;
  if (rest.starts_with("http://")) rest.remove_prefix(7);
  if (rest.find("://") != std::string_view::npos) {
    return InvalidArgument("only http:// URLs are supported: " + std::string(base_url));
  }
  while (rest.ends_with('/')) rest.remove_suffix(1);
  if (rest.find('/') != std::string_view::npos) {
    return InvalidArgument("expected http://HOST:PORT without a path: " + std::string(base_url));
  }
  auto where = ParseHostPort(rest, 80);
  if (!where.ok() || where->port == 0) {
    return InvalidArgument("expected http://HOST:PORT: " + std::string(base_url));
  }
  std::optional<Result<HttpAnswer>> answer;
  asio::io_context io;  // declared after `answer`: a pending exchange is destroyed first
  asio::co_spawn(io, ExchangeInto(*where, std::string(path), &answer), asio::detached);
  io.run_for(timeout);
  if (!answer) {
    return DeadlineExceeded("no answer from " + where->ToString() + std::string(path) + " within " +
                            std::to_string(timeout.count()) + " ms");
  }
  return std::move(*answer);
}

}  // namespace el::net
