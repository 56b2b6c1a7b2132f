// KvDb: one LevelDB database on a given leveldb::Env, driven single-threaded.
//
// Every durable fabsim component that keeps an ordered key/value store (the ledger's block
// store, state and history databases) opens it through KvDb. KvDb wraps the given Env in a
// SerialEnv (core/serial_env.h) and drains LevelDB's scheduled flushes and compactions
// after every call returns, so no background thread ever runs and the files LevelDB leaves
// behind depend only on the sequence of calls. Statuses from LevelDB become fabsim Status
// values (Corruption stays Corruption, I/O errors become Unavailable); nothing throws.
//
// Options fixed by KvDb: paranoid_checks (a damaged file is reported at open, not
// skipped), checksums verified on every read, and no info LOG file (its lines would carry
// timestamps).
//
// Ownership: KvDb owns the leveldb::DB and its SerialEnv; it does not own the base Env,
// which must outlive it. Iterators borrow the KvDb and must be destroyed before it. Writes
// are atomic per WriteBatch; with sync_writes the batch is synced to the Env before
// write() returns (what survives FaultInjectionEnv::drop_unsynced_writes()).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace leveldb {
class FilterPolicy;
class DB;
class Env;
class Iterator;
class WriteBatch;
class Logger;
class Status;
}  // namespace leveldb

namespace fabsim {

class SerialEnv;

struct KvDbOptions {
  bool create_if_missing = true;
  // Sync each write batch before write() returns. Fabric's ledger databases all sync.
  bool sync_writes = true;
  // LevelDB's memtable size before a flush to a level-0 table (LevelDB's default: 4 MiB).
  size_t write_buffer_size = 4u << 20;
};

class KvDb {
 public:
  class Iterator;

  // Opens (or, with create_if_missing, creates) the database in directory `path` of `env`.
  static Result<std::unique_ptr<KvDb>> open(leveldb::Env* env, const std::string& path,
                                            const KvDbOptions& options = {});
  ~KvDb();
  KvDb(const KvDb&) = delete;
  KvDb& operator=(const KvDb&) = delete;

  // nullopt when the key is absent; a non-OK Result for storage errors.
  Result<std::optional<std::string>> get(std::string_view key) const;
  // Applies the batch atomically (synced if options.sync_writes).
  Status write(leveldb::WriteBatch* batch);
  // An iterator over the database. `fill_cache` false for a one-off scan of everything
  // (LevelDB's ReadOptions::fill_cache), so that the blocks it reads do not push the
  // working set out of the block cache nor grow memory.
  std::unique_ptr<Iterator> new_iterator(bool fill_cache = true) const;
  // A LevelDB property such as "leveldb.num-files-at-level0"; nullopt if unknown.
  std::optional<std::string> property(std::string_view name) const;

  const std::string& path() const { return path_; }
  const SerialEnv& serial_env() const { return *env_; }

 private:
  KvDb(std::string path, std::unique_ptr<SerialEnv> env, const KvDbOptions& options);
  Status from_leveldb(const leveldb::Status& s, std::string_view what) const;
  void drain() const;

  std::string path_;
  std::unique_ptr<SerialEnv> env_;
  std::unique_ptr<leveldb::Logger> logger_;
  // A Bloom filter per table (10 bits per key): a lookup of an absent key — every new TxID
  // checked against the block index — skips the table's data blocks. Outlives db_.
  std::unique_ptr<const leveldb::FilterPolicy> filter_;
  KvDbOptions options_;
  leveldb::DB* db_ = nullptr;  // owned; deleted after pending work is drained
};

// A LevelDB iterator that drains scheduled work after each move (LevelDB may schedule a
// compaction from read sampling). Keys and values are valid until the next move.
class KvDb::Iterator {
 public:
  ~Iterator();
  void seek(std::string_view target);
  void seek_to_first();
  bool valid() const;
  void next();
  std::string_view key() const;
  std::string_view value() const;
  // Corruption or I/O error met while iterating; check once valid() is false.
  Status status() const;

 private:
  friend class KvDb;
  Iterator(const KvDb* db, leveldb::Iterator* it) : db_(db), it_(it) {}
  const KvDb* db_;
  leveldb::Iterator* it_;  // owned
};

}  // namespace fabsim
