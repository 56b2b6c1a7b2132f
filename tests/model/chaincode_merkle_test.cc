// The merkle summary of range-query reads (fabric-semantics.md §3.4): the helper's tree
// rules with a small MaxDegree, and the simulator's raw-vs-summary switch at MaxDegree 50.
// Every expected hash is recomputed here from first principles: SHA-256 (OpenSSL, called
// directly) over a QueryReads message serialized by protobuf, or over concatenated hashes.
#include <gtest/gtest.h>
#include <openssl/sha.h>

#include <cstdio>
#include <string>
#include <vector>

#include "model/chaincode/query_results_helper.h"
#include "model/chaincode/tx_simulator.h"
#include "tests/model/chaincode_test_util.h"

namespace fabsim::chaincode {
namespace {

using testing::ns_kv;

std::string sha(const std::string& data) {
  unsigned char d[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), d);
  return std::string(reinterpret_cast<const char*>(d), sizeof d);
}

std::string key_of(int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "k%05d", i);
  return buf;
}

kvrwset::KVRead read_of(int i) {
  kvrwset::KVRead r;
  r.set_key(key_of(i));
  r.mutable_version()->set_block_num(7);
  r.mutable_version()->set_tx_num(static_cast<uint64_t>(i));
  return r;
}

// SHA-256 of QueryReads{kv_reads = reads [from, to)} — a leaf.
std::string leaf(int from, int to) {
  kvrwset::QueryReads q;
  for (int i = from; i < to; ++i) *q.add_kv_reads() = read_of(i);
  std::string bytes;
  EXPECT_TRUE(q.SerializeToString(&bytes));
  return sha(bytes);
}

std::string combine(const std::vector<std::string>& hashes) {
  std::string all;
  for (const auto& h : hashes) all += h;
  return sha(all);
}

std::vector<std::string> hashes_of(const kvrwset::QueryReadsMerkleSummary& s) {
  return {s.max_level_hashes().begin(), s.max_level_hashes().end()};
}

QueryReadsOutput run_helper(uint32_t degree, int n) {
  RangeQueryResultsHelper h(degree);
  for (int i = 0; i < n; ++i) h.add_result(read_of(i));
  return h.done();
}

TEST(MerkleSummary, LeafHashIsSha256OfSerializedQueryReads) {
  // Hand-check of one leaf's bytes: QueryReads{[{"k00000",(7,0)}, {"k00001",(7,1)},
  // {"k00002",(7,2)}]}. KVRead i is 0a 06 "k0000i" then its version: 12 02 08 07 for
  // (7,0) (tx_num 0 is omitted in proto3), 12 04 08 07 10 0i otherwise; each KVRead is
  // wrapped as field 1 of QueryReads: 0a <length>.
  std::string bytes;
  for (int i = 0; i < 3; ++i) {
    const std::string version = i == 0 ? std::string("\x12\x02\x08\x07", 4)
                                       : std::string("\x12\x04\x08\x07\x10", 5) + static_cast<char>(i);
    const std::string kv_read = std::string("\x0a\x06", 2) + key_of(i) + version;
    bytes += std::string("\x0a", 1) + static_cast<char>(kv_read.size()) + kv_read;
  }
  ASSERT_EQ(bytes.size(), 14u + 16u + 16u);
  EXPECT_EQ(leaf(0, 3), sha(bytes));
  auto out = run_helper(2, 3);
  ASSERT_TRUE(out.merkle_summary.has_value());
  EXPECT_EQ(hashes_of(*out.merkle_summary), (std::vector<std::string>{sha(bytes)}));
}

TEST(MerkleSummary, MaxDegreeOrFewerResultsStayRaw) {
  auto out = run_helper(2, 2);
  EXPECT_FALSE(out.merkle_summary.has_value());
  ASSERT_EQ(out.raw_reads.size(), 2u);
  EXPECT_EQ(out.raw_reads[1].key(), "k00001");
  auto none = run_helper(2, 0);
  EXPECT_FALSE(none.merkle_summary.has_value());
  EXPECT_TRUE(none.raw_reads.empty());
}

