// TxSimulator: the rwset rules of Fabric 2.2's transaction simulator (fabric-semantics.md
// §3.3-§3.5). One table case per rule: a committed state, a script of simulator calls,
// and the expected KVRWSet of namespace "cc" in text format.
#include <gtest/gtest.h>

#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "model/protoutil/proto_io.h"
#include "model/chaincode/rwset_builder.h"
#include "model/chaincode/tx_simulator.h"
#include "tests/model/chaincode_test_util.h"

namespace fabsim::chaincode {
namespace {

using testing::expect_kv_eq;
using testing::ns_kv;

// Committed state used by every case: cc/a@(3,1)="va", cc/b@(4,0)="vb", cc/c@(4,2)="vc",
// cc/d@(0,0)="vd" (written by transaction 0 of the genesis block).
ledger::InMemoryState base_state() {
  ledger::InMemoryState s;
  s.put("cc", "a", "va", {3, 1});
  s.put("cc", "b", "vb", {4, 0});
  s.put("cc", "c", "vc", {4, 2});
  s.put("cc", "d", "vd", {0, 0});
  return s;
}

std::string must_get(TxSimulator& sim, const std::string& key) {
  auto r = sim.get_state("cc", key);
  EXPECT_TRUE(r.is_ok());
  return r.is_ok() ? r->value_or("<absent>") : "<error>";
}

void must_put(TxSimulator& sim, const std::string& key, const std::string& value) {
  EXPECT_TRUE(sim.set_state("cc", key, value).is_ok());
}

// Reads at most `limit` results (all when limit < 0), then optionally closes.
std::vector<std::string> scan(TxSimulator& sim, const std::string& start, const std::string& end, int limit,
                              bool close) {
  auto itr = sim.get_state_range_scan_iterator("cc", start, end);
  EXPECT_TRUE(itr.is_ok());
  std::vector<std::string> keys;
  for (int n = 0; limit < 0 || n < limit; ++n) {
    auto r = (*itr)->next();
    EXPECT_TRUE(r.is_ok());
    if (!r.is_ok() || !r->has_value()) break;
    keys.push_back((*r)->key);
  }
  if (close) (*itr)->close();
  return keys;
}

struct RuleCase {
  std::string name;
  friend void PrintTo(const RuleCase& c, std::ostream* os) { *os << c.name; }
  std::function<void(TxSimulator&)> script;
  std::string expected;  // text-format KVRWSet of namespace "cc"
};

class SimulatorRule : public ::testing::TestWithParam<RuleCase> {};

TEST_P(SimulatorRule, RecordsRwset) {
  const RuleCase& c = GetParam();
  ledger::InMemoryState state = base_state();
  TxSimulator sim(state);
  c.script(sim);
  auto results = sim.get_tx_simulation_results();
  ASSERT_TRUE(results.is_ok()) << results.status().to_string();
  EXPECT_EQ(results->data_model(), rwset::TxReadWriteSet::KV);
  expect_kv_eq(ns_kv(*results, "cc"), c.expected);
}

const RuleCase kRuleCases[] = {
    {"ReadRecordsCommittedVersion",
     [](TxSimulator& s) { EXPECT_EQ(must_get(s, "a"), "va"); },
     R"(reads { key: "a" version { block_num: 3 tx_num: 1 } })"},
    {"ReadOfGenesisVersionRecordsZeroVersion",
     [](TxSimulator& s) { EXPECT_EQ(must_get(s, "d"), "vd"); },
     R"(reads { key: "d" version { } })"},
    {"AbsentKeyReadHasNoVersion",
     [](TxSimulator& s) { EXPECT_EQ(must_get(s, "zz"), "<absent>"); },
     R"(reads { key: "zz" })"},
    {"NoReadYourOwnWrites",
     [](TxSimulator& s) {
       must_put(s, "a", "new");
       EXPECT_EQ(must_get(s, "a"), "va");  // the committed value, not "new"
       must_put(s, "x", "fresh");
       EXPECT_EQ(must_get(s, "x"), "<absent>");
     },
     R"(reads { key: "a" version { block_num: 3 tx_num: 1 } }
        reads { key: "x" }
        writes { key: "a" value: "new" }
        writes { key: "x" value: "fresh" })"},
    {"EmptyValueIsDelete",
     [](TxSimulator& s) { must_put(s, "a", ""); },
     R"(writes { key: "a" is_delete: true })"},
    {"DeleteStateIsWriteOfNil",
     [](TxSimulator& s) { EXPECT_TRUE(s.delete_state("cc", "b").is_ok()); },
     R"(writes { key: "b" is_delete: true })"},
    {"DeleteOfAbsentKeyIsRecorded",
     [](TxSimulator& s) { EXPECT_TRUE(s.delete_state("cc", "nope").is_ok()); },
     R"(writes { key: "nope" is_delete: true })"},
    {"LastWriteWins",
     [](TxSimulator& s) {
       must_put(s, "a", "1");
       must_put(s, "a", "2");
       must_put(s, "b", "1");
       EXPECT_TRUE(s.delete_state("cc", "b").is_ok());
       EXPECT_TRUE(s.delete_state("cc", "c").is_ok());
       must_put(s, "c", "back");
     },
     R"(writes { key: "a" value: "2" }
        writes { key: "b" is_delete: true }
        writes { key: "c" value: "back" })"},
    {"ReadsAndWritesSortedByKey",
     [](TxSimulator& s) {
       must_get(s, "c");
       must_get(s, "a");
       must_get(s, "b");
       must_put(s, "z", "1");
       must_put(s, "m", "1");
       must_put(s, "key7", "1");
       must_put(s, "key10", "1");  // byte order: "key10" < "key7"
     },
     R"(reads { key: "a" version { block_num: 3 tx_num: 1 } }
        reads { key: "b" version { block_num: 4 } }
        reads { key: "c" version { block_num: 4 tx_num: 2 } }
        writes { key: "key10" value: "1" }
        writes { key: "key7" value: "1" }
        writes { key: "m" value: "1" }
        writes { key: "z" value: "1" })"},
    {"DuplicateReadRecordedOnce",
     [](TxSimulator& s) {
       must_get(s, "a");
       must_get(s, "a");
       must_get(s, "zz");
       must_get(s, "zz");
     },
     R"(reads { key: "a" version { block_num: 3 tx_num: 1 } }
        reads { key: "zz" })"},
    {"ExhaustedRangeSetsCallerEndKeyAndExhausted",
     [](TxSimulator& s) { EXPECT_EQ(scan(s, "a", "c", -1, true), (std::vector<std::string>{"a", "b"})); },
     R"(range_queries_info {
          start_key: "a" end_key: "c" itr_exhausted: true
          raw_reads { kv_reads { key: "a" version { block_num: 3 tx_num: 1 } }
                      kv_reads { key: "b" version { block_num: 4 } } } })"},
    {"EarlyCloseSetsLastReturnedKeyAndNotExhausted",
     [](TxSimulator& s) { EXPECT_EQ(scan(s, "a", "", 2, true), (std::vector<std::string>{"a", "b"})); },
     R"(range_queries_info {
          start_key: "a" end_key: "b"
          raw_reads { kv_reads { key: "a" version { block_num: 3 tx_num: 1 } }
                      kv_reads { key: "b" version { block_num: 4 } } } })"},
    {"AllResultsReadButEndNotSeenIsNotExhausted",
     // Four results exist; reading exactly four without the final nil leaves it open.
     [](TxSimulator& s) { EXPECT_EQ(scan(s, "", "", 4, false).size(), 4u); },
     R"(range_queries_info {
          end_key: "d"
          raw_reads { kv_reads { key: "a" version { block_num: 3 tx_num: 1 } }
                      kv_reads { key: "b" version { block_num: 4 } }
                      kv_reads { key: "c" version { block_num: 4 tx_num: 2 } }
                      kv_reads { key: "d" version { } } } })"},
    {"RangeResultsNotInReadSet",
     [](TxSimulator& s) {
       scan(s, "b", "d", -1, true);
       must_get(s, "a");
     },
     R"(reads { key: "a" version { block_num: 3 tx_num: 1 } }
        range_queries_info {
          start_key: "b" end_key: "d" itr_exhausted: true
          raw_reads { kv_reads { key: "b" version { block_num: 4 } }
                      kv_reads { key: "c" version { block_num: 4 tx_num: 2 } } } })"},
    {"EmptyRangeHasNoReadsInfo",
     [](TxSimulator& s) { EXPECT_TRUE(scan(s, "m", "n", -1, true).empty()); },
     R"(range_queries_info { start_key: "m" end_key: "n" itr_exhausted: true })"},
    {"UnadvancedIteratorIsStillRecorded",
     [](TxSimulator& s) { scan(s, "a", "c", 0, false); },
     R"(range_queries_info { start_key: "a" })"},
    {"IdenticalRangeQueriesRecordedOnce",
     [](TxSimulator& s) {
       scan(s, "a", "c", -1, true);
       scan(s, "a", "c", -1, true);
       scan(s, "a", "c", 1, true);  // differs in end key and exhaustion: kept
     },
     R"(range_queries_info {
          start_key: "a" end_key: "c" itr_exhausted: true
          raw_reads { kv_reads { key: "a" version { block_num: 3 tx_num: 1 } }
                      kv_reads { key: "b" version { block_num: 4 } } } }
        range_queries_info {
          start_key: "a" end_key: "a"
          raw_reads { kv_reads { key: "a" version { block_num: 3 tx_num: 1 } } } })"},
    {"RangeQueriesKeepOrderOfOpening",
     [](TxSimulator& s) {
       auto first = s.get_state_range_scan_iterator("cc", "c", "");
       auto second = s.get_state_range_scan_iterator("cc", "a", "b");
       ASSERT_TRUE(first.is_ok() && second.is_ok());
       EXPECT_TRUE((*second)->next().is_ok());  // advance the later one first
       EXPECT_TRUE((*first)->next().is_ok());
     },
     R"(range_queries_info { start_key: "c" end_key: "c"
          raw_reads { kv_reads { key: "c" version { block_num: 4 tx_num: 2 } } } }
        range_queries_info { start_key: "a" end_key: "a"
          raw_reads { kv_reads { key: "a" version { block_num: 3 tx_num: 1 } } } })"},
};

