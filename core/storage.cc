#include "core/storage.h"

#include <leveldb/env.h>
#include <leveldb/helpers/memenv.h>

#include "core/fault_env.h"

namespace fabsim {

DurableStore::DurableStore()
    : mem_(leveldb::NewMemEnv(leveldb::Env::Default())), env_(std::make_unique<FaultInjectionEnv>(mem_.get())) {}

DurableStore::~DurableStore() = default;

leveldb::Env* DurableStore::env() const { return env_.get(); }

Status DurableStore::power_loss() {
  if (env_->open_files() != 0)
    return Status::failed_precondition("power loss while files are open on the host's storage");
  const leveldb::Status s = env_->drop_unsynced_writes();
  if (!s.ok()) return Status::internal("power loss: " + s.ToString());
  return Status::ok();
}

uint64_t DurableStore::unsynced_bytes() const { return env_->unsynced_bytes(); }

std::optional<std::string> DurableStore::get(const std::string& key) const {
  auto it = kv_.find(key);
  if (it == kv_.end()) return std::nullopt;
  return it->second;
}

}  // namespace fabsim
