#include "objstore/xml_scan.h"

#include <gtest/gtest.h>

#include "objstore/s3_error.h"

namespace el::objstore {
namespace {

TEST(XmlScan, TextAndElements) {
  std::string xml =
      "<?xml version=\"1.0\"?><ListBucketResult><KeyCount>2</KeyCount>"
      "<Contents><Key>a&amp;b</Key><Size>3</Size></Contents>"
      "<Contents><Key>c&#x2F;d&#47;&lt;e&gt;</Key><Size>4</Size></Contents>"
      "<Prefix/></ListBucketResult>";
  EXPECT_EQ(XmlText(xml, "KeyCount"), "2");
  EXPECT_EQ(XmlText(xml, "Key"), "a&b");  // not <KeyCount>
  EXPECT_EQ(XmlText(xml, "Prefix"), "");
  EXPECT_EQ(XmlText(xml, "Missing"), std::nullopt);
  auto contents = XmlElements(xml, "Contents");
  ASSERT_EQ(contents.size(), 2u);
  EXPECT_EQ(XmlText(contents[1], "Key"), "c/d/<e>");
}

TEST(XmlScan, MalformedInputIsNotFound) {
  EXPECT_EQ(XmlText("<Key>unclosed", "Key"), std::nullopt);
  EXPECT_EQ(XmlText("<Key", "Key"), std::nullopt);
  EXPECT_EQ(XmlText("", "Key"), std::nullopt);
  // Unknown or malformed references stay as they are.
  EXPECT_EQ(XmlUnescape("&bogus; &#xZZ; & &#1114112;"), "&bogus; &#xZZ; & &#1114112;");
  EXPECT_EQ(XmlUnescape("&#1114112;"), "");  // past Unicode: dropped
  EXPECT_TRUE(XmlElements("<a><b></a>", "b").empty());
}

TEST(XmlScan, EscapeRoundTrips) {
  std::string s = "a<b>&\"c'\r";
  EXPECT_EQ(XmlUnescape(XmlEscape(s)), s);
}

TEST(S3Errors, NoSuchBucket) {
  S3Error e =
      ParseS3Error(404,
                   "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>NoSuchBucket</Code>"
                   "<Message>The specified bucket does not exist</Message><BucketName>nope"
                   "</BucketName><RequestId>tx1</RequestId></Error>");
  EXPECT_EQ(e.code, "NoSuchBucket");
  EXPECT_EQ(e.request_id, "tx1");
  Status s = S3ErrorStatus(e, "GET s3://nope/k", "");
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_NE(s.message().find("bucket does not exist"), std::string::npos);
}

TEST(S3Errors, BadCredentials) {
  for (const char* code : {"InvalidAccessKeyId", "SignatureDoesNotMatch"}) {
    S3Error e = ParseS3Error(403, std::string("<Error><Code>") + code + "</Code></Error>");
    Status s = S3ErrorStatus(e, "PUT s3://b/k", "");
    EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
    EXPECT_EQ(s.message().rfind("bad credentials", 0), 0u) << s.message();
  }
  // A HEAD answer has no body: 403 alone.
  EXPECT_EQ(
      S3ErrorStatus(ParseS3Error(403, ""), "HEAD s3://b", "").message().rfind("bad credentials", 0),
      0u);
}

TEST(S3Errors, ClockSkewNamesBothTimes) {
  S3Error e =
      ParseS3Error(403,
                   "<Error><Code>RequestTimeTooSkewed</Code><Message>The difference between "
                   "the request time and the current time is too large.</Message>"
                   "<RequestTime>20130524T000000Z</RequestTime>"
                   "<ServerTime>2026-12-04T03:00:00Z</ServerTime></Error>");
  Status s = S3ErrorStatus(e, "GET s3://b/k", "20130524T000000Z");
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message().rfind("clock skew: the server's time is 2026-12-04T03:00:00Z, ours is "
                              "2013-05-24T00:00:00Z (",
                              0),
            0u)
      << s.message();
  // Without <ServerTime> (Ceph), the Date header stands in.
  S3Error ceph = ParseS3Error(403, "<Error><Code>RequestTimeTooSkewed</Code></Error>",
                              "Fri, 04 Dec 2026 03:00:00 GMT");
  EXPECT_EQ(S3ErrorStatus(ceph, "x", "20261204T001500Z")
                .message()
                .rfind("clock skew: the server's time is 2026-12-04T03:00:00Z, ours is "
                       "2026-12-04T00:15:00Z (2 h 45 min behind); set this machine's clock",
                       0),
            0u)
      << S3ErrorStatus(ceph, "x", "20261204T001500Z").message();
  S3Error odd = ParseS3Error(403, "<Error><Code>RequestTimeTooSkewed</Code></Error>", "");
  EXPECT_NE(
      S3ErrorStatus(odd, "x", "20261204T001500Z").message().find("the server's time is unknown"),
      std::string::npos);
}

TEST(S3Errors, RetryableAndOthers) {
  EXPECT_EQ(
      S3ErrorStatus(ParseS3Error(503, "<Error><Code>SlowDown</Code></Error>"), "x", "").code(),
      StatusCode::kUnavailable);
  EXPECT_EQ(S3ErrorStatus(ParseS3Error(500, "not xml at all"), "x", "").code(),
            StatusCode::kUnavailable);
  EXPECT_EQ(S3ErrorStatus(ParseS3Error(400, "<Error><Code>RequestTimeout</Code></Error>"), "x", "")
                .code(),
            StatusCode::kUnavailable);
  EXPECT_EQ(S3ErrorStatus(ParseS3Error(429, ""), "x", "").code(), StatusCode::kUnavailable);
  EXPECT_EQ(
      S3ErrorStatus(ParseS3Error(416, "<Error><Code>InvalidRange</Code></Error>"), "x", "").code(),
      StatusCode::kOutOfRange);
  EXPECT_EQ(S3ErrorStatus(ParseS3Error(400, "<Error><Code>InvalidArgument</Code></Error>"), "x", "")
                .code(),
            StatusCode::kIOError);
}

}  // namespace
}  // namespace el::objstore
