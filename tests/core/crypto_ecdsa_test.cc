// ECDSA P-256: RFC 6979 deterministic nonces against the published vectors (appendix A.2.5),
// Fabric's low-S rule, DER parsing as Fabric's UnmarshalECDSASignature, and interoperability
// with stock OpenSSL verification.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <string>

#include "core/crypto/ecdsa.h"
#include "core/crypto/sha256.h"

namespace fabsim::crypto {
namespace {

std::string unhex(std::string_view h) {
  auto r = from_hex(h);
  EXPECT_TRUE(r.is_ok()) << r.status().to_string();
  return r.is_ok() ? r.value() : std::string();
}

Scalar scalar(std::string_view h) {
  const std::string b = unhex(h);
  Scalar s{};
  EXPECT_EQ(b.size(), s.size());
  std::copy(b.begin(), b.end(), s.begin());
  return s;
}

std::string hex(const Scalar& s) { return to_hex(std::string_view(reinterpret_cast<const char*>(s.data()), s.size())); }

// RFC 6979 A.2.5: the P-256 key.
constexpr const char* kRfcPrivateKey = "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721";
constexpr const char* kRfcPublicX = "60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6";
constexpr const char* kRfcPublicY = "7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299";

EcdsaPrivateKey rfc_key() {
  auto k = EcdsaPrivateKey::from_scalar(scalar(kRfcPrivateKey));
  EXPECT_TRUE(k.is_ok());
  return std::move(k).value();
}

// Stock OpenSSL: EVP_DigestVerify with SHA-256 over the message.
bool openssl_verifies(const EcdsaPublicKey& key, std::string_view message, std::string_view der) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key.evp()) == 1 &&
            EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(der.data()), der.size(),
                             reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

TEST(CryptoEcdsa, PublicKeyOfTheRfc6979KeyIsTheRfcPoint) {
  EXPECT_EQ(to_hex(rfc_key().public_key().uncompressed_point()),
            std::string("04") + kRfcPublicX + kRfcPublicY);
}

struct Rfc6979Case {
  const char* name;
  const char* message;
  const char* k;
  const char* r;
  const char* s;
};

// RFC 6979 appendix A.2.5, P-256 with SHA-256.
const Rfc6979Case kRfc6979Cases[] = {
    {"MessageSample", "sample", "a6e3c57dd01abe90086538398355dd4c3b17aa873382b0f24d6129493d8aad60",
     "efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716",
     "f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8"},
    {"MessageTest", "test", "d16b6ae827f17175e040871a1c7ec3500192c4c92677336ec2537acaee0008e0",
     "f1abb023518351cd71d881567b1ea663ed3efcf6c5132b354f28d3b0b7d38367",
     "019f4113742a2b14bd25926b49c649155f267e60d3814b4c0cc84250e46f0083"},
};

TEST(CryptoEcdsa, Rfc6979NonceMatchesAppendixA25) {
  for (const auto& c : kRfc6979Cases) {
    SCOPED_TRACE(c.name);
    Rfc6979Nonces nonces(scalar(kRfcPrivateKey), sha256(c.message));
    EXPECT_EQ(hex(nonces.next()), c.k);
  }
}

TEST(CryptoEcdsa, Rfc6979SignatureMatchesAppendixA25) {
  for (const auto& c : kRfc6979Cases) {
    SCOPED_TRACE(c.name);
    const EcdsaSignatureValues v = ecdsa_sign_digest_raw(rfc_key(), sha256(c.message));
    EXPECT_EQ(hex(v.r), c.r);
    EXPECT_EQ(hex(v.s), c.s);
  }
}

TEST(CryptoEcdsa, Rfc6979LaterCandidatesDifferFromTheFirst) {
  Rfc6979Nonces nonces(scalar(kRfcPrivateKey), sha256("sample"));
  const Scalar first = nonces.next();
  const Scalar second = nonces.next();
  EXPECT_NE(first, second);
  EXPECT_LT(second, p256_order());
}

// Fabric's ToLowS: "sample" gives a high s (> n/2); the signature carries n - s instead.
TEST(CryptoEcdsa, LowSNormalisationReplacesHighSByNMinusS) {
  const EcdsaPrivateKey key = rfc_key();
  const EcdsaSignatureValues raw = ecdsa_sign_digest_raw(key, sha256("sample"));
  ASSERT_FALSE(is_low_s(raw.s));
  const Scalar low = to_low_s(raw.s);
  EXPECT_TRUE(is_low_s(low));
  EXPECT_EQ(hex(low), "0834e36ad29a83bf2bc9385e491d6099c8fdf9d1ed67aa7ea5f51f93782857a9");  // n - s
  auto parsed = ecdsa_signature_from_der(ecdsa_sign(key, "sample"));
  ASSERT_TRUE(parsed.is_ok());
  EXPECT_EQ(parsed->r, raw.r);
  EXPECT_EQ(parsed->s, low);
}

TEST(CryptoEcdsa, LowSIsTheIdentityOnLowValues) {
  const EcdsaSignatureValues raw = ecdsa_sign_digest_raw(rfc_key(), sha256("test"));
  ASSERT_TRUE(is_low_s(raw.s));
  EXPECT_EQ(to_low_s(raw.s), raw.s);
  EXPECT_TRUE(is_low_s(p256_half_order()));  // s == n/2 is low (Fabric: s.Cmp(half) != 1)
}

// The high-S form is a mathematically valid ECDSA signature -- stock OpenSSL accepts it --
// but Fabric's bccsp refuses it, and so do we.
TEST(CryptoEcdsa, VerifyRejectsTheHighSFormThatOpenSslAccepts) {
  const EcdsaPrivateKey key = rfc_key();
  const std::string high = ecdsa_signature_to_der(ecdsa_sign_digest_raw(key, sha256("sample")));
  EXPECT_TRUE(openssl_verifies(key.public_key(), "sample", high));
  const Status s = ecdsa_verify(key.public_key(), "sample", high);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("Must be smaller than half the order"), std::string::npos) << s.to_string();
  EXPECT_TRUE(ecdsa_verify(key.public_key(), "sample", ecdsa_sign(key, "sample")).is_ok());
}

