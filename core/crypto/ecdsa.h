// ECDSA over NIST P-256 with SHA-256, as Fabric's software BCCSP does it
// (F22:bccsp/sw/ecdsa.go, F22:bccsp/utils/ecdsa.go), but with reproducible signatures.
//
// Signing (ecdsa_sign_digest):
//   * the nonce k is RFC 6979's deterministic nonce (HMAC-SHA-256 DRBG, section 3.2) over the
//     private key and the message digest, so the same key and digest give the same signature
//     on every run and machine;
//   * r = (k*G).x mod n, s = k^-1 (e + r*d) mod n, computed with OpenSSL's BIGNUM and EC_POINT
//     primitives (OpenSSL 3.0 has no deterministic-nonce switch);
//   * low-S normalisation as Fabric's ToLowS: if s > n/2 then s = n - s;
//   * the encoding is DER SEQUENCE { INTEGER r, INTEGER s }, Go's asn1.Marshal of
//     ECDSASignature, which is also what OpenSSL's i2d_ECDSA_SIG writes.
//   Every signature verifies with stock OpenSSL (EVP_PKEY_verify / EVP_DigestVerify).
//
// Verification (ecdsa_verify_digest) follows Fabric's verifyECDSA step by step: unmarshal the
// DER (trailing bytes after the SEQUENCE are ignored, as Go's asn1.Unmarshal returns them
// unused), r > 0 and s > 0, reject high-S (s > n/2), then the curve verification itself, done
// by stock OpenSSL EVP_PKEY_verify.
//
// Keys: EcdsaPrivateKey is built from a 32-byte scalar in [1, n-1] (no OpenSSL RNG anywhere).
// Key objects are immutable values; copies share the underlying EVP_PKEY.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/crypto/sha256.h"
#include "core/status.h"

typedef struct evp_pkey_st EVP_PKEY;  // NOLINT: OpenSSL's forward declaration

namespace fabsim::crypto {

// A P-256 scalar or coordinate, big-endian, 32 bytes. Lexicographic order of the arrays is
// the numeric order of the integers.
using Scalar = std::array<uint8_t, 32>;

// n, the order of the P-256 base point, and n/2 (rounded down).
const Scalar& p256_order();
const Scalar& p256_half_order();

class EcdsaPublicKey {
 public:
  // From the uncompressed SEC 1 point 0x04 || X || Y (65 bytes). Errors: wrong length or
  // format, or a point not on the curve (InvalidArgument).
  static Result<EcdsaPublicKey> from_uncompressed_point(std::string_view point);
  // From an OpenSSL key (e.g. a certificate's). The key must be EC on P-256; the object takes
  // its own reference, the caller keeps its own.
  static Result<EcdsaPublicKey> from_evp(EVP_PKEY* pkey);

  // 0x04 || X || Y.
  const std::string& uncompressed_point() const { return point_; }
  // For stock OpenSSL calls (verification, certificate checks). Never null.
  EVP_PKEY* evp() const { return pkey_.get(); }

  bool operator==(const EcdsaPublicKey& o) const { return point_ == o.point_; }

 private:
  EcdsaPublicKey(std::string point, std::shared_ptr<EVP_PKEY> pkey)
      : point_(std::move(point)), pkey_(std::move(pkey)) {}

  std::string point_;
  std::shared_ptr<EVP_PKEY> pkey_;
};

class EcdsaPrivateKey {
 public:
  // `d` must be in [1, n-1], else InvalidArgument.
  static Result<EcdsaPrivateKey> from_scalar(const Scalar& d);
  // Maps at least 40 bytes (320 bits; FIPS 186-4 B.4.1 uses 64 extra bits) to a scalar:
  // d = (c mod (n-1)) + 1, which is never zero. Used with bytes derived from the run seed.
  static EcdsaPrivateKey from_seed_bytes(std::string_view bytes);

  const Scalar& scalar() const { return d_; }
  const EcdsaPublicKey& public_key() const { return pub_; }

 private:
  EcdsaPrivateKey(const Scalar& d, EcdsaPublicKey pub) : d_(d), pub_(std::move(pub)) {}

  Scalar d_;
  EcdsaPublicKey pub_;
};

// RFC 6979 section 3.2 with HMAC-SHA-256 for P-256 (qlen = hlen = 256). next() returns the
// candidate nonces in order; the first is the one used unless it gives r = 0 or s = 0.
class Rfc6979Nonces {
 public:
  Rfc6979Nonces(const Scalar& private_key, const Digest256& message_digest);
  Scalar next();

 private:
  Digest256 k_{};
  Digest256 v_{};
  bool first_ = true;
};

struct EcdsaSignatureValues {
  Scalar r{};
  Scalar s{};
  bool operator==(const EcdsaSignatureValues&) const = default;
};

// Textbook ECDSA with the RFC 6979 nonce, before low-S normalisation. Exposed so tests can
// check RFC 6979's published (r, s); production code wants ecdsa_sign_digest().
EcdsaSignatureValues ecdsa_sign_digest_raw(const EcdsaPrivateKey& key, const Digest256& digest);

// Fabric's IsLowS (s <= n/2) and ToLowS (s > n/2 becomes n - s).
bool is_low_s(const Scalar& s);
Scalar to_low_s(const Scalar& s);

// DER SEQUENCE { INTEGER r, INTEGER s } (minimal, positive integers).
std::string ecdsa_signature_to_der(const EcdsaSignatureValues& sig);
// Parses the first DER element of `der` as that SEQUENCE; it must be canonical DER. Bytes
// after it are ignored (as in Fabric). r and s must both be > 0 and < 2^256.
Result<EcdsaSignatureValues> ecdsa_signature_from_der(std::string_view der);

// Deterministic, low-S, DER: what a fabsim identity puts in a signature field.
std::string ecdsa_sign_digest(const EcdsaPrivateKey& key, const Digest256& digest);
inline std::string ecdsa_sign(const EcdsaPrivateKey& key, std::string_view message) {
  return ecdsa_sign_digest(key, sha256(message));
}

// Fabric's verifyECDSA over a SHA-256 digest. OK, or Corruption saying why not.
Status ecdsa_verify_digest(const EcdsaPublicKey& key, const Digest256& digest,
                           std::string_view der_signature);
inline Status ecdsa_verify(const EcdsaPublicKey& key, std::string_view message,
                           std::string_view der_signature) {
  return ecdsa_verify_digest(key, sha256(message), der_signature);
}

}  // namespace fabsim::crypto
