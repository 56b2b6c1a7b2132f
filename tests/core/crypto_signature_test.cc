// Signature schemes behind one Signer/Verifier API: ECDSA P-256 and the HMAC-SHA-256 stand-in.
// Both must reject a tampered message, a tampered signature and another identity's signature.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "core/crypto/ca.h"
#include "core/crypto/signature.h"
#include "core/crypto/signing_identity.h"
#include "tests/core/crypto_test_world.h"

namespace fabsim::crypto {
namespace {

constexpr uint64_t kSeed = 42;
constexpr SignatureScheme kSchemes[] = {SignatureScheme::kEcdsaP256, SignatureScheme::kHmacSha256};

TEST(CryptoSignatureScheme, NamesRoundTrip) {
  for (SignatureScheme s : kSchemes) {
    EXPECT_EQ(signature_scheme_from_name(signature_scheme_name(s)), s);
  }
  EXPECT_FALSE(signature_scheme_from_name("rsa").has_value());
}

struct SchemeRuleCase {
  const char* name;
  // Returns whether verification should pass, after possibly altering the inputs.
  bool (*mutate)(std::string& message, std::string& signature, bool& use_other_identity);
};

const SchemeRuleCase kRules[] = {
    {"GenuineSignatureVerifies", [](std::string&, std::string&, bool&) { return true; }},
    {"TamperedMessageIsRejected",
     [](std::string& m, std::string&, bool&) {
       m[0] = static_cast<char>(m[0] ^ 0x20);
       return false;
     }},
    {"TamperedSignatureIsRejected",
     [](std::string&, std::string& s, bool&) {
       s[s.size() / 2] = static_cast<char>(s[s.size() / 2] ^ 0x01);
       return false;
     }},
    {"TruncatedSignatureIsRejected",
     [](std::string&, std::string& s, bool&) {
       s.pop_back();
       return false;
     }},
    {"EmptySignatureIsRejected",
     [](std::string&, std::string& s, bool&) {
       s.clear();
       return false;
     }},
    {"AnotherIdentitysSignatureIsRejected",
     [](std::string&, std::string&, bool& other) {
       other = true;
       return false;
     }},
};

TEST(CryptoSignatureScheme, BothSchemesFollowTheSameRules) {
  const CertificateAuthority ca(kSeed, "Org1MSP", "Org1");
  const IssuedIdentity alice = ca.issue("alice", NodeOu::kClient);
  const IssuedIdentity bob = ca.issue("bob", NodeOu::kClient);
  for (SignatureScheme scheme : kSchemes) {
    const SigningIdentity signer(alice, scheme, kSeed);
    const auto verifier = make_verifier(scheme, kSeed);
    ASSERT_EQ(verifier->scheme(), scheme);
    for (const auto& rule : kRules) {
      SCOPED_TRACE(std::string(signature_scheme_name(scheme)) + "/" + rule.name);
      std::string message = "Transfer 10 from alice to bob";
      std::string signature = signer.sign(message);
      bool other = false;
      const bool expect_ok = rule.mutate(message, signature, other);
      const Status s = verifier->verify(other ? bob.certificate : alice.certificate, message, signature);
      EXPECT_EQ(s.is_ok(), expect_ok) << s.to_string();
      if (!expect_ok) {
        EXPECT_EQ(s.code(), StatusCode::kCorruption);
      }
    }
  }
}

TEST(CryptoSignatureScheme, SignaturesAreReproducibleForBothSchemes) {
  for (SignatureScheme scheme : kSchemes) {
    SCOPED_TRACE(signature_scheme_name(scheme));
    const CertificateAuthority run1(kSeed, "Org1MSP", "Org1");
    const CertificateAuthority run2(kSeed, "Org1MSP", "Org1");
    const SigningIdentity a(run1.issue("peer0", NodeOu::kPeer), scheme, kSeed);
    const SigningIdentity b(run2.issue("peer0", NodeOu::kPeer), scheme, kSeed);
    EXPECT_EQ(a.serialized(), b.serialized());
    EXPECT_EQ(a.sign("endorsement"), b.sign("endorsement"));
  }
}

// The HMAC verifier needs only the run seed and the signer's certificate; the wrong seed
// derives another key, so nothing verifies across runs.
TEST(CryptoSignatureScheme, HmacVerifierDerivesKeysFromSeedAndCertificate) {
  const CertificateAuthority ca(kSeed, "Org1MSP", "Org1");
  const IssuedIdentity alice = ca.issue("alice", NodeOu::kClient);
  const SigningIdentity signer(alice, SignatureScheme::kHmacSha256, kSeed);
  const std::string sig = signer.sign("m");
  EXPECT_EQ(sig.size(), 32u);
  EXPECT_TRUE(HmacVerifier(kSeed).verify(alice.certificate, "m", sig).is_ok());
  EXPECT_FALSE(HmacVerifier(kSeed + 1).verify(alice.certificate, "m", sig).is_ok());
}

TEST(CryptoSignatureScheme, SchemesDoNotAcceptEachOthersSignatures) {
  const CertificateAuthority ca(kSeed, "Org1MSP", "Org1");
  const IssuedIdentity alice = ca.issue("alice", NodeOu::kClient);
  const std::string ecdsa = SigningIdentity(alice, SignatureScheme::kEcdsaP256, kSeed).sign("m");
  const std::string hmac = SigningIdentity(alice, SignatureScheme::kHmacSha256, kSeed).sign("m");
  EXPECT_FALSE(EcdsaVerifier().verify(alice.certificate, "m", hmac).is_ok());
  EXPECT_FALSE(HmacVerifier(kSeed).verify(alice.certificate, "m", ecdsa).is_ok());
}

TEST(CryptoSigningIdentity, CarriesTheMspSerialization) {
  testing::TwoOrgs w(kSeed);
  const IssuedIdentity peer = w.ca1.issue("peer0", NodeOu::kPeer);
  const SigningIdentity si(peer, SignatureScheme::kEcdsaP256, kSeed);
  EXPECT_EQ(si.msp_id(), "Org1MSP");
  EXPECT_EQ(si.name(), "peer0");
  EXPECT_EQ(si.serialized(), w.msp1.serialize(peer.certificate));
  // What a committing peer does with a creator: deserialize, then verify with the identity.
  const Identity id = testing::deserialize_ok(w.msp1, si.serialized());
  EXPECT_TRUE(EcdsaVerifier().verify(id.certificate(), "payload", si.sign("payload")).is_ok());
}

}  // namespace
}  // namespace fabsim::crypto
