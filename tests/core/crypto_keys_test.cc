// Keys derived from the run seed: same (seed, name) -> same key and the same signatures, on
// independent constructions; another seed or another name -> another key.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "core/crypto/ca.h"
#include "core/crypto/ecdsa.h"
#include "core/crypto/key_derivation.h"

namespace fabsim::crypto {
namespace {

TEST(CryptoKeyDerivation, SameSeedAndNameGiveTheSameKey) {
  const EcdsaPrivateKey a = derive_ecdsa_key(42, "Org1MSP/peer0");
  const EcdsaPrivateKey b = derive_ecdsa_key(42, "Org1MSP/peer0");
  EXPECT_EQ(a.scalar(), b.scalar());
  EXPECT_EQ(a.public_key(), b.public_key());
}

TEST(CryptoKeyDerivation, SignaturesAreReproducibleAcrossIndependentConstructions) {
  // Two CAs built separately from the same seed stand for two runs.
  const CertificateAuthority run1(42, "Org1MSP", "Org1");
  const CertificateAuthority run2(42, "Org1MSP", "Org1");
  const IssuedIdentity p1 = run1.issue("peer0", NodeOu::kPeer);
  const IssuedIdentity p2 = run2.issue("peer0", NodeOu::kPeer);
  EXPECT_EQ(ecdsa_sign(p1.private_key, "proposal"), ecdsa_sign(p2.private_key, "proposal"));
}

TEST(CryptoKeyDerivation, DifferentSeedGivesDifferentKeyAndSignature) {
  const EcdsaPrivateKey a = derive_ecdsa_key(42, "Org1MSP/peer0");
  const EcdsaPrivateKey b = derive_ecdsa_key(43, "Org1MSP/peer0");
  EXPECT_NE(a.scalar(), b.scalar());
  EXPECT_NE(ecdsa_sign(a, "proposal"), ecdsa_sign(b, "proposal"));
}

TEST(CryptoKeyDerivation, DifferentNamesGiveDifferentKeys) {
  std::set<Scalar> seen;
  for (const char* name : {"Org1MSP/peer0", "Org1MSP/peer1", "Org2MSP/peer0", "Org1MSP#ca", "Org1MSP/client0"}) {
    EXPECT_TRUE(seen.insert(derive_ecdsa_key(7, name).scalar()).second) << name;
  }
}

TEST(CryptoKeyDerivation, PurposesAreSeparated) {
  const std::string a = derive_key_bytes(1, "ecdsa-p256", "x", 32);
  const std::string b = derive_key_bytes(1, "hmac-sha256", "x", 32);
  EXPECT_NE(a, b);
  // The NUL separator keeps (purpose, name) pairs from running into each other.
  EXPECT_NE(derive_key_bytes(1, "ab", "c", 32), derive_key_bytes(1, "a", "bc", 32));
}

TEST(CryptoKeyDerivation, HmacKeyDependsOnSeedAndCertificate) {
  EXPECT_EQ(derive_hmac_key(5, "cert-a").size(), 32u);
  EXPECT_EQ(derive_hmac_key(5, "cert-a"), derive_hmac_key(5, "cert-a"));
  EXPECT_NE(derive_hmac_key(5, "cert-a"), derive_hmac_key(6, "cert-a"));
  EXPECT_NE(derive_hmac_key(5, "cert-a"), derive_hmac_key(5, "cert-b"));
}

TEST(CryptoKeyDerivation, SeedBytesMapIntoTheScalarRange) {
  // All-ones input is the largest value c; d = (c mod (n-1)) + 1 must stay in [1, n-1].
  for (char fill : {'\x00', '\xff', '\x80'}) {
    const EcdsaPrivateKey k = EcdsaPrivateKey::from_seed_bytes(std::string(48, fill));
    EXPECT_LT(k.scalar(), p256_order());
    EXPECT_NE(k.scalar(), Scalar{});
  }
}

}  // namespace
}  // namespace fabsim::crypto
