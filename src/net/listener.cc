#include "net/listener.h"

#include <string>

namespace el::net {

using boost::asio::ip::tcp;

Result<uint16_t> OpenListener(tcp::acceptor& acceptor, const HostPort& listen) {
  boost::system::error_code ec;
  tcp::resolver resolver(acceptor.get_executor());
  auto results = resolver.resolve(listen.host, std::to_string(listen.port),
                                  tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || results.empty()) {
    return InvalidArgument("cannot resolve listen address " + listen.ToString() + ": " +
                           ec.message());
  }
  tcp::endpoint endpoint = results.begin()->endpoint();
  if (acceptor.open(endpoint.protocol(), ec) ||
      acceptor.set_option(tcp::acceptor::reuse_address(true), ec) || acceptor.bind(endpoint, ec) ||
      acceptor.listen(boost::asio::socket_base::max_listen_connections, ec)) {
    return IOError("cannot listen on " + listen.ToString() + ": " + ec.message());
  }
  uint16_t port = acceptor.local_endpoint(ec).port();
  if (ec) return IOError("cannot listen on " + listen.ToString() + ": " + ec.message());
  return port;
}

}  // namespace el::net
