#include "jobs/progress.h"

#include <unistd.h>

#include <algorithm>

#include <fmt/format.h>

namespace el::jobs {

ProgressBar::ProgressBar(bool enabled, std::FILE* out) : enabled_(enabled), out_(out ? out : stderr) {}

ProgressBar ProgressBar::ForStderr() { return ProgressBar(::isatty(STDERR_FILENO) == 1); }

std::string ProgressBar::Render(int64_t done, int64_t total, double seconds) {
  constexpr int kWidth = 20;
  double fraction = total > 0 ? std::clamp(static_cast<double>(done) / static_cast<double>(total), 0.0, 1.0) : 0.0;
  int filled = static_cast<int>(fraction * kWidth);
  double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0.0;
  return fmt::format("[{}{}] {:3d}%  {}/{} offsets  {:.0f} ev/s  {:.1f} s", std::string(filled, '#'),
                     std::string(kWidth - filled, '.'), static_cast<int>(fraction * 100), done, total, rate,
                     seconds);
}

void ProgressBar::Update(int64_t done, int64_t total) {
  if (!enabled_) return;
  Clock::time_point now = Clock::now();
  if (drawn_ && now - last_draw_ < std::chrono::milliseconds(100) && done < total) return;
  last_draw_ = now;
  drawn_ = true;
  std::string line = Render(done, total, std::chrono::duration<double>(now - started_).count());
  std::fprintf(out_, "\r%s\x1b[K", line.c_str());
  std::fflush(out_);
}

void ProgressBar::Finish() {
  if (!enabled_ || !drawn_) return;
  std::fprintf(out_, "\r\x1b[K");
  std::fflush(out_);
  drawn_ = false;
}

}  // namespace el::jobs
