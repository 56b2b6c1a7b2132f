// Signature schemes, selectable per run: what signs and verifies every signature field
// (proposal, endorsement, envelope, block) in a simulation.
//
//   kEcdsaP256   Fabric's scheme: ECDSA P-256 over SHA-256, deterministic RFC 6979 nonce,
//                low-S, DER (core/crypto/ecdsa.h). Signatures are real and verify with
//                stock OpenSSL against the signer's certificate.
//   kHmacSha256  A cheap stand-in for large sweeps: signature = HMAC-SHA-256(key, SHA-256(
//                message)), 32 bytes, with key = derive_hmac_key(run seed, signer's DER
//                certificate) (core/crypto/key_derivation.h).
//
// SIMULATION SHORTCUT (kHmacSha256). HMAC is symmetric: whoever can verify can also sign.
// The verifier derives any identity's key from the run seed and the certificate, so it needs
// nothing but the identity -- the same inputs ECDSA verification needs -- but it means the
// scheme authenticates nothing against an adversary who knows the seed. Within a simulation
// that is fine: a tampered message or signature still fails verification, a signature made
// by one identity never verifies as another's (different certificates give different keys),
// and signatures stay deterministic. Use it where signature semantics matter and
// unforgeability does not; use kEcdsaP256 for Fabric's exact bytes.
//
// Both schemes hash the message with SHA-256 first, as Fabric's MSP does (SignatureHashFamily
// SHA2), so a verification is fully described by (signer certificate, digest, signature):
// the key of core/crypto/verify_cache.h.
//
// Signers and verifiers are immutable after construction and hold no secrets beyond their
// keys; nothing here reads a clock or an RNG.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/crypto/certificate.h"
#include "core/crypto/ecdsa.h"
#include "core/crypto/sha256.h"
#include "core/status.h"

namespace fabsim::crypto {

struct IssuedIdentity;

enum class SignatureScheme : uint8_t { kEcdsaP256, kHmacSha256 };
// "ecdsa-p256", "hmac-sha256".
const char* signature_scheme_name(SignatureScheme scheme);
std::optional<SignatureScheme> signature_scheme_from_name(std::string_view name);

class Signer {
 public:
  virtual ~Signer() = default;
  virtual SignatureScheme scheme() const = 0;
  // Signs a SHA-256 digest of the message.
  virtual std::string sign_digest(const Digest256& digest) const = 0;
  std::string sign(std::string_view message) const { return sign_digest(sha256(message)); }
};

class Verifier {
 public:
  virtual ~Verifier() = default;
  virtual SignatureScheme scheme() const = 0;
  // OK if `signature` is `signer`'s signature over `digest`; Corruption saying why not.
  virtual Status verify_digest(const Certificate& signer, const Digest256& digest,
                               std::string_view signature) const = 0;
  Status verify(const Certificate& signer, std::string_view message, std::string_view signature) const {
    return verify_digest(signer, sha256(message), signature);
  }
};

class EcdsaSigner final : public Signer {
 public:
  explicit EcdsaSigner(EcdsaPrivateKey key) : key_(std::move(key)) {}
  SignatureScheme scheme() const override { return SignatureScheme::kEcdsaP256; }
  std::string sign_digest(const Digest256& digest) const override { return ecdsa_sign_digest(key_, digest); }

 private:
  EcdsaPrivateKey key_;
};

class EcdsaVerifier final : public Verifier {
 public:
  SignatureScheme scheme() const override { return SignatureScheme::kEcdsaP256; }
  // Fabric's verifyECDSA with the certificate's public key.
  Status verify_digest(const Certificate& signer, const Digest256& digest,
                       std::string_view signature) const override {
    return ecdsa_verify_digest(signer.public_key(), digest, signature);
  }
};

class HmacSigner final : public Signer {
 public:
  // `key` is derive_hmac_key(seed, certificate DER) of the signing identity.
  explicit HmacSigner(std::string key) : key_(std::move(key)) {}
  SignatureScheme scheme() const override { return SignatureScheme::kHmacSha256; }
  std::string sign_digest(const Digest256& digest) const override;

 private:
  std::string key_;
};

class HmacVerifier final : public Verifier {
 public:
  explicit HmacVerifier(uint64_t seed) : seed_(seed) {}
  SignatureScheme scheme() const override { return SignatureScheme::kHmacSha256; }
  Status verify_digest(const Certificate& signer, const Digest256& digest,
                       std::string_view signature) const override;

 private:
  const std::string& key_for(const Certificate& signer) const;

  uint64_t seed_;
  // Derived keys by certificate hash: one HKDF per identity per run. Lookups only.
  mutable std::map<Digest256, std::string> keys_;
};

// The signer of `identity` under `scheme` in the run with `seed` (the seed matters for HMAC
// only: ECDSA uses the identity's private key).
std::unique_ptr<Signer> make_signer(SignatureScheme scheme, uint64_t seed, const IssuedIdentity& identity);
std::unique_ptr<Verifier> make_verifier(SignatureScheme scheme, uint64_t seed);

}  // namespace fabsim::crypto
