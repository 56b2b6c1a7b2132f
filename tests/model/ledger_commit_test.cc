// Ledger::commit_block preconditions and reads through the ledger.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "model/ledger/ledger.h"
#include "tests/model/ledger_test_util.h"

namespace fabsim::ledger {
namespace {

using testing::ChainBuilder;
using testing::Kind;

struct PreconditionCase {
  const char* name;
  std::function<void(common::Block*, UpdateBatch*)> mutate;
  const char* message_part;
};

TEST(LedgerCommit, BlocksAndUpdatesThatDoNotFitAreRejectedAndChangeNothing) {
  const std::vector<PreconditionCase> cases = {
      {"EveryTransactionMustBeValidated",
       [](common::Block* b, UpdateBatch*) { (*b->mutable_metadata()->mutable_metadata(2))[1] = '\xfe'; },
       "block 1 tx 1 was not validated (NOT_VALIDATED)"},
      {"UpdatesMustComeFromAValidTransaction",
       [](common::Block*, UpdateBatch* u) { u->put("cc", "x", "v", {1, 1}); },  // tx 1 is MVCC-invalid
       "not a VALID transaction of block 1"},
      {"UpdatesMustBelongToThisBlock", [](common::Block*, UpdateBatch* u) { u->put("cc", "x", "v", {0, 0}); },
       "not a VALID transaction of block 1"},
      {"UpdatesMustNameAnExistingTransaction", [](common::Block*, UpdateBatch* u) { u->erase("cc", "x", {1, 9}); },
       "not a VALID transaction of block 1"},
      {"NumberMustBeTheHeight", [](common::Block* b, UpdateBatch*) { b->mutable_header()->set_number(5); },
       "block number should have been 1 but was 5"},
      {"ChainRulesOfTheBlockStoreApply",
       [](common::Block* b, UpdateBatch*) { b->mutable_header()->set_previous_hash("wrong"); },
       "unexpected previous block hash"},
  };
  for (const PreconditionCase& c : cases) {
    SCOPED_TRACE(c.name);
    auto env = testing::mem_env();
    auto ledger = Ledger::open(env.get(), "p").value();
    ChainBuilder chain;
    UpdateBatch u0, u1;
    common::Block b0 = chain.next({{"cfg", {}, 0, Kind::kConfig}}, &u0);
    ASSERT_TRUE(ledger->commit_block(&b0, u0));
    common::Block b1 = chain.next({{"t0", {{"cc", "a", "1"}}}, {"t1", {}, protos::MVCC_READ_CONFLICT}}, &u1);
    c.mutate(&b1, &u1);
    const std::string before = b1.SerializeAsString();
    Status s = ledger->commit_block(&b1, u1);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.to_string();
    EXPECT_NE(s.message().find(c.message_part), std::string::npos) << s.message();
    EXPECT_EQ(b1.SerializeAsString(), before) << "the block is handed back unchanged";
    EXPECT_FALSE(ledger->failed()) << "a rejected block does not break the ledger";
    EXPECT_EQ(ledger->height(), 1u);
    EXPECT_FALSE(ledger->state().get_state("cc", "a")->has_value());
    EXPECT_EQ(ledger->state().savepoint(), (Height{0, 0}));
    EXPECT_EQ(ledger->history()->savepoint(), (Height{0, 1}));
  }
}

TEST(LedgerCommit, CommittedBlocksAreReadableThroughTheLedger) {
  auto env = testing::mem_env();
  auto ledger = Ledger::open(env.get(), "p").value();
  ChainBuilder chain;
  UpdateBatch u;
  common::Block b0 = chain.next({{"cfg", {}, 0, Kind::kConfig}}, &u);
  ASSERT_TRUE(ledger->commit_block(&b0, u));
  common::Block b1 = chain.next({{"t0", {{"cc", "a", "1"}, {"cc", "b", "2"}}}}, &u);
  ASSERT_TRUE(ledger->commit_block(&b1, u));
  common::Block b2 = chain.next({{"t1", {}, protos::MVCC_READ_CONFLICT}, {"t2", {{"cc", "a", std::nullopt}}}}, &u);
  ASSERT_TRUE(ledger->commit_block(&b2, u));
  EXPECT_EQ(ledger->height(), 3u);
  EXPECT_FALSE(ledger->state().get_state("cc", "a")->has_value()) << "deleted in block 2";
  EXPECT_EQ(ledger->state().get_state("cc", "b")->value(), (VersionedValue{"2", {1, 0}}));
  EXPECT_EQ(ledger->history()->history("cc", "a").value(), (std::vector<Height>{{1, 0}, {2, 1}}));
  EXPECT_TRUE(ledger->block_store().tx_exists("t1").value()) << "the invalid txid exists";
  EXPECT_EQ(ledger->block_store().tx_validation_code("t1").value(), protos::MVCC_READ_CONFLICT);
  EXPECT_EQ(ledger->state().savepoint(), (Height{2, 1})) << "Fabric's state savepoint: last tx number";
  EXPECT_EQ(ledger->history()->savepoint(), (Height{2, 2})) << "Fabric's history savepoint: tx count";
}

TEST(LedgerCommit, HistoryCanBeDisabled) {
  auto env = testing::mem_env();
  LedgerOptions o;
  o.enable_history = false;
  auto ledger = Ledger::open(env.get(), "p", o).value();
  EXPECT_EQ(ledger->history(), nullptr);
  std::vector<CommitStep> steps;
  ledger->set_commit_hook([&](CommitStep s, uint64_t) {
    steps.push_back(s);
    return Status::ok();
  });
  ChainBuilder chain;
  UpdateBatch u;
  common::Block b0 = chain.next({{"t0", {{"cc", "a", "1"}}}}, &u);
  ASSERT_TRUE(ledger->commit_block(&b0, u));
  EXPECT_EQ(steps, (std::vector<CommitStep>{CommitStep::kBlockStored, CommitStep::kStateApplied}));
  EXPECT_EQ(ledger->state().get_state("cc", "a")->value(), (VersionedValue{"1", {0, 0}}));
}

}  // namespace
}  // namespace fabsim::ledger
