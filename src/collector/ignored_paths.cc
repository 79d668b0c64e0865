#include "collector/ignored_paths.h"

#include <utility>

namespace el::collector {
namespace {

// Errors: InvalidArgument saying why `pattern` cannot match a request path.
Status CheckPattern(std::string_view pattern) {
  if (pattern.empty() || pattern[0] != '/') {
    return InvalidArgument("ignored path must start with '/' (or be 'none' or 'default'), not '" +
                           std::string(pattern) + "'");
  }
  if (pattern.find('?') != std::string_view::npos) {
    return InvalidArgument(
        "ignored path matches paths without their query, so it cannot hold '?': '" +
        std::string(pattern) + "'");
  }
  return Status::Ok();
}

}  // namespace

const std::vector<std::string>& DefaultIgnoredPaths() {
  static const std::vector<std::string> kDefault = {
      "/favicon.ico",           "/robots.txt",    "/sitemap.xml",
      "/apple-touch-icon*.png", "/.well-known/*", "/browserconfig.xml",
      "/manifest.json",         "/ads.txt",       "/humans.txt",
  };
  return kDefault;
}

Result<std::vector<std::string>> ResolveIgnoredPaths(const std::vector<std::string>& values) {
  if (values.empty()) return DefaultIgnoredPaths();
  std::vector<std::string> patterns;
  for (const std::string& value : values) {
    if (value == "none") continue;
    if (value == "default") {
      const std::vector<std::string>& defaults = DefaultIgnoredPaths();
      patterns.insert(patterns.end(), defaults.begin(), defaults.end());
      continue;
    }
    EL_RETURN_IF_ERROR(CheckPattern(value));
    patterns.push_back(value);
  }
  return patterns;
}

bool GlobMatch(std::string_view pattern, std::string_view text) {
  // Greedy with backtracking to the last '*': O(pattern x text) at worst, no recursion.
  size_t p = 0;
  size_t t = 0;
  size_t star = std::string_view::npos;  // position of the last '*' seen in pattern
  size_t resume = 0;                     // where in text that '*' match ends for now
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

Result<IgnoredPaths> IgnoredPaths::Create(std::vector<std::string> patterns) {
  for (const std::string& pattern : patterns) EL_RETURN_IF_ERROR(CheckPattern(pattern));
  return IgnoredPaths(std::move(patterns));
}

bool IgnoredPaths::Matches(std::string_view path) const {
  for (const std::string& pattern : patterns_) {
    if (GlobMatch(pattern, path)) return true;
  }
  return false;
}

}  // namespace el::collector
