#include "kafka/protocol/wire.h"

#include <gtest/gtest.h>

#include "kafka/protocol/header.h"

namespace el::kafka {
namespace {

std::vector<uint8_t> B(std::initializer_list<int> v) {
  std::vector<uint8_t> out;
  for (int x : v) out.push_back(static_cast<uint8_t>(x));
  return out;
}

TEST(WireTest, FixedWidthIntegersAreBigEndian) {
  Writer w(false);
  w.Int8(-2);
  w.Int16(0x0102);
  w.Int32(-1);
  w.Int64(0x0102030405060708LL);
  w.Bool(true);
  EXPECT_EQ(w.buffer(), B({0xfe, 1, 2, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4, 5, 6, 7, 8, 1}));
  Reader r(w.buffer(), false);
  int8_t a; int16_t b; int32_t c; int64_t d; bool e;
  r.Int8(a); r.Int16(b); r.Int32(c); r.Int64(d); r.Bool(e);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(a, -2);
  EXPECT_EQ(b, 0x0102);
  EXPECT_EQ(c, -1);
  EXPECT_EQ(d, 0x0102030405060708LL);
  EXPECT_TRUE(e);
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(WireTest, UnsignedVarints) {
  for (uint32_t v : {0u, 1u, 127u, 128u, 300u, 16384u, UINT32_MAX}) {
    Writer w(true);
    w.UVarint(v);
    Reader r(w.buffer(), true);
    uint32_t got = 0;
    r.UVarint(got);
    ASSERT_TRUE(r.ok()) << v;
    EXPECT_EQ(got, v);
  }
  Writer w(true);
  w.UVarint(300);
  EXPECT_EQ(w.buffer(), B({0xac, 0x02}));
}

TEST(WireTest, ZigzagVarints) {
  Writer w(false);
  w.Varint(0);
  w.Varint(-1);
  w.Varint(1);
  w.Varint(-64);
  w.Varlong(INT64_MIN);
  w.Varlong(INT64_MAX);
  EXPECT_EQ(std::vector<uint8_t>(w.buffer().begin(), w.buffer().begin() + 5), B({0, 1, 2, 0x7f, 0xff}));
  Reader r(w.buffer(), false);
  int32_t a, b, c, d;
  int64_t e, f;
  r.Varint(a); r.Varint(b); r.Varint(c); r.Varint(d); r.Varlong(e); r.Varlong(f);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(a, 0);
  EXPECT_EQ(b, -1);
  EXPECT_EQ(c, 1);
  EXPECT_EQ(d, -64);
  EXPECT_EQ(e, INT64_MIN);
  EXPECT_EQ(f, INT64_MAX);
}

TEST(WireTest, OverlongVarintIsAnError) {
  auto bytes = B({0xff, 0xff, 0xff, 0xff, 0xff, 0x01});
  Reader r(bytes, true);
  uint32_t v;
  r.UVarint(v);
  EXPECT_FALSE(r.ok());
}

TEST(WireTest, ClassicStringsBytesArrays) {
  Writer w(false);
  w.String("ab");
  w.NullableString(std::nullopt);
  std::vector<uint8_t> payload = B({9, 8});
  w.Bytes(payload);
  w.NullableBytes(std::nullopt);
  std::vector<int32_t> ints{7, 8};
  w.Array(ints, [&](int32_t x) { w.Int32(x); });
  EXPECT_EQ(w.buffer(), B({0, 2, 'a', 'b', 0xff, 0xff, 0, 0, 0, 2, 9, 8, 0xff, 0xff, 0xff, 0xff,
                           0, 0, 0, 2, 0, 0, 0, 7, 0, 0, 0, 8}));
  Reader r(w.buffer(), false);
  std::string s;
  std::optional<std::string> ns = "x";
  std::vector<uint8_t> bytes;
  std::optional<BytesView> nb = BytesView();
  std::vector<int32_t> got;
  r.String(s);
  r.NullableString(ns);
  r.Bytes(bytes);
  r.NullableBytes(nb);
  r.Array(got, [&](int32_t& x) { r.Int32(x); });
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(s, "ab");
  EXPECT_FALSE(ns.has_value());
  EXPECT_EQ(bytes, payload);
  EXPECT_FALSE(nb.has_value());
  EXPECT_EQ(got, ints);
}

TEST(WireTest, CompactTypesAndTaggedFields) {
  Writer w(true);
  w.String("ab");
  w.NullableString(std::nullopt);
  w.Bytes(B({5}));
  std::vector<int32_t> ints{1};
  w.Array(ints, [&](int32_t x) { w.Int32(x); });
  w.NullableArray(std::optional<std::vector<int32_t>>(), [&](int32_t x) { w.Int32(x); });
  w.TaggedFields({{0, B({1, 2})}, {3, {}}});
  w.TaggedFields();
  EXPECT_EQ(w.buffer(), B({3, 'a', 'b', 0, 2, 5, 2, 0, 0, 0, 1, 0, 2, 0, 2, 1, 2, 3, 0, 0}));
  Reader r(w.buffer(), true);
  std::string s;
  std::optional<std::string> ns;
  std::vector<uint8_t> bytes;
  std::vector<int32_t> got;
  std::optional<std::vector<int32_t>> null_array = std::vector<int32_t>{};
  std::vector<std::pair<uint32_t, std::vector<uint8_t>>> tags;
  r.String(s);
  r.NullableString(ns);
  r.Bytes(bytes);
  r.Array(got, [&](int32_t& x) { r.Int32(x); });
  r.NullableArray(null_array, [&](int32_t& x) { r.Int32(x); });
  r.TaggedFields(tags);
  r.TaggedFields();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(s, "ab");
  EXPECT_FALSE(ns.has_value());
  EXPECT_EQ(bytes, B({5}));
  EXPECT_EQ(got, ints);
  EXPECT_FALSE(null_array.has_value());
  ASSERT_EQ(tags.size(), 2u);
  EXPECT_EQ(tags[0].first, 0u);
  EXPECT_EQ(tags[0].second, B({1, 2}));
  EXPECT_EQ(tags[1].first, 3u);
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(WireTest, TruncatedInputIsAnErrorAndSticky) {
  auto bytes = B({0, 5, 'a', 'b'});  // string claims 5 bytes, has 2
  Reader r(bytes, false);
  std::string s;
  r.String(s);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  int32_t x = 42;
  r.Int32(x);
  EXPECT_EQ(x, 42);
  EXPECT_FALSE(r.ok());
}

TEST(WireTest, HugeArrayCountIsRefusedBeforeAllocating) {
  auto bytes = B({0x7f, 0xff, 0xff, 0xff, 0, 0});
  Reader r(bytes, false);
  std::vector<int64_t> v;
  r.Array(v, [&](int64_t& x) { r.Int64(x); });
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(v.empty());
}

TEST(WireTest, NullStringWhereRequiredIsAnError) {
  auto bytes = B({0xff, 0xff});
  Reader r(bytes, false);
  std::string s;
  r.String(s);
  EXPECT_FALSE(r.ok());
}

TEST(HeaderTest, DecodesV1Header) {
  Writer w(false);
  RequestHeader h{3, 1, 77, std::string("kafka-python")};
  EncodeRequestHeader(w, h, false);
  w.Int32(0xabcdef);
  auto decoded = DecodeRequestHeader(w.buffer());
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->header, h);
  EXPECT_FALSE(decoded->flexible);
  EXPECT_EQ(decoded->body.size(), 4u);
}

TEST(HeaderTest, DecodesV2HeaderWithNullClientIdAndTags) {
  // ApiVersions v3: flexible, so header v2; client_id keeps its int16 length.
  auto bytes = B({0, 18, 0, 3, 0, 0, 0, 9, 0xff, 0xff, 1, 5, 1, 0xaa, 0x42});
  auto decoded = DecodeRequestHeader(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->header.api_key, 18);
  EXPECT_EQ(decoded->header.api_version, 3);
  EXPECT_EQ(decoded->header.correlation_id, 9);
  EXPECT_FALSE(decoded->header.client_id.has_value());
  EXPECT_TRUE(decoded->flexible);
  ASSERT_EQ(decoded->body.size(), 1u);
  EXPECT_EQ(decoded->body[0], 0x42);
}

TEST(HeaderTest, TruncatedHeaderIsAnError) {
  for (size_t n = 0; n < 10; ++n) {
    auto bytes = B({0, 3, 0, 1, 0, 0, 0, 1, 0, 4, 'a', 'b', 'c', 'd'});
    bytes.resize(n);
    EXPECT_FALSE(DecodeRequestHeader(bytes).ok()) << n;
  }
}

TEST(HeaderTest, ResponseFrameHead) {
  Writer v0(false);
  EncodeResponseFrameHead(v0, RequestHeader{18, 3, 258, std::nullopt}, 10);
  EXPECT_EQ(v0.buffer(), B({0, 0, 0, 14, 0, 0, 1, 2}));  // ApiVersions: header v0 even at v3
  Writer v1(false);
  EncodeResponseFrameHead(v1, RequestHeader{3, 9, 1, std::nullopt}, 10);
  EXPECT_EQ(v1.buffer(), B({0, 0, 0, 15, 0, 0, 0, 1, 0}));
  std::array<uint8_t, 4> size{0x01, 0x02, 0x03, 0x04};
  EXPECT_EQ(DecodeFrameSize(size), 0x01020304);
}

TEST(HeaderTest, ResponseHeaderTags) {
  EXPECT_FALSE(ResponseHeaderHasTags(ApiKey::kApiVersions, 3));
  EXPECT_FALSE(ResponseHeaderHasTags(ApiKey::kMetadata, 6));
  EXPECT_TRUE(ResponseHeaderHasTags(ApiKey::kMetadata, 9));
}

}  // namespace
}  // namespace el::kafka
