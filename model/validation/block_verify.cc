#include "model/validation/block_verify.h"

#include <vector>

#include "core/crypto/sha256.h"
#include "model/ledger/block_hash.h"
#include "model/protoutil/block_signature.h"
#include "model/protoutil/proto_io.h"

namespace fabsim::validation {

namespace {

// Fabric's protoutil.GetChannelIDFromBlock: the first envelope's channel header.
Result<std::string> channel_of(const common::Block& block) {
  if (block.data().data_size() == 0) return Status::invalid_argument("block is empty: no channel to read");
  common::Envelope env;
  common::Payload payload;
  common::ChannelHeader chdr;
  if (!protoutil::parse(&env, block.data().data(0)) || !protoutil::parse(&payload, env.payload()) ||
      !protoutil::parse(&chdr, payload.header().channel_header()))
    return Status::invalid_argument("the first envelope's channel header does not parse");
  return chdr.channel_id();
}

}  // namespace

Status verify_block(const common::Block& block, uint64_t expected_number, const BlockVerifyContext& ctx,
                    uint64_t* signatures_checked) {
  if (signatures_checked != nullptr) *signatures_checked = 0;
  if (!block.has_header()) return Status::invalid_argument("block has no header");
  if (block.header().number() != expected_number)
    return Status::invalid_argument("block number " + std::to_string(block.header().number()) + " is not the expected " +
                                    std::to_string(expected_number));
  auto channel = channel_of(block);
  if (!channel.is_ok()) return channel.status();
  if (*channel != ctx.channel_id)
    return Status::invalid_argument("block is for channel '" + *channel + "', not '" + ctx.channel_id + "'");
  common::Metadata sigs;
  if (block.metadata().metadata_size() <= common::SIGNATURES ||
      !protoutil::parse(&sigs, block.metadata().metadata(common::SIGNATURES)))
    return Status::invalid_argument("block has no parsable SIGNATURES metadata");
  if (ledger::block_data_hash(block.data()) != block.header().data_hash())
    return Status::invalid_argument("header data_hash differs from the hash of the block's data");

  const std::string header_bytes = ledger::block_header_bytes(block.header());
  std::vector<PolicySigner> signers(static_cast<size_t>(sigs.signatures_size()));
  for (int i = 0; i < sigs.signatures_size(); ++i) {
    const common::MetadataSignature& ms = sigs.signatures(i);
    PolicySigner& s = signers[static_cast<size_t>(i)];
    s.signature_valid = false;
    common::SignatureHeader shdr;
    if (!protoutil::parse(&shdr, ms.signature_header()))
      return Status::invalid_argument("signature " + std::to_string(i) + ": signature header does not parse");
    auto identity = ctx.msps->deserialize_identity(shdr.creator());
    if (!identity.is_ok() || !identity->is_valid()) continue;  // counts as absent
    s.identity.msp_id = identity->msp_id();
    s.identity.id_key = identity->id_key();
    s.identity.roles_mask = identity->roles_mask();
    if (signatures_checked != nullptr) ++*signatures_checked;
    const crypto::Digest256 digest = crypto::sha256_concat({sigs.value(), ms.signature_header(), header_bytes});
    s.signature_valid = ctx.verifier->verify_digest(identity->certificate(), digest, ms.signature()).is_ok();
  }
  if (!ctx.policy->evaluate(signers).satisfied)
    return Status::invalid_argument("block signatures do not satisfy the BlockValidation policy");
  return Status::ok();
}

}  // namespace fabsim::validation
