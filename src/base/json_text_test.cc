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

TEST(JsonTextTest, Utf8SequenceLength) {
  EXPECT_EQ(Utf8SequenceLength("a", 0), 1u);
  EXPECT_EQ(Utf8SequenceLength("\xC3\xA9", 0), 2u);          // é
  EXPECT_EQ(Utf8SequenceLength("\xE2\x82\xAC", 0), 3u);      // €
  EXPECT_EQ(Utf8SequenceLength("\xF0\x9F\x98\x80", 0), 4u);  // U+1F600
  EXPECT_EQ(Utf8SequenceLength("\xC0\xAF", 0), 0u);          // overlong
  EXPECT_EQ(Utf8SequenceLength("\xED\xA0\x80", 0), 0u);      // surrogate
  EXPECT_EQ(Utf8SequenceLength("\xF4\x90\x80\x80", 0), 0u);  // above U+10FFFF
  EXPECT_EQ(Utf8SequenceLength("\xE2\x82", 0), 0u);          // truncated
  EXPECT_EQ(Utf8SequenceLength("\x80", 0), 0u);              // lone continuation byte
}

}  // namespace
TEST(JsonTextTest, QuotesOnlyNumbersBeyond64Bits) {
  EXPECT_FALSE(QuoteOutOfRangeNumbers(R"({"a":1,"b":-9223372036854775808,"c":18446744073709551615})"));
  EXPECT_FALSE(QuoteOutOfRangeNumbers(R"({"d":1.5e308,"e":-0.0,"f":1e-400,"g":[0,-1,2E+3]})"));
  EXPECT_EQ(QuoteOutOfRangeNumbers(R"({"n":-9223372036854775809,"m":18446744073709551616})"),
            R"({"n":"-9223372036854775809","m":"18446744073709551616"})");
  EXPECT_EQ(QuoteOutOfRangeNumbers(R"([1e400, -2.5E+999 ,3])"), R"(["1e400", "-2.5E+999" ,3])");
  // Numbers inside strings (escaped quotes included) are text already.
  EXPECT_EQ(QuoteOutOfRangeNumbers(R"({"s":"1e400 \" 99999999999999999999","x":1e999})"),
            R"({"s":"1e400 \" 99999999999999999999","x":"1e999"})");
  EXPECT_FALSE(QuoteOutOfRangeNumbers(R"({"s":"1e400"})"));
}

TEST(JsonTextTest, LeavesMalformedNumbersAlone) {
  EXPECT_FALSE(QuoteOutOfRangeNumbers(R"({"a":0123456789012345678901})"));
  EXPECT_FALSE(QuoteOutOfRangeNumbers(R"({"a":1.,"b":1e999})"));
  EXPECT_FALSE(QuoteOutOfRangeNumbers(R"({"a":-,"b":1e999})"));
  EXPECT_FALSE(QuoteOutOfRangeNumbers(R"({"a":.5e999})"));
  EXPECT_FALSE(QuoteOutOfRangeNumbers(R"({"a":1e+})"));
}

}  // namespace el
