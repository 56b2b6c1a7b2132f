// SoloOrderer: an ordering service node with one channel and solo consensus, as a process
// on the node interface (core/node.h), composed of the components Fabric separates
// (fabric-semantics.md §1.2, §1.3 and §8; Fabric's orderer/common/broadcast, msgprocessor,
// consensus/solo, multichannel/blockwriter and common/deliver):
//
//   Broadcast   broadcast.h: one fabsim.BroadcastReply per kBroadcast, in order, to the
//               sender; an accepted envelope is posted to the chain (kOrderedEnvelope).
//   Chain       chain.h, solo_chain.h: the block cutter, the batch timer and Fabric's timer
//               rule; blocks are written through the BlockWriter.
//   BlockWriter block_writer.h: assembles, signs and appends blocks; the genesis block;
//               the kEventBlock analysis event.
//   Deliver     deliver_service.h: streams of blocks from the store; each block written is
//               pushed to the waiting streams.
//   Access      channel_access.h: the Writers/Readers stand-in both Broadcast and Deliver use.
//
// Lanes (core/node.h), as Fabric's goroutines run: Broadcast is one goroutine per client
// stream (its filters run there, concurrently across clients, in order for one client);
// the chain is one goroutine, and Deliver requests run on it too, so every stream gets its
// blocks in order. Messages of other kinds are ignored.
//
// Durability: the block store, on the host's durable Env (SoloConfig::ledger_path); the
// pending batch, the timer and Deliver streams are volatile (Fabric's solo loses them in a
// crash); a new process on the same DurableStore reopens the store and continues at its
// height.
//
// Costs: broadcast_check per kBroadcast (signature verify included), deliver_check per
// kDeliverRequest, block_cut per batch cut, block_sign per block signed, block_write_per_kb
// per started KiB of the marshalled block, deliver_per_block per block sent.
//
// Ownership: borrows the MspManager, SigningIdentity and Verifier (they must outlive the
// process); owns its components. Single-threaded.
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/crypto/msp.h"
#include "core/crypto/signature.h"
#include "core/crypto/signing_identity.h"
#include "core/node.h"
#include "model/ledger/block_store.h"
#include "model/orderer/block_cutter.h"
#include "model/orderer/block_writer.h"
#include "model/orderer/channel_access.h"
#include "model/orderer/deliver_service.h"
#include "model/orderer/solo_chain.h"

namespace fabsim::orderer {

// Virtual CPU the orderer charges, derived from the cost model by model/node_costs.h
// (zero unless set).
struct OrdererCosts {
  Duration broadcast_check;   // per kBroadcast: parse, filters, signature verify
  Duration deliver_check;     // per kDeliverRequest: parse, signature verify
  Duration block_cut;          // per batch cut
  Duration block_sign;         // per block signed (hashing + one signature)
  Duration block_write_per_kb;  // per started KiB of a written block
  Duration deliver_per_block;  // per block sent on a Deliver stream
};
// The charges of CostModel::defaults() under ECDSA (model/node_costs.h derives every
// process's charges from the cost model; this is SoloConfig's default).
OrdererCosts default_orderer_costs();

struct SoloConfig {
  std::string channel_id;
  BatchSettings batch;  // must pass validate_batch_settings
  const crypto::MspManager* msps = nullptr;           // the channel's MSPs; borrowed
  std::set<std::string> channel_msp_ids;              // the MSP IDs of the channel's orgs
  const crypto::SigningIdentity* signer = nullptr;    // the orderer's identity; borrowed
  const crypto::Verifier* verifier = nullptr;         // borrowed
  OrdererCosts costs = default_orderer_costs();
  std::string ledger_path = "orderer/ledger";         // directory on the host's Env
};

class SoloOrderer : public Process {
 public:
  // Timer tag of the batch timer.
  static constexpr uint64_t kBatchTimerTag = SoloChain::kBatchTimerTag;
  static constexpr LaneId kChainLane = 0;
  static constexpr LaneId kBroadcastLane = 1;

  // Asserts that the pointers are set, the MSP set is non-empty and the batch settings valid.
  explicit SoloOrderer(SoloConfig config);
  SoloOrderer(const SoloOrderer&) = delete;  // the components point into config_
  SoloOrderer& operator=(const SoloOrderer&) = delete;

  std::vector<LaneSpec> lanes() const override;
  LaneId lane_of_message(HostId from, const Message& msg) const override;

  // Opens the block store; writes the genesis block when it is empty.
  void on_start(NodeContext& ctx) override;
  void on_message(NodeContext& ctx, HostId from, const Message& msg) override;
  void on_timer(NodeContext& ctx, TimerId id, uint64_t tag) override;

  // ---- observers (tests, analysis) ----------------------------------------------------
  uint64_t height() const { return writer_ ? writer_->height() : 0; }
  const ledger::BlockStore& block_store() const { return writer_->store(); }
  bool batch_timer_running() const { return chain_ && chain_->batch_timer_running(); }
  size_t pending_count() const { return chain_ ? chain_->pending_count() : 0; }
  size_t open_streams() const { return deliver_ ? deliver_->open_streams() : 0; }

 private:
  void on_broadcast(NodeContext& ctx, HostId from, const Message& msg);
  // The chain's side of Order(): an envelope Broadcast accepted (kOrderedEnvelope).
  void on_ordered(NodeContext& ctx, const Message& msg);

  SoloConfig config_;
  ChannelAccess access_;
  std::unique_ptr<BlockWriter> writer_;
  std::unique_ptr<SoloChain> chain_;
  std::unique_ptr<DeliverService> deliver_;
};

}  // namespace fabsim::orderer
