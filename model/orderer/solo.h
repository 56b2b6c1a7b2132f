// SoloOrderer: Fabric's solo ordering service for one channel, as a process on the node
// interface (core/node.h). Sources of the rules: fabric-semantics.md §1.2 (broadcast and
// its filters), §1.3 (the solo consenter's loop and timer rule) and §8 (block structure);
// Fabric's orderer/common/broadcast, msgprocessor, consensus/solo, multichannel/blockwriter
// and common/deliver.
//
// Broadcast (kBroadcast carrying a common.Envelope; one fabsim.BroadcastReply per request,
// in order, to the sender). Fabric's order of checks, first failure decides:
//   1. classify by the channel header: payload, header or channel header unparsable ->
//      BAD_REQUEST;
//   2. channel id not ours -> NOT_FOUND;
//   3. a config-class message (CONFIG_UPDATE, CONFIG, ORDERER_TRANSACTION) -> BAD_REQUEST:
//      configuration transactions are not modelled (Fabric would run ProcessConfigUpdateMsg);
//   4. the standard channel's filters: empty payload -> BAD_REQUEST; size (len(payload) +
//      len(signature)) > AbsoluteMaxBytes -> BAD_REQUEST; signature filter -> FORBIDDEN,
//      where the Writers policy is stood in for by "the creator deserializes to a valid
//      identity of one of the channel's MSPs and its signature over the payload verifies"
//      (a signature header that does not parse is BAD_REQUEST, as AsSignedData's error is);
//   5. enqueue into the consenter -> SUCCESS: the reply leaves with a post (kOrderedEnvelope)
//      to the chain's lane, which orders envelopes in the order their posts arrive.
//   No expiration rule (fabsim's certificates never expire) and no configSeq re-validation
//   (the channel config never changes).
//
// Ordering (§1.3): the block cutter (block_cutter.h); each batch it emits is written as one
// block, in order. Then the timer rule, exactly Fabric's: timer running and !pending ->
// stop it; timer not running and pending -> start BatchTimeout; otherwise leave it. So an
// overflow cut that leaves a new pending batch keeps the old deadline. The timer firing
// cuts; an empty batch writes no block.
//
// Blocks (§8): number = height, previous_hash = header hash of the previous block,
// data_hash = block_data_hash, five metadata slots. SIGNATURES = Metadata{value =
// OrdererBlockMetadata{last_config{0}}, signatures = [MetadataSignature{signature_header =
// SignatureHeader{creator = orderer, nonce}, signature = orderer's signature over value ‖
// signature_header ‖ block header bytes}]}; LAST_CONFIG = Metadata{value = LastConfig{0}}
// (unsigned, as the 2.2 blockwriter writes it). Nonces come from ctx.rng().
//
// Genesis: when the block store is empty at start, block 0 is written: one unsigned
// envelope whose Payload has ChannelHeader{type CONFIG, channel_id, tx_id ""} and
// SignatureHeader{nonce} and empty data, previous_hash empty, SIGNATURES value
// OrdererBlockMetadata{last_config 0} with no signatures, LAST_CONFIG 0 (Fabric's
// common/genesis). It stands in for the channel's config block: configuration
// transactions are not modelled, and peers commit block 0 as they join. (Fabric's genesis
// sets tx_id = ComputeTxID(nonce, nil) and data = a ConfigEnvelope; we leave both empty.)
//
// Durability: blocks are appended to a ledger::BlockStore on the host's durable Env
// (ctx.mutable_store().env(), directory SoloConfig::ledger_path) at the moment the block is
// written, i.e. within the call, not at the release of the outputs. The orderer's copy
// carries a TRANSACTIONS_FILTER of NOT_VALIDATED per transaction because our BlockStore
// requires one; Deliver sends blocks with that slot empty, as Fabric's orderer does. The
// pending batch, the timer and Deliver streams are volatile (Fabric's solo loses them in a
// crash); a new process on the same DurableStore reopens the store and continues at its
// height.
//
// Deliver (kDeliverRequest{stream_id, envelope with a SeekInfo payload}; replies
// fabsim.DeliverReply{stream_id, block | status}). Fabric's deliverBlocks order:
// payload/header/channel header unparsable -> BAD_REQUEST; channel not ours -> NOT_FOUND;
// signature header unparsable -> BAD_REQUEST; creator not a valid channel-MSP identity or
// its signature fails (our Readers stand-in) -> FORBIDDEN; SeekInfo unparsable, start or
// stop missing or unset -> BAD_REQUEST. start: oldest = 0, newest = height - 1, specified =
// n. stop: oldest = start, newest = start if start is newest else height - 1 (at request
// time), specified = n; stop < start -> BAD_REQUEST. Then blocks are sent in order from
// start; before each block, with FAIL_IF_NOT_READY and the block beyond the height ->
// NOT_FOUND (so available blocks are sent first); with BLOCK_UNTIL_READY the stream waits
// and each newly written block is pushed. After the stop block: status SUCCESS, and the
// stream ends. kDeliverCancel{stream_id} ends a stream silently. A request reusing an open
// stream's (sender, stream_id) replaces that stream. Pace: all available blocks are sent
// at once (the network model serializes them); memory stays bounded because a reply is
// built from the store one block at a time and the network holds the bytes. The channel
// header's type is not checked (Fabric's deliver does not check it either). A
// kDeliverRequest whose bytes are not a fabsim.DeliverRequest has no stream id to answer
// on and is dropped; messages of other kinds are ignored.
//
// Analysis event: each block written emits kEventBlock ("orderer.block") with value = the
// block number and detail = "reason=<r> txs=<n> bytes=<b>": r is cut_reason_name() of the
// cut (or "genesis"), n its transactions and b the marshalled size as stored.
//
// Costs: broadcast_check per kBroadcast (signature verify included), deliver_check per
// kDeliverRequest, block_cut per batch cut, block_sign per block signed, block_write_per_kb
// per started KiB of the marshalled block, deliver_per_block per block sent.
//
// Ownership: borrows the MspManager, SigningIdentity and Verifier (they must outlive the
// process); owns its BlockStore. Single-threaded.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/crypto/msp.h"
#include "core/crypto/signature.h"
#include "core/crypto/signing_identity.h"
#include "core/node.h"
#include "core/proto/common/common.pb.h"
#include "core/status.h"
#include "model/ledger/block_store.h"
#include "model/orderer/block_cutter.h"

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

