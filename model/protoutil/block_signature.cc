#include "model/protoutil/block_signature.h"

#include "model/ledger/block_hash.h"
#include "model/protoutil/proto_io.h"

namespace fabsim::protoutil {

std::string block_signed_bytes(std::string_view metadata_value, std::string_view signature_header,
                               const common::BlockHeader& header) {
  std::string out(metadata_value);
  out.append(signature_header);
  out.append(ledger::block_header_bytes(header));
  return out;
}

Status add_block_signature(common::Block* block, const crypto::SigningIdentity& signer, std::string_view nonce) {
  while (block->metadata().metadata_size() <= common::SIGNATURES) block->mutable_metadata()->add_metadata();
  common::Metadata sigs;
  if (!parse(&sigs, block->metadata().metadata(common::SIGNATURES)))
    return Status::invalid_argument("the block's SIGNATURES metadata does not parse");
  common::SignatureHeader shdr;
  shdr.set_creator(signer.serialized());
  shdr.set_nonce(std::string(nonce));
  common::MetadataSignature* ms = sigs.add_signatures();
  ms->set_signature_header(marshal(shdr));
  ms->set_signature(signer.sign(block_signed_bytes(sigs.value(), ms->signature_header(), block->header())));
  block->mutable_metadata()->set_metadata(common::SIGNATURES, marshal(sigs));
  return Status::ok();
}

}  // namespace fabsim::protoutil
