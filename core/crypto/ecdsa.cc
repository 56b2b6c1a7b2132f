#include "core/crypto/ecdsa.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/param_build.h>

#include <cstring>

#include "core/assert.h"
#include "core/crypto/openssl_util.h"

namespace fabsim::crypto {

using internal::BnCtxPtr;
using internal::BnPtr;
using internal::EcdsaSigPtr;
using internal::EcPointPtr;
using internal::EvpPkeyCtxPtr;
using internal::p256;

namespace {

constexpr size_t kUncompressedPointSize = 65;

struct EvpPkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};

std::shared_ptr<EVP_PKEY> share_pkey(EVP_PKEY* owned) {
  return std::shared_ptr<EVP_PKEY>(owned, EvpPkeyFree{});
}

// Scalar and Digest256 are the same type: 32 big-endian bytes.
BnPtr bn_of(const Scalar& s) { return internal::bn_from_bytes(s.data(), s.size()); }

bool is_zero(const Scalar& s) {
  for (uint8_t b : s) {
    if (b != 0) return false;
  }
  return true;
}

// Decodes a SEC 1 point and checks it is a finite point on P-256.
Result<EcPointPtr> decode_point(std::string_view bytes) {
  const EC_GROUP* group = p256().group;
  EcPointPtr point(EC_POINT_new(group));
  FABSIM_ASSERT(point != nullptr);
  BnCtxPtr ctx = internal::new_bn_ctx();
  if (EC_POINT_oct2point(group, point.get(), reinterpret_cast<const unsigned char*>(bytes.data()),
                         bytes.size(), ctx.get()) != 1 ||
      EC_POINT_is_at_infinity(group, point.get()) ||
      EC_POINT_is_on_curve(group, point.get(), ctx.get()) != 1) {
    internal::clear_openssl_errors();
    return Status::invalid_argument("not a point on P-256");
  }
  return point;
}

std::string encode_uncompressed(const EC_POINT* point) {
  std::string out(kUncompressedPointSize, '\0');
  BnCtxPtr ctx = internal::new_bn_ctx();
  const size_t n = EC_POINT_point2oct(p256().group, point, POINT_CONVERSION_UNCOMPRESSED,
                                      reinterpret_cast<unsigned char*>(out.data()), out.size(),
                                      ctx.get());
  FABSIM_ASSERT(n == kUncompressedPointSize);
  return out;
}

// An OpenSSL EC public key on P-256 from an uncompressed point already checked by decode_point.
std::shared_ptr<EVP_PKEY> build_public_pkey(const std::string& point) {
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  FABSIM_ASSERT(bld != nullptr);
  FABSIM_ASSERT(OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) == 1);
  FABSIM_ASSERT(OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                                 point.size()) == 1);
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
  OSSL_PARAM_BLD_free(bld);
  FABSIM_ASSERT(params != nullptr);
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  FABSIM_ASSERT(ctx != nullptr);
  EVP_PKEY* pkey = nullptr;
  FABSIM_ASSERT(EVP_PKEY_fromdata_init(ctx.get()) == 1);
  const int rc = EVP_PKEY_fromdata(ctx.get(), &pkey, EVP_PKEY_PUBLIC_KEY, params);
  OSSL_PARAM_free(params);
  FABSIM_ASSERT(rc == 1 && pkey != nullptr);
  return share_pkey(pkey);
}

}  // namespace

const Scalar& p256_order() {
  static const Scalar kOrder = internal::bn_to_32(p256().order);
  return kOrder;
}

const Scalar& p256_half_order() {
  static const Scalar kHalf = internal::bn_to_32(p256().half_order);
  return kHalf;
}

// ---- EcdsaPublicKey ----------------------------------------------------------------------

Result<EcdsaPublicKey> EcdsaPublicKey::from_uncompressed_point(std::string_view point) {
  if (point.size() != kUncompressedPointSize || static_cast<uint8_t>(point[0]) != 0x04) {
    return Status::invalid_argument("P-256 public key must be a 65-byte uncompressed point");
  }
  auto decoded = decode_point(point);
  if (!decoded) return decoded.status();
  std::string p(point);
  auto pkey = build_public_pkey(p);
  return EcdsaPublicKey(std::move(p), std::move(pkey));
}

