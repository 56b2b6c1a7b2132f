// DurableStore: what survives a crash of a virtual host.
//
// Each host owns one. It holds
//  - an in-memory leveldb::Env (LevelDB's memenv), private to the host, on which durable
//    components such as the ledger open their databases and files; and
//  - a small ordered key/value map that processes write through NodeContext::persist().
//    Those writes are applied when the process's outputs are released, before its
//    messages leave (persist-before-send); a crash before release loses them.
// Everything else a process holds is volatile and dies with it.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

namespace leveldb {
class Env;
}

namespace fabsim {

class DurableStore {
 public:
  DurableStore();
  ~DurableStore();
  DurableStore(const DurableStore&) = delete;
  DurableStore& operator=(const DurableStore&) = delete;

  // The host's private file system, for LevelDB. Owned by this store.
  leveldb::Env* env() const { return env_.get(); }

  std::optional<std::string> get(const std::string& key) const;
  void put(const std::string& key, std::string value) { kv_[key] = std::move(value); }
  void erase(const std::string& key) { kv_.erase(key); }
  // Ordered by key, so iteration is deterministic.
  const std::map<std::string, std::string>& kv() const { return kv_; }

 private:
  std::unique_ptr<leveldb::Env> env_;
  std::map<std::string, std::string> kv_;
};

}  // namespace fabsim
