// BlockFiles: the append-only block files of one block store, as Fabric keeps them
// (common/ledger/blkstorage, blockfile_mgr.go and blockfile_rw.go):
//   <dir>/blockfile_000000, <dir>/blockfile_000001, ...   (six-digit suffix)
// Each file is a sequence of records, one per block:
//   varint64(length)  the block's payload (length bytes): what the owner stores, for
//                     BlockStore a codec byte and the marshalled common.Block
// with no header, padding or checksum (Fabric has none either: the index and the block's
// own hashes say what is valid). A new file is started when appending the record would
// take the current file beyond max_file_size; a record larger than that goes alone into a
// file of its own (Fabric would first start an empty file).
//
// BlockFiles knows nothing of block numbers or the index: append() says where a record
// went, read() reads the record at a given location, and the owner (BlockStore) records
// locations and the checkpoint in its index. A record whose location the owner never
// committed is an orphan: it is never read, and no later record is written after it in
// the same file —
//   - resume() (at open) continues the checkpoint's file only when the file ends exactly
//     at the checkpoint's offset, and otherwise starts a fresh file;
//   - abandon() (the owner's index write failed) and a failed append make the next append
//     start a fresh file.
// A fresh file is created with NewWritableFile, which empties a file of that name if an
// interrupted append left one: every file beyond the checkpoint's holds orphans only.
// (leveldb::Env cannot truncate a file, so the orphaned tail of the checkpoint's file
// stays where it is, unread.)
//
// Durability: with sync_writes each record is synced before append() returns (Fabric's
// blockfileWriter syncs every block); otherwise it is flushed, so reads see it, but a
// power loss (core/fault_env.h) may drop it.
//
// Reading never trusts the bytes: a location beyond the end of its file, a missing file or
// a length prefix that disagrees with the recorded length is a Corruption naming the
// block. Reader handles stay open, one per file read so far.
//
// Ownership: borrows the Env (must outlive it); owns its writer and reader handles.
// Single-threaded.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

namespace leveldb {
class Env;
class Status;
class RandomAccessFile;
class WritableFile;
}  // namespace leveldb

namespace fabsim::ledger {

// Where a block's record lies (Fabric's fileLocPointer).
struct BlockLocation {
  uint64_t file_suffix = 0;
  uint64_t offset = 0;  // of the record's first byte, its length prefix (as Fabric)
  uint64_t length = 0;  // of the block bytes, without the prefix
  bool operator==(const BlockLocation&) const = default;
};

class BlockFiles {
 public:
  static constexpr uint64_t kDefaultMaxFileSize = uint64_t{64} << 20;  // Fabric's default

  BlockFiles(leveldb::Env* env, std::string dir, uint64_t max_file_size, bool sync_writes);
  ~BlockFiles();
  BlockFiles(const BlockFiles&) = delete;
  BlockFiles& operator=(const BlockFiles&) = delete;

  // "blockfile_000042" for suffix 42.
  static std::string file_name(uint64_t suffix);
  // Bytes of a record holding `length` block bytes: the varint prefix and the bytes.
  static uint64_t record_size(uint64_t length);
  // The first byte after the record at `loc`.
  static uint64_t record_end(const BlockLocation& loc) { return loc.offset + record_size(loc.length); }

  // Positions the next append after the checkpoint (`suffix`, `end_offset`): in that file
  // if it holds exactly end_offset bytes (a missing file holds 0), in a fresh file
  // suffix + 1 if it holds more. Corruption if it holds fewer. Call once, before append().
  Status resume(uint64_t suffix, uint64_t end_offset);

  // Appends one record; the location of its first byte. On failure nothing may be assumed
  // about the file's tail: the next append starts a fresh file.
  Result<BlockLocation> append(std::string_view block);
  // The record just appended will not be committed: the next append starts a fresh file.
  void abandon();

  // The block bytes of the record at `loc`, a view into *scratch (or into the file's
  // mapping, for an Env that maps files). `number` names the block in errors.
  Result<std::string_view> read(uint64_t number, const BlockLocation& loc, std::string* scratch) const;

 private:
  std::string path(uint64_t suffix) const { return dir_ + "/" + file_name(suffix); }
  Status open_writer();
  // An I/O error on file `suffix`, as Unavailable.
  Status io_error(uint64_t suffix, const leveldb::Status& s) const;
  // The reader of file `suffix`, opened on first use; reopen drops a cached one first.
  Result<leveldb::RandomAccessFile*> reader(uint64_t suffix, bool reopen) const;

  leveldb::Env* env_;
  std::string dir_;
  uint64_t max_file_size_;
  bool sync_writes_;

  // The next record goes to file next_suffix_ at offset next_offset_. writer_ is that
  // file's open handle, or null until the next append opens it: then next_offset_ == 0
  // means create (empty) the file, > 0 reopen it for appending (it holds exactly
  // next_offset_ bytes).
  uint64_t next_suffix_ = 0;
  uint64_t next_offset_ = 0;
  std::unique_ptr<leveldb::WritableFile> writer_;

  mutable std::map<uint64_t, std::unique_ptr<leveldb::RandomAccessFile>> readers_;
};

}  // namespace fabsim::ledger
