// HistoryDb: (namespace, key) -> heights of the valid transactions that wrote it (Fabric's
// history.DB.Commit).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "model/ledger/history_db.h"
#include "tests/model/ledger_test_util.h"

namespace fabsim::ledger {
namespace {

using testing::ChainBuilder;
using testing::Kind;

constexpr uint8_t kValid = protos::VALID;

class LedgerHistory : public ::testing::Test {
 protected:
  std::unique_ptr<HistoryDb> open() {
    auto h = HistoryDb::open(env_.get(), "peer0/history", {true});
    EXPECT_TRUE(h.is_ok()) << h.status().to_string();
    return h ? std::move(*h) : nullptr;
  }
  std::unique_ptr<leveldb::Env> env_ = testing::mem_env();
};

TEST_F(LedgerHistory, RecordsValidWritesInHeightOrder) {
  auto db = open();
  ChainBuilder chain;
  ASSERT_TRUE(db->commit_block(chain.next({{"cfg", {}, kValid, Kind::kConfig}})));
  ASSERT_TRUE(db->commit_block(chain.next({{"t0", {{"cc", "k", "1"}}},
                                           {"t1", {{"cc", "k", "x"}}, protos::MVCC_READ_CONFLICT},
                                           {"t2", {{"cc", "k", "2"}, {"cc", "other", "o"}}}})));
  ASSERT_TRUE(db->commit_block(chain.next({{"t3", {{"cc", "k", std::nullopt}}}})));
  ASSERT_TRUE(db->commit_block(chain.next({{"t4", {{"cc", "k", "3"}}}})));
  struct Case {
    const char* name;
    std::string ns, key;
    std::vector<Height> want;
  };
  for (const Case& c : std::vector<Case>{
           {"OldestFirstSkippingInvalidAndIncludingDeletes", "cc", "k", {{1, 0}, {1, 2}, {2, 0}, {3, 0}}},
           {"OtherKeyOfTheSameTransaction", "cc", "other", {{1, 2}}},
           {"KeyPrefixIsNotTheKey", "cc", "o", {}},
           {"KeyExtensionIsNotTheKey", "cc", "kk", {}},
           {"NamespacesAreSeparate", "cc2", "k", {}},
       }) {
    auto got = db->history(c.ns, c.key);
    ASSERT_TRUE(got.is_ok()) << c.name;
    EXPECT_EQ(*got, c.want) << c.name;
  }
}

TEST_F(LedgerHistory, SavepointIsBlockAndTransactionCountAndBlocksMustComeInOrder) {
  ChainBuilder chain;
  common::Block b0 = chain.next({{"cfg", {}, kValid, Kind::kConfig}});
  common::Block b1 = chain.next({{"a", {}}, {"b", {}}, {"c", {}}});
  common::Block b2 = chain.next({{"d", {}}});
  {
    auto db = open();
    EXPECT_EQ(db->commit_block(b1).code(), StatusCode::kFailedPrecondition) << "FreshDatabaseStartsAtBlock0";
    ASSERT_TRUE(db->commit_block(b0));
    ASSERT_TRUE(db->commit_block(b1));
    EXPECT_EQ(db->savepoint(), (Height{1, 3}));
    EXPECT_EQ(db->commit_block(b1).code(), StatusCode::kFailedPrecondition) << "NoBlockTwice";
  }
  auto db = open();
  EXPECT_EQ(db->savepoint(), (Height{1, 3})) << "SavepointSurvivesReopen";
  EXPECT_TRUE(db->commit_block(b2));
}

TEST_F(LedgerHistory, ValidTransactionThatDoesNotParseIsCorruptionAndWritesNothing) {
  auto db = open();
  ChainBuilder chain;
  common::Block b = chain.next({{"t0", {{"cc", "k", "1"}}}, {"", {}, kValid, Kind::kGarbage}});
  EXPECT_EQ(db->commit_block(b).code(), StatusCode::kCorruption);
  EXPECT_FALSE(db->savepoint().has_value());
  EXPECT_EQ(db->history("cc", "k").value(), std::vector<Height>{});
}

}  // namespace
}  // namespace fabsim::ledger
