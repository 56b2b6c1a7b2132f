#include "model/chaincode/query_results_helper.h"

#include <utility>

#include "core/assert.h"
#include "model/protoutil/proto_io.h"
#include "core/crypto/sha256.h"

namespace fabsim::chaincode {

namespace {
constexpr uint32_t kLeafLevel = 1;
}  // namespace

RangeQueryResultsHelper::RangeQueryResultsHelper(uint32_t max_degree) : max_degree_(max_degree) {
  // Fabric: "maxDegree [%d] should not be less than 2 in the merkle tree".
  FABSIM_ASSERT(max_degree_ >= 2);
}

void RangeQueryResultsHelper::add_result(kvrwset::KVRead read) {
  FABSIM_ASSERT(!done_);
  pending_.push_back(std::move(read));
  if (pending_.size() > max_degree_) process_pending_results();
}

void RangeQueryResultsHelper::process_pending_results() {
  FABSIM_ASSERT(!pending_.empty());
  kvrwset::QueryReads leaf;
  leaf.mutable_kv_reads()->Reserve(static_cast<int>(pending_.size()));
  for (auto& read : pending_) *leaf.add_kv_reads() = std::move(read);
  pending_.clear();
  add_leaf(crypto::to_string(crypto::sha256(protoutil::marshal(leaf))));
}

void RangeQueryResultsHelper::add_leaf(std::string hash) {
  tree_[kLeafLevel].push_back(std::move(hash));
  // Fold every level that overflowed; the loop is bounded by the tree height, which grows
  // by one level per factor (max_degree + 1) of results.
  for (uint32_t level = kLeafLevel;; ++level) {
    auto it = tree_.find(level);
    if (it == tree_.end() || it->second.size() <= max_degree_) return;
    std::string parent = combined_hash(it->second);
    tree_.erase(it);
    tree_[level + 1].push_back(std::move(parent));
    if (level + 1 > max_level_) max_level_ = level + 1;
  }
}

bool RangeQueryResultsHelper::tree_empty() const {
  if (max_level_ != kLeafLevel) return false;
  auto it = tree_.find(kLeafLevel);
  return it == tree_.end() || it->second.empty();
}

std::string RangeQueryResultsHelper::combined_hash(const std::vector<std::string>& hashes) {
  std::string concatenated;
  concatenated.reserve(hashes.size() * crypto::kSha256Size);
  for (const auto& h : hashes) concatenated += h;
  return crypto::to_string(crypto::sha256(concatenated));
}

QueryReadsOutput RangeQueryResultsHelper::done() {
  FABSIM_ASSERT(!done_);
  done_ = true;
  QueryReadsOutput out;
  if (tree_empty()) {  // max_degree results or fewer: no hashing at all
    out.raw_reads = std::move(pending_);
    pending_.clear();
    return out;
  }
  if (!pending_.empty()) process_pending_results();

  // Promote every level below max_level_ into the next one, from the leaves upward.
  for (uint32_t level = kLeafLevel; level < max_level_; ++level) {
    auto it = tree_.find(level);
    if (it == tree_.end() || it->second.empty()) continue;
    std::string promoted = it->second.size() == 1 ? it->second.front() : combined_hash(it->second);
    tree_.erase(it);
    tree_[level + 1].push_back(std::move(promoted));
  }
  std::vector<std::string>& top = tree_[max_level_];
  if (top.size() > max_degree_) {
    std::string root = combined_hash(top);
    tree_.erase(max_level_);
    ++max_level_;
    tree_[max_level_] = {std::move(root)};
  }
  out.merkle_summary = current_summary();
  return out;
}

kvrwset::QueryReadsMerkleSummary RangeQueryResultsHelper::current_summary() const {
  kvrwset::QueryReadsMerkleSummary summary;
  summary.set_max_degree(max_degree_);
  summary.set_max_level(max_level_);
  if (auto it = tree_.find(max_level_); it != tree_.end()) {
    for (const auto& h : it->second) summary.add_max_level_hashes(h);
  }
  return summary;
}

}  // namespace fabsim::chaincode
