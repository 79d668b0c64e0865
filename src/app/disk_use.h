#pragma once
// Disk use of a directory tree, for the operator views (`eventlake status`, the console).
#include <cstdint>
#include <filesystem>

namespace el::app {

// Bytes the files under `path` take on disk (allocated blocks), following no links; 0 for a path
// that cannot be read.
uint64_t DiskUse(const std::filesystem::path& path);

}  // namespace el::app
