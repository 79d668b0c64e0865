#pragma once
// ReplayGate: the console's confirmation step before a dead-letter replay. Asking to replay a
// table issues a one-time code (random, 128 bits); only a second request carrying that code acts.
// So a replay always follows a question the page showed and the user answered, and a page of
// another site, which can send a request to the console but cannot read its answer, cannot
// replay. A code is good for one use, for one table, within `ttl`.
// Threading: thread-safe. Lifetime: no resources beyond memory (a handful of codes).
#include <chrono>
#include <map>
#include <mutex>
#include <string>

namespace el::console {

class ReplayGate {
 public:
  using Clock = std::chrono::steady_clock;
  explicit ReplayGate(std::chrono::seconds ttl) : ttl_(ttl) {}

  // A new code for `table` (replacing the table's earlier one).
  std::string Issue(const std::string& table, Clock::time_point now = Clock::now());
  // True when `code` is the table's live code; it is used up either way.
  bool Take(const std::string& table, const std::string& code,
            Clock::time_point now = Clock::now());

  std::chrono::seconds ttl() const { return ttl_; }

 private:
  struct Pending {
    std::string code;
    Clock::time_point expires;
  };
  const std::chrono::seconds ttl_;
  std::mutex mu_;
  std::map<std::string, Pending> pending_;  // GUARDED_BY(mu_); by table
};

}  // namespace el::console
