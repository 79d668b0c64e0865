#pragma once
// Event building: an event is a flat JSON object made of its own fields (route, query string or
// POST body), then the request's headers (as Flask's `event.update(request.headers)` merged them),
// then `client_ip`, `received_at` and `event_id`, which the collector always sets itself.
// Own fields win over same-named headers. Pure code; an EventBuilder is used by one thread.
// Events of one request are written back to back into one shared text buffer (EventBatch), which
// the producer reads in place until every delivery report is in.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace el::collector {

struct Header {
  std::string name;  // canonical (CanonicalHeaderName)
  std::string value;
  std::string json = {};  // `"name":"value"`, filled by PrepareJson (then reused by every event)
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
  std::string_view json;   // into the owning EventBatch's text (set by EventBatch::Seal)
  std::string key;         // partition key: userId, else anonymousId, else empty
  std::string event_type;  // for a topic per event type
  std::string message_id;  // the client's messageId, empty when none was given
  size_t json_begin = 0;   // offset of `json` in the batch text
  size_t json_size = 0;
};

// One request's events. `text` holds every event's JSON back to back (one heap buffer per
// request); it is shared so that in-flight deliveries keep it alive after the request is gone.
struct EventBatch {
  std::shared_ptr<std::string> text = std::make_shared<std::string>();
  std::vector<BuiltEvent> events;
  std::string write_key;  // Segment bodies: the top-level "writeKey", as analytics.js sends it

  // Points every event's `json` into `text`; call once the text is complete.
  void Seal();
};

// UTC ISO 8601 with milliseconds: "2026-11-21T13:42:00.123Z".
std::string FormatReceivedAt(std::chrono::system_clock::time_point time);

// A random UUID version 4 in canonical lower-case form (thread-local generator).
std::string NewEventId();
constexpr size_t kEventIdSize = 36;
// The same, written to `out` (no allocation); returns the text.
std::string_view WriteEventId(char (&out)[kEventIdSize]);

// Fields are kept in one reusable text buffer (Clear() keeps its capacity), so building an event
// allocates nothing once the builder has warmed up.
class EventBuilder {
 public:
  // Forgets every field, keeping the buffers.
  void Clear();
  // Sets an own field. `json_value` must be one valid, compact JSON value. A repeated key keeps its
  // first position and takes the new value.
  void Set(std::string_view key, std::string_view json_value);
  // Sets an own field to a JSON string.
  void SetString(std::string_view key, std::string_view value);
  bool Has(std::string_view key) const;
  size_t size() const { return fields_.size(); }

  // The event as compact JSON text, merged with `context`, with `event_id` (NewEventId()).
  std::string Finish(const RequestContext& context, std::string_view event_id) const;
  // The same text appended to `out`.
  void AppendTo(std::string& out, const RequestContext& context, std::string_view event_id) const;

 private:
  struct Field {
    uint32_t key_begin, key_size;        // the key as given, for lookups
    uint32_t member_begin, member_size;  // `"key":value`, ready to copy into events
  };
  std::string_view KeyOf(const Field& f) const { return {text_.data() + f.key_begin, f.key_size}; }
  std::string_view MemberOf(const Field& f) const {
    return {text_.data() + f.member_begin, f.member_size};
  }
  // Index of `key` in fields_, or -1.
  int64_t Find(std::string_view key) const;
  // Appends `key` (for a new field) and `"key":` then the value `write_value` writes to text_ (a
  // repeated key keeps its position and points at the new member).
  template <typename WriteValue>
  void Put(std::string_view key, WriteValue write_value);

  std::string text_;  // keys and values, back to back
  std::vector<Field> fields_;
  // Key -> index into fields_, built once there are more than a few fields.
  std::unordered_map<std::string, size_t> index_;
};

}  // namespace el::collector
