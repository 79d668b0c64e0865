// RequestEntry: request framing, header decoding and every request decoder, with a stability check
// (decode -> encode -> decode -> encode must give the same bytes twice).
#include <string>
#include <vector>

#include "fuzz/entries.h"
#include "fuzz/request_types.h"
#include "kafka/protocol/codec.h"
#include "kafka/protocol/header.h"

namespace el::fuzz {
namespace {

template <typename M>
Status CheckBody(kafka::BytesView body, int16_t version) {
  Result<M> first = kafka::DecodeMessage<M>(body, version);
  if (!first.ok()) return Status::Ok();  // malformed input, refused: fine
  std::vector<uint8_t> once = kafka::EncodeMessage(*first, version);
  Result<M> second = kafka::DecodeMessage<M>(once, version);
  if (!second.ok()) {
    return Internal(std::string(kafka::ApiName(M::kApiKey)) + " v" + std::to_string(version) +
                    ": re-encoded body does not decode: " + second.status().ToString());
  }
  if (kafka::EncodeMessage(*second, version) != once) {
    return Internal(std::string(kafka::ApiName(M::kApiKey)) + " v" + std::to_string(version) +
                    ": encoding is not stable across a decode");
  }
  return Status::Ok();
}

Status CheckFrame(kafka::BytesView frame) {
  Result<kafka::DecodedRequest> decoded = kafka::DecodeRequestHeader(frame);
  if (!decoded.ok()) return Status::Ok();
  const kafka::RequestHeader& h = decoded->header;
  // The header must round-trip too (client_id and the empty tag section of v2).
  kafka::Writer w(false);
  kafka::EncodeRequestHeader(w, h, decoded->flexible);
  Result<kafka::DecodedRequest> again = kafka::DecodeRequestHeader(w.buffer());
  if (!again.ok() || !(again->header == h) || !again->body.empty()) {
    return Internal("request header does not round-trip");
  }
  Status out;
  VisitRequestType(h.api_key, [&]<typename M>() { out = CheckBody<M>(decoded->body, h.api_version); });
  return out;
}

}  // namespace

Status RequestEntry(Input data) {
  while (data.size() >= 4) {
    int32_t size = kafka::DecodeFrameSize(data.first<4>());
    data = data.subspan(4);
    // The connection refuses these sizes before allocating anything and closes.
    if (size < 8 || static_cast<uint64_t>(size) > kMaxFrameBytes) return Status::Ok();
    if (static_cast<size_t>(size) > data.size()) return Status::Ok();  // peer went away mid-frame
    // Copy into an exactly sized buffer so that any read past the frame is caught by ASan.
    std::vector<uint8_t> frame(data.begin(), data.begin() + size);
    data = data.subspan(static_cast<size_t>(size));
    EL_RETURN_IF_ERROR(CheckFrame(frame));
  }
  return Status::Ok();
}

}  // namespace el::fuzz
