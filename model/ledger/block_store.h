// BlockStore: the append-only chain of committed blocks and its indexes, kept as Fabric 2.2
// keeps them (common/ledger/blkstorage): block bytes in append-only files, the index in
// LevelDB, both under the store's directory:
//   <path>/blockfile_NNNNNN   the block records (block_files.h): varint64(length) then the
//                             block's payload; a new file when the next record would take
//                             the current one beyond Options::max_file_size;
//   <path>/index              the LevelDB index: block locations, hashes, txids and the
//                             checkpoint.
//
// A record's payload is one codec byte, then the marshalled common.Block as it is (kRaw)
// or snappy-compressed (kSnappy, the default). Fabric stores the bytes as they are; fabsim
// compresses them because a host's disk is memory: every node holds every block, and on
// these blocks (each envelope carries its creator's and endorsers' certificates) snappy
// saves about two thirds, which keeps the 100,000-transaction reference run under 1 GiB.
// The cost model charges the uncompressed size (block_write_per_kb), as Fabric would write.
//
// Index layout (ordered_encoding.h for ord(); one-byte prefixes as in Fabric's blockindex.go):
//   'n' ord(number)                            -> ord(file suffix) ord(offset) ord(length):
//                                                 the block's record (Fabric's blockNumIdx;
//                                                 offset of the length prefix, length of the
//                                                 payload)
//   'h' header_hash                            -> ord(number)
//   't' ord(len(txid)) txid ord(block) ord(tx) -> 1 byte: that transaction's validation code
//   'i'                                        -> ord(height) ord(file suffix) ord(end offset)
//                                                 (the checkpoint: the file of the last block
//                                                 and the offset just after its record)
// Every transaction of every block is in the txid index, valid or not, so a txid once
// committed — even as invalid — counts as existing (the duplicate-txid rule, §3.1). A
// transaction whose envelope does not yield a txid is indexed under the empty txid, as
// Fabric 2.2 does (blkstorage/block_serialization.go ignores the error). Lookups by txid
// answer with the first occurrence (lowest block, then tx), as Fabric's range scan does.
//
// append() rules (Fabric's blockfileMgr.addBlock, plus two checks Fabric makes earlier,
// in the deliver/gossip path): the block's number must be the current height; its
// previous_hash must equal the header hash of the last block (empty for block 0); its
// data_hash must equal block_data_hash(data); its TRANSACTIONS_FILTER must have one entry
// per transaction. A rejected block changes nothing.
//
// append() order: (1) the record appended to the current block file (synced with
// sync_writes), then (2) one index batch — number entry, hash entry, txid entries and the
// new checkpoint — (synced with sync_writes). The checkpoint is the truth for the height:
// a block is committed once (2) is durable.
//
// Crash semantics. A crash between (1) and (2), or during (1), leaves bytes past the
// checkpoint's end offset in its file: a whole or torn record of an interrupted append,
// not corruption. leveldb::Env cannot truncate a file, so open() leaves those bytes where
// they are, unread, and the next append starts a fresh file (the next suffix); the
// checkpoint and the per-block locations say where every committed block is, so the
// orphaned tail is never read. Likewise a failed append in a running store sends the next
// append to a fresh file. (Fabric's blockfile recovery also treats bytes past its
// checkpoint as an interrupted write, but rolls complete blocks there forward into the
// index and truncates the rest; fabsim discards them: the commit of that block did not
// finish, so the ledger commits it again.) Without sync_writes a power loss may also lose
// the index entries of blocks whose bytes are durable (orphans, as above) or the bytes of
// blocks whose index entries are durable: open() reports the latter as Corruption naming
// the block.
//
// open() checks the store and reports damage as a Corruption status naming the block and
// what is wrong — never a crash, whatever the stored bytes: the checkpoint parses and ends
// where the last block's record ends, and the index locates no block at or beyond its
// height (the locations are written in the checkpoint's batch, so one there means the
// checkpoint was lost or set back); then (kTip) the last block, or (kFull) every block
// below the checkpoint: its location is in the index and within its file, the record's
// length prefix matches the index, the payload decodes, the bytes parse, numbers are consecutive, previous_hash
// chains, data_hash matches, the hash index points back, the filter length matches.
//
// Ownership: owns its index KvDb and its block files' handles; borrows the Env (must
// outlive it). Single-threaded.
#pragma once

#include <array>
#include <cstdint>
#include <vector>
#include <memory>
#include <string>
#include <string_view>

