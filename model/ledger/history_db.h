// HistoryDb: for each (namespace, key), the heights (block, tx) of the valid transactions
// that wrote it — puts and deletes alike — in commit order (Fabric's history.DB).
//
// Layout (ordered_encoding.h):
//   'd' namespace 0x00 ord(len(key)) key ord(block) ord(tx) -> "" (empty)
//   's'                                                   -> ord(block) ord(tx): savepoint
// The length prefix makes (namespace, key) an exact key prefix, and ordered encodings make
// one key's entries sort by height. As in Fabric, the value lives in the block store: the
// entry names the transaction, whose rwset holds the value and the delete flag.
//
// commit_block() takes the block alone (with its final TRANSACTIONS_FILTER): only VALID
// ENDORSER_TRANSACTIONs contribute (tx_rwset.h valid_tx_writes). It writes the entries and
// the savepoint Height{block, number of transactions} (Fabric's) in one WriteBatch.
//
// Ownership: owns its KvDb; borrows the Env (must outlive it). Single-threaded.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/kv_db.h"
#include "core/proto/common/common.pb.h"
#include "core/status.h"
#include "model/ledger/state.h"
#include "model/ledger/tx_rwset.h"

namespace leveldb {
class Env;
}

namespace fabsim::ledger {

class HistoryDb {
 public:
  struct Options {
    bool sync_writes = true;  // Fabric's history LevelDB writes with sync
  };
  static Result<std::unique_ptr<HistoryDb>> open(leveldb::Env* env, const std::string& path, const Options& options);

  // Records the writes of the block's valid transactions. FailedPrecondition unless the
  // block is the one after the savepoint (block 0 for a fresh database); Corruption if a
  // transaction flagged VALID does not parse. `writes`, when given, must be what
  // valid_tx_writes(block) returns (the validator has it already); otherwise it is derived
  // from the block, as recovery does.
  Status commit_block(const common::Block& block, const std::vector<TxWrites>* writes = nullptr);

  // Heights of the valid transactions that wrote (ns, key), oldest first.
  Result<std::vector<Height>> history(const std::string& ns, const std::string& key) const;

  std::optional<Height> savepoint() const { return savepoint_; }

  const KvDb& db() const { return *db_; }

 private:
  explicit HistoryDb(std::unique_ptr<KvDb> db) : db_(std::move(db)) {}
  std::unique_ptr<KvDb> db_;
  std::optional<Height> savepoint_;
};

}  // namespace fabsim::ledger
