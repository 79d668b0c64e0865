#include "collector/segment.h"

#include <array>

#include "base/json_text.h"

namespace el::collector {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

constexpr std::array<std::string_view, 4> kObjectFields{"properties", "traits", "context",
                                                        "integrations"};
constexpr std::array<std::string_view, 4> kStringFields{"timestamp", "sentAt", "messageId",
                                                        "originalTimestamp"};

Result<SegmentType> TypeFromName(std::string_view name) {
  for (SegmentType t : {SegmentType::kTrack, SegmentType::kIdentify, SegmentType::kPage,
                        SegmentType::kScreen, SegmentType::kGroup, SegmentType::kAlias}) {
    if (SegmentTypeName(t) == name) return t;
  }
  return InvalidArgument("unknown type \"" + std::string(name) + "\"");
}

bool HasId(object call, std::string_view field) {
  element value;
  return !call[field].get(value) && !IdText(value).empty();
}

Status Missing(std::string_view what, std::string_view field) {
  return InvalidArgument(std::string(what) + ": missing required field \"" + std::string(field) +
                         "\"");
}

// Segment's field rules for one call of type `type`.
Status CheckCall(SegmentType type, object call, std::string_view what) {
  element value;
  for (std::string_view field : {"userId", "anonymousId", "groupId", "previousId"}) {
    if (!call[field].get(value) && value.type() != element_type::NULL_VALUE &&
        IdText(value).empty()) {
      return InvalidArgument(std::string(what) + ": \"" + std::string(field) +
                             "\" must be a non-empty string or an integer");
    }
  }
  for (std::string_view field : kObjectFields) {
    if (!call[field].get(value) && value.type() != element_type::OBJECT &&
        value.type() != element_type::NULL_VALUE) {
      return InvalidArgument(std::string(what) + ": \"" + std::string(field) +
                             "\" must be an object");
    }
  }
  for (std::string_view field : kStringFields) {
    if (!call[field].get(value) && value.type() != element_type::STRING &&
        value.type() != element_type::NULL_VALUE) {
      return InvalidArgument(std::string(what) + ": \"" + std::string(field) +
                             "\" must be a string");
    }
  }
  if (!HasId(call, "userId") && !HasId(call, "anonymousId")) {
    return InvalidArgument(std::string(what) + ": missing required field \"userId\" or " +
                           "\"anonymousId\"");
  }
  if (type == SegmentType::kTrack) {
    std::string_view event;
    if (call["event"].get(value) || value.get(event) || event.empty()) {
      return Missing(what, "event");
    }
  }
  if (type == SegmentType::kGroup && !HasId(call, "groupId")) return Missing(what, "groupId");
  if (type == SegmentType::kAlias) {
    if (!HasId(call, "userId")) return Missing(what, "userId");
    if (!HasId(call, "previousId")) return Missing(what, "previousId");
  }
  return Status::Ok();
}

// Bytes every event of the request adds to its own fields (headers, client_ip, received_at,
// event_id), for reserving the batch text once.
size_t EventOverhead(const RequestContext& context) {
  size_t bytes = context.tail_json.size() + 64;
  for (const Header& header : context.headers) bytes += header.json.size() + 1;
  return bytes;
}

// One call as an event appended to `out`; `shared_context` (may be empty) is the batch's
// top-level context. `builder` is reused from call to call.
Status BuildCall(SegmentType type, object call, std::string_view what,
                 std::string_view shared_context, const RequestContext& context,
                 const BodyLimits& limits, EventBuilder& builder, SegmentEvents& out) {
  EL_RETURN_IF_ERROR(CheckCall(type, call, what));
  builder.Clear();
  EL_RETURN_IF_ERROR(CopyFields(call, limits.max_event_bytes, what, builder));
  std::string_view name = SegmentTypeName(type);
  builder.SetString("type", name);
  if (!shared_context.empty() && !builder.Has("context")) builder.Set("context", shared_context);
  std::string event_type(name);
  if (type == SegmentType::kTrack) event_type = std::string(call["event"].get_string().value());
  builder.SetString("event_type", event_type);
  FinishEvent(builder, call, context, std::move(event_type), out);
  return Status::Ok();
}

Result<SegmentEvents> BuildBatch(object root, size_t body_size, const RequestContext& context,
                                 const BodyLimits& limits, SegmentEvents out) {
  element value;
  simdjson::dom::array batch;
  if (root["batch"].get(value) || value.get(batch)) {
    return InvalidArgument("batch: missing required field \"batch\" (an array of calls)");
  }
  if (batch.size() == 0) return InvalidArgument("batch: empty \"batch\" array");
  if (batch.size() > limits.max_events) {
    return InvalidArgument("batch: too many events: " + std::to_string(batch.size()) +
                           " (at most " + std::to_string(limits.max_events) + " per batch)");
  }
  std::string shared_context;
  if (!root["context"].get(value) && value.type() == element_type::OBJECT) {
    shared_context = simdjson::minify(value);
  }
  out.events.reserve(batch.size());
  out.text->reserve(body_size + batch.size() * EventOverhead(context));
  thread_local EventBuilder builder;
  size_t i = 0;
  for (element item : batch) {
    std::string what = "batch[" + std::to_string(i++) + "]";
    object call;
    if (item.get(call)) return InvalidArgument(what + ": not a JSON object");
    std::string_view type_name;
    if (call["type"].get(value) || value.get(type_name)) return Missing(what, "type");
    auto type = TypeFromName(type_name);
    if (!type.ok()) return InvalidArgument(what + ": " + type.status().message());
    EL_RETURN_IF_ERROR(BuildCall(*type, call, what, shared_context, context, limits, builder, out));
  }
  out.Seal();
  return out;
}

}  // namespace

Result<SegmentEvents> BuildSegmentEvents(SegmentType type, std::string_view body,
                                         const RequestContext& context,
                                         const BodyLimits& limits) {
  EL_ASSIGN_OR_RETURN(element root, ParseJsonBody(body));
  object call;
  if (root.get(call)) return InvalidArgument("body must be a JSON object");
  SegmentEvents out;
  element value;
  std::string_view key;
  if (!call["writeKey"].get(value) && !value.get(key)) out.write_key = std::string(key);
  if (type == SegmentType::kBatch) {
    return BuildBatch(call, body.size(), context, limits, std::move(out));
  }
  thread_local EventBuilder builder;
  EL_RETURN_IF_ERROR(
      BuildCall(type, call, SegmentTypeName(type), "", context, limits, builder, out));
  out.Seal();
  return out;
}

}  // namespace el::collector
