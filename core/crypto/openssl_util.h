// Internal to core/crypto (not for other layers): RAII owners for OpenSSL objects, the P-256
// group, and conversions between BIGNUMs and fixed-width big-endian byte arrays.
//
// Ownership: every *Ptr below owns exactly one OpenSSL object and frees it with the matching
// *_free. The P-256 group returned by p256() is created once and never freed or modified.
#pragma once

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/assert.h"

namespace fabsim::crypto::internal {

struct BnFree {
  void operator()(BIGNUM* p) const { BN_free(p); }
};
struct BnCtxFree {
  void operator()(BN_CTX* p) const { BN_CTX_free(p); }
};
struct EcPointFree {
  void operator()(EC_POINT* p) const { EC_POINT_free(p); }
};
struct EvpPkeyCtxFree {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct EcdsaSigFree {
  void operator()(ECDSA_SIG* p) const { ECDSA_SIG_free(p); }
};
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;
using BnCtxPtr = std::unique_ptr<BN_CTX, BnCtxFree>;
using EcPointPtr = std::unique_ptr<EC_POINT, EcPointFree>;
using EvpPkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, EvpPkeyCtxFree>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, EcdsaSigFree>;

inline BnPtr new_bn() {
  BnPtr p(BN_new());
  FABSIM_ASSERT(p != nullptr);
  return p;
}
inline BnCtxPtr new_bn_ctx() {
  BnCtxPtr p(BN_CTX_new());
  FABSIM_ASSERT(p != nullptr);
  return p;
}

// The NIST P-256 curve (prime256v1, secp256r1), its order n and n/2 (Fabric's "half order").
struct P256 {
  const EC_GROUP* group;
  const BIGNUM* order;
  const BIGNUM* half_order;
  const BIGNUM* order_minus_2;  // the exponent of a Fermat inverse mod the (prime) order
  BN_MONT_CTX* order_mont;      // Montgomery context of the order, for that inverse
};
const P256& p256();

// Big-endian, left-padded with zeros to 32 bytes. `bn` must be non-negative and < 2^256.
std::array<uint8_t, 32> bn_to_32(const BIGNUM* bn);
BnPtr bn_from_bytes(const uint8_t* data, size_t len);

// Drops whatever OpenSSL queued on its error stack, so that one expected failure (a bad
// signature, unparsable bytes) does not leak into the next unrelated call.
inline void clear_openssl_errors() { ERR_clear_error(); }

}  // namespace fabsim::crypto::internal
