// Crash safety of Ledger::commit_block (Fabric 2.2 kv_ledger.go commit order and
// recoverDBs/syncStateAndHistoryDBWithBlockstore): a crash after any step of a commit,
// with or without a power loss that drops unsynced writes, is repaired on reopen by
// replaying blocks from the block store; the databases then equal a clean run's, at the
// crash point and after the rest of the chain is committed.
#include <gtest/gtest.h>
#include <leveldb/db.h>

#include <map>
#include <string>
#include <vector>

#include "core/fault_env.h"
#include "model/ledger/ledger.h"
#include "tests/model/ledger_test_util.h"
#include "tests/model/ledger_workload.h"

namespace fabsim::ledger {
namespace {

using testing::scan;
using Scan = std::vector<std::pair<std::string, std::string>>;

constexpr int kBlocks = 9;

struct Snapshot {
  Scan blocks;
  std::map<std::string, std::string> block_files;
  Scan state, history;
  bool operator==(const Snapshot&) const = default;
};

// The ledger's databases and its block files (read through `env`, the ledger's Env).
Snapshot snapshot(const Ledger& l, leveldb::Env* env) {
  return {scan(l.block_store().db()), testing::block_files(env, "peer/blocks"), scan(l.state().db()),
          scan(l.history()->db())};
}

// Snapshots after each block of a clean run.
const std::vector<Snapshot>& clean_run() {
  static const std::vector<Snapshot> snaps = [] {
    auto env = testing::mem_env();
    auto ledger = Ledger::open(env.get(), "peer").value();
    std::vector<Snapshot> out;
    for (testing::WorkBlock& wb : testing::workload(kBlocks)) {
      Status s = ledger->commit_block(&wb.block, wb.updates);
      EXPECT_TRUE(s) << s.to_string();
      out.push_back(snapshot(*ledger, env.get()));
    }
    return out;
  }();
  return snaps;
}

struct CrashCase {
  const char* name;
  uint64_t block;
  CommitStep step;
  LedgerOptions options;
  bool power_loss;
  uint64_t want_state_replayed;
  uint64_t want_history_replayed;
};

LedgerOptions unsynced(bool state, bool history) {
  LedgerOptions o;
  o.sync_state = !state;
  o.sync_history = !history;
  return o;
}

TEST(LedgerRecovery, CrashAtEachStepOfACommitIsRepairedOnReopen) {
  const std::vector<CrashCase> cases = {
      {"CrashAfterBlockStoredBeforeState", 3, CommitStep::kBlockStored, {}, false, 1, 1},
      {"CrashAfterStateBeforeHistory", 3, CommitStep::kStateApplied, {}, false, 0, 1},
      {"CrashAfterHistoryNeedsNoRepair", 3, CommitStep::kHistoryApplied, {}, false, 0, 0},
      {"CrashAfterGenesisBlockStored", 0, CommitStep::kBlockStored, {}, false, 1, 1},
      {"CrashAfterLastBlockStored", kBlocks - 1, CommitStep::kBlockStored, {}, false, 1, 1},
      {"PowerLossAfterBlockStoredLosesNothingSynced", 4, CommitStep::kBlockStored, {}, true, 1, 1},
      {"PowerLossAfterStateLosesNothingSynced", 4, CommitStep::kStateApplied, {}, true, 0, 1},
      {"PowerLossDropsUnsyncedStateAndHistory", 3, CommitStep::kHistoryApplied, unsynced(true, true), true, 4, 4},
      {"PowerLossDropsUnsyncedHistoryOnly", 5, CommitStep::kStateApplied, unsynced(false, true), true, 0, 6},
  };
  for (const CrashCase& c : cases) {
    SCOPED_TRACE(c.name);
    auto mem = testing::mem_env();
    FaultInjectionEnv env(mem.get());
    std::vector<testing::WorkBlock> work = testing::workload(kBlocks);
    {
      auto ledger = Ledger::open(&env, "peer", c.options).value();
      for (uint64_t b = 0; b <= c.block; ++b) {
        if (b == c.block) {
          ledger->set_commit_hook([&](CommitStep step, uint64_t num) {
            return step == c.step ? Status::unavailable("simulated crash") : Status::ok();
          });
        }
        Status s = ledger->commit_block(&work[b].block, work[b].updates);
        if (b < c.block) {
          ASSERT_TRUE(s) << s.to_string();
        } else {
          ASSERT_EQ(s.code(), StatusCode::kUnavailable) << s.to_string();
        }
      }
      EXPECT_TRUE(ledger->failed());
      EXPECT_EQ(ledger->commit_block(&work[c.block].block, work[c.block].updates).code(),
                StatusCode::kFailedPrecondition)
          << "an aborted ledger refuses commits until reopened";
    }  // the crashed process's databases are closed
    if (c.power_loss) {
      const bool all_synced = c.options.sync_state && c.options.sync_history;
      EXPECT_EQ(env.unsynced_bytes() == 0, all_synced) << "unsynced bytes: " << env.unsynced_bytes();
      ASSERT_TRUE(env.drop_unsynced_writes().ok());
    }
    auto reopened = Ledger::open(&env, "peer", c.options);
    ASSERT_TRUE(reopened.is_ok()) << reopened.status().to_string();
    auto& ledger = *reopened;
    EXPECT_EQ(ledger->recovery().state_blocks_replayed, c.want_state_replayed);
    EXPECT_EQ(ledger->recovery().history_blocks_replayed, c.want_history_replayed);
    ASSERT_EQ(ledger->height(), c.block + 1);
    EXPECT_EQ(ledger->state().savepoint()->block_num, c.block) << "state brought up to the block store";
    EXPECT_EQ(ledger->history()->savepoint()->block_num, c.block) << "history brought up to the block store";
    EXPECT_TRUE(snapshot(*ledger, &env) == clean_run()[c.block]) << "databases equal a clean run's at the crash point";
    for (uint64_t b = c.block + 1; b < kBlocks; ++b) {
      Status s = ledger->commit_block(&work[b].block, work[b].updates);
      ASSERT_TRUE(s) << "block " << b << ": " << s.to_string();
    }
    EXPECT_TRUE(snapshot(*ledger, &env) == clean_run().back()) << "and after the rest of the chain";
  }
}

TEST(LedgerRecovery, ReplayRecomputesUpdatesFromTheStoredBlocksAlone) {
  // A state database dropped entirely (e.g. deleted by an operator) is rebuilt from block 0.
  auto env = testing::mem_env();
  std::vector<testing::WorkBlock> work = testing::workload(kBlocks);
  {
    auto ledger = Ledger::open(env.get(), "peer").value();
    for (auto& wb : work) ASSERT_TRUE(ledger->commit_block(&wb.block, wb.updates));
  }
  leveldb::Options destroy;
  destroy.env = env.get();
  ASSERT_TRUE(leveldb::DestroyDB("peer/state", destroy).ok());
  auto ledger = Ledger::open(env.get(), "peer").value();
  EXPECT_EQ(ledger->recovery().state_blocks_replayed, static_cast<uint64_t>(kBlocks));
  EXPECT_EQ(ledger->recovery().history_blocks_replayed, 0u);
  EXPECT_TRUE(snapshot(*ledger, env.get()) == clean_run().back());
}

}  // namespace
}  // namespace fabsim::ledger
