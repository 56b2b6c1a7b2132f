#include "core/storage.h"

#include <leveldb/env.h>
#include <leveldb/helpers/memenv.h>

namespace fabsim {

DurableStore::DurableStore() : env_(leveldb::NewMemEnv(leveldb::Env::Default())) {}
DurableStore::~DurableStore() = default;

std::optional<std::string> DurableStore::get(const std::string& key) const {
  auto it = kv_.find(key);
  if (it == kv_.end()) return std::nullopt;
  return it->second;
}

}  // namespace fabsim
