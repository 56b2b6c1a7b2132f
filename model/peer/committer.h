// Committer: one channel's commit pipeline on the peer (Fabric's core/committer and
// core/ledger/kvledger), agnostic of where blocks come from — the Deliver client today,
// gossip and state transfer later hand it blocks the same way.
//
// commit(block): a block already committed, or not the next one, is ignored. Block 0 (the
// channel's genesis, configuration block) is committed as the peer joins, without
// validation. Every later block goes through validation::validate_block (Fabric's order:
// per transaction envelope checks, signatures and VSCC, then MVCC) and
// ledger::Ledger::commit_block; then the EventService publishes its BlockEvent.
//
// Work: block_check per block; the per-transaction validation (stages 1-4) as parallel
// tasks on up to validator_pool_size cores; then, serially, MVCC and the state updates;
// the block write and its fsync on the host's disk; block_event per subscriber.
//
// A validation or commit error stops the channel (failed()): the peer emits
// peer.commit_error and commits nothing more on it, as Fabric's peer panics.
// Ownership: borrows the channel config, the verifier, the costs, the ledger and the event
// service (the peer owns them).
#pragma once

#include <cstdint>

#include "core/node.h"
#include "core/proto/common/common.pb.h"
#include "model/ledger/ledger.h"
#include "model/peer/config.h"
#include "model/peer/event_service.h"

namespace fabsim::peer {

class Committer {
 public:
  Committer(const ChannelConfig* channel, const crypto::Verifier* verifier, const PeerCosts* costs,
            uint32_t validator_pool_size, ledger::Ledger* ledger, EventService* events)
      : channel_(channel),
        verifier_(verifier),
        costs_(costs),
        pool_(validator_pool_size),
        ledger_(ledger),
        events_(events) {}

  void commit(NodeContext& ctx, common::Block block);
  uint64_t height() const { return ledger_->height(); }
  bool failed() const { return failed_; }

 private:
  const ChannelConfig* channel_;
  const crypto::Verifier* verifier_;
  const PeerCosts* costs_;
  uint32_t pool_;
  ledger::Ledger* ledger_;
  EventService* events_;
  bool failed_ = false;
};

}  // namespace fabsim::peer
