// Recomputing a block's updates from the block alone (tx_rwset.h): the extraction chain
// Envelope -> ... -> TxReadWriteSet and the §3.6 rules for folding writes into a batch.
#include <gtest/gtest.h>

#include "core/crypto/txid.h"

#include <string>
#include <vector>

#include "model/ledger/tx_rwset.h"
#include "tests/model/ledger_test_util.h"

namespace fabsim::ledger {
namespace {

using testing::ChainBuilder;
using testing::Kind;
using testing::TxSpec;

constexpr uint8_t kValid = protos::VALID;

struct BatchCase {
  const char* name;
  std::vector<TxSpec> txs;
  std::vector<std::pair<UpdateBatch::Key, KeyUpdate>> want;  // for block number 1
};

TEST(LedgerRwset, UpdatesFromBlockFollowTheApplyWritesRules) {
  const std::vector<BatchCase> cases = {
      {"EachWriteIsAPutVersionedByBlockAndTxIndex",
       {{"t0", {{"cc", "a", "1"}, {"cc", "b", "2"}}}},
       {{{"cc", "a"}, {"1", {1, 0}}}, {{"cc", "b"}, {"2", {1, 0}}}}},
      {"TxIndexCountsInvalidTransactions",
       {{"t0", {{"cc", "a", "x"}}, protos::MVCC_READ_CONFLICT}, {"t1", {{"cc", "b", "y"}}}},
       {{{"cc", "b"}, {"y", {1, 1}}}}},
      {"InvalidTransactionsContributeNothing",
       {{"t0", {{"cc", "a", "x"}}, protos::ENDORSEMENT_POLICY_FAILURE}},
       {}},
      {"LaterValidTransactionOverwritesEarlier",
       {{"t0", {{"cc", "a", "first"}}}, {"t1", {{"cc", "a", "second"}}}},
       {{{"cc", "a"}, {"second", {1, 1}}}}},
      {"DeleteIsKeptWithItsVersion",
       {{"t0", {{"cc", "gone", std::nullopt}}}},
       {{{"cc", "gone"}, {std::nullopt, {1, 0}}}}},
      {"DeleteAfterPutWins",
       {{"t0", {{"cc", "a", "1"}}}, {"t1", {{"cc", "a", std::nullopt}}}},
       {{{"cc", "a"}, {std::nullopt, {1, 1}}}}},
      {"NamespacesAreSeparate",
       {{"t0", {{"cc1", "k", "1"}, {"cc2", "k", "2"}}}},
       {{{"cc1", "k"}, {"1", {1, 0}}}, {{"cc2", "k"}, {"2", {1, 0}}}}},
      {"ConfigTransactionsWriteNoState",
       {{"cfg", {}, kValid, Kind::kConfig}, {"t1", {{"cc", "a", "1"}}}},
       {{{"cc", "a"}, {"1", {1, 1}}}}},
      {"UnparseableInvalidTransactionIsSkipped",
       {{"", {}, protos::INVALID_OTHER_REASON, Kind::kGarbage}, {"t1", {{"cc", "a", "1"}}}},
       {{{"cc", "a"}, {"1", {1, 1}}}}},
  };
  for (const BatchCase& c : cases) {
    ChainBuilder chain;
    chain.next({{"genesis", {}, kValid, Kind::kConfig}});
    UpdateBatch expected_by_builder;
    common::Block b = chain.next(c.txs, &expected_by_builder);
    auto got = updates_from_block(b);
    ASSERT_TRUE(got.is_ok()) << c.name << ": " << got.status().to_string();
    UpdateBatch want;
    for (const auto& [k, u] : c.want) {
      if (u.value) {
        want.put(k.first, k.second, *u.value, u.version);
      } else {
        want.erase(k.first, k.second, u.version);
      }
    }
    EXPECT_EQ(*got, want) << c.name;
    EXPECT_EQ(*got, expected_by_builder) << c.name;
  }
}

TEST(LedgerRwset, ValidTransactionThatDoesNotParseIsCorruption) {
  ChainBuilder chain;
  chain.next({{"genesis", {}, kValid, Kind::kConfig}});
  common::Block b = chain.next({{"t0", {{"cc", "a", "1"}}}, {"", {}, kValid, Kind::kGarbage}});
  auto got = updates_from_block(b);
  ASSERT_FALSE(got.is_ok());
  EXPECT_EQ(got.status().code(), StatusCode::kCorruption);
  EXPECT_NE(got.status().message().find("block 1 tx 1 is flagged VALID but envelope does not parse"),
            std::string::npos)
      << got.status().message();
}

TEST(LedgerRwset, FilterLengthMismatchIsCorruption) {
  common::Block b = testing::make_block(0, "", {testing::endorser_envelope("t", {})}, "");
  EXPECT_EQ(updates_from_block(b).status().code(), StatusCode::kCorruption);
}

TEST(LedgerRwset, ExtractionChainReachesTheReadWriteSet) {
  std::string env = testing::endorser_envelope("t", {{"mycc", "k", "v"}});
  auto rws = rwset_from_envelope(env);
  ASSERT_TRUE(rws.is_ok()) << rws.status().to_string();
  ASSERT_EQ(rws->ns_rwset_size(), 1);
  EXPECT_EQ(rws->ns_rwset(0).namespace_(), "mycc");
  EXPECT_EQ(header_type_from_envelope(env).value(), common::ENDORSER_TRANSACTION);
  // Each broken link is reported, never a crash.
  EXPECT_EQ(rwset_from_envelope("\xff").status().code(), StatusCode::kCorruption);
  std::string no_actions = testing::envelope_with_header(common::ENDORSER_TRANSACTION, "t", "");
  EXPECT_NE(rwset_from_envelope(no_actions).status().message().find("no actions"), std::string::npos);
}

TEST(LedgerRwset, TxidIsTheChannelHeaderTxidOrHexSha256OfNonceAndCreator) {
  // SHA-256("abc"), a published test vector: nonce "a" + creator "bc".
  EXPECT_EQ(crypto::compute_tx_id("a", "bc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(txid_from_envelope(testing::envelope_with_header(3, "given", "", "a", "bc")).value(), "given");
  EXPECT_EQ(txid_from_envelope(testing::envelope_with_header(3, "", "", "a", "bc")).value(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(txid_from_envelope("garbage\xff").status().code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace fabsim::ledger
