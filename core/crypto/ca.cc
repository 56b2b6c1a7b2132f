#include "core/crypto/ca.h"

#include "core/assert.h"
#include "core/crypto/der.h"
#include "core/crypto/key_derivation.h"
#include "core/crypto/sha256.h"

namespace fabsim::crypto {

namespace {

// OID content octets.
constexpr std::string_view kOidEcdsaWithSha256{"\x2a\x86\x48\xce\x3d\x04\x03\x02", 8};  // 1.2.840.10045.4.3.2
constexpr std::string_view kOidEcPublicKey{"\x2a\x86\x48\xce\x3d\x02\x01", 7};          // 1.2.840.10045.2.1
constexpr std::string_view kOidPrime256v1{"\x2a\x86\x48\xce\x3d\x03\x01\x07", 8};       // 1.2.840.10045.3.1.7
constexpr std::string_view kOidCommonName{"\x55\x04\x03", 3};                           // 2.5.4.3
constexpr std::string_view kOidOrganization{"\x55\x04\x0a", 3};                         // 2.5.4.10
constexpr std::string_view kOidOrganizationalUnit{"\x55\x04\x0b", 3};                   // 2.5.4.11
constexpr std::string_view kOidSubjectKeyId{"\x55\x1d\x0e", 3};                         // 2.5.29.14
constexpr std::string_view kOidKeyUsage{"\x55\x1d\x0f", 3};                             // 2.5.29.15
constexpr std::string_view kOidBasicConstraints{"\x55\x1d\x13", 3};                     // 2.5.29.19
constexpr std::string_view kOidAuthorityKeyId{"\x55\x1d\x23", 3};                       // 2.5.29.35

std::string attribute(std::string_view oid, std::string_view value) {
  return der::set({der::sequence({der::oid(oid), der::utf8_string(value)})});
}

struct NameParts {
  std::string_view organization;
  const std::vector<std::string>* ous = nullptr;
  std::string_view common_name;
};

// Name ::= SEQUENCE OF RelativeDistinguishedName, one attribute per RDN: O, OU..., CN.
std::string name_der(const NameParts& n) {
  std::string rdns = attribute(kOidOrganization, n.organization);
  if (n.ous != nullptr) {
    for (const std::string& ou : *n.ous) rdns += attribute(kOidOrganizationalUnit, ou);
  }
  rdns += attribute(kOidCommonName, n.common_name);
  return der::tlv(0x30, rdns);
}

std::string algorithm_der() { return der::sequence({der::oid(kOidEcdsaWithSha256)}); }

std::string spki_der(const EcdsaPublicKey& key) {
  return der::sequence({der::sequence({der::oid(kOidEcPublicKey), der::oid(kOidPrime256v1)}),
                        der::bit_string(key.uncompressed_point())});
}

std::string extension(std::string_view oid, bool critical, std::string_view value_der) {
  if (critical) return der::sequence({der::oid(oid), der::boolean(true), der::octet_string(value_der)});
  return der::sequence({der::oid(oid), der::octet_string(value_der)});
}

std::string key_id(const EcdsaPublicKey& key) { return to_string(sha256(key.uncompressed_point())); }

std::string serial_number(std::string_view msp_id, std::string_view name) {
  std::string input("fabsim/x509/serial");
  input.push_back('\0');
  input.append(msp_id);
  input.push_back('\0');
  input.append(name);
  std::string serial = to_string(sha256(input)).substr(0, 16);
  serial[0] = static_cast<char>(static_cast<uint8_t>(serial[0]) & 0x7f);
  if (serial.find_first_not_of('\0') == std::string::npos) serial.back() = 1;  // never zero
  return serial;
}

struct TbsFields {
  std::string serial;
  std::string issuer_der;
  std::string subject_der;
  const EcdsaPublicKey* subject_key = nullptr;
  std::string extensions_der;  // SEQUENCE OF Extension
};

std::string tbs_der(const TbsFields& f) {
  const std::string validity = der::sequence({der::utc_time(kCertNotBefore), der::utc_time(kCertNotAfter)});
  return der::sequence({der::explicit_tag(0, der::small_integer(2)),  // v3
                        der::unsigned_integer(f.serial), algorithm_der(), f.issuer_der, validity,
                        f.subject_der, spki_der(*f.subject_key),
                        der::explicit_tag(3, f.extensions_der)});
}

// Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }.
Certificate sign_certificate(const std::string& tbs, const EcdsaPrivateKey& issuer_key) {
  const std::string signature = ecdsa_sign_digest(issuer_key, sha256(tbs));
  const std::string cert_der = der::sequence({tbs, algorithm_der(), der::bit_string(signature)});
  auto cert = Certificate::from_der(cert_der);
  FABSIM_ASSERT_MSG(cert.is_ok(), "issued certificate does not parse: " + cert.status().message());
  FABSIM_ASSERT_MSG(cert->signature_verifies_with(issuer_key.public_key()),
                    "issued certificate does not verify with OpenSSL");
  return std::move(cert).value();
}

Certificate make_root(const std::string& msp_id, const EcdsaPrivateKey& key,
                      const std::string& subject_der) {
  const std::string ski = key_id(key.public_key());
  // keyUsage bits 0 (digitalSignature), 5 (keyCertSign), 6 (cRLSign): 1000 0110, 1 unused bit.
  const std::string extensions = der::sequence({
      extension(kOidKeyUsage, true, der::bit_string(std::string_view("\x86", 1), 1)),
      extension(kOidBasicConstraints, true, der::sequence({der::boolean(true)})),
      extension(kOidSubjectKeyId, false, der::octet_string(ski)),
  });
  TbsFields f{serial_number(msp_id, "#ca"), subject_der, subject_der, &key.public_key(), extensions};
  return sign_certificate(tbs_der(f), key);
}

std::string non_empty(std::string s) {
  FABSIM_ASSERT(!s.empty());
  return s;
}

}  // namespace

const char* node_ou_name(NodeOu ou) {
  switch (ou) {
    case NodeOu::kClient: return "client";
    case NodeOu::kPeer: return "peer";
    case NodeOu::kAdmin: return "admin";
    case NodeOu::kOrderer: return "orderer";
  }
  return "?";
}

std::optional<NodeOu> node_ou_from_name(std::string_view name) {
  for (NodeOu ou : {NodeOu::kClient, NodeOu::kPeer, NodeOu::kAdmin, NodeOu::kOrderer}) {
    if (name == node_ou_name(ou)) return ou;
  }
  return std::nullopt;
}

CertificateAuthority::CertificateAuthority(uint64_t seed, std::string msp_id, std::string organization)
    : seed_(seed),
      msp_id_(non_empty(std::move(msp_id))),
      organization_(non_empty(std::move(organization))),
      key_(derive_ecdsa_key(seed_, msp_id_ + "#ca")),
      subject_der_(name_der({organization_, nullptr, "ca." + organization_})),
      key_id_(key_id(key_.public_key())),
      certificate_(make_root(msp_id_, key_, subject_der_)) {}

IssuedIdentity CertificateAuthority::issue(std::string_view name, NodeOu role) const {
  return issue_with_ous(name, {node_ou_name(role)});
}

IssuedIdentity CertificateAuthority::issue_with_ous(std::string_view name,
                                                    const std::vector<std::string>& ous) const {
  FABSIM_ASSERT(!name.empty());
  FABSIM_ASSERT_MSG(name.front() != '#', "identity names starting with '#' are reserved for the CA");
  EcdsaPrivateKey key = derive_ecdsa_key(seed_, msp_id_ + "/" + std::string(name));
  // keyUsage bit 0 (digitalSignature): 1000 0000, 7 unused bits. basicConstraints CA:FALSE
  // is the empty SEQUENCE (cA defaults to FALSE).
  const std::string extensions = der::sequence({
      extension(kOidKeyUsage, true, der::bit_string(std::string_view("\x80", 1), 7)),
      extension(kOidBasicConstraints, true, der::sequence({})),
      extension(kOidSubjectKeyId, false, der::octet_string(key_id(key.public_key()))),
      extension(kOidAuthorityKeyId, false, der::sequence({der::implicit_primitive(0, key_id_)})),
  });
  TbsFields f{serial_number(msp_id_, name), subject_der_,
              name_der({organization_, &ous, name}), &key.public_key(), extensions};
  Certificate cert = sign_certificate(tbs_der(f), key_);
  return IssuedIdentity{msp_id_, std::string(name), std::move(cert), std::move(key)};
}

}  // namespace fabsim::crypto