INSTANTIATE_TEST_SUITE_P(Fabric22, SimulatorRule, ::testing::ValuesIn(kRuleCases),
                         [](const auto& info) { return info.param.name; });

TEST(TxSimulator, NamespacesSortedByName) {
  ledger::InMemoryState state;
  TxSimulator sim(state);
  for (const char* ns : {"zeta", "alpha", "_lifecycle", "Alpha"}) {
    ASSERT_TRUE(sim.set_state(ns, "k", "v").is_ok());
  }
  auto results = sim.get_tx_simulation_results();
  ASSERT_TRUE(results.is_ok());
  std::vector<std::string> names;
  for (const auto& n : results->ns_rwset()) names.push_back(n.namespace_());
  // Byte order: 'A' (0x41) < '_' (0x5f) < 'a' (0x61).
  EXPECT_EQ(names, (std::vector<std::string>{"Alpha", "_lifecycle", "alpha", "zeta"}));
}

TEST(TxSimulator, RwsetBytesMatchFabricEncoding) {
  // KVRWSet{reads: [{a, (1,0)}, {b, nil}], writes: [{c, "v"}]}, hand-encoded:
  //   0a 07 | 0a 01 61  12 02 08 01      reads[0]: key "a", version{block_num 1}
  //   0a 03 | 0a 01 62                   reads[1]: key "b", no version
  //   1a 06 | 0a 01 63  1a 01 76         writes[0]: key "c", value "v"
  const std::string expected("\x0a\x07\x0a\x01\x61\x12\x02\x08\x01"
                             "\x0a\x03\x0a\x01\x62"
                             "\x1a\x06\x0a\x01\x63\x1a\x01\x76",
                             22);
  ledger::InMemoryState state;
  state.put("cc", "a", "x", {1, 0});
  TxSimulator sim(state);
  ASSERT_TRUE(sim.get_state("cc", "b").is_ok());
  ASSERT_TRUE(sim.set_state("cc", "c", "v").is_ok());
  ASSERT_TRUE(sim.get_state("cc", "a").is_ok());
  auto results = sim.get_tx_simulation_results();
  ASSERT_TRUE(results.is_ok());
  ASSERT_EQ(results->ns_rwset_size(), 1);
  EXPECT_EQ(results->ns_rwset(0).rwset(), expected);
  // TxReadWriteSet: data_model KV (= 0) is omitted; ns_rwset = field 2.
  const std::string ns_bytes = "\x0a\x02" "cc" "\x12\x16" + expected;
  EXPECT_EQ(protoutil::marshal(*results), "\x12" + std::string(1, static_cast<char>(ns_bytes.size())) + ns_bytes);
}

