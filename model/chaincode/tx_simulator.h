// The transaction simulator: runs one transaction's state accesses against committed state
// and records its read-write set exactly as Fabric 2.2's ledger does (F22
// core/ledger/kvledger/txmgmt/txmgr/{query_executor.go,tx_simulator.go};
// fabric-semantics.md §3.3-§3.5).
//
// Rules:
//   * get_state reads committed state only and records (key, committed version), or
//     (key, no version) for an absent key. There is NO read-your-own-writes: after
//     set_state(k, v), get_state(k) still returns the committed value.
//   * set_state with an empty value is a delete; delete_state(k) == set_state(k, "").
//     The last write to a key wins.
//   * get_state_range_scan_iterator(ns, start, end) scans [start, end) in byte order ("" =
//     unbounded). Each result it returns is fed to a RangeQueryResultsHelper with
//     MaxDegree 50; while the iterator is not exhausted, RangeQueryInfo.end_key is the
//     last key returned and itr_exhausted = false; once next() has reported the end,
//     end_key is the caller's end key and itr_exhausted = true. Range results are NOT
//     added to the plain read set. Every iterator ever opened, closed or not, advanced or
//     not, is recorded when the results are taken, in the order the iterators were opened.
//   * get_tx_simulation_results() may be called once; afterwards every operation fails.
//
// Ownership: the simulator borrows `state`, which must outlive it and must not change
// while the simulation runs (Fabric holds the commit lock for the same reason). Iterators
// are owned by the simulator; the references it hands out stay valid for its lifetime.
// Errors: a storage error from the StateReader is returned to the caller and nothing is
// recorded for that operation; misuse (use after the results were taken, next() after
// close()) is a failed_precondition Status, as Fabric returns an error.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/proto/ledger/rwset/kvrwset/kv_rwset.pb.h"
#include "core/proto/ledger/rwset/rwset.pb.h"
#include "core/status.h"
#include "model/chaincode/query_results_helper.h"
#include "model/chaincode/rwset_builder.h"
#include "model/ledger/state.h"

namespace fabsim::chaincode {

// One (key, value) result of a range query.
struct QueryResult {
  std::string key;
  std::string value;
  bool operator==(const QueryResult&) const = default;
};

// A range-scan iterator handed out by TxSimulator; records its own RangeQueryInfo.
class RangeScanIterator {
 public:
  RangeScanIterator(std::string ns, std::string start_key, std::string end_key,
                    std::unique_ptr<ledger::StateIterator> db_itr);

  // The next result, or nullopt once the range is exhausted (from then on nullopt again).
  // A storage error is returned as a non-OK Result and nothing is recorded for it.
  Result<std::optional<QueryResult>> next();
  // Releases the underlying database iterator. The recorded range query is unchanged:
  // Fabric records EndKey/ItrExhausted in next(), never in Close().
  void close();
  bool closed() const { return closed_; }

  // How many results next() has returned so far.
  uint64_t results_returned() const { return results_returned_; }

 private:
  friend class TxSimulator;
  // Finishes the merkle/raw recording and returns the RangeQueryInfo (once).
  kvrwset::RangeQueryInfo finish();

  std::string ns_;
  std::string end_key_;  // the caller's end key
  std::unique_ptr<ledger::StateIterator> db_itr_;
  kvrwset::RangeQueryInfo info_;  // start_key set at creation; end_key/itr_exhausted in next()
  RangeQueryResultsHelper helper_;
  uint64_t results_returned_ = 0;
  bool exhausted_ = false;
  bool closed_ = false;
};

class TxSimulator {
 public:
  explicit TxSimulator(const ledger::StateReader& state) : state_(state) {}
  TxSimulator(const TxSimulator&) = delete;
  TxSimulator& operator=(const TxSimulator&) = delete;

  // The committed value of `key` (nullopt when absent); records the read.
  Result<std::optional<std::string>> get_state(const std::string& ns, const std::string& key);
  // Records a write (an empty value records a delete).
  Status set_state(const std::string& ns, const std::string& key, std::string value);
  Status delete_state(const std::string& ns, const std::string& key);
  // Opens a range scan over [start_key, end_key). The iterator lives as long as the
  // simulator.
  Result<RangeScanIterator*> get_state_range_scan_iterator(const std::string& ns, const std::string& start_key,
                                                           const std::string& end_key);

  // Finishes every range query and returns the public read-write set. Once only.
  Result<rwset::TxReadWriteSet> get_tx_simulation_results();

 private:
  Status check_not_done() const;

  const ledger::StateReader& state_;
  RWSetBuilder builder_;
  std::vector<std::unique_ptr<RangeScanIterator>> iterators_;  // in the order opened
  bool results_taken_ = false;
};

}  // namespace fabsim::chaincode
