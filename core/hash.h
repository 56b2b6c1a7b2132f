// Non-cryptographic 64-bit hashing for determinism checks and stream derivation.
// `Hash64` folds a canonical byte encoding into a running 64-bit value; the same sequence
// of add_* calls always yields the same value on every platform (little-endian encoding
// is explicit). It is not a security primitive: crypto lives in core/crypto.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace fabsim {

// SplitMix64's finaliser: a strong 64-bit bijective mixer.
constexpr uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// FNV-1a over bytes: used to turn a stream name into a number.
constexpr uint64_t fnv1a64(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : s) {
    h ^= static_cast<uint8_t>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

class Hash64 {
 public:
  explicit Hash64(uint64_t seed = 0x6a09e667f3bcc908ULL) : h_(seed) {}

  void add_u64(uint64_t v) { h_ = mix64(h_ ^ mix64(v + 0x9e3779b97f4a7c15ULL)); }
  void add_i64(int64_t v) { add_u64(static_cast<uint64_t>(v)); }
  // Length-prefixed, so ("ab","c") and ("a","bc") differ.
  // Long inputs (message payloads of a megabyte) go through four independent lanes of 8
  // bytes each, in the style of xxHash64's rounds, so the multiplies overlap; the lanes
  // and the tail are then folded in with add_u64.
  void add_bytes(std::string_view s) {
    add_u64(s.size());
    size_t i = 0;
    if (s.size() >= 32) {
      uint64_t lane[4] = {h_ + kP1 + kP2, h_ + kP2, h_, h_ - kP1};
      for (; i + 32 <= s.size(); i += 32)
        for (int l = 0; l < 4; ++l) lane[l] = round(lane[l], load_le(s.data() + i + 8 * l));
      for (uint64_t v : lane) add_u64(v);
    }
    for (; i + 8 <= s.size(); i += 8) add_u64(load_le(s.data() + i));
    uint64_t w = 0;
    for (int b = 0; i < s.size(); ++i, ++b) w |= static_cast<uint64_t>(static_cast<uint8_t>(s[i])) << (8 * b);
    add_u64(w);
  }
  uint64_t value() const { return h_; }
  // The hash of one byte string: Hash64 with add_bytes(s) alone.
  static uint64_t of(std::string_view s) {
    Hash64 h;
    h.add_bytes(s);
    return h.value();
  }

 private:
  static constexpr uint64_t kP1 = 0x9E3779B185EBCA87ULL;
  static constexpr uint64_t kP2 = 0xC2B2AE3D27D4EB4FULL;
  static uint64_t round(uint64_t acc, uint64_t w) {
    acc += w * kP2;
    acc = (acc << 31) | (acc >> 33);
    return acc * kP1;
  }
  // 8 bytes as a little-endian number on every platform (one load on little-endian ones).
  static uint64_t load_le(const char* p) {
    uint64_t w;
    std::memcpy(&w, p, sizeof w);
    if constexpr (std::endian::native == std::endian::big) w = __builtin_bswap64(w);
    return w;
  }
  uint64_t h_;
};

}  // namespace fabsim
