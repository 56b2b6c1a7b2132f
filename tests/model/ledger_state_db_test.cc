// StateDb: StateReader semantics on LevelDB (model/ledger/state.h; fabric-semantics.md
// §3.2, §3.3, §3.6), atomic savepoints, and agreement with the in-memory reference.
#include <gtest/gtest.h>
#include <leveldb/write_batch.h>

#include <string>
#include <vector>

#include "core/random.h"
#include "model/ledger/state_db.h"
#include "tests/model/ledger_test_util.h"

namespace fabsim::ledger {
namespace {

class LedgerStateDb : public ::testing::Test {
 protected:
  std::unique_ptr<StateDb> open() {
    auto s = StateDb::open(env_.get(), "peer0/state", {true});
    EXPECT_TRUE(s.is_ok()) << s.status().to_string();
    return s ? std::move(*s) : nullptr;
  }
  static std::vector<std::string> keys(const StateReader& s, const std::string& ns, const std::string& a,
                                       const std::string& b) {
    std::vector<std::string> out;
    auto it = s.range(ns, a, b);
    std::string k;
    VersionedValue v;
    while (it->next(&k, &v)) out.push_back(k);
    EXPECT_TRUE(it->status()) << it->status().to_string();
    return out;
  }
  std::unique_ptr<leveldb::Env> env_ = testing::mem_env();
};

TEST_F(LedgerStateDb, AbsentKeyHasNoVersion) {
  auto db = open();
  auto r = db->get_state("cc", "k");
  ASSERT_TRUE(r.is_ok());
  EXPECT_FALSE(r->has_value());
  EXPECT_FALSE(db->savepoint().has_value()) << "a fresh database has no savepoint";
}

TEST_F(LedgerStateDb, PutStoresValueWithTheWritersHeight) {
  auto db = open();
  UpdateBatch b;
  b.put("cc", "k", "v1", {3, 7});
  b.put("cc", "empty", "", {3, 7});
  ASSERT_TRUE(db->apply_updates(b, {3, 9}));
  EXPECT_EQ(db->get_state("cc", "k")->value(), (VersionedValue{"v1", {3, 7}}));
  EXPECT_EQ(db->get_state("cc", "empty")->value(), (VersionedValue{"", {3, 7}})) << "an empty value is a value";
  EXPECT_FALSE(db->get_state("other", "k")->has_value()) << "namespaces are separate";
}

TEST_F(LedgerStateDb, DeleteRemovesTheKeySoALaterReadHasNoVersion) {
  auto db = open();
  UpdateBatch b1;
  b1.put("cc", "k", "v", {1, 0});
  ASSERT_TRUE(db->apply_updates(b1, {1, 0}));
  UpdateBatch b2;
  b2.erase("cc", "k", {2, 0});
  b2.erase("cc", "never-existed", {2, 0});  // deleting an absent key is fine
  ASSERT_TRUE(db->apply_updates(b2, {2, 0}));
  EXPECT_FALSE(db->get_state("cc", "k")->has_value());
  EXPECT_EQ(keys(*db, "cc", "", ""), std::vector<std::string>{});
}

TEST_F(LedgerStateDb, OverwriteReplacesValueAndVersion) {
  auto db = open();
  UpdateBatch b1, b2;
  b1.put("cc", "k", "old", {1, 0});
  b2.put("cc", "k", "new", {2, 4});
  ASSERT_TRUE(db->apply_updates(b1, {1, 0}));
  ASSERT_TRUE(db->apply_updates(b2, {2, 4}));
  EXPECT_EQ(db->get_state("cc", "k")->value(), (VersionedValue{"new", {2, 4}}));
}

TEST_F(LedgerStateDb, RangeIsByteOrderStartInclusiveEndExclusiveWithinOneNamespace) {
  auto db = open();
  UpdateBatch b;
  for (const char* k : {"key1", "key10", "key7", "key9"}) b.put("cc", k, "v", {1, 0});
  b.put("cc2", "key2", "other-namespace", {1, 0});  // shares the prefix "cc"
  b.put("c", "key3", "other-namespace", {1, 0});
  ASSERT_TRUE(db->apply_updates(b, {1, 0}));
  struct Case {
    const char* name;
    std::string start, end;
    std::vector<std::string> want;
  };
  for (const Case& c : std::vector<Case>{
           {"ByteOrderKey10BeforeKey7", "key1", "key7", {"key1", "key10"}},
           {"EndIsExclusive", "key10", "key9", {"key10", "key7"}},
           {"EmptyStartIsTheFirstKey", "", "key10", {"key1"}},
           {"EmptyEndIsPastTheLastKey", "key7", "", {"key7", "key9"}},
           {"BothEmptyIsTheWholeNamespace", "", "", {"key1", "key10", "key7", "key9"}},
           {"StartAfterEverything", "z", "", {}},
       }) {
    EXPECT_EQ(keys(*db, "cc", c.start, c.end), c.want) << c.name;
  }
  auto it = db->range("cc", "key9", "");
  std::string k;
  VersionedValue v;
  ASSERT_TRUE(it->next(&k, &v));
  EXPECT_EQ(v, (VersionedValue{"v", {1, 0}})) << "range yields versions too";
}

TEST_F(LedgerStateDb, SavepointIsWrittenWithTheUpdatesAndSurvivesReopen) {
  {
    auto db = open();
    UpdateBatch b;
    b.put("cc", "k", "v", {4, 1});
    ASSERT_TRUE(db->apply_updates(b, {4, 2}));
    EXPECT_EQ(db->savepoint(), (Height{4, 2}));
    EXPECT_EQ(db->apply_updates(UpdateBatch{}, {4, 3}).code(), StatusCode::kFailedPrecondition)
        << "SavepointMustAdvanceByBlock";
    EXPECT_EQ(db->apply_updates(UpdateBatch{}, {3, 0}).code(), StatusCode::kFailedPrecondition);
  }
  auto db = open();
  EXPECT_EQ(db->savepoint(), (Height{4, 2}));
  EXPECT_EQ(db->get_state("cc", "k")->value(), (VersionedValue{"v", {4, 1}}));
}

TEST_F(LedgerStateDb, NamespaceWithNulByteIsRejected) {
  auto db = open();
  UpdateBatch b;
  b.put(std::string("c\0c", 3), "k", "v", {1, 0});
  EXPECT_EQ(db->apply_updates(b, {1, 0}).code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(db->savepoint().has_value()) << "nothing was written";
  EXPECT_EQ(db->get_state(std::string("c\0c", 3), "k").status().code(), StatusCode::kInvalidArgument);
  auto it = db->range(std::string("\0", 1), "", "");
  std::string k;
  VersionedValue v;
  EXPECT_FALSE(it->next(&k, &v));
  EXPECT_EQ(it->status().code(), StatusCode::kInvalidArgument);
}

TEST_F(LedgerStateDb, StoredValueThatDoesNotDecodeIsCorruptionOnRead) {
  {
    auto db = open();
    UpdateBatch b;
    b.put("cc", "a", "fine", {1, 0});
    ASSERT_TRUE(db->apply_updates(b, {1, 0}));
  }
  {
    auto raw = KvDb::open(env_.get(), "peer0/state", {false, true}).value();
    leveldb::WriteBatch wb;
    wb.Put(std::string("dcc\0b", 5), "\x09");  // a version whose size byte is 9
    ASSERT_TRUE(raw->write(&wb));
  }
  auto db = open();
  EXPECT_EQ(db->get_state("cc", "b").status().code(), StatusCode::kCorruption);
  EXPECT_TRUE(db->get_state("cc", "a").is_ok());
  auto it = db->range("cc", "", "");
  std::string k;
  VersionedValue v;
  ASSERT_TRUE(it->next(&k, &v));
  EXPECT_EQ(k, "a");
  EXPECT_FALSE(it->next(&k, &v));
  EXPECT_EQ(it->status().code(), StatusCode::kCorruption);
  EXPECT_NE(it->status().message().find("key 'b'"), std::string::npos) << it->status().message();
}

// The LevelDB state agrees with the in-memory reference over many random batches.
TEST_F(LedgerStateDb, AgreesWithInMemoryReferenceOnRandomBatches) {
  auto db = open();
  InMemoryState ref;
  Rng rng = Rng::stream(42, "ledger/state-db-test");
  const std::vector<std::string> nss = {"a", "ab", "b"};
  for (uint64_t block = 1; block <= 60; ++block) {
    UpdateBatch batch;
    const uint64_t n = 1 + rng.uniform_u64(20);
    for (uint64_t i = 0; i < n; ++i) {
      const std::string& ns = nss[rng.uniform_u64(nss.size())];
      std::string key = "k" + std::to_string(rng.uniform_u64(40));
      const Height ver{block, rng.uniform_u64(5)};
      if (rng.uniform_u64(4) == 0) {
        batch.erase(ns, key, ver);
      } else {
        batch.put(ns, key, "v" + std::to_string(rng.uniform_u64(1000)), ver);
      }
    }
    for (const auto& [k, u] : batch.updates()) {
      if (u.is_delete()) {
        ref.erase(k.first, k.second);
      } else {
        ref.put(k.first, k.second, *u.value, u.version);
      }
    }
    ASSERT_TRUE(db->apply_updates(batch, {block, 0}));
  }
  for (const std::string& ns : nss) {
    for (const auto& [a, b] : std::vector<std::pair<std::string, std::string>>{{"", ""}, {"k1", "k3"}, {"k25", ""}}) {
      EXPECT_EQ(keys(*db, ns, a, b), keys(ref, ns, a, b)) << ns << " [" << a << ", " << b << ")";
    }
    for (int i = 0; i < 40; ++i) {
      std::string key = "k" + std::to_string(i);
      EXPECT_EQ(db->get_state(ns, key).value(), ref.get_state(ns, key).value()) << ns << "/" << key;
    }
  }
}

}  // namespace
}  // namespace fabsim::ledger
