#pragma once
// StepTimes: how long each step of a sequence took, as text for a debug log line
// (" claim 0.012 s cleanup 0.040 s"). Not thread-safe: one sequence on one thread.
#include <chrono>
#include <string>
#include <string_view>

namespace el {

class StepTimes {
 public:
  // Ends the step that began at construction or at the previous Mark, named `name`.
  void Mark(std::string_view name);
  const std::string& text() const { return text_; }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::string text_;
};

}  // namespace el
