#pragma once
// Event building: an event is a flat JSON object made of its own fields (route, query string or
// POST body), then the request's headers (as Flask's `event.update(request.headers)` merged them),
// then `client_ip`, `received_at` and `event_id`, which the collector always sets itself.
// Own fields win over same-named headers. Pure code; an EventBuilder is used by one thread.
#include <chrono>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace el::collector {

struct Header {
  std::string name;  // canonical (CanonicalHeaderName)
  std::string value;
  std::string json;  // `"name":"value"`, filled by PrepareJson (then reused by every event)
};

// What every event of one request shares.
struct RequestContext {
  std::vector<Header> headers;  // unique names; repeated headers joined with ", "
  std::string received_at;      // FormatReceivedAt()
  std::string client_ip;        // set as `client_ip` when not empty
  std::string tail_json;        // `"client_ip":..,"received_at":..` once PrepareJson ran
};

// Encodes the parts every event of the request repeats (header fields, client_ip, received_at)
// once, so EventBuilder::Finish only copies them. Call after the fields above are final.
void PrepareJson(RequestContext& context);

// One event ready to produce: its JSON text and what routing and de-duplication need.
struct BuiltEvent {
  std::string json;
  std::string key;         // partition key: userId, else anonymousId, else empty
  std::string event_type;  // for a topic per event type
  std::string message_id;  // the client's messageId, empty when none was given
};

// UTC ISO 8601 with milliseconds: "2026-11-21T13:42:00.123Z".
std::string FormatReceivedAt(std::chrono::system_clock::time_point time);

// A random UUID version 4 in canonical lower-case form (thread-local generator).
std::string NewEventId();

// base::AppendJsonString / JsonString with a fast path for the common case (printable ASCII with
// nothing to escape: appended in one piece); anything else goes to the base escaper.
void AppendJsonText(std::string& out, std::string_view text);
std::string JsonText(std::string_view text);

class EventBuilder {
 public:
  // Sets an own field. `json_value` must be one valid, compact JSON value. A repeated key keeps its
  // first position and takes the new value.
  void Set(std::string_view key, std::string json_value);
  // Sets an own field to a JSON string.
  void SetString(std::string_view key, std::string_view value);
  bool Has(std::string_view key) const;
  size_t size() const { return fields_.size(); }

  // The event as compact JSON text, merged with `context`, with `event_id` (NewEventId()).
  std::string Finish(const RequestContext& context, std::string_view event_id) const;

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
  // Key -> index into fields_, built once there are more than a few fields.
  std::unordered_map<std::string, size_t> index_;
};

}  // namespace el::collector
