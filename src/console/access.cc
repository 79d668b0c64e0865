#include "console/access.h"

#include "base/percent.h"

#include <cctype>
#include <string>

namespace el::console {
namespace {

bool SameText(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < a.size(); ++i) diff |= a[i] ^ (i < b.size() ? b[i] : 0);
  return diff == 0;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

}  // namespace

bool IsLoopbackHost(std::string_view host) {
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  if (host == "localhost" || host == "::1") return true;
  if (host.substr(0, 4) != "127.") return false;
  // The rest must be a dotted quad's last three parts.
  int dots = 0;
  for (char c : host.substr(4)) {
    if (c == '.') {
      ++dots;
    } else if (!std::isdigit(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return dots == 2;
}

Status CheckListenNeedsToken(std::string_view host, std::string_view token) {
  if (!token.empty() || IsLoopbackHost(host)) return Status::Ok();
  return InvalidArgument("the console listens on " + std::string(host) +
                         ", which is not a loopback address: give it a token (--console-token or "
                         "[console] token), or listen on 127.0.0.1");
}

bool Authorized(std::string_view token, std::string_view authorization, std::string_view cookie) {
  if (token.empty()) return true;
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.substr(0, kBearer.size()) == kBearer &&
      SameText(Trim(authorization.substr(kBearer.size())), token)) {
    return true;
  }
  // Cookie: a=b; el_console_token=TOKEN; c=d
  while (!cookie.empty()) {
    size_t end = cookie.find(';');
    std::string_view pair = Trim(cookie.substr(0, end));
    size_t eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == kTokenCookie &&
        SameText(pair.substr(eq + 1), token)) {
      return true;
    }
    if (end == std::string_view::npos) break;
    cookie.remove_prefix(end + 1);
  }
  return false;
}

std::string QueryParam(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    size_t end = query.find('&');
    std::string_view pair = query.substr(0, end);
    size_t eq = pair.find('=');
    if (pair.substr(0, eq) == name) {
      return PercentDecode(eq == std::string_view::npos ? "" : pair.substr(eq + 1), true);
    }
    if (end == std::string_view::npos) break;
    query.remove_prefix(end + 1);
  }
  return "";
}

}  // namespace el::console
