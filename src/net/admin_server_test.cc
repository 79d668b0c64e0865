#include "net/admin_server.h"

#include "net/http_get.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

namespace el::net {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

class FakeComponent final : public ComponentStatus {
 public:
  explicit FakeComponent(std::string name) : name_(std::move(name)) {}
  std::string name() const override { return name_; }
  std::string Problem() const override { return broken_ ? "disk \"full\"" : ""; }
  std::string Metrics() const override {
    return "# TYPE " + name_ + "_up gauge\n" + name_ + "_up " + (broken_ ? "0" : "1") + "\n";
  }
  void Break(bool broken) { broken_ = broken; }

 private:
  std::string name_;
  std::atomic<bool> broken_{false};
};

// Sends `request` on a new connection and returns everything the server wrote until it closed.
std::string Exchange(uint16_t port, const std::string& request) {
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  asio::write(socket, asio::buffer(request));
  std::string out;
  boost::system::error_code ec;
  asio::read(socket, asio::dynamic_buffer(out), ec);
  return out;
}

std::string Get(uint16_t port, const std::string& path) {
  return Exchange(port, "GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
}

TEST(AdminServerTest, ServesHealthAndMetricsOfItsComponents) {
  FakeComponent broker("broker"), lander("lander");
  auto server = AdminServer::Start({"127.0.0.1", 0}, ComponentRoutes({&broker, &lander}));
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  uint16_t port = (*server)->port();
  ASSERT_NE(port, 0);

  std::string ok = Get(port, "/healthz");
  EXPECT_EQ(ok.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << ok;
  EXPECT_NE(ok.find("{\"status\":\"ok\",\"components\":{\"broker\":\"ok\",\"lander\":\"ok\"}}"),
            std::string::npos)
      << ok;

  lander.Break(true);
  std::string bad = Get(port, "/healthz?verbose=1");
  EXPECT_EQ(bad.rfind("HTTP/1.1 503 Service Unavailable\r\n", 0), 0u) << bad;
  EXPECT_NE(bad.find("\"status\":\"unavailable\""), std::string::npos) << bad;
  EXPECT_NE(bad.find("\"lander\":\"disk \\\"full\\\"\""), std::string::npos) << bad;

  std::string metrics = Get(port, "/metrics");
  EXPECT_NE(metrics.find("text/plain; version=0.0.4"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("broker_up 1\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("lander_up 0\n"), std::string::npos) << metrics;
  (*server)->Stop();
}

TEST(AdminServerTest, AnswersUnknownPathsAndMethodsAndKeepsConnectionsAlive) {
  FakeComponent broker("broker");
  auto server = AdminServer::Start({"127.0.0.1", 0}, ComponentRoutes({&broker}));
  ASSERT_TRUE(server.ok());
  uint16_t port = (*server)->port();
  EXPECT_EQ(Get(port, "/nope").rfind("HTTP/1.1 404", 0), 0u);
  std::string post = Exchange(
      port, "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(post.rfind("HTTP/1.1 405", 0), 0u) << post;
  EXPECT_NE(post.find("Allow: GET\r\n"), std::string::npos) << post;
  // Two requests on one connection: both answered.
  std::string both = Exchange(port,
                              "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                              "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_NE(both.find("\"broker\":\"ok\""), std::string::npos) << both;
  EXPECT_NE(both.find("broker_up 1"), std::string::npos) << both;
}

TEST(AdminServerTest, RefusesAnAddressItCannotListenOn) {
  FakeComponent broker("broker");
  auto first = AdminServer::Start({"127.0.0.1", 0}, ComponentRoutes({&broker}));
  ASSERT_TRUE(first.ok());
  auto second = AdminServer::Start({"127.0.0.1", (*first)->port()}, ComponentRoutes({&broker}));
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find("cannot listen"), std::string::npos);
  auto bad = AdminServer::Start({"no such host", 0}, ComponentRoutes({&broker}));
  EXPECT_FALSE(bad.ok());
}

TEST(HttpGetTest, ReadsAnAdminListenerAndReportsWhatFails) {
  FakeComponent broker("broker");
  auto server = AdminServer::Start({"127.0.0.1", 0}, ComponentRoutes({&broker}));
  ASSERT_TRUE(server.ok());
  std::string url = "http://127.0.0.1:" + std::to_string((*server)->port());
  auto health = HttpGet(url + "/", "/healthz", std::chrono::seconds(5));
  ASSERT_TRUE(health.ok()) << health.status().ToString();
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(health->body, "{\"status\":\"ok\",\"components\":{\"broker\":\"ok\"}}");
  broker.Break(true);
  auto bad = HttpGet(url, "/healthz", std::chrono::seconds(5));
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->status, 503);
  uint16_t port = (*server)->port();
  (*server)->Stop();
  server->reset();
  auto gone = HttpGet("127.0.0.1:" + std::to_string(port), "/healthz", std::chrono::seconds(5));
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(HttpGet("https://x:1", "/", std::chrono::seconds(1)).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(HttpGet("http://x:1/path", "/", std::chrono::seconds(1)).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace el::net
