#pragma once
// Parsing of POST /events bodies: a JSON object or a non-empty array of objects, each one event.
// Uses one simdjson parser per thread; thread-safe.
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "collector/event.h"

namespace el::collector {

// Validates `body` and returns one compact JSON event per object, merged with `context` (see
// EventBuilder). Errors: InvalidArgument naming the problem (malformed JSON, empty array, an
// element that is not an object, not an object or array at the top).
Result<std::vector<std::string>> BuildBodyEvents(std::string_view body,
                                                 const RequestContext& context);

}  // namespace el::collector
