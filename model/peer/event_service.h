// EventService: one channel's block events on the peer (Fabric's peer/deliverevents, the
// filtered-block service clients register with).
//
// kEventRegister{channel, start_block?} from a client subscribes it (a set: registering
// twice is one subscription). With a start block it first gets the BlockEvents of the
// committed blocks from that number on (block 0, the genesis, has no transactions), read
// back from the ledger, then the live ones. publish() sends every subscriber the BlockEvent
// of a block just committed: each transaction's TxID and validation code.
//
// Subscriptions are volatile. Costs: block_event per subscriber notified; block_check +
// block_event per block replayed. Ownership: borrows the ledger (the peer owns it).
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "core/node.h"
#include "core/proto/common/common.pb.h"
#include "core/proto/fabsim/node_messages.pb.h"
#include "model/ledger/ledger.h"
#include "model/peer/config.h"

namespace fabsim::peer {

class EventService {
 public:
  EventService(std::string channel_id, const ledger::Ledger* ledger, const PeerCosts* costs)
      : channel_id_(std::move(channel_id)), ledger_(ledger), costs_(costs) {}

  void on_register(NodeContext& ctx, HostId from, const fabsim::EventRegistration& reg);
  // `tx_ids` may hold empty entries (transactions invalid before their TxID was read): they
  // are read from the envelopes.
  void publish(NodeContext& ctx, const common::Block& block, const std::vector<uint8_t>& codes,
               const std::vector<std::string>& tx_ids);
  size_t subscribers() const { return subscribers_.size(); }

 private:
  fabsim::BlockEvent block_event(const common::Block& block, const std::vector<uint8_t>& codes,
                                 const std::vector<std::string>& tx_ids) const;

  std::string channel_id_;
  const ledger::Ledger* ledger_;
  const PeerCosts* costs_;
  std::set<HostId> subscribers_;
};

}  // namespace fabsim::peer
