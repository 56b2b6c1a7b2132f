// Certificates from the per-organisation CA: byte-identical across runs, the subject fields
// Fabric's MSP reads, fixed dates, stock OpenSSL accepts the signatures, PEM as Go writes it.
#include <gtest/gtest.h>
#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/x509.h>

#include <ctime>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/crypto/ca.h"
#include "core/crypto/certificate.h"
#include "core/crypto/ecdsa.h"

namespace fabsim::crypto {
namespace {

TEST(CryptoCertificate, BytesAreIdenticalAcrossRuns) {
  const CertificateAuthority run1(42, "Org1MSP", "Org1");
  const CertificateAuthority run2(42, "Org1MSP", "Org1");
  EXPECT_EQ(run1.certificate().der(), run2.certificate().der());
  for (NodeOu role : {NodeOu::kPeer, NodeOu::kClient, NodeOu::kAdmin, NodeOu::kOrderer}) {
    SCOPED_TRACE(node_ou_name(role));
    EXPECT_EQ(run1.issue("node0", role).certificate.der(), run2.issue("node0", role).certificate.der());
  }
}

TEST(CryptoCertificate, AnotherSeedGivesOtherBytes) {
  const CertificateAuthority a(42, "Org1MSP", "Org1");
  const CertificateAuthority b(43, "Org1MSP", "Org1");
  EXPECT_NE(a.certificate().der(), b.certificate().der());
  EXPECT_NE(a.issue("peer0", NodeOu::kPeer).certificate.der(), b.issue("peer0", NodeOu::kPeer).certificate.der());
}

// Golden value: the DER of one CA certificate and one leaf. If this changes, every recorded
// run's identities (and so TxIDs and block hashes) change: treat it as a format change.
TEST(CryptoCertificate, GoldenBytesForSeed42) {
  const CertificateAuthority ca(42, "Org1MSP", "Org1");
  EXPECT_EQ(to_hex(ca.certificate().der_sha256()), "cd8ee6613e44ffe0e919bfc5a8da46a3055f29df9e2f5a6eba4ad781ec5590c5");
  EXPECT_EQ(to_hex(ca.issue("peer0", NodeOu::kPeer).certificate.der_sha256()), "32ed4b1b8ef350e153b5d12fa837b0feae3a99e1b874795ce0cefdb2643b1986");
}

TEST(CryptoCertificate, CaCertificateIsSelfSignedCa) {
  const CertificateAuthority ca(1, "Org1MSP", "Org1");
  const Certificate& c = ca.certificate();
  EXPECT_TRUE(c.is_ca());
  EXPECT_EQ(c.subject_common_name(), "ca.Org1");
  EXPECT_EQ(c.subject_organization(), "Org1");
  EXPECT_TRUE(c.subject_organizational_units().empty());
  EXPECT_EQ(c.issuer_common_name(), "ca.Org1");
  EXPECT_TRUE(c.signature_verifies_with(ca.private_key().public_key()));
  EXPECT_EQ(c.public_key(), ca.private_key().public_key());
}

struct LeafCase {
  const char* name;
  NodeOu role;
  const char* ou;
};

TEST(CryptoCertificate, LeafSubjectCarriesNameOrganisationAndNodeOu) {
  const CertificateAuthority ca(1, "Org1MSP", "Org1");
  const LeafCase cases[] = {
      {"Client", NodeOu::kClient, "client"},
      {"Peer", NodeOu::kPeer, "peer"},
      {"Admin", NodeOu::kAdmin, "admin"},
      {"Orderer", NodeOu::kOrderer, "orderer"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const IssuedIdentity id = ca.issue(std::string("node-") + c.ou, c.role);
    EXPECT_EQ(id.msp_id, "Org1MSP");
    EXPECT_EQ(id.certificate.subject_common_name(), std::string("node-") + c.ou);
    EXPECT_EQ(id.certificate.subject_organization(), "Org1");
    EXPECT_EQ(id.certificate.subject_organizational_units(), std::vector<std::string>{c.ou});
    EXPECT_EQ(id.certificate.issuer_common_name(), "ca.Org1");
    EXPECT_FALSE(id.certificate.is_ca());
    EXPECT_EQ(id.certificate.public_key(), id.private_key.public_key());
  }
}

TEST(CryptoCertificate, StockOpenSslVerifiesTheCaSignature) {
  const CertificateAuthority ca(9, "Org1MSP", "Org1");
  const CertificateAuthority other(9, "Org2MSP", "Org2");
  const IssuedIdentity peer = ca.issue("peer0", NodeOu::kPeer);
  EXPECT_EQ(X509_verify(peer.certificate.x509(), ca.certificate().public_key().evp()), 1);
  EXPECT_FALSE(peer.certificate.signature_verifies_with(other.certificate().public_key()));
}

TEST(CryptoCertificate, ValidityDatesAreFixed) {
  const CertificateAuthority ca(3, "Org1MSP", "Org1");
  const IssuedIdentity leaf = ca.issue("x", NodeOu::kClient);
  for (const Certificate* c : {&ca.certificate(), &leaf.certificate}) {
    std::tm nb{}, na{};
    ASSERT_EQ(ASN1_TIME_to_tm(X509_get0_notBefore(c->x509()), &nb), 1);
    ASSERT_EQ(ASN1_TIME_to_tm(X509_get0_notAfter(c->x509()), &na), 1);
    EXPECT_EQ(nb.tm_year + 1900, 2020);
    EXPECT_EQ(nb.tm_mon, 0);
    EXPECT_EQ(nb.tm_mday, 1);
    EXPECT_EQ(na.tm_year + 1900, 2049);
    EXPECT_EQ(na.tm_mon, 11);
    EXPECT_EQ(na.tm_mday, 31);
  }
}

TEST(CryptoCertificate, SerialsArePositiveAndDistinctPerName) {
  const CertificateAuthority ca(3, "Org1MSP", "Org1");
  std::set<std::string> serials;
  for (const char* name : {"peer0", "peer1", "client0"}) {
    const Certificate c = ca.issue(name, NodeOu::kPeer).certificate;
    const ASN1_INTEGER* serial = X509_get0_serialNumber(c.x509());
    ASSERT_NE(serial, nullptr);
    BIGNUM* bn = ASN1_INTEGER_to_BN(serial, nullptr);
    ASSERT_NE(bn, nullptr);
    EXPECT_FALSE(BN_is_negative(bn));
    EXPECT_FALSE(BN_is_zero(bn));
    char* hex = BN_bn2hex(bn);
    EXPECT_TRUE(serials.insert(hex).second) << name;
    OPENSSL_free(hex);
    BN_free(bn);
  }
}

// Go's pem.EncodeToMemory, which Fabric's identity.Serialize uses.
TEST(CryptoCertificate, PemIsGoPemEncoding) {
  const CertificateAuthority ca(3, "Org1MSP", "Org1");
  const std::string pem = ca.issue("peer0", NodeOu::kPeer).certificate.pem();
  std::istringstream in(pem);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_GE(lines.size(), 3u);
  EXPECT_EQ(lines.front(), "-----BEGIN CERTIFICATE-----");
  EXPECT_EQ(lines.back(), "-----END CERTIFICATE-----");
  EXPECT_EQ(pem.back(), '\n');
  for (size_t i = 1; i + 1 < lines.size(); ++i) {
    if (i + 2 < lines.size()) {
      EXPECT_EQ(lines[i].size(), 64u) << "line " << i;
    } else {
      EXPECT_LE(lines[i].size(), 64u);
      EXPECT_GT(lines[i].size(), 0u);
    }
  }
}

TEST(CryptoCertificate, PemRoundTripsToTheSameDer) {
  const CertificateAuthority ca(3, "Org1MSP", "Org1");
  const Certificate c = ca.issue("peer0", NodeOu::kPeer).certificate;
  auto back = Certificate::from_pem(c.pem());
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_EQ(back->der(), c.der());
  // As Go's pem.Decode: text before the block is skipped, the type label is not checked.
  auto prefixed = Certificate::from_pem("junk line\n" + pem_encode("SOMETHING", c.der()));
  ASSERT_TRUE(prefixed.is_ok()) << prefixed.status().to_string();
  EXPECT_EQ(prefixed->der(), c.der());
}

struct BadCertCase {
  const char* name;
  std::string bytes;
  bool pem;
};

TEST(CryptoCertificate, ParsingRejectsBadInput) {
  const CertificateAuthority ca(3, "Org1MSP", "Org1");
  const std::string der = ca.issue("peer0", NodeOu::kPeer).certificate.der();
  const BadCertCase cases[] = {
      {"DerGarbage", "not a certificate", false},
      {"DerTrailingData", der + "x", false},
      {"DerTruncated", der.substr(0, der.size() - 1), false},
      {"PemWithoutBlock", "hello", true},
      {"PemBlockNotACertificate", pem_encode("CERTIFICATE", "garbage"), true},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = c.pem ? Certificate::from_pem(c.bytes) : Certificate::from_der(c.bytes);
    ASSERT_FALSE(r.is_ok());
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  }
}

}  // namespace
}  // namespace fabsim::crypto
