// DurableStore: what survives a crash of a virtual host.
//
// Each host owns one. It holds
//  - a leveldb::Env private to the host, behind a FaultInjectionEnv (core/fault_env.h) that
//    knows which bytes were synced, on which durable components such as the ledger open
//    their databases and files. By default the Env is in memory (LevelDB's memenv); after
//    use_directory(dir) it is a directory of the real file system (core/disk_env.h), so a
//    long run's ledgers take disk instead of memory. Both behave the same to everything
//    above them: same files, same synced lengths, same results; and
//  - a small ordered key/value map that processes write through NodeContext::persist().
//    Those writes are applied when the process's outputs are released, before its
//    messages leave (persist-before-send); a crash before release loses them.
// Everything else a process holds is volatile and dies with it.
//
// Crash and power loss: a crash keeps everything the OS accepted (every byte written to the
// Env); power_loss() also drops what was written to the Env but not synced (the kv map is
// written at the release of a process's outputs and counts as synced).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "core/status.h"

namespace leveldb {
class Env;
}

namespace fabsim {

class FaultInjectionEnv;

class DurableStore {
 public:
  DurableStore();
  ~DurableStore();
  DurableStore(const DurableStore&) = delete;
  DurableStore& operator=(const DurableStore&) = delete;

  // The host's private file system, for LevelDB. Owned by this store.
  leveldb::Env* env() const;

  // From now on the host's files live under `dir` on the real file system (created with
  // the first file; see core/disk_env.h). Precondition: nothing was written to env() yet
  // and no file is open on it — call it before the host boots.
  void use_directory(const std::string& dir);
  // The directory given to use_directory(); empty while the files are in memory.
  const std::string& directory() const { return directory_; }

  // A power loss: every file written through env() is cut back to its last synced length.
  // Precondition: no database or file is open on env() (the process is gone).
  Status power_loss();
  // Bytes written to env() and not yet synced.
  uint64_t unsynced_bytes() const;

  std::optional<std::string> get(const std::string& key) const;
  void put(const std::string& key, std::string value) { kv_[key] = std::move(value); }
  void erase(const std::string& key) { kv_.erase(key); }
  // Ordered by key, so iteration is deterministic.
  const std::map<std::string, std::string>& kv() const { return kv_; }

 private:
  std::string directory_;
  std::unique_ptr<leveldb::Env> base_;       // the memenv, or a DiskEnv on directory_
  std::unique_ptr<FaultInjectionEnv> env_;  // over base_
  std::map<std::string, std::string> kv_;
};

}  // namespace fabsim
