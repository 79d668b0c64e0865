#pragma once
// HTTP naming helpers: header-name canonicalisation (as Flask/Werkzeug shows names) and
// query-string decoding (as Flask's request.args, escapes by base/percent.h). Pure functions;
// thread-safe.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace el::collector {

// "user-agent" -> "User-Agent", "x_forwarded_for" -> "X-Forwarded-For", "content-md5" ->
// "Content-Md5": underscores become dashes, then a letter is upper case when the character before
// it is not a letter and lower case otherwise (Python's str.title(), which Werkzeug uses).
std::string CanonicalHeaderName(std::string_view name);

// Decodes "a=1&b=x%20y&a=2" into [(a,2),(b,"x y")]: form decoding, a key without '=' gets "",
// empty keys are dropped, a repeated key keeps its first position and its last value.
std::vector<std::pair<std::string, std::string>> ParseQuery(std::string_view query);

}  // namespace el::collector