TEST(MerkleSummary, LeftoverReadsBecomeOneMoreLeaf) {
  // 5 reads, degree 2: leaf(0..2) when the buffer overflows; done() hashes reads 3..4.
  auto out = run_helper(2, 5);
  ASSERT_TRUE(out.merkle_summary.has_value());
  EXPECT_EQ(out.merkle_summary->max_degree(), 2u);
  EXPECT_EQ(out.merkle_summary->max_level(), 1u);
  EXPECT_EQ(hashes_of(*out.merkle_summary), (std::vector<std::string>{leaf(0, 3), leaf(3, 5)}));
  EXPECT_TRUE(out.raw_reads.empty());
}

TEST(MerkleSummary, FullLevelIsCombinedIntoNextLevel) {
  // 10 reads, degree 2: leaves L1..L3 overflow level 1 -> N = H(L1|L2|L3) at level 2;
  // done(): read 9 becomes L4 and, alone at level 1, moves up as is: level 2 = [N, L4].
  auto out = run_helper(2, 10);
  ASSERT_TRUE(out.merkle_summary.has_value());
  const std::string n = combine({leaf(0, 3), leaf(3, 6), leaf(6, 9)});
  EXPECT_EQ(out.merkle_summary->max_level(), 2u);
  EXPECT_EQ(hashes_of(*out.merkle_summary), (std::vector<std::string>{n, leaf(9, 10)}));
}

TEST(MerkleSummary, SeveralLowerHashesAreCombinedWhenPromoted) {
  // 15 reads, degree 2: level 2 = [N1]; level 1 = [L4, L5]; done() combines L4|L5.
  auto out = run_helper(2, 15);
  ASSERT_TRUE(out.merkle_summary.has_value());
  const std::string n1 = combine({leaf(0, 3), leaf(3, 6), leaf(6, 9)});
  EXPECT_EQ(out.merkle_summary->max_level(), 2u);
  EXPECT_EQ(hashes_of(*out.merkle_summary), (std::vector<std::string>{n1, combine({leaf(9, 12), leaf(12, 15)})}));
}

TEST(MerkleSummary, OverfullTopLevelGetsNewRootAtDone) {
  // 21 reads, degree 2: level 2 = [N1, N2], level 1 = [L7]; promoting L7 makes level 2
  // hold 3 > 2 hashes, so done() combines them into one root at level 3.
  auto out = run_helper(2, 21);
  ASSERT_TRUE(out.merkle_summary.has_value());
  const std::string n1 = combine({leaf(0, 3), leaf(3, 6), leaf(6, 9)});
  const std::string n2 = combine({leaf(9, 12), leaf(12, 15), leaf(15, 18)});
  EXPECT_EQ(out.merkle_summary->max_level(), 3u);
  EXPECT_EQ(hashes_of(*out.merkle_summary), (std::vector<std::string>{combine({n1, n2, leaf(18, 21)})}));
}

TEST(MerkleSummary, CurrentSummaryShowsTopLevelSoFar) {
  RangeQueryResultsHelper h(2);
  for (int i = 0; i < 7; ++i) h.add_result(read_of(i));
  const kvrwset::QueryReadsMerkleSummary s = h.current_summary();
  EXPECT_EQ(s.max_level(), 1u);
  EXPECT_EQ(hashes_of(s), (std::vector<std::string>{leaf(0, 3), leaf(3, 6)}));
}

// ---- The simulator's switch at MaxDegree 50 ----

ledger::InMemoryState state_with(int n) {
  ledger::InMemoryState s;
  for (int i = 0; i < n; ++i) s.put("cc", key_of(i), "v", {7, static_cast<uint64_t>(i)});
  return s;
}

