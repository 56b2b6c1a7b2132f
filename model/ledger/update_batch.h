// UpdateBatch: the public state updates of one block — what the validator computes from
// the block's valid transactions and the ledger applies to the state database.
//
// Rules (fabric-semantics.md §3.6, Fabric's applyWriteSet / statedb.UpdateBatch):
//  - every write of the valid transaction at position tx_num of block block_num becomes
//    a put of (value, version = Height{block_num, tx_num}), or a delete carrying that
//    same version; tx_num counts invalid transactions too;
//  - a later transaction's entry for a key replaces an earlier one's (put or delete);
//  - a delete is kept in the batch even if the key does not exist in the state.
// Entries are kept in (namespace, key) byte order (std::map over std::string compares
// bytes as unsigned, like Go's sort.Strings), which is the order Fabric uses for the
// COMMIT_HASH bytes (commit_hash.h). Value semantics; no storage access.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "model/ledger/state.h"

namespace fabsim::ledger {

struct KeyUpdate {
  std::optional<std::string> value;  // nullopt: the key is deleted
  Height version;
  bool is_delete() const { return !value.has_value(); }
  bool operator==(const KeyUpdate&) const = default;
};

class UpdateBatch {
 public:
  using Key = std::pair<std::string, std::string>;  // (namespace, key)

  void put(const std::string& ns, const std::string& key, std::string value, Height version) {
    updates_[{ns, key}] = KeyUpdate{std::move(value), version};
  }
  void erase(const std::string& ns, const std::string& key, Height version) {
    updates_[{ns, key}] = KeyUpdate{std::nullopt, version};
  }
  // The entry for (ns, key), or nullptr when this batch does not touch the key.
  const KeyUpdate* find(const std::string& ns, const std::string& key) const {
    auto it = updates_.find({ns, key});
    return it == updates_.end() ? nullptr : &it->second;
  }
  const std::map<Key, KeyUpdate>& updates() const { return updates_; }
  size_t size() const { return updates_.size(); }
  bool empty() const { return updates_.empty(); }
  bool operator==(const UpdateBatch&) const = default;

 private:
  std::map<Key, KeyUpdate> updates_;
};

}  // namespace fabsim::ledger
