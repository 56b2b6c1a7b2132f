// PeerProcess: a Fabric peer behind the node interface (core/node.h), speaking
// model/protocol.h, composed of the components Fabric separates:
//
//   Endorser       endorser.h: proposals, for every joined channel.
//   per channel (Fabric keeps these per channel):
//     Ledger         model/ledger: block store, state, history, on the host's Env at
//                    ledger_path(ledger_root, channel).
//     Committer      committer.h: validates and commits blocks, whatever their source.
//     DeliverClient  deliver_client.h: pulls blocks from the orderers, verifies them, hands
//                    them to the committer; failover and watchdog.
//     EventService   event_service.h: client registrations and BlockEvents.
//
// Lanes (core/node.h), as Fabric's goroutines run: proposals run concurrently on the
// endorser's lane and never wait behind a block being validated; each channel has a serial
// committer lane for its blocks, its Deliver stream and watchdog, and its event
// registrations (their order against blocks matters). Channels commit independently, in
// parallel on the node's cores. A block's per-transaction validation is charged on up to
// validator_pool_size cores.
//
// Routing: a kDeliverReply goes to the lane of the channel whose current stream id it
// carries (read from the reply's first field without parsing the block; a stale stream id
// goes to the first channel's lane, which drops it); a kEventRegister to its channel's lane
// (an unknown channel is ignored); a proposal to the endorser's.
//
// Durable: the ledgers, on the host's Env. Volatile: streams, registrations. A channel
// whose ledger cannot be opened or whose commit fails stops (peer.ledger_error /
// peer.commit_error); the others go on.
// Not modelled: gossip (a later issue), private data, chaincode events, joining a channel
// while running (the channels are joined from the start).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/node.h"
#include "model/ledger/ledger.h"
#include "model/peer/committer.h"
#include "model/peer/config.h"
#include "model/peer/deliver_client.h"
#include "model/peer/endorser.h"
#include "model/peer/event_service.h"

namespace fabsim::peer {

class PeerProcess : public Process {
 public:
  static constexpr uint64_t kDeliverWatchdogTag = DeliverClient::kWatchdogTag;

  // Asserts the pointers are set, distinct channel ids, a pool >= 1. A peer on no channel
  // only answers proposals (with "channel not found").
  explicit PeerProcess(PeerConfig config);
  PeerProcess(const PeerProcess&) = delete;  // the components point into config_
  PeerProcess& operator=(const PeerProcess&) = delete;

  // Lane i < channels: channel i's committer; lane channels: the endorser.
  std::vector<LaneSpec> lanes() const override;
  LaneId lane_of_message(HostId from, const Message& msg) const override;
  LaneId committer_lane(size_t channel) const { return static_cast<LaneId>(channel); }
  LaneId endorser_lane() const { return static_cast<LaneId>(config_.channels.size()); }

  void on_start(NodeContext& ctx) override;
  void on_message(NodeContext& ctx, HostId from, const Message& msg) override;
  void on_timer(NodeContext& ctx, TimerId id, uint64_t tag) override;

  // ---- observers, by channel index (PeerConfig::channels order) ------------------------
  size_t channel_count() const { return config_.channels.size(); }
  // -1 if the peer has not joined `channel_id`.
  int channel_index(const std::string& channel_id) const;
  uint64_t height(size_t channel = 0) const;
  // Null before the start or when the channel's ledger could not be opened.
  const ledger::Ledger* ledger(size_t channel = 0) const;
  uint64_t stream_id(size_t channel = 0) const;
  HostId deliver_source(size_t channel = 0) const;

 private:
  struct Channel {
    std::unique_ptr<ledger::Ledger> ledger;
    std::unique_ptr<EventService> events;
    std::unique_ptr<Committer> committer;
    std::unique_ptr<DeliverClient> deliver;
  };
  const Channel* live(size_t channel) const;

  PeerConfig config_;
  std::unique_ptr<Endorser> endorser_;
  std::vector<Channel> channels_;  // PeerConfig::channels order; filled at the start
};

}  // namespace fabsim::peer
