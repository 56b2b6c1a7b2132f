// SoloChain: Fabric's solo consenter (orderer/consensus/solo/consensus.go, fabric-semantics.md
// §1.3) behind the Chain interface: the block cutter (block_cutter.h), each batch it emits
// written as one block, in order, through the BlockWriter; then the timer rule, exactly
// Fabric's: timer running and !pending -> stop it; timer not running and pending -> start
// BatchTimeout; otherwise leave it. So an overflow cut that leaves a new pending batch keeps
// the old deadline. The timer firing cuts; an empty batch writes no block.
//
// State: the pending batch and the timer are volatile (Fabric's solo loses them in a crash).
// Costs: block_cut per batch cut (also when the timer finds nothing pending).
// Ownership: borrows the BlockWriter (the node owns it) and the batch settings.
#pragma once

#include <cstdint>
#include <optional>

#include "core/time.h"
#include "model/orderer/block_cutter.h"
#include "model/orderer/block_writer.h"
#include "model/orderer/chain.h"

namespace fabsim::orderer {

class SoloChain : public Chain {
 public:
  static constexpr uint64_t kBatchTimerTag = 1;

  // `batch` must pass validate_batch_settings and outlive the chain.
  SoloChain(const BatchSettings* batch, Duration block_cut, BlockWriter* writer);

  void order(NodeContext& ctx, common::Envelope env) override;
  void on_timer(NodeContext& ctx, TimerId id, uint64_t tag) override;

  bool batch_timer_running() const { return batch_timer_.has_value(); }
  size_t pending_count() const { return cutter_.pending_count(); }

 private:
  const BatchSettings* batch_;
  Duration block_cut_;
  BlockWriter* writer_;
  BlockCutter cutter_;
  std::optional<TimerId> batch_timer_;
};

}  // namespace fabsim::orderer
