#pragma once
// One client connection: read a 4-byte size, refuse frames above max_request_bytes before allocating,
// read the frame, decode the header, dispatch to the handler registry, write the response. Produce
// is pipelined: its appends happen before the next frame is read (request order), while waiting for
// their fdatasync the connection reads on, up to 16 unanswered requests (then it stops reading).
// Other requests wait until every earlier answer is written and are then served alone. Responses
// always leave in request order (clients match them by correlation id in FIFO order). Malformed input, an unknown api key or an unsupported version
// (other than ApiVersions, which gets its v0-layout error reply) closes the connection with one log
// line. Exceptions are caught at the coroutine root.
#include <memory>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "kafka/server/context.h"

namespace el::kafka {

// Runs until the peer disconnects, the input is bad, or the socket is closed by shutdown. `socket`
// is shared with the broker's session registry (which may close it); `ctx` outlives the coroutine.
boost::asio::awaitable<void> RunConnection(BrokerContext& ctx, std::shared_ptr<boost::asio::ip::tcp::socket> socket,
                                           size_t max_request_bytes);

}  // namespace el::kafka