TEST(TxSimulator, ZeroVersionIsEncodedAsEmptyVersionMessage) {
  ledger::InMemoryState state;
  state.put("cc", "g", "x", {0, 0});
  TxSimulator sim(state);
  ASSERT_TRUE(sim.get_state("cc", "g").is_ok());
  auto results = sim.get_tx_simulation_results();
  ASSERT_TRUE(results.is_ok());
  // reads{key "g", version{}}: 0a 05 | 0a 01 67 12 00 — a present, empty Version.
  EXPECT_EQ(results->ns_rwset(0).rwset(), std::string("\x0a\x05\x0a\x01\x67\x12\x00", 7));
}

// Fabric's builder assigns readMap[key] on every read, so a re-read keeps the LAST
// version; within one simulation the state cannot change, so both reads agree anyway.
TEST(RWSetBuilder, RereadKeepsLastVersion) {
  RWSetBuilder b;
  b.add_to_read_set("cc", "k", ledger::Height{1, 0});
  b.add_to_read_set("cc", "k", ledger::Height{2, 5});
  b.add_to_read_set("cc", "gone", ledger::Height{1, 1});
  b.add_to_read_set("cc", "gone", std::nullopt);
  expect_kv_eq(ns_kv(b.build(), "cc"),
               R"(reads { key: "gone" } reads { key: "k" version { block_num: 2 tx_num: 5 } })");
}

