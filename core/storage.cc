#include "core/storage.h"

#include <leveldb/env.h>
#include <leveldb/helpers/memenv.h>

#include "core/assert.h"
#include "core/disk_env.h"
#include "core/fault_env.h"

namespace fabsim {

DurableStore::DurableStore()
    : base_(leveldb::NewMemEnv(leveldb::Env::Default())), env_(std::make_unique<FaultInjectionEnv>(base_.get())) {}

DurableStore::~DurableStore() = default;

void DurableStore::use_directory(const std::string& dir) {
  FABSIM_ASSERT(!dir.empty());
  FABSIM_ASSERT_MSG(env_->open_files() == 0 && env_->tracked_files() == 0,
                    "DurableStore::use_directory after files were written");
  directory_ = dir;
  env_.reset();  // before the Env it wraps
  base_ = std::make_unique<DiskEnv>(dir);
  env_ = std::make_unique<FaultInjectionEnv>(base_.get());
}

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
