#include "net/endpoint.h"

#include <gtest/gtest.h>

namespace el::net {
namespace {

TEST(EndpointTest, ParsesForms) {
  auto a = ParseHostPort("127.0.0.1:9092", 1);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 9092);
  auto b = ParseHostPort("localhost", 5000);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->port, 5000);
  auto c = ParseHostPort("[::1]:0", 1);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->host, "::1");
  EXPECT_EQ(c->port, 0);
  EXPECT_EQ(c->ToString(), "[::1]:0");
  auto d = ParseHostPort(":7", 1);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->host, "127.0.0.1");
}

TEST(EndpointTest, RejectsBadPorts) {
  EXPECT_FALSE(ParseHostPort("h:70000", 1).ok());
  EXPECT_FALSE(ParseHostPort("h:x", 1).ok());
  EXPECT_FALSE(ParseHostPort("[::1", 1).ok());
}

}  // namespace
}  // namespace el::net
