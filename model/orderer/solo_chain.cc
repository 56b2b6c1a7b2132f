#include "model/orderer/solo_chain.h"

#include <utility>

#include "core/assert.h"

namespace fabsim::orderer {

SoloChain::SoloChain(const BatchSettings* batch, Duration block_cut, BlockWriter* writer)
    : batch_(batch), block_cut_(block_cut), writer_(writer), cutter_(&batch->size) {
  FABSIM_ASSERT(writer_ != nullptr);
  const Status valid = validate_batch_settings(*batch_);
  FABSIM_ASSERT_MSG(valid.is_ok(), valid.to_string());
}

void SoloChain::order(NodeContext& ctx, common::Envelope env) {
  // The solo loop's normal-message branch (§1.3).
  OrderedResult result = cutter_.ordered(std::move(env));
  for (size_t i = 0; i < result.batches.size(); ++i) {
    ctx.charge(block_cut_);
    writer_->write_block(ctx, result.batches[i], cut_reason_name(result.reasons[i]));
  }
  if (batch_timer_ && !result.pending) {
    ctx.cancel_timer(*batch_timer_);
    batch_timer_.reset();
  } else if (!batch_timer_ && result.pending) {
    batch_timer_ = ctx.set_timer(batch_->batch_timeout, kBatchTimerTag);
  }
}

void SoloChain::on_timer(NodeContext& ctx, TimerId id, uint64_t tag) {
  if (tag != kBatchTimerTag || !batch_timer_ || *batch_timer_ != id) return;  // not the current timer
  batch_timer_.reset();
  Batch batch = cutter_.cut();
  ctx.charge(block_cut_);
  if (batch.empty()) return;  // Fabric warns "this might indicate a bug" and writes nothing
  writer_->write_block(ctx, batch, cut_reason_name(CutReason::kTimeout));
}

}  // namespace fabsim::orderer
