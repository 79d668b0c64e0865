#pragma once
// Rng: SplitMix64, a small deterministic generator. std distributions differ between standard
// libraries, so every draw here is computed from raw 64-bit values. Not thread-safe.
#include <cstdint>
#include <string>

namespace el::generate {

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform in [lo, hi].
  int64_t Range(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Next() % static_cast<uint64_t>(hi - lo + 1));
  }
  // True with probability p.
  bool Chance(double p) { return static_cast<double>(Next() >> 11) * 0x1.0p-53 < p; }
  // A random version-4 UUID.
  std::string Uuid() {
    static const char* kHex = "0123456789abcdef";
    std::string out;
    uint64_t a = Next(), b = Next();
    for (int i = 0; i < 32; ++i) {
      uint64_t word = i < 16 ? a : b;
      int nibble = static_cast<int>((word >> ((i % 16) * 4)) & 0xF);
      if (i == 12) nibble = 4;
      if (i == 16) nibble = 8 | (nibble & 3);
      if (i == 8 || i == 12 || i == 16 || i == 20) out += '-';
      out += kHex[nibble];
    }
    return out;
  }
  // `n` lower-case hex digits.
  std::string Hex(int n) {
    static const char* kHex = "0123456789abcdef";
    std::string out;
    for (int i = 0; i < n; ++i) out += kHex[Next() & 0xF];
    return out;
  }

 private:
  uint64_t state_;
};

}  // namespace el::generate
