#include "core/crypto/signing_identity.h"

#include "core/crypto/msp.h"

namespace fabsim::crypto {

SigningIdentity::SigningIdentity(const IssuedIdentity& issued, SignatureScheme scheme, uint64_t seed)
    : msp_id_(issued.msp_id),
      name_(issued.name),
      certificate_(issued.certificate),
      serialized_(serialize_identity(issued.msp_id, issued.certificate)),
      signer_(make_signer(scheme, seed, issued)) {}

}  // namespace fabsim::crypto
