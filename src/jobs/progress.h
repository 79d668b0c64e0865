#pragma once
// ProgressBar: a one-line progress display for batch landing on a terminal:
//   [##########..........]  52%  520000/1000000 offsets  183402 ev/s  2.8 s
// redrawn in place (carriage return) at most 10 times a second, on stderr, and only when stderr
// is a terminal; Finish() erases the line so the summary line that follows stands alone.
// Threading: one thread (the landing thread). Lifetime: plain value.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace el::jobs {

class ProgressBar {
 public:
  // `out` null means stderr; `enabled` defaults to isatty(stderr).
  explicit ProgressBar(bool enabled, std::FILE* out = nullptr);
  static ProgressBar ForStderr();

  // Reports `done` of `total` offsets; draws when enabled and 100 ms passed since the last draw.
  void Update(int64_t done, int64_t total);
  // Erases the line (if anything was drawn).
  void Finish();

  bool enabled() const { return enabled_; }
  // The text of one frame (no carriage return), for tests.
  static std::string Render(int64_t done, int64_t total, double seconds);

 private:
  using Clock = std::chrono::steady_clock;
  bool enabled_;
  std::FILE* out_;
  Clock::time_point started_ = Clock::now();
  Clock::time_point last_draw_{};
  bool drawn_ = false;
};

}  // namespace el::jobs
