// Block files: Fabric's append-only blockfile_NNNNNN layout (common/ledger/blkstorage,
// blockfile_mgr.go addBlock and moveToNextFile, blockfile_rw.go), how the block store
// resumes after bytes past its checkpoint, and how it reports damaged files (header
// comments of model/ledger/block_store.h and block_files.h).
#include <gtest/gtest.h>
#include <leveldb/write_batch.h>
#include <snappy.h>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/random.h"
#include "model/ledger/block_files.h"
#include "model/ledger/block_store.h"
#include "model/ledger/ordered_encoding.h"
#include "tests/model/ledger_test_util.h"

namespace fabsim::ledger {
namespace {

using testing::block_record;
using Files = std::map<std::string, std::string>;

const std::string kDir = "peer0/blocks";

std::string file(uint64_t suffix) { return kDir + "/" + BlockFiles::file_name(suffix); }

// These cases test the file layer with records stored raw (BlockCodec::kRaw), so a
// record's bytes are the block's own; LedgerBlockCodec below covers the snappy default.
std::string record(const common::Block& b) { return block_record(b.SerializeAsString(), BlockCodec::kRaw); }
// The length the index records: the payload, i.e. the codec byte and the block bytes.
uint64_t payload_size(const common::Block& b) { return 1 + b.SerializeAsString().size(); }

std::string location(uint64_t suffix, uint64_t offset, uint64_t length) {
  return encode_ordered_uint64(suffix) + encode_ordered_uint64(offset) + encode_ordered_uint64(length);
}

// Blocks of a few transactions each; block 2 has a large one (a three-byte length prefix).
std::vector<common::Block> blocks(int n) {
  testing::ChainBuilder chain;
  std::vector<common::Block> out;
  for (int b = 0; b < n; ++b) {
    const std::string s = std::to_string(b);
    std::vector<testing::TxSpec> txs = {{"tx" + s, {{"cc", "k", "v" + s}}},
                                        {"tx" + s + "b", {}, protos::MVCC_READ_CONFLICT}};
    if (b == 2) txs.push_back({"big", {{"cc", "big", std::string(20000, 'x')}}});
    out.push_back(chain.next(txs));
  }
  return out;
}

// Rewrites keys of the block store's index (put when the value is set, else delete).
void poke_index(leveldb::Env* env, const std::vector<std::pair<std::string, std::optional<std::string>>>& kvs) {
  testing::poke_db(env, kDir + "/index", kvs);
}

class LedgerBlockFiles : public ::testing::Test {
 protected:
  Result<std::unique_ptr<BlockStore>> open(BlockStore::Verify v = BlockStore::Verify::kFull,
                                           uint64_t max_file_size = BlockFiles::kDefaultMaxFileSize) {
    return BlockStore::open(env_.get(), kDir, {v, true, max_file_size, BlockCodec::kRaw});
  }
  // A store holding `chain`, closed again.
  void store(const std::vector<common::Block>& chain, uint64_t max_file_size = BlockFiles::kDefaultMaxFileSize) {
    auto s = open(BlockStore::Verify::kFull, max_file_size).value();
    for (const common::Block& b : chain) ASSERT_TRUE(s->append(b));
  }
  // Every block of `chain` reads back by number and by header hash.
  static void expect_reads_back(const BlockStore& s, const std::vector<common::Block>& chain) {
    ASSERT_EQ(s.height(), chain.size());
    for (const common::Block& b : chain) {
      auto by_number = s.block_by_number(b.header().number());
      ASSERT_TRUE(by_number.is_ok()) << by_number.status().to_string();
      EXPECT_EQ(by_number->SerializeAsString(), b.SerializeAsString());
      auto by_hash = s.block_by_hash(block_header_hash(b.header()));
      ASSERT_TRUE(by_hash.is_ok()) << by_hash.status().to_string();
      EXPECT_EQ(by_hash->header().number(), b.header().number());
    }
  }
  Files files() { return testing::block_files(env_.get(), kDir); }

