#include "clients/fetch/connection.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "base/huge_pages.h"

namespace el::fetch {
namespace {

// Applies `timeout` to each blocking send, receive and connect of `fd`.
void SetTimeouts(int fd, std::chrono::milliseconds timeout) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

}  // namespace

void FrameBuffer::Resize(size_t n) {
  if (n > capacity_) {
    // Responses differ in size by a batch or so: growing by half at least keeps one buffer for
    // them all (memory fresh from the system costs a fault a page, which a reused one does not).
    // Uninitialised: recv writes it. Fetch responses (megabytes written once by recv) in huge
    // pages where the system allows them.
    capacity_ = std::max(n, capacity_ + capacity_ / 2);
    data_.reset(static_cast<uint8_t*>(AllocateLarge(capacity_)));
  }
  size_ = n;
}

Result<Connection> Connection::Open(const std::string& host, int32_t port,
                                    std::chrono::milliseconds timeout) {
  std::string address = host + ":" + std::to_string(port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found);
  if (rc != 0) return Unavailable("cannot resolve broker " + address + ": " + gai_strerror(rc));
  std::string why = "no address";
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    SetTimeouts(fd, timeout);
    if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
      freeaddrinfo(found);
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      return Connection(fd, address);
    }
    why = std::strerror(errno);
    close(fd);
  }
  freeaddrinfo(found);
  return Unavailable("cannot connect to broker " + address + ": " + why);
}

Connection::Connection(Connection&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), address_(std::move(other.address_)) {}

Connection& Connection::operator=(Connection&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    address_ = std::move(other.address_);
  }
  return *this;
}

Connection::~Connection() {
  if (fd_ >= 0) close(fd_);
}

Status Connection::Send(std::span<const uint8_t> frame) {
  size_t done = 0;
  while (done < frame.size()) {
    ssize_t n = send(fd_, frame.data() + done, frame.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      return Unavailable("lost the connection to broker " + address_ + ": " + std::strerror(errno));
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

Result<bool> Connection::WaitReadable(std::chrono::milliseconds timeout) {
  pollfd p{fd_, POLLIN, 0};
  int n = poll(&p, 1, static_cast<int>(timeout.count()));
  if (n < 0 && errno != EINTR)
    return Unavailable("poll on broker " + address_ + ": " + std::strerror(errno));
  return n > 0;
}

Status Connection::ReadExactly(uint8_t* p, size_t n, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  size_t done = 0;
  while (done < n) {
    ssize_t got = recv(fd_, p + done, n - done, 0);
    if (got > 0) {
      done += static_cast<size_t>(got);
      continue;
    }
    if (got < 0 && errno == EINTR) continue;
    bool stalled = got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
    if (stalled && std::chrono::steady_clock::now() < deadline) continue;
    if (got == 0) return Unavailable("broker " + address_ + " closed the connection");
    return Unavailable("lost the connection to broker " + address_ + ": " +
                       (stalled ? std::string("no response") : std::string(std::strerror(errno))));
  }
  return Status::Ok();
}

Status Connection::ReadFrame(FrameBuffer& out, size_t max_frame,
                             std::chrono::milliseconds timeout) {
  uint8_t size_bytes[4];
  EL_RETURN_IF_ERROR(ReadExactly(size_bytes, sizeof size_bytes, timeout));
  int32_t size =
      static_cast<int32_t>((uint32_t{size_bytes[0]} << 24) | (uint32_t{size_bytes[1]} << 16) |
                           (uint32_t{size_bytes[2]} << 8) | size_bytes[3]);
  if (size < 4 || static_cast<size_t>(size) > max_frame) {
    return DataLoss("broker " + address_ + " sent a response frame of " + std::to_string(size) +
                    " bytes (limit " + std::to_string(max_frame) + ")");
  }
  out.Resize(static_cast<size_t>(size));
  return ReadExactly(out.data(), out.size(), timeout);
}

}  // namespace el::fetch
