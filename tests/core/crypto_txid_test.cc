// TxID = lowercase hex(SHA-256(nonce || creator)), Fabric's ComputeTxID.
#include <gtest/gtest.h>

#include <cctype>

#include <string>

#include "core/crypto/ca.h"
#include "core/crypto/sha256.h"
#include "core/crypto/signing_identity.h"
#include "core/crypto/txid.h"
#include "core/random.h"

namespace fabsim::crypto {
namespace {

// Hand-computed with Python: hashlib.sha256(bytes(range(24)) +
// b'\x0a\x07Org1MSP\x12\x04cert').hexdigest(). The creator is a SerializedIdentity
// {mspid: "Org1MSP", id_bytes: "cert"} written out by hand.
TEST(CryptoTxId, MatchesHandComputedValue) {
  std::string nonce;
  for (int i = 0; i < 24; ++i) nonce.push_back(static_cast<char>(i));
  const std::string creator("\x0a\x07Org1MSP\x12\x04" "cert", 15);
  EXPECT_EQ(compute_tx_id(nonce, creator), "9b509b14e9418ff403128c815509476925771dc21a7c77e2899e7c170e960a45");
}

TEST(CryptoTxId, IsHexOfSha256OfTheConcatenation) {
  const CertificateAuthority ca(1, "Org1MSP", "Org1");
  const SigningIdentity client(ca.issue("client0", NodeOu::kClient), SignatureScheme::kEcdsaP256, 1);
  Rng rng = Rng::stream(1, "client0/nonce");
  const std::string nonce = make_nonce(rng);
  ASSERT_EQ(nonce.size(), kNonceSize);
  const std::string txid = compute_tx_id(nonce, client.serialized());
  EXPECT_EQ(txid, to_hex(sha256(nonce + client.serialized())));
  EXPECT_EQ(txid.size(), 64u);
  EXPECT_TRUE(tx_id_matches(txid, nonce, client.serialized()));
  EXPECT_FALSE(tx_id_matches(txid, nonce.substr(1), client.serialized()));
  // Exactly the lowercase hex string: no other case, no prefix, nothing appended.
  std::string upper = txid;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper != txid) {
    EXPECT_FALSE(tx_id_matches(upper, nonce, client.serialized()));
  }
  EXPECT_FALSE(tx_id_matches(txid.substr(0, 63), nonce, client.serialized()));
  EXPECT_FALSE(tx_id_matches(txid + "0", nonce, client.serialized()));
  EXPECT_FALSE(tx_id_matches("", nonce, client.serialized()));
  std::string last = txid;
  last.back() = last.back() == '0' ? '1' : '0';
  EXPECT_FALSE(tx_id_matches(last, nonce, client.serialized()));
}

TEST(CryptoTxId, NoncesComeFromTheSeededStream) {
  Rng a = Rng::stream(5, "client0/nonce");
  Rng b = Rng::stream(5, "client0/nonce");
  const std::string n1 = make_nonce(a);
  EXPECT_EQ(n1, make_nonce(b));
  EXPECT_NE(n1, make_nonce(a));  // the next draw differs
}

}  // namespace
}  // namespace fabsim::crypto
