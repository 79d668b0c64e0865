#include "objstore/location.h"

#include <gtest/gtest.h>

namespace el::objstore {
namespace {

TEST(Location, LocalPaths) {
  for (const char* p : {"/var/lib/eventlake/lake", "lake", "./lake", "a:b", "lake:2024/x"}) {
    auto l = ParseLocation(p);
    ASSERT_TRUE(l.ok()) << p << ": " << l.status().ToString();
    EXPECT_FALSE(l->is_s3());
    EXPECT_EQ(l->local, std::filesystem::path(p));
  }
  auto f = ParseLocation("file:///tmp/lake");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->local, std::filesystem::path("/tmp/lake"));
  auto h = ParseLocation("file://localhost/tmp/lake");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->local, std::filesystem::path("/tmp/lake"));
}

TEST(Location, S3) {
  auto l = ParseLocation("s3://my-bucket/events/lake/");
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  EXPECT_TRUE(l->is_s3());
  EXPECT_EQ(l->bucket, "my-bucket");
  EXPECT_EQ(l->prefix, "events/lake");
  EXPECT_EQ(l->ToString(), "s3://my-bucket/events/lake");
  auto b = ParseLocation("s3://bucket.with.dots");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->prefix, "");
  EXPECT_EQ(b->ToString(), "s3://bucket.with.dots");
  EXPECT_TRUE(ParseLocation("S3://bucket/x").ok());
}

TEST(Location, Refused) {
  struct Case {
    const char* text;
    const char* says;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"", "empty"},
           {"gs://bucket/lake", "not gs://"},
           {"hdfs://nn:8020/lake", "not hdfs://"},
           {"s3a://bucket/lake", "use s3://"},
           {"http://host/lake", "not http://"},
           {"s3:/bucket/lake", "s3://BUCKET/PREFIX"},
           {"s3://", "no bucket"},
           {"s3:///lake", "no bucket"},
           {"s3://Bucket/lake", "not a bucket name"},
           {"s3://ab/lake", "not a bucket name"},
           {"s3://192.168.1.1/lake", "not a bucket name"},
           {"s3://key:secret@bucket/lake", "credentials"},
           {"s3://bucket:9000/lake", "AWS_ENDPOINT_URL"},
           {"s3://bucket/a//b", "empty folder"},
           {"s3://bucket/a/../b", "'..'"},
           {"s3://bucket/lake?x=1", "no query"},
           {"file:relative/lake", "file:///"},
           {"file://otherhost/lake", "file:///"},
       }) {
    auto l = ParseLocation(c.text);
    ASSERT_FALSE(l.ok()) << c.text;
    EXPECT_EQ(l.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(l.status().message().find(c.says), std::string::npos)
        << c.text << ": " << l.status().message();
  }
}

TEST(Location, BucketNames) {
  EXPECT_TRUE(IsValidBucketName("abc"));
  EXPECT_TRUE(IsValidBucketName("a-b.c1"));
  EXPECT_FALSE(IsValidBucketName("-abc"));
  EXPECT_FALSE(IsValidBucketName("abc-"));
  EXPECT_FALSE(IsValidBucketName("a..b"));
  EXPECT_FALSE(IsValidBucketName("a_b"));
  EXPECT_FALSE(IsValidBucketName(std::string(64, 'a')));
}

}  // namespace
}  // namespace el::objstore
