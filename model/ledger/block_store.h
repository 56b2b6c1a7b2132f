// BlockStore: the append-only chain of committed blocks and its indexes, in two LevelDB
// databases under the store's directory, as Fabric keeps blocks in append-only files and
// only the index in LevelDB (common/ledger/blkstorage):
//   <path>/chain   the block bytes; keys only ever appended in order, so LevelDB moves
//                  their tables down the levels without rewriting them;
//   <path>/index   the hash and txid indexes and the checkpoint (random keys; compactions
//                  rewrite only these small entries, never block bytes).
//
// Layout (ordered_encoding.h for ord(); one-byte prefixes as in Fabric's blockindex.go):
//   chain:  'b' ord(number)                            -> the marshalled common.Block
//   index:  'h' header_hash                            -> ord(number)
//   index:  't' ord(len(txid)) txid ord(block) ord(tx) -> 1 byte: that transaction's validation code
//   index:  'i'                                        -> ord(height)   (the checkpoint)
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
// append() order: (1) the block bytes to the chain database (synced with sync_writes),
// then (2) one index batch — hash entry, txid entries and the new checkpoint — (synced
// with sync_writes). The checkpoint is the truth for the height: a block is committed
// once (2) is durable. A crash between (1) and (2) leaves a block at or beyond the
// checkpoint in the chain database: an interrupted append, not corruption. open() accepts
// it and leaves it in place; nothing reads it (lookups stop at the height, the hash index
// does not name it), and the next append of that number overwrites it with a plain put.
// (Fabric's blockfile recovery likewise treats bytes past its checkpoint as an
// interrupted write; it rolls complete blocks forward into the index, fabsim discards
// them: the commit of that block did not finish, so the ledger commits it again.)
// Without sync_writes a power loss may also lose index entries of blocks whose bytes are
// durable (harmless, as above) or block bytes whose index is durable (reported by open()
// as a missing block).
//
// open() checks the store and reports damage as a Corruption status naming the block and
// what is wrong: the checkpoint, then (kTip) the last block, or (kFull) every block below
// the checkpoint: stored bytes parse, numbers are consecutive, previous_hash chains,
// data_hash matches, the hash index points back, the filter length matches.
//
// Ownership: owns its two KvDbs; borrows the Env (must outlive it). Single-threaded.
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

namespace leveldb {
class Env;
}

namespace fabsim::ledger {

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
  };

  static Result<std::unique_ptr<BlockStore>> open(leveldb::Env* env, const std::string& path,
                                                  const Options& options);

  // Appends the next block (rules above). InvalidArgument when a rule fails.
  Status append(const common::Block& block);

  // Number of blocks; the next block's number.
  uint64_t height() const { return height_; }
  // Header hash of the last block; empty when the store is empty.
  const std::string& current_block_hash() const { return current_hash_; }

  // NotFound beyond the height; Corruption when stored bytes do not parse.
  Result<common::Block> block_by_number(uint64_t number) const;
  Result<common::Block> block_by_hash(std::string_view header_hash) const;
  // The first transaction committed with this txid; NotFound if none.
  Result<TxLocation> tx_location(std::string_view txid) const;
  Result<protos::TxValidationCode> tx_validation_code(std::string_view txid) const;
  // Whether any committed transaction, valid or not, has this txid.
  Result<bool> tx_exists(std::string_view txid) const;

  // Re-runs the open-time checks.
  Status verify(Verify level) const;

  // The index database ('h', 't', 'i') and the chain database (block bytes).
  const KvDb& db() const { return *db_; }
  const KvDb& chain_db() const { return *chain_; }

 private:
  BlockStore(std::string path, std::unique_ptr<KvDb> index, std::unique_ptr<KvDb> chain)
      : path_(std::move(path)), db_(std::move(index)), chain_(std::move(chain)) {}
  Status load_checkpoint();
  Result<common::Block> load_block(uint64_t number, uint64_t height) const;
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
  std::unique_ptr<KvDb> chain_;   // <path>/chain
  uint64_t height_ = 0;
  std::string current_hash_;
  TxidFilter txids_;
};

}  // namespace fabsim::ledger
