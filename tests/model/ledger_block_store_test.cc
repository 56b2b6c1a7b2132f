// BlockStore: Fabric's block-store rules (blkstorage blockfile_mgr.go addBlock, blockindex.go).
#include <gtest/gtest.h>

#include "core/crypto/txid.h"
#include "core/fault_env.h"

#include <functional>
#include <string>
#include <vector>

#include "model/ledger/block_store.h"
#include "model/ledger/ordered_encoding.h"
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

// A process that dies in the middle of its work: once armed, the `steps`-th mutating file
// operation (create, append, flush, sync, rename, remove) on a file whose name starts with
// `prefix` — and every mutating operation after it, on any file — fails and changes
// nothing. Layered over FaultInjectionEnv, drop_unsynced_writes() then adds a power loss.
class CrashingEnv : public leveldb::EnvWrapper {
 public:
  explicit CrashingEnv(leveldb::Env* base) : leveldb::EnvWrapper(base) {}
  void arm(int steps, std::string prefix = "") {
    armed_ = true;
    steps_ = steps;
    prefix_ = std::move(prefix);
  }
  bool crashed() const { return crashed_; }

  leveldb::Status NewWritableFile(const std::string& f, leveldb::WritableFile** r) override {
    if (!step(f)) return dead();
    leveldb::Status s = target()->NewWritableFile(f, r);
    if (s.ok()) *r = new File(this, f, *r);
    return s;
  }
  leveldb::Status NewAppendableFile(const std::string& f, leveldb::WritableFile** r) override {
    if (!step(f)) return dead();
    leveldb::Status s = target()->NewAppendableFile(f, r);
    if (s.ok()) *r = new File(this, f, *r);
    return s;
  }
  leveldb::Status RemoveFile(const std::string& f) override {
    return step(f) ? target()->RemoveFile(f) : dead();
  }
  leveldb::Status RenameFile(const std::string& from, const std::string& to) override {
    return step(from) ? target()->RenameFile(from, to) : dead();
  }

 private:
  class File : public leveldb::WritableFile {
   public:
    File(CrashingEnv* env, std::string name, leveldb::WritableFile* base)
        : env_(env), name_(std::move(name)), base_(base) {}
    ~File() override { delete base_; }
    leveldb::Status Append(const leveldb::Slice& data) override {
      return env_->step(name_) ? base_->Append(data) : dead();
    }
    leveldb::Status Close() override { return base_->Close(); }
    leveldb::Status Flush() override { return env_->step(name_) ? base_->Flush() : dead(); }
    leveldb::Status Sync() override { return env_->step(name_) ? base_->Sync() : dead(); }

   private:
    CrashingEnv* env_;
    std::string name_;
    leveldb::WritableFile* base_;
  };
  static leveldb::Status dead() { return leveldb::Status::IOError("simulated crash"); }
  // Whether the operation may run.
  bool step(const std::string& file) {
    if (crashed_) return false;
    if (!armed_ || !file.starts_with(prefix_)) return true;
    if (steps_-- > 0) return true;
    crashed_ = true;
    return false;
  }
  bool armed_ = false, crashed_ = false;
  int steps_ = 0;
  std::string prefix_;
};

std::vector<common::Block> five_blocks() {
  ChainBuilder chain;
  std::vector<common::Block> blocks;
  for (int b = 0; b < 5; ++b) {
    blocks.push_back(chain.next({{"tx" + std::to_string(b), {{"cc", "k", "v"}}, kValid},
                                 {"tx" + std::to_string(b) + "b", {}, kMvcc}}));
  }
  return blocks;
}

// Whether the block files below `dir` hold `block`'s record.
bool files_hold(leveldb::Env* env, const common::Block& block, const std::string& dir = "peer0/blocks") {
  const std::string record = testing::block_record(block.SerializeAsString());
  for (const auto& [path, bytes] : testing::block_files(env, dir)) {
    if (bytes.find(record) != std::string::npos) return true;
  }
  return false;
}

