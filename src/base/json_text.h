#pragma once
// JSON string escaping with UTF-8 repair, shared by every module that writes JSON text.
// Pure functions; thread-safe.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace el {

// Appends `text` to `out` as a quoted JSON string. Control characters, quotes and backslashes are
// escaped; byte sequences that are not valid UTF-8 become U+FFFD, so the result is always valid
// JSON.
void AppendJsonString(std::string& out, std::string_view text);

// Length of the valid UTF-8 sequence starting at text[i] (1 for ASCII), or 0 when the bytes there
// are not valid UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF).
size_t Utf8SequenceLength(std::string_view text, size_t i);

// `text` as a quoted JSON string (see AppendJsonString).
std::string JsonString(std::string_view text);

// JSON allows numbers of any size, but parsers hold them in 64 bits: integers outside
// [-2^63, 2^64) and floats beyond the double range (1e400) fail to parse. Returns `json` with each
// such number (a well-formed JSON number token outside strings) turned into a string of the same
// characters, or nullopt when there is none. Malformed numbers are left as they are.
std::optional<std::string> QuoteOutOfRangeNumbers(std::string_view json);

}  // namespace el
