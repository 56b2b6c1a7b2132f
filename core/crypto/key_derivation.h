// Key material derived from the run seed: every private key and HMAC key in a run is a pure
// function of (run seed, a name), so two runs with one seed hold the same keys and sign the
// same bytes, and adding an identity never changes another identity's key.
//
// Construction: HKDF-SHA-256 (RFC 5869) with
//   IKM  = the 8-byte big-endian run seed,
//   salt = "fabsim/crypto/v1",
//   info = purpose || 0x00 || name,
// where purpose is a fixed label per use ("ecdsa-p256", "hmac-sha256"), so the same name
// under two purposes gives unrelated keys.
//
// Not a security property: the run seed is 64 bits and printed in every report, so anyone can
// recompute every key. That is the point (reproducibility); fabsim keys protect nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/crypto/ecdsa.h"

namespace fabsim::crypto {

inline constexpr std::string_view kKeyDerivationSalt = "fabsim/crypto/v1";

// `length` bytes for (seed, purpose, name).
std::string derive_key_bytes(uint64_t seed, std::string_view purpose, std::string_view name,
                             size_t length);

// The P-256 key of the identity called `key_name`: 48 derived bytes mapped to [1, n-1]
// (EcdsaPrivateKey::from_seed_bytes). Callers choose globally unique names; the CA uses
// "<msp_id>/<identity name>" and "<msp_id>/ca" (core/crypto/ca.h).
EcdsaPrivateKey derive_ecdsa_key(uint64_t seed, std::string_view key_name);

// The 32-byte HMAC-SHA-256 key of the identity whose certificate is `certificate_der`
// (keyed by the certificate's SHA-256, so the verifier can derive it from the identity alone).
std::string derive_hmac_key(uint64_t seed, std::string_view certificate_der);

}  // namespace fabsim::crypto