  std::unique_ptr<leveldb::Env> env_ = testing::mem_env();
};

// Rule: each block is one record, varint64(length) then the marshalled block, appended in
// order to blockfile_000000; the index locates it (file, offset of the prefix, length).
TEST_F(LedgerBlockFiles, RecordsAreLengthPrefixedAndReadableBack) {
  const std::vector<common::Block> chain = blocks(4);
  store(chain);
  std::string want;
  for (const common::Block& b : chain) want += record(b);
  EXPECT_TRUE(files() == (Files{{file(0), want}}));
  auto s = open().value();
  expect_reads_back(*s, chain);
  uint64_t offset = 0;
  for (const common::Block& b : chain) {
    const uint64_t length = payload_size(b);
    EXPECT_EQ(s->db().get("n" + encode_ordered_uint64(b.header().number())).value(), location(0, offset, length));
    offset += record(b).size();
  }
  EXPECT_EQ(s->db().get("i").value(),
            encode_ordered_uint64(4) + encode_ordered_uint64(0) + encode_ordered_uint64(offset))
      << "the checkpoint: height, file, end offset";
}

// Rule: a new file is started when the next record would take the current file beyond
// the maximum size (Fabric's moveToNextFile); a record larger than the maximum gets a file
// of its own. The expected layout is computed here by the naive rule.
TEST_F(LedgerBlockFiles, AFileRollsOverAtTheMaximumSizeAndBlocksOnBothSidesReadBack) {
  const std::vector<common::Block> chain = blocks(6);
  const uint64_t r0 = record(chain[0]).size(), r1 = record(chain[1]).size();
  struct Case {
    const char* name;
    uint64_t max_file_size;
    std::string want_first_file;
    size_t want_files;
  };
  const std::vector<Case> cases = {
      {"TwoRecordsFillAFileExactly", r0 + r1, record(chain[0]) + record(chain[1]), 5},  // 0 1 | 2 | 3 | 4 | 5
      {"OneByteLessStartsANewFileEarlier", r0 + r1 - 1, record(chain[0]), 6},
      {"ARecordLargerThanTheMaximumGetsAFileOfItsOwn", 16, record(chain[0]), 6},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    env_ = testing::mem_env();
    store({chain.begin(), chain.begin() + 4}, c.max_file_size);
    {  // a reopened store rolls over by the same rule
      auto s = open(BlockStore::Verify::kFull, c.max_file_size).value();
      for (size_t b = 4; b < chain.size(); ++b) ASSERT_TRUE(s->append(chain[b]));
    }
    Files want;
    uint64_t suffix = 0, size = 0;
    for (const common::Block& b : chain) {
      const std::string r = record(b);
      if (size > 0 && size + r.size() > c.max_file_size) {
        ++suffix;
        size = 0;
      }
      want[file(suffix)] += r;
      size += r.size();
    }
    EXPECT_EQ(want.at(file(0)), c.want_first_file);
    EXPECT_EQ(want.size(), c.want_files);
    EXPECT_TRUE(files() == want);
    auto s = open(BlockStore::Verify::kFull, c.max_file_size);
    ASSERT_TRUE(s.is_ok()) << s.status().to_string();
    expect_reads_back(**s, chain);
  }
}

// Rule: bytes past the checkpoint in its file — a whole record whose index batch was never
// written (a crash between the two writes of an append), or a torn record — are an
// interrupted append, not corruption: the store reopens at the old height, never reads
// them, and appends the next blocks to a fresh file; old and new blocks read back.
TEST_F(LedgerBlockFiles, BytesPastTheCheckpointAreLeftUnreadAndTheNextAppendGoesToANewFile) {
  const std::vector<common::Block> chain = blocks(5);
  struct Case {
    const char* name;
    std::string tail;  // appended to blockfile_000000 after three committed blocks
  };
  const std::string r3 = record(chain[3]);
  const std::vector<Case> cases = {
      {"CrashAfterTheFileAppendBeforeTheIndexBatch", r3},
      {"TornRecordAtTheTail", r3.substr(0, r3.size() / 2)},
      {"TornLengthPrefix", r3.substr(0, 1)},
      {"StaleRecordOfAnotherBlock", record(chain[1])},
  };
  for (const Case& c : cases) {
    for (BlockStore::Verify v : {BlockStore::Verify::kTip, BlockStore::Verify::kFull}) {
      SCOPED_TRACE(::testing::Message() << c.name << (v == BlockStore::Verify::kTip ? " kTip" : " kFull"));
      env_ = testing::mem_env();
      store({chain.begin(), chain.begin() + 3});
      const std::string committed = files().at(file(0));
      ASSERT_TRUE(testing::write_file(env_.get(), file(0), c.tail, /*append=*/true));
      {
        auto s = open(v);
        ASSERT_TRUE(s.is_ok()) << s.status().to_string();
        EXPECT_EQ((*s)->height(), 3u);
        EXPECT_EQ((*s)->current_block_hash(), block_header_hash(chain[2].header()));
        EXPECT_EQ((*s)->block_by_number(3).status().code(), StatusCode::kNotFound);
        EXPECT_FALSE((*s)->tx_exists("tx3").value());
        ASSERT_TRUE((*s)->append(chain[3]));
        ASSERT_TRUE((*s)->append(chain[4]));
      }
      EXPECT_TRUE(files() == (Files{{file(0), committed + c.tail}, {file(1), r3 + record(chain[4])}}))
          << "the tail stays where it is, unread";
      auto s = open(BlockStore::Verify::kFull);
      ASSERT_TRUE(s.is_ok()) << s.status().to_string();
      expect_reads_back(**s, chain);
    }
  }
}

// Rule: a file beyond the checkpoint's holds orphans only (an append that had rolled over
// to it was interrupted): when the store rolls over to that suffix it starts the file anew.
TEST_F(LedgerBlockFiles, AnOrphanedNextFileIsStartedAfreshAtTheRollover) {
  const std::vector<common::Block> chain = blocks(5);
  const uint64_t max = 2 * record(chain[3]).size() + 8;  // 0 1 | 2 | 3 4
  store({chain.begin(), chain.begin() + 3}, max);
  ASSERT_TRUE(testing::write_file(env_.get(), file(2), record(chain[3]) + "torn"));  // crash after the roll
  {
    auto s = open(BlockStore::Verify::kFull, max);
    ASSERT_TRUE(s.is_ok()) << s.status().to_string();
    EXPECT_EQ((*s)->height(), 3u);
    ASSERT_TRUE((*s)->append(chain[3]));
    ASSERT_TRUE((*s)->append(chain[4]));
  }
  EXPECT_EQ(files().at(file(2)), record(chain[3]) + record(chain[4]));
  auto s = open(BlockStore::Verify::kFull, max);
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  expect_reads_back(**s, chain);
}

// An Env whose writable files fail every write while `failing` is set.
class FailingEnv : public leveldb::EnvWrapper {
 public:
  explicit FailingEnv(leveldb::Env* base) : leveldb::EnvWrapper(base) {}
  bool failing = false;
  leveldb::Status NewWritableFile(const std::string& f, leveldb::WritableFile** r) override {
    leveldb::Status s = target()->NewWritableFile(f, r);
    if (s.ok()) *r = new File(this, *r);
    return s;
  }
  leveldb::Status NewAppendableFile(const std::string& f, leveldb::WritableFile** r) override {
    leveldb::Status s = target()->NewAppendableFile(f, r);
    if (s.ok()) *r = new File(this, *r);
    return s;
  }

