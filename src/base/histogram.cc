#include "base/histogram.h"

#include <fmt/format.h>

namespace el {

void LatencyHistogram::Observe(double seconds) {
  size_t b = 0;
  while (b < kBounds.size() && seconds > kBounds[b]) ++b;
  buckets_[b].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  micros_.fetch_add(static_cast<uint64_t>(seconds > 0 ? seconds * 1e6 : 0),
                    std::memory_order_relaxed);
}

void LatencyHistogram::Render(std::string_view name, std::string_view labels,
                              std::string& out) const {
  std::string sep = labels.empty() ? "" : ",";
  uint64_t cumulative = 0;
  for (size_t b = 0; b <= kBounds.size(); ++b) {
    cumulative += buckets_[b].load(std::memory_order_relaxed);
    std::string le = b < kBounds.size() ? fmt::format("{}", kBounds[b]) : "+Inf";
    out += fmt::format("{}_bucket{{{}{}le=\"{}\"}} {}\n", name, labels, sep, le, cumulative);
  }
  std::string braces = labels.empty() ? "" : fmt::format("{{{}}}", labels);
  out += fmt::format("{}_sum{} {:.6f}\n", name, braces,
                     static_cast<double>(micros_.load(std::memory_order_relaxed)) / 1e6);
  // The +Inf bucket's count, so that _count always equals it within one render.
  out += fmt::format("{}_count{} {}\n", name, braces, cumulative);
}

std::string PromLabel(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace el
