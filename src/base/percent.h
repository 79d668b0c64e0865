#pragma once
// Percent-decoding (RFC 3986 escapes) of URL query values, form fields and Hive folder values.
// Pure function; thread-safe.
#include <string>
#include <string_view>

namespace el {

// Decodes `text`'s %XX escapes; with `plus_is_space` (form encoding), '+' becomes ' '. Malformed
// escapes stay as they are.
std::string PercentDecode(std::string_view text, bool plus_is_space);

}  // namespace el