Result<EcdsaPublicKey> EcdsaPublicKey::from_evp(EVP_PKEY* pkey) {
  FABSIM_ASSERT(pkey != nullptr);
  if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_EC) {
    return Status::invalid_argument("public key is not an EC key (fabsim supports ECDSA P-256 only)");
  }
  char group[64] = {0};
  size_t group_len = 0;
  if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                     &group_len) != 1 ||
      std::string_view(group, group_len) != "prime256v1") {
    internal::clear_openssl_errors();
    return Status::invalid_argument("EC public key is not on P-256");
  }
  unsigned char buf[133];
  size_t len = 0;
  if (EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_PUB_KEY, buf, sizeof(buf), &len) != 1) {
    internal::clear_openssl_errors();
    return Status::invalid_argument("EC public key has no public point");
  }
  // Normalise (a certificate may carry a compressed point) to the uncompressed form.
  auto decoded = decode_point(std::string_view(reinterpret_cast<const char*>(buf), len));
  if (!decoded) return decoded.status();
  FABSIM_ASSERT(EVP_PKEY_up_ref(pkey) == 1);
  return EcdsaPublicKey(encode_uncompressed(decoded->get()), share_pkey(pkey));
}

// ---- EcdsaPrivateKey ---------------------------------------------------------------------

Result<EcdsaPrivateKey> EcdsaPrivateKey::from_scalar(const Scalar& d) {
  if (is_zero(d) || !(d < p256_order())) {
    return Status::invalid_argument("P-256 private scalar must be in [1, n-1]");
  }
  const EC_GROUP* group = p256().group;
  BnPtr bn_d = bn_of(d);
  EcPointPtr pub(EC_POINT_new(group));
  FABSIM_ASSERT(pub != nullptr);
  BnCtxPtr ctx = internal::new_bn_ctx();
  FABSIM_ASSERT(EC_POINT_mul(group, pub.get(), bn_d.get(), nullptr, nullptr, ctx.get()) == 1);
  auto pk = EcdsaPublicKey::from_uncompressed_point(encode_uncompressed(pub.get()));
  FABSIM_ASSERT(pk.is_ok());
  return EcdsaPrivateKey(d, std::move(pk).value());
}

