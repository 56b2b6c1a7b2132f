// Determinism: two identical runs leave identical LevelDB contents — the same logical
// key/value scans and, because LevelDB runs single-threaded (core/serial_env.h), the same
// files byte for byte.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "core/serial_env.h"
#include "model/ledger/ledger.h"
#include "tests/model/ledger_test_util.h"
#include "tests/model/ledger_workload.h"

namespace fabsim::ledger {
namespace {

using testing::scan;

struct RunResult {
  std::vector<std::pair<std::string, std::string>> blocks, chain, state, history;
  std::map<std::string, std::string> files;
  std::string commit_hash;
};

RunResult run(bool with_restart) {
  auto env = testing::mem_env();
  std::vector<testing::WorkBlock> work = testing::workload(12);
  auto ledger = Ledger::open(env.get(), "peer").value();
  for (size_t b = 0; b < work.size(); ++b) {
    EXPECT_TRUE(ledger->commit_block(&work[b].block, work[b].updates));
    if (with_restart && b == 5) {
      ledger.reset();
      ledger = Ledger::open(env.get(), "peer").value();
    }
  }
  RunResult r{scan(ledger->block_store().db()), scan(ledger->block_store().chain_db()), scan(ledger->state().db()), scan(ledger->history()->db()), {},
              ledger->commit_hash()};
  ledger.reset();  // files as a stopped peer leaves them
  for (const char* db : {"peer/blocks/index", "peer/blocks/chain", "peer/state", "peer/history"}) {
    auto f = testing::files_under(env.get(), db);
    r.files.insert(f.begin(), f.end());
  }
  return r;
}

TEST(LedgerDeterminism, TwoIdenticalRunsLeaveIdenticalDatabases) {
  RunResult a = run(false), b = run(false);
  EXPECT_FALSE(a.state.empty());
  EXPECT_EQ(a.blocks, b.blocks);
  EXPECT_EQ(a.chain, b.chain);
  EXPECT_EQ(a.state, b.state);
  EXPECT_EQ(a.history, b.history);
  EXPECT_EQ(a.commit_hash, b.commit_hash);
  ASSERT_FALSE(a.files.empty());
  EXPECT_EQ(a.files, b.files) << "same file names and bytes";
}

TEST(LedgerDeterminism, ARestartChangesFilesButNotContents) {
  RunResult a = run(false), b = run(true);
  EXPECT_EQ(a.blocks, b.blocks);
  EXPECT_EQ(a.chain, b.chain);
  EXPECT_EQ(a.state, b.state);
  EXPECT_EQ(a.history, b.history);
  EXPECT_EQ(a.commit_hash, b.commit_hash);
  RunResult c = run(true);
  EXPECT_EQ(b.files, c.files) << "restarts at the same point are deterministic too";
}

}  // namespace
}  // namespace fabsim::ledger
