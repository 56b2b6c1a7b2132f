// The peer's check of a block received from the ordering service, before it is validated
// and committed: Fabric 2.2's MessageCryptoService.VerifyBlock (internal/peer/gossip/mcs.go),
// which the deliver client (internal/pkg/peer/blocksprovider) runs on every block. In order:
//   1. the header is present and its number is the one expected;
//   2. the channel named by the first envelope's channel header is this channel;
//   3. the metadata has a SIGNATURES entry that parses as a common.Metadata;
//   4. header.data_hash equals block_data_hash(data);
//   5. the signatures satisfy the channel's BlockValidation policy. Each MetadataSignature
//      signs  metadata.value ‖ signature_header ‖ block_header_bytes(header)  with the
//      identity named in its signature header; as in Fabric's EvaluateSignedData, a signer
//      whose identity does not deserialize or whose signature does not verify counts as
//      absent, and the policy decides.
// A block that fails is not committed; the deliver client drops the stream and reconnects
// (peer/peer.h). The signed bytes are protoutil::block_signed_bytes (protoutil/
// block_signature.h, the block writer's side). Block 0 is not checked here: a peer joins a channel with its genesis
// block, which carries no orderer signature.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/crypto/msp.h"
#include "core/crypto/signature.h"
#include "core/crypto/signing_identity.h"
#include "core/policy/policy_evaluator.h"
#include "core/proto/common/common.pb.h"
#include "core/status.h"

namespace fabsim::validation {

struct BlockVerifyContext {
  std::string channel_id;
  const crypto::MspManager* msps = nullptr;
  const crypto::Verifier* verifier = nullptr;
  const CompiledSignaturePolicy* policy = nullptr;  // the channel's BlockValidation policy
};

// OK, or InvalidArgument saying which rule failed. `signatures_checked` (may be null)
// receives the number of signatures verified, for the cost model.
Status verify_block(const common::Block& block, uint64_t expected_number, const BlockVerifyContext& ctx,
                    uint64_t* signatures_checked = nullptr);

}  // namespace fabsim::validation
