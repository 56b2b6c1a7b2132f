#include "model/orderer/block_writer.h"

#include <fmt/format.h>

#include <utility>

#include "core/assert.h"
#include "core/crypto/txid.h"
#include "core/proto/peer/transaction.pb.h"
#include "model/ledger/block_hash.h"
#include "model/protoutil/block_signature.h"
#include "model/protoutil/proto_io.h"

namespace fabsim::orderer {
namespace {

constexpr int kMetadataSlots = 5;  // NewBlock: one per BlockMetadataIndex (§8.2)
// common::LAST_CONFIG: deprecated in the 2.x protos (hence no use of the enum, which would
// warn), yet still written by the 2.2 block writer.
constexpr int kLastConfigSlot = 1;
constexpr int kOrdererSlot = 3;  // common::ORDERER, deprecated likewise

using protoutil::marshal;

// Metadata slots 0..4, empty.
void init_metadata(common::Block* block) {
  for (int i = 0; i < kMetadataSlots; ++i) block->mutable_metadata()->add_metadata();
}

std::string last_config_zero() {
  common::LastConfig lc;
  lc.set_index(0);
  common::Metadata md;
  md.set_value(marshal(lc));
  return marshal(md);
}

std::string orderer_block_metadata_zero(const std::string& consenter_metadata = {}) {
  common::OrdererBlockMetadata obm;
  obm.mutable_last_config()->set_index(0);
  if (!consenter_metadata.empty()) obm.set_consenter_metadata(consenter_metadata);
  return marshal(obm);
}

}  // namespace

std::string consenter_metadata(const common::Block& block) {
  const auto& slots = block.metadata().metadata();
  common::Metadata md;
  common::OrdererBlockMetadata obm;
  if (slots.size() > common::SIGNATURES && md.ParseFromString(slots[common::SIGNATURES]) &&
      obm.ParseFromString(md.value()) && !obm.consenter_metadata().empty())
    return obm.consenter_metadata();
  if (slots.size() > kOrdererSlot && md.ParseFromString(slots[kOrdererSlot])) return md.value();
  return {};
}

Result<std::unique_ptr<BlockWriter>> BlockWriter::open(NodeContext& ctx, Config config) {
  FABSIM_ASSERT(config.signer != nullptr);
  FABSIM_ASSERT(!config.channel_id.empty());
  auto store = ledger::BlockStore::open(ctx.mutable_store().env(), config.ledger_path, {});
  if (!store.is_ok()) return store.status();
  std::unique_ptr<BlockWriter> writer(new BlockWriter(std::move(config), std::move(store).value()));
  if (writer->height() == 0) writer->write_genesis(ctx);
  return writer;
}

void BlockWriter::write_block(NodeContext& ctx, const Batch& batch, const char* reason,
                              const std::string& consenter_metadata) {
  FABSIM_ASSERT(!batch.empty());
  common::Block block;
  common::BlockHeader* header = block.mutable_header();
  header->set_number(store_->height());
  header->set_previous_hash(store_->current_block_hash());
  for (const common::Envelope& env : batch) block.mutable_data()->add_data(marshal(env));
  header->set_data_hash(ledger::block_data_hash(block.data()));
  init_metadata(&block);

  // SIGNATURES (blockwriter.addBlockSignature): value ‖ signature_header ‖ header bytes.
  common::Metadata sigs;
  sigs.set_value(orderer_block_metadata_zero(consenter_metadata));
  block.mutable_metadata()->set_metadata(common::SIGNATURES, marshal(sigs));
  if (!consenter_metadata.empty()) {  // 1.4's copy in the ORDERER slot
    common::Metadata md;
    md.set_value(consenter_metadata);
    block.mutable_metadata()->set_metadata(kOrdererSlot, marshal(md));
  }
  const Status signed_ok = protoutil::add_block_signature(&block, *config_.signer, crypto::make_nonce(ctx.rng()));
  FABSIM_ASSERT_MSG(signed_ok.is_ok(), signed_ok.to_string());  // the metadata was just written
  ctx.charge(config_.block_sign);
  block.mutable_metadata()->set_metadata(kLastConfigSlot, last_config_zero());
  append(ctx, std::move(block), reason);
}

void BlockWriter::write_genesis(NodeContext& ctx) {
  common::ChannelHeader chdr;
  chdr.set_type(common::CONFIG);
  chdr.set_channel_id(config_.channel_id);
  common::SignatureHeader shdr;
  if (config_.shared_genesis_seed) {
    Rng shared = Rng::stream(*config_.shared_genesis_seed, "genesis/" + config_.channel_id);
    shdr.set_nonce(crypto::make_nonce(shared));
  } else {
    shdr.set_nonce(crypto::make_nonce(ctx.rng()));
  }
  common::Payload payload;
  payload.mutable_header()->set_channel_header(marshal(chdr));
  payload.mutable_header()->set_signature_header(marshal(shdr));
  common::Envelope env;
  env.set_payload(marshal(payload));

  common::Block block;
  block.mutable_header()->set_number(0);
  block.mutable_data()->add_data(marshal(env));
  block.mutable_header()->set_data_hash(ledger::block_data_hash(block.data()));
  init_metadata(&block);
  common::Metadata sigs;
  sigs.set_value(orderer_block_metadata_zero());
  block.mutable_metadata()->set_metadata(common::SIGNATURES, marshal(sigs));
  block.mutable_metadata()->set_metadata(kLastConfigSlot, last_config_zero());
  append(ctx, std::move(block), "genesis");
}

void BlockWriter::append(NodeContext& ctx, common::Block block, const char* reason) {
  // Our BlockStore wants one TRANSACTIONS_FILTER entry per transaction (see the header).
  block.mutable_metadata()->set_metadata(
      common::TRANSACTIONS_FILTER, std::string(static_cast<size_t>(block.data().data_size()),
                                               static_cast<char>(protos::NOT_VALIDATED)));
  const size_t bytes = block.ByteSizeLong();
  const Status appended = store_->append(block);
  FABSIM_ASSERT_MSG(appended.is_ok(), appended.to_string());  // we built it from the store's tip
  ctx.charge_disk(config_.block_write_per_kb * static_cast<int64_t>((bytes + 1023) / 1024));
  const auto txs = static_cast<uint64_t>(block.data().data_size());
  ctx.emit(kEventBlock, static_cast<int64_t>(block.header().number()),
           fmt::format("reason={} txs={} bytes={}", reason, txs, bytes),
           BlockWrittenEvent{config_.channel_id, block.header().number(), reason, txs, bytes});
}

}  // namespace fabsim::orderer
