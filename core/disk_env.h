// DiskEnv: a leveldb::Env whose files live under one directory of the real file system — a
// virtual host's disk, so that a long run's ledgers take disk rather than memory.
//
// Every path the Env is given ("peer/ledger/state/CURRENT", with or without a leading '/')
// names <root>/<path>. Differences from leveldb::Env::Default(), each to make the disk behave
// like the in-memory Env (LevelDB's memenv) a DurableStore otherwise uses:
//  - Sync() only flushes to the OS, never fsyncs: durability is simulated one level up, by
//    the FaultInjectionEnv that records synced lengths (core/fault_env.h). Real fsyncs would
//    only slow the simulation down.
//  - Directories are created on demand: CreateDir makes every missing parent, and creating
//    a file makes its directory (the memenv has no directories at all). <root> itself
//    appears with the first file or directory.
//  - GetChildren lists names sorted, without "." and "..", so anything that walks it sees the
//    same order on every run and file system.
//  - Random-access reads use pread on a descriptor, never mmap (mapped file pages would count
//    as the process's resident memory). At most `held_read_files_max` descriptors are held
//    open for readers at once per DiskEnv; a reader opened beyond that opens its file for
//    each read. So a long run's table caches cannot exhaust the process's descriptors.
//  - Schedule and StartThread are programmer errors: LevelDB reaches a host's Env only
//    through SerialEnv (core/serial_env.h), which runs background work on the caller's thread.
// Locks (LockFile) are Env::Default()'s: fcntl locks plus its in-process table, so two
// databases can never share a directory, and hosts with different roots never collide.
//
// Ownership: owns nothing but its bookkeeping; files it hands out must be deleted before it.
// Not thread-safe (nothing in fabsim is).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <leveldb/env.h>

namespace fabsim {

class DiskEnv : public leveldb::EnvWrapper {
 public:
  static constexpr int kHeldReadFilesMax = 32;

  // `root` need not exist yet. Nothing is touched on disk until a file is created.
  explicit DiskEnv(std::string root, int held_read_files_max = kHeldReadFilesMax);
  ~DiskEnv() override;
  DiskEnv(const DiskEnv&) = delete;
  DiskEnv& operator=(const DiskEnv&) = delete;

  const std::string& root() const { return root_; }
  // Where `fname` lives on the real file system.
  std::string real_path(const std::string& fname) const;
  // Reader descriptors held open now (at most held_read_files_max).
  int held_read_files() const { return held_read_files_; }

  leveldb::Status NewSequentialFile(const std::string& fname, leveldb::SequentialFile** result) override;
  leveldb::Status NewRandomAccessFile(const std::string& fname, leveldb::RandomAccessFile** result) override;
  leveldb::Status NewWritableFile(const std::string& fname, leveldb::WritableFile** result) override;
  leveldb::Status NewAppendableFile(const std::string& fname, leveldb::WritableFile** result) override;
  bool FileExists(const std::string& fname) override;
  leveldb::Status GetChildren(const std::string& dir, std::vector<std::string>* result) override;
  leveldb::Status RemoveFile(const std::string& fname) override;
  leveldb::Status CreateDir(const std::string& dirname) override;
  leveldb::Status RemoveDir(const std::string& dirname) override;
  leveldb::Status GetFileSize(const std::string& fname, uint64_t* file_size) override;
  leveldb::Status RenameFile(const std::string& src, const std::string& target) override;
  leveldb::Status LockFile(const std::string& fname, leveldb::FileLock** lock) override;
  leveldb::Status GetTestDirectory(std::string* path) override;
  leveldb::Status NewLogger(const std::string& fname, leveldb::Logger** result) override;
  void Schedule(void (*fn)(void*), void* arg) override;
  void StartThread(void (*fn)(void*), void* arg) override;

 private:
  class ReadFile;
  class NoSyncFile;
  // mkdir -p of `real` (a real path).
  leveldb::Status make_dirs(const std::string& real);
  leveldb::Status make_parent(const std::string& real);
  // A writer on `fname` (in its directory, made if missing) whose Sync only flushes.
  leveldb::Status new_file(const std::string& fname, bool append, leveldb::WritableFile** result);
  bool take_read_slot();
  void release_read_slot() { --held_read_files_; }

  std::string root_;
  int held_read_files_max_;
  int held_read_files_ = 0;
};

}  // namespace fabsim
