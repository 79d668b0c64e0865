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

}  // namespace el::kafka