 private:
  class File : public leveldb::WritableFile {
   public:
    File(FailingEnv* env, leveldb::WritableFile* base) : env_(env), base_(base) {}
    leveldb::Status Append(const leveldb::Slice& d) override { return env_->failing ? failed() : base_->Append(d); }
    leveldb::Status Close() override { return base_->Close(); }
    leveldb::Status Flush() override { return env_->failing ? failed() : base_->Flush(); }
    leveldb::Status Sync() override { return env_->failing ? failed() : base_->Sync(); }

   private:
    static leveldb::Status failed() { return leveldb::Status::IOError("simulated write error"); }
    FailingEnv* env_;
    std::unique_ptr<leveldb::WritableFile> base_;
  };
};

// Rule: after a failed write the tail of the current file is unknown, so a running store
// sends its next append to a fresh file, as open() would.
TEST_F(LedgerBlockFiles, AFailedAppendSendsTheNextAppendToANewFile) {
  const std::vector<common::Block> chain = blocks(4);
  FailingEnv failing(env_.get());
  {
    auto s = BlockStore::open(&failing, kDir, {BlockStore::Verify::kFull, true, BlockFiles::kDefaultMaxFileSize, BlockCodec::kRaw}).value();
    for (int b = 0; b < 3; ++b) ASSERT_TRUE(s->append(chain[b]));
    failing.failing = true;
    EXPECT_EQ(s->append(chain[3]).code(), StatusCode::kUnavailable);
    failing.failing = false;
    EXPECT_EQ(s->height(), 3u);
    ASSERT_TRUE(s->append(chain[3]));
    expect_reads_back(*s, chain);
  }
  const Files f = files();
  EXPECT_EQ(f.size(), 2u);
  EXPECT_EQ(f.at(file(1)), record(chain[3]));
  auto s = open();
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  expect_reads_back(**s, chain);
}

// Rule: after a clean close the store keeps appending to the checkpoint's file (which ends
// exactly at the checkpoint), so restarts leave the same files as a run without them.
TEST_F(LedgerBlockFiles, ReopenAfterACleanCloseKeepsAppendingInTheSameFile) {
  const std::vector<common::Block> chain = blocks(5);
  for (int b = 0; b < 5; ++b) {
    auto s = open().value();
    ASSERT_TRUE(s->append(chain[b]));
  }
  std::string want;
  for (const common::Block& b : chain) want += record(b);
  EXPECT_TRUE(files() == (Files{{file(0), want}}));
  expect_reads_back(*open().value(), chain);
}

struct DamageCase {
  const char* name;
  std::function<void(leveldb::Env*, const std::vector<common::Block>&)> damage;
  BlockStore::Verify verify;
  std::vector<std::string> message_parts;
};

// Offset of block 2's record in blockfile_000000 of the undamaged store.
uint64_t offset_of_2(const std::vector<common::Block>& chain) {
  return record(chain[0]).size() + record(chain[1]).size();
}

// Flips the byte at `at` of blockfile_000000.
void flip(leveldb::Env* env, uint64_t at) {
  std::string bytes = testing::block_files(env, kDir).at(file(0));
  bytes[at] = static_cast<char>(bytes[at] ^ 0x5a);
  ASSERT_TRUE(testing::write_file(env, file(0), bytes));
}

// Rule: open() reports a block whose location, length or bytes are wrong as Corruption
// naming the block — never a crash or an abort, whatever the stored bytes.
TEST_F(LedgerBlockFiles, DamagedLocationsAndRecordsAreCorruptionNamingTheBlock) {
  using Chain = std::vector<common::Block>;
  const uint64_t len2 = payload_size(blocks(5)[2]);
  const std::vector<DamageCase> cases = {
      {"IndexLocationBeyondTheFileSize",
       [](leveldb::Env* e, const Chain&) {
         const uint64_t size = testing::block_files(e, kDir).at(file(0)).size();
         poke_index(e, {{"n" + encode_ordered_uint64(2), location(0, size, 10)}});
       },
       BlockStore::Verify::kFull,
       {"block 2:", "beyond the end of the file"}},
      {"IndexedLengthBeyondTheFileSize",
       [](leveldb::Env* e, const Chain& c) {
         poke_index(e, {{"n" + encode_ordered_uint64(2), location(0, offset_of_2(c), uint64_t{1} << 62)}});
       },
       BlockStore::Verify::kFull,
       {"block 2:", "beyond the end of the file"}},
      {"IndexLocationInAMissingFile",
       [len2](leveldb::Env* e, const Chain&) {
         poke_index(e, {{"n" + encode_ordered_uint64(2), location(7, 0, len2)}});
       },
       BlockStore::Verify::kFull,
       {"block 2:", "blockfile_000007 is missing"}},
      {"IndexedLengthDisagreesWithTheRecord",
       [len2](leveldb::Env* e, const Chain& c) {
         poke_index(e, {{"n" + encode_ordered_uint64(2), location(0, offset_of_2(c), len2 - 1)}});
       },
       BlockStore::Verify::kFull,
       {"block 2:", "has length " + std::to_string(len2), "index says length"}},
      {"FlippedLengthPrefix",
       [](leveldb::Env* e, const Chain& c) { flip(e, offset_of_2(c)); },
       BlockStore::Verify::kFull,
       {"block 2:", "where the index says length"}},
      {"FlippedBytesInsideATransaction",
       [](leveldb::Env* e, const Chain& c) {
         const std::string r = record(c[2]);
         const size_t tx = r.find(c[2].data().data(2));  // the big transaction's bytes
         ASSERT_NE(tx, std::string::npos);
         flip(e, offset_of_2(c) + tx + c[2].data().data(2).size() / 2);
       },
       BlockStore::Verify::kFull,
       {"block 2:", "data_hash", "does not match the hash of its data"}},
      {"FlippedBytesInsideTheHeader",
       [](leveldb::Env* e, const Chain& c) {
         const size_t prev = record(c[2]).find(c[2].header().previous_hash());
         ASSERT_NE(prev, std::string::npos);
         flip(e, offset_of_2(c) + prev + 3);
       },
       BlockStore::Verify::kFull,
       {"block 2:", "previous_hash", "does not match the header hash of block 1"}},
      {"BlockMissingFromTheIndex",
       [](leveldb::Env* e, const Chain&) {
         poke_index(e, {{"n" + encode_ordered_uint64(2), std::nullopt}});
       },
       BlockStore::Verify::kFull,
       {"block 2 is missing"}},
      {"IndexEntryDoesNotParse",
       [](leveldb::Env* e, const Chain&) {
         poke_index(e, {{"n" + encode_ordered_uint64(2), "\x09"}});
       },
       BlockStore::Verify::kFull,
       {"block 2:", "index entry does not parse"}},
      {"LastBlockCutShort",  // what a power loss without sync_writes can leave
       [](leveldb::Env* e, const Chain&) {
         const std::string bytes = testing::block_files(e, kDir).at(file(0));
         ASSERT_TRUE(testing::write_file(e, file(0), bytes.substr(0, bytes.size() - 7)));
       },
       BlockStore::Verify::kTip,
       {"block 4:", "beyond the end of the file"}},
      {"CheckpointLostWhileBlocksAreIndexed",
       [](leveldb::Env* e, const Chain&) { poke_index(e, {{"i", std::nullopt}}); },
       BlockStore::Verify::kTip,
       {"index locates block 0 at or beyond the checkpoint's height 0", "there is no checkpoint"}},
      {"CheckpointSetBackBelowIndexedBlocks",  // consistent with block 2, but blocks 3 and 4 are indexed
       [](leveldb::Env* e, const Chain& c) {
         const uint64_t end_of_2 = offset_of_2(c) + record(c[2]).size();
         poke_index(e, {{"i", encode_ordered_uint64(3) + encode_ordered_uint64(0) + encode_ordered_uint64(end_of_2)}});
       },
       BlockStore::Verify::kTip,
       {"index locates block 3 at or beyond the checkpoint's height 3"}},
      {"CheckpointDoesNotEndAtTheLastRecord",
       [](leveldb::Env* e, const Chain&) {
         const uint64_t size = testing::block_files(e, kDir).at(file(0)).size();
         poke_index(e, {{"i", encode_ordered_uint64(5) + encode_ordered_uint64(0) + encode_ordered_uint64(size - 1)}});
       },
       BlockStore::Verify::kTip,
       {"checkpoint ends at blockfile_000000 offset", "block 4 (the last) ends at"}},
  };
  for (const DamageCase& c : cases) {
    SCOPED_TRACE(c.name);
    env_ = testing::mem_env();
    const std::vector<common::Block> chain = blocks(5);
    store(chain);
    ASSERT_TRUE(open(c.verify).is_ok()) << "the undamaged store opens";
    c.damage(env_.get(), chain);
    auto r = open(c.verify);
    ASSERT_FALSE(r.is_ok());
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << r.status().to_string();
    for (const std::string& part : c.message_parts) {
      EXPECT_NE(r.status().message().find(part), std::string::npos)
          << "'" << part << "' not in: " << r.status().message();
    }
  }
}

// Rule: by default a record's payload is the codec byte kSnappy and the snappy-compressed
// block bytes; the blocks read back exactly, and (certificates repeat in every envelope)
// the files are smaller than the raw records.
TEST_F(LedgerBlockFiles, TheDefaultCodecStoresSnappyRecordsThatReadBack) {
  const std::vector<common::Block> chain = blocks(4);
  {
    auto s = BlockStore::open(env_.get(), kDir, {}).value();
    for (const common::Block& b : chain) ASSERT_TRUE(s->append(b));
  }
  std::string want, raw;
  for (const common::Block& b : chain) {
    want += block_record(b.SerializeAsString(), BlockCodec::kSnappy);
    raw += record(b);
  }
  EXPECT_TRUE(files() == (Files{{file(0), want}}));
  EXPECT_LT(want.size(), raw.size());
  // The first record, decoded by hand: its length prefix, the codec byte 0x01, and a snappy
  // stream of exactly the block's bytes.
  const std::string bytes = files().at(file(0));
  std::string_view first = bytes;
  uint64_t length = 0;
  for (int shift = 0; !first.empty(); shift += 7) {  // varint64
    const auto byte = static_cast<uint8_t>(first[0]);
    first.remove_prefix(1);
    length |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) break;
  }
  ASSERT_GE(first.size(), length);
  ASSERT_GE(length, 1u);
  EXPECT_EQ(first[0], '\x01');
  std::string uncompressed;
  ASSERT_TRUE(snappy::Uncompress(first.data() + 1, length - 1, &uncompressed));
  EXPECT_EQ(uncompressed, chain[0].SerializeAsString());
  expect_reads_back(*BlockStore::open(env_.get(), kDir, {}).value(), chain);
}

// Rule: the codec is chosen per record, so a store written with one codec and continued
// with another reads every block back.
TEST_F(LedgerBlockFiles, RecordsOfEitherCodecReadBackInOneStore) {
  const std::vector<common::Block> chain = blocks(4);
  {
    auto s = open().value();  // kRaw
    ASSERT_TRUE(s->append(chain[0]) && s->append(chain[1]));
  }
  {
    auto s = BlockStore::open(env_.get(), kDir, {}).value();  // kSnappy
    ASSERT_TRUE(s->append(chain[2]) && s->append(chain[3]));
  }
  EXPECT_TRUE(files() == (Files{{file(0), record(chain[0]) + record(chain[1]) +
                                              block_record(chain[2].SerializeAsString(), BlockCodec::kSnappy) +
                                              block_record(chain[3].SerializeAsString(), BlockCodec::kSnappy)}}));
  expect_reads_back(*open().value(), chain);
}

// Rule: whatever a record's payload holds, decoding it answers the block bytes or a
// Corruption naming the place — never a crash, and never more bytes than the bound on
// snappy's expansion allows. Deterministic mutations of a real payload (byte flips,
// truncation, insertion), run under the sanitizers by make test-asan.
TEST(LedgerBlockCodec, DamagedPayloadsDecodeOrAreCorruptionNeverACrash) {
  const std::string block = blocks(3)[2].SerializeAsString();
  const std::string payload = encode_block_payload(block, BlockCodec::kSnappy);
  Rng rng(2026);
  int decoded = 0, refused = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string m = payload;
    for (int e = 1 + static_cast<int>(rng.uniform_u64(3)); e > 0; --e) {
      switch (rng.uniform_u64(3)) {
        case 0:
          if (!m.empty()) m[rng.uniform_u64(m.size())] = static_cast<char>(rng.next_u64());
          break;
        case 1:
          m.resize(rng.uniform_u64(m.size() + 1));
          break;
        default:
          m.insert(m.begin() + static_cast<std::ptrdiff_t>(rng.uniform_u64(m.size() + 1)),
                   static_cast<char>(rng.next_u64()));
          break;
      }
    }
    std::string scratch;
    auto r = decode_block_payload(m, &scratch, "block 2");
    if (r.is_ok()) {
      ++decoded;
      EXPECT_LE(r->size(), 32 * m.size());
    } else {
      ++refused;
      EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
      EXPECT_NE(r.status().message().find("block 2"), std::string::npos) << r.status().message();
    }
  }
  EXPECT_GT(refused, 0);
  EXPECT_GT(decoded, 0);  // some damage leaves a valid stream (with other bytes)
}

}  // namespace
}  // namespace fabsim::ledger
