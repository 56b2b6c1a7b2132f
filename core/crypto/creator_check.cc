#include "core/crypto/creator_check.h"

namespace fabsim::crypto {

Status check_signature_from_creator(const MspManager& msps, const Verifier& verifier, std::string_view creator,
                                    std::string_view message, std::string_view signature) {
  auto identity = msps.deserialize_identity(creator);
  if (!identity.is_ok())
    return Status::failed_precondition("creator is not a valid identity of the channel: " + identity.status().message());
  if (!identity->is_valid())
    return Status::failed_precondition("creator is not a valid identity of the channel: " +
                                       identity->validation().message());
  if (Status s = verifier.verify(identity->certificate(), message, signature); !s.is_ok())
    return Status::corruption("the creator's signature is not valid: " + s.message());
  return Status::ok();
}

}  // namespace fabsim::crypto
