// Fabric's block cutter, its batch settings, and the ingress size filter.
// Source of the rules: fabric-semantics.md §1.1 and §1.2 (orderer/common/blockcutter,
// orderer/common/msgprocessor/sizefilter.go, common/channelconfig/orderer.go).
//
// - A message's size is len(payload) + len(signature); protobuf framing is not counted.
// - ordered(msg): an oversized message (size > PreferredMaxBytes) is cut alone, after the
//   pending batch if any; otherwise a message that would make the pending bytes exceed
//   PreferredMaxBytes first cuts the pending batch (overflow); the message is appended; a
//   batch reaching MaxMessageCount is cut. Both comparisons are strict. At most two batches
//   come out of one call, and only the four documented (batches, pending) shapes occur.
// - cut() returns the pending batch (possibly empty) and resets it.
// - AbsoluteMaxBytes is not used by the cutter: the ingress filter rejects larger messages
//   (Broadcast answers BAD_REQUEST).
// The cutter re-reads its settings on every call, as Fabric re-reads the channel config.
#pragma once

#include <cstdint>
#include <vector>

#include "core/proto/common/common.pb.h"
#include "core/status.h"
#include "core/time.h"

namespace fabsim::orderer {

struct BatchSize {
  uint32_t max_message_count = 500;             // Fabric's sample default
  uint32_t absolute_max_bytes = 10 * 1024 * 1024;
  uint32_t preferred_max_bytes = 2 * 1024 * 1024;

  bool operator==(const BatchSize&) const = default;
};

struct BatchSettings {
  BatchSize size;
  Duration batch_timeout = Duration::seconds(2);

  bool operator==(const BatchSettings&) const = default;
};

// Fabric's config checks: all sizes non-zero, preferred <= absolute, timeout > 0.
Status validate_batch_settings(const BatchSettings& s);

// len(payload) + len(signature).
uint64_t message_size_bytes(const common::Envelope& env);

// The SizeFilter rule: BAD_REQUEST (as a Status) when the message exceeds AbsoluteMaxBytes.
Status size_filter(const common::Envelope& env, const BatchSize& size);

using Batch = std::vector<common::Envelope>;

// Why a batch was cut (for reports; Fabric logs the same distinctions):
//   kCount      the batch reached MaxMessageCount;
//   kBytes      the next message would have pushed it over PreferredMaxBytes, or that
//               message is oversized and the pending batch goes first;
//   kOversized  a message larger than PreferredMaxBytes, cut alone;
//   kTimeout    BatchTimeout expired (the consenter calls cut()).
enum class CutReason : uint8_t { kCount, kBytes, kOversized, kTimeout };
const char* cut_reason_name(CutReason reason);  // "count", "bytes", "oversized", "timeout"

struct OrderedResult {
  std::vector<Batch> batches;       // 0, 1 or 2
  std::vector<CutReason> reasons;   // one per batch
  bool pending = false;             // whether a batch is pending after the call
};

class BlockCutter {
 public:
  explicit BlockCutter(const BatchSize* settings) : settings_(settings) {}

  OrderedResult ordered(common::Envelope msg);
  Batch cut();

  size_t pending_count() const { return pending_.size(); }
  uint64_t pending_bytes() const { return pending_bytes_; }

 private:
  const BatchSize* settings_;  // not owned; re-read on every call
  Batch pending_;
  uint64_t pending_bytes_ = 0;
};

}  // namespace fabsim::orderer
