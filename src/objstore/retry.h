#pragma once
// RetryPolicy: how often and how long to wait before repeating an S3 request that failed in a way
// that may pass (Unavailable: 5xx, 429/SlowDown, connection errors; DeadlineExceeded: timeouts).
// Exponential backoff with full jitter: before attempt n+1 (n >= 1) wait a uniformly random time in
// [0, min(max_delay, base_delay * 2^(n-1))]. Attempts are bounded; every other error is final.
// Threading: values; the Backoff functions take their randomness as an argument.
#include <chrono>
#include <functional>

#include "base/status.h"

namespace el::objstore {

struct RetryPolicy {
  int max_attempts = 6;  // first try included; 1: no retries
  std::chrono::milliseconds base_delay{100};
  std::chrono::milliseconds max_delay{5000};
};

// Whether a failed attempt is worth repeating.
bool IsRetryable(const Status& s);

// The delay before the attempt after attempt `attempt` (1-based) failed; `unit_random` is in [0,1).
std::chrono::milliseconds BackoffDelay(const RetryPolicy& policy, int attempt, double unit_random);

// What retrying needs from the outside world, injectable for tests.
struct RetryEnv {
  std::function<void(std::chrono::milliseconds)> sleep;  // default: std::this_thread::sleep_for
  std::function<double()> unit_random;                   // default: a seeded engine per store
};

// The process's default environment: real sleeping and a random engine seeded from the clock.
RetryEnv DefaultRetryEnv();

}  // namespace el::objstore
