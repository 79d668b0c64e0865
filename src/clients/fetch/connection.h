#pragma once
// Connection: one blocking TCP connection to a Kafka broker that sends request frames and reads
// response frames into a caller's reused buffer. A Kafka connection answers in request order, so a
// request may be sent while an earlier one is still unanswered (pipelining). Move-only; closes its
// socket on destruction. Threading: one thread.
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <span>
#include <string>

#include "base/result.h"

namespace el::fetch {

// A growable byte buffer that keeps its storage between uses and never zero-fills it.
class FrameBuffer {
 public:
  uint8_t* data() { return data_.get(); }
  const uint8_t* data() const { return data_.get(); }
  size_t size() const { return size_; }
  std::span<const uint8_t> bytes() const { return {data_.get(), size_}; }
  // Makes the buffer `n` bytes long; old content is not kept when it grows.
  void Resize(size_t n);

 private:
  struct Free {
    void operator()(uint8_t* p) const { std::free(p); }
  };
  std::unique_ptr<uint8_t[], Free> data_;
  size_t capacity_ = 0;
  size_t size_ = 0;
};

class Connection {
 public:
  // Connects to host:port within `timeout`. Errors: Unavailable naming the address.
  static Result<Connection> Open(const std::string& host, int32_t port,
                                 std::chrono::milliseconds timeout);
  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&& other) noexcept;
  ~Connection();

  const std::string& address() const { return address_; }
  int fd() const { return fd_; }

  // Writes one whole frame (4-byte size included). Errors: Unavailable (connection lost).
  Status Send(std::span<const uint8_t> frame);
  // Waits up to `timeout` for the next response to start arriving; false when none did.
  // Errors: Unavailable.
  Result<bool> WaitReadable(std::chrono::milliseconds timeout);
  // Reads one response frame (without its 4-byte size) into `out`. Frames over `max_frame` bytes,
  // and a response that stops for `timeout`, are errors. Errors: Unavailable (connection lost or
  // stalled), DataLoss (frame over the limit).
  Status ReadFrame(FrameBuffer& out, size_t max_frame, std::chrono::milliseconds timeout);

 private:
  Connection(int fd, std::string address) : fd_(fd), address_(std::move(address)) {}
  Status ReadExactly(uint8_t* p, size_t n, std::chrono::milliseconds timeout);
  int fd_ = -1;
  std::string address_;
};

}  // namespace el::fetch
