#include "model/orderer/block_cutter.h"

#include <fmt/format.h>

#include "core/assert.h"

namespace fabsim::orderer {

Status validate_batch_settings(const BatchSettings& s) {
  if (s.size.max_message_count == 0) return Status::invalid_argument("batch_size.max_message_count must be greater than 0");
  if (s.size.absolute_max_bytes == 0) return Status::invalid_argument("batch_size.absolute_max_bytes must be greater than 0");
  if (s.size.preferred_max_bytes == 0) return Status::invalid_argument("batch_size.preferred_max_bytes must be greater than 0");
  if (s.size.preferred_max_bytes > s.size.absolute_max_bytes)
    return Status::invalid_argument(fmt::format("batch_size.preferred_max_bytes ({}) must not exceed absolute_max_bytes ({})",
                                                s.size.preferred_max_bytes, s.size.absolute_max_bytes));
  if (s.batch_timeout.ns <= 0) return Status::invalid_argument("batch_timeout must be greater than 0");
  return Status::ok();
}

uint64_t message_size_bytes(const common::Envelope& env) { return env.payload().size() + env.signature().size(); }

Status size_filter(const common::Envelope& env, const BatchSize& size) {
  const uint64_t n = message_size_bytes(env);
  if (n > size.absolute_max_bytes)
    return Status::invalid_argument(fmt::format("message payload is {} bytes and exceeds maximum allowed {} bytes", n,
                                                size.absolute_max_bytes));
  return Status::ok();
}

const char* cut_reason_name(CutReason reason) {
  switch (reason) {
    case CutReason::kCount: return "count";
    case CutReason::kBytes: return "bytes";
    case CutReason::kOversized: return "oversized";
    case CutReason::kTimeout: return "timeout";
  }
  return "?";
}

OrderedResult BlockCutter::ordered(common::Envelope msg) {
  const BatchSize& cfg = *settings_;
  OrderedResult r;
  const uint64_t size = message_size_bytes(msg);
  if (size > cfg.preferred_max_bytes) {
    // Oversized: the pending batch first, then this message alone.
    if (!pending_.empty()) {
      r.batches.push_back(cut());
      r.reasons.push_back(CutReason::kBytes);
    }
    r.batches.push_back(Batch{std::move(msg)});
    r.reasons.push_back(CutReason::kOversized);
    r.pending = false;
    return r;
  }
  if (pending_bytes_ + size > cfg.preferred_max_bytes) {
    FABSIM_ASSERT(!pending_.empty());  // otherwise the message itself would be oversized
    r.batches.push_back(cut());
    r.reasons.push_back(CutReason::kBytes);
  }
  pending_.push_back(std::move(msg));
  pending_bytes_ += size;
  r.pending = true;
  if (pending_.size() >= cfg.max_message_count) {
    r.batches.push_back(cut());
    r.reasons.push_back(CutReason::kCount);
    r.pending = false;
  }
  FABSIM_ASSERT(r.batches.size() <= 2 && r.reasons.size() == r.batches.size());
  return r;
}

Batch BlockCutter::cut() {
  Batch b = std::move(pending_);
  pending_.clear();
  pending_bytes_ = 0;
  return b;
}

}  // namespace fabsim::orderer
