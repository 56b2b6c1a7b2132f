// KafkaChainCore: the part of Fabric's Kafka chain that turns the consumed partition into
// blocks (F14 orderer/consensus/kafka/chain.go processMessagesToBlocks, processRegular,
// processTimeToCut, fabric-semantics.md §5.2–§5.5), without transport: the owner (an OSN's
// chain, not built yet) hands it each consumed message with its offset and the firing of
// its batch timer, and does what the returned Step says — write the blocks with their
// KafkaMetadata, start or stop the batch timer, post a TIMETOCUT.
//
//   Start: from the last block's KafkaMetadata (none: a new channel, last offset persisted
//   = OffsetOldest - 1 = -3) and the ledger height; consuming starts at last offset
//   persisted + 1, so messages only pending in the cutter before a restart are consumed and
//   cut again, identically.
//   CONNECT: ignored. REGULAR: a re-submitted copy (original_offset != 0) at or below the
//   last original offset processed is discarded; otherwise the envelope goes to the block
//   cutter and each batch becomes a block whose LastOffsetPersisted is this offset, or
//   offset - 1 when the message itself is still pending (an overflow cut, or the first of
//   two batches), with Fabric's rule for LastOriginalOffsetProcessed; then the solo timer
//   rule. The UNKNOWN class (compatibility mode) commits with the current last original
//   offset processed. Config messages and re-validation after a config change do not
//   occur: the channel's configuration never changes in the model.
//   TIMETOCUT(X): X = last cut + 1 cuts (an empty batch is Fabric's "no pending requests"
//   error and stops processing); X > last cut + 1 is an error that stops processing; a
//   smaller X is stale and ignored. The block cut by a TIMETOCUT omits
//   LastResubmittedConfigOffset (0), as Fabric does.
//   Timer: its firing asks to post TIMETOCUT(last cut + 1); the timer is then off until the
//   next message re-arms it.
//
// Ownership: borrows the batch settings (they must outlive it). Single-threaded; volatile
// (a restart builds a new one from the last block).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/proto/orderer/kafka.pb.h"
#include "model/orderer/block_cutter.h"

namespace fabsim::orderer {

class KafkaChainCore {
 public:
  static constexpr int64_t kOffsetOldest = -2;  // sarama's OffsetOldest

  struct Block {
    Batch batch;
    ::orderer::KafkaMetadata metadata;
    const char* reason;  // cut_reason_name()
  };
  enum class Timer : uint8_t { kLeave, kStart, kStop };
  struct Step {
    std::vector<Block> blocks;      // to write, in order (numbers: last cut + 1, + 2)
    Timer timer = Timer::kLeave;
    std::optional<uint64_t> post_time_to_cut;  // a TIMETOCUT block number to produce
    std::string error;              // non-empty: processing stops (Fabric's loop exits)
  };

  // `last` is the KafkaMetadata of the ledger's last block (nullopt: none, a new channel);
  // `height` is the ledger height (the genesis block counts).
  KafkaChainCore(const BatchSettings* batch, std::optional<::orderer::KafkaMetadata> last, uint64_t height);

  // Where the partition consumer starts: last offset persisted + 1 (-2: oldest).
  int64_t start_offset() const { return last_.last_offset_persisted() + 1; }
  uint64_t last_cut_block_number() const { return last_cut_; }
  const ::orderer::KafkaMetadata& offsets() const { return last_; }
  bool stopped() const { return stopped_; }
  bool timer_running() const { return timer_running_; }

  // A message consumed at `offset`.
  Step consume(int64_t offset, const ::orderer::KafkaMessage& msg);
  // The batch timer fired.
  Step timer_fired();

 private:
  Step regular(int64_t offset, const ::orderer::KafkaMessageRegular& r);
  Step time_to_cut(int64_t offset, uint64_t number);
  void add_block(Step& step, Batch batch, CutReason reason, int64_t persisted, bool with_resubmitted);

  const BatchSettings* batch_;
  BlockCutter cutter_;
  ::orderer::KafkaMetadata last_;  // last offset persisted, last original offset processed, ...
  uint64_t last_cut_;
  bool timer_running_ = false;
  bool stopped_ = false;
};

}  // namespace fabsim::orderer