TEST(CryptoEcdsa, StockOpenSslVerifiesOurSignatures) {
  const EcdsaPrivateKey key = EcdsaPrivateKey::from_seed_bytes(std::string(48, '\x5a'));
  for (const char* msg : {"", "a", "proposal response payload", "sample"}) {
    SCOPED_TRACE(msg);
    const std::string sig = ecdsa_sign(key, msg);
    EXPECT_TRUE(openssl_verifies(key.public_key(), msg, sig));
    EXPECT_TRUE(ecdsa_verify(key.public_key(), msg, sig).is_ok());
  }
}

TEST(CryptoEcdsa, SigningIsReproducible) {
  const EcdsaPrivateKey a = rfc_key();
  const EcdsaPrivateKey b = rfc_key();
  EXPECT_EQ(ecdsa_sign(a, "block 7"), ecdsa_sign(b, "block 7"));
  EXPECT_NE(ecdsa_sign(a, "block 7"), ecdsa_sign(a, "block 8"));
}

TEST(CryptoEcdsa, TamperedMessageIsRejected) {
  const EcdsaPrivateKey key = rfc_key();
  const std::string sig = ecdsa_sign(key, "transfer 10");
  const Status s = ecdsa_verify(key.public_key(), "transfer 11", sig);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_EQ(s.message(), "the signature is invalid");
}

TEST(CryptoEcdsa, TamperedSignatureIsRejected) {
  const EcdsaPrivateKey key = rfc_key();
  const std::string sig = ecdsa_sign(key, "transfer 10");
  for (size_t i = 0; i < sig.size(); ++i) {
    std::string bad = sig;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    EXPECT_FALSE(ecdsa_verify(key.public_key(), "transfer 10", bad).is_ok()) << "flipped byte " << i;
  }
}

TEST(CryptoEcdsa, SignatureOfAnotherKeyIsRejected) {
  const EcdsaPrivateKey a = rfc_key();
  const EcdsaPrivateKey b = EcdsaPrivateKey::from_seed_bytes(std::string(48, '\x01'));
  EXPECT_FALSE(ecdsa_verify(b.public_key(), "m", ecdsa_sign(a, "m")).is_ok());
}

struct DerCase {
  const char* name;
  const char* der_hex;
};

// Fabric's UnmarshalECDSASignature: DER only, R > 0, S > 0.
TEST(CryptoEcdsa, SignatureDerParsingFollowsFabric) {
  const DerCase rejected[] = {
      {"EmptyBytes", ""},
      {"NotDer", "68656c6c6f"},
      {"ZeroR", "3006020100020101"},
      {"ZeroS", "3006020101020100"},
      {"NegativeR", "30060201ff020101"},
      {"NegativeS", "30060201010201ff"},
      {"NonMinimalInteger", "300702020001020101"},
      {"LongFormLength", "308106020101020101"},
      {"TruncatedSequence", "3006020101"},
  };
  for (const auto& c : rejected) {
    SCOPED_TRACE(c.name);
    auto r = ecdsa_signature_from_der(unhex(c.der_hex));
    ASSERT_FALSE(r.is_ok());
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  }
  auto ok = ecdsa_signature_from_der(unhex("3006020101020102"));
  ASSERT_TRUE(ok.is_ok());
  EXPECT_EQ(ok->r[31], 1);
  EXPECT_EQ(ok->s[31], 2);
}

// Go's asn1.Unmarshal returns trailing bytes unused and Fabric ignores them, so a valid
// signature followed by junk still verifies there -- and here.
TEST(CryptoEcdsa, TrailingBytesAfterTheSignatureAreIgnoredAsInFabric) {
  const EcdsaPrivateKey key = rfc_key();
  const std::string sig = ecdsa_sign(key, "m") + std::string("\x00\x01", 2);
  EXPECT_TRUE(ecdsa_verify(key.public_key(), "m", sig).is_ok());
}

struct ScalarCase {
  const char* name;
  Scalar d;
  bool valid;
};

TEST(CryptoEcdsa, PrivateScalarMustBeInOneToNMinusOne) {
  Scalar n_minus_1 = p256_order();
  n_minus_1[31] = static_cast<uint8_t>(n_minus_1[31] - 1);
  Scalar one{};
  one[31] = 1;
  const ScalarCase cases[] = {
      {"Zero", Scalar{}, false},
      {"One", one, true},
      {"NMinusOne", n_minus_1, true},
      {"N", p256_order(), false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(EcdsaPrivateKey::from_scalar(c.d).is_ok(), c.valid);
  }
}

TEST(CryptoEcdsa, PublicKeyRejectsPointsOffTheCurve) {
  std::string point = rfc_key().public_key().uncompressed_point();
  EXPECT_TRUE(EcdsaPublicKey::from_uncompressed_point(point).is_ok());
  point[64] = static_cast<char>(point[64] ^ 1);
  EXPECT_FALSE(EcdsaPublicKey::from_uncompressed_point(point).is_ok());
  EXPECT_FALSE(EcdsaPublicKey::from_uncompressed_point(point.substr(1)).is_ok());
}

}  // namespace
}  // namespace fabsim::crypto
