#include "core/crypto/openssl_util.h"

#include <openssl/obj_mac.h>

namespace fabsim::crypto::internal {

const P256& p256() {
  // Built once, then read-only. fabsim is single-threaded; the function-local static would
  // also be safe if it were not.
  static const P256 kP256 = [] {
    EC_GROUP* group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
    FABSIM_ASSERT(group != nullptr);
    const BIGNUM* order = EC_GROUP_get0_order(group);
    FABSIM_ASSERT(order != nullptr);
    BIGNUM* half = BN_dup(order);
    FABSIM_ASSERT(half != nullptr);
    FABSIM_ASSERT(BN_rshift1(half, half) == 1);
    BIGNUM* order_minus_2 = BN_dup(order);
    FABSIM_ASSERT(order_minus_2 != nullptr && BN_sub_word(order_minus_2, 2) == 1);
    BN_MONT_CTX* mont = BN_MONT_CTX_new();
    BN_CTX* ctx = BN_CTX_new();
    FABSIM_ASSERT(mont != nullptr && ctx != nullptr && BN_MONT_CTX_set(mont, order, ctx) == 1);
    BN_CTX_free(ctx);
    return P256{group, order, half, order_minus_2, mont};
  }();
  return kP256;
}

std::array<uint8_t, 32> bn_to_32(const BIGNUM* bn) {
  FABSIM_ASSERT(!BN_is_negative(bn));
  std::array<uint8_t, 32> out{};
  FABSIM_ASSERT(BN_bn2binpad(bn, out.data(), static_cast<int>(out.size())) == 32);
  return out;
}

BnPtr bn_from_bytes(const uint8_t* data, size_t len) {
  BnPtr p(BN_bin2bn(data, static_cast<int>(len), nullptr));
  FABSIM_ASSERT(p != nullptr);
  return p;
}

}  // namespace fabsim::crypto::internal
