// The recorder of a range query's results: raw KVReads when there are few, a merkle
// summary of them when there are many (fabric-semantics.md §3.4; Fabric 2.2
// core/ledger/kvledger/txmgmt/rwsetutil/query_results_helper.go).
//
// Results are fed in iteration order with add_result() and finished with done(). With
// hashing on (always, in simulation) and MaxDegree d:
//   * reads are buffered; when the buffer holds d+1 of them they are serialized as one
//     QueryReads{kv_reads}, hashed with SHA-256, and the hash becomes the next node of
//     level 1 (the leaf level); the buffer is emptied;
//   * whenever a level holds more than d hashes, all of them are concatenated in order
//     and hashed into one node of the next level; the level is emptied; MaxLevel rises;
//   * done(): if no hash was ever made (d results or fewer in total) the raw reads are
//     the output; otherwise the leftover reads become one more leaf, every level below
//     MaxLevel is promoted (one hash moves up as-is, several are combined), and if
//     MaxLevel then holds more than d hashes they are combined into a new top level.
//
// The MVCC validator re-runs a range query through the same class and compares the
// summary (current_summary() gives the in-progress top level for Fabric's early exit).
//
// Ownership: plain value type; no references kept. Invariants: max_degree >= 2 (Fabric
// rejects smaller degrees); every level below max_level_ holds at most max_degree hashes
// between calls; no result may be added after done().
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/proto/ledger/rwset/kvrwset/kv_rwset.pb.h"

namespace fabsim::chaincode {

// The MaxDegree the transaction simulator uses (F22 query_executor.go,
// maxDegreeQueryReadsHashing): a range query with more results than this is summarised.
inline constexpr uint32_t kMaxDegreeQueryReadsHashing = 50;

// Exactly one of the two is set after a query that returned at least one result; neither
// when it returned none (Fabric leaves RangeQueryInfo.reads_info unset in that case).
struct QueryReadsOutput {
  std::vector<kvrwset::KVRead> raw_reads;                        // empty when summarised
  std::optional<kvrwset::QueryReadsMerkleSummary> merkle_summary;  // set when summarised
};

class RangeQueryResultsHelper {
 public:
  explicit RangeQueryResultsHelper(uint32_t max_degree = kMaxDegreeQueryReadsHashing);

  // Records the next result, in iteration order.
  void add_result(kvrwset::KVRead read);

  // Finishes the summary. Call once; the helper accepts nothing afterwards.
  QueryReadsOutput done();

  // The summary as it stands (MaxDegree, MaxLevel, hashes at MaxLevel so far), without
  // finishing it: Fabric's GetMerkleSummary, used by validation to fail early.
  kvrwset::QueryReadsMerkleSummary current_summary() const;

  uint32_t max_degree() const { return max_degree_; }

 private:
  // Hashes the buffered reads into the next leaf and folds full levels upward.
  void process_pending_results();
  void add_leaf(std::string hash);
  // True while no hash has been made yet (Fabric's merkleTree.isEmpty).
  bool tree_empty() const;
  static std::string combined_hash(const std::vector<std::string>& hashes);

  uint32_t max_degree_;
  std::vector<kvrwset::KVRead> pending_;
  std::map<uint32_t, std::vector<std::string>> tree_;  // level (1 = leaves) -> hashes
  uint32_t max_level_ = 1;
  bool done_ = false;
};

}  // namespace fabsim::chaincode
