#pragma once
// Request header v1/v2 decoding and response header encoding (RequestHeader.json, ResponseHeader.json).
// Header v2 (flexible requests) adds a tagged-field section; client_id keeps its int16 length in both.
// Responses use header v1 (with a tag section) for flexible versions, except ApiVersions, whose
// response header is always v0 so that a client can parse it before it knows the broker's versions.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "kafka/protocol/api.h"
#include "kafka/protocol/wire.h"

namespace el::kafka {

struct RequestHeader {
  int16_t api_key = 0;
  int16_t api_version = 0;
  int32_t correlation_id = 0;
  std::optional<std::string> client_id;
  bool operator==(const RequestHeader&) const = default;
};

struct DecodedRequest {
  RequestHeader header;
  BytesView body;  // view into the frame passed to DecodeRequestHeader
  bool flexible = false;
};

// Decodes the header of one request frame (without its 4-byte size). The header version follows from
// (api_key, api_version): v2 when that version is flexible. Errors: InvalidArgument when truncated.
Result<DecodedRequest> DecodeRequestHeader(BytesView frame);

// Encodes a request header (used by tests and tools): v2 when `flexible`, else v1.
void EncodeRequestHeader(Writer& w, const RequestHeader& h, bool flexible);

// True if the response to (api, version) carries a response header v1 (a tag section).
bool ResponseHeaderHasTags(ApiKey api, int16_t version);

// Writes the 4-byte frame size (of `body_size` plus the header) and the response header for a reply
// to `request`: v0 (correlation id), or v1 (plus an empty tag section) per ResponseHeaderHasTags.
void EncodeResponseFrameHead(Writer& w, const RequestHeader& request, size_t body_size);

// The big-endian int32 frame size at the start of `bytes` (which must hold 4 bytes).
int32_t DecodeFrameSize(std::span<const uint8_t, 4> bytes);

}  // namespace el::kafka
