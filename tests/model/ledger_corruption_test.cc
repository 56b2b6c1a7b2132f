// Opening a damaged ledger gives a clear Status naming what is wrong — never a crash.
// Each case builds a good ledger, damages one thing through raw LevelDB or block-file
// access (or a power loss that the configuration allows), and opens it again. Damage to the
// block files' framing (locations, lengths) is covered in ledger_block_files_test.cc.
#include <gtest/gtest.h>
#include <leveldb/write_batch.h>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/fault_env.h"
#include "model/ledger/commit_hash.h"
#include "model/ledger/ledger.h"
#include "model/ledger/ordered_encoding.h"
#include "tests/model/ledger_test_util.h"
#include "tests/model/ledger_workload.h"

namespace fabsim::ledger {
namespace {

constexpr int kBlocks = 5;

// The block store's directory and index database (model/ledger/block_store.h).
const std::string kBlockDir = "peer/blocks";
const std::string kIndex = "peer/blocks/index";
const std::string kBlockFile = "peer/blocks/blockfile_000000";  // every block of these tests

// The index key of a block's location.
std::string number_key(uint64_t n) { return "n" + encode_ordered_uint64(n); }

using testing::poke_db;

// Every block's record payload (codec byte, then the block bytes as that codec stores
// them), in number order: read through the index's locations ('n' ord(number) -> ord(file)
// ord(offset) ord(length)).
std::vector<std::string> stored_payloads(leveldb::Env* env) {
  auto db = KvDb::open(env, kIndex, {false, true}).value();
  const std::string file = testing::block_files(env, kBlockDir).at(kBlockFile);
  std::vector<std::string> out;
  auto it = db->new_iterator();
  for (it->seek("n"); it->valid() && it->key()[0] == 'n'; it->next()) {
    std::string_view v = it->value();
    uint64_t suffix = 0, offset = 0, length = 0;
    EXPECT_TRUE(consume_ordered_uint64(&v, &suffix) && consume_ordered_uint64(&v, &offset) &&
                consume_ordered_uint64(&v, &length) && suffix == 0);
    const std::string record = file.substr(offset, BlockFiles::record_size(length));
    out.push_back(record.substr(record.size() - length));
  }
  return out;
}

// Every block's bytes as the block store holds them, in number order.
std::vector<std::string> stored_blocks(leveldb::Env* env) {
  std::vector<std::string> out;
  for (const std::string& payload : stored_payloads(env)) {
    std::string scratch;
    auto block = decode_block_payload(payload, &scratch, "test");
    EXPECT_TRUE(block.is_ok()) << block.status().to_string();
    out.push_back(block.is_ok() ? std::string(*block) : std::string());
  }
  return out;
}

common::Block stored_block(leveldb::Env* env, uint64_t n) {
  common::Block b;
  EXPECT_TRUE(b.ParseFromString(stored_blocks(env).at(n)));
  return b;
}

// Replaces the record payloads of some blocks, rewriting blockfile_000000 and the
// locations and checkpoint in the index to match, as if the blocks had been stored so.
void replace_payloads(leveldb::Env* env, const std::map<uint64_t, std::string>& replacements) {
  std::vector<std::string> payloads = stored_payloads(env);
  for (const auto& [n, p] : replacements) payloads.at(n) = p;
  std::string file;
  std::vector<std::pair<std::string, std::optional<std::string>>> index;
  for (size_t n = 0; n < payloads.size(); ++n) {
    index.emplace_back(number_key(n), encode_ordered_uint64(0) + encode_ordered_uint64(file.size()) +
                                          encode_ordered_uint64(payloads[n].size()));
    file += testing::payload_record(payloads[n]);
  }
  index.emplace_back("i", encode_ordered_uint64(payloads.size()) + encode_ordered_uint64(0) +
                              encode_ordered_uint64(file.size()));
  ASSERT_TRUE(testing::write_file(env, kBlockFile, file));
  poke_db(env, kIndex, index);
}

// Replaces the stored bytes of some blocks (stored with the default codec).
void replace_blocks(leveldb::Env* env, const std::map<uint64_t, std::string>& replacements) {
  std::map<uint64_t, std::string> payloads;
  for (const auto& [n, b] : replacements) payloads[n] = encode_block_payload(b, BlockCodec::kSnappy);
  replace_payloads(env, payloads);
}

struct CorruptCase {
  const char* name;
  std::function<void(leveldb::Env*)> damage;
  BlockStore::Verify verify;
  std::vector<std::string> message_parts;
};

TEST(LedgerCorruption, DamagedStoresAreReportedByName) {
  const std::vector<CorruptCase> cases = {
      {"BlockBytesDoNotParse", [](leveldb::Env* e) { replace_blocks(e, {{4, "\xff\xff garbage"}}); },
       BlockStore::Verify::kTip, {"block 4", "do not parse as a common.Block"}},
      {"EmptyRecordPayload", [](leveldb::Env* e) { replace_payloads(e, {{4, ""}}); }, BlockStore::Verify::kTip,
       {"block 4", "its record is empty"}},
      {"UnknownBlockCodec",
       [](leveldb::Env* e) {
         std::string p = stored_payloads(e).at(4);
         p[0] = '\x07';
         replace_payloads(e, {{4, p}});
       },
       BlockStore::Verify::kTip, {"block 4", "unknown block codec 7"}},
      {"CompressedLengthHeaderDamaged",  // claims far more bytes than the record could expand to
       [](leveldb::Env* e) { replace_payloads(e, {{4, std::string("\x01\xff\xff\xff\xff\x0f", 6) + "abc"}}); },
       BlockStore::Verify::kTip, {"block 4", "compressed bytes have no valid length"}},
      {"CompressedBytesCutShort",
       [](leveldb::Env* e) {
         const std::string p = stored_payloads(e).at(4);
         replace_payloads(e, {{4, p.substr(0, p.size() - 9)}});
       },
       BlockStore::Verify::kTip, {"block 4", "compressed bytes do not decompress"}},
      {"BrokenChainHashAtTheTip",
       [](leveldb::Env* e) {
         common::Block b = stored_block(e, 4);
         b.mutable_header()->set_previous_hash(std::string(32, '\x05'));
         replace_blocks(e, {{4, b.SerializeAsString()}});
       },
       BlockStore::Verify::kTip, {"block 4", "previous_hash", "does not match the header hash of block 3"}},
      {"BrokenChainHashInTheMiddleFoundByFullCheck",
       [](leveldb::Env* e) {
         common::Block b = stored_block(e, 2);
         b.mutable_header()->set_previous_hash(std::string(32, '\x05'));
         replace_blocks(e, {{2, b.SerializeAsString()}});
       },
       BlockStore::Verify::kFull, {"block 2", "does not match the header hash of block 1"}},
      {"TamperedTransactionBreaksTheDataHash",
       [](leveldb::Env* e) {
         common::Block b = stored_block(e, 1);
         b.mutable_data()->set_data(0, "tampered");
         replace_blocks(e, {{1, b.SerializeAsString()}});
       },
       BlockStore::Verify::kFull, {"block 1", "data_hash", "does not match the hash of its data"}},
      {"MissingBlockInTheMiddle", [](leveldb::Env* e) { poke_db(e, kIndex, {{number_key(2), std::nullopt}}); },
       BlockStore::Verify::kFull, {"block 2 is missing"}},
      {"MissingLastBlock", [](leveldb::Env* e) { poke_db(e, kIndex, {{number_key(4), std::nullopt}}); },
       BlockStore::Verify::kTip, {"block 4 is missing"}},
      {"LastBlockLostFromItsFile",  // the block file holds only blocks 0-3
       [](leveldb::Env* e) {
         const std::string file = testing::block_files(e, kBlockDir).at(kBlockFile);
         const size_t last = testing::block_record(stored_blocks(e).at(4)).size();
         ASSERT_TRUE(testing::write_file(e, kBlockFile, file.substr(0, file.size() - last)));
       },
       BlockStore::Verify::kTip, {"block 4", "beyond the end of the file"}},
      // A block beyond the checkpoint is no longer corruption: since block bytes are
      // written before the index batch, it is what an append interrupted between the two
      // writes leaves behind (BlockBeyondTheCheckpointIsAnInterruptedAppend below).
      {"CheckpointDoesNotParse", [](leveldb::Env* e) { poke_db(e, kIndex, {{"i", "\x09"}}); },
       BlockStore::Verify::kTip, {"checkpoint", "does not parse"}},
      {"StateSavepointAheadOfTheBlockStore",
       [](leveldb::Env* e) { poke_db(e, "peer/state", {{"s", height_bytes({7, 0})}}); }, BlockStore::Verify::kTip,
       {"state database [height 8] is ahead of the block store [height 5]"}},
      {"HistorySavepointAheadOfTheBlockStore",
       [](leveldb::Env* e) { poke_db(e, "peer/history", {{"s", height_bytes({5, 1})}}); }, BlockStore::Verify::kTip,
       {"history database [height 6] is ahead of the block store [height 5]"}},
      {"StateSavepointDoesNotParse", [](leveldb::Env* e) { poke_db(e, "peer/state", {{"s", "\x0a"}}); },
       BlockStore::Verify::kTip, {"state database", "savepoint does not parse"}},
      {"HistorySavepointDoesNotParse", [](leveldb::Env* e) { poke_db(e, "peer/history", {{"s", ""}}); },
       BlockStore::Verify::kTip, {"history database", "savepoint does not parse"}},
      {"CommitHashSlotDoesNotParse",
       [](leveldb::Env* e) {
         // Keep the chain intact (metadata is not hashed) but break slot 4 of the last block.
         common::Block b = stored_block(e, 4);
         b.mutable_metadata()->set_metadata(common::COMMIT_HASH, "\xff\xff\xff");
         replace_blocks(e, {{4, b.SerializeAsString()}});
       },
       BlockStore::Verify::kTip, {"block 4", "COMMIT_HASH metadata does not parse"}},
      {"ValidTransactionUnparseableDuringReplay",
       [](leveldb::Env* e) {
         // Replace block 3's first transaction (flagged VALID) with junk, keeping the data
         // hash, the chain and the hash index consistent, and roll the state savepoint back
         // to block 2 so that block 3 must be replayed from the block store.
         common::Block b3 = stored_block(e, 3);
         b3.mutable_data()->set_data(0, "\xff junk");
         b3.mutable_header()->set_data_hash(block_data_hash(b3.data()));
         common::Block b4 = stored_block(e, 4);
         b4.mutable_header()->set_previous_hash(block_header_hash(b3.header()));
         replace_blocks(e, {{3, b3.SerializeAsString()}, {4, b4.SerializeAsString()}});
         poke_db(e, kIndex, {{"h" + block_header_hash(b3.header()), encode_ordered_uint64(3)},
                          {"h" + block_header_hash(b4.header()), encode_ordered_uint64(4)}});
         poke_db(e, "peer/state", {{"s", height_bytes({2, 0})}});
       },
       BlockStore::Verify::kFull, {"replaying block 3 into the state database", "block 3 tx 0 is flagged VALID but"}},
  };
  for (const CorruptCase& c : cases) {
    SCOPED_TRACE(c.name);
    auto env = testing::mem_env();
    {
      auto ledger = Ledger::open(env.get(), "peer").value();
      for (auto& wb : testing::workload(kBlocks)) ASSERT_TRUE(ledger->commit_block(&wb.block, wb.updates));
    }
    LedgerOptions options;
    options.verify_on_open = c.verify;
    ASSERT_TRUE(Ledger::open(env.get(), "peer", options).is_ok()) << "the undamaged ledger opens";
    c.damage(env.get());
    auto r = Ledger::open(env.get(), "peer", options);
    ASSERT_FALSE(r.is_ok());
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << r.status().to_string();
    for (const std::string& part : c.message_parts) {
      EXPECT_NE(r.status().message().find(part), std::string::npos) << "'" << part << "' not in: " << r.status().message();
    }
  }
}

TEST(LedgerCorruption, BlockBeyondTheCheckpointIsAnInterruptedAppend) {
  // This case used to be reported as corruption ("holds block 5 beyond its checkpoint
  // height 5"), when a block and its index entries were one write batch. Block bytes are
  // now appended to a block file before the index batch that carries the checkpoint, so a
  // block beyond the checkpoint is what a crash between the two writes leaves — an
  // interrupted append, as Fabric's blockfile recovery treats bytes past its checkpoint.
  // The ledger opens at the checkpoint's height, never reads the orphan, and commits
  // block 5 again, to a fresh block file.
  for (BlockStore::Verify verify : {BlockStore::Verify::kTip, BlockStore::Verify::kFull}) {
    auto env = testing::mem_env();
    std::vector<testing::WorkBlock> work = testing::workload(kBlocks + 1);
    {
      auto ledger = Ledger::open(env.get(), "peer").value();
      for (int b = 0; b < kBlocks; ++b) ASSERT_TRUE(ledger->commit_block(&work[b].block, work[b].updates));
    }
    ASSERT_TRUE(testing::write_file(env.get(), kBlockFile, testing::block_record(stored_blocks(env.get()).at(4)),
                                    /*append=*/true));  // a stale, wrong block 5
    LedgerOptions options;
    options.verify_on_open = verify;
    auto r = Ledger::open(env.get(), "peer", options);
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    auto& ledger = *r;
    EXPECT_EQ(ledger->height(), static_cast<uint64_t>(kBlocks));
    EXPECT_EQ(ledger->block_store().block_by_number(5).status().code(), StatusCode::kNotFound);
    ASSERT_TRUE(ledger->commit_block(&work[kBlocks].block, work[kBlocks].updates));
    EXPECT_EQ(ledger->block_store().block_by_number(5).value().SerializeAsString(),
              work[kBlocks].block.SerializeAsString());
    EXPECT_TRUE(ledger->block_store().verify(BlockStore::Verify::kFull));
    EXPECT_EQ(testing::block_files(env.get(), kBlockDir).count("peer/blocks/blockfile_000001"), 1u);
  }
}

TEST(LedgerCorruption, PowerLossOfAnUnsyncedBlockStoreLeavesStateAheadAndIsReported) {
  // The reason Fabric syncs the block store first: if it could lose blocks that the state
  // already applied, the state would be ahead and could not be repaired.
  auto mem = testing::mem_env();
  FaultInjectionEnv env(mem.get());
  LedgerOptions options;
  options.sync_block_store = false;
  {
    auto ledger = Ledger::open(&env, "peer", options).value();
    for (auto& wb : testing::workload(3)) ASSERT_TRUE(ledger->commit_block(&wb.block, wb.updates));
  }
  ASSERT_TRUE(env.drop_unsynced_writes().ok());
  auto r = Ledger::open(&env, "peer", options);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  EXPECT_NE(r.status().message().find("state database [height 3] is ahead of the block store [height 0]"),
            std::string::npos)
      << r.status().message();
}

TEST(LedgerCorruption, DamagedLevelDbFileIsReportedNotCrashed) {
  auto env = testing::mem_env();
  {
    auto ledger = Ledger::open(env.get(), "peer").value();
    for (auto& wb : testing::workload(kBlocks)) ASSERT_TRUE(ledger->commit_block(&wb.block, wb.updates));
  }
  // Overwrite the middle of the state database's write-ahead log with junk.
  std::vector<std::string> children;
  ASSERT_TRUE(env->GetChildren("peer/state", &children).ok());
  int damaged = 0;
  for (const std::string& name : children) {
    if (name.size() < 4 || name.substr(name.size() - 4) != ".log") continue;
    const std::string path = "peer/state/" + name;
    auto files = testing::files_under(env.get(), "peer/state");
    std::string content = files[path];
    if (content.size() < 64) continue;
    for (size_t i = 20; i < content.size() - 20; ++i) content[i] = '\x5a';
    leveldb::WritableFile* f = nullptr;
    ASSERT_TRUE(env->NewWritableFile(path, &f).ok());
    ASSERT_TRUE(f->Append(content).ok());
    ASSERT_TRUE(f->Close().ok());
    delete f;
    ++damaged;
  }
  ASSERT_GT(damaged, 0);
  auto r = Ledger::open(env.get(), "peer");
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << r.status().to_string();
  EXPECT_NE(r.status().message().find("peer/state"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace fabsim::ledger
