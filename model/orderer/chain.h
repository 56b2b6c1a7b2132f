// Chain: a channel's consenter on the orderer, at Fabric's seam (orderer/consensus
// consensus.go, `Chain`): Broadcast hands it the envelopes its filters accepted (Order) and
// the chain decides the blocks, which it writes through the channel's BlockWriter. Solo
// (solo_chain.h) is one; Kafka's chain comes next behind the same interface.
//
// The orderer node (solo.h) runs every call of a channel's chain on one serial lane, as
// Fabric runs a chain's main loop on one goroutine: calls never overlap, and blocks are
// written in order.
#pragma once

#include <cstdint>

#include "core/node.h"
#include "core/proto/common/common.pb.h"

namespace fabsim::orderer {

class Chain {
 public:
  virtual ~Chain() = default;
  // Order(env, configSeq): an envelope Broadcast accepted. (configSeq is always 0: the
  // channel's configuration never changes in the model.)
  virtual void order(NodeContext& ctx, common::Envelope env) = 0;
  // A timer this chain set fired (timers of other components never reach it).
  virtual void on_timer(NodeContext& ctx, TimerId id, uint64_t tag) = 0;
};

}  // namespace fabsim::orderer
