#include "model/ledger/ledger.h"

#include <algorithm>

#include <fmt/format.h>
#include <leveldb/env.h>

#include "core/assert.h"
#include "core/proto/peer/transaction.pb.h"
#include "model/ledger/commit_hash.h"
#include "model/ledger/tx_rwset.h"

namespace fabsim::ledger {

const char* commit_step_name(CommitStep step) {
  switch (step) {
    case CommitStep::kBlockStored: return "block-stored";
    case CommitStep::kStateApplied: return "state-applied";
    case CommitStep::kHistoryApplied: return "history-applied";
  }
  return "?";
}

Height state_savepoint_of(const common::Block& block) {
  const auto n = static_cast<uint64_t>(block.data().data_size());
  return Height{block.header().number(), n == 0 ? 0 : n - 1};
}

Result<std::unique_ptr<Ledger>> Ledger::open(leveldb::Env* env, const std::string& dir, const LedgerOptions& options) {
  FABSIM_ASSERT(env != nullptr);
  env->CreateDir(dir);  // may exist already; LevelDB reports real problems below
  auto blocks = BlockStore::open(env, dir + "/blocks", {options.verify_on_open, options.sync_block_store});
  if (!blocks) return blocks.status();
  auto state = StateDb::open(env, dir + "/state", {options.sync_state});
  if (!state) return state.status();
  std::unique_ptr<HistoryDb> history;
  if (options.enable_history) {
    auto h = HistoryDb::open(env, dir + "/history", {options.sync_history});
    if (!h) return h.status();
    history = std::move(*h);
  }
  std::unique_ptr<Ledger> ledger(new Ledger(dir, std::move(*blocks), std::move(*state), std::move(history)));
  Status s = ledger->recover();
  if (!s) return s;
  if (ledger->height() > 0) {
    auto last = ledger->blocks_->block_by_number(ledger->height() - 1);
    if (!last) return last.status();
    auto ch = stored_commit_hash(*last);
    if (!ch) return ch.status();
    ledger->commit_hash_ = std::move(*ch);
  }
  return ledger;
}

Status Ledger::recover() {
  const uint64_t height = blocks_->height();
  const uint64_t state_next = state_->savepoint() ? state_->savepoint()->block_num + 1 : 0;
  const uint64_t history_next = history_ && history_->savepoint() ? history_->savepoint()->block_num + 1 : 0;
  auto ahead = [&](const char* name, uint64_t next) {
    return Status::corruption(fmt::format(
        "ledger {}: the {} database [height {}] is ahead of the block store [height {}]; drop it to rebuild it",
        dir_, name, next, height));
  };
  if (state_next > height) return ahead("state", state_next);
  if (history_ && history_next > height) return ahead("history", history_next);

  const uint64_t from = history_ ? std::min(state_next, history_next) : state_next;
  for (uint64_t b = from; b < height; ++b) {
    auto block = blocks_->block_by_number(b);
    if (!block) return block.status();
    if (b >= state_next) {
      auto updates = updates_from_block(*block);
      Status s = updates ? state_->apply_updates(*updates, state_savepoint_of(*block)) : updates.status();
      if (!s) return Status(s.code(), fmt::format("ledger {}: replaying block {} into the state database: {}", dir_, b, s.message()));
      ++recovery_.state_blocks_replayed;
    }
    if (history_ && b >= history_next) {
      Status s = history_->commit_block(*block);
      if (!s) return Status(s.code(), fmt::format("ledger {}: replaying block {} into the history database: {}", dir_, b, s.message()));
      ++recovery_.history_blocks_replayed;
    }
  }
  return Status::ok();
}

Status Ledger::check_commit_preconditions(const common::Block& block, const UpdateBatch& updates) const {
  if (!block.has_header()) return Status::invalid_argument("block has no header");
  const uint64_t number = block.header().number();
  if (number != height()) {
    return Status::invalid_argument(fmt::format("block number should have been {} but was {}", height(), number));
  }
  std::string_view filter = transactions_filter(block);
  const auto txs = static_cast<size_t>(block.data().data_size());
  if (filter.size() != txs) {
    return Status::invalid_argument(
        fmt::format("block {}: TRANSACTIONS_FILTER has {} entries for {} transactions", number, filter.size(), txs));
  }
  for (size_t i = 0; i < txs; ++i) {
    if (static_cast<unsigned char>(filter[i]) == protos::NOT_VALIDATED) {
      return Status::invalid_argument(fmt::format("block {} tx {} was not validated (NOT_VALIDATED)", number, i));
    }
  }
  for (const auto& [k, u] : updates.updates()) {
    const Height v = u.version;
    if (v.block_num != number || v.tx_num >= txs || static_cast<unsigned char>(filter[v.tx_num]) != protos::VALID) {
      return Status::invalid_argument(fmt::format(
          "update of ({}, {}) has version ({}, {}), which is not a VALID transaction of block {}", k.first, k.second,
          v.block_num, v.tx_num, number));
    }
  }
  return Status::ok();
}

Status Ledger::after_step(CommitStep step, uint64_t block_num) {
  if (!hook_) return Status::ok();
  Status s = hook_(step, block_num);
  if (!s) failed_ = true;
  return s;
}

Status Ledger::commit_block(common::Block* block, const UpdateBatch& updates, const std::vector<TxWrites>* writes) {
  FABSIM_ASSERT(block != nullptr);
  if (failed_) return Status::failed_precondition("ledger " + dir_ + ": a commit was aborted; reopen the ledger");
  Status s = check_commit_preconditions(*block, updates);
  if (!s) return s;
  const uint64_t number = block->header().number();

  // 0. COMMIT_HASH: only after a genesis block, or once the chain carries one (Fabric).
  const common::BlockMetadata metadata_before = block->metadata();
  std::string new_hash = commit_hash_;
  if (number == 1 || !commit_hash_.empty()) new_hash = add_block_commit_hash(block, updates, commit_hash_);

  // 1. Block store.
  s = blocks_->append(*block);
  if (!s) {
    *block->mutable_metadata() = metadata_before;  // a rejected block is handed back unchanged
    if (s.code() != StatusCode::kInvalidArgument) failed_ = true;  // a storage error, not a rejected block
    return s;
  }
  commit_hash_ = std::move(new_hash);
  if (s = after_step(CommitStep::kBlockStored, number); !s) return s;

  // 2. State database.
  s = state_->apply_updates(updates, state_savepoint_of(*block));
  if (!s) {
    failed_ = true;
    return s;
  }
  if (s = after_step(CommitStep::kStateApplied, number); !s) return s;

  // 3. History database.
  if (history_) {
    s = history_->commit_block(*block, writes);
    if (!s) {
      failed_ = true;
      return s;
    }
    if (s = after_step(CommitStep::kHistoryApplied, number); !s) return s;
  }
  return Status::ok();
}

}  // namespace fabsim::ledger
