#include "base/crc32c.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

namespace el {
namespace {

std::span<const uint8_t> Bytes(const char* s) {
  return {reinterpret_cast<const uint8_t*>(s), std::strlen(s)};
}

TEST(Crc32cTest, KnownVectors) {
  EXPECT_EQ(Crc32c(Bytes("123456789")), 0xE3069283u);
  std::vector<uint8_t> zeros(32, 0);
  EXPECT_EQ(Crc32c(zeros), 0x8A9136AAu);
  std::vector<uint8_t> ones(32, 0xFF);
  EXPECT_EQ(Crc32c(ones), 0x62A8AB43u);  // RFC 3720 B.4
  EXPECT_EQ(Crc32c({}), 0u);
  EXPECT_EQ(Crc32cPortable(Bytes("123456789")), 0xE3069283u);
}

TEST(Crc32cTest, IncrementalEqualsWhole) {
  std::mt19937 rng(42);
  std::vector<uint8_t> data(1000);
  for (auto& b : data) b = static_cast<uint8_t>(rng());
  std::span<const uint8_t> all(data);
  uint32_t whole = Crc32c(all);
  for (size_t split : {0, 1, 7, 8, 9, 500, 999, 1000}) {
    EXPECT_EQ(Crc32c(all.subspan(split), Crc32c(all.first(split))), whole) << split;
  }
}

TEST(Crc32cTest, HardwareMatchesPortable) {
  std::mt19937 rng(7);
  for (size_t len = 0; len < 300; ++len) {
    std::vector<uint8_t> data(len);
    for (auto& b : data) b = static_cast<uint8_t>(rng());
    ASSERT_EQ(Crc32c(data, 12345), Crc32cPortable(data, 12345)) << len;
  }
}

TEST(Crc32cTest, LongInputsInLanesMatchPortable) {
  // lengths around the three-lane blocks (3 x 256 and 3 x 4096 bytes) and their multiples
  std::mt19937 rng(11);
  std::vector<uint8_t> data(70000);
  for (auto& b : data) b = static_cast<uint8_t>(rng());
  std::span<const uint8_t> all(data);
  for (size_t len : {767, 768, 769, 1536, 1543, 12287, 12288, 12289, 13056, 24576 + 768 + 5,
                     65536, 70000}) {
    ASSERT_EQ(Crc32c(all.first(len), 99), Crc32cPortable(all.first(len), 99)) << len;
    ASSERT_EQ(Crc32c(all.subspan(3, len - 3)), Crc32cPortable(all.subspan(3, len - 3))) << len;
  }
  EXPECT_EQ(Crc32c(all), Crc32c(all.subspan(12289), Crc32c(all.first(12289))));
}

}  // namespace
}  // namespace el
