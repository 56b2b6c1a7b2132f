// BlockWriter: one channel's block writer on the orderer (Fabric's
// orderer/common/multichannel/blockwriter.go), the only writer of the channel's block store.
//
// write_block turns a batch into the next block (§8): number = height, previous_hash = the
// header hash of the previous block, data_hash = block_data_hash, five metadata slots;
// SIGNATURES = Metadata{value = OrdererBlockMetadata{last_config{0}}, signatures = [the
// orderer's MetadataSignature]} (protoutil::add_block_signature, nonce from
// ctx.rng()); LAST_CONFIG = Metadata{value = LastConfig{0}} (unsigned, as the 2.2 writer
// writes it). The store's copy carries a TRANSACTIONS_FILTER of NOT_VALIDATED per
// transaction because our BlockStore requires one; Deliver sends blocks with that slot
// empty, as Fabric's orderer does.
//
// Genesis: open() writes block 0 when the store is empty: one unsigned envelope whose
// Payload has ChannelHeader{type CONFIG, channel_id, tx_id ""} and SignatureHeader{nonce}
// and empty data, previous_hash empty, SIGNATURES value OrdererBlockMetadata{last_config 0}
// with no signatures, LAST_CONFIG 0 (Fabric's common/genesis). It stands in for the
// channel's config block: configuration transactions are not modelled, and peers commit
// block 0 as they join. (Fabric's genesis sets tx_id = ComputeTxID(nonce, nil) and data = a
// ConfigEnvelope; we leave both empty.)
//
// Consenter metadata (Kafka's KafkaMetadata): when write_block is given some, it goes where
// Fabric 1.4.1+ writes it — OrdererBlockMetadata.consenter_metadata inside SIGNATURES, and
// the ORDERER slot as Metadata{value} (fabric-semantics.md §5.1); consenter_metadata()
// reads it back the way GetConsenterMetadataFromBlock does (SIGNATURES first, then ORDERER).
//
// Durability: a block is appended to the store on the host's durable Env at the moment it is
// written, within the call (not at the release of the outputs).
//
// Analysis event: each block written emits kEventBlock ("orderer.block") with value = the
// block number, data = a BlockWrittenEvent and, for the trace, detail = "reason=<r> txs=<n>
// bytes=<b>": r is the cut reason's name (or "genesis"), n its transactions and b the
// marshalled size as stored.
//
// Costs: block_sign per block signed, block_write_per_kb per started KiB of the block.
// Ownership: owns the BlockStore; borrows the signer. Single-threaded.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "core/crypto/signing_identity.h"
#include "core/node.h"
#include "core/status.h"
#include "core/time.h"
#include "model/ledger/block_store.h"
#include "model/orderer/block_cutter.h"

namespace fabsim::orderer {

inline constexpr const char* kEventBlock = "orderer.block";
// The typed record of a kEventBlock (AnalysisEvent::data).
struct BlockWrittenEvent {
  std::string channel;
  uint64_t number = 0;
  std::string reason;  // cut_reason_name() of the cut, or "genesis"
  uint64_t transactions = 0;
  uint64_t bytes = 0;  // marshalled size as stored
};

// The consenter metadata a block carries (see above); empty when it has none.
std::string consenter_metadata(const common::Block& block);

class BlockWriter {
 public:
  struct Config {
    std::string channel_id;
    const crypto::SigningIdentity* signer = nullptr;  // borrowed
    Duration block_sign;
    Duration block_write_per_kb;
    std::string ledger_path;  // directory on the host's Env
    // Set: the genesis block's nonce comes from this seed and the channel id instead of the
    // node's random stream, so that every orderer of a channel starts from the same genesis
    // block (Kafka's OSNs, bootstrapped from one configtxgen block in Fabric).
    std::optional<uint64_t> shared_genesis_seed;
  };

  // Opens the channel's store on the host's Env and writes the genesis block when it is
  // empty. An error when the store cannot be opened.
  static Result<std::unique_ptr<BlockWriter>> open(NodeContext& ctx, Config config);

  // Writes `batch` (non-empty) as the next block, cut for `reason`, with the consenter's
  // metadata (empty: none, as solo writes).
  void write_block(NodeContext& ctx, const Batch& batch, const char* reason, const std::string& consenter_metadata = {});

  uint64_t height() const { return store_->height(); }
  const ledger::BlockStore& store() const { return *store_; }

 private:
  BlockWriter(Config config, std::unique_ptr<ledger::BlockStore> store)
      : config_(std::move(config)), store_(std::move(store)) {}
  void write_genesis(NodeContext& ctx);
  void append(NodeContext& ctx, common::Block block, const char* reason);

  Config config_;
  std::unique_ptr<ledger::BlockStore> store_;
};

}  // namespace fabsim::orderer
