// SoloOrderer: an ordering service node serving channels with solo consensus (or, with
// SoloConfig::kafka set, Kafka consensus: kafka_chain.h — see "Kafka" below), as a process
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
// Every channel has its own access rules, batch settings, chain, block writer, block store
// and Deliver service; Broadcast serves them all and hands an envelope to its channel's
// chain (an unknown channel is NOT_FOUND).
//
// Lanes (core/node.h), as Fabric's goroutines run: Broadcast is one goroutine per client
// stream (its filters run there, concurrently across clients, in order for one client);
// each channel's chain is one goroutine, and its Deliver requests run on it too, so every
// stream gets its blocks in order; channels run in parallel on the node's cores. A Deliver
// request goes to the lane of the channel its envelope names, a cancel to the lane of the
// channel that has the stream. Messages of other kinds are ignored.
//
// Kafka (SoloConfig::kafka): every channel's chain is a KafkaChain. on_start posts
// kChainStart to each chain lane, where the chain runs its start sequence. Broadcast does
// not answer an accepted envelope itself: it posts a fabsim.OrderRequest (kOrderRequest) to
// the chain lane, and the chain answers the client once the producer's outcome is known
// (SUCCESS, or SERVICE_UNAVAILABLE when not ready or the send failed), as Fabric's Broadcast
// waits on Order(). Kafka responses go to the lane of the channel whose Rpc asked: each
// channel's correlation ids start at (index + 1) << kCorrelationShift. Each OSN serves
// Deliver from its own block store.
//
// Durability: the block stores, on the host's durable Env (ledger_path); the
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
#include <map>
#include <memory>
#include <optional>
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
#include "model/orderer/broadcast.h"
#include "model/orderer/channel_access.h"
#include "model/orderer/deliver_service.h"
#include "model/orderer/kafka_chain.h"
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

// One channel the orderer serves.
struct OrdererChannelConfig {
  std::string channel_id;
  BatchSettings batch;                       // must pass validate_batch_settings
  const crypto::MspManager* msps = nullptr;  // the channel's MSPs; borrowed
  std::set<std::string> channel_msp_ids;     // the MSP IDs of the channel's orgs, non-empty
};

struct SoloConfig {
  std::vector<OrdererChannelConfig> channels;       // >= 1, distinct ids
  const crypto::SigningIdentity* signer = nullptr;  // the orderer's identity; borrowed
  const crypto::Verifier* verifier = nullptr;       // borrowed
  OrdererCosts costs = default_orderer_costs();
  // Each channel's block store lives in ledger_path(ledger_root, channel) on the host's Env.
  std::string ledger_root = "orderer/chains";
  // Set: Kafka consensus for every channel (see above); unset: solo.
  std::optional<KafkaChainConfig> kafka;
};

// Where a channel's block store lives under `root` (Fabric: chains/<channel>).
inline std::string ledger_path(const std::string& root, const std::string& channel) { return root + "/" + channel; }

class SoloOrderer : public Process {
 public:
  // Timer tag of a chain's batch timer.
  static constexpr uint64_t kBatchTimerTag = SoloChain::kBatchTimerTag;
  static constexpr int kCorrelationShift = 40;

  // Asserts that the pointers are set, every channel's MSP set is non-empty, the batch
  // settings valid and the channel ids distinct.
  explicit SoloOrderer(SoloConfig config);
  SoloOrderer(const SoloOrderer&) = delete;  // the components point into config_
  SoloOrderer& operator=(const SoloOrderer&) = delete;

  // Lane i < channels: channel i's chain (and its Deliver); lane channels: Broadcast.
  std::vector<LaneSpec> lanes() const override;
  LaneId lane_of_message(HostId from, const Message& msg) const override;
  LaneId chain_lane(size_t channel) const { return static_cast<LaneId>(channel); }
  LaneId broadcast_lane() const { return static_cast<LaneId>(config_.channels.size()); }

  // Opens every channel's block store; writes its genesis block when it is empty.
  void on_start(NodeContext& ctx) override;
  void on_message(NodeContext& ctx, HostId from, const Message& msg) override;
  void on_timer(NodeContext& ctx, TimerId id, uint64_t tag) override;

  // ---- observers (tests, analysis), by channel index (SoloConfig::channels order) -------
  size_t channel_count() const { return config_.channels.size(); }
  int channel_index(const std::string& channel_id) const;  // -1 if not served
  uint64_t height(size_t channel = 0) const;
  const ledger::BlockStore& block_store(size_t channel = 0) const { return parts_.at(channel).writer->store(); }
  bool batch_timer_running(size_t channel = 0) const;
  size_t pending_count(size_t channel = 0) const;
  size_t open_streams() const;  // over every channel
  // The channel's Kafka chain; null under solo or before on_start.
  const KafkaChain* kafka_chain(size_t channel = 0) const;

 private:
  struct Channel {
    ChannelAccess access;
    std::unique_ptr<BlockWriter> writer;
    std::unique_ptr<Chain> chain;
    SoloChain* solo = nullptr;    // chain, under solo
    KafkaChain* kafka = nullptr;  // chain, under Kafka
    std::unique_ptr<DeliverService> deliver;
  };
  void on_broadcast(NodeContext& ctx, HostId from, const Message& msg);
  // The chain's side of Order(): an envelope Broadcast accepted (kOrderedEnvelope), on the
  // lane of its channel.
  void on_ordered(NodeContext& ctx, Channel& channel, const Message& msg);
  // Kafka: Broadcast's hand-off with whom to answer (kOrderRequest), on the chain's lane.
  void on_order_request(NodeContext& ctx, Channel& channel, const Message& msg);
  // The channel whose Rpc a Kafka response answers (its correlation range); 0 when unknown.
  size_t response_channel(const Message& msg) const;
  // The channel a Deliver request or cancel is for (its lane); 0 when unknown (its
  // DeliverService answers NOT_FOUND or ignores it).
  size_t deliver_channel(HostId from, const Message& msg) const;

  SoloConfig config_;
  std::vector<Channel> parts_;  // SoloConfig::channels order
  // The transport's view of Deliver streams: the channel each (requester, stream id) was
  // opened on, recorded when its request is routed (before it is handled), so that a cancel
  // that arrives while its request still waits in the lane's queue reaches the same lane,
  // as gRPC knows which channel's stream a frame belongs to. Several channels only.
  mutable std::map<std::pair<HostId, uint64_t>, size_t> stream_channel_;
  std::vector<BroadcastChannel> broadcast_channels_;
};

}  // namespace fabsim::orderer
