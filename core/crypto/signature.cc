#include "core/crypto/signature.h"

#include "core/assert.h"
#include "core/crypto/ca.h"
#include "core/crypto/key_derivation.h"

namespace fabsim::crypto {

const char* signature_scheme_name(SignatureScheme scheme) {
  switch (scheme) {
    case SignatureScheme::kEcdsaP256: return "ecdsa-p256";
    case SignatureScheme::kHmacSha256: return "hmac-sha256";
  }
  return "?";
}

std::optional<SignatureScheme> signature_scheme_from_name(std::string_view name) {
  for (SignatureScheme s : {SignatureScheme::kEcdsaP256, SignatureScheme::kHmacSha256}) {
    if (name == signature_scheme_name(s)) return s;
  }
  return std::nullopt;
}

std::string HmacSigner::sign_digest(const Digest256& digest) const {
  return to_string(hmac_sha256(key_, as_bytes(digest)));
}

const std::string& HmacVerifier::key_for(const Certificate& signer) const {
  auto it = keys_.find(signer.der_sha256());
  if (it == keys_.end()) it = keys_.emplace(signer.der_sha256(), derive_hmac_key(seed_, signer.der())).first;
  return it->second;
}

Status HmacVerifier::verify_digest(const Certificate& signer, const Digest256& digest,
                                   std::string_view signature) const {
  if (signature.size() != kSha256Size) {
    return Status::corruption("the signature is invalid: an HMAC-SHA-256 signature has 32 bytes, got " +
                              std::to_string(signature.size()));
  }
  const Digest256 expected = hmac_sha256(key_for(signer), as_bytes(digest));
  if (!constant_time_equal(as_bytes(expected), signature)) return Status::corruption("the signature is invalid");
  return Status::ok();
}

std::unique_ptr<Signer> make_signer(SignatureScheme scheme, uint64_t seed, const IssuedIdentity& identity) {
  switch (scheme) {
    case SignatureScheme::kEcdsaP256:
      return std::make_unique<EcdsaSigner>(identity.private_key);
    case SignatureScheme::kHmacSha256:
      return std::make_unique<HmacSigner>(derive_hmac_key(seed, identity.certificate.der()));
  }
  FABSIM_ASSERT_MSG(false, "unknown signature scheme");
  return nullptr;
}

std::unique_ptr<Verifier> make_verifier(SignatureScheme scheme, uint64_t seed) {
  switch (scheme) {
    case SignatureScheme::kEcdsaP256:
      return std::make_unique<EcdsaVerifier>();
    case SignatureScheme::kHmacSha256:
      return std::make_unique<HmacVerifier>(seed);
  }
  FABSIM_ASSERT_MSG(false, "unknown signature scheme");
  return nullptr;
}

}  // namespace fabsim::crypto
