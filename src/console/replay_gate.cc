#include "console/replay_gate.h"

#include <fmt/format.h>

#include <random>

namespace el::console {

std::string ReplayGate::Issue(const std::string& table, Clock::time_point now) {
  std::random_device rd;
  std::string code;
  for (int i = 0; i < 4; ++i) code += fmt::format("{:08x}", static_cast<uint32_t>(rd()));
  std::lock_guard lock(mu_);
  std::erase_if(pending_, [now](const auto& p) { return p.second.expires <= now; });
  pending_[table] = {code, now + ttl_};
  return code;
}

bool ReplayGate::Take(const std::string& table, const std::string& code, Clock::time_point now) {
  std::lock_guard lock(mu_);
  auto it = pending_.find(table);
  if (it == pending_.end()) return false;
  bool ok = !code.empty() && it->second.code == code && now < it->second.expires;
  pending_.erase(it);
  return ok;
}

}  // namespace el::console