kvrwset::RangeQueryInfo simulate_scan(int keys, int read_limit, bool close) {
  ledger::InMemoryState state = state_with(keys);
  TxSimulator sim(state);
  auto itr = sim.get_state_range_scan_iterator("cc", "", "");
  EXPECT_TRUE(itr.is_ok());
  for (int n = 0; read_limit < 0 || n < read_limit; ++n) {
    auto r = (*itr)->next();
    EXPECT_TRUE(r.is_ok());
    if (!r->has_value()) break;
  }
  if (close) (*itr)->close();
  auto results = sim.get_tx_simulation_results();
  EXPECT_TRUE(results.is_ok());
  kvrwset::KVRWSet kv = ns_kv(*results, "cc");
  EXPECT_EQ(kv.reads_size(), 0);  // range results never reach the plain read set
  EXPECT_EQ(kv.range_queries_info_size(), 1);
  return kv.range_queries_info_size() == 1 ? kv.range_queries_info(0) : kvrwset::RangeQueryInfo();
}

TEST(MerkleSummary, SimulatorKeepsUpTo50ReadsRaw) {
  const kvrwset::RangeQueryInfo info = simulate_scan(50, -1, true);
  ASSERT_TRUE(info.has_raw_reads());
  EXPECT_EQ(info.raw_reads().kv_reads_size(), 50);
  EXPECT_EQ(info.raw_reads().kv_reads(49).key(), key_of(49));
  EXPECT_TRUE(info.itr_exhausted());
}

TEST(MerkleSummary, Simulator51ReadsGiveSummaryOfOneLeaf) {
  const kvrwset::RangeQueryInfo info = simulate_scan(51, -1, true);
  ASSERT_TRUE(info.has_reads_merkle_hashes());
  const auto& s = info.reads_merkle_hashes();
  EXPECT_EQ(s.max_degree(), 50u);
  EXPECT_EQ(s.max_level(), 1u);
  ASSERT_EQ(s.max_level_hashes_size(), 1);
  EXPECT_EQ(s.max_level_hashes(0), leaf(0, 51));
  EXPECT_TRUE(info.itr_exhausted());
}

TEST(MerkleSummary, Simulator103ReadsGiveThreeLeaves) {
  const kvrwset::RangeQueryInfo info = simulate_scan(103, -1, true);
  ASSERT_TRUE(info.has_reads_merkle_hashes());
  EXPECT_EQ(info.reads_merkle_hashes().max_level(), 1u);
  EXPECT_EQ(hashes_of(info.reads_merkle_hashes()),
            (std::vector<std::string>{leaf(0, 51), leaf(51, 102), leaf(102, 103)}));
}

TEST(MerkleSummary, Simulator2601ReadsReachLevelTwo) {
  // 51 leaves of 51 reads overflow level 1 exactly once: one hash at level 2.
  const kvrwset::RangeQueryInfo info = simulate_scan(51 * 51, -1, true);
  ASSERT_TRUE(info.has_reads_merkle_hashes());
  std::vector<std::string> leaves;
  for (int i = 0; i < 51; ++i) leaves.push_back(leaf(51 * i, 51 * (i + 1)));
  EXPECT_EQ(info.reads_merkle_hashes().max_level(), 2u);
  EXPECT_EQ(hashes_of(info.reads_merkle_hashes()), (std::vector<std::string>{combine(leaves)}));
}

TEST(MerkleSummary, EarlyCloseSummarisesOnlyTheReadsReturned) {
  // 60 of 100 read, then closed: leaves over reads 0..50 and 51..59; EndKey = read 59.
  const kvrwset::RangeQueryInfo info = simulate_scan(100, 60, true);
  ASSERT_TRUE(info.has_reads_merkle_hashes());
  EXPECT_EQ(hashes_of(info.reads_merkle_hashes()), (std::vector<std::string>{leaf(0, 51), leaf(51, 60)}));
  EXPECT_EQ(info.end_key(), key_of(59));
  EXPECT_FALSE(info.itr_exhausted());
}

}  // namespace
}  // namespace fabsim::chaincode
