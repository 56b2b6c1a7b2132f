// The versioned world state as read by chaincode simulation and MVCC validation.
//
// A key lives in a namespace (the chaincode name). Its version is the Height (block
// number, transaction number) of the transaction that last wrote it; transaction numbers
// count every transaction of the block, valid or not (fabric-semantics.md §3.2). Versions
// are compared for equality only; an absent key has no version (std::nullopt).
//
// Implementations: the LevelDB state database (model/ledger/), an in-memory map for
// tests (InMemoryState below), and the MVCC stage's "committed state + this block's
// updates" view. Range scans are in plain byte order over [start, end): an empty start is
// the first key, an empty end is past the last key.
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "core/status.h"

namespace fabsim::ledger {

struct Height {
  uint64_t block_num = 0;
  uint64_t tx_num = 0;
  auto operator<=>(const Height&) const = default;
};

struct VersionedValue {
  std::string value;
  Height version;
  bool operator==(const VersionedValue&) const = default;
};

class StateIterator {
 public:
  virtual ~StateIterator() = default;
  // The next (key, value) in byte order; false at the end. Errors (corrupted storage)
  // are reported through status() once next() has returned false.
  virtual bool next(std::string* key, VersionedValue* value) = 0;
  virtual Status status() const { return Status::ok(); }
};

class StateReader {
 public:
  virtual ~StateReader() = default;
  // nullopt when the key does not exist; a non-OK Result only for storage errors.
  virtual Result<std::optional<VersionedValue>> get_state(const std::string& ns, const std::string& key) const = 0;
  virtual std::unique_ptr<StateIterator> range(const std::string& ns, const std::string& start_key,
                                               const std::string& end_key) const = 0;
};

// An ordered in-memory state, for tests and as a reference implementation.
class InMemoryState : public StateReader {
 public:
  void put(const std::string& ns, const std::string& key, std::string value, Height version) {
    data_[{ns, key}] = VersionedValue{std::move(value), version};
  }
  void erase(const std::string& ns, const std::string& key) { data_.erase({ns, key}); }

  Result<std::optional<VersionedValue>> get_state(const std::string& ns, const std::string& key) const override {
    auto it = data_.find({ns, key});
    if (it == data_.end()) return std::optional<VersionedValue>();
    return std::optional<VersionedValue>(it->second);
  }

  std::unique_ptr<StateIterator> range(const std::string& ns, const std::string& start_key,
                                       const std::string& end_key) const override {
    return std::make_unique<Iter>(data_, ns, start_key, end_key);
  }

 private:
  using Map = std::map<std::pair<std::string, std::string>, VersionedValue>;
  class Iter : public StateIterator {
   public:
    Iter(const Map& m, std::string ns, const std::string& start, std::string end)
        : it_(m.lower_bound({ns, start})), end_it_(m.end()), ns_(std::move(ns)), end_(std::move(end)) {}
    bool next(std::string* key, VersionedValue* value) override {
      if (it_ == end_it_ || it_->first.first != ns_) return false;
      if (!end_.empty() && it_->first.second >= end_) return false;
      *key = it_->first.second;
      *value = it_->second;
      ++it_;
      return true;
    }

   private:
    Map::const_iterator it_, end_it_;
    std::string ns_, end_;
  };
  Map data_;
};

}  // namespace fabsim::ledger