// Rule: block bytes are written before the index batch that carries the checkpoint, and
// the checkpoint is the truth for the height. An append interrupted between the two
// writes left its block in a block file only; the store reopens at the old height (with
// either verify level), does not show the block, and the same block can be appended
// again.
TEST_F(LedgerBlockStore, InterruptedAppendReopensAtTheOldHeightAndTheSameBlockCanBeAppendedAgain) {
  const std::vector<common::Block> blocks = five_blocks();
  CrashingEnv crash(env_.get());
  {
    auto store = BlockStore::open(&crash, "peer0/blocks", {BlockStore::Verify::kFull, true}).value();
    for (int b = 0; b < 3; ++b) ASSERT_TRUE(store->append(blocks[b]));
    crash.arm(0, "peer0/blocks/index/");  // the first write to the index database fails
    Status s = store->append(blocks[3]);
    EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.to_string();
    EXPECT_EQ(store->height(), 3u);
    ASSERT_TRUE(crash.crashed());
    EXPECT_TRUE(files_hold(env_.get(), blocks[3])) << "the block bytes were written";
  }
  for (BlockStore::Verify v : {BlockStore::Verify::kTip, BlockStore::Verify::kFull}) {
    auto store = open(v);
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->height(), 3u);
    EXPECT_EQ(store->current_block_hash(), block_header_hash(blocks[2].header()));
    EXPECT_EQ(store->block_by_number(3).status().code(), StatusCode::kNotFound);
    EXPECT_EQ(store->block_by_hash(block_header_hash(blocks[3].header())).status().code(), StatusCode::kNotFound);
    EXPECT_FALSE(store->tx_exists("tx3").value());
    EXPECT_TRUE(files_hold(env_.get(), blocks[3])) << "open leaves the orphan in place";
  }
  auto store = open();
  ASSERT_TRUE(store->append(blocks[3]));
  ASSERT_TRUE(store->append(blocks[4]));
  store = open(BlockStore::Verify::kFull);
  EXPECT_EQ(store->height(), 5u);
  EXPECT_EQ(store->block_by_number(3)->SerializeAsString(), blocks[3].SerializeAsString());
  EXPECT_EQ(store->tx_location("tx3b").value(), (TxLocation{3, 1, protos::MVCC_READ_CONFLICT}));
}

// Rule: an interrupted append's orphan is never read: the next block of that number may
// be a different block (the ledger may receive another block for that number), and that
// is the block read back.
TEST_F(LedgerBlockStore, InterruptedAppendOrphanIsNeverReadAndAnotherBlockOfThatNumberCanBeAppended) {
  const std::vector<common::Block> blocks = five_blocks();
  CrashingEnv crash(env_.get());
  {
    auto store = BlockStore::open(&crash, "peer0/blocks", {BlockStore::Verify::kFull, true}).value();
    ASSERT_TRUE(store->append(blocks[0]));
    crash.arm(0, "peer0/blocks/index/");
    ASSERT_FALSE(store->append(blocks[1]));
  }
  ChainBuilder other;
  other.next({{"tx0", {{"cc", "k", "v"}}, kValid}, {"tx0b", {}, kMvcc}});  // == blocks[0]
  common::Block different = other.next({{"other", {}, kValid}});
  auto store = open();
  ASSERT_TRUE(store->append(different));
  store = open(BlockStore::Verify::kFull);
  EXPECT_EQ(store->block_by_number(1)->SerializeAsString(), different.SerializeAsString());
  EXPECT_TRUE(store->tx_exists("other").value());
  EXPECT_FALSE(store->tx_exists("tx1").value());
}

