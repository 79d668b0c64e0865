#include "objstore/sigv4.h"

#include <gtest/gtest.h>

namespace el::objstore {
namespace {

// The example credentials and requests of AWS's S3 Signature V4 documentation ("Examples:
// Signature Calculations in AWS Signature Version 4", header-based authentication).
const Credentials kCreds{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
const char kDate[] = "20130524T000000Z";
const char kEmpty[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

SignRequest Base(std::string method, std::string path, std::string payload = kEmpty) {
  SignRequest r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.payload_sha256 = payload;
  r.headers = {{"Host", "examplebucket.s3.amazonaws.com"},
               {"x-amz-date", kDate},
               {"x-amz-content-sha256", payload}};
  return r;
}

TEST(SigV4, GetObjectWithRange) {
  SignRequest r = Base("GET", "/test.txt");
  r.headers.emplace_back("Range", "bytes=0-9");
  Signed s = SignV4(r, kCreds, "us-east-1", "s3", kDate);
  EXPECT_EQ(s.signature, "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  EXPECT_EQ(s.authorization,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  EXPECT_EQ(s.string_to_sign,
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
            "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
}

TEST(SigV4, PutObject) {
  std::string body = "Welcome to Amazon S3.";
  std::string hash = Sha256Hex(body);
  EXPECT_EQ(hash, "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  SignRequest r = Base("PUT", UriEncode("/test$file.text", true), hash);
  EXPECT_EQ(r.path, "/test%24file.text");
  r.headers.emplace_back("Date", "Fri, 24 May 2013 00:00:00 GMT");
  r.headers.emplace_back("x-amz-storage-class", "REDUCED_REDUNDANCY");
  Signed s = SignV4(r, kCreds, "us-east-1", "s3", kDate);
  EXPECT_EQ(s.signature, "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

TEST(SigV4, GetBucketLifecycle) {
  SignRequest r = Base("GET", "/");
  r.query = {{"lifecycle", ""}};
  Signed s = SignV4(r, kCreds, "us-east-1", "s3", kDate);
  EXPECT_EQ(s.signature, "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
}

TEST(SigV4, ListObjects) {
  SignRequest r = Base("GET", "/");
  r.query = {{"prefix", "J"}, {"max-keys", "2"}};  // order given does not matter
  Signed s = SignV4(r, kCreds, "us-east-1", "s3", kDate);
  EXPECT_EQ(s.signature, "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST(SigV4, SigningKeyOfTheGeneralExample) {
  EXPECT_EQ(HexEncode(SigningKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215",
                                 "us-east-1", "iam")),
            "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
}

TEST(SigV4, CanonicalFormsOfHeadersAndQuery) {
  SignRequest r = Base("GET", "/a");
  r.headers.emplace_back("X-Amz-Meta-Note", "  two   spaces  ");
  Signed s = SignV4(r, kCreds, "us-east-1", "s3", kDate);
  EXPECT_NE(s.canonical_request.find("x-amz-meta-note:two spaces\n"), std::string::npos);
  EXPECT_EQ(CanonicalQuery({{"b", "x y"}, {"a", "1/2"}, {"uploads", ""}}),
            "a=1%2F2&b=x%20y&uploads=");
  EXPECT_EQ(UriEncode("a b/c~d+e=é", true), "a%20b/c~d%2Be%3D%C3%A9");
  EXPECT_EQ(UriEncode("a/b", false), "a%2Fb");
}

TEST(SigV4, AmzDateIsUtc) {
  auto t = std::chrono::system_clock::from_time_t(1369353600);  // 2013-05-24 00:00:00 UTC
  EXPECT_EQ(AmzDate(t), "20130524T000000Z");
}

TEST(SigV4, ContentMd5) { EXPECT_EQ(Base64Md5(""), "1B2M2Y8AsgTpgAmY7PhCfg=="); }

}  // namespace
}  // namespace el::objstore
