#include "model/chaincode/sha256.h"

#include <openssl/evp.h>

#include "core/assert.h"

namespace fabsim::chaincode {

std::string sha256(std::string_view data) {
  std::string digest(kSha256Bytes, '\0');
  unsigned int length = 0;
  // EVP_Digest only fails on allocation failure or a broken OpenSSL install; neither is
  // an expected outcome of a simulation.
  const int ok = EVP_Digest(data.data(), data.size(), reinterpret_cast<unsigned char*>(digest.data()), &length,
                            EVP_sha256(), nullptr);
  FABSIM_ASSERT(ok == 1);
  FABSIM_ASSERT(length == kSha256Bytes);
  return digest;
}

}  // namespace fabsim::chaincode
