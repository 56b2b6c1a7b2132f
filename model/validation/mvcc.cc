#include "model/validation/mvcc.h"

#include <fmt/format.h>

#include "core/proto/peer/transaction.pb.h"
#include "model/chaincode/query_results_helper.h"

namespace fabsim::validation {
namespace {

constexpr uint8_t kValid = protos::TxValidationCode::VALID;
constexpr uint8_t kMvccReadConflict = protos::TxValidationCode::MVCC_READ_CONFLICT;
constexpr uint8_t kPhantomReadConflict = protos::TxValidationCode::PHANTOM_READ_CONFLICT;
constexpr uint8_t kInvalidOtherReason = protos::TxValidationCode::INVALID_OTHER_REASON;

bool same_version(const std::optional<ledger::VersionedValue>& committed, const kvrwset::KVRead& read) {
  if (!read.has_version()) return !committed.has_value();
  return committed.has_value() && committed->version.block_num == read.version().block_num() &&
         committed->version.tx_num == read.version().tx_num();
}

// The public-read rule: a key written or deleted earlier in the block fails whatever its
// version; otherwise the committed version must equal the version read.
Result<bool> read_valid(const ledger::StateReader& committed, const UpdateBatch& batch, const std::string& ns,
                        const kvrwset::KVRead& read) {
  if (batch.find(ns, read.key()) != nullptr) return false;
  auto v = committed.get_state(ns, read.key());
  if (!v.is_ok()) return v.status();
  return same_version(*v, read);
}

// Merkle mode: re-summarise the re-run results with the recorded MaxDegree; the query holds
// only if the whole summary (MaxDegree, MaxLevel and every hash) is equal. Fabric also
// exits early on a differing top-level hash; that cannot change the outcome, because
// top-level hashes are only ever appended. A re-run of MaxDegree results or fewer makes
// no summary, so it fails. A recorded degree below 2 (which Fabric never writes) fails too.
bool merkle_summary_matches(const std::vector<RangeResult>& results, const kvrwset::QueryReadsMerkleSummary& recorded) {
  if (recorded.max_degree() < 2) return false;
  chaincode::RangeQueryResultsHelper helper(recorded.max_degree());
  for (const RangeResult& r : results) {
    kvrwset::KVRead read;
    read.set_key(r.key);
    read.mutable_version()->set_block_num(r.version.block_num);
    read.mutable_version()->set_tx_num(r.version.tx_num);
    helper.add_result(std::move(read));
  }
  const chaincode::QueryReadsOutput out = helper.done();
  if (!out.merkle_summary.has_value()) return false;
  const auto& got = *out.merkle_summary;
  if (got.max_degree() != recorded.max_degree() || got.max_level() != recorded.max_level() ||
      got.max_level_hashes_size() != recorded.max_level_hashes_size())
    return false;
  for (int i = 0; i < got.max_level_hashes_size(); ++i)
    if (got.max_level_hashes(i) != recorded.max_level_hashes(i)) return false;
  return true;
}

}  // namespace

Result<std::vector<RangeResult>> rerun_range(const ledger::StateReader& committed, const UpdateBatch& batch,
                                             const std::string& ns, const std::string& start, const std::string& end,
                                             bool include_end_key) {
  // Committed keys in [start, end), plus the end key itself when it was the last key served.
  std::vector<RangeResult> db;
  {
    auto it = committed.range(ns, start, end);
    std::string k;
    ledger::VersionedValue v;
    while (it->next(&k, &v)) db.push_back({k, v.version});
    if (Status s = it->status(); !s.is_ok()) return s;
  }
  if (include_end_key && !end.empty()) {
    auto v = committed.get_state(ns, end);
    if (!v.is_ok()) return v.status();
    if (v->has_value()) db.push_back({end, (*v)->version});
  }
  // Batch entries of the same span.
  auto lo = batch.updates().lower_bound({ns, start});
  std::vector<std::pair<std::string, const ledger::KeyUpdate*>> upd;
  for (auto it = lo; it != batch.updates().end() && it->first.first == ns; ++it) {
    const std::string& k = it->first.second;
    if (!end.empty() && (include_end_key ? k > end : k >= end)) break;
    upd.push_back({k, &it->second});
  }
  // Merge in key order; the update wins over the database; deleted keys are skipped.
  std::vector<RangeResult> out;
  size_t i = 0, j = 0;
  while (i < db.size() || j < upd.size()) {
    if (j == upd.size() || (i < db.size() && db[i].key < upd[j].first)) {
      out.push_back(db[i++]);
      continue;
    }
    if (i < db.size() && db[i].key == upd[j].first) ++i;
    if (!upd[j].second->is_delete()) out.push_back({upd[j].first, upd[j].second->version});
    ++j;
  }
  return out;
}

Result<bool> range_query_valid(const ledger::StateReader& committed, const UpdateBatch& batch, const std::string& ns,
                               const kvrwset::RangeQueryInfo& rqi) {
  auto results = rerun_range(committed, batch, ns, rqi.start_key(), rqi.end_key(), !rqi.itr_exhausted());
  if (!results.is_ok()) return results.status();
  if (rqi.has_reads_merkle_hashes()) return merkle_summary_matches(*results, rqi.reads_merkle_hashes());
  const auto& reads = rqi.raw_reads().kv_reads();
  if (static_cast<size_t>(reads.size()) != results->size()) return false;
  for (int i = 0; i < reads.size(); ++i) {
    const kvrwset::KVRead& r = reads[i];
    const RangeResult& got = (*results)[i];
    if (r.key() != got.key) return false;
    if (!r.has_version() || r.version().block_num() != got.version.block_num || r.version().tx_num() != got.version.tx_num)
      return false;
  }
  return true;
}

Result<UpdateBatch> validate_and_prepare_batch(const ledger::StateReader& committed, uint64_t block_num,
                                               std::span<MvccTx> txs) {
  UpdateBatch batch;
  for (size_t tx_index = 0; tx_index < txs.size(); ++tx_index) {
    MvccTx& tx = txs[tx_index];
    if (tx.code != kValid || tx.rwset == nullptr) continue;
    // Parse every namespace first (unless the caller did): a rwset that does not parse is
    // INVALID_OTHER_REASON.
    std::vector<kvrwset::KVRWSet> own;
    const std::vector<kvrwset::KVRWSet>* ns_sets = tx.parsed;
    if (ns_sets == nullptr || ns_sets->size() != static_cast<size_t>(tx.rwset->ns_rwset_size())) {
      own.resize(tx.rwset->ns_rwset_size());
      bool parse_ok = true;
      for (int n = 0; n < tx.rwset->ns_rwset_size() && parse_ok; ++n)
        parse_ok = own[n].ParseFromString(tx.rwset->ns_rwset(n).rwset());
      if (!parse_ok) {
        tx.code = kInvalidOtherReason;
        continue;
      }
      ns_sets = &own;
    }
    const std::vector<kvrwset::KVRWSet>& parsed = *ns_sets;
    uint8_t code = kValid;
    for (int n = 0; n < tx.rwset->ns_rwset_size() && code == kValid; ++n) {
      const std::string& ns = tx.rwset->ns_rwset(n).namespace_();
      for (const auto& read : parsed[n].reads()) {
        auto ok = read_valid(committed, batch, ns, read);
        if (!ok.is_ok()) return ok.status();
        if (!*ok) {
          code = kMvccReadConflict;
          break;
        }
      }
      if (code != kValid) break;
      for (const auto& rqi : parsed[n].range_queries_info()) {
        auto ok = range_query_valid(committed, batch, ns, rqi);
        if (!ok.is_ok()) return ok.status();
        if (!*ok) {
          code = kPhantomReadConflict;
          break;
        }
      }
    }
    tx.code = code;
    if (code != kValid) continue;
    const ledger::Height version{block_num, tx_index};
    for (int n = 0; n < tx.rwset->ns_rwset_size(); ++n) {
      const std::string& ns = tx.rwset->ns_rwset(n).namespace_();
      for (const auto& w : parsed[n].writes()) {
        if (w.is_delete()) {
          batch.erase(ns, w.key(), version);
        } else {
          batch.put(ns, w.key(), w.value(), version);
        }
      }
    }
  }
  return batch;
}

}  // namespace fabsim::validation
