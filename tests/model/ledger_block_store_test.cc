// BlockStore: Fabric's block-store rules (blkstorage blockfile_mgr.go addBlock, blockindex.go).
#include <gtest/gtest.h>

#include "core/crypto/txid.h"

#include <functional>
#include <string>
#include <vector>

#include "model/ledger/block_store.h"
#include "model/ledger/tx_rwset.h"
#include "tests/model/ledger_test_util.h"

namespace fabsim::ledger {
namespace {

using testing::ChainBuilder;
using testing::Kind;
using testing::TxSpec;

constexpr uint8_t kValid = protos::VALID;
constexpr uint8_t kMvcc = protos::MVCC_READ_CONFLICT;

class LedgerBlockStore : public ::testing::Test {
 protected:
  std::unique_ptr<BlockStore> open(BlockStore::Verify v = BlockStore::Verify::kFull) {
    auto s = BlockStore::open(env_.get(), "peer0/blocks", {v, true});
    EXPECT_TRUE(s.is_ok()) << s.status().to_string();
    return s ? std::move(*s) : nullptr;
  }
  std::unique_ptr<leveldb::Env> env_ = testing::mem_env();
};

struct RejectCase {
  const char* name;
  std::function<void(common::Block*)> mutate;
  const char* message_part;
};

TEST_F(LedgerBlockStore, AppendRejectsBlocksThatBreakTheChain) {
  const std::vector<RejectCase> cases = {
      {"NumberMustBeTheCurrentHeight", [](common::Block* b) { b->mutable_header()->set_number(2); },
       "block number should have been 1 but was 2"},
      {"NumberMayNotRepeat", [](common::Block* b) { b->mutable_header()->set_number(0); },
       "block number should have been 1 but was 0"},
      {"PreviousHashMustBeTheLastHeaderHash",
       [](common::Block* b) { b->mutable_header()->set_previous_hash(std::string(32, '\x01')); },
       "unexpected previous block hash"},
      {"DataHashMustMatchTheData", [](common::Block* b) { b->mutable_data()->set_data(0, "tampered"); },
       "does not match the hash of its data"},
      {"FilterNeedsOneEntryPerTransaction", [](common::Block* b) { b->mutable_metadata()->set_metadata(2, ""); },
       "TRANSACTIONS_FILTER has 0 entries for 1 transactions"},
      {"HeaderIsRequired", [](common::Block* b) { b->clear_header(); }, "no header"},
  };
  for (const RejectCase& c : cases) {
    env_ = testing::mem_env();
    auto store = open();
    ChainBuilder chain;
    ASSERT_TRUE(store->append(chain.next({{"tx0", {{"cc", "k", "v"}}}})));
    common::Block next = chain.next({{"tx1", {{"cc", "k", "w"}}}});
    c.mutate(&next);
    Status s = store->append(next);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << c.name << ": " << s.to_string();
    EXPECT_NE(s.message().find(c.message_part), std::string::npos) << c.name << ": " << s.message();
    EXPECT_EQ(store->height(), 1u) << c.name << ": a rejected block changes nothing";
    EXPECT_FALSE(store->tx_exists("tx1").value()) << c.name;
  }
}

TEST_F(LedgerBlockStore, GenesisBlockMustHaveEmptyPreviousHash) {
  auto store = open();
  common::Block b = testing::make_block(0, std::string(32, '\x07'), {testing::endorser_envelope("t", {})},
                                        std::string(1, '\0'));
  EXPECT_EQ(store->append(b).code(), StatusCode::kInvalidArgument);
  b = testing::make_block(0, "", {testing::endorser_envelope("t", {})}, std::string(1, '\0'));
  EXPECT_TRUE(store->append(b));
}

TEST_F(LedgerBlockStore, AppendedBlocksAreFoundByNumberAndByHeaderHash) {
  auto store = open();
  ChainBuilder chain;
  std::vector<common::Block> blocks;
  for (int i = 0; i < 4; ++i) {
    blocks.push_back(chain.next({{"tx" + std::to_string(i), {{"cc", "k", "v"}}}}));
    ASSERT_TRUE(store->append(blocks.back()));
  }
  EXPECT_EQ(store->height(), 4u);
  EXPECT_EQ(store->current_block_hash(), block_header_hash(blocks[3].header()));
  for (const common::Block& b : blocks) {
    auto by_num = store->block_by_number(b.header().number());
    ASSERT_TRUE(by_num.is_ok());
    EXPECT_EQ(by_num->SerializeAsString(), b.SerializeAsString());
    auto by_hash = store->block_by_hash(block_header_hash(b.header()));
    ASSERT_TRUE(by_hash.is_ok());
    EXPECT_EQ(by_hash->header().number(), b.header().number());
  }
  EXPECT_EQ(store->block_by_number(4).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store->block_by_hash(std::string(32, '\0')).status().code(), StatusCode::kNotFound);
}

TEST_F(LedgerBlockStore, TxidIndexIncludesInvalidTransactionsWithTheirValidationCode) {
  auto store = open();
  ChainBuilder chain;
  ASSERT_TRUE(store->append(chain.next({{"ok", {{"cc", "a", "1"}}, kValid},
                                        {"conflict", {{"cc", "b", "2"}}, kMvcc},
                                        {"policy", {}, protos::ENDORSEMENT_POLICY_FAILURE}})));
  struct Case {
    const char* txid;
    TxLocation want;
  };
  for (const Case& c : std::vector<Case>{{"ok", {0, 0, protos::VALID}},
                                         {"conflict", {0, 1, protos::MVCC_READ_CONFLICT}},
                                         {"policy", {0, 2, protos::ENDORSEMENT_POLICY_FAILURE}}}) {
    auto loc = store->tx_location(c.txid);
    ASSERT_TRUE(loc.is_ok()) << c.txid;
    EXPECT_EQ(*loc, c.want) << c.txid;
    EXPECT_TRUE(store->tx_exists(c.txid).value()) << c.txid << ": an invalid txid still exists";
    EXPECT_EQ(store->tx_validation_code(c.txid).value(), c.want.validation_code) << c.txid;
  }
  EXPECT_FALSE(store->tx_exists("never").value());
  EXPECT_EQ(store->tx_location("never").status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(store->tx_exists("o").value()) << "a txid prefix is not a txid";
}

TEST_F(LedgerBlockStore, RepeatedTxidAnswersWithTheFirstOccurrence) {
  auto store = open();
  ChainBuilder chain;
  ASSERT_TRUE(store->append(chain.next({{"x", {}, kValid}})));
  ASSERT_TRUE(store->append(chain.next({{"y", {}, kValid}, {"x", {}, protos::DUPLICATE_TXID}})));
  EXPECT_EQ(store->tx_location("x").value(), (TxLocation{0, 0, protos::VALID}));
}

TEST_F(LedgerBlockStore, UnparseableEnvelopeIsStoredAndIndexedUnderTheEmptyTxid) {
  auto store = open();
  ChainBuilder chain;
  common::Block b = chain.next({{"a", {}, kValid}, {"", {}, protos::INVALID_OTHER_REASON, Kind::kGarbage},
                                {"c", {}, kValid}});
  ASSERT_TRUE(store->append(b));
  EXPECT_EQ(store->tx_location("").value(), (TxLocation{0, 1, protos::INVALID_OTHER_REASON}));
  EXPECT_EQ(store->tx_location("c").value(), (TxLocation{0, 2, protos::VALID}));
  EXPECT_EQ(store->block_by_number(0)->data().data(1), b.data().data(1)) << "the bytes are kept as they came";
}

TEST_F(LedgerBlockStore, EmptyChannelHeaderTxidIsComputedFromNonceAndCreator) {
  auto store = open();
  std::string env = testing::envelope_with_header(common::ENDORSER_TRANSACTION, "", "", "nonce-1", "creator-1");
  ASSERT_TRUE(store->append(testing::make_block(0, "", {env}, std::string(1, '\0'))));
  EXPECT_TRUE(store->tx_exists(crypto::compute_tx_id("nonce-1", "creator-1")).value());
  EXPECT_FALSE(store->tx_exists("").value());
}

TEST_F(LedgerBlockStore, ReopenKeepsHeightHashAndIndexes) {
  ChainBuilder chain;
  std::string last_hash;
  {
    auto store = open();
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(store->append(chain.next({{"t" + std::to_string(i), {}, kValid}})));
    last_hash = store->current_block_hash();
  }
  auto store = open(BlockStore::Verify::kFull);
  EXPECT_EQ(store->height(), 3u);
  EXPECT_EQ(store->current_block_hash(), last_hash);
  EXPECT_EQ(store->tx_location("t2").value(), (TxLocation{2, 0, protos::VALID}));
  EXPECT_TRUE(store->append(chain.next({{"t3", {}, kValid}}))) << "the chain continues after a restart";
}

// tx_exists answers "absent" from an in-memory filter; after a reopen the filter is rebuilt
// from the index, so every stored TxID (valid, invalid, repeated) still exists.
TEST_F(LedgerBlockStore, TxExistsAfterReopenFindsEveryIndexedTxid) {
  ChainBuilder chain;
  std::vector<std::string> ids;
  {
    auto store = open();
    for (int b = 0; b < 20; ++b) {
      std::vector<TxSpec> txs;
      for (int i = 0; i < 25; ++i) {
        ids.push_back("tx-" + std::to_string(b) + "-" + std::to_string(i));
        txs.push_back({ids.back(), {}, i % 3 == 0 ? kMvcc : kValid});
      }
      ASSERT_TRUE(store->append(chain.next(txs)));
    }
  }
  auto store = open();
  for (const auto& id : ids) EXPECT_TRUE(store->tx_exists(id).value()) << id;
  for (int i = 0; i < 500; ++i) EXPECT_FALSE(store->tx_exists("absent-" + std::to_string(i)).value());
}

}  // namespace
}  // namespace fabsim::ledger
