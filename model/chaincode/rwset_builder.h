// Collects one transaction's reads, range queries and writes during simulation and turns
// them into Fabric's TxReadWriteSet (F22 core/ledger/kvledger/txmgmt/rwsetutil/
// rwset_builder.go and rwset_proto_util.go; fabric-semantics.md §3.2, §3.5).
//
// Rules, as in Fabric's builder:
//   * reads and writes are maps keyed by key: a key read twice is recorded once and a key
//     written twice is recorded once. Fabric assigns the map entry on every call, so the
//     *last* read's version and the *last* write win. (Reads always see the same
//     committed state within one simulation, so the read versions are equal anyway.)
//   * a write with an empty value is a delete: KVWrite{is_delete = true}, no value;
//   * range queries are kept in the order they were added, de-duplicated on
//     (start_key, end_key, itr_exhausted): the first one added is kept;
//   * build(): namespaces sorted by name, reads and writes sorted by key (byte order);
//     data_model = KV; each namespace's KVRWSet is serialized deterministically into
//     NsReadWriteSet.rwset.
//
// Ownership: value type; owns copies of everything added. Not thread-safe (fabsim is
// single-threaded).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "core/proto/ledger/rwset/kvrwset/kv_rwset.pb.h"
#include "core/proto/ledger/rwset/rwset.pb.h"
#include "model/ledger/state.h"

namespace fabsim::chaincode {

class RWSetBuilder {
 public:
  // Records a read of `key` at `version` (nullopt: the key did not exist).
  void add_to_read_set(const std::string& ns, const std::string& key, const std::optional<ledger::Height>& version);
  // Records a write; an empty `value` records a delete.
  void add_to_write_set(const std::string& ns, const std::string& key, std::string value);
  // Records a finished range query (start/end keys, exhaustion flag and reads info set).
  void add_to_range_query_set(const std::string& ns, kvrwset::RangeQueryInfo info);

  // The read-write set, namespaces sorted by name, reads and writes sorted by key.
  rwset::TxReadWriteSet build() const;

  // Fabric's KVRead / KVWrite constructors (NewKVRead, newKVWrite): a nullopt version
  // leaves KVRead.version unset; a present version is set even when it is (0, 0).
  static kvrwset::KVRead make_kv_read(const std::string& key, const std::optional<ledger::Height>& version);
  static kvrwset::KVWrite make_kv_write(const std::string& key, std::string value);

 private:
  using RangeQueryKey = std::tuple<std::string, std::string, bool>;
  struct NsBuilder {
    std::map<std::string, kvrwset::KVRead> reads;
    std::map<std::string, kvrwset::KVWrite> writes;
    std::vector<RangeQueryKey> range_query_order;
    std::map<RangeQueryKey, kvrwset::RangeQueryInfo> range_queries;
  };
  std::map<std::string, NsBuilder> namespaces_;
};

}  // namespace fabsim::chaincode
