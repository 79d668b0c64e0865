#include "base/json_text.h"

#include <gtest/gtest.h>

namespace el {
namespace {

TEST(JsonTextTest, EscapesAndRepairsUtf8) {
  EXPECT_EQ(JsonString("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\u0001\"");
  EXPECT_EQ(JsonString("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
  EXPECT_EQ(JsonString("bad\xff!"), "\"bad\xef\xbf\xbd!\"");
  EXPECT_EQ(JsonString("\xed\xa0\x80"), "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");  // surrogate
  EXPECT_EQ(JsonString("\xe2\x9c"), "\"\xef\xbf\xbd\xef\xbf\xbd\"");                  // truncated
}

TEST(JsonTextTest, AppendsAfterExistingText) {
  std::string out = "{\"k\":";
  AppendJsonString(out, "\b\f\t");
  EXPECT_EQ(out, "{\"k\":\"\\b\\f\\t\"");
}

}  // namespace
}  // namespace el
