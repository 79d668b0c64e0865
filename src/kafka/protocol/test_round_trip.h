#pragma once
// Test-only: the encode/decode round-trip check shared by the protocol message tests.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "kafka/protocol/codec.h"

namespace el::kafka::testing {

// `m` encodes, decodes back equal and re-encodes to the same bytes at `version`; every strict prefix
// of its bytes fails to decode (or decodes to something that re-encodes shorter).
template <typename M>
void ExpectRoundTrip(const M& m, int16_t version) {
  std::vector<uint8_t> bytes = EncodeMessage(m, version);
  auto decoded = DecodeMessage<M>(bytes, version);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString() << " v" << version;
  EXPECT_EQ(*decoded, m) << "v" << version;
  EXPECT_EQ(EncodeMessage(*decoded, version), bytes) << "v" << version;
  // Every strict prefix must fail to decode (or decode to something that re-encodes shorter).
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto truncated = DecodeMessage<M>(BytesView(bytes.data(), n), version);
    if (truncated.ok()) {
      EXPECT_LT(EncodeMessage(*truncated, version).size(), bytes.size());
    }
  }
}

}  // namespace el::kafka::testing
