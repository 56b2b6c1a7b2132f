#include "core/crypto/sha256.h"

// SHA256_Init/Update/Final are deprecated in OpenSSL 3 (see below).
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>

#include "core/assert.h"

namespace fabsim::crypto {
namespace {
// OpenSSL's low-level SHA-256 (SHA256_Init/Update/Final): the same implementation the EVP
// digest of the default provider runs (with the CPU's SHA extensions where present), but
// without EVP's per-context heap allocations and provider dispatch, which cost more than
// hashing a short message. Deprecated in OpenSSL 3 in favour of EVP, still supported.
static_assert(sizeof(SHA256_CTX) <= 112 && alignof(SHA256_CTX) <= 8, "Sha256::ctx_ is too small for SHA256_CTX");
constexpr size_t kSha256BlockSize = 64;
}  // namespace

// Not OpenSSL's one-shot SHA256(): in OpenSSL 3 that goes through EVP_Q_digest, which
// fetches the algorithm again on every call.
Digest256 sha256(std::string_view data) {
  SHA256_CTX ctx;
  FABSIM_ASSERT(SHA256_Init(&ctx) == 1);
  FABSIM_ASSERT(SHA256_Update(&ctx, data.data(), data.size()) == 1);
  Digest256 out{};
  FABSIM_ASSERT(SHA256_Final(out.data(), &ctx) == 1);
  return out;
}

Sha256::Sha256() { FABSIM_ASSERT(SHA256_Init(reinterpret_cast<SHA256_CTX*>(ctx_)) == 1); }

Sha256::~Sha256() = default;

// A moved-from Sha256 counts as finished: it may not be updated or finished again.
Sha256::Sha256(Sha256&& other) noexcept : finished_(other.finished_) {
  std::memcpy(ctx_, other.ctx_, sizeof(ctx_));
  other.finished_ = true;
}

Sha256& Sha256::operator=(Sha256&& other) noexcept {
  if (this != &other) {
    std::memcpy(ctx_, other.ctx_, sizeof(ctx_));
    finished_ = other.finished_;
    other.finished_ = true;
  }
  return *this;
}

Sha256& Sha256::update(std::string_view data) {
  FABSIM_ASSERT_MSG(!finished_, "Sha256::update after finish");
  FABSIM_ASSERT(SHA256_Update(reinterpret_cast<SHA256_CTX*>(ctx_), data.data(), data.size()) == 1);
  return *this;
}

Digest256 Sha256::finish() {
  FABSIM_ASSERT_MSG(!finished_, "Sha256::finish called twice");
  finished_ = true;
  Digest256 out{};
  FABSIM_ASSERT(SHA256_Final(out.data(), reinterpret_cast<SHA256_CTX*>(ctx_)) == 1);
  return out;
}

// HMAC as RFC 2104 defines it, over the prefetched SHA-256: H((K ^ opad) || H((K ^ ipad) || m)),
// with a key longer than the block size hashed first. Checked against RFC 4231's vectors.
Digest256 hmac_sha256(std::string_view key, std::string_view data) {
  std::array<uint8_t, kSha256BlockSize> k{};
  if (key.size() > kSha256BlockSize) {
    const Digest256 hk = sha256(key);
    std::copy(hk.begin(), hk.end(), k.begin());
  } else {
    std::copy(key.begin(), key.end(), k.begin());
  }
  std::array<char, kSha256BlockSize> pad{};
  for (size_t i = 0; i < kSha256BlockSize; ++i) pad[i] = static_cast<char>(k[i] ^ 0x36);
  Sha256 inner;
  inner.update(std::string_view(pad.data(), pad.size())).update(data);
  const Digest256 inner_digest = inner.finish();
  for (size_t i = 0; i < kSha256BlockSize; ++i) pad[i] = static_cast<char>(k[i] ^ 0x5c);
  Sha256 outer;
  outer.update(std::string_view(pad.data(), pad.size())).update(as_bytes(inner_digest));
  return outer.finish();
}

std::string hkdf_sha256(std::string_view ikm, std::string_view salt, std::string_view info,
                        size_t length) {
  FABSIM_ASSERT(length > 0 && length <= 255 * kSha256Size);
  EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  FABSIM_ASSERT(kdf != nullptr);
  EVP_KDF_CTX* kctx = EVP_KDF_CTX_new(kdf);
  EVP_KDF_free(kdf);
  FABSIM_ASSERT(kctx != nullptr);
  // OSSL_PARAM wants non-const pointers; OpenSSL only reads them.
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>("SHA256"), 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<char*>(ikm.data()),
                                        ikm.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<char*>(salt.data()),
                                        salt.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, const_cast<char*>(info.data()),
                                        info.size()),
      OSSL_PARAM_construct_end(),
  };
  std::string out(length, '\0');
  const int rc = EVP_KDF_derive(kctx, reinterpret_cast<unsigned char*>(out.data()), out.size(), params);
  EVP_KDF_CTX_free(kctx);
  FABSIM_ASSERT(rc == 1);
  return out;
}

std::string to_hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.resize(bytes.size() * 2);
  for (size_t i = 0; i < bytes.size(); ++i) {
    const auto b = static_cast<uint8_t>(bytes[i]);
    out[2 * i] = kDigits[b >> 4];
    out[2 * i + 1] = kDigits[b & 0x0f];
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) {
    return Status::invalid_argument("hex string has odd length " + std::to_string(hex.size()));
  }
  std::string out(hex.size() / 2, '\0');
  for (size_t i = 0; i < out.size(); ++i) {
    const int hi = hex_value(hex[2 * i]);
    const int lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      return Status::invalid_argument("non-hex character at offset " +
                                      std::to_string(hi < 0 ? 2 * i : 2 * i + 1));
    }
    out[i] = static_cast<char>((hi << 4) | lo);
  }
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace fabsim::crypto
