#include "collector/http_names.h"

#include <gtest/gtest.h>

namespace el::collector {
namespace {

TEST(CanonicalHeaderNameTest, TitleCasesEachDashPart) {
  EXPECT_EQ(CanonicalHeaderName("host"), "Host");
  EXPECT_EQ(CanonicalHeaderName("user-agent"), "User-Agent");
  EXPECT_EQ(CanonicalHeaderName("CACHE-CONTROL"), "Cache-Control");
  EXPECT_EQ(CanonicalHeaderName("x_forwarded_for"), "X-Forwarded-For");
  EXPECT_EQ(CanonicalHeaderName("content-md5"), "Content-Md5");
  EXPECT_EQ(CanonicalHeaderName("x-b3-traceid"), "X-B3-Traceid");
  EXPECT_EQ(CanonicalHeaderName("dnt"), "Dnt");
}

TEST(ParseQueryTest, LastValueWinsAndKeepsFirstPosition) {
  auto q = ParseQuery("color=red&sword_type=katana&color=blue&flag&=x&&a%26b=c%3Dd");
  ASSERT_EQ(q.size(), 4u);
  EXPECT_EQ(q[0], (std::pair<std::string, std::string>{"color", "blue"}));
  EXPECT_EQ(q[1], (std::pair<std::string, std::string>{"sword_type", "katana"}));
  EXPECT_EQ(q[2], (std::pair<std::string, std::string>{"flag", ""}));
  EXPECT_EQ(q[3], (std::pair<std::string, std::string>{"a&b", "c=d"}));
  EXPECT_TRUE(ParseQuery("").empty());
}

}  // namespace
}  // namespace el::collector
