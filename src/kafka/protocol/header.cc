#include "kafka/protocol/header.h"

namespace el::kafka {

Result<DecodedRequest> DecodeRequestHeader(BytesView frame) {
  DecodedRequest out;
  Reader r(frame, /*flexible=*/false);
  r.Int16(out.header.api_key);
  r.Int16(out.header.api_version);
  r.Int32(out.header.correlation_id);
  r.NullableString(out.header.client_id);  // int16 length even in header v2
  if (!r.ok()) return r.status();
  out.flexible = out.header.api_version >= 0 &&
                 IsFlexible(static_cast<ApiKey>(out.header.api_key), out.header.api_version);
  if (out.flexible) {
    r.set_flexible(true);
    r.TaggedFields();
    if (!r.ok()) return r.status();
  }
  out.body = r.rest();
  return out;
}

void EncodeRequestHeader(Writer& w, const RequestHeader& h, bool flexible) {
  bool was = w.flexible();
  w.set_flexible(false);
  w.Int16(h.api_key);
  w.Int16(h.api_version);
  w.Int32(h.correlation_id);
  w.NullableString(h.client_id);
  w.set_flexible(flexible);
  w.TaggedFields();
  w.set_flexible(was);
}

bool ResponseHeaderHasTags(ApiKey api, int16_t version) {
  return api != ApiKey::kApiVersions && IsFlexible(api, version);
}

void EncodeResponseFrameHead(Writer& w, const RequestHeader& request, size_t body_size) {
  bool tags = ResponseHeaderHasTags(static_cast<ApiKey>(request.api_key), request.api_version);
  w.Int32(static_cast<int32_t>(body_size + (tags ? 5 : 4)));
  w.Int32(request.correlation_id);
  if (tags) w.Int8(0);  // empty tag section
}

int32_t DecodeFrameSize(std::span<const uint8_t, 4> bytes) {
  return static_cast<int32_t>((uint32_t{bytes[0]} << 24) | (uint32_t{bytes[1]} << 16) |
                              (uint32_t{bytes[2]} << 8) | uint32_t{bytes[3]});
}

}  // namespace el::kafka
