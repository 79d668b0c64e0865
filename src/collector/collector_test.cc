// End-to-end tests of the Collector against librdkafka's built-in mock cluster: real HTTP requests
// in, events consumed back from the topic with a librdkafka consumer.
#include "collector/collector.h"

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <simdjson.h>
#include <sys/socket.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <random>
#include <regex>
#include <set>
#include <thread>

#include "clients/rdk/handles.h"

namespace el::collector {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;

struct Reply {
  int status = 0;
  std::string body;
  std::string content_type;
  std::string retry_after;
  bool keep_alive = false;
};

// A blocking HTTP/1.1 client on one keep-alive connection; every read times out after 20 s.
class Client {
 public:
  explicit Client(uint16_t port) : socket_(io_) {
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    timeval tv{20, 0};
    setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  }
  Reply Send(http::verb verb, std::string target, std::string body = "",
             std::vector<std::pair<std::string, std::string>> headers = {}) {
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, "moe.test");
    req.set(http::field::user_agent, "collector-test/1");
    for (auto& [k, v] : headers) req.set(k, v);
    req.body() = std::move(body);
    if (verb == http::verb::post) req.prepare_payload();
    http::write(socket_, req);
    http::response<http::string_body> res;
    http::read(socket_, buffer_, res);
    return Reply{static_cast<int>(res.result_int()), res.body(),
                 std::string(res[http::field::content_type]),
                 std::string(res[http::field::retry_after]), res.keep_alive()};
  }

 private:
  asio::io_context io_;
  tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
};

class CollectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto conf = rdk::MakeConf({{"test.mock.num.brokers", "1"}, {"log_level", "0"}});
    ASSERT_TRUE(conf.ok());
    auto handle = rdk::MakeHandle(RD_KAFKA_PRODUCER, std::move(conf).value());
    ASSERT_TRUE(handle.ok()) << handle.status().ToString();
    mock_owner_ = std::move(handle).value();
    mock_ = rd_kafka_handle_mock_cluster(mock_owner_.get());
    ASSERT_NE(mock_, nullptr);
    bootstraps_ = rd_kafka_mock_cluster_bootstraps(mock_);
    ASSERT_EQ(rd_kafka_mock_topic_create(mock_, "events", 1, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
  }

  std::unique_ptr<Collector> StartCollector(size_t max_body = 512 * 1024,
                                            std::vector<std::string> trusted_proxies = {}) {
    CollectorOptions options;
    options.trusted_proxies = std::move(trusted_proxies);
    options.brokers = bootstraps_;
    options.listen = net::HostPort{"127.0.0.1", 0};
    options.max_body_bytes = max_body;
    auto collector = Collector::Start(options);
    EXPECT_TRUE(collector.ok()) << collector.status().ToString();
    return collector.ok() ? std::move(collector).value() : nullptr;
  }

  // Reads `count` messages of partition 0 from the beginning (at most 20 s).
  std::vector<std::string> Consume(size_t count) {
    auto conf = rdk::MakeConf({{"bootstrap.servers", bootstraps_},
                               {"group.id", "collector-test"},
                               {"enable.auto.commit", "false"},
                               {"log_level", "0"}});
    EXPECT_TRUE(conf.ok());
    auto consumer = rdk::MakeHandle(RD_KAFKA_CONSUMER, std::move(conf).value());
    EXPECT_TRUE(consumer.ok());
    rd_kafka_t* rk = consumer->get();
    rdk::TopicPartitionList parts(rd_kafka_topic_partition_list_new(1));
    rd_kafka_topic_partition_list_add(parts.get(), "events", 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
    EXPECT_EQ(rd_kafka_assign(rk, parts.get()), RD_KAFKA_RESP_ERR_NO_ERROR);
    std::vector<std::string> out;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (out.size() < count && std::chrono::steady_clock::now() < deadline) {
      rdk::Message msg(rd_kafka_consumer_poll(rk, 100));
      if (!msg || msg->err) continue;
      out.emplace_back(static_cast<const char*>(msg->payload), msg->len);
    }
    rd_kafka_consumer_close(rk);
    return out;
  }

  rdk::KafkaHandle mock_owner_;
  rd_kafka_mock_cluster_t* mock_ = nullptr;
  std::string bootstraps_;
};

std::string Field(simdjson::dom::element event, const char* key) {
  std::string_view value;
  if (event[key].get(value)) return "<missing>";
  return std::string(value);
}

TEST_F(CollectorTest, SeedRoutesProduceEventsWithHeaders) {
  auto collector = StartCollector();
  ASSERT_TRUE(collector);
  Client client(collector->port());
  Reply root = client.Send(http::verb::get, "/", "", {{"Accept", "*/*"}});
  EXPECT_EQ(root.status, 200);
  EXPECT_EQ(root.body, "This is the default response!\n");
  EXPECT_NE(root.content_type.find("text/plain"), std::string::npos);
  EXPECT_TRUE(root.keep_alive);
  Reply sword = client.Send(http::verb::get, "/purchase_a_sword?color=red&sword_type=katana");
  EXPECT_EQ(sword.status, 200);
  EXPECT_EQ(sword.body, "Sword Purchased!\n");

  auto events = Consume(2);
  ASSERT_EQ(events.size(), 2u);
  simdjson::dom::parser p1, p2;
  simdjson::dom::element first = p1.parse(events[0]);
  simdjson::dom::element second = p2.parse(events[1]);
  EXPECT_EQ(Field(first, "event_type"), "default");
  EXPECT_EQ(Field(first, "Host"), "moe.test");
  EXPECT_EQ(Field(first, "User-Agent"), "collector-test/1");
  EXPECT_EQ(Field(first, "Accept"), "*/*");
  std::regex iso(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$)");
  EXPECT_TRUE(std::regex_match(Field(first, "received_at"), iso)) << events[0];
  EXPECT_EQ(Field(second, "event_type"), "purchase_sword");
  EXPECT_EQ(Field(second, "color"), "red");
  EXPECT_EQ(Field(second, "sword_type"), "katana");
  EXPECT_NE(Field(first, "event_id"), Field(second, "event_id"));
  EXPECT_EQ(Field(first, "event_id").size(), 36u);
}

TEST_F(CollectorTest, TrustedProxyForwardedForGivesClientIp) {
  auto collector = StartCollector(512 * 1024, {"127.0.0.0/8", "10.0.0.0/8"});
  ASSERT_TRUE(collector);
  Client client(collector->port());
  auto xff = [&](const std::string& value) {
    EXPECT_EQ(client.Send(http::verb::get, "/", "", {{"X-Forwarded-For", value}}).status, 200);
  };
  xff("6.6.6.6, 198.51.100.7, 10.1.2.3");  // forged left part, then a trusted hop
  xff("10.0.0.1");                          // every hop trusted: the left-most
  auto events = Consume(2);
  ASSERT_EQ(events.size(), 2u);
  simdjson::dom::parser p1, p2;
  EXPECT_EQ(Field(p1.parse(events[0]), "client_ip"), "198.51.100.7") << events[0];
  EXPECT_EQ(Field(p2.parse(events[1]), "client_ip"), "10.0.0.1") << events[1];
  CollectorOptions bad;
  bad.trusted_proxies = {"10.0.0.0/40"};
  EXPECT_EQ(Collector::Start(bad).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(CollectorTest, ActionsAndPostedEvents) {
  auto collector = StartCollector();
  ASSERT_TRUE(collector);
  Client client(collector->port());
  Reply action = client.Send(http::verb::get, "/level_up?level=3&name=a%20b&event_type=x");
  ASSERT_EQ(action.status, 200);
  EXPECT_EQ(action.content_type, "application/json");
  simdjson::dom::parser rp;
  simdjson::dom::element answer = rp.parse(action.body);
  EXPECT_EQ(Field(answer, "status"), "ok");
  EXPECT_EQ(Field(answer, "event_type"), "level_up");
  std::string id = Field(answer, "event_id");
  Reply posted = client.Send(http::verb::post, "/events",
                             R"([{"event_type":"login","User-Agent":"own"},{"n":{"x":[1]}}])");
  EXPECT_EQ(posted.status, 200);
  EXPECT_EQ(posted.body, "{\"accepted\":2}");

  auto events = Consume(3);
  ASSERT_EQ(events.size(), 3u);
  simdjson::dom::parser p0, p1, p2;
  simdjson::dom::element e0 = p0.parse(events[0]);
  simdjson::dom::element e1 = p1.parse(events[1]);
  simdjson::dom::element e2 = p2.parse(events[2]);
  EXPECT_EQ(Field(e0, "event_type"), "level_up");
  EXPECT_EQ(Field(e0, "level"), "3");
  EXPECT_EQ(Field(e0, "name"), "a b");
  EXPECT_EQ(Field(e0, "event_id"), id);
  EXPECT_EQ(Field(e1, "event_type"), "login");
  EXPECT_EQ(Field(e1, "User-Agent"), "own");  // body fields win over headers
  EXPECT_EQ(Field(e1, "Host"), "moe.test");
  EXPECT_EQ(simdjson::minify(e2["n"]), R"({"x":[1]})");
  std::set<std::string> ids{Field(e0, "event_id"), Field(e1, "event_id"), Field(e2, "event_id")};
  EXPECT_EQ(ids.size(), 3u);
}

TEST_F(CollectorTest, BadRequestsGetJsonErrors) {
  auto collector = StartCollector(/*max_body=*/1024);
  ASSERT_TRUE(collector);
  Client client(collector->port());
  Reply malformed = client.Send(http::verb::post, "/events", "{\"a\":");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_NE(malformed.body.find("\"error\":\"malformed JSON"), std::string::npos);
  Reply empty = client.Send(http::verb::post, "/events", "[]");
  EXPECT_EQ(empty.status, 400);
  EXPECT_NE(empty.body.find("empty array"), std::string::npos);
  Reply not_object = client.Send(http::verb::post, "/events", "[{},3]");
  EXPECT_EQ(not_object.status, 400);
  Reply missing = client.Send(http::verb::get, "/no/such/route");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.content_type, "application/json");
  Reply wrong_method = client.Send(http::verb::put, "/");
  EXPECT_EQ(wrong_method.status, 405);
  Reply get_events = client.Send(http::verb::get, "/events");
  EXPECT_EQ(get_events.status, 405);
  // The connection is still usable after those answers.
  EXPECT_EQ(client.Send(http::verb::get, "/").status, 200);
  Reply big = client.Send(http::verb::post, "/events", std::string(4096, ' ') + "{}");
  EXPECT_EQ(big.status, 413);
  EXPECT_FALSE(big.keep_alive);
  EXPECT_NE(big.body.find("\"error\""), std::string::npos);
  // Only the one good request reached the topic.
  auto events = Consume(1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_NE(events[0].find("\"event_type\":\"default\""), std::string::npos);
}

TEST_F(CollectorTest, FailedDeliveryAnswers503AndKeepsServing) {
  auto collector = StartCollector();
  ASSERT_TRUE(collector);
  Client client(collector->port());
  ASSERT_EQ(client.Send(http::verb::get, "/warmup").status, 200);
  // A non-retriable produce error from the broker fails the delivery at once.
  rd_kafka_mock_push_request_errors(mock_, /*Produce*/ 0, 1, RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE);
  Reply failed = client.Send(http::verb::get, "/purchase_a_sword");
  EXPECT_EQ(failed.status, 503);
  EXPECT_EQ(failed.retry_after, "1");
  EXPECT_NE(failed.body.find("\"error\""), std::string::npos);
  EXPECT_EQ(client.Send(http::verb::get, "/purchase_a_sword").status, 200);
}

TEST_F(CollectorTest, StopIsIdempotentAndRefusesNewConnections) {
  auto collector = StartCollector();
  ASSERT_TRUE(collector);
  uint16_t port = collector->port();
  EXPECT_NE(port, 0);
  {
    Client client(port);
    EXPECT_EQ(client.Send(http::verb::get, "/").status, 200);
  }
  collector->Stop();
  collector->Stop();
  asio::io_context io;
  tcp::socket socket(io);
  boost::system::error_code ec;
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  if (!ec) {
    // A connection to a port nobody listens on can still succeed as a TCP self-connection (the
    // kernel picked that same port as the source): that is not the stopped collector answering.
    boost::system::error_code local_ec, remote_ec;
    EXPECT_EQ(socket.local_endpoint(local_ec), socket.remote_endpoint(remote_ec))
        << "the stopped collector accepted a connection";
  }
}

TEST_F(CollectorTest, StopFinishesInFlightRequestsAndClosesIdleOnes) {
  auto collector = StartCollector();
  ASSERT_TRUE(collector);
  Client idle(collector->port());
  ASSERT_EQ(idle.Send(http::verb::get, "/").status, 200);
  rd_kafka_mock_broker_set_rtt(mock_, 1, 700);  // every broker answer now takes 0.7 s
  Reply in_flight;
  std::thread request([&] {
    Client client(collector->port());
    in_flight = client.Send(http::verb::get, "/purchase_a_sword");
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto start = std::chrono::steady_clock::now();
  collector->Stop();
  request.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_EQ(in_flight.status, 200);
  EXPECT_FALSE(in_flight.keep_alive);
  EXPECT_THROW(idle.Send(http::verb::get, "/"), boost::system::system_error);
  rd_kafka_mock_broker_set_rtt(mock_, 1, 0);
  EXPECT_EQ(Consume(2).size(), 2u);
}

TEST_F(CollectorTest, ConcurrentClientsAllGetAcknowledgedEvents) {
  auto collector = StartCollector();
  ASSERT_TRUE(collector);
  constexpr int kClients = 8;
  constexpr int kRequests = 40;
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      Client client(collector->port());
      for (int i = 0; i < kRequests; ++i) {
        Reply r = i % 2 == 0 ? client.Send(http::verb::get, "/tick?c=" + std::to_string(c))
                             : client.Send(http::verb::post, "/events", R"([{"a":1},{"b":2}])");
        if (r.status == 200) ok.fetch_add(1);
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(ok.load(), kClients * kRequests);
  auto events = Consume(kClients * kRequests * 3 / 2);
  EXPECT_EQ(events.size(), static_cast<size_t>(kClients * kRequests * 3 / 2));
}

// Sends raw bytes, half-closes, and returns everything the server answered before closing.
std::string RawExchange(uint16_t port, const std::string& bytes) {
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  timeval tv{20, 0};
  setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  boost::system::error_code ec;
  asio::write(socket, asio::buffer(bytes), ec);
  socket.shutdown(tcp::socket::shutdown_send, ec);
  std::string answer;
  char buf[4096];
  for (;;) {
    size_t n = socket.read_some(asio::buffer(buf), ec);
    if (ec) break;
    answer.append(buf, n);
  }
  return answer;
}

TEST_F(CollectorTest, RawHttpEdgeCases) {
  auto collector = StartCollector();
  ASSERT_TRUE(collector);
  uint16_t port = collector->port();
  std::string chunked = RawExchange(
      port,
      "POST /events HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
      "5\r\n{\"a\":\r\n3\r\n42}\r\n0\r\n\r\n");
  EXPECT_EQ(chunked.rfind("HTTP/1.1 200", 0), 0u) << chunked;
  EXPECT_NE(chunked.find("{\"accepted\":1}"), std::string::npos);
  std::string pipelined =
      RawExchange(port, "GET / HTTP/1.1\r\nHost: h\r\n\r\nGET /two HTTP/1.1\r\nHost: h\r\n\r\n");
  EXPECT_NE(pipelined.find("This is the default response!"), std::string::npos) << pipelined;
  EXPECT_NE(pipelined.find("\"event_type\":\"two\""), std::string::npos) << pipelined;
  std::string garbage = RawExchange(port, "\x16\x03\x01\x02\x00 hello\r\n\r\n");
  EXPECT_EQ(garbage.rfind("HTTP/1.1 400", 0), 0u) << garbage;
  std::string huge_header =
      RawExchange(port, "GET / HTTP/1.1\r\nX-Big: " + std::string(40000, 'a') + "\r\n\r\n");
  EXPECT_EQ(huge_header.rfind("HTTP/1.1 431", 0), 0u) << huge_header.substr(0, 100);
  std::string bad_chunk = RawExchange(
      port, "POST /events HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
  EXPECT_EQ(bad_chunk.rfind("HTTP/1.1 400", 0), 0u) << bad_chunk;
  EXPECT_EQ(RawExchange(port, "GET / HTTP/1.1\r\nHost: h\r\n"), "");  // truncated: just closed
  // Random bytes with a fixed seed: every connection ends, the server keeps answering.
  std::mt19937 rng(20261121);
  for (int i = 0; i < 50; ++i) {
    std::string bytes(rng() % 300, '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    if (i % 2 == 0) bytes = "POST /events HTTP/1.1\r\nContent-Length: 40\r\n\r\n" + bytes;
    RawExchange(port, bytes);
  }
  Client client(port);
  EXPECT_EQ(client.Send(http::verb::get, "/").status, 200);
}

TEST(CollectorOptionsTest, RejectsBadOptions) {
  CollectorOptions options;
  options.io_threads = 0;
  EXPECT_EQ(Collector::Start(options).status().code(), StatusCode::kInvalidArgument);
  CollectorOptions bad_codec;
  bad_codec.listen = net::HostPort{"127.0.0.1", 0};
  bad_codec.compression = "brotli";
  auto refused = Collector::Start(bad_codec);
  ASSERT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("brotli"), std::string::npos);
  CollectorOptions bad_host;
  bad_host.listen = net::HostPort{"no-such-host.invalid", 0};
  EXPECT_FALSE(Collector::Start(bad_host).ok());
}

}  // namespace
}  // namespace el::collector
