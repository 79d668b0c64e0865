#include "console/rate_ring.h"

#include <fmt/format.h>

namespace el::console {
namespace {

double Delta(double now, double before) { return now >= before ? now - before : now; }

}  // namespace

void RateRing::Add(int64_t unix_s, double in_total, double landed_total) {
  std::lock_guard lock(mu_);
  if (last_ && unix_s > last_->t) {
    double seconds = static_cast<double>(unix_s - last_->t);
    points_.push_back({unix_s, Delta(in_total, last_->in) / seconds,
                       Delta(landed_total, last_->landed) / seconds});
    while (points_.size() > capacity_) points_.pop_front();
  }
  if (!last_ || unix_s > last_->t) last_ = Point{unix_s, in_total, landed_total};
}

std::string RateRing::ToJson() const {
  std::lock_guard lock(mu_);
  std::string t, in, landed;
  for (const Point& p : points_) {
    const char* sep = t.empty() ? "" : ",";
    t += fmt::format("{}{}", sep, p.t);
    in += fmt::format("{}{:g}", sep, p.in);
    landed += fmt::format("{}{:g}", sep, p.landed);
  }
  return "{\"t\":[" + t + "],\"in\":[" + in + "],\"landed\":[" + landed + "]}";
}

size_t RateRing::size() const {
  std::lock_guard lock(mu_);
  return points_.size();
}

}  // namespace el::console
