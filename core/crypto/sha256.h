// SHA-256, HMAC-SHA-256, HKDF-SHA-256 and hex helpers: the hash primitives every other file in
// core/crypto builds on. All of them go through OpenSSL 3's libcrypto (EVP, HMAC, EVP_KDF).
//
// Bytes are std::string / std::string_view throughout core/crypto, as in the generated
// protobuf code (`bytes` fields are std::string); a digest is a fixed 32-byte array.
//
// Invariants: every function here is a pure function of its arguments (no global state that
// changes results -- the digest memo below only saves time --, no randomness). OpenSSL failures in these primitives mean a broken
// installation, not bad input, so they hit FABSIM_ASSERT instead of returning a Status.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <initializer_list>
#include <span>
#include <string_view>

#include "core/status.h"

namespace fabsim::crypto {

inline constexpr size_t kSha256Size = 32;
using Digest256 = std::array<uint8_t, kSha256Size>;

// The digest's bytes as a string_view (valid while `d` lives).
inline std::string_view as_bytes(const Digest256& d) {
  return {reinterpret_cast<const char*>(d.data()), d.size()};
}
inline std::string to_string(const Digest256& d) { return std::string(as_bytes(d)); }

// SHA-256 of `data`. Many virtual nodes hash the same bytes (every peer checks every
// block's data hash and every envelope's signature), so inputs of 512 B to 4 MiB go through
// a process-wide memo of recent inputs (at most 32 MiB of them, oldest dropped first): an
// input whose bytes equal a remembered one gets the remembered digest without hashing.
// Results are identical with or without the memo; only real time changes. The memo makes
// these functions unsafe to call from several threads at once (fabsim is single-threaded).
Digest256 sha256(std::string_view data);
// SHA-256 of the pieces' concatenation, through the same memo. The list form takes
// `sha256_concat({a, b})` without building a vector.
Digest256 sha256_concat(std::span<const std::string_view> pieces);
inline Digest256 sha256_concat(std::initializer_list<std::string_view> pieces) {
  return sha256_concat(std::span<const std::string_view>(pieces.begin(), pieces.size()));
}

// Incremental SHA-256 over several pieces: same result as sha256() of their concatenation.
// Holds OpenSSL's SHA256_CTX inline (no heap allocation); move-only.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&& other) noexcept;
  Sha256& operator=(Sha256&& other) noexcept;
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  Sha256& update(std::string_view data);
  // Returns the digest; the object may not be updated again afterwards.
  Digest256 finish();

 private:
  // OpenSSL's SHA256_CTX, kept opaque so this header needs no OpenSSL include (its size
  // and alignment are checked in sha256.cc).
  alignas(8) unsigned char ctx_[112];
  bool finished_ = false;
};

Digest256 hmac_sha256(std::string_view key, std::string_view data);

// RFC 5869 HKDF-Extract-and-Expand with SHA-256. `length` <= 255 * 32.
std::string hkdf_sha256(std::string_view ikm, std::string_view salt, std::string_view info,
                        size_t length);

// Lowercase hex, two characters per byte.
std::string to_hex(std::string_view bytes);
// The value of one hex digit (either case), or -1 for any other character.
int hex_value(char c);
inline std::string to_hex(const Digest256& d) { return to_hex(as_bytes(d)); }
// Accepts upper- and lowercase; an odd length or a non-hex character is InvalidArgument.
Result<std::string> from_hex(std::string_view hex);

// Equality in time independent of where the inputs differ (CRYPTO_memcmp).
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace fabsim::crypto
