#pragma once
// The Segment HTTP tracking API's bodies (/v1/track, identify, page, screen, group, alias, batch):
// field rules checked, then each call becomes one event (see EventBuilder) that keeps the call's own
// fields (type, event, userId, anonymousId, properties, traits, context, timestamp, messageId, ...)
// and adds `event_type`: the event name for track, the call type otherwise (as Segment's
// warehouses name their tables). Pure code with a thread-local parser; thread-safe.
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "collector/body.h"
#include "collector/event.h"
#include "collector/route.h"

namespace el::collector {

// The request's events; write_key is the body's top-level "writeKey" (analytics.js sends it).
using SegmentEvents = EventBatch;

// Field rules: every call needs userId or anonymousId (string or integer); track needs a non-empty
// `event`; group needs `groupId`; alias needs `userId` and `previousId`; properties, traits,
// context and integrations are objects; timestamp, sentAt and messageId strings. A batch is
// {"batch":[calls with their "type"], "context":{...}} (the top-level context applies to calls
// without their own). Errors: InvalidArgument naming the call and the field; OutOfRange (a call
// larger than limits.max_event_bytes).
Result<SegmentEvents> BuildSegmentEvents(SegmentType type, std::string_view body,
                                         const RequestContext& context,
                                         const BodyLimits& limits = {});

}  // namespace el::collector
