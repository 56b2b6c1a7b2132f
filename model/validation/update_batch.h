// UpdateBatch: the state updates of a block's valid transactions, as MVCC validation
// builds them (fabric-semantics.md §3.6). A later valid transaction overwrites an earlier
// one's entry for the same key; a delete is an entry too (a "delete marker"), so a later
// read of that key in the same block fails MVCC even when the key never existed.
// Ordered by (namespace, key), so iteration is deterministic and range re-runs can merge
// it with committed state.
#pragma once

#include <map>
#include <string>
#include <utility>

#include "model/ledger/state.h"

namespace fabsim::validation {

struct UpdateEntry {
  bool is_delete = false;
  std::string value;
  ledger::Height version;
  bool operator==(const UpdateEntry&) const = default;
};

class UpdateBatch {
 public:
  using Key = std::pair<std::string, std::string>;  // (namespace, key)
  using Map = std::map<Key, UpdateEntry>;

  void put(const std::string& ns, const std::string& key, std::string value, ledger::Height v) {
    entries_[{ns, key}] = UpdateEntry{false, std::move(value), v};
  }
  void del(const std::string& ns, const std::string& key, ledger::Height v) { entries_[{ns, key}] = UpdateEntry{true, {}, v}; }
  const UpdateEntry* find(const std::string& ns, const std::string& key) const {
    auto it = entries_.find({ns, key});
    return it == entries_.end() ? nullptr : &it->second;
  }
  bool empty() const { return entries_.empty(); }
  size_t size() const { return entries_.size(); }
  const Map& entries() const { return entries_; }

 private:
  Map entries_;
};

}  // namespace fabsim::validation
