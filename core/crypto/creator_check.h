// Fabric's checkSignatureFromCreator (core/common/validation/msgvalidation.go): the
// serialized creator deserializes to a valid identity of one of the MSPs, and its signature
// over the message verifies. Used where a peer checks a proposal and where a committer
// checks a transaction envelope.
#pragma once

#include <string_view>

#include "core/crypto/msp.h"
#include "core/crypto/signature.h"
#include "core/status.h"

namespace fabsim::crypto {

// OK; or FailedPrecondition "creator is not a valid identity of the channel: ..." when the
// creator does not deserialize to a valid identity (no signature was checked); or
// Corruption "the creator's signature is not valid: ..." when the signature was checked
// and failed.
Status check_signature_from_creator(const MspManager& msps, const Verifier& verifier, std::string_view creator,
                                    std::string_view message, std::string_view signature);

// The same check for a message given by its SHA-256 digest: for signed data that is not one
// contiguous string, such as an endorsement's proposal-response payload ‖ endorser.
Status check_signature_from_creator(const MspManager& msps, const Verifier& verifier, std::string_view creator,
                                    const Digest256& digest, std::string_view signature);

}  // namespace fabsim::crypto
