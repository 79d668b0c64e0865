#pragma once
// JSON string escaping with UTF-8 repair, shared by every module that writes JSON text.
// Pure functions; thread-safe.
#include <string>
#include <string_view>

namespace el {

// Appends `text` to `out` as a quoted JSON string. Control characters, quotes and backslashes are
// escaped; byte sequences that are not valid UTF-8 become U+FFFD, so the result is always valid
// JSON.
void AppendJsonString(std::string& out, std::string_view text);

// `text` as a quoted JSON string (see AppendJsonString).
std::string JsonString(std::string_view text);

}  // namespace el
