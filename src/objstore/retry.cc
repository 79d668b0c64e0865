#include "objstore/retry.h"

#include <algorithm>
#include <memory>
#include <mutex>
#include <random>
#include <thread>

namespace el::objstore {

bool IsRetryable(const Status& s) {
  return s.code() == StatusCode::kUnavailable || s.code() == StatusCode::kDeadlineExceeded;
}

std::chrono::milliseconds BackoffDelay(const RetryPolicy& policy, int attempt, double unit_random) {
  int shift = std::clamp(attempt - 1, 0, 30);
  double cap =
      std::min(static_cast<double>(policy.max_delay.count()),
               static_cast<double>(policy.base_delay.count()) * static_cast<double>(1LL << shift));
  double r = std::clamp(unit_random, 0.0, 1.0);
  return std::chrono::milliseconds(static_cast<int64_t>(cap * r));
}

RetryEnv DefaultRetryEnv() {
  struct Rng {
    std::mutex mu;
    std::mt19937_64 engine{
        static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count())};
  };
  auto rng = std::make_shared<Rng>();
  RetryEnv env;
  env.sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  env.unit_random = [rng] {
    std::lock_guard<std::mutex> lock(rng->mu);
    return std::uniform_real_distribution<double>(0.0, 1.0)(rng->engine);
  };
  return env;
}

}  // namespace el::objstore
