#pragma once
// Test-only: a blocking Kafka client over a real socket that encodes requests with the protocol
// module, for in-process broker tests (error paths real clients rarely exercise). Not thread-safe.
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <cstdint>
#include <vector>

#include "kafka/protocol/codec.h"
#include "kafka/protocol/header.h"

namespace el::kafka::testing {

namespace asio = boost::asio;

class Client {
 public:
  explicit Client(uint16_t port) : socket_(ioc_) {
    socket_.connect({asio::ip::make_address("127.0.0.1"), port});
  }

  template <typename Resp, typename Req>
  Resp Call(const Req& req, int16_t version) {
    Send(req, version);
    std::vector<uint8_t> frame = ReadFrame();
    size_t header = ResponseHeaderHasTags(Req::kApiKey, version) ? 5 : 4;
    auto resp = DecodeMessage<Resp>(BytesView(frame).subspan(header), version);
    EXPECT_TRUE(resp.ok()) << resp.status().ToString();
    return resp.ok() ? *resp : Resp{};
  }

  template <typename Req>
  void Send(const Req& req, int16_t version) {
    Writer w(false);
    w.Int32(0);
    EncodeRequestHeader(w, {static_cast<int16_t>(Req::kApiKey), version, ++correlation_id_, "test"},
                        IsFlexible(Req::kApiKey, version));
    EncodeMessage(w, req, version);
    w.PatchInt32(0, static_cast<int32_t>(w.size() - 4));
    asio::write(socket_, asio::buffer(w.buffer()));
  }

  int32_t last_correlation_id() const { return correlation_id_; }

  // Decodes a response frame read with ReadFrame (for requests sent back-to-back with Send).
  template <typename Resp>
  static Resp Decode(const std::vector<uint8_t>& frame, int16_t version) {
    size_t header = ResponseHeaderHasTags(Resp::kApiKey, version) ? 5 : 4;
    auto resp = DecodeMessage<Resp>(BytesView(frame).subspan(header), version);
    EXPECT_TRUE(resp.ok()) << resp.status().ToString();
    return resp.ok() ? *resp : Resp{};
  }
  static int32_t CorrelationId(const std::vector<uint8_t>& frame) {
    return static_cast<int32_t>((uint32_t{frame.at(0)} << 24) | (uint32_t{frame.at(1)} << 16) |
                                (uint32_t{frame.at(2)} << 8) | frame.at(3));
  }

  std::vector<uint8_t> ReadFrame() {
    uint8_t size_buf[4];
    asio::read(socket_, asio::buffer(size_buf));
    int32_t size = (size_buf[0] << 24) | (size_buf[1] << 16) | (size_buf[2] << 8) | size_buf[3];
    std::vector<uint8_t> frame(static_cast<size_t>(size));
    asio::read(socket_, asio::buffer(frame));
    return frame;
  }

 private:
  asio::io_context ioc_;
  asio::ip::tcp::socket socket_;
  int32_t correlation_id_ = 0;
};

}  // namespace el::kafka::testing
