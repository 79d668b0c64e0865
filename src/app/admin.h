#pragma once
// The admin listener options of the processes without an HTTP listener of their own (`broker`,
// `land`): `--admin HOST:PORT` serves /healthz and /metrics of the process's components
// (net/admin_server.h), `--admin-port-file F` receives the port it got.
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "base/component_status.h"
#include "base/result.h"
#include "net/admin_server.h"

namespace el::app {

struct AdminFlags {
  std::string listen;     // empty: no admin listener
  std::string port_file;  // empty: none
};

void AddAdminOptions(CLI::App& cmd, AdminFlags& flags);

// InvalidArgument naming the flag when the flags are unusable (a bad address, a port file without
// a listener); checked before anything starts.
Status CheckAdminFlags(const AdminFlags& flags);

// Starts the admin listener over `components` (which must outlive it) and writes its port file;
// null without --admin. Errors: IOError (cannot listen, cannot write the port file).
Result<std::unique_ptr<net::AdminServer>> StartAdmin(
    const AdminFlags& flags, std::vector<const ComponentStatus*> components);

}  // namespace el::app
