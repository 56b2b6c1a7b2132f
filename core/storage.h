// DurableStore: what survives a crash of a virtual host.
//
// Each host owns one. It holds
//  - an in-memory leveldb::Env (LevelDB's memenv), private to the host, behind a
//    FaultInjectionEnv (core/fault_env.h) that knows which bytes were synced, on which
//    durable components such as the ledger open their databases and files; and
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
  std::unique_ptr<leveldb::Env> mem_;
  std::unique_ptr<FaultInjectionEnv> env_;  // over mem_
  std::map<std::string, std::string> kv_;
};

}  // namespace fabsim
