// One certificate authority per organisation, issuing X.509 certificates that are a pure
// function of (run seed, MSP ID, organisation, identity name, role): the same inputs give the
// same DER bytes on every run and machine.
//
// How determinism is achieved:
//   * keys come from the run seed (core/crypto/key_derivation.h): the CA's key is named
//     "<msp_id>#ca", an identity's key "<msp_id>/<name>" ('#' vs '/' keeps them apart);
//   * serial numbers are the first 16 bytes of SHA-256("fabsim/x509/serial" 0x00 msp_id 0x00
//     name), top bit cleared (positive, as RFC 5280 and Go require);
//   * validity is fixed: notBefore 2020-01-01 00:00:00Z, notAfter 2049-12-31 23:59:59Z (no
//     clock is read; Fabric's MSP validates at notBefore + 1 s anyway, F22:msp/mspimpl.go
//     getValidityOptsForCert);
//   * the TBSCertificate is laid out byte by byte with core/crypto/der.h and signed with the
//     deterministic low-S ECDSA of core/crypto/ecdsa.h (OpenSSL's X509_sign would draw a
//     random nonce).
//
// Certificate shape (close to what Fabric's cryptogen issues):
//   CA:   subject O=<organisation>, CN=ca.<organisation>; self-signed; keyUsage (critical)
//         digitalSignature, keyCertSign, cRLSign; basicConstraints (critical) CA:TRUE;
//         subjectKeyIdentifier = SHA-256 of the public point (cryptogen's computeSKI).
//   Leaf: subject O=<organisation>, OU=<NodeOU role>, CN=<identity name>; issuer = CA subject;
//         keyUsage (critical) digitalSignature; basicConstraints (critical) CA:FALSE;
//         subjectKeyIdentifier; authorityKeyIdentifier = the CA's key identifier.
// Names are UTF8String; the signature algorithm is ecdsa-with-SHA256; keys are P-256.
// Every certificate issued is checked with stock OpenSSL (X509_verify against the CA key)
// before it is returned; a failure is a bug and asserts.
//
// NodeOU roles: Fabric tells clients, peers, admins and orderers apart by an OU in the
// subject whose value is the role's OrganizationalUnitIdentifier in the MSP's NodeOUs config;
// cryptogen's config.yaml uses "client", "peer", "admin" and "orderer", and so do we.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/crypto/certificate.h"
#include "core/crypto/ecdsa.h"

namespace fabsim::crypto {

enum class NodeOu : uint8_t { kClient, kPeer, kAdmin, kOrderer };
// "client", "peer", "admin", "orderer".
const char* node_ou_name(NodeOu ou);
std::optional<NodeOu> node_ou_from_name(std::string_view name);

inline constexpr std::string_view kCertNotBefore = "200101000000Z";  // UTCTime
inline constexpr std::string_view kCertNotAfter = "491231235959Z";

// An identity as the CA hands it out: the certificate and its private key.
struct IssuedIdentity {
  std::string msp_id;
  std::string name;
  Certificate certificate;
  EcdsaPrivateKey private_key;
};

class CertificateAuthority {
 public:
  // `msp_id` namespaces the keys and serials; `organization` goes in the O attribute. Both
  // must be non-empty.
  CertificateAuthority(uint64_t seed, std::string msp_id, std::string organization);

  uint64_t seed() const { return seed_; }
  const std::string& msp_id() const { return msp_id_; }
  const std::string& organization() const { return organization_; }
  // The self-signed root certificate: what an MSP trusts (Fabric's cacerts).
  const Certificate& certificate() const { return certificate_; }
  const EcdsaPrivateKey& private_key() const { return key_; }

  // A leaf certificate with OU = node_ou_name(role). `name` must be non-empty.
  IssuedIdentity issue(std::string_view name, NodeOu role) const;
  // A leaf certificate with exactly the subject OUs given (in order; possibly none). For
  // testing the MSP's NodeOU rules with certificates a well-behaved CA would not issue.
  IssuedIdentity issue_with_ous(std::string_view name, const std::vector<std::string>& ous) const;

 private:
  uint64_t seed_;
  std::string msp_id_;
  std::string organization_;
  EcdsaPrivateKey key_;
  std::string subject_der_;  // the CA's subject Name, also every leaf's issuer
  std::string key_id_;       // subjectKeyIdentifier of the CA
  Certificate certificate_;
};

}  // namespace fabsim::crypto
