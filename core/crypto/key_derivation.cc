#include "core/crypto/key_derivation.h"

#include "core/assert.h"

namespace fabsim::crypto {

std::string derive_key_bytes(uint64_t seed, std::string_view purpose, std::string_view name,
                             size_t length) {
  FABSIM_ASSERT(!purpose.empty());
  FABSIM_ASSERT(purpose.find('\0') == std::string_view::npos);
  std::string ikm(8, '\0');
  for (int i = 0; i < 8; ++i) ikm[i] = static_cast<char>((seed >> (56 - 8 * i)) & 0xff);
  std::string info(purpose);
  info.push_back('\0');
  info.append(name);
  return hkdf_sha256(ikm, kKeyDerivationSalt, info, length);
}

EcdsaPrivateKey derive_ecdsa_key(uint64_t seed, std::string_view key_name) {
  FABSIM_ASSERT(!key_name.empty());
  return EcdsaPrivateKey::from_seed_bytes(derive_key_bytes(seed, "ecdsa-p256", key_name, 48));
}

std::string derive_hmac_key(uint64_t seed, std::string_view certificate_der) {
  FABSIM_ASSERT(!certificate_der.empty());
  return derive_key_bytes(seed, "hmac-sha256", as_bytes(sha256(certificate_der)), kSha256Size);
}

}  // namespace fabsim::crypto