// AddToRangeQuerySet ignores a query whose (start, end, exhausted) was already added.
TEST(RWSetBuilder, IdenticalRangeQueryKeepsFirstInfo) {
  RWSetBuilder b;
  kvrwset::RangeQueryInfo first;
  first.set_start_key("a");
  first.set_end_key("c");
  first.set_itr_exhausted(true);
  first.mutable_raw_reads()->add_kv_reads()->set_key("a");
  kvrwset::RangeQueryInfo second = first;
  second.mutable_raw_reads()->mutable_kv_reads(0)->set_key("b");
  b.add_to_range_query_set("cc", first);
  b.add_to_range_query_set("cc", second);
  expect_kv_eq(ns_kv(b.build(), "cc"), R"(range_queries_info { start_key: "a" end_key: "c" itr_exhausted: true
                                            raw_reads { kv_reads { key: "a" } } })");
}

// A StateReader whose every access fails, as a corrupted database would.
class FailingState : public ledger::StateReader {
 public:
  Result<std::optional<ledger::VersionedValue>> get_state(const std::string&, const std::string&) const override {
    return Status::corruption("bad block");
  }
  std::unique_ptr<ledger::StateIterator> range(const std::string&, const std::string&,
                                               const std::string&) const override {
    class Iter : public ledger::StateIterator {
     public:
      bool next(std::string*, ledger::VersionedValue*) override { return false; }
      Status status() const override { return Status::corruption("bad block"); }
    };
    return std::make_unique<Iter>();
  }
};

TEST(TxSimulator, StorageErrorIsReturnedAndNothingRecorded) {
  FailingState state;
  TxSimulator sim(state);
  auto r = sim.get_state("cc", "a");
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  auto itr = sim.get_state_range_scan_iterator("cc", "a", "z");
  ASSERT_TRUE(itr.is_ok());
  auto n = (*itr)->next();
  ASSERT_FALSE(n.is_ok());
  EXPECT_EQ(n.status().code(), StatusCode::kCorruption);
  auto results = sim.get_tx_simulation_results();
  ASSERT_TRUE(results.is_ok());
  // Only the opened (never successfully advanced) range query is recorded.
  expect_kv_eq(ns_kv(*results, "cc"), R"(range_queries_info { start_key: "a" })");
}

TEST(TxSimulator, ResultsTakenOnceAndSimulatorUnusableAfterwards) {
  ledger::InMemoryState state = base_state();
  TxSimulator sim(state);
  ASSERT_TRUE(sim.get_tx_simulation_results().is_ok());
  EXPECT_EQ(sim.get_tx_simulation_results().status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(sim.get_state("cc", "a").status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(sim.set_state("cc", "a", "v").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(sim.get_state_range_scan_iterator("cc", "", "").status().code(), StatusCode::kFailedPrecondition);
}

TEST(TxSimulator, NextAfterCloseFailsAndKeepsRecordedRange) {
  ledger::InMemoryState state = base_state();
  TxSimulator sim(state);
  auto itr = sim.get_state_range_scan_iterator("cc", "", "");
  ASSERT_TRUE(itr.is_ok());
  ASSERT_TRUE((*itr)->next().is_ok());
  (*itr)->close();
  EXPECT_EQ((*itr)->next().status().code(), StatusCode::kFailedPrecondition);
  auto results = sim.get_tx_simulation_results();
  ASSERT_TRUE(results.is_ok());
  expect_kv_eq(ns_kv(*results, "cc"),
               R"(range_queries_info { end_key: "a"
                    raw_reads { kv_reads { key: "a" version { block_num: 3 tx_num: 1 } } } })");
}

TEST(TxSimulator, NextAfterExhaustionKeepsReturningEnd) {
  ledger::InMemoryState state = base_state();
  TxSimulator sim(state);
  auto itr = sim.get_state_range_scan_iterator("cc", "d", "");
  ASSERT_TRUE(itr.is_ok());
  ASSERT_TRUE((*itr)->next()->has_value());
  for (int i = 0; i < 3; ++i) {
    auto r = (*itr)->next();
    ASSERT_TRUE(r.is_ok());
    EXPECT_FALSE(r->has_value());
  }
  EXPECT_EQ((*itr)->results_returned(), 1u);
}

}  // namespace
}  // namespace fabsim::chaincode
