#include "base/crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace el {
namespace {

constexpr uint32_t kPolynomial = 0x82F63B78u;  // reflected Castagnoli

// kTables[k][b]: CRC of byte b followed by k zero bytes (slicing-by-8).
constexpr std::array<std::array<uint32_t, 256>, 8> MakeTables() {
  std::array<std::array<uint32_t, 256>, 8> t{};
  for (uint32_t b = 0; b < 256; ++b) {
    uint32_t c = b;
    for (int i = 0; i < 8; ++i) c = (c & 1) ? (c >> 1) ^ kPolynomial : c >> 1;
    t[0][b] = c;
  }
  for (int k = 1; k < 8; ++k) {
    for (uint32_t b = 0; b < 256; ++b) t[k][b] = (t[k - 1][b] >> 8) ^ t[0][t[k - 1][b] & 0xFF];
  }
  return t;
}

constexpr auto kTables = MakeTables();

uint32_t PortableRaw(const uint8_t* p, size_t n, uint32_t c) {
  while (n >= 8) {
    uint32_t lo = c ^ (uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 |
                       uint32_t{p[3]} << 24);
    c = kTables[7][lo & 0xFF] ^ kTables[6][(lo >> 8) & 0xFF] ^ kTables[5][(lo >> 16) & 0xFF] ^
        kTables[4][lo >> 24] ^ kTables[3][p[4]] ^ kTables[2][p[5]] ^ kTables[1][p[6]] ^
        kTables[0][p[7]];
    p += 8;
    n -= 8;
  }
  while (n-- > 0) c = (c >> 8) ^ kTables[0][(c ^ *p++) & 0xFF];
  return c;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) uint32_t HardwareOneLane(const uint8_t* p, size_t n, uint32_t c) {
  uint64_t c64 = c;
  while (n >= 8) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    c64 = _mm_crc32_u64(c64, v);
    p += 8;
    n -= 8;
  }
  uint32_t c32 = static_cast<uint32_t>(c64);
  while (n-- > 0) c32 = _mm_crc32_u8(c32, *p++);
  return c32;
}

// The crc32 instruction takes three cycles and can start one a cycle, so one chain of them runs at
// a third of the speed three independent ones do. Long inputs are taken in blocks of three lanes
// of kLane bytes, each lane's CRC computed from 0 at once, and the three joined: for the raw
// (uninverted) register, crc(c, A B C) = shift(shift(crc(c, A)) ^ crc(0, B)) ^ crc(0, C), where
// shift(x) is the register x after kLane zero bytes, a linear map of x read from four tables.
template <size_t kLane>
struct Lanes {
  std::array<std::array<uint32_t, 256>, 4> shift;

  __attribute__((target("sse4.2"))) Lanes() {
    // shift of each single bit, by running the register over kLane zero bytes
    std::array<uint32_t, 32> bit{};
    for (int j = 0; j < 32; ++j) {
      uint64_t c = uint64_t{1} << j;
      for (size_t i = 0; i < kLane; i += 8) c = _mm_crc32_u64(c, 0);
      bit[j] = static_cast<uint32_t>(c);
    }
    for (int k = 0; k < 4; ++k) {
      for (uint32_t b = 0; b < 256; ++b) {
        uint32_t x = 0;
        for (int j = 0; j < 8; ++j) {
          if ((b >> j) & 1) x ^= bit[8 * k + j];
        }
        shift[k][b] = x;
      }
    }
  }

  uint32_t Shift(uint32_t c) const {
    return shift[0][c & 0xFF] ^ shift[1][(c >> 8) & 0xFF] ^ shift[2][(c >> 16) & 0xFF] ^
           shift[3][c >> 24];
  }

  __attribute__((target("sse4.2"))) uint32_t Blocks(const uint8_t*& p, size_t& n, uint32_t c) const {
    while (n >= 3 * kLane) {
      uint64_t c0 = c, c1 = 0, c2 = 0;
      for (size_t i = 0; i < kLane; i += 8) {
        uint64_t v0, v1, v2;
        std::memcpy(&v0, p + i, 8);
        std::memcpy(&v1, p + kLane + i, 8);
        std::memcpy(&v2, p + 2 * kLane + i, 8);
        c0 = _mm_crc32_u64(c0, v0);
        c1 = _mm_crc32_u64(c1, v1);
        c2 = _mm_crc32_u64(c2, v2);
      }
      c = Shift(Shift(static_cast<uint32_t>(c0)) ^ static_cast<uint32_t>(c1)) ^
          static_cast<uint32_t>(c2);
      p += 3 * kLane;
      n -= 3 * kLane;
    }
    return c;
  }
};

uint32_t HardwareRaw(const uint8_t* p, size_t n, uint32_t c) {
  static const Lanes<4096> long_lanes;
  static const Lanes<256> short_lanes;
  c = long_lanes.Blocks(p, n, c);
  c = short_lanes.Blocks(p, n, c);
  return HardwareOneLane(p, n, c);
}
#endif

using RawFn = uint32_t (*)(const uint8_t*, size_t, uint32_t);

RawFn ChooseImpl() {
#if defined(__x86_64__)
  if (__builtin_cpu_supports("sse4.2")) return &HardwareRaw;
#endif
  return &PortableRaw;
}

}  // namespace

uint32_t Crc32c(std::span<const uint8_t> data, uint32_t crc) {
  static const RawFn impl = ChooseImpl();
  return ~impl(data.data(), data.size(), ~crc);
}

uint32_t Crc32cPortable(std::span<const uint8_t> data, uint32_t crc) {
  return ~PortableRaw(data.data(), data.size(), ~crc);
}

}  // namespace el
