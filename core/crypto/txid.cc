#include "core/crypto/txid.h"

#include "core/crypto/sha256.h"

namespace fabsim::crypto {

std::string compute_tx_id(std::string_view nonce, std::string_view creator) {
  return to_hex(sha256_concat({nonce, creator}));
}

bool tx_id_matches(std::string_view tx_id, std::string_view nonce, std::string_view creator) {
  // tx_id == compute_tx_id(nonce, creator), without building the hex string.
  if (tx_id.size() != 2 * kSha256Size) return false;
  const Digest256 d = sha256_concat({nonce, creator});
  static constexpr char kDigits[] = "0123456789abcdef";
  for (size_t i = 0; i < d.size(); ++i) {
    if (tx_id[2 * i] != kDigits[d[i] >> 4] || tx_id[2 * i + 1] != kDigits[d[i] & 0x0f]) return false;
  }
  return true;
}

std::string make_nonce(Rng& rng) {
  std::string out;
  out.reserve(kNonceSize);
  for (size_t i = 0; i < kNonceSize / 8; ++i) {
    const uint64_t w = rng.next_u64();
    for (int b = 0; b < 8; ++b) out.push_back(static_cast<char>((w >> (8 * b)) & 0xff));
  }
  return out;
}

}  // namespace fabsim::crypto