#include "core/kv_db.h"
#include "core/proto/common/common.pb.h"
#include "core/proto/peer/transaction.pb.h"
#include "core/status.h"
#include "model/ledger/block_files.h"

namespace leveldb {
class Env;
}

namespace fabsim::ledger {

// How a block record's payload holds the block bytes (the payload's first byte).
enum class BlockCodec : uint8_t { kRaw = 0, kSnappy = 1 };

// The payload of a record holding `block` (marshalled common.Block bytes).
std::string encode_block_payload(std::string_view block, BlockCodec codec);
// The block bytes of a payload: a view into `payload` (kRaw) or into *scratch (kSnappy).
// Corruption, with `where` in the message, for an empty payload, an unknown codec or
// compressed bytes that do not decompress.
Result<std::string_view> decode_block_payload(std::string_view payload, std::string* scratch, std::string_view where);

struct TxLocation {
  uint64_t block_num = 0;
  uint64_t tx_num = 0;
  protos::TxValidationCode validation_code = protos::NOT_VALIDATED;
  bool operator==(const TxLocation&) const = default;
};

class BlockStore {
 public:
  enum class Verify { kTip, kFull };
  struct Options {
    Verify verify = Verify::kTip;
    bool sync_writes = true;  // Fabric syncs block files and the index
    // A new block file is started when the next record would take the current one beyond
    // this (Fabric's maxBlockfileSize); a larger record gets a file of its own.
    uint64_t max_file_size = BlockFiles::kDefaultMaxFileSize;
    BlockCodec codec = BlockCodec::kSnappy;  // for records written; reading takes any codec
  };

  static Result<std::unique_ptr<BlockStore>> open(leveldb::Env* env, const std::string& path,
                                                  const Options& options);

  // Appends the next block (rules above). InvalidArgument when a rule fails.
  Status append(const common::Block& block);

  // Number of blocks; the next block's number.
  uint64_t height() const { return height_; }
  // Header hash of the last block; empty when the store is empty.
  const std::string& current_block_hash() const { return current_hash_; }

  // NotFound beyond the height; Corruption when the stored record is not where the index
  // says or its bytes do not parse.
  Result<common::Block> block_by_number(uint64_t number) const;
  Result<common::Block> block_by_hash(std::string_view header_hash) const;
  // The first transaction committed with this txid; NotFound if none.
  Result<TxLocation> tx_location(std::string_view txid) const;
  Result<protos::TxValidationCode> tx_validation_code(std::string_view txid) const;
  // Whether any committed transaction, valid or not, has this txid.
  Result<bool> tx_exists(std::string_view txid) const;

  // Re-runs the open-time checks.
  Status verify(Verify level) const;

  // The index database ('n', 'h', 't', 'i').
  const KvDb& db() const { return *db_; }

 private:
  BlockStore(std::string path, std::unique_ptr<KvDb> index, const Options& options, leveldb::Env* env)
      : path_(path),
        db_(std::move(index)),
        files_(env, std::move(path), options.max_file_size, options.sync_writes),
        codec_(options.codec) {}
  // Loads the checkpoint and the last block, and positions the block files after it.
  Status load_checkpoint();
  Result<BlockLocation> load_location(uint64_t number, uint64_t height) const;
  Result<common::Block> load_block(uint64_t number, uint64_t height) const;
  Result<common::Block> parse_block(uint64_t number, const BlockLocation& loc, std::string* scratch) const;
  Status check_block(const common::Block& block, uint64_t number, std::string_view previous_hash) const;

  // A Bloom filter over every TxID in the index (4 Mi bits, 3 probes), rebuilt from the
  // index at open and updated on append. "Absent" is certain, so tx_exists answers most
  // lookups (a new TxID) without seeking the index; "maybe" falls back to the seek. Real
  // time only: answers are the same with or without it.
  class TxidFilter {
   public:
    void add(std::string_view txid);
    bool may_contain(std::string_view txid) const;

   private:
    static constexpr uint64_t kBits = uint64_t{1} << 22;
    static std::array<uint64_t, 3> probes(std::string_view txid);  // the bits of a TxID
    std::vector<uint64_t> words_ = std::vector<uint64_t>(kBits / 64);
  };
  Status load_txid_filter();

  std::string path_;              // the store's directory; named in error messages
  std::unique_ptr<KvDb> db_;      // <path>/index
  BlockFiles files_;              // <path>/blockfile_NNNNNN
  BlockCodec codec_;              // of the records this store writes
  uint64_t height_ = 0;
  std::string current_hash_;
  TxidFilter txids_;
};

}  // namespace fabsim::ledger
