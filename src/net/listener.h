#pragma once
// OpenListener: resolves, opens, binds (SO_REUSEADDR) and listens on an acceptor, the one way every
// listener of the process (broker, collector, admin) starts. Call before the acceptor is used by
// any other thread.
#include <cstdint>

#include <boost/asio/ip/tcp.hpp>

#include "base/result.h"
#include "net/endpoint.h"

namespace el::net {

// Returns the bound port (the real one for port 0). Errors: InvalidArgument (the host does not
// resolve), IOError (cannot bind or listen, e.g. the port is taken).
Result<uint16_t> OpenListener(boost::asio::ip::tcp::acceptor& acceptor, const HostPort& listen);

}  // namespace el::net
