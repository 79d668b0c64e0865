#include "collector/auth.h"

#include <gtest/gtest.h>

namespace el::collector {
namespace {

namespace ip = boost::asio::ip;

TEST(AuthTest, BasicUserIsTheWriteKey) {
  EXPECT_EQ(Base64Decode("a2V5MTo="), "key1:");
  EXPECT_EQ(Base64Decode("a2V5MTo"), "key1:");
  EXPECT_EQ(Base64Decode("!!"), "");
  EXPECT_EQ(BasicAuthUser("Basic a2V5MTo="), "key1");
  EXPECT_EQ(BasicAuthUser("basic   a2V5MTpzZWNyZXQ= "), "key1");  // key1:secret
  EXPECT_EQ(BasicAuthUser("Bearer a2V5MTo="), "");
  EXPECT_EQ(BasicAuthUser(""), "");
  std::vector<std::string> keys{"key1", "other"};
  EXPECT_TRUE(IsWriteKey(keys, "key1"));
  EXPECT_FALSE(IsWriteKey(keys, "key"));
  EXPECT_FALSE(IsWriteKey(keys, ""));
}

TEST(AuthTest, ClientIpTruncation) {
  EXPECT_EQ(ClientIpText(ip::make_address("203.0.113.77"), false), "203.0.113.77");
  EXPECT_EQ(ClientIpText(ip::make_address("203.0.113.77"), true), "203.0.113.0");
  EXPECT_EQ(ClientIpText(ip::make_address("2001:db8:abcd:12:1:2:3:4"), true), "2001:db8:abcd::");
  EXPECT_EQ(ClientIpText(ip::make_address("::ffff:10.1.2.3"), true), "10.1.2.0");
}

}  // namespace
}  // namespace el::collector
