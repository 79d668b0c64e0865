#pragma once
// Who may use the console. On a loopback address anyone on the host may (as with /healthz); on any
// other address the console needs a token, given as `Authorization: Bearer TOKEN` or the cookie
// `el_console_token` (which `GET /?token=TOKEN` sets). Pure functions, thread-safe.
#include <string>
#include <string_view>

#include "base/status.h"

namespace el::console {

inline constexpr std::string_view kTokenCookie = "el_console_token";

// Whether `host` (a listen address) is a loopback address: 127.0.0.0/8, ::1 or "localhost".
bool IsLoopbackHost(std::string_view host);

// InvalidArgument when listening on `host` without a token would open the console to the network.
Status CheckListenNeedsToken(std::string_view host, std::string_view token);

// Whether a request carrying `authorization` and `cookie` headers may pass; always true when
// `token` is empty. Compares in time independent of where the texts differ.
bool Authorized(std::string_view token, std::string_view authorization, std::string_view cookie);

// The value of `name` in a query string (`a=1&token=x`), percent-decoded; "" when absent.
std::string QueryParam(std::string_view query, std::string_view name);

}  // namespace el::console
