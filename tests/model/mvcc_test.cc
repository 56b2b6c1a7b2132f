// MVCC validation rules (fabric-semantics.md §3.1 stage B, §3.2, §3.3, §3.6), one case per
// rule. Read-write sets are produced by the real TxSimulator against committed state.
#include <gtest/gtest.h>

#include <functional>

#include "core/proto/peer/transaction.pb.h"
#include "model/chaincode/tx_simulator.h"
#include "model/validation/mvcc.h"

namespace fabsim::validation {
namespace {

using chaincode::TxSimulator;
using ledger::Height;
using ledger::InMemoryState;

constexpr uint8_t kValid = protos::TxValidationCode::VALID;
constexpr uint8_t kMvcc = protos::TxValidationCode::MVCC_READ_CONFLICT;
constexpr uint8_t kPhantom = protos::TxValidationCode::PHANTOM_READ_CONFLICT;
constexpr uint8_t kEndorsementFailure = protos::TxValidationCode::ENDORSEMENT_POLICY_FAILURE;
constexpr uint8_t kOther = protos::TxValidationCode::INVALID_OTHER_REASON;

rwset::TxReadWriteSet simulate(const InMemoryState& s, const std::function<void(TxSimulator&)>& body) {
  TxSimulator sim(s);
  body(sim);
  auto r = sim.get_tx_simulation_results();
  EXPECT_TRUE(r.is_ok()) << r.status().to_string();
  return std::move(r).value();
}

// Reads the first `limit` results of a range (all when limit < 0), then closes it.
void scan(TxSimulator& sim, const std::string& ns, const std::string& a, const std::string& b, int limit = -1) {
  auto it = sim.get_state_range_scan_iterator(ns, a, b);
  ASSERT_TRUE(it.is_ok());
  for (int i = 0; limit < 0 || i < limit; ++i) {
    auto r = (*it)->next();
    ASSERT_TRUE(r.is_ok());
    if (!r->has_value()) break;
  }
  (*it)->close();
}

// Runs MVCC over the given transactions (with optional prior codes) and returns the codes.
std::vector<uint8_t> codes_for(const InMemoryState& committed, const std::vector<rwset::TxReadWriteSet>& rws,
                               std::vector<uint8_t> prior = {}, UpdateBatch* batch_out = nullptr) {
  prior.resize(rws.size(), kValid);
  std::vector<MvccTx> txs;
  for (size_t i = 0; i < rws.size(); ++i) txs.push_back({&rws[i], prior[i]});
  auto batch = validate_and_prepare_batch(committed, 7, txs);
  EXPECT_TRUE(batch.is_ok());
  if (batch_out != nullptr) *batch_out = *batch;
  std::vector<uint8_t> out;
  for (const auto& t : txs) out.push_back(t.code);
  return out;
}

InMemoryState base() {
  InMemoryState s;
  for (int i = 0; i < 5; ++i) s.put("cc", "k" + std::to_string(i), "v", {1, static_cast<uint64_t>(i)});
  return s;
}

TEST(Mvcc, ReadOfUnchangedKeyIsValid) {
  InMemoryState s = base();
  auto rw = simulate(s, [](TxSimulator& t) { (void)t.get_state("cc", "k1"); });
  EXPECT_EQ(codes_for(s, {rw}), (std::vector<uint8_t>{kValid}));
}

TEST(Mvcc, ReadOfKeyUpdatedSinceEndorsementIsReadConflict) {
  InMemoryState s = base();
  auto rw = simulate(s, [](TxSimulator& t) { (void)t.get_state("cc", "k1"); });
  s.put("cc", "k1", "v2", {5, 0});
  EXPECT_EQ(codes_for(s, {rw}), (std::vector<uint8_t>{kMvcc}));
}

TEST(Mvcc, ReadOfAbsentKeyStaysValidWhileAbsent) {
  InMemoryState s = base();
  auto rw = simulate(s, [](TxSimulator& t) { (void)t.get_state("cc", "nope"); });
  EXPECT_EQ(codes_for(s, {rw}), (std::vector<uint8_t>{kValid}));
}

TEST(Mvcc, ReadOfAbsentKeyCreatedSinceIsReadConflict) {
  InMemoryState s = base();
  auto rw = simulate(s, [](TxSimulator& t) { (void)t.get_state("cc", "nope"); });
  s.put("cc", "nope", "x", {5, 0});
  EXPECT_EQ(codes_for(s, {rw}), (std::vector<uint8_t>{kMvcc}));
}

TEST(Mvcc, ReadOfKeyDeletedSinceIsReadConflict) {
  InMemoryState s = base();
  auto rw = simulate(s, [](TxSimulator& t) { (void)t.get_state("cc", "k1"); });
  s.erase("cc", "k1");
  EXPECT_EQ(codes_for(s, {rw}), (std::vector<uint8_t>{kMvcc}));
}

TEST(Mvcc, ReadOfKeyWrittenEarlierInBlockFailsWhateverItsVersion) {
  InMemoryState s = base();
  auto writer = simulate(s, [](TxSimulator& t) { ASSERT_TRUE(t.set_state("cc", "k1", "new").is_ok()); });
  auto reader = simulate(s, [](TxSimulator& t) { (void)t.get_state("cc", "k1"); });
  EXPECT_EQ(codes_for(s, {writer, reader}), (std::vector<uint8_t>{kValid, kMvcc}));
}

TEST(Mvcc, DeleteOfAbsentKeyStillBlocksALaterReadInTheBlock) {
  InMemoryState s = base();
  auto deleter = simulate(s, [](TxSimulator& t) { ASSERT_TRUE(t.delete_state("cc", "ghost").is_ok()); });
  auto reader = simulate(s, [](TxSimulator& t) { (void)t.get_state("cc", "ghost"); });
  EXPECT_EQ(codes_for(s, {deleter, reader}), (std::vector<uint8_t>{kValid, kMvcc}));
}

TEST(Mvcc, WritesOfAnInvalidTransactionAreNeverApplied) {
  InMemoryState s = base();
  auto writer = simulate(s, [](TxSimulator& t) { ASSERT_TRUE(t.set_state("cc", "k1", "new").is_ok()); });
  auto reader = simulate(s, [](TxSimulator& t) { (void)t.get_state("cc", "k1"); });
  UpdateBatch batch;
  EXPECT_EQ(codes_for(s, {writer, reader}, {kEndorsementFailure, kValid}, &batch),
            (std::vector<uint8_t>{kEndorsementFailure, kValid}));
  EXPECT_TRUE(batch.empty());
}

TEST(Mvcc, AlreadyInvalidTransactionsAreSkippedNotRechecked) {
  InMemoryState s = base();
  auto rw = simulate(s, [](TxSimulator& t) { (void)t.get_state("cc", "k1"); });
  EXPECT_EQ(codes_for(s, {rw}, {kEndorsementFailure}), (std::vector<uint8_t>{kEndorsementFailure}));
}

TEST(Mvcc, BlindWritesNeverConflictAndTheLaterOneWins) {
  InMemoryState s = base();
  auto a = simulate(s, [](TxSimulator& t) { ASSERT_TRUE(t.set_state("cc", "k1", "A").is_ok()); });
  auto b = simulate(s, [](TxSimulator& t) { ASSERT_TRUE(t.set_state("cc", "k1", "B").is_ok()); });
  UpdateBatch batch;
  EXPECT_EQ(codes_for(s, {a, b}, {}, &batch), (std::vector<uint8_t>{kValid, kValid}));
  ASSERT_NE(batch.find("cc", "k1"), nullptr);
  EXPECT_EQ(batch.find("cc", "k1")->value, std::optional<std::string>("B"));
  EXPECT_EQ(batch.find("cc", "k1")->version, (Height{7, 1}));
}

TEST(Mvcc, WriteVersionIsBlockAndTxIndexCountingInvalidTransactions) {
  InMemoryState s = base();
  auto bad = simulate(s, [](TxSimulator& t) { ASSERT_TRUE(t.set_state("cc", "x", "1").is_ok()); });
  auto good = simulate(s, [](TxSimulator& t) {
    ASSERT_TRUE(t.set_state("cc", "y", "2").is_ok());
    ASSERT_TRUE(t.set_state("cc", "z", "3").is_ok());
  });
  UpdateBatch batch;
  codes_for(s, {bad, good}, {kEndorsementFailure, kValid}, &batch);
  ASSERT_EQ(batch.size(), 2u);
  EXPECT_EQ(batch.find("cc", "y")->version, (Height{7, 1}));
  EXPECT_EQ(batch.find("cc", "z")->version, (Height{7, 1}));
}

TEST(Mvcc, DeleteBecomesADeleteEntryInTheBatch) {
  InMemoryState s = base();
  auto d = simulate(s, [](TxSimulator& t) { ASSERT_TRUE(t.delete_state("cc", "k2").is_ok()); });
  UpdateBatch batch;
  codes_for(s, {d}, {}, &batch);
  ASSERT_NE(batch.find("cc", "k2"), nullptr);
  EXPECT_TRUE(batch.find("cc", "k2")->is_delete());
}

TEST(Mvcc, UnchangedRangeIsValid) {
  InMemoryState s = base();
  auto rw = simulate(s, [](TxSimulator& t) { scan(t, "cc", "k0", "k9"); });
  EXPECT_EQ(codes_for(s, {rw}), (std::vector<uint8_t>{kValid}));
}

TEST(Mvcc, KeyInsertedIntoRangeIsPhantom) {
  InMemoryState s = base();
  auto rw = simulate(s, [](TxSimulator& t) { scan(t, "cc", "k0", "k9"); });
  s.put("cc", "k15", "x", {5, 0});
  EXPECT_EQ(codes_for(s, {rw}), (std::vector<uint8_t>{kPhantom}));
}

TEST(Mvcc, KeyDeletedFromRangeIsPhantom) {
  InMemoryState s = base();
  auto rw = simulate(s, [](TxSimulator& t) { scan(t, "cc", "k0", "k9"); });
  s.erase("cc", "k3");
  EXPECT_EQ(codes_for(s, {rw}), (std::vector<uint8_t>{kPhantom}));
}

TEST(Mvcc, KeyUpdatedInRangeIsPhantom) {
  InMemoryState s = base();
  auto rw = simulate(s, [](TxSimulator& t) { scan(t, "cc", "k0", "k9"); });
  s.put("cc", "k3", "v2", {5, 0});
  EXPECT_EQ(codes_for(s, {rw}), (std::vector<uint8_t>{kPhantom}));
}

TEST(Mvcc, KeyInsertedIntoRangeEarlierInBlockIsPhantom) {
  InMemoryState s = base();
  auto ins = simulate(s, [](TxSimulator& t) { ASSERT_TRUE(t.set_state("cc", "k25", "x").is_ok()); });
  auto rw = simulate(s, [](TxSimulator& t) { scan(t, "cc", "k0", "k9"); });
  EXPECT_EQ(codes_for(s, {ins, rw}), (std::vector<uint8_t>{kValid, kPhantom}));
}

TEST(Mvcc, RangeEndKeyIsExclusive) {
  InMemoryState s = base();
  auto rw = simulate(s, [](TxSimulator& t) { scan(t, "cc", "k0", "k3"); });
  s.put("cc", "k3", "changed", {5, 0});  // k3 is the end key: outside [k0, k3)
  EXPECT_EQ(codes_for(s, {rw}), (std::vector<uint8_t>{kValid}));
}

TEST(Mvcc, EmptyRangeStaysValidOnlyWhileEmpty) {
  InMemoryState s = base();
  auto rw = simulate(s, [](TxSimulator& t) { scan(t, "cc", "m", "n"); });
  EXPECT_EQ(codes_for(s, {rw}), (std::vector<uint8_t>{kValid}));
  s.put("cc", "m1", "x", {5, 0});
  EXPECT_EQ(codes_for(s, {rw}), (std::vector<uint8_t>{kPhantom}));
}

// A partially iterated range (closed early, not exhausted) is re-run up to and including
// its recorded end key — the last key served to the chaincode — and no further.
InMemoryState many(int n) {
  InMemoryState s;
  for (int i = 0; i < n; ++i) {
    char k[8];
    std::snprintf(k, sizeof k, "r%03d", i);
    s.put("cc", k, "v", {1, static_cast<uint64_t>(i)});
  }
  return s;
}

kvrwset::RangeQueryInfo first_range(const rwset::TxReadWriteSet& rw) {
  kvrwset::KVRWSet kv;
  EXPECT_TRUE(kv.ParseFromString(rw.ns_rwset(0).rwset()));
  EXPECT_EQ(kv.range_queries_info_size(), 1);
  return kv.range_queries_info(0);
}

TEST(Mvcc, PartialRangeIgnoresChangesPastItsEndKey) {
  InMemoryState s = many(150);  // the scan stops after 5 of 150 keys: not exhausted
  auto rw = simulate(s, [](TxSimulator& t) { scan(t, "cc", "", "", 5); });
  const auto rqi = first_range(rw);
  ASSERT_FALSE(rqi.itr_exhausted());
  ASSERT_EQ(rqi.end_key(), "r004");
  s.put("cc", "r120", "changed", {5, 0});
  EXPECT_EQ(codes_for(s, {rw}), (std::vector<uint8_t>{kValid}));
}

TEST(Mvcc, PartialRangeIncludesItsEndKey) {
  InMemoryState s = many(150);
  auto rw = simulate(s, [](TxSimulator& t) { scan(t, "cc", "", "", 5); });
  ASSERT_EQ(first_range(rw).end_key(), "r004");
  s.put("cc", "r004", "changed", {5, 0});
  EXPECT_EQ(codes_for(s, {rw}), (std::vector<uint8_t>{kPhantom}));
}

TEST(Mvcc, MerkleSummarisedRangeUnchangedIsValid) {
  InMemoryState s = many(80);
  auto rw = simulate(s, [](TxSimulator& t) { scan(t, "cc", "r000", "r999"); });
  ASSERT_TRUE(first_range(rw).has_reads_merkle_hashes());
  EXPECT_EQ(codes_for(s, {rw}), (std::vector<uint8_t>{kValid}));
}

TEST(Mvcc, MerkleSummarisedRangeWithAChangedVersionIsPhantom) {
  InMemoryState s = many(80);
  auto rw = simulate(s, [](TxSimulator& t) { scan(t, "cc", "r000", "r999"); });
  s.put("cc", "r061", "changed", {5, 0});
  EXPECT_EQ(codes_for(s, {rw}), (std::vector<uint8_t>{kPhantom}));
}

TEST(Mvcc, MerkleSummarisedRangeShrunkBelowMaxDegreeIsPhantom) {
  InMemoryState s = many(60);
  auto rw = simulate(s, [](TxSimulator& t) { scan(t, "cc", "r000", "r999"); });
  for (int i = 0; i < 20; ++i) {
    char k[8];
    std::snprintf(k, sizeof k, "r%03d", i);
    s.erase("cc", k);
  }
  EXPECT_EQ(codes_for(s, {rw}), (std::vector<uint8_t>{kPhantom}));
}

TEST(Mvcc, ReadsAreCheckedBeforeRangesInANamespace) {
  InMemoryState s = base();
  auto rw = simulate(s, [](TxSimulator& t) {
    scan(t, "cc", "k0", "k9");
    (void)t.get_state("cc", "k1");
  });
  s.put("cc", "k1", "v2", {5, 0});  // breaks both the read and the range
  EXPECT_EQ(codes_for(s, {rw}), (std::vector<uint8_t>{kMvcc}));
}

TEST(Mvcc, TheNamespaceThatSortsFirstDecidesTheCode) {
  InMemoryState s = base();
  s.put("aa", "x", "v", {1, 0});
  s.put("bb", "y", "v", {1, 0});
  // "aa" gets a phantom, "bb" a read conflict: aa sorts first, so PHANTOM wins.
  auto rw = simulate(s, [](TxSimulator& t) {
    (void)t.get_state("bb", "y");
    scan(t, "aa", "", "");
  });
  InMemoryState later = s;
  later.put("aa", "x2", "v", {5, 0});
  later.put("bb", "y", "v2", {5, 0});
  EXPECT_EQ(codes_for(later, {rw}), (std::vector<uint8_t>{kPhantom}));
}

TEST(Mvcc, UnparseableNamespaceRwsetIsInvalidOtherReason) {
  InMemoryState s = base();
  rwset::TxReadWriteSet rw;
  auto* ns = rw.add_ns_rwset();
  ns->set_namespace_("cc");
  ns->set_rwset("\xff\xff\xff garbage");
  EXPECT_EQ(codes_for(s, {rw}), (std::vector<uint8_t>{kOther}));
}

TEST(Mvcc, RecordedMerkleDegreeBelowTwoIsPhantomNotACrash) {
  InMemoryState s = base();
  kvrwset::RangeQueryInfo rqi;
  rqi.set_start_key("k0");
  rqi.set_end_key("k9");
  rqi.set_itr_exhausted(true);
  rqi.mutable_reads_merkle_hashes()->set_max_degree(0);
  auto ok = range_query_valid(s, UpdateBatch{}, "cc", rqi);
  ASSERT_TRUE(ok.is_ok());
  EXPECT_FALSE(*ok);
}

}  // namespace
}  // namespace fabsim::validation
