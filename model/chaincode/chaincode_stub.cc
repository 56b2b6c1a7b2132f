#include "model/chaincode/chaincode_stub.h"

#include <utility>

#include "core/assert.h"

namespace fabsim::chaincode {

namespace {
// fabric-chaincode-go shim: compositeKeyNamespace and emptyKeySubstitute.
constexpr char kCompositeKeyNamespace = '\x00';
constexpr const char* kEmptyKeySubstitute = "\x01";

Status validate_simple_key(const std::string& key) {
  if (!key.empty() && key[0] == kCompositeKeyNamespace) {
    return Status::invalid_argument("first character of the key [" + key +
                                    "] contains a null character which is not allowed");
  }
  return Status::ok();
}
}  // namespace

ChaincodeStub::ChaincodeStub(TxSimulator& simulator, std::string ns, StubOptions options)
    : simulator_(simulator), ns_(std::move(ns)), options_(options) {
  FABSIM_ASSERT(options_.max_result_limit >= 1);
}

Result<std::optional<std::string>> ChaincodeStub::get_state(const std::string& key) {
  ++work_units_;
  return simulator_.get_state(ns_, key);
}

Status ChaincodeStub::put_state(const std::string& key, std::string value) {
  if (key.empty()) return Status::invalid_argument("key must not be an empty string");
  ++work_units_;
  return simulator_.set_state(ns_, key, std::move(value));
}

Status ChaincodeStub::del_state(const std::string& key) {
  ++work_units_;
  return simulator_.delete_state(ns_, key);
}

Result<StateQueryIterator*> ChaincodeStub::get_state_by_range(const std::string& start_key,
                                                              const std::string& end_key) {
  const std::string start = start_key.empty() ? std::string(kEmptyKeySubstitute) : start_key;
  if (Status s = validate_simple_key(start); !s.is_ok()) return s;
  if (Status s = validate_simple_key(end_key); !s.is_ok()) return s;
  ++work_units_;
  auto ledger_itr = simulator_.get_state_range_scan_iterator(ns_, start, end_key);
  if (!ledger_itr.is_ok()) return ledger_itr.status();
  iterators_.push_back(std::unique_ptr<StateQueryIterator>(new StateQueryIterator(*this, **ledger_itr)));
  StateQueryIterator* itr = iterators_.back().get();
  // The peer answers GET_STATE_BY_RANGE with the first batch.
  if (Status s = itr->fetch_batch(); !s.is_ok()) return s;
  return itr;
}

StateQueryIterator::StateQueryIterator(ChaincodeStub& stub, RangeScanIterator& ledger_itr)
    : stub_(stub), ledger_itr_(&ledger_itr) {}

void StateQueryIterator::cleanup_peer_context() {
  if (ledger_itr_ != nullptr) ledger_itr_->close();
  ledger_itr_ = nullptr;
  pending_.clear();
}

Status StateQueryIterator::fetch_batch() {
  FABSIM_ASSERT(ledger_itr_ != nullptr);
  const StubOptions& opt = stub_.options_;
  // Bounded: each pass pulls one result, and at most max_result_limit + 1 results are
  // pulled before the batch is cut.
  for (;;) {
    if (total_return_count_ >= opt.total_query_limit) {
      batch_ = std::move(pending_);
      has_more_ = false;
      cleanup_peer_context();
      break;
    }
    auto r = ledger_itr_->next();
    if (!r.is_ok()) {
      cleanup_peer_context();
      batch_.clear();
      has_more_ = false;
      return r.status();
    }
    if (!r->has_value()) {  // exhausted: last batch
      batch_ = std::move(pending_);
      has_more_ = false;
      cleanup_peer_context();
      break;
    }
    ++stub_.work_units_;
    ++total_return_count_;
    if (pending_.size() == opt.max_result_limit) {
      batch_ = std::move(pending_);
      pending_.clear();
      pending_.push_back(std::move(**r));  // carried into the next batch
      has_more_ = true;
      break;
    }
    pending_.push_back(std::move(**r));
  }
  current_ = 0;
  return Status::ok();
}

bool StateQueryIterator::has_next() const { return current_ < batch_.size() || has_more_; }

Result<QueryResult> StateQueryIterator::next() {
  if (current_ < batch_.size()) return batch_[current_++];
  if (!has_more_) return Status::not_found("no such key");
  // QUERY_STATE_NEXT: the peer builds the next batch.
  if (Status s = fetch_batch(); !s.is_ok()) return s;
  FABSIM_ASSERT(!batch_.empty());  // a batch after has_more always holds the carried result
  return batch_[current_++];
}

void StateQueryIterator::close() {
  cleanup_peer_context();
  batch_.clear();
  current_ = 0;
  has_more_ = false;
}

}  // namespace fabsim::chaincode
