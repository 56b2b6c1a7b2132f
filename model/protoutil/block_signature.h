// Block signatures as the orderer's block writer makes them (Fabric's
// orderer/common/multichannel/blockwriter.go addBlockSignature): the write side. Checking
// them is the peer's business (validation/block_verify.h, Fabric's VerifyBlock), which uses
// the same signed bytes.
#pragma once

#include <string>
#include <string_view>

#include "core/crypto/signing_identity.h"
#include "core/proto/common/common.pb.h"
#include "core/status.h"

namespace fabsim::protoutil {

// The bytes a block signature signs: the SIGNATURES metadata value, then the signature
// header, then the block header's bytes.
std::string block_signed_bytes(std::string_view metadata_value, std::string_view signature_header,
                               const common::BlockHeader& header);

// Appends `signer`'s signature (with `nonce` in its signature header) to the block's
// SIGNATURES metadata, over the metadata value already there and the header.
// InvalidArgument when the SIGNATURES metadata does not parse.
Status add_block_signature(common::Block* block, const crypto::SigningIdentity& signer, std::string_view nonce);

}  // namespace fabsim::protoutil
