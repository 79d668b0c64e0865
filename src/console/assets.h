#pragma once
// The console's files, built into the binary (CMake writes assets_data.cc from src/console/web and
// the pinned front-end packages in .deps/console): nothing to install or fetch at run time.
#include <string_view>

namespace el::console {

struct Asset {
  std::string_view path;          // as requested: "/index.html", "/assets/uPlot.min.css"
  std::string_view content_type;  // "text/html; charset=utf-8"
  std::string_view data;
};

// The asset served at `path`, or null.
const Asset* FindAsset(std::string_view path);

}  // namespace el::console
