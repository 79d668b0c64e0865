#include "collector/body.h"

#include <simdjson.h>

namespace el::collector {
namespace {

std::string EventFromObject(simdjson::dom::object object, const RequestContext& context) {
  EventBuilder builder;
  for (auto field : object) {
    builder.Set(field.key, simdjson::minify(field.value));
  }
  return builder.Finish(context, NewEventId());
}

}  // namespace

Result<std::vector<std::string>> BuildBodyEvents(std::string_view body,
                                                 const RequestContext& context) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  auto error = parser.parse(body.data(), body.size(), true).get(root);
  if (error) {
    return InvalidArgument(std::string("malformed JSON body: ") + simdjson::error_message(error));
  }
  std::vector<std::string> events;
  if (root.type() == simdjson::dom::element_type::OBJECT) {
    events.push_back(EventFromObject(root.get_object().value_unsafe(), context));
    return events;
  }
  if (root.type() != simdjson::dom::element_type::ARRAY) {
    return InvalidArgument("body must be a JSON object or an array of objects");
  }
  simdjson::dom::array array = root.get_array().value_unsafe();
  if (array.size() == 0) return InvalidArgument("empty array: no events");
  events.reserve(array.size());
  size_t i = 0;
  for (simdjson::dom::element element : array) {
    if (element.type() != simdjson::dom::element_type::OBJECT) {
      return InvalidArgument("array element " + std::to_string(i) + " is not a JSON object");
    }
    events.push_back(EventFromObject(element.get_object().value_unsafe(), context));
    ++i;
  }
  return events;
}

}  // namespace el::collector
