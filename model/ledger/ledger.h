// Ledger: a peer's ledger for one channel — block store, state database and history
// database on one host's Env — with Fabric 2.2's commit order and crash recovery
// (core/ledger/kvledger/kv_ledger.go: CommitLegacy, recoverDBs,
// syncStateAndHistoryDBWithBlockstore, addBlockCommitHash).
//
// commit_block(block, updates) — the block carries its final TRANSACTIONS_FILTER and
// `updates` is the UpdateBatch the validator computed for it — runs, in order:
//   0. COMMIT_HASH into metadata slot 4 (for block 1, or when the previous block had one);
//   1. append the block to the block store            -> CommitStep::kBlockStored
//   2. apply the updates + savepoint to the state DB   -> CommitStep::kStateApplied
//   3. record the block in the history DB (if enabled) -> CommitStep::kHistoryApplied
// Steps 2 and 3 are one atomic LevelDB WriteBatch each; step 1 writes the block bytes and
// then one index batch with the checkpoint (block_store.h: an append interrupted between
// the two is not committed). Each database keeps its own savepoint.
// After each step the commit hook (if set) is called; a non-OK return aborts the commit
// there, as if the host had crashed: later steps do not run, the ledger refuses further
// commits, and the owner must close it and open it again (on the same Env, after any
// simulated power loss, e.g. FaultInjectionEnv::drop_unsynced_writes()).
//
// open() is a restart. It opens the three databases, checks them (BlockStore::Verify), and
// recovers: a state or history database behind the block store is brought up to it by
// replaying the missing blocks from the block store — each block's updates are recomputed
// from the block alone (tx_rwset.h updates_from_block: the rwsets of its VALID
// transactions, versions (block, tx index counting invalid ones)). A database ahead of the
// block store cannot be repaired and is reported as Corruption. Replays are counted in
// recovery(). The commit hash is reloaded from the last block's metadata.
//
// Expected failures are Status values: a block that breaks a chain rule or an `updates`
// that does not fit the block is InvalidArgument and changes nothing; storage errors
// after step 1 has begun leave the ledger failed (Fabric panics there).
//
// Ownership: owns the three databases; borrows the Env, which must outlive it.
// Single-threaded; LevelDB work runs inline (core/kv_db.h), so the stored bytes depend
// only on the sequence of calls.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/proto/common/common.pb.h"
#include "core/status.h"
#include "model/ledger/block_store.h"
#include "model/ledger/history_db.h"
#include "model/ledger/state_db.h"
#include "model/ledger/update_batch.h"

namespace leveldb {
class Env;
}

namespace fabsim::ledger {

enum class CommitStep { kBlockStored, kStateApplied, kHistoryApplied };
const char* commit_step_name(CommitStep step);

// Called after each completed step; a non-OK Status aborts the commit at that point.
using CommitHook = std::function<Status(CommitStep step, uint64_t block_num)>;

struct LedgerOptions {
  BlockStore::Verify verify_on_open = BlockStore::Verify::kTip;
  // Fabric syncs all three. Turning one off models a database whose recent writes a power
  // loss can take (with FaultInjectionEnv).
  bool sync_block_store = true;
  bool sync_state = true;
  bool sync_history = true;
  bool enable_history = true;  // Fabric: ledger.history.enableHistoryDatabase, default true
};

struct RecoveryInfo {
  uint64_t state_blocks_replayed = 0;
  uint64_t history_blocks_replayed = 0;
};

class Ledger {
 public:
  // Opens (creating if needed) the ledger in directory `dir` of `env`: `dir`/blocks,
  // `dir`/state and `dir`/history. Recovers as described above.
  static Result<std::unique_ptr<Ledger>> open(leveldb::Env* env, const std::string& dir,
                                              const LedgerOptions& options = {});

  // Commits `block` (its COMMIT_HASH slot is set here, so the caller sees the block as
  // stored). Preconditions checked as InvalidArgument: number == height(); every
  // transaction validated (no NOT_VALIDATED flag, §2.2); every update's version is
  // (this block, a VALID transaction). Chain rules: BlockStore::append. `writes`, when
  // given, is the block's valid_tx_writes() as the validator computed it, so history need
  // not parse the block again.
  Status commit_block(common::Block* block, const UpdateBatch& updates, const std::vector<TxWrites>* writes = nullptr);

  uint64_t height() const { return blocks_->height(); }
  const BlockStore& block_store() const { return *blocks_; }
  const StateDb& state() const { return *state_; }
  // nullptr when history is disabled.
  const HistoryDb* history() const { return history_.get(); }
  // The last block's commit hash; empty if the chain carries none.
  const std::string& commit_hash() const { return commit_hash_; }
  const RecoveryInfo& recovery() const { return recovery_; }
  // True once a commit was aborted or failed midway; the ledger must be reopened.
  bool failed() const { return failed_; }

  void set_commit_hook(CommitHook hook) { hook_ = std::move(hook); }

 private:
  Ledger(std::string dir, std::unique_ptr<BlockStore> blocks, std::unique_ptr<StateDb> state,
         std::unique_ptr<HistoryDb> history)
      : dir_(std::move(dir)), blocks_(std::move(blocks)), state_(std::move(state)), history_(std::move(history)) {}
  Status recover();
  Status check_commit_preconditions(const common::Block& block, const UpdateBatch& updates) const;
  Status after_step(CommitStep step, uint64_t block_num);

  std::string dir_;
  std::unique_ptr<BlockStore> blocks_;
  std::unique_ptr<StateDb> state_;
  std::unique_ptr<HistoryDb> history_;
  std::string commit_hash_;
  RecoveryInfo recovery_;
  CommitHook hook_;
  bool failed_ = false;
};

// Fabric's state savepoint for a block: Height{number, number of transactions - 1}
// (txmgr's maxTxNumber; 0 for a block without transactions).
Height state_savepoint_of(const common::Block& block);

}  // namespace fabsim::ledger
