#include "model/orderer/kafka_chain_core.h"

#include <fmt/format.h>

#include "core/assert.h"
#include "model/protoutil/proto_io.h"

namespace fabsim::orderer {

KafkaChainCore::KafkaChainCore(const BatchSettings* batch, std::optional<::orderer::KafkaMetadata> last,
                               uint64_t height)
    : batch_(batch), cutter_(&batch->size), last_cut_(height == 0 ? 0 : height - 1) {
  FABSIM_ASSERT(batch_ != nullptr);
  if (last) {
    last_ = *last;
  } else {
    last_.set_last_offset_persisted(kOffsetOldest - 1);  // getOffsets with no metadata
    last_.set_last_original_offset_processed(0);
    last_.set_last_resubmitted_config_offset(0);
  }
}

void KafkaChainCore::add_block(Step& step, Batch batch, CutReason reason, int64_t persisted, bool with_resubmitted) {
  Block b;
  b.batch = std::move(batch);
  b.reason = cut_reason_name(reason);
  b.metadata.set_last_offset_persisted(persisted);
  b.metadata.set_last_original_offset_processed(last_.last_original_offset_processed());
  b.metadata.set_last_resubmitted_config_offset(with_resubmitted ? last_.last_resubmitted_config_offset() : 0);
  last_.set_last_offset_persisted(persisted);
  ++last_cut_;
  step.blocks.push_back(std::move(b));
}

KafkaChainCore::Step KafkaChainCore::consume(int64_t offset, const ::orderer::KafkaMessage& msg) {
  if (stopped_) return {};
  switch (msg.Type_case()) {
    case ::orderer::KafkaMessage::kRegular: return regular(offset, msg.regular());
    case ::orderer::KafkaMessage::kTimeToCut: return time_to_cut(offset, msg.time_to_cut().block_number());
    case ::orderer::KafkaMessage::kConnect:
    default: return {};  // CONNECT, or nothing: ignored
  }
}

KafkaChainCore::Step KafkaChainCore::regular(int64_t offset, const ::orderer::KafkaMessageRegular& r) {
  Step step;
  const bool compatibility = r.class_() == ::orderer::KafkaMessageRegular::UNKNOWN;
  if (!compatibility && r.original_offset() != 0 && r.original_offset() <= last_.last_original_offset_processed())
    return step;  // a re-submitted copy already processed
  const int64_t new_offset =
      !compatibility && r.original_offset() != 0 ? r.original_offset() : last_.last_original_offset_processed();
  common::Envelope env;
  if (!protoutil::parse(&env, r.payload())) return step;  // not an envelope: logged and skipped
  OrderedResult result = cutter_.ordered(std::move(env));
  switch (result.batches.size()) {
    case 0: last_.set_last_original_offset_processed(new_offset); break;
    case 1:
      if (!result.pending) {
        last_.set_last_original_offset_processed(new_offset);
        add_block(step, std::move(result.batches[0]), result.reasons[0], offset, true);
      } else {
        add_block(step, std::move(result.batches[0]), result.reasons[0], offset - 1, true);
      }
      break;
    default:
      FABSIM_ASSERT(result.batches.size() == 2);
      add_block(step, std::move(result.batches[0]), result.reasons[0], offset - 1, true);
      last_.set_last_original_offset_processed(new_offset);
      add_block(step, std::move(result.batches[1]), result.reasons[1], offset, true);
      break;
  }
  // The solo timer rule.
  if (timer_running_ && !result.pending) {
    timer_running_ = false;
    step.timer = Timer::kStop;
  } else if (!timer_running_ && result.pending) {
    timer_running_ = true;
    step.timer = Timer::kStart;
  }
  return step;
}

KafkaChainCore::Step KafkaChainCore::time_to_cut(int64_t offset, uint64_t number) {
  Step step;
  if (number <= last_cut_) return step;  // stale: another OSN's TIMETOCUT, or cut by size
  if (number > last_cut_ + 1) {
    step.error = fmt::format("got larger time-to-cut message ({}) than allowed/expected ({})", number, last_cut_ + 1);
    stopped_ = true;
    return step;
  }
  if (timer_running_) step.timer = Timer::kStop;
  timer_running_ = false;
  Batch batch = cutter_.cut();
  if (batch.empty()) {
    step.error = fmt::format("got right time-to-cut message ({}) for a block with no pending requests", number);
    stopped_ = true;
    return step;
  }
  add_block(step, std::move(batch), CutReason::kTimeout, offset, false);
  return step;
}

KafkaChainCore::Step KafkaChainCore::timer_fired() {
  Step step;
  if (stopped_ || !timer_running_) return step;
  timer_running_ = false;
  step.post_time_to_cut = last_cut_ + 1;
  return step;
}

}  // namespace fabsim::orderer
