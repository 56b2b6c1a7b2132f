// Helpers shared by the chaincode tests: run one invocation against an InMemoryState and
// take its read-write set apart; compare KVRWSets with text-format expectations.
#pragma once

#include <google/protobuf/text_format.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/proto/ledger/rwset/kvrwset/kv_rwset.pb.h"
#include "core/proto/ledger/rwset/rwset.pb.h"
#include "model/chaincode/chaincode.h"
#include "model/chaincode/chaincode_stub.h"
#include "model/chaincode/tx_simulator.h"
#include "model/ledger/state.h"

namespace fabsim::chaincode::testing {

// The KVRWSet of namespace `ns` (an empty one, and a test failure, if it is missing).
inline kvrwset::KVRWSet ns_kv(const rwset::TxReadWriteSet& tx, const std::string& ns) {
  kvrwset::KVRWSet kv;
  for (const auto& n : tx.ns_rwset()) {
    if (n.namespace_() == ns) {
      EXPECT_TRUE(kv.ParseFromString(n.rwset()));
      return kv;
    }
  }
  ADD_FAILURE() << "namespace " << ns << " missing from the rwset";
  return kv;
}

inline std::vector<std::string> read_keys(const kvrwset::KVRWSet& kv) {
  std::vector<std::string> out;
  for (const auto& r : kv.reads()) out.push_back(r.key());
  return out;
}

inline std::vector<std::string> write_keys(const kvrwset::KVRWSet& kv) {
  std::vector<std::string> out;
  for (const auto& w : kv.writes()) out.push_back(w.key());
  return out;
}

inline kvrwset::KVRWSet kv_from_text(const std::string& text) {
  kvrwset::KVRWSet kv;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &kv)) << text;
  return kv;
}

// Expects `actual` to equal the text-format `expected`, printing both on a mismatch.
inline void expect_kv_eq(const kvrwset::KVRWSet& actual, const std::string& expected) {
  kvrwset::KVRWSet want = kv_from_text(expected);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(actual, want))
      << "actual:\n" << actual.DebugString() << "expected:\n" << want.DebugString();
}

// The outcome of one chaincode invocation.
struct Invocation {
  ChaincodeResponse response;
  rwset::TxReadWriteSet rwset;
  kvrwset::KVRWSet kv;  // the chaincode's namespace ("" namespace absent -> empty)
  uint64_t work_units = 0;
};

// Invokes `function(args)` of `cc` as namespace `ns` against `state`.
inline Invocation invoke(Chaincode& cc, const ledger::StateReader& state, const std::string& ns,
                         const std::string& function, const std::vector<std::string>& args,
                         StubOptions options = {}) {
  TxSimulator sim(state);
  Invocation out;
  {
    ChaincodeStub stub(sim, ns, options);
    out.response = cc.invoke(stub, function, args);
    out.work_units = stub.work_units();
  }
  auto results = sim.get_tx_simulation_results();
  EXPECT_TRUE(results.is_ok()) << results.status().to_string();
  if (results.is_ok()) out.rwset = *results;
  for (const auto& n : out.rwset.ns_rwset()) {
    if (n.namespace_() == ns) {
      EXPECT_TRUE(out.kv.ParseFromString(n.rwset()));
    }
  }
  return out;
}

}  // namespace fabsim::chaincode::testing
