#include "model/peer/committer.h"

#include <string>
#include <vector>

#include "model/ledger/block_hash.h"
#include "model/peer/events.h"
#include "model/validation/tx_validator.h"

namespace fabsim::peer {
namespace {

Duration per_kb(Duration d, size_t bytes) { return d * static_cast<int64_t>((bytes + 1023) / 1024); }

}  // namespace

void Committer::commit(NodeContext& ctx, common::Block block) {
  if (failed_) return;
  ctx.charge(costs_->block_check, kWorkBlockCheck);
  if (block.header().number() != ledger_->height()) return;  // a duplicate, or not the next block
  const size_t n = static_cast<size_t>(block.data().data_size());
  while (block.metadata().metadata_size() < 5) block.mutable_metadata()->add_metadata();
  std::vector<uint8_t> codes;
  ledger::UpdateBatch updates;
  std::vector<ledger::TxWrites> writes;
  std::vector<std::string> tx_ids(n);
  if (block.header().number() == 0) {
    codes.assign(n, protos::TxValidationCode::VALID);  // the genesis block, committed on join
  } else {
    validation::ValidationContext vctx{channel_->channel_id, channel_->msps, verifier_, channel_->chaincodes};
    auto result = validation::validate_block(block, vctx, ledger_->state(), [&](const std::string& id) {
      return ledger_->block_store().tx_exists(id);
    });
    if (!result.is_ok()) {
      failed_ = true;
      ctx.emit(kEventCommitError, static_cast<int64_t>(block.header().number()), result.status().to_string(),
               PeerErrorEvent{channel_->channel_id, block.header().number(), result.status().to_string()});
      return;
    }
    // Per transaction on the validator pool: envelope checks, signatures, VSCC.
    const PeerCosts& c = *costs_;
    std::vector<Duration> vscc;
    vscc.reserve(result->tx_work.size());
    for (const validation::ValidationWork& t : result->tx_work) {
      // Every signature after an envelope's creator signature is an endorsement's.
      const uint64_t endorsements = t.signatures_verified > t.envelopes ? t.signatures_verified - t.envelopes : 0;
      vscc.push_back(c.envelope_check * static_cast<int64_t>(t.envelopes) +
                     c.signature_verify * static_cast<int64_t>(t.signatures_verified) +
                     c.vscc_per_endorsement * static_cast<int64_t>(endorsements) +
                     c.policy_eval * static_cast<int64_t>(t.policy_evaluations));
    }
    ctx.charge_parallel(vscc, pool_, kWorkVscc);
    // Then, serially (one task): MVCC and the state updates.
    const validation::ValidationWork& w = result->work;
    const auto txs = static_cast<int64_t>(n);
    ctx.charge(c.mvcc_per_tx * txs + c.mvcc_per_read * static_cast<int64_t>(w.reads_checked + w.range_queries_checked),
               kWorkMvcc);
    ctx.charge(c.ledger_commit_per_tx * txs + c.state_write_per_key * static_cast<int64_t>(w.writes_applied),
               kWorkLedgerCommit);
    codes = std::move(result->codes);
    updates = std::move(result->updates);
    writes = std::move(result->valid_writes);
    tx_ids = std::move(result->tx_ids);
  }
  block.mutable_metadata()->set_metadata(common::TRANSACTIONS_FILTER, std::string(codes.begin(), codes.end()));
  const size_t block_bytes = block.ByteSizeLong();
  Status s = ledger_->commit_block(&block, updates, block.header().number() == 0 ? nullptr : &writes);
  if (!s.is_ok()) {
    failed_ = true;
    ctx.emit(kEventCommitError, static_cast<int64_t>(block.header().number()), s.to_string(),
             PeerErrorEvent{channel_->channel_id, block.header().number(), s.to_string()});
    return;
  }
  ctx.charge_disk(per_kb(costs_->block_write_per_kb, block_bytes) + costs_->fsync, kWorkLedgerCommit);  // the disk
  uint64_t valid = 0;
  for (uint8_t c : codes) valid += c == protos::TxValidationCode::VALID ? 1 : 0;
  ctx.emit(kEventBlockCommitted, static_cast<int64_t>(block.header().number()),
           ledger::to_hex(ledger::block_header_hash(block.header())),
           BlockCommittedEvent{channel_->channel_id, block.header().number(), n, valid});
  events_->publish(ctx, block, codes, tx_ids);
}

}  // namespace fabsim::peer
