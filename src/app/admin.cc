#include "app/admin.h"

#include <spdlog/spdlog.h>

#include "net/endpoint.h"

namespace el::app {

namespace {
constexpr uint16_t kNoDefaultPort = 0;
}  // namespace

void AddAdminOptions(CLI::App& cmd, AdminFlags& flags) {
  cmd.add_option("--admin", flags.listen,
                 "Serve /healthz and /metrics on this HOST:PORT (port 0 = any)");
  cmd.add_option("--admin-port-file", flags.port_file,
                 "Write the admin listener's port here once it accepts (needs --admin)");
}

Status CheckAdminFlags(const AdminFlags& flags) {
  if (!flags.port_file.empty() && flags.listen.empty()) {
    return InvalidArgument("--admin-port-file needs --admin HOST:PORT");
  }
  if (flags.listen.empty()) return Status::Ok();
  auto listen = net::ParseHostPort(flags.listen, kNoDefaultPort);
  if (!listen.ok()) return InvalidArgument("--admin: " + listen.status().message());
  return Status::Ok();
}

Result<std::unique_ptr<net::AdminServer>> StartAdmin(
    const AdminFlags& flags, std::vector<const ComponentStatus*> components) {
  if (flags.listen.empty()) return std::unique_ptr<net::AdminServer>();
  EL_ASSIGN_OR_RETURN(net::HostPort listen, net::ParseHostPort(flags.listen, kNoDefaultPort));
  EL_ASSIGN_OR_RETURN(std::unique_ptr<net::AdminServer> server,
                      net::AdminServer::Start(listen, net::ComponentRoutes(std::move(components))));
  if (!flags.port_file.empty()) {
    EL_RETURN_IF_ERROR(net::WritePortFile(flags.port_file, std::to_string(server->port())));
  }
  spdlog::info("admin listener on {} (/healthz, /metrics)",
               net::HostPort{listen.host, server->port()}.ToString());
  return server;
}

}  // namespace el::app
