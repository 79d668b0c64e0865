#include "console/access.h"

#include <gtest/gtest.h>

namespace el::console {
namespace {

TEST(AccessTest, LoopbackHosts) {
  EXPECT_TRUE(IsLoopbackHost("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackHost("127.1.2.3"));
  EXPECT_TRUE(IsLoopbackHost("::1"));
  EXPECT_TRUE(IsLoopbackHost("[::1]"));
  EXPECT_TRUE(IsLoopbackHost("localhost"));
  EXPECT_FALSE(IsLoopbackHost("0.0.0.0"));
  EXPECT_FALSE(IsLoopbackHost("::"));
  EXPECT_FALSE(IsLoopbackHost(""));
  EXPECT_FALSE(IsLoopbackHost("10.0.0.1"));
  EXPECT_FALSE(IsLoopbackHost("127.example.com"));
  EXPECT_FALSE(IsLoopbackHost("127.0.0.1.nip.io"));
}

TEST(AccessTest, NonLoopbackNeedsToken) {
  EXPECT_TRUE(CheckListenNeedsToken("127.0.0.1", "").ok());
  EXPECT_TRUE(CheckListenNeedsToken("0.0.0.0", "secret").ok());
  Status st = CheckListenNeedsToken("0.0.0.0", "");
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("--console-token"), std::string::npos);
}

TEST(AccessTest, NoTokenLetsEveryoneIn) { EXPECT_TRUE(Authorized("", "", "")); }

TEST(AccessTest, BearerToken) {
  EXPECT_TRUE(Authorized("s3cret", "Bearer s3cret", ""));
  EXPECT_FALSE(Authorized("s3cret", "Bearer s3cre", ""));
  EXPECT_FALSE(Authorized("s3cret", "Bearer s3cret2", ""));
  EXPECT_FALSE(Authorized("s3cret", "Basic s3cret", ""));
  EXPECT_FALSE(Authorized("s3cret", "", ""));
}

TEST(AccessTest, CookieToken) {
  EXPECT_TRUE(Authorized("s3cret", "", "el_console_token=s3cret"));
  EXPECT_TRUE(Authorized("s3cret", "", "a=1; el_console_token=s3cret; b=2"));
  EXPECT_FALSE(Authorized("s3cret", "", "a=1; el_console_token=wrong"));
  EXPECT_FALSE(Authorized("s3cret", "", "other_token=s3cret"));
  EXPECT_FALSE(Authorized("s3cret", "", "el_console_token="));
}

TEST(AccessTest, QueryParam) {
  EXPECT_EQ(QueryParam("token=abc", "token"), "abc");
  EXPECT_EQ(QueryParam("x=1&token=a%2Bb+c", "token"), "a+b c");
  EXPECT_EQ(QueryParam("x=1", "token"), "");
  EXPECT_EQ(QueryParam("token=%zz%4", "token"), "%zz%4");
  EXPECT_EQ(QueryParam("", "token"), "");
}

}  // namespace
}  // namespace el::console