inline constexpr const char* kEventBlock = "orderer.block";

class SoloOrderer : public Process {
 public:
  // Timer tag of the batch timer.
  static constexpr uint64_t kBatchTimerTag = 1;

  // Asserts that the pointers are set, the MSP set is non-empty and the batch settings valid.
  explicit SoloOrderer(SoloConfig config);
  SoloOrderer(const SoloOrderer&) = delete;  // the cutter points into config_
  SoloOrderer& operator=(const SoloOrderer&) = delete;

  // Lanes (core/node.h), as Fabric's goroutines run: Broadcast is one goroutine per client
  // stream (its filters run there, concurrently across clients, in order for one client);
  // the chain is one goroutine (solo's main loop: cutting, the batch timer, writing blocks),
  // and Deliver requests run on it too, so every stream gets its blocks in order.
  static constexpr LaneId kChainLane = 0;
  static constexpr LaneId kBroadcastLane = 1;
  std::vector<LaneSpec> lanes() const override;
  LaneId lane_of_message(HostId from, const Message& msg) const override;

  // Opens the block store; writes the genesis block when it is empty.
  void on_start(NodeContext& ctx) override;
  void on_message(NodeContext& ctx, HostId from, const Message& msg) override;
  void on_timer(NodeContext& ctx, TimerId id, uint64_t tag) override;

  // ---- observers (tests, analysis) ----------------------------------------------------
  uint64_t height() const { return store_ ? store_->height() : 0; }
  const ledger::BlockStore& block_store() const { return *store_; }
  bool batch_timer_running() const { return batch_timer_.has_value(); }
  size_t pending_count() const { return cutter_.pending_count(); }
  size_t open_streams() const { return streams_.size(); }

 private:
  struct Stream {
    uint64_t next = 0;  // the next block to send
    uint64_t stop = 0;  // the last block to send
    bool fail_if_not_ready = false;
  };
  using StreamKey = std::pair<HostId, uint64_t>;  // (requester, stream id)

  void on_broadcast(NodeContext& ctx, HostId from, const Message& msg);
  // The chain's side of Order(): an envelope Broadcast accepted (kOrderedEnvelope).
  void on_ordered(NodeContext& ctx, const Message& msg);
  void on_deliver_request(NodeContext& ctx, HostId from, const Message& msg);
  void on_deliver_cancel(HostId from, const Message& msg);

  // The signature filter: OK, or the status's message says why not.
  Status check_creator(std::string_view creator, std::string_view signed_bytes, std::string_view signature) const;
  void write_batch(NodeContext& ctx, const Batch& batch, CutReason reason);
  void append_block(NodeContext& ctx, common::Block block, const char* reason);
  void write_genesis(NodeContext& ctx);
  // Sends what the stream can get now; true if it ended (the caller erases it).
  bool serve(NodeContext& ctx, const StreamKey& key, Stream& stream);
  void serve_all(NodeContext& ctx);

  SoloConfig config_;
  BlockCutter cutter_;
  std::unique_ptr<ledger::BlockStore> store_;
  std::optional<TimerId> batch_timer_;
  std::map<StreamKey, Stream> streams_;  // ordered: pushes go out in a deterministic order
};

}  // namespace fabsim::orderer
