#include "core/crypto/txid.h"

#include "core/crypto/sha256.h"

namespace fabsim::crypto {

std::string compute_tx_id(std::string_view nonce, std::string_view creator) {
  Sha256 h;
  h.update(nonce).update(creator);
  return to_hex(h.finish());
}

bool tx_id_matches(std::string_view tx_id, std::string_view nonce, std::string_view creator) {
  return tx_id == compute_tx_id(nonce, creator);
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
