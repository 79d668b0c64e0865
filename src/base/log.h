#pragma once
// Logging is spdlog's default logger (stderr). Call InitLogging once from main.
#include <spdlog/spdlog.h>

#include <string_view>

namespace el {

// level: trace|debug|info|warn|error|off. Unknown names fall back to info.
void InitLogging(std::string_view level);

}  // namespace el
