#pragma once
// LatencyHistogram: a Prometheus histogram of durations in seconds over fixed buckets (100 us to
// 10 s), kept in relaxed atomics so that recording never locks or allocates.
// Threading: Observe and Render may run concurrently from any thread; a render taken while
// observations land may be off by those in flight, as any scrape is.
#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

namespace el {

class LatencyHistogram {
 public:
  static constexpr std::array<double, 16> kBounds{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                  0.01,   0.025,   0.05,   0.1,   0.25,   0.5,
                                                  1,      2.5,     5,      10};

  void Observe(double seconds);
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }

  // Appends the `name_bucket{labels,le=...}`, `name_sum{labels}` and `name_count{labels}` samples
  // (no # HELP / # TYPE lines: a family's header comes once, before all its label sets).
  // `labels`: `key="value",...` already escaped, or empty.
  void Render(std::string_view name, std::string_view labels, std::string& out) const;

 private:
  std::array<std::atomic<uint64_t>, kBounds.size() + 1> buckets_{};  // last: +Inf
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> micros_{0};
};

// `value` escaped for a Prometheus label value (backslash, double quote, newline).
std::string PromLabel(std::string_view value);

}  // namespace el
