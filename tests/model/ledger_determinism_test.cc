// Determinism: two identical runs leave identical LevelDB contents and block files — the
// same logical key/value scans and, because LevelDB runs single-threaded
// (core/serial_env.h), the same files byte for byte.
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
  std::vector<std::pair<std::string, std::string>> blocks, state, history;
  std::map<std::string, std::string> block_files;  // the block store's blockfile_NNNNNN
  std::map<std::string, std::string> files;        // every file, block files included
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
  RunResult r{scan(ledger->block_store().db()), scan(ledger->state().db()), scan(ledger->history()->db()), {}, {},
              ledger->commit_hash()};
  ledger.reset();  // files as a stopped peer leaves them
  r.block_files = testing::block_files(env.get(), "peer/blocks");
  for (const char* db : {"peer/blocks", "peer/state", "peer/history"}) {  // blocks: the files and index/
    auto f = testing::files_under(env.get(), db);
    r.files.insert(f.begin(), f.end());
  }
  return r;
}

TEST(LedgerDeterminism, TwoIdenticalRunsLeaveIdenticalDatabases) {
  RunResult a = run(false), b = run(false);
  EXPECT_FALSE(a.state.empty());
  EXPECT_EQ(a.blocks, b.blocks);
  EXPECT_EQ(a.state, b.state);
  EXPECT_EQ(a.history, b.history);
  EXPECT_EQ(a.commit_hash, b.commit_hash);
  ASSERT_FALSE(a.block_files.empty());
  EXPECT_EQ(a.block_files, b.block_files);
  ASSERT_FALSE(a.files.empty());
  EXPECT_EQ(a.files, b.files) << "same file names and bytes";
}

TEST(LedgerDeterminism, ARestartChangesFilesButNotContents) {
  RunResult a = run(false), b = run(true);
  EXPECT_EQ(a.blocks, b.blocks);
  EXPECT_EQ(a.block_files, b.block_files) << "after a clean restart the appends continue in the same file";
  EXPECT_EQ(a.state, b.state);
  EXPECT_EQ(a.history, b.history);
  EXPECT_EQ(a.commit_hash, b.commit_hash);
  RunResult c = run(true);
  EXPECT_EQ(b.files, c.files) << "restarts at the same point are deterministic too";
}

}  // namespace
}  // namespace fabsim::ledger
