// An X.509 certificate as fabsim's MSP sees it: the exact DER bytes (Go's cert.Raw), the
// fields Fabric's MSP reads (subject CN, O, OUs; basicConstraints CA), and the ECDSA P-256
// public key. Parsing is OpenSSL's (d2i_X509); certificates are *made* in core/crypto/ca.h.
//
// Ownership: a Certificate is an immutable value; copies share one OpenSSL X509 object.
// Invariants: der() is exactly the bytes parsed (OpenSSL keeps the original encoding), and
// the public key is on P-256 (other keys are refused at parse time: fabsim identities are
// ECDSA P-256 only, although Fabric also accepts RSA).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/crypto/ecdsa.h"
#include "core/crypto/sha256.h"
#include "core/status.h"

typedef struct x509_st X509;  // NOLINT: OpenSSL's forward declaration

namespace fabsim::crypto {

class Certificate {
 public:
  // Exactly one DER certificate; trailing bytes are an error (as in Go's
  // x509.ParseCertificate). Errors are Corruption.
  static Result<Certificate> from_der(std::string_view der);
  // The first PEM block in `pem` (text before it is skipped and its type label is not checked,
  // as Go's pem.Decode in Fabric's deserializeIdentityInternal), parsed with from_der.
  static Result<Certificate> from_pem(std::string_view pem);

  const std::string& der() const { return der_; }
  // Go's pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}): the BEGIN line,
  // standard base64 in lines of 64 characters, the END line, each ending in '\n'.
  std::string pem() const;
  const Digest256& der_sha256() const { return der_sha256_; }

  std::string subject_common_name() const;
  std::string subject_organization() const;
  // Subject OU values in the order they appear (Go's cert.Subject.OrganizationalUnit).
  std::vector<std::string> subject_organizational_units() const;
  std::string issuer_common_name() const;
  // basicConstraints with cA = TRUE (Go's cert.IsCA).
  bool is_ca() const;

  const EcdsaPublicKey& public_key() const { return public_key_; }
  // Whether `issuer_key` signed this certificate (stock OpenSSL X509_verify).
  bool signature_verifies_with(const EcdsaPublicKey& issuer_key) const;

  // For stock OpenSSL calls inside core/crypto (chain validation). Never null.
  X509* x509() const { return x509_.get(); }

  bool operator==(const Certificate& o) const { return der_ == o.der_; }

 private:
  Certificate(std::shared_ptr<X509> x509, std::string der, EcdsaPublicKey key);

  std::shared_ptr<X509> x509_;
  std::string der_;
  Digest256 der_sha256_{};
  EcdsaPublicKey public_key_;
};

// PEM encoding of any DER blob under `type` (Go's pem.EncodeToMemory without headers).
std::string pem_encode(std::string_view type, std::string_view der);

}  // namespace fabsim::crypto
