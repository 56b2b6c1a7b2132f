// Transaction IDs, as Fabric computes them (F22:protoutil/proputils.go ComputeTxID;
// fabric-semantics.md 8.6): TxID = lowercase hex(SHA-256(nonce || creator)), where creator is
// the serialized identity bytes of the SignatureHeader (msp.SerializedIdentity, see
// core/crypto/msp.h) and nonce is the SignatureHeader's nonce.
//
// Fabric draws a 24-byte nonce from crypto/rand (common/crypto NonceSize = 24); fabsim draws
// it from the caller's seeded stream instead, so TxIDs are reproducible.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/random.h"

namespace fabsim::crypto {

inline constexpr size_t kNonceSize = 24;

std::string compute_tx_id(std::string_view nonce, std::string_view creator);

// Fabric's CheckTxID outcome as a bool: whether `tx_id` equals compute_tx_id(nonce, creator).
bool tx_id_matches(std::string_view tx_id, std::string_view nonce, std::string_view creator);

// kNonceSize bytes from `rng`: three draws, each written little-endian.
std::string make_nonce(Rng& rng);

}  // namespace fabsim::crypto
