#include "collector/http_session.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <future>
#include <thread>

namespace el::collector {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using std::chrono::steady_clock;

// Connects, sends `bytes`, and returns how long the server took to close the connection.
steady_clock::duration TimeUntilClosed(uint16_t port, const std::string& bytes) {
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  timeval tv{10, 0};
  setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  auto start = steady_clock::now();
  boost::system::error_code ec;
  if (!bytes.empty()) asio::write(socket, asio::buffer(bytes), ec);
  char buf[256];
  while (!ec) socket.read_some(asio::buffer(buf), ec);
  return steady_clock::now() - start;
}

TEST(HttpSessionTest, StalledAndIdleClientsAreDisconnectedAfterTheReadTimeout) {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  uint16_t port = acceptor.local_endpoint().port();
  SessionRegistry registry;
  SessionEnv env;
  env.read_timeout = std::chrono::milliseconds(300);
  env.registry = &registry;
  auto work = asio::make_work_guard(io);
  std::thread io_thread([&] { io.run(); });
  auto serve_one = [&] {
    tcp::socket socket = acceptor.accept(asio::any_io_executor(asio::make_strand(io)));
    auto session = std::make_shared<HttpSession>(std::move(socket), env);
    EXPECT_TRUE(registry.Add(session));
    asio::co_spawn(session->executor(), HttpSession::Run(session), asio::detached);
  };
  // The client connects (the kernel completes it from the backlog) before the server accepts.
  auto stalled_client =
      std::async(std::launch::async, [&] { return TimeUntilClosed(port, "GET / HTTP/1.1\r\nHo"); });
  serve_one();
  auto stalled = stalled_client.get();  // the header is never finished
  auto idle_client = std::async(std::launch::async, [&] { return TimeUntilClosed(port, ""); });
  serve_one();
  auto idle = idle_client.get();  // nothing is ever sent
  EXPECT_TRUE(registry.WaitEmpty(std::chrono::seconds(2)));
  work.reset();
  io.stop();
  io_thread.join();
  EXPECT_GE(stalled, std::chrono::milliseconds(250));
  EXPECT_LT(stalled, std::chrono::seconds(5));
  EXPECT_GE(idle, std::chrono::milliseconds(250));
  EXPECT_LT(idle, std::chrono::seconds(5));
}

TEST(SessionRegistryTest, RefusesSessionsAfterStopAll) {
  asio::io_context io;
  SessionRegistry registry;
  SessionEnv env;
  env.registry = &registry;
  EXPECT_TRUE(registry.WaitEmpty(std::chrono::milliseconds(0)));
  registry.StopAll();
  auto session = std::make_shared<HttpSession>(tcp::socket(io), env);
  EXPECT_FALSE(registry.Add(session));
}

}  // namespace
}  // namespace el::collector
