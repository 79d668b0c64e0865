#pragma once
// Generic decode/encode of a message struct M that describes its layout in
// `template <class Io, class Self> static void Serde(Io&, Self&, int16_t version)` and names its API in
// `static constexpr ApiKey kApiKey`. The flexible encoding is chosen from (kApiKey, version).
#include <vector>

#include "base/result.h"
#include "kafka/protocol/api.h"
#include "kafka/protocol/wire.h"

namespace el::kafka {

// Decodes `body` (the bytes after the header). Views inside the result (BytesView fields) point into
// `body`, which must outlive them. Errors: InvalidArgument for truncated or malformed input.
template <typename M>
Result<M> DecodeMessage(BytesView body, int16_t version) {
  Reader r(body, IsFlexible(M::kApiKey, version));
  M m;
  M::Serde(r, m, version);
  if (!r.ok()) return r.status();
  return m;
}

template <typename M>
void EncodeMessage(Writer& w, const M& m, int16_t version) {
  w.set_flexible(IsFlexible(M::kApiKey, version));
  M::Serde(w, m, version);
}

template <typename M>
std::vector<uint8_t> EncodeMessage(const M& m, int16_t version) {
  Writer w(false);
  EncodeMessage(w, m, version);
  return w.Take();
}

}  // namespace el::kafka
