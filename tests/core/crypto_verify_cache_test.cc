// The verification cache: outcomes are identical with the cache on and off, including bad
// signatures and their messages, and repeated verifications cost one real verification.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/crypto/ca.h"
#include "core/crypto/signing_identity.h"
#include "core/crypto/verify_cache.h"

namespace fabsim::crypto {
namespace {

constexpr uint64_t kSeed = 7;

struct Item {
  const Certificate* signer;
  std::string message;
  std::string signature;
};

// A stream of verifications as many virtual peers would issue them: each distinct item is
// verified `repeats` times, interleaved; half of the distinct items are bad (two tampered
// signatures, one verified against the wrong signer). The items point at the certificates
// of `a` and `b`, which must outlive them.
std::vector<Item> workload(const IssuedIdentity& a, const IssuedIdentity& b, SignatureScheme scheme, int repeats) {
  const SigningIdentity sa(a, scheme, kSeed);
  const SigningIdentity sb(b, scheme, kSeed);
  std::vector<Item> distinct;
  for (int i = 0; i < 6; ++i) {
    const std::string msg = "tx-" + std::to_string(i);
    const SigningIdentity& s = i % 2 == 0 ? sa : sb;
    const Certificate* cert = i % 2 == 0 ? &a.certificate : &b.certificate;
    std::string sig = s.sign(msg);
    if (i % 3 == 1) sig[sig.size() - 1] = static_cast<char>(sig.back() ^ 0x01);  // bad signature
    if (i == 3) cert = &a.certificate;                                              // wrong signer
    distinct.push_back({cert, msg, sig});
  }
  std::vector<Item> out;
  for (int r = 0; r < repeats; ++r) out.insert(out.end(), distinct.begin(), distinct.end());
  return out;
}

std::vector<std::string> run(CachingVerifier& v, const std::vector<Item>& items) {
  std::vector<std::string> outcomes;
  for (const Item& it : items) outcomes.push_back(v.verify(*it.signer, it.message, it.signature).to_string());
  return outcomes;
}

TEST(CryptoVerifyCache, OutcomesAreIdenticalWithCacheOnAndOff) {
  const CertificateAuthority ca(kSeed, "Org1MSP", "Org1");
  const IssuedIdentity a = ca.issue("a", NodeOu::kPeer);
  const IssuedIdentity b = ca.issue("b", NodeOu::kPeer);
  for (SignatureScheme scheme : {SignatureScheme::kEcdsaP256, SignatureScheme::kHmacSha256}) {
    SCOPED_TRACE(signature_scheme_name(scheme));
    const auto items = workload(a, b, scheme, 4);
    CachingVerifier on(make_verifier(scheme, kSeed), true);
    CachingVerifier off(make_verifier(scheme, kSeed), false);
    const auto with_cache = run(on, items);
    const auto without = run(off, items);
    EXPECT_EQ(with_cache, without);
    int bad = 0;
    for (const auto& o : without) bad += o != "OK";
    EXPECT_EQ(bad, 3 * 4) << "the workload must contain bad signatures";
  }
}

TEST(CryptoVerifyCache, RepeatedVerificationsCostOneRealVerification) {
  const CertificateAuthority ca(kSeed, "Org1MSP", "Org1");
  const IssuedIdentity a = ca.issue("a", NodeOu::kPeer);
  const IssuedIdentity b = ca.issue("b", NodeOu::kPeer);
  const auto items = workload(a, b, SignatureScheme::kEcdsaP256, 5);
  CachingVerifier on(make_verifier(SignatureScheme::kEcdsaP256, kSeed), true);
  run(on, items);
  EXPECT_EQ(on.stats().requests, 30u);
  EXPECT_EQ(on.stats().real_verifications, 6u);  // one per distinct (signer, digest, signature)
  EXPECT_EQ(on.stats().hits, 24u);
  EXPECT_EQ(on.size(), 6u);

  CachingVerifier off(make_verifier(SignatureScheme::kEcdsaP256, kSeed), false);
  run(off, items);
  EXPECT_EQ(off.stats().real_verifications, 30u);
  EXPECT_EQ(off.stats().hits, 0u);
  EXPECT_EQ(off.size(), 0u);
}

TEST(CryptoVerifyCache, SwitchingOffDropsEntriesAndBypassesTheCache) {
  const CertificateAuthority ca(kSeed, "Org1MSP", "Org1");
  const IssuedIdentity a = ca.issue("a", NodeOu::kPeer);
  const IssuedIdentity b = ca.issue("b", NodeOu::kPeer);
  const auto items = workload(a, b, SignatureScheme::kHmacSha256, 2);
  CachingVerifier v(make_verifier(SignatureScheme::kHmacSha256, kSeed), true);
  run(v, items);
  EXPECT_EQ(v.stats().real_verifications, 6u);
  v.set_enabled(false);
  EXPECT_EQ(v.size(), 0u);
  run(v, items);
  EXPECT_EQ(v.stats().real_verifications, 6u + 12u);
}

// The bound: two generations of `capacity` entries; older entries are re-verified, with the
// same outcome.
TEST(CryptoVerifyCache, CapacityBoundsMemoryWithoutChangingOutcomes) {
  const CertificateAuthority ca(kSeed, "Org1MSP", "Org1");
  const IssuedIdentity a = ca.issue("a", NodeOu::kPeer);
  const IssuedIdentity b = ca.issue("b", NodeOu::kPeer);
  const auto items = workload(a, b, SignatureScheme::kHmacSha256, 3);
  CachingVerifier small(make_verifier(SignatureScheme::kHmacSha256, kSeed), true, 2);
  CachingVerifier off(make_verifier(SignatureScheme::kHmacSha256, kSeed), false);
  EXPECT_EQ(run(small, items), run(off, items));
  EXPECT_LE(small.size(), 4u);
  // Cycling 6 distinct items through 4 slots evicts each before its next use.
  EXPECT_EQ(small.stats().real_verifications, items.size());
}

}  // namespace
}  // namespace fabsim::crypto
