#include "collector/body.h"

#include "base/json_text.h"

namespace el::collector {

Result<simdjson::dom::element> ParseJsonBody(std::string_view body) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  auto error = parser.parse(body.data(), body.size(), true).get(root);
  if (error) {
    return InvalidArgument(std::string("malformed JSON body: ") + simdjson::error_message(error));
  }
  return root;
}

std::string IdText(simdjson::dom::element value) {
  switch (value.type()) {
    case simdjson::dom::element_type::STRING:
      return std::string(value.get_string().value_unsafe());
    case simdjson::dom::element_type::INT64:
      return std::to_string(value.get_int64().value_unsafe());
    case simdjson::dom::element_type::UINT64:
      return std::to_string(value.get_uint64().value_unsafe());
    default:
      return "";
  }
}

Status CopyFields(simdjson::dom::object object, size_t max_bytes, std::string_view what,
                  EventBuilder& builder) {
  size_t total = 2;
  for (auto field : object) {
    if (field.key == "writeKey") continue;  // a credential, never stored
    // The same text as simdjson::minify(), written into this thread's reusable buffer.
    thread_local simdjson::internal::string_builder<> minified;
    minified.clear();
    minified.append(field.value);
    std::string_view value = minified.str();
    total += field.key.size() + value.size() + 4;
    if (total > max_bytes) {
      return OutOfRange(std::string(what) + " is larger than " + std::to_string(max_bytes) +
                        " bytes");
    }
    builder.Set(field.key, value);
  }
  return Status::Ok();
}

void FinishEvent(const EventBuilder& builder, simdjson::dom::object object,
                 const RequestContext& context, std::string event_type, EventBatch& batch) {
  BuiltEvent& event = batch.events.emplace_back();
  simdjson::dom::element value;
  if (!object["userId"].get(value)) event.key = IdText(value);
  if (event.key.empty() && !object["anonymousId"].get(value)) event.key = IdText(value);
  std::string_view message_id;
  if (!object["messageId"].get(value) && !value.get(message_id) && !message_id.empty()) {
    event.message_id = std::string(message_id);
  }
  event.event_type = std::move(event_type);
  std::string& text = *batch.text;
  event.json_begin = text.size();
  if (event.message_id.empty()) {
    char id[kEventIdSize];
    builder.AppendTo(text, context, WriteEventId(id));
  } else {
    builder.AppendTo(text, context, event.message_id);
  }
  event.json_size = text.size() - event.json_begin;
}

namespace {

Status EventFromObject(simdjson::dom::object object, const RequestContext& context,
                       const BodyLimits& limits, std::string_view what, EventBuilder& builder,
                       EventBatch& batch) {
  builder.Clear();
  EL_RETURN_IF_ERROR(CopyFields(object, limits.max_event_bytes, what, builder));
  std::string_view type;
  simdjson::dom::element value;
  if (!object["event_type"].get(value) && value.get(type)) type = {};
  FinishEvent(builder, object, context, std::string(type), batch);
  return Status::Ok();
}

}  // namespace

Result<EventBatch> BuildBodyEvents(std::string_view body, const RequestContext& context,
                                   const BodyLimits& limits) {
  EL_ASSIGN_OR_RETURN(simdjson::dom::element root, ParseJsonBody(body));
  EventBatch batch;
  thread_local EventBuilder builder;
  if (root.type() == simdjson::dom::element_type::OBJECT) {
    EL_RETURN_IF_ERROR(EventFromObject(root.get_object().value_unsafe(), context, limits,
                                       "the event", builder, batch));
    batch.Seal();
    return batch;
  }
  if (root.type() != simdjson::dom::element_type::ARRAY) {
    return InvalidArgument("body must be a JSON object or an array of objects");
  }
  simdjson::dom::array array = root.get_array().value_unsafe();
  if (array.size() == 0) return InvalidArgument("empty array: no events");
  if (array.size() > limits.max_events) {
    return InvalidArgument("too many events: " + std::to_string(array.size()) + " (at most " +
                           std::to_string(limits.max_events) + " per request)");
  }
  batch.events.reserve(array.size());
  batch.text->reserve(body.size() + array.size() * (64 + context.tail_json.size()));
  size_t i = 0;
  for (simdjson::dom::element element : array) {
    if (element.type() != simdjson::dom::element_type::OBJECT) {
      return InvalidArgument("array element " + std::to_string(i) + " is not a JSON object");
    }
    EL_RETURN_IF_ERROR(EventFromObject(element.get_object().value_unsafe(), context, limits,
                                       "array element " + std::to_string(i), builder, batch));
    ++i;
  }
  batch.Seal();
  return batch;
}

}  // namespace el::collector
