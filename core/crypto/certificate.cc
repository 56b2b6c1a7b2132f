#include "core/crypto/certificate.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>

#include "core/assert.h"
#include "core/crypto/openssl_util.h"

namespace fabsim::crypto {

namespace {

struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};

std::vector<std::string> name_entries(const X509_NAME* name, int nid) {
  std::vector<std::string> out;
  for (int i = X509_NAME_get_index_by_NID(name, nid, -1); i >= 0;
       i = X509_NAME_get_index_by_NID(name, nid, i)) {
    const X509_NAME_ENTRY* e = X509_NAME_get_entry(name, i);
    unsigned char* utf8 = nullptr;
    const int len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(e));
    if (len < 0) {
      internal::clear_openssl_errors();
      continue;
    }
    out.emplace_back(reinterpret_cast<const char*>(utf8), static_cast<size_t>(len));
    OPENSSL_free(utf8);
  }
  return out;
}

std::string first_or_empty(std::vector<std::string> v) { return v.empty() ? std::string() : std::move(v.front()); }

}  // namespace

Certificate::Certificate(std::shared_ptr<X509> x509, std::string der, EcdsaPublicKey key)
    : x509_(std::move(x509)), der_(std::move(der)), der_sha256_(sha256(der_)), public_key_(std::move(key)) {}

Result<Certificate> Certificate::from_der(std::string_view der) {
  const auto* start = reinterpret_cast<const unsigned char*>(der.data());
  const unsigned char* p = start;
  std::shared_ptr<X509> x509(d2i_X509(nullptr, &p, static_cast<long>(der.size())), X509Free{});
  if (x509 == nullptr) {
    internal::clear_openssl_errors();
    return Status::corruption("parseCertificate failed: not a DER X.509 certificate");
  }
  if (static_cast<size_t>(p - start) != der.size()) {
    return Status::corruption("parseCertificate failed: trailing data after the certificate");
  }
  EVP_PKEY* pkey = X509_get0_pubkey(x509.get());
  if (pkey == nullptr) {
    internal::clear_openssl_errors();
    return Status::corruption("parseCertificate failed: unreadable public key");
  }
  auto key = EcdsaPublicKey::from_evp(pkey);
  if (!key) return Status::corruption("failed to import certificate's public key: " + key.status().message());
  return Certificate(std::move(x509), std::string(der), std::move(key).value());
}

Result<Certificate> Certificate::from_pem(std::string_view pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  FABSIM_ASSERT(bio != nullptr);
  char* name = nullptr;
  char* header = nullptr;
  unsigned char* data = nullptr;
  long len = 0;
  const int ok = PEM_read_bio(bio, &name, &header, &data, &len);
  BIO_free(bio);
  if (ok != 1) {
    internal::clear_openssl_errors();
    return Status::corruption("could not decode the PEM structure");
  }
  std::string der(reinterpret_cast<const char*>(data), static_cast<size_t>(len));
  OPENSSL_free(name);
  OPENSSL_free(header);
  OPENSSL_free(data);
  return from_der(der);
}

std::string pem_encode(std::string_view type, std::string_view der) {
  std::string out = "-----BEGIN " + std::string(type) + "-----\n";
  // 48 input bytes give one 64-character line.
  unsigned char line[65];
  for (size_t off = 0; off < der.size(); off += 48) {
    const size_t n = std::min<size_t>(48, der.size() - off);
    const int w = EVP_EncodeBlock(line, reinterpret_cast<const unsigned char*>(der.data() + off), static_cast<int>(n));
    FABSIM_ASSERT(w > 0 && w <= 64);
    out.append(reinterpret_cast<const char*>(line), static_cast<size_t>(w));
    out.push_back('\n');
  }
  out += "-----END " + std::string(type) + "-----\n";
  return out;
}

std::string Certificate::pem() const { return pem_encode("CERTIFICATE", der_); }

std::string Certificate::subject_common_name() const {
  return first_or_empty(name_entries(X509_get_subject_name(x509_.get()), NID_commonName));
}

std::string Certificate::subject_organization() const {
  return first_or_empty(name_entries(X509_get_subject_name(x509_.get()), NID_organizationName));
}

std::vector<std::string> Certificate::subject_organizational_units() const {
  return name_entries(X509_get_subject_name(x509_.get()), NID_organizationalUnitName);
}

std::string Certificate::issuer_common_name() const {
  return first_or_empty(name_entries(X509_get_issuer_name(x509_.get()), NID_commonName));
}

bool Certificate::is_ca() const { return (X509_get_extension_flags(x509_.get()) & EXFLAG_CA) != 0; }

bool Certificate::signature_verifies_with(const EcdsaPublicKey& issuer_key) const {
  const int rc = X509_verify(x509_.get(), issuer_key.evp());
  if (rc != 1) internal::clear_openssl_errors();
  return rc == 1;
}

}  // namespace fabsim::crypto
