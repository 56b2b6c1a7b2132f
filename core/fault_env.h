// FaultInjectionEnv: a leveldb::Env wrapper that can lose what was written but not synced,
// to simulate a power loss of a host (after LevelDB's db/fault_injection_test.cc).
//
// Model of durability (simpler than a real file system, and documented as such):
//  - file contents are durable up to the length they had at their last Sync();
//  - creating, renaming and removing a file are durable at once (no directory fsync is
//    modelled);
//  - a file that already existed when it was first opened through this Env counts as
//    synced up to its length at that moment.
// drop_unsynced_writes() truncates every file written through this Env to its synced
// length (a never-synced file becomes empty). Call it only while no database is open on
// the Env — i.e. after the crashed process's databases were closed, as a real crash
// would have closed them — then reopen to see what a restarted host sees.
//
// Ownership: wraps, does not own, `base` (a host's memenv or DiskEnv); `base` must outlive
// it. Files it hands out must not outlive it. Not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include <leveldb/env.h>

namespace fabsim {

class FaultInjectionEnv : public leveldb::EnvWrapper {
 public:
  explicit FaultInjectionEnv(leveldb::Env* base);
  ~FaultInjectionEnv() override;

  leveldb::Status NewWritableFile(const std::string& fname, leveldb::WritableFile** result) override;
  leveldb::Status NewAppendableFile(const std::string& fname, leveldb::WritableFile** result) override;
  leveldb::Status RemoveFile(const std::string& fname) override;
  leveldb::Status RenameFile(const std::string& src, const std::string& target) override;

  // Truncates every tracked file to its synced length. Returns the first error met (and
  // still visits every file). Precondition: no file handed out by this Env is open.
  leveldb::Status drop_unsynced_writes();

  // Bytes written through this Env and not yet synced, over all files.
  uint64_t unsynced_bytes() const;
  // Writable files handed out and not yet closed (deleted).
  int open_files() const { return open_files_; }
  // Files written through this Env (and not removed since).
  size_t tracked_files() const { return files_.size(); }

 private:
  class File;
  struct FileState {
    uint64_t size = 0;         // bytes in the file as written through this Env
    uint64_t synced_size = 0;  // durable prefix
  };
  void on_append(const std::string& fname, uint64_t n);
  void on_sync(const std::string& fname);
  void on_close() { --open_files_; }

  std::map<std::string, FileState> files_;  // ordered: drop visits files deterministically
  int open_files_ = 0;
};

}  // namespace fabsim
