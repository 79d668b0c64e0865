#include "collector/content_encoding.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

namespace el::collector {
namespace {

// A gzip member holding `text` (zlib's deflate with the gzip wrapper).
std::string GzipMember(const std::string& text) {
  z_stream stream{};
  EXPECT_EQ(deflateInit2(&stream, Z_BEST_SPEED, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
            Z_OK);
  std::string out(deflateBound(&stream, text.size()) + 32, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  stream.avail_in = static_cast<uInt>(text.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&stream, Z_FINISH), Z_STREAM_END);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

TEST(ContentEncodingTest, NamesAreCaseInsensitive) {
  EXPECT_EQ(ParseContentEncoding(""), BodyEncoding::kIdentity);
  EXPECT_EQ(ParseContentEncoding("Identity"), BodyEncoding::kIdentity);
  EXPECT_EQ(ParseContentEncoding("gzip"), BodyEncoding::kGzip);
  EXPECT_EQ(ParseContentEncoding("GZIP"), BodyEncoding::kGzip);
  EXPECT_EQ(ParseContentEncoding("x-gzip"), BodyEncoding::kGzip);
  EXPECT_EQ(ParseContentEncoding("br"), BodyEncoding::kUnsupported);
  EXPECT_EQ(ParseContentEncoding("deflate"), BodyEncoding::kUnsupported);
  EXPECT_EQ(ParseContentEncoding("gzip, br"), BodyEncoding::kUnsupported);
}

TEST(ContentEncodingTest, InflatesOneAndSeveralMembers) {
  std::string batch = R"({"batch":[{"type":"track","userId":"u","event":"Gz"}]})";
  auto one = Gunzip(GzipMember(batch), 1 << 20);
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  EXPECT_EQ(*one, batch);
  auto two = Gunzip(GzipMember("[{\"a\":") + GzipMember("1}]"), 1 << 20);
  ASSERT_TRUE(two.ok()) << two.status().ToString();
  EXPECT_EQ(*two, "[{\"a\":1}]");
}

TEST(ContentEncodingTest, CorruptTruncatedAndEmptyStreamsAreInvalid) {
  std::string member = GzipMember(std::string(5000, 'x') + "tail");
  auto truncated = Gunzip(std::string_view(member).substr(0, member.size() / 2), 1 << 20);
  EXPECT_EQ(truncated.status().code(), StatusCode::kInvalidArgument);
  std::string corrupt = member;
  corrupt[member.size() / 2] ^= 0x5a;
  corrupt[member.size() / 2 + 1] ^= 0x33;
  EXPECT_EQ(Gunzip(corrupt, 1 << 20).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Gunzip("{\"not\":\"gzip\"}", 1 << 20).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Gunzip("", 1 << 20).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Gunzip(member + "garbage", 1 << 20).status().code(), StatusCode::kInvalidArgument);
}

TEST(ContentEncodingTest, StopsAtTheLimitWithoutInflatingABomb) {
  std::string bomb = GzipMember(std::string(64 << 20, '\0'));  // 64 MB of zeros
  ASSERT_LT(bomb.size(), 500u * 1024);  // a body within the request limit
  auto inflated = Gunzip(bomb, 500 * 1024);
  EXPECT_EQ(inflated.status().code(), StatusCode::kOutOfRange);
  EXPECT_NE(inflated.status().message().find("512000"), std::string::npos);
  auto exact = Gunzip(GzipMember(std::string(1000, 'a')), 1000);
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(exact->size(), 1000u);
}

}  // namespace
}  // namespace el::collector
