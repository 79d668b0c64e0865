#pragma once
// Parsing of POST /events bodies: a JSON object or a non-empty array of objects, each one event.
// Uses one simdjson parser per thread; thread-safe.
#include <simdjson.h>

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "collector/event.h"

namespace el::collector {

// Per-request limits on what a body may carry.
struct BodyLimits {
  size_t max_event_bytes = 32 * 1024;  // one event's JSON as sent (compacted); OutOfRange beyond
  size_t max_events = 2500;            // events in one request; InvalidArgument beyond
};

// Validates `body` and returns one compact JSON event per object, merged with `context` (see
// EventBuilder). The key is the object's userId (else anonymousId), event_id its messageId when it
// has one. Errors: InvalidArgument naming the problem (malformed JSON, empty array, an element
// that is not an object, not an object or array at the top, too many events); OutOfRange (an
// event larger than the limit).
Result<EventBatch> BuildBodyEvents(std::string_view body, const RequestContext& context,
                                   const BodyLimits& limits = {});

// Shared by the body parsers: parses `body` with this thread's parser.
// Errors: InvalidArgument (malformed JSON).
Result<simdjson::dom::element> ParseJsonBody(std::string_view body);

// The text of a string or integer JSON value (userId may be either); empty for anything else.
std::string IdText(simdjson::dom::element value);

// Copies `object`'s fields except writeKey into `builder` (compacted); OutOfRange when the object is larger than
// `max_bytes` compacted. `what` names the object in the error message.
Status CopyFields(simdjson::dom::object object, size_t max_bytes, std::string_view what,
                  EventBuilder& builder);

// Finishes `builder` into an event appended to `batch` (its JSON to batch.text; the caller
// Seal()s the batch): key from userId/anonymousId, event_id from messageId.
void FinishEvent(const EventBuilder& builder, simdjson::dom::object object,
                 const RequestContext& context, std::string event_type, EventBatch& batch);

}  // namespace el::collector
