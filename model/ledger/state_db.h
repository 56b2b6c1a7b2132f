// StateDb: the world state on LevelDB — (namespace, key) -> (value, version) — with the
// savepoint of the last block applied (Fabric's stateleveldb VersionedDB).
//
// Layout (ordered_encoding.h):
//   'd' namespace 0x00 key -> ord(version.block) ord(version.tx) value
//   's'                    -> ord(block) ord(tx): the savepoint
// so one namespace's keys are contiguous and in byte order; a namespace must not contain
// 0x00 (Fabric's are chaincode names). The savepoint is written in the same LevelDB
// WriteBatch as the updates, so after a crash the state is exactly "as of" its savepoint.
// The Ledger writes Fabric's savepoint, Height{block, last tx number} (txmgr's
// maxTxNumber); recovery only reads its block number.
//
// Reads implement StateReader (model/ledger/state.h): a deleted or never-written key has
// no version; range() scans [start, end) in byte order. Stored bytes that do not decode
// give a Corruption status. Iterators borrow the StateDb and must not outlive it.
//
// Ownership: owns its KvDb; borrows the Env (must outlive it). Single-threaded.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "core/kv_db.h"
#include "core/status.h"
#include "model/ledger/state.h"
#include "model/ledger/update_batch.h"

namespace leveldb {
class Env;
}

namespace fabsim::ledger {

class StateDb : public StateReader {
 public:
  struct Options {
    bool sync_writes = true;  // Fabric's state LevelDB writes with sync
  };
  static Result<std::unique_ptr<StateDb>> open(leveldb::Env* env, const std::string& path, const Options& options);

  Result<std::optional<VersionedValue>> get_state(const std::string& ns, const std::string& key) const override;
  std::unique_ptr<StateIterator> range(const std::string& ns, const std::string& start_key,
                                       const std::string& end_key) const override;

  // Applies every put and delete of `batch` and records `savepoint`, atomically.
  // InvalidArgument if a namespace contains 0x00; FailedPrecondition if `savepoint` is not
  // past the current savepoint's block.
  Status apply_updates(const UpdateBatch& batch, Height savepoint);

  // The height of the last block applied; nullopt for a fresh database.
  std::optional<Height> savepoint() const { return savepoint_; }

  const KvDb& db() const { return *db_; }

 private:
  explicit StateDb(std::unique_ptr<KvDb> db) : db_(std::move(db)) {}
  std::unique_ptr<KvDb> db_;
  std::optional<Height> savepoint_;
};

}  // namespace fabsim::ledger
