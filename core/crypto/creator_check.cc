#include "core/crypto/creator_check.h"

namespace fabsim::crypto {

namespace {

// The identity check of both forms; the signature is checked by `verify` once it passes.
template <typename Verify>
Status check_creator(const MspManager& msps, std::string_view creator, Verify verify) {
  auto identity = msps.deserialize_identity(creator);
  if (!identity.is_ok())
    return Status::failed_precondition("creator is not a valid identity of the channel: " + identity.status().message());
  if (!identity->is_valid())
    return Status::failed_precondition("creator is not a valid identity of the channel: " +
                                       identity->validation().message());
  if (Status s = verify(identity->certificate()); !s.is_ok())
    return Status::corruption("the creator's signature is not valid: " + s.message());
  return Status::ok();
}

}  // namespace

Status check_signature_from_creator(const MspManager& msps, const Verifier& verifier, std::string_view creator,
                                    std::string_view message, std::string_view signature) {
  return check_creator(msps, creator,
                       [&](const Certificate& cert) { return verifier.verify(cert, message, signature); });
}

Status check_signature_from_creator(const MspManager& msps, const Verifier& verifier, std::string_view creator,
                                    const Digest256& digest, std::string_view signature) {
  return check_creator(msps, creator,
                       [&](const Certificate& cert) { return verifier.verify_digest(cert, digest, signature); });
}

}  // namespace fabsim::crypto