EcdsaPrivateKey EcdsaPrivateKey::from_seed_bytes(std::string_view bytes) {
  FABSIM_ASSERT_MSG(bytes.size() >= 40, "need at least 320 bits to map onto P-256 uniformly");
  BnCtxPtr ctx = internal::new_bn_ctx();
  BnPtr c = internal::bn_from_bytes(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  BnPtr n_minus_1(BN_dup(p256().order));
  FABSIM_ASSERT(n_minus_1 != nullptr);
  FABSIM_ASSERT(BN_sub_word(n_minus_1.get(), 1) == 1);
  BnPtr d = internal::new_bn();
  FABSIM_ASSERT(BN_nnmod(d.get(), c.get(), n_minus_1.get(), ctx.get()) == 1);
  FABSIM_ASSERT(BN_add_word(d.get(), 1) == 1);
  auto key = from_scalar(internal::bn_to_32(d.get()));
  FABSIM_ASSERT(key.is_ok());
  return std::move(key).value();
}

// ---- RFC 6979 ----------------------------------------------------------------------------

namespace {
Digest256 hmac_parts(const Digest256& key, std::initializer_list<std::string_view> parts) {
  std::string data;
  for (std::string_view p : parts) data.append(p);
  return hmac_sha256(as_bytes(key), data);
}
std::string_view view(const Scalar& s) { return {reinterpret_cast<const char*>(s.data()), s.size()}; }
}  // namespace

Rfc6979Nonces::Rfc6979Nonces(const Scalar& private_key, const Digest256& message_digest) {
  // bits2octets(h1): h1 as an integer (qlen = hlen, no shift), reduced mod q. h1 < 2^256 < 2q,
  // so one conditional subtraction is the full reduction.
  Scalar h{};
  std::memcpy(h.data(), message_digest.data(), h.size());
  if (!(h < p256_order())) {
    BnPtr bh = bn_of(h);
    FABSIM_ASSERT(BN_sub(bh.get(), bh.get(), p256().order) == 1);
    h = internal::bn_to_32(bh.get());
  }
  v_.fill(0x01);
  k_.fill(0x00);
  const std::string_view zero("\x00", 1);
  const std::string_view one("\x01", 1);
  k_ = hmac_parts(k_, {as_bytes(v_), zero, view(private_key), view(h)});
  v_ = hmac_parts(k_, {as_bytes(v_)});
  k_ = hmac_parts(k_, {as_bytes(v_), one, view(private_key), view(h)});
  v_ = hmac_parts(k_, {as_bytes(v_)});
}

Scalar Rfc6979Nonces::next() {
  const std::string_view zero("\x00", 1);
  // Bounded: each candidate is out of [1, q-1] with probability about 2^-32.
  for (int attempt = 0; attempt < 1024; ++attempt) {
    if (!first_) {
      k_ = hmac_parts(k_, {as_bytes(v_), zero});
      v_ = hmac_parts(k_, {as_bytes(v_)});
    }
    first_ = false;
    v_ = hmac_parts(k_, {as_bytes(v_)});
    Scalar t{};
    std::memcpy(t.data(), v_.data(), t.size());
    if (!is_zero(t) && t < p256_order()) return t;
  }
  FABSIM_ASSERT_MSG(false, "RFC 6979 produced no nonce in 1024 candidates");
  return {};
}

// ---- Signing -----------------------------------------------------------------------------

EcdsaSignatureValues ecdsa_sign_digest_raw(const EcdsaPrivateKey& key, const Digest256& digest) {
  const internal::P256& curve = p256();
  BnCtxPtr ctx = internal::new_bn_ctx();
  BnPtr d = bn_of(key.scalar());
  BnPtr e = bn_of(digest);  // bits2int: qlen = hlen = 256, so the digest is used as is
  Rfc6979Nonces nonces(key.scalar(), digest);
  EcPointPtr point(EC_POINT_new(curve.group));
  FABSIM_ASSERT(point != nullptr);
  BnPtr x = internal::new_bn(), r = internal::new_bn(), s = internal::new_bn();
  BnPtr rd = internal::new_bn(), sum = internal::new_bn();
  // Bounded: r = 0 or s = 0 happens with probability about 2^-256 per candidate.
  for (int attempt = 0; attempt < 16; ++attempt) {
    BnPtr k = bn_of(nonces.next());
    FABSIM_ASSERT(EC_POINT_mul(curve.group, point.get(), k.get(), nullptr, nullptr, ctx.get()) == 1);
    FABSIM_ASSERT(EC_POINT_get_affine_coordinates(curve.group, point.get(), x.get(), nullptr, ctx.get()) == 1);
    FABSIM_ASSERT(BN_nnmod(r.get(), x.get(), curve.order, ctx.get()) == 1);
    if (BN_is_zero(r.get())) continue;
    // k^-1 = k^(q-2) mod q (q is prime): a Montgomery exponentiation, several times
    // faster here than BN_mod_inverse's bit-by-bit binary GCD.
    BnPtr kinv = internal::new_bn();
    FABSIM_ASSERT(BN_mod_exp_mont(kinv.get(), k.get(), curve.order_minus_2, curve.order, ctx.get(), curve.order_mont) == 1);
    FABSIM_ASSERT(BN_mod_mul(rd.get(), r.get(), d.get(), curve.order, ctx.get()) == 1);
    FABSIM_ASSERT(BN_mod_add(sum.get(), e.get(), rd.get(), curve.order, ctx.get()) == 1);
    FABSIM_ASSERT(BN_mod_mul(s.get(), kinv.get(), sum.get(), curve.order, ctx.get()) == 1);
    if (BN_is_zero(s.get())) continue;
    return {internal::bn_to_32(r.get()), internal::bn_to_32(s.get())};
  }
  FABSIM_ASSERT_MSG(false, "ECDSA signing found no nonce with r != 0 and s != 0");
  return {};
}

bool is_low_s(const Scalar& s) { return !(p256_half_order() < s); }

Scalar to_low_s(const Scalar& s) {
  if (is_low_s(s)) return s;
  BnPtr bs = bn_of(s);
  BnPtr out = internal::new_bn();
  FABSIM_ASSERT(BN_sub(out.get(), p256().order, bs.get()) == 1);
  return internal::bn_to_32(out.get());
}

std::string ecdsa_signature_to_der(const EcdsaSignatureValues& sig) {
  EcdsaSigPtr es(ECDSA_SIG_new());
  FABSIM_ASSERT(es != nullptr);
  BnPtr r = bn_of(sig.r), s = bn_of(sig.s);
  FABSIM_ASSERT(ECDSA_SIG_set0(es.get(), r.release(), s.release()) == 1);
  unsigned char* der = nullptr;
  const int len = i2d_ECDSA_SIG(es.get(), &der);
  FABSIM_ASSERT(len > 0 && der != nullptr);
  std::string out(reinterpret_cast<const char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

Result<EcdsaSignatureValues> ecdsa_signature_from_der(std::string_view der) {
  const auto* start = reinterpret_cast<const unsigned char*>(der.data());
  const unsigned char* p = start;
  EcdsaSigPtr es(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (es == nullptr) {
    internal::clear_openssl_errors();
    return Status::corruption("failed unmarshalling signature: not a DER ECDSA signature");
  }
  const auto consumed = static_cast<size_t>(p - start);
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(es.get(), &r, &s);
  if (BN_is_negative(r) || BN_is_zero(r)) {
    return Status::corruption("invalid signature, R must be larger than zero");
  }
  if (BN_is_negative(s) || BN_is_zero(s)) {
    return Status::corruption("invalid signature, S must be larger than zero");
  }
  if (BN_num_bytes(r) > 32 || BN_num_bytes(s) > 32) {
    return Status::corruption("invalid signature, R or S is wider than 256 bits");
  }
  EcdsaSignatureValues v{internal::bn_to_32(r), internal::bn_to_32(s)};
  // Go's asn1 accepts DER only: a BER-only form (long lengths, padded integers) is refused.
  if (ecdsa_signature_to_der(v) != der.substr(0, consumed)) {
    return Status::corruption("failed unmarshalling signature: not canonical DER");
  }
  return v;
}

std::string ecdsa_sign_digest(const EcdsaPrivateKey& key, const Digest256& digest) {
  EcdsaSignatureValues v = ecdsa_sign_digest_raw(key, digest);
  v.s = to_low_s(v.s);
  return ecdsa_signature_to_der(v);
}

// ---- Verification ------------------------------------------------------------------------

Status ecdsa_verify_digest(const EcdsaPublicKey& key, const Digest256& digest,
                           std::string_view der_signature) {
  auto values = ecdsa_signature_from_der(der_signature);
  if (!values) return values.status();
  if (!is_low_s(values->s)) {
    return Status::corruption("invalid S. Must be smaller than half the order");
  }
  // The curve check itself is stock OpenSSL, on the canonical encoding of what was parsed.
  const std::string der = ecdsa_signature_to_der(*values);
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new(key.evp(), nullptr));
  FABSIM_ASSERT(ctx != nullptr);
  FABSIM_ASSERT(EVP_PKEY_verify_init(ctx.get()) == 1);
  const int rc = EVP_PKEY_verify(ctx.get(), reinterpret_cast<const unsigned char*>(der.data()),
                                 der.size(), digest.data(), digest.size());
  if (rc != 1) {
    internal::clear_openssl_errors();
    return Status::corruption("the signature is invalid");
  }
  return Status::ok();
}

}  // namespace fabsim::crypto
