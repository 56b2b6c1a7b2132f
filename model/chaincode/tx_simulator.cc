#include "model/chaincode/tx_simulator.h"

#include <utility>

#include "core/assert.h"

namespace fabsim::chaincode {

RangeScanIterator::RangeScanIterator(std::string ns, std::string start_key, std::string end_key,
                                     std::unique_ptr<ledger::StateIterator> db_itr)
    : ns_(std::move(ns)), end_key_(std::move(end_key)), db_itr_(std::move(db_itr)) {
  FABSIM_ASSERT(db_itr_ != nullptr);
  info_.set_start_key(std::move(start_key));  // EndKey is set by next(), as in Fabric
}

Result<std::optional<QueryResult>> RangeScanIterator::next() {
  if (closed_) return Status::failed_precondition("range query iterator on namespace '" + ns_ + "' is closed");
  if (exhausted_) return std::optional<QueryResult>();
  std::string key;
  ledger::VersionedValue vv;
  if (!db_itr_->next(&key, &vv)) {
    Status s = db_itr_->status();
    if (!s.is_ok()) return s;
    // Next() returned nil: the caller scanned to the end of the range.
    exhausted_ = true;
    info_.set_itr_exhausted(true);
    info_.set_end_key(end_key_);
    return std::optional<QueryResult>();
  }
  helper_.add_result(RWSetBuilder::make_kv_read(key, vv.version));
  // The caller may never call next() again, so the key just returned bounds the range.
  info_.set_end_key(key);
  ++results_returned_;
  return std::optional<QueryResult>(QueryResult{std::move(key), std::move(vv.value)});
}

void RangeScanIterator::close() {
  closed_ = true;
  db_itr_.reset();
}

kvrwset::RangeQueryInfo RangeScanIterator::finish() {
  QueryReadsOutput out = helper_.done();
  kvrwset::RangeQueryInfo info = std::move(info_);
  // Fabric sets raw reads only when there were results, so an empty range carries no
  // reads_info at all (rwsetutil.SetRawReads is skipped for a nil slice).
  if (!out.raw_reads.empty()) {
    kvrwset::QueryReads* raw = info.mutable_raw_reads();
    for (auto& r : out.raw_reads) *raw->add_kv_reads() = std::move(r);
  }
  if (out.merkle_summary.has_value()) *info.mutable_reads_merkle_hashes() = std::move(*out.merkle_summary);
  return info;
}

Status TxSimulator::check_not_done() const {
  if (results_taken_) return Status::failed_precondition("transaction simulator used after its results were taken");
  return Status::ok();
}

Result<std::optional<std::string>> TxSimulator::get_state(const std::string& ns, const std::string& key) {
  if (Status s = check_not_done(); !s.is_ok()) return s;
  auto r = state_.get_state(ns, key);
  if (!r.is_ok()) return r.status();
  std::optional<ledger::VersionedValue>& vv = r.value();
  if (!vv.has_value()) {
    builder_.add_to_read_set(ns, key, std::nullopt);
    return std::optional<std::string>();
  }
  builder_.add_to_read_set(ns, key, vv->version);
  return std::optional<std::string>(std::move(vv->value));
}

Status TxSimulator::set_state(const std::string& ns, const std::string& key, std::string value) {
  if (Status s = check_not_done(); !s.is_ok()) return s;
  builder_.add_to_write_set(ns, key, std::move(value));
  return Status::ok();
}

Status TxSimulator::delete_state(const std::string& ns, const std::string& key) { return set_state(ns, key, {}); }

Result<RangeScanIterator*> TxSimulator::get_state_range_scan_iterator(const std::string& ns,
                                                                      const std::string& start_key,
                                                                      const std::string& end_key) {
  if (Status s = check_not_done(); !s.is_ok()) return s;
  iterators_.push_back(
      std::make_unique<RangeScanIterator>(ns, start_key, end_key, state_.range(ns, start_key, end_key)));
  return iterators_.back().get();
}

Result<rwset::TxReadWriteSet> TxSimulator::get_tx_simulation_results() {
  if (results_taken_) return Status::failed_precondition("get_tx_simulation_results may be called only once");
  results_taken_ = true;
  for (auto& itr : iterators_) builder_.add_to_range_query_set(itr->ns_, itr->finish());
  return builder_.build();
}

}  // namespace fabsim::chaincode
