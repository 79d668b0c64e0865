#include "base/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>

namespace el {

void InitLogging(std::string_view level) {
  auto logger = spdlog::stderr_color_mt("eventlake");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  spdlog::set_default_logger(logger);
  auto lvl = spdlog::level::from_str(std::string(level));
  spdlog::set_level(lvl == spdlog::level::off && level != "off" ? spdlog::level::info : lvl);
}

}  // namespace el
