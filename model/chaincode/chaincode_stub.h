// ChaincodeStub: what a chaincode sees of the ledger during one invocation — Fabric's shim
// (fabric-chaincode-go shim/stub.go) together with the peer-side handler that serves it
// (F22 core/chaincode/handler.go, query_response_generator.go), over one TxSimulator and
// one namespace (the chaincode's name).
//
// Shim rules reproduced here:
//   * put_state("") fails: "key must not be an empty string" (del_state has no such check);
//   * put_state(k, "") is a delete (the empty bytes reach the ledger as nil);
//   * get_state_by_range: an empty start key is replaced by "\x01" (emptyKeySubstitute), so
//     composite keys (which start with "\x00") are never scanned; a start or end key that
//     starts with "\x00" is rejected. The recorded RangeQueryInfo therefore carries
//     start_key "\x01" for an open-ended scan, as in Fabric.
// Peer-handler rules reproduced here (these decide how far the ledger iterator runs, and
// so the recorded EndKey/ItrExhausted and raw-vs-merkle shape):
//   * results reach the chaincode in batches. Opening the query, and each later fetch,
//     pulls results from the ledger iterator until max_result_limit (100) are queued, then
//     pulls ONE more, which is carried into the next batch (so after j full batches the
//     ledger iterator has returned 100*j + 1 results). A range of 100 results or fewer is
//     therefore always exhausted on the peer as soon as it is opened, however few results
//     the chaincode then reads;
//   * total_query_limit (core.yaml ledger.state.totalQueryLimit, 100000) caps the results
//     per query: once reached, the peer stops pulling and reports no more results;
//   * an exhausted or closed query is cleaned up on the peer; close() may be called any time.
//
// Work units: an abstract count of state-database operations the peer performed for this
// invocation, for a cost model to charge: 1 per get_state, put_state and del_state, 1 per
// range query opened, and 1 per result the peer pulled from the ledger iterator (including
// prefetched results the chaincode never read).
//
// Ownership: the stub borrows the simulator, which must outlive it; iterators are owned
// by the stub and stay valid for its lifetime.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "model/chaincode/tx_simulator.h"

namespace fabsim::chaincode {

struct StubOptions {
  // F22 core/chaincode/chaincode_support.go: QueryResponseGenerator{MaxResultLimit: 100}.
  uint32_t max_result_limit = 100;
  // F22 sampleconfig/core.yaml ledger.state.totalQueryLimit.
  uint32_t total_query_limit = 100000;
};

class ChaincodeStub;

// The chaincode's view of a range query (the shim's StateQueryIterator).
class StateQueryIterator {
 public:
  // True while results remain in the current batch or the peer has more.
  bool has_next() const;
  // The next result. Past the end: "no such key" (as the shim); a storage error on the
  // peer while fetching the next batch is returned as is.
  Result<QueryResult> next();
  // Tells the peer to drop the query (QUERY_STATE_CLOSE). Idempotent.
  void close();

 private:
  friend class ChaincodeStub;
  StateQueryIterator(ChaincodeStub& stub, RangeScanIterator& ledger_itr);
  // The peer's BuildQueryResponse: fills `batch_` and `has_more_` from the ledger iterator.
  Status fetch_batch();
  void cleanup_peer_context();

  ChaincodeStub& stub_;
  RangeScanIterator* ledger_itr_;  // null once the peer cleaned the query up
  std::vector<QueryResult> pending_;  // peer side: results queued for the next batch
  uint32_t total_return_count_ = 0;   // peer side: results pulled for this query
  std::vector<QueryResult> batch_;    // shim side: the batch being consumed
  size_t current_ = 0;
  bool has_more_ = false;
};

class ChaincodeStub {
 public:
  ChaincodeStub(TxSimulator& simulator, std::string ns, StubOptions options = {});
  ChaincodeStub(const ChaincodeStub&) = delete;
  ChaincodeStub& operator=(const ChaincodeStub&) = delete;

  const std::string& namespace_id() const { return ns_; }

  // The committed value (nullopt when absent; no read-your-own-writes).
  Result<std::optional<std::string>> get_state(const std::string& key);
  Status put_state(const std::string& key, std::string value);
  Status del_state(const std::string& key);
  Result<StateQueryIterator*> get_state_by_range(const std::string& start_key, const std::string& end_key);

  uint64_t work_units() const { return work_units_; }

 private:
  friend class StateQueryIterator;

  TxSimulator& simulator_;
  std::string ns_;
  StubOptions options_;
  std::vector<std::unique_ptr<StateQueryIterator>> iterators_;
  uint64_t work_units_ = 0;
};

}  // namespace fabsim::chaincode