// Rule: a crash at any file operation of an append — with or without a power loss that
// drops unsynced writes — leaves the block store and its index consistent: it reopens
// with a full check at the old height (the block not visible) or the new one (the block
// and its index entries all visible), and the chain then continues to the same blocks and
// hash and txid indexes as a run without a crash — to the same files and index too,
// unless the crash left bytes past the checkpoint, in which case the next blocks go to a
// fresh file.
TEST_F(LedgerBlockStore, CrashAtEachStepOfAnAppendKeepsBlocksAndIndexConsistent) {
  const std::vector<common::Block> blocks = five_blocks();
  using Scan = std::vector<std::pair<std::string, std::string>>;
  using Files = std::map<std::string, std::string>;
  // The index without its block locations and checkpoint, which depend on the file layout.
  const auto hash_and_txid_entries = [](const Scan& index) {
    Scan out;
    for (const auto& kv : index)
      if (kv.first[0] == 'h' || kv.first[0] == 't') out.push_back(kv);
    return out;
  };
  Scan clean_index;
  std::vector<Files> clean_files;  // after each block
  {
    auto store = open();
    for (const common::Block& b : blocks) {
      ASSERT_TRUE(store->append(b));
      clean_files.push_back(testing::block_files(env_.get(), "peer0/blocks"));
    }
    clean_index = testing::scan(store->db());
  }
  ASSERT_EQ(clean_files.back().size(), 1u) << "the clean run fits one file";
  for (bool power_loss : {false, true}) {
    int orphans = 0, old_height = 0, new_height = 0;
    for (int k = 0;; ++k) {
      SCOPED_TRACE(::testing::Message() << "crash at step " << k << (power_loss ? " with power loss" : ""));
      ASSERT_LT(k, 1000) << "the append never completed";
      auto mem = testing::mem_env();
      FaultInjectionEnv fault(mem.get());
      CrashingEnv crash(&fault);
      bool completed = false;
      {
        auto store = BlockStore::open(&crash, "peer0/blocks", {BlockStore::Verify::kTip, true}).value();
        for (int b = 0; b < 3; ++b) ASSERT_TRUE(store->append(blocks[b]));
        crash.arm(k);
        completed = store->append(blocks[3]).is_ok();
        ASSERT_EQ(completed, !crash.crashed());
      }
      if (completed) break;
      if (power_loss) {
        ASSERT_TRUE(fault.drop_unsynced_writes().ok());
      }
      auto reopened = BlockStore::open(&fault, "peer0/blocks", {BlockStore::Verify::kFull, true});
      ASSERT_TRUE(reopened.is_ok()) << reopened.status().to_string();
      auto& store = *reopened;
      const bool past_checkpoint =
          testing::block_files(&fault, "peer0/blocks") != clean_files[store->height() - 1];
      if (past_checkpoint) ++orphans;
      if (store->height() == 3) {
        ++old_height;
        EXPECT_EQ(store->block_by_number(3).status().code(), StatusCode::kNotFound);
        EXPECT_FALSE(store->tx_exists("tx3").value());
        EXPECT_EQ(store->block_by_hash(block_header_hash(blocks[3].header())).status().code(), StatusCode::kNotFound);
        ASSERT_TRUE(store->append(blocks[3]));
      } else {
        ASSERT_EQ(store->height(), 4u);
        ++new_height;
        EXPECT_FALSE(past_checkpoint) << "a committed block leaves nothing past the checkpoint";
        EXPECT_EQ(store->block_by_number(3)->SerializeAsString(), blocks[3].SerializeAsString());
        EXPECT_EQ(store->tx_location("tx3b").value(), (TxLocation{3, 1, protos::MVCC_READ_CONFLICT}));
      }
      ASSERT_TRUE(store->append(blocks[4]));
      EXPECT_TRUE(store->verify(BlockStore::Verify::kFull));
      for (const common::Block& b : blocks) {
        EXPECT_EQ(store->block_by_number(b.header().number())->SerializeAsString(), b.SerializeAsString());
      }
      const Files files = testing::block_files(&fault, "peer0/blocks");
      if (!past_checkpoint) {
        EXPECT_TRUE(testing::scan(store->db()) == clean_index);
        EXPECT_TRUE(files == clean_files.back());
      } else {
        EXPECT_TRUE(hash_and_txid_entries(testing::scan(store->db())) == hash_and_txid_entries(clean_index));
        ASSERT_EQ(files.size(), 2u);
        EXPECT_TRUE(files.at("peer0/blocks/blockfile_000001") ==
                    testing::block_record(blocks[3].SerializeAsString()) +
                        testing::block_record(blocks[4].SerializeAsString()))
            << "the blocks after the orphaned tail go to a fresh file";
      }
    }
    EXPECT_GT(old_height, 0);
    EXPECT_GT(orphans, 0) << "some crash point falls between the block write and the index write";
    if (!power_loss) {
      EXPECT_GT(new_height, 0) << "a crash at the index sync keeps the written index";
    }
  }
}

}  // namespace
}  // namespace fabsim::ledger
