#include "base/step_times.h"

#include <fmt/format.h>

namespace el {

void StepTimes::Mark(std::string_view name) {
  auto now = std::chrono::steady_clock::now();
  text_ += fmt::format(" {} {:.3f} s", name, std::chrono::duration<double>(now - start_).count());
  start_ = now;
}

}  // namespace el
