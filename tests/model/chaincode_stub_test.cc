// ChaincodeStub: the shim's key rules and the peer handler's batching of range results
// (fabric-chaincode-go shim/stub.go; F22 core/chaincode/query_response_generator.go),
// which decide how far the ledger iterator runs and so the recorded RangeQueryInfo.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "model/chaincode/chaincode_stub.h"
#include "tests/model/chaincode_test_util.h"

namespace fabsim::chaincode {
namespace {

using testing::expect_kv_eq;
using testing::ns_kv;

std::string key_of(int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "k%04d", i);
  return buf;
}

ledger::InMemoryState state_with(int n) {
  ledger::InMemoryState s;
  for (int i = 0; i < n; ++i) s.put("cc", key_of(i), "v" + std::to_string(i), {2, static_cast<uint64_t>(i)});
  return s;
}

struct ScanOutcome {
  std::vector<std::string> keys_read;  // what the chaincode received
  kvrwset::RangeQueryInfo info;        // what the rwset recorded
  uint64_t work_units = 0;
};

// Opens a range in the stub, reads at most `limit` results (all when < 0), closes.
ScanOutcome stub_scan(int keys, const std::string& start, const std::string& end, int limit, StubOptions opt = {}) {
  ledger::InMemoryState state = state_with(keys);
  TxSimulator sim(state);
  ScanOutcome out;
  {
    ChaincodeStub stub(sim, "cc", opt);
    auto itr = stub.get_state_by_range(start, end);
    EXPECT_TRUE(itr.is_ok()) << itr.status().to_string();
    for (int n = 0; (limit < 0 || n < limit) && (*itr)->has_next(); ++n) {
      auto r = (*itr)->next();
      EXPECT_TRUE(r.is_ok());
      out.keys_read.push_back(r->key);
    }
    (*itr)->close();
    out.work_units = stub.work_units();
  }
  auto results = sim.get_tx_simulation_results();
  EXPECT_TRUE(results.is_ok());
  kvrwset::KVRWSet kv = ns_kv(*results, "cc");
  EXPECT_EQ(kv.reads_size(), 0);
  EXPECT_EQ(kv.range_queries_info_size(), 1);
  if (kv.range_queries_info_size() == 1) out.info = kv.range_queries_info(0);
  return out;
}

int recorded_reads(const kvrwset::RangeQueryInfo& info) {
  if (info.has_raw_reads()) return info.raw_reads().kv_reads_size();
  return -1;  // summarised
}

TEST(ChaincodeStub, EmptyStartKeyIsReplacedByEmptyKeySubstitute) {
  ScanOutcome out = stub_scan(3, "", "", -1);
  EXPECT_EQ(out.info.start_key(), "\x01");
  EXPECT_EQ(out.info.end_key(), "");
  EXPECT_TRUE(out.info.itr_exhausted());
  EXPECT_EQ(out.keys_read.size(), 3u);
}

TEST(ChaincodeStub, CompositeKeysAreNotScannedByOpenRange) {
  ledger::InMemoryState state = state_with(2);
  state.put("cc", std::string("\x00" "asset\x00" "1\x00", 9), "v", {1, 0});  // a composite key
  TxSimulator sim(state);
  ChaincodeStub stub(sim, "cc");
  auto itr = stub.get_state_by_range("", "");
  ASSERT_TRUE(itr.is_ok());
  std::vector<std::string> keys;
  while ((*itr)->has_next()) keys.push_back((*itr)->next()->key);
  EXPECT_EQ(keys, (std::vector<std::string>{key_of(0), key_of(1)}));
}

TEST(ChaincodeStub, KeysStartingWithNulAreRejectedForRanges) {
  ledger::InMemoryState state;
  TxSimulator sim(state);
  ChaincodeStub stub(sim, "cc");
  EXPECT_EQ(stub.get_state_by_range(std::string("\x00" "a", 2), "b").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(stub.get_state_by_range("a", std::string("\x00" "b", 2)).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(stub.work_units(), 0u);
}

TEST(ChaincodeStub, PutStateWithEmptyKeyFails) {
  ledger::InMemoryState state;
  TxSimulator sim(state);
  ChaincodeStub stub(sim, "cc");
  Status s = stub.put_state("", "v");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "key must not be an empty string");
  auto results = sim.get_tx_simulation_results();
  ASSERT_TRUE(results.is_ok());
  EXPECT_EQ(results->ns_rwset_size(), 0);
}

TEST(ChaincodeStub, PutStateOfEmptyValueIsDelete) {
  ledger::InMemoryState state = state_with(1);
  TxSimulator sim(state);
  ChaincodeStub stub(sim, "cc");
  ASSERT_TRUE(stub.put_state(key_of(0), "").is_ok());
  auto results = sim.get_tx_simulation_results();
  ASSERT_TRUE(results.is_ok());
  expect_kv_eq(ns_kv(*results, "cc"), R"(writes { key: "k0000" is_delete: true })");
}

TEST(ChaincodeStub, RangeOf100OrFewerIsExhaustedOnOpenEvenIfChaincodeReadsOne) {
  // The peer pulls up to 100 results plus one before answering; 100 results run out first.
  ScanOutcome out = stub_scan(100, key_of(0), "k9", 1);
  EXPECT_EQ(out.keys_read, (std::vector<std::string>{key_of(0)}));
  EXPECT_TRUE(out.info.itr_exhausted());
  EXPECT_EQ(out.info.end_key(), "k9");  // the caller's end key
  ASSERT_TRUE(out.info.has_reads_merkle_hashes());  // 100 reads recorded: > 50
  EXPECT_EQ(out.work_units, 1u + 100u);
}

TEST(ChaincodeStub, SmallRangeReadEarlyIsStillRecordedRawAndWhole) {
  ScanOutcome out = stub_scan(30, "", "", 2);
  EXPECT_EQ(out.keys_read.size(), 2u);
  EXPECT_TRUE(out.info.itr_exhausted());
  EXPECT_EQ(recorded_reads(out.info), 30);
}

TEST(ChaincodeStub, FirstBatchPullsOneResultBeyond100) {
  // 150 results, the chaincode reads 5 and closes: the peer had pulled 101.
  ScanOutcome out = stub_scan(150, "", "", 5);
  EXPECT_EQ(out.keys_read.size(), 5u);
  EXPECT_FALSE(out.info.itr_exhausted());
  EXPECT_EQ(out.info.end_key(), key_of(100));
  ASSERT_TRUE(out.info.has_reads_merkle_hashes());
  EXPECT_EQ(out.info.reads_merkle_hashes().max_level_hashes_size(), 2);  // 101 = 51 + 50
  EXPECT_EQ(out.work_units, 1u + 101u);
}

TEST(ChaincodeStub, ReadingPastABatchFetchesTheNextOne) {
  // 250 results, all read: batches of 100, 100, 50; the range is exhausted.
  ScanOutcome out = stub_scan(250, "", "", -1);
  ASSERT_EQ(out.keys_read.size(), 250u);
  for (int i = 0; i < 250; ++i) ASSERT_EQ(out.keys_read[i], key_of(i));
  EXPECT_TRUE(out.info.itr_exhausted());
  EXPECT_EQ(out.work_units, 1u + 250u);
}

TEST(ChaincodeStub, CarriedResultStartsTheNextBatch) {
  // max_result_limit 3: open pulls 4 (batch of 3 + 1 carried); reading the 4th result
  // fetches the next batch, which pulls 3 more (carried + 2, then one beyond): 7 pulled.
  StubOptions opt;
  opt.max_result_limit = 3;
  ScanOutcome out = stub_scan(10, "", "", 4, opt);
  EXPECT_EQ(out.keys_read, (std::vector<std::string>{key_of(0), key_of(1), key_of(2), key_of(3)}));
  EXPECT_EQ(out.info.end_key(), key_of(6));
  EXPECT_FALSE(out.info.itr_exhausted());
  EXPECT_EQ(recorded_reads(out.info), 7);
}

TEST(ChaincodeStub, TotalQueryLimitStopsTheQueryWithoutExhaustingIt) {
  StubOptions opt;
  opt.total_query_limit = 10;
  ScanOutcome out = stub_scan(40, "", "", -1, opt);
  EXPECT_EQ(out.keys_read.size(), 10u);
  EXPECT_FALSE(out.info.itr_exhausted());
  EXPECT_EQ(out.info.end_key(), key_of(9));
  EXPECT_EQ(recorded_reads(out.info), 10);
}

TEST(ChaincodeStub, NextPastTheEndIsNoSuchKey) {
  ledger::InMemoryState state = state_with(1);
  TxSimulator sim(state);
  ChaincodeStub stub(sim, "cc");
  auto itr = stub.get_state_by_range("", "");
  ASSERT_TRUE(itr.is_ok());
  ASSERT_TRUE((*itr)->next().is_ok());
  EXPECT_FALSE((*itr)->has_next());
  auto r = (*itr)->next();
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().message(), "no such key");
}

TEST(ChaincodeStub, WorkUnitsCountStateOperations) {
  ledger::InMemoryState state = state_with(3);
  TxSimulator sim(state);
  ChaincodeStub stub(sim, "cc");
  ASSERT_TRUE(stub.get_state(key_of(0)).is_ok());
  ASSERT_TRUE(stub.put_state("x", "1").is_ok());
  ASSERT_TRUE(stub.del_state("y").is_ok());
  EXPECT_EQ(stub.work_units(), 3u);
  ASSERT_TRUE(stub.get_state_by_range("", "").is_ok());  // opens, pulls all 3
  EXPECT_EQ(stub.work_units(), 3u + 1u + 3u);
}

TEST(ChaincodeStub, StubWritesLandInItsOwnNamespace) {
  ledger::InMemoryState state;
  TxSimulator sim(state);
  {
    ChaincodeStub a(sim, "alpha");
    ChaincodeStub b(sim, "beta");
    ASSERT_TRUE(a.put_state("k", "1").is_ok());
    ASSERT_TRUE(b.get_state("k").is_ok());
  }
  auto results = sim.get_tx_simulation_results();
  ASSERT_TRUE(results.is_ok());
  expect_kv_eq(ns_kv(*results, "alpha"), R"(writes { key: "k" value: "1" })");
  expect_kv_eq(ns_kv(*results, "beta"), R"(reads { key: "k" })");
}

}  // namespace
}  // namespace fabsim::chaincode
