// COMMIT_HASH (Fabric 2.2 addBlockCommitHash, deterministicBytesForPubAndHashUpdates):
// update-batch bytes worked out by hand from the protobuf rules for txmgr.Updates/KVWrite.
#include <gtest/gtest.h>

#include <string>

#include "model/ledger/block_hash.h"
#include "model/ledger/commit_hash.h"
#include "model/ledger/ledger.h"
#include "tests/model/ledger_test_util.h"

namespace fabsim::ledger {
namespace {

using testing::ChainBuilder;
using testing::Kind;

TEST(LedgerCommitHash, UpdateBatchBytesAreFabricsUpdatesMessage) {
  UpdateBatch b;
  b.put("cc", "a", "1", {1, 0});
  b.erase("cc", "b", {1, 2});
  b.put("dd", "k", "", {1, 1});
  b.put("", "config", "x", {1, 0});  // the channel-config namespace is left out
  const std::string want =
      // KVWrite{namespace "cc", key "a", value "1", version_bytes 01 01 00}
      "0a0f" "0a026363" "1a0161" "2a0131" "3203010100"
      // KVWrite{key "b", isDelete true, version_bytes 01 01 01 02}: namespace only on the first
      "0a0b" "1a0162" "2001" "320401010102"
      // KVWrite{namespace "dd", key "k", empty value omitted, version_bytes 01 01 01 01}
      "0a0d" "0a026464" "1a016b" "320401010101";
  EXPECT_EQ(to_hex(update_batch_bytes(b)), want);
  EXPECT_EQ(update_batch_bytes(UpdateBatch{}), "") << "EmptyBatchIsEmptyMessage";
}

TEST(LedgerCommitHash, HashIsSha256OfVarintLengthFilterUpdatesAndPrevious) {
  const std::string filter(200, '\0');  // length 200 is the two-byte varint c8 01
  const std::string updates = "UPD", prev = "PREV";
  std::string in = "\xc8\x01";
  in += filter;
  in += updates;
  in += prev;
  EXPECT_EQ(compute_commit_hash(filter, updates, prev), sha256(in));
}

TEST(LedgerCommitHash, LedgerChainsTheHashFromBlockOneOnAndStoresItInSlotFour) {
  auto env = testing::mem_env();
  auto ledger = Ledger::open(env.get(), "p").value();
  ChainBuilder chain;
  UpdateBatch u0, u1, u2;
  common::Block b0 = chain.next({{"cfg", {}, 0, Kind::kConfig}}, &u0);
  common::Block b1 = chain.next({{"t1", {{"cc", "a", "1"}}}}, &u1);
  common::Block b2 = chain.next({{"t2", {{"cc", "a", std::nullopt}}}, {"t3", {}, protos::MVCC_READ_CONFLICT}}, &u2);
  ASSERT_TRUE(ledger->commit_block(&b0, u0));
  EXPECT_EQ(ledger->commit_hash(), "") << "GenesisBlockGetsNoCommitHash";
  EXPECT_EQ(stored_commit_hash(b0).value(), "");
  ASSERT_TRUE(ledger->commit_block(&b1, u1));
  const std::string h1 = compute_commit_hash(std::string(1, '\0'), update_batch_bytes(u1), "");
  EXPECT_EQ(ledger->commit_hash(), h1) << "BlockOneStartsTheChain";
  ASSERT_TRUE(ledger->commit_block(&b2, u2));
  const std::string h2 = compute_commit_hash(std::string("\0\x0b", 2), update_batch_bytes(u2), h1);
  EXPECT_EQ(ledger->commit_hash(), h2) << "EachLaterBlockChainsThePrevious";
  // Stored as a marshalled common.Metadata{value = hash} in slot 4 of the stored block.
  auto stored = ledger->block_store().block_by_number(2).value();
  common::Metadata m;
  ASSERT_TRUE(m.ParseFromString(stored.metadata().metadata(common::COMMIT_HASH)));
  EXPECT_EQ(m.value(), h2);
  ledger.reset();
  auto reopened = Ledger::open(env.get(), "p").value();
  EXPECT_EQ(reopened->commit_hash(), h2) << "RestartReloadsTheLastCommitHash";
}

TEST(LedgerCommitHash, HashStartsAtBlockOneEvenAfterARestart) {
  // Fabric computes the hash for block 1, or when the previous block has one. After a
  // restart with only the genesis block committed, the ledger has no hash to chain, and
  // block 1 must still start the chain.
  auto env = testing::mem_env();
  auto ledger = Ledger::open(env.get(), "p").value();
  ChainBuilder chain;
  UpdateBatch u;
  common::Block b0 = chain.next({{"cfg", {}, 0, Kind::kConfig}}, &u);
  ASSERT_TRUE(ledger->commit_block(&b0, u));
  ledger.reset();
  ledger = Ledger::open(env.get(), "p").value();
  EXPECT_EQ(ledger->commit_hash(), "");
  common::Block b1 = chain.next({{"t1", {{"cc", "a", "1"}}}}, &u);
  ASSERT_TRUE(ledger->commit_block(&b1, u));
  EXPECT_FALSE(ledger->commit_hash().empty());
}

}  // namespace
}  // namespace fabsim::ledger
