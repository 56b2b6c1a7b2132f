// Hash64: the trace's and the network's non-cryptographic hash. Rules: deterministic,
// platform-independent (a golden value), length-prefixed, sensitive to every byte of long
// inputs (the lane path) and of short ones.
#include "core/hash.h"

#include <gtest/gtest.h>

#include <string>

namespace fabsim {
namespace {

uint64_t hash_of(std::string_view s) { return Hash64::of(s); }

std::string pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + 7) & 0xff);
  return s;
}

TEST(Hash64, SameBytesSameValue) { EXPECT_EQ(hash_of(pattern(1000)), hash_of(pattern(1000))); }

TEST(Hash64, GoldenValuesAreStableAcrossPlatforms) {
  // Recorded on x86-64; the encoding is explicit little-endian, so every platform must agree.
  // A change here changes every trace hash (and must be deliberate).
  EXPECT_EQ(hash_of(""), 0x6adba20e4e2d6dacULL);
  EXPECT_EQ(hash_of("abc"), 0x6fd6b2f1b904d369ULL);       // the short path
  EXPECT_EQ(hash_of(pattern(100)), 0xfd91f45afe0161b5ULL);  // lanes + tail
}

TEST(Hash64, LengthIsPartOfTheValue) {
  Hash64 a, b;
  a.add_bytes("ab");
  a.add_bytes("c");
  b.add_bytes("a");
  b.add_bytes("bc");
  EXPECT_NE(a.value(), b.value());
  EXPECT_NE(hash_of(std::string(40, '\0')), hash_of(std::string(41, '\0')));
}

TEST(Hash64, EveryByteOfALongInputCounts) {
  for (size_t n : {31u, 32u, 33u, 64u, 100u, 1027u}) {
    const std::string base = pattern(n);
    const uint64_t h = hash_of(base);
    for (size_t i = 0; i < n; ++i) {
      std::string flipped = base;
      flipped[i] = static_cast<char>(flipped[i] ^ 0x01);
      EXPECT_NE(hash_of(flipped), h) << "n=" << n << " i=" << i;
    }
  }
}

TEST(Hash64, SwappingLanesChangesTheValue) {
  std::string s = pattern(64);
  std::string swapped = s.substr(8, 8) + s.substr(0, 8) + s.substr(16);
  EXPECT_NE(hash_of(s), hash_of(swapped));
}

}  // namespace
}  // namespace fabsim
