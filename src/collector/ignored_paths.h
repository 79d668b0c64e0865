#pragma once
// Paths that browsers and crawlers request on their own (/favicon.ico, /robots.txt, ...). The
// collector answers them 404 instead of logging them as `GET /<action>` events, so they never
// become lake tables. Pure code; an IgnoredPaths is immutable once built, so threads may share it.
//
// A pattern is a path that starts with '/'; each '*' in it matches any run of characters (none,
// and '/' included). Patterns match the request path without its query, case-sensitively.
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace el::collector {

// The patterns ignored when no `--ignore-path` is given.
const std::vector<std::string>& DefaultIgnoredPaths();

// Help text of the `--ignore-path` flag (of `collect` and `up`).
inline constexpr const char* kIgnorePathHelp =
    "path answered 404 instead of logged as an event (repeatable; '*' matches any run; replaces "
    "the default /favicon.ico, /robots.txt, ...; 'none': ignore nothing, 'default': the defaults)";

// Resolves the values of a repeatable `--ignore-path` flag into patterns. No value keeps the
// default list; any value replaces it. Two words stand for lists: `none` adds nothing (so
// `--ignore-path none` alone ignores no path) and `default` adds the default list (so
// `--ignore-path default --ignore-path /x` extends it).
// Errors: InvalidArgument naming the first value that is neither word nor a valid pattern.
Result<std::vector<std::string>> ResolveIgnoredPaths(const std::vector<std::string>& values);

// True when `text` matches `pattern`, where each '*' matches any run of characters.
bool GlobMatch(std::string_view pattern, std::string_view text);

class IgnoredPaths {
 public:
  IgnoredPaths() = default;  // ignores nothing

  // Errors: InvalidArgument when a pattern does not start with '/' or holds a '?'.
  static Result<IgnoredPaths> Create(std::vector<std::string> patterns);

  // True when `path` (no query) matches one of the patterns.
  bool Matches(std::string_view path) const;

 private:
  explicit IgnoredPaths(std::vector<std::string> patterns) : patterns_(std::move(patterns)) {}

  std::vector<std::string> patterns_;
};

}  // namespace el::collector
