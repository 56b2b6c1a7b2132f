// The scenario runner (scenarios/scenario_runner.h): the Caliper-style metrics on hand-made
// transaction records, the expectations on hand-made reports, and the workload, fault and
// determinism semantics through small scenarios run end to end. One case per rule, named
// after the rule.
#include "scenarios/scenario_runner.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "cli/run_command.h"
#include "core/node.h"
#include "model/client/client.h"
#include "core/cost_model.h"
#include "scenarios/scenario_loader.h"

namespace fabsim::scenario {
namespace {

// ---- helpers -------------------------------------------------------------------------------

Time at_ms(int64_t ms) { return Time::zero() + Duration::millis(ms); }

TxRecord valid_tx(const std::string& id, int64_t requested_ms, int64_t completed_ms) {
  TxRecord t;
  t.id = id;
  t.requested = at_ms(requested_ms);
  t.submitted = t.requested;
  t.completed = at_ms(completed_ms);
  t.outcome = TxRecord::Outcome::kCommitted;
  t.code = protos::VALID;
  return t;
}

TxRecord invalid_tx(const std::string& id, int64_t requested_ms, int64_t completed_ms, protos::TxValidationCode code) {
  TxRecord t = valid_tx(id, requested_ms, completed_ms);
  t.code = code;
  return t;
}

TxRecord failed_tx(const std::string& id, int64_t requested_ms, int64_t completed_ms, const std::string& reason) {
  TxRecord t;
  t.id = id;
  t.requested = at_ms(requested_ms);
  t.submitted = t.requested;
  t.completed = at_ms(completed_ms);
  t.outcome = TxRecord::Outcome::kFailed;
  t.failure = reason;
  return t;
}

TxRecord unknown_tx(const std::string& id, int64_t requested_ms) {
  TxRecord t;
  t.id = id;
  t.requested = at_ms(requested_ms);
  return t;
}

// A network small enough to run in milliseconds: two orgs of one peer, three clients
// (interleaved order: Org1.client0, Org2.client0, Org1.client1), either org endorses.
// Cases append `workload:`, `faults:` ... after it.
const std::string kNet =
    "name: t\n"
    "seed: 7\n"
    "duration: 2s\n"
    "drain: 2s\n"
    "network:\n"
    "  orgs:\n"
    "    - {name: Org1, peers: 1, clients: 2}\n"
    "    - {name: Org2, peers: 1, clients: 1}\n"
    "ordering: {batch_timeout: 200ms}\n"
    "chaincodes:\n"
    "  - {name: kv, kind: kvstore, endorsement_policy: \"OR('Org1MSP.peer','Org2MSP.peer')\"}\n"
    "crypto: {scheme: hmac}\n";

ScenarioSpec load(const std::string& text, const std::vector<std::string>& sets = {}) {
  LoaderOptions o;
  o.cost_names = cost_names();
  auto spec = load_scenario_text(text, "t.yaml", sets, o);
  if (!spec.is_ok()) {
    ADD_FAILURE() << spec.status().message();
    return {};
  }
  return std::move(spec).value();
}

RunReport run(const std::string& text, const std::vector<std::string>& sets = {}, const RunHooks& hooks = {}) {
  const ScenarioSpec spec = load(text, sets);
  auto r = run_scenario(spec, hooks);
  if (!r.is_ok()) {
    ADD_FAILURE() << r.status().message();
    return {};
  }
  return std::move(r).value();
}

std::vector<int64_t> request_times_ms(const RunReport& r, uint32_t generator = 0) {
  std::vector<int64_t> out;
  for (const auto& t : r.transactions)
    if (t.generator == generator) out.push_back(t.requested.ns / 1'000'000);
  return out;
}

std::vector<int64_t> request_times_ns(const RunReport& r, uint32_t generator = 0) {
  std::vector<int64_t> out;
  for (const auto& t : r.transactions)
    if (t.generator == generator) out.push_back(t.requested.ns);
  return out;
}

// ---- compute_metrics -----------------------------------------------------------------------

TEST(RunnerMetrics, ThroughputIsValidOverLastValidCommitMinusFirstRequest) {
  // First request at 100 ms; last VALID commit at 2100 ms; the invalid commit and the
  // failure later do not stretch the interval; 3 VALID / 2 s.
  const std::vector<TxRecord> txs = {valid_tx("a", 100, 600), valid_tx("b", 200, 2100), valid_tx("c", 300, 900),
                                     invalid_tx("d", 400, 3000, protos::MVCC_READ_CONFLICT),
                                     failed_tx("e", 500, 4000, "endorsement_timeout")};
  const Metrics m = compute_metrics(txs);
  EXPECT_DOUBLE_EQ(m.throughput_tps, 3.0 / 2.0);
}

TEST(RunnerMetrics, SendRateIsRequestedOverLastMinusFirstRequest) {
  // Five requests, 100 ms .. 500 ms: 5 / 0.4 s, whatever their outcome.
  const std::vector<TxRecord> txs = {valid_tx("a", 100, 600), unknown_tx("b", 200),
                                     failed_tx("c", 500, 700, "endorsement_timeout"), valid_tx("d", 300, 900),
                                     unknown_tx("e", 400)};
  const Metrics m = compute_metrics(txs);
  EXPECT_EQ(m.requested, 5u);
  EXPECT_DOUBLE_EQ(m.send_rate_tps, 5.0 / 0.4);
}

TEST(RunnerMetrics, RatesAreZeroWhenTheIntervalIsEmpty) {
  // One request: no request interval; its commit is at its request time: no commit interval.
  const Metrics one = compute_metrics({valid_tx("a", 100, 100)});
  EXPECT_EQ(one.send_rate_tps, 0.0);
  EXPECT_EQ(one.throughput_tps, 0.0);
  // No VALID commit at all: throughput 0.
  const Metrics none = compute_metrics({unknown_tx("a", 0), unknown_tx("b", 1000)});
  EXPECT_EQ(none.throughput_tps, 0.0);
  EXPECT_DOUBLE_EQ(none.send_rate_tps, 2.0);
}

TEST(RunnerMetrics, LatencyIsOnlyOverValidTransactions) {
  // VALID latencies 100, 300, 200 ms; the invalid (10 ms) and failed (5 s) ones are left out.
  const std::vector<TxRecord> txs = {valid_tx("a", 0, 100), valid_tx("b", 0, 300), valid_tx("c", 100, 300),
                                     invalid_tx("d", 0, 10, protos::MVCC_READ_CONFLICT),
                                     failed_tx("e", 0, 5000, "commit_timeout"), unknown_tx("f", 0)};
  const Metrics m = compute_metrics(txs);
  ASSERT_TRUE(m.latency_min && m.latency_max && m.latency_avg);
  EXPECT_EQ(*m.latency_min, Duration::millis(100));
  EXPECT_EQ(*m.latency_max, Duration::millis(300));
  EXPECT_EQ(*m.latency_avg, Duration::millis(200));
}

TEST(RunnerMetrics, LatencyPercentilesAreNearestRank) {
  // Latencies 1..100 ms (shuffled): nearest rank p = the ceil(p/100 * n)-th smallest.
  std::vector<TxRecord> txs;
  for (int i = 0; i < 100; ++i) {
    const int lat = (i * 37) % 100 + 1;  // a permutation of 1..100
    txs.push_back(valid_tx("t" + std::to_string(i), i, i + lat));
  }
  const Metrics m = compute_metrics(txs);
  EXPECT_EQ(*m.latency_p50, Duration::millis(50));
  EXPECT_EQ(*m.latency_p95, Duration::millis(95));
  EXPECT_EQ(*m.latency_p99, Duration::millis(99));

  // Ten samples 10..100 ms: p50 the 5th (50 ms), p95 and p99 the 10th (100 ms).
  std::vector<TxRecord> ten;
  for (int i = 1; i <= 10; ++i) ten.push_back(valid_tx("u" + std::to_string(i), 0, 10 * i));
  const Metrics t = compute_metrics(ten);
  EXPECT_EQ(*t.latency_p50, Duration::millis(50));
  EXPECT_EQ(*t.latency_p95, Duration::millis(100));
  EXPECT_EQ(*t.latency_p99, Duration::millis(100));
}

TEST(RunnerMetrics, PhasesOnlyOverTransactionsWithBothEnds) {
  TxRecord a = valid_tx("a", 0, 100);  // endorse 10, broadcast 20, the rest unknown (no cut)
  a.endorsed = at_ms(10);
  a.ordered = at_ms(30);
  TxRecord b = valid_tx("b", 0, 200);  // endorse 30, broadcast 40
  b.endorsed = at_ms(30);
  b.ordered = at_ms(70);
  TxRecord c = failed_tx("c", 0, 5000, "endorsement_timeout");  // requested only: in no phase
  TxRecord d = failed_tx("d", 0, 3000, "broadcast_timeout");     // endorsed (50), never ordered
  d.endorsed = at_ms(50);
  TxRecord e = unknown_tx("e", 0);  // ordered but never completed: endorse and broadcast
  e.endorsed = at_ms(20);
  e.ordered = at_ms(80);
  TxRecord g = failed_tx("g", 0, 5000, "commit_timeout");  // ordered, then failed: no commit event
  g.endorsed = at_ms(10);
  g.ordered = at_ms(22);
  const Metrics m = compute_metrics({a, b, c, d, e, g});
  const PhaseStats& endorse = m.phases[static_cast<size_t>(Phase::kEndorse)];
  const PhaseStats& broadcast = m.phases[static_cast<size_t>(Phase::kBroadcast)];
  EXPECT_EQ(endorse.count, 5u);
  EXPECT_EQ(*endorse.mean, Duration::millis((10 + 30 + 50 + 20 + 10) / 5));
  EXPECT_EQ(broadcast.count, 4u);
  EXPECT_EQ(*broadcast.mean, Duration::millis((20 + 40 + 60 + 12) / 4));
  EXPECT_EQ(*broadcast.p50, Duration::millis(20));
  EXPECT_EQ(*broadcast.p99, Duration::millis(60));
  for (Phase p : {Phase::kBatchWait, Phase::kDelivery, Phase::kCommitEvent}) {
    EXPECT_EQ(m.phases[static_cast<size_t>(p)].count, 0u) << phase_name(p);
    EXPECT_FALSE(m.phases[static_cast<size_t>(p)].mean) << phase_name(p);
  }
}

TEST(RunnerMetrics, PhasesOfATransactionAddUpToItsLatency) {
  TxRecord a = valid_tx("a", 5, 1000);
  a.endorsed = at_ms(10);
  a.ordered = at_ms(12);
  a.cut = at_ms(700);
  a.at_peer = TxRecord::AtPeer{at_ms(720), at_ms(721), at_ms(760), at_ms(770), at_ms(790)};
  const Metrics m = compute_metrics({a});
  const std::vector<int64_t> want_ms = {5, 2, 688, 20, 1, 39, 10, 20, 210};  // Phase order
  int64_t sum = 0;
  for (size_t i = 0; i < kPhaseCount; ++i) {
    ASSERT_EQ(m.phases[i].count, 1u) << phase_name(phase_at(i));
    EXPECT_EQ(*m.phases[i].mean, Duration::millis(want_ms[i])) << phase_name(phase_at(i));
    sum += m.phases[i].mean->ns;
  }
  EXPECT_EQ(Duration::nanos(sum), *m.latency_max);
}

TEST(RunnerMetrics, LatencyHistogramCountsEveryValidTransactionOnce) {
  const Metrics m = compute_metrics({valid_tx("a", 0, 1), valid_tx("b", 0, 3), valid_tx("c", 0, 3),
                                     valid_tx("d", 0, 900), invalid_tx("e", 0, 10, protos::MVCC_READ_CONFLICT)});
  uint64_t total = 0;
  for (uint64_t n : m.latency_bucket_count) total += n;
  EXPECT_EQ(total, 4u);
  ASSERT_FALSE(m.latency_bucket_upper.empty());
  EXPECT_EQ(m.latency_bucket_upper.front(), Duration::millis(1));
  EXPECT_GE(m.latency_bucket_upper.back(), Duration::millis(900));
  EXPECT_EQ(m.latency_bucket_count.front(), 1u);  // 1 ms: the first bucket is (0, 1 ms]
}

TEST(RunnerMetrics, CountsInvalidByCodeAndFailedByReason) {
  const std::vector<TxRecord> txs = {
      valid_tx("a", 0, 10),
      invalid_tx("b", 0, 10, protos::MVCC_READ_CONFLICT),
      invalid_tx("c", 0, 10, protos::MVCC_READ_CONFLICT),
      invalid_tx("d", 0, 10, protos::ENDORSEMENT_POLICY_FAILURE),
      failed_tx("e", 0, 10, "endorsement_timeout"),
      failed_tx("f", 0, 10, "endorsement_timeout"),
      failed_tx("g", 0, 10, "broadcast_timeout"),
      unknown_tx("h", 0),
  };
  const Metrics m = compute_metrics(txs);
  EXPECT_EQ(m.succeeded, 1u);
  EXPECT_EQ(m.invalid, 3u);
  EXPECT_EQ(m.failed, 3u);
  EXPECT_EQ(m.unknown, 1u);
  EXPECT_EQ(m.submitted, 7u);  // the unknown one was never submitted
  const std::map<std::string, uint64_t> by_code = {{"ENDORSEMENT_POLICY_FAILURE", 1}, {"MVCC_READ_CONFLICT", 2}};
  const std::map<std::string, uint64_t> by_reason = {{"broadcast_timeout", 1}, {"endorsement_timeout", 2}};
  EXPECT_EQ(m.invalid_by_code, by_code);
  EXPECT_EQ(m.failed_by_reason, by_reason);
}

TEST(RunnerMetrics, CaliperFailIsInvalidPlusFailedPlusUnknown) {
  const std::vector<TxRecord> txs = {valid_tx("a", 0, 10), valid_tx("b", 0, 10),
                                     invalid_tx("c", 0, 10, protos::PHANTOM_READ_CONFLICT),
                                     failed_tx("d", 0, 10, "commit_timeout"), unknown_tx("e", 0), unknown_tx("f", 0)};
  const Metrics m = compute_metrics(txs);
  EXPECT_EQ(m.caliper_fail(), 4u);
  EXPECT_EQ(m.succeeded + m.caliper_fail(), m.requested);
}

TEST(RunnerMetrics, EmptyInputGivesZerosAndNoLatency) {
  const Metrics m = compute_metrics({});
  EXPECT_EQ(m.requested, 0u);
  EXPECT_EQ(m.submitted, 0u);
  EXPECT_EQ(m.succeeded, 0u);
  EXPECT_EQ(m.caliper_fail(), 0u);
  EXPECT_EQ(m.send_rate_tps, 0.0);
  EXPECT_EQ(m.throughput_tps, 0.0);
  EXPECT_FALSE(m.latency_min || m.latency_max || m.latency_avg || m.latency_p50 || m.latency_p95 || m.latency_p99);
  for (const PhaseStats& p : m.phases) EXPECT_FALSE(p.mean);
  EXPECT_TRUE(m.invalid_by_code.empty());
  EXPECT_TRUE(m.failed_by_reason.empty());
}

// ---- unmet_expectations --------------------------------------------------------------------

// A report: scripted a VALID, b MVCC_READ_CONFLICT; throughput 50 tps; p50/p95/p99 100, 200,
// 300 ms; the ledger (Org1.peer0) holds 5 VALID and 1 MVCC_READ_CONFLICT.
RunReport base_report() {
  RunReport r;
  r.transactions = {valid_tx("a", 0, 100), invalid_tx("b", 0, 100, protos::MVCC_READ_CONFLICT)};
  r.metrics.succeeded = 4;  // the clients heard of fewer than the ledger holds
  r.metrics.invalid = 1;
  r.metrics.invalid_by_code = {{"MVCC_READ_CONFLICT", 1}};
  r.metrics.throughput_tps = 50.0;
  r.metrics.latency_p50 = Duration::millis(100);
  r.metrics.latency_p95 = Duration::millis(200);
  r.metrics.latency_p99 = Duration::millis(300);
  ChannelReport c;
  c.name = "mychannel";
  c.metrics = r.metrics;
  c.ledger_peer = "Org1.peer0";
  c.ledger_codes = {{"VALID", 5}, {"MVCC_READ_CONFLICT", 1}};
  r.channels.push_back(c);
  r.ledger_codes = c.ledger_codes;
  return r;
}

template <typename T>
Bounds<T> bounds(std::optional<T> min, std::optional<T> max) {
  Bounds<T> b;
  b.min = min;
  b.max = max;
  return b;
}

struct ExpectCase {
  const char* name;
  std::function<void(ExpectSpec&)> expect;
  std::function<void(RunReport&)> report;  // may be empty
  std::vector<std::string> unmet;          // each unmet line, in order (a prefix of each is enough)
};

// A second channel, "other", whose ledger peer holds 100 VALID transactions.
void add_other_channel(RunReport& r) {
  ChannelReport other;
  other.name = "other";
  other.ledger_peer = "Org3.peer0";
  other.ledger_codes = {{"VALID", 100}};
  r.channels.push_back(other);
}

std::vector<ExpectCase> expect_cases() {
  const auto none = std::nullopt;
  return {
      {"NoExpectationsAreMet", [](ExpectSpec&) {}, nullptr, {}},
      // tx
      {"TxCodeMet", [](ExpectSpec& e) { e.tx = {{"a", protos::VALID}, {"b", protos::MVCC_READ_CONFLICT}}; }, nullptr, {}},
      {"TxCodeUnmetNamesExpectedAndGot", [](ExpectSpec& e) { e.tx = {{"b", protos::VALID}}; }, nullptr,
       {"tx.b: expected VALID, got MVCC_READ_CONFLICT"}},
      {"TxNeverSubmitted", [](ExpectSpec& e) { e.tx = {{"zz", protos::VALID}}; }, nullptr,
       {"tx.zz: expected VALID, got never submitted"}},
      {"TxFailedShowsTheReason", [](ExpectSpec& e) { e.tx = {{"c", protos::VALID}}; },
       [](RunReport& r) { r.transactions.push_back(failed_tx("c", 0, 10, "endorsement_timeout")); },
       {"tx.c: expected VALID, got failed:endorsement_timeout"}},
      {"TxUnknownOutcome", [](ExpectSpec& e) { e.tx = {{"c", protos::VALID}}; },
       [](RunReport& r) { r.transactions.push_back(unknown_tx("c", 0)); }, {"tx.c: expected VALID, got unknown"}},
      // throughput
      {"ThroughputWithinBoundsMet", [=](ExpectSpec& e) { e.throughput_tps = bounds<double>(40.0, 60.0); }, nullptr, {}},
      {"ThroughputBelowMin", [=](ExpectSpec& e) { e.throughput_tps = bounds<double>(60.0, none); }, nullptr,
       {"throughput_tps: 50.00 tps is below the minimum 60.00 tps"}},
      {"ThroughputAboveMax", [=](ExpectSpec& e) { e.throughput_tps = bounds<double>(none, 40.0); }, nullptr,
       {"throughput_tps: 50.00 tps is above the maximum 40.00 tps"}},
      // latency percentiles
      {"LatencyPercentilesMet",
       [=](ExpectSpec& e) {
         e.latency_p50 = bounds<Duration>(Duration::millis(100), Duration::millis(100));
         e.latency_p95 = bounds<Duration>(none, Duration::millis(200));
         e.latency_p99 = bounds<Duration>(Duration::millis(300), none);
       },
       nullptr, {}},
      {"LatencyP50AboveMax", [=](ExpectSpec& e) { e.latency_p50 = bounds<Duration>(none, Duration::millis(50)); },
       nullptr, {"latency_p50: 100ms is above the maximum 50ms"}},
      {"LatencyP95BelowMin", [=](ExpectSpec& e) { e.latency_p95 = bounds<Duration>(Duration::millis(250), none); },
       nullptr, {"latency_p95: 200ms is below the minimum 250ms"}},
      {"LatencyP99AboveMax", [=](ExpectSpec& e) { e.latency_p99 = bounds<Duration>(none, Duration::millis(299)); },
       nullptr, {"latency_p99: 300ms is above the maximum 299ms"}},
      {"LatencyWithNothingToMeasureIsUnmet",
       [=](ExpectSpec& e) { e.latency_p99 = bounds<Duration>(none, Duration::seconds(1)); },
       [](RunReport& r) { r.metrics.latency_p99.reset(); }, {"latency_p99: no value (nothing to measure)"}},
      // committed: from the ledger when a peer was read, else from the clients
      {"CommittedCountsTheLedger", [=](ExpectSpec& e) { e.committed = bounds<uint64_t>(5, 5); }, nullptr, {}},
      {"CommittedBelowMin", [=](ExpectSpec& e) { e.committed = bounds<uint64_t>(6, none); }, nullptr,
       {"committed: 5 is below the minimum 6"}},
      {"CommittedAboveMax", [=](ExpectSpec& e) { e.committed = bounds<uint64_t>(none, 4); }, nullptr,
       {"committed: 5 is above the maximum 4"}},
      {"CommittedWithoutLedgerCountsTheClients", [=](ExpectSpec& e) { e.committed = bounds<uint64_t>(none, 3); },
       [](RunReport& r) { r.channels.at(0).ledger_peer.clear(); }, {"committed: 4 is above the maximum 3"}},
      // channels.<name>: the same bounds over one channel's transactions and ledger
      {"ChannelBoundsReadThatChannel",
       [=](ExpectSpec& e) { e.channels["mychannel"].committed = bounds<uint64_t>(none, 4); },
       add_other_channel,
       {"channels.mychannel.committed: 5 is above the maximum 4"}},
      {"ChannelThroughputBound",
       [=](ExpectSpec& e) { e.channels["mychannel"].throughput_tps = bounds<double>(60.0, none); }, nullptr,
       {"channels.mychannel.throughput_tps: 50.00 tps is below the minimum 60.00 tps"}},
      {"RunCommittedAddsUpTheChannels", [=](ExpectSpec& e) { e.committed = bounds<uint64_t>(105, 105); },
       add_other_channel,
       {}},
      {"ChannelNotInTheRun", [=](ExpectSpec& e) { e.channels["nosuch"].committed = bounds<uint64_t>(1, none); }, nullptr,
       {"channels.nosuch: no such channel in the run"}},
      // invalid.<CODE>
      {"InvalidCodeMet", [=](ExpectSpec& e) { e.invalid = {{protos::MVCC_READ_CONFLICT, bounds<uint64_t>(1, 1)}}; },
       nullptr, {}},
      {"InvalidCodeAboveMax", [=](ExpectSpec& e) { e.invalid = {{protos::MVCC_READ_CONFLICT, bounds<uint64_t>(none, 0)}}; },
       nullptr, {"invalid.MVCC_READ_CONFLICT: 1 is above the maximum 0"}},
      {"InvalidCodeAbsentCountsZero",
       [=](ExpectSpec& e) { e.invalid = {{protos::ENDORSEMENT_POLICY_FAILURE, bounds<uint64_t>(1, none)}}; }, nullptr,
       {"invalid.ENDORSEMENT_POLICY_FAILURE: 0 is below the minimum 1"}},
      // invariants
      {"InvariantViolationIsUnmet", [](ExpectSpec&) {},
       [](RunReport& r) { r.invariants.violations = {"heights differ"}; }, {"invariants: heights differ"}},
      {"NodeErrorIsUnmet", [](ExpectSpec&) {}, [](RunReport& r) { r.node_errors = {"Org1.peer0 broke"}; },
       {"invariants: node error: Org1.peer0 broke"}},
      {"InvariantsIgnoreSuppressesViolationsAndNodeErrors",
       [](ExpectSpec& e) { e.invariants = InvariantsExpectation::kIgnore; },
       [](RunReport& r) {
         r.invariants.violations = {"heights differ"};
         r.node_errors = {"Org1.peer0 broke"};
       },
       {}},
      // several at once: one line each
      {"EachUnmetExpectationHasItsLine",
       [=](ExpectSpec& e) {
         e.tx = {{"a", protos::MVCC_READ_CONFLICT}};
         e.committed = bounds<uint64_t>(10, none);
       },
       [](RunReport& r) { r.invariants.violations = {"v1", "v2"}; },
       {"invariants: v1", "invariants: v2", "tx.a: expected MVCC_READ_CONFLICT, got VALID", "committed: 5 is below"}},
  };
}

class RunnerExpectations : public testing::TestWithParam<ExpectCase> {};

TEST_P(RunnerExpectations, Rule) {
  const ExpectCase& c = GetParam();
  ExpectSpec e;
  c.expect(e);
  RunReport r = base_report();
  if (c.report) c.report(r);
  const std::vector<std::string> unmet = unmet_expectations(e, r);
  ASSERT_EQ(unmet.size(), c.unmet.size()) << testing::PrintToString(unmet);
  for (size_t i = 0; i < unmet.size(); ++i) EXPECT_TRUE(unmet[i].starts_with(c.unmet[i])) << unmet[i];
}

INSTANTIATE_TEST_SUITE_P(Runner, RunnerExpectations, testing::ValuesIn(expect_cases()),
                         [](const testing::TestParamInfo<ExpectCase>& i) { return std::string(i.param.name); });

// ---- pair_path_params ----------------------------------------------------------------------

TEST(RunnerPairPath, IsTwoSwitchHopsInOne) {
  LinkSpec d;
  d.latency = Duration::micros(500);
  d.jitter = Duration::micros(100);
  d.bandwidth_bps = 1'000'000'000;
  d.loss = 0.1;
  d.duplicate = 0.2;
  const LinkSpec p = pair_path_params(d);
  EXPECT_EQ(p.latency, Duration::millis(1));
  EXPECT_EQ(p.jitter, Duration::micros(200));
  EXPECT_EQ(p.bandwidth_bps, 1'000'000'000u);
  EXPECT_DOUBLE_EQ(p.loss, 1.0 - 0.9 * 0.9);
  EXPECT_DOUBLE_EQ(p.duplicate, 1.0 - 0.8 * 0.8);
}

// ---- workload ------------------------------------------------------------------------------

TEST(RunnerWorkload, FixedArrivalIssuesRateTimesWindowAtExactTimes) {
  // 20 tps from 500 ms to 1500 ms: 20 transactions, one every 50 ms from 500 ms.
  const RunReport r = run(kNet +
                          "workload:\n"
                          "  - {rate: 20tps, arrival: fixed, start: 500ms, end: 1500ms,\n"
                          "     mix: [{function: put, args: [\"{key}\", v]}]}\n");
  const std::vector<int64_t> ns = request_times_ns(r);
  ASSERT_EQ(ns.size(), 20u);
  for (size_t i = 0; i < ns.size(); ++i) EXPECT_EQ(ns[i], 500'000'000 + static_cast<int64_t>(i) * 50'000'000) << i;
  EXPECT_EQ(r.metrics.succeeded, 20u);
}

TEST(RunnerWorkload, FixedArrivalWithNonDividingRateStaysOnItsGrid) {
  // 3 tps for 1 s: arrivals at 0, 1/3 s, 2/3 s (rounded to the nanosecond), not drifting.
  const RunReport r = run(kNet +
                          "workload:\n"
                          "  - {rate: 3tps, arrival: fixed, end: 1s, mix: [{function: put, args: [k, v]}]}\n");
  EXPECT_EQ(request_times_ns(r), (std::vector<int64_t>{0, 333'333'333, 666'666'667}));
}

TEST(RunnerWorkload, PoissonCountIsNearRateTimesWindow) {
  // 100 tps for 2 s: Poisson(200), standard deviation ~14; allow more than 4 of them.
  const RunReport r = run(kNet +
                          "workload:\n"
                          "  - {rate: 100tps, mix: [{function: put, args: [\"{key}\", v]}]}\n");
  const std::vector<int64_t> ns = request_times_ns(r);
  EXPECT_GT(ns.size(), 140u);
  EXPECT_LT(ns.size(), 260u);
  // Not a fixed grid: the gaps vary, and none is before the start or after the end.
  std::set<int64_t> gaps;
  for (size_t i = 1; i < ns.size(); ++i) gaps.insert(ns[i] - ns[i - 1]);
  EXPECT_GT(gaps.size(), ns.size() / 2);
  EXPECT_TRUE(std::is_sorted(ns.begin(), ns.end()));
  EXPECT_GE(ns.front(), 0);
  EXPECT_LT(ns.back(), 2'000'000'000);
}

TEST(RunnerWorkload, PoissonDifferentSeedsGiveDifferentArrivals) {
  const std::string text = kNet +
                           "workload:\n"
                           "  - {rate: 50tps, end: 500ms, mix: [{function: put, args: [\"{key}\", v]}]}\n";
  const RunReport a = run(text, {"seed=1"});
  const RunReport b = run(text, {"seed=2"});
  const RunReport a2 = run(text, {"seed=1"});
  EXPECT_NE(request_times_ns(a), request_times_ns(b));
  EXPECT_EQ(request_times_ns(a), request_times_ns(a2));
}

TEST(RunnerWorkload, PhasesSwitchRateAtTheBoundary) {
  // 10 tps for 1 s, then 40 tps for 500 ms: 10 arrivals every 100 ms from 0, then 20 every
  // 25 ms from 1 s; nothing after 1.5 s.
  const RunReport r = run(kNet +
                          "workload:\n"
                          "  - arrival: fixed\n"
                          "    phases: [{duration: 1s, rate: 10tps}, {duration: 500ms, rate: 40tps}]\n"
                          "    mix: [{function: put, args: [\"{key}\", v]}]\n");
  std::vector<int64_t> want;
  for (int i = 0; i < 10; ++i) want.push_back(100 * i);
  for (int i = 0; i < 20; ++i) want.push_back(1000 + 25 * i);
  EXPECT_EQ(request_times_ms(r), want);
}

TEST(RunnerWorkload, PoissonPhasesOfOneRateAreOneStream) {
  // 2000 phases of 1 ms, all at 100 tps, are the same Poisson process as one 2 s phase at
  // 100 tps (exponential gaps are memoryless): Poisson(200) arrivals, sd ~14. Each short
  // phase alone has an arrival with probability 1 - e^-0.1; drawing a phase's first arrival
  // twice would nearly double the count.
  std::string phases;
  for (int i = 0; i < 2000; ++i) phases += std::string(i ? ", " : "") + "{duration: 1ms, rate: 100tps}";
  const RunReport r = run(kNet +
                          "workload:\n"
                          "  - phases: [" + phases + "]\n"
                          "    mix: [{function: get, args: [k]}]\n");
  const size_t n = request_times_ns(r).size();
  EXPECT_GT(n, 140u);
  EXPECT_LT(n, 260u);
}

TEST(RunnerWorkload, OpenLoopGoesToClientsRoundRobin) {
  // Every eligible client in interleaved order: Org1.client0, Org2.client0, Org1.client1.
  const RunReport r = run(kNet +
                          "workload:\n"
                          "  - {rate: 10tps, arrival: fixed, end: 700ms, mix: [{function: put, args: [\"{key}\", v]}]}\n");
  ASSERT_EQ(r.transactions.size(), 7u);
  const std::vector<std::string> order = {"Org1.client0", "Org2.client0", "Org1.client1"};
  for (size_t i = 0; i < r.transactions.size(); ++i) EXPECT_EQ(r.transactions[i].client, order[i % 3]) << i;
}

// Per client: the largest number of its transactions in flight at once (requested, not yet
// completed; one that never completes stays in flight).
std::map<std::string, int> max_in_flight(const RunReport& r) {
  std::map<std::string, std::vector<std::pair<int64_t, int>>> events;  // (time, +1 / -1)
  for (const auto& t : r.transactions) {
    events[t.client].push_back({t.requested.ns, +1});
    if (t.completed) events[t.client].push_back({t.completed->ns, -1});
  }
  std::map<std::string, int> out;
  for (auto& [client, ev] : events) {
    std::sort(ev.begin(), ev.end());  // at equal times, completions (-1) first
    int now = 0, peak = 0;
    for (const auto& [t, d] : ev) peak = std::max(peak, now += d);
    out[client] = peak;
  }
  return out;
}

// Each transaction after a client's first `k` is requested exactly `think` after a
// completion of one of that client's earlier transactions, each completion used once.
void expect_refills_follow_completions(const RunReport& r, int k, Duration think) {
  std::map<std::string, std::multiset<int64_t>> completions;  // client -> completion times so far
  std::map<std::string, int> seen;
  for (const auto& t : r.transactions) {
    if (seen[t.client]++ < k) {
      EXPECT_EQ(t.requested, Time::zero()) << t.id;  // the initial window, at start
    } else {
      auto& c = completions[t.client];
      auto it = c.find((t.requested - think).ns);
      EXPECT_NE(it, c.end()) << t.id << " requested at " << format_time(t.requested)
                             << " with no completion of " << t.client << " before it";
      if (it != c.end()) c.erase(it);
    }
    // Completions are known once requested; only earlier requests may be matched, which
    // holds because the refill of a completion is requested after it.
    if (t.completed) completions[t.client].insert(t.completed->ns);
  }
}

TEST(RunnerWorkload, ClosedLoopKeepsAtMostOutstandingInFlightPerClientAndRefills) {
  const RunReport r = run(kNet +
                          "workload:\n"
                          "  - {outstanding: 2, clients: 2, mix: [{function: put, args: [\"{key}\", v]}]}\n");
  const auto peak = max_in_flight(r);
  ASSERT_EQ(peak.size(), 2u);  // Org1.client0 and Org2.client0
  for (const auto& [client, p] : peak) EXPECT_EQ(p, 2) << client;
  std::map<std::string, int> per_client;
  for (const auto& t : r.transactions) {
    ++per_client[t.client];
    EXPECT_LT(t.requested, Time::zero() + Duration::seconds(2)) << t.id;  // nothing sent after `end`
  }
  for (const auto& [client, n] : per_client) EXPECT_GT(n, 4) << client;  // refilled, many times
  expect_refills_follow_completions(r, 2, Duration::zero());
}

TEST(RunnerWorkload, ClosedLoopThinkTimeDelaysTheRefill) {
  const RunReport r = run(kNet +
                          "workload:\n"
                          "  - {outstanding: 1, clients: 1, think_time: 300ms,\n"
                          "     mix: [{function: put, args: [\"{key}\", v]}]}\n");
  ASSERT_GT(r.transactions.size(), 2u);
  expect_refills_follow_completions(r, 1, Duration::millis(300));
  EXPECT_EQ(max_in_flight(r).at("Org1.client0"), 1);
}

TEST(RunnerWorkload, SequentialKeysTakeSeqModCount) {
  // Ten read-modify-writes of {key} in one block (10 ms apart, 1 s batch timeout) with five
  // sequential keys: transaction n and n+5 share key n mod 5. The first of each pair
  // commits VALID; the second read the key's version before the first wrote it:
  // MVCC_READ_CONFLICT.
  const RunReport r = run(kNet +
                          "workload:\n"
                          "  - {rate: 100tps, arrival: fixed, end: 100ms, keys: {count: 5, distribution: sequential},\n"
                          "     mix: [{function: multi, args: [\"get:{key}\", \"put:{key}={seq}\"]}]}\n",
                          {"ordering.batch_timeout=1s"});
  ASSERT_EQ(r.transactions.size(), 10u);
  for (const auto& t : r.transactions) ASSERT_EQ(t.block, r.transactions.front().block) << t.id;  // one block
  for (size_t i = 0; i < 10; ++i)
    EXPECT_EQ(r.transactions[i].status_text(), i < 5 ? "VALID" : "MVCC_READ_CONFLICT") << r.transactions[i].id;
}

TEST(RunnerWorkload, ScriptedTransactionsAtTheSameTimeKeepFileOrder) {
  // Same instant, listed z, a, m: handed over in that order (not by id, not by client).
  const RunReport r = run(kNet +
                          "workload:\n"
                          "  - transactions:\n"
                          "      - {id: z, at: 1s, client: Org2.client0, function: put, args: [k, \"1\"]}\n"
                          "      - {id: a, at: 1s, client: Org1.client1, function: put, args: [k, \"2\"]}\n"
                          "      - {id: early, at: 500ms, client: Org1.client0, function: put, args: [j, \"0\"]}\n"
                          "      - {id: m, at: 1s, client: Org1.client0, function: put, args: [k, \"3\"]}\n");
  std::vector<std::string> ids;
  for (const auto& t : r.transactions) ids.push_back(t.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"early", "z", "a", "m"}));
}

TEST(RunnerWorkload, ScriptedSameClientSameTimeReadModifyWritesCommitInFileOrder) {
  // Both read k then write it, from one client at one instant: the one listed first wins,
  // the second is ordered after it in the same block and conflicts.
  const RunReport r = run(kNet +
                          "workload:\n"
                          "  - transactions:\n"
                          "      - {id: second, at: 1s, client: Org1.client0, function: multi, args: [\"get:k\", \"put:k=2\"]}\n"
                          "      - {id: first, at: 1s, client: Org1.client0, function: multi, args: [\"get:k\", \"put:k=1\"]}\n");
  ASSERT_EQ(r.transactions.size(), 2u);
  EXPECT_EQ(r.transactions[0].id, "second");
  EXPECT_EQ(r.transactions[0].status_text(), "VALID");
  EXPECT_EQ(r.transactions[1].status_text(), "MVCC_READ_CONFLICT");
}

TEST(RunnerWorkload, GeneratedIdsAreGeneratorDotSeqAndScriptedKeepTheirs) {
  const RunReport r = run(kNet +
                          "workload:\n"
                          "  - transactions:\n"
                          "      - {id: s1, at: 0s, client: Org1.client0, function: put, args: [k, \"1\"]}\n"
                          "  - {rate: 10tps, arrival: fixed, end: 300ms, mix: [{function: put, args: [\"{key}\", v]}]}\n"
                          "  - {rate: 10tps, arrival: fixed, start: 1s, end: 1200ms, mix: [{function: put, args: [\"{key}\", v]}]}\n");
  std::vector<std::pair<std::string, uint32_t>> got;
  for (const auto& t : r.transactions) got.push_back({t.id, t.generator});
  const std::vector<std::pair<std::string, uint32_t>> want = {{"s1", 0}, {"1.0", 1}, {"1.1", 1}, {"1.2", 1},
                                                              {"2.0", 2}, {"2.1", 2}};
  EXPECT_EQ(got, want);
}

// Total bytes of the cut blocks of a one-transaction run whose value is {bytes:N}.
uint64_t block_bytes_with_value_of(int n) {
  const RunReport r = run(kNet +
                          "workload:\n"
                          "  - {rate: 1tps, arrival: fixed, end: 1s, mix: [{function: put, args: [k, \"{bytes:" +
                          std::to_string(n) + "}\"]}]}\n");
  EXPECT_EQ(r.transactions.size(), 1u);
  EXPECT_EQ(r.metrics.succeeded, 1u);
  uint64_t bytes = 0;
  for (const auto& [reason, c] : r.cuts) bytes += c.bytes;
  return bytes;
}

TEST(RunnerWorkload, BytesPlaceholderHasTheGivenLength) {
  // The value travels twice in the transaction (the proposal's input args and the write
  // set), so 2000 more bytes of argument make the block 4000 bytes larger; both sizes need
  // two-byte length prefixes, so nothing else changes.
  const uint64_t small = block_bytes_with_value_of(1000);
  const uint64_t large = block_bytes_with_value_of(3000);
  EXPECT_EQ(large - small, 2u * 2000u);
  EXPECT_EQ(block_bytes_with_value_of(1000), small);  // and deterministic
}

// ---- faults --------------------------------------------------------------------------------

// Two peers in Org1 so that a crash leaves the org endorsing; 20 tps throughout.
const std::string kTwoPeers =
    "name: t\n"
    "seed: 3\n"
    "duration: 3s\n"
    "drain: 2s\n"
    "network:\n"
    "  orgs:\n"
    "    - {name: Org1, peers: 2, clients: 1}\n"
    "    - {name: Org2, peers: 1, clients: 1}\n"
    "ordering: {batch_timeout: 100ms}\n"
    "chaincodes:\n"
    "  - {name: kv, kind: kvstore, endorsement_policy: \"OR('Org1MSP.peer','Org2MSP.peer')\"}\n"
    "crypto: {scheme: hmac}\n"
    "workload:\n"
    "  - {rate: 20tps, arrival: fixed, mix: [{function: put, args: [\"{key}\", v]}]}\n";

TEST(RunnerFaults, CrashWithForIsFollowedByRestartAndCatchUp) {
  const RunReport r = run(kTwoPeers + "faults:\n  - {at: 500ms, crash: Org1.peer1, for: 1s}\n");
  EXPECT_TRUE(r.fault_errors.empty()) << testing::PrintToString(r.fault_errors);
  EXPECT_TRUE(r.peers_down.empty()) << testing::PrintToString(r.peers_down);
  ASSERT_EQ(r.channels.at(0).peer_heights.size(), 3u);
  const uint64_t h = r.channels.at(0).peer_heights.at("Org1.peer0");
  EXPECT_GT(h, 10u);  // blocks were cut while it was down, and after
  for (const auto& [peer, height] : r.channels.at(0).peer_heights) EXPECT_EQ(height, h) << peer;
  EXPECT_TRUE(r.invariants.hold()) << testing::PrintToString(r.invariants.violations);
}

TEST(RunnerFaults, APeerDownAtTheEndIsCheckedFromItsDurableLedger) {
  const RunReport r = run(kTwoPeers + "faults:\n  - {at: 500ms, crash: Org1.peer1}\n");
  EXPECT_EQ(r.peers_down, std::vector<std::string>{"Org1.peer1"});
  ASSERT_EQ(r.channels.at(0).peer_heights.size(), 3u);
  EXPECT_GT(r.channels.at(0).peer_heights.at("Org1.peer1"), 1u);  // what it committed before the crash
  EXPECT_LT(r.channels.at(0).peer_heights.at("Org1.peer1"), r.channels.at(0).peer_heights.at("Org1.peer0"));
  EXPECT_EQ(r.peers_checked.size(), 3u);
  EXPECT_TRUE(r.invariants.hold()) << testing::PrintToString(r.invariants.violations);
  EXPECT_GT(r.invariants.heights_compared, r.channels.at(0).peer_heights.at("Org1.peer1"));  // its blocks were compared
}

// The orderer writes a block while it handles the cut; its block event leaves with the
// handler's outputs, after the CPU time. A crash in between keeps the block (it is served
// after the restart) and loses the event: the report counts that block under "unknown", so
// the blocks by cut reason always add up to the ledger's height. The crash times sweep the
// millisecond in which this scenario's batch timer fires (about 1.1044 s with the default
// costs: t1 reaches the orderer at about 104 ms, BatchTimeout 1 s).
TEST(RunnerFaults, BlocksCutJustBeforeAnOrdererCrashAreCountedAsUnknown) {
  const std::string text =
      "name: t\nseed: 1\nduration: 3s\ndrain: 20s\n"
      "network: {orgs: [{name: Org1, peers: 1, clients: 1}]}\n"
      "ordering: {batch_timeout: 1s}\n"
      "chaincodes: [{name: kv, kind: kvstore, endorsement_policy: \"OR('Org1MSP.peer')\"}]\n"
      "crypto: {scheme: hmac}\n"
      "workload: [{transactions: [{id: t1, at: 100ms, client: Org1.client0, function: put, args: [k, v]}]}]\n";
  int unknown_runs = 0;
  for (int64_t at = 1'104'000'000; at < 1'105'000'000; at += 20'000) {
    SCOPED_TRACE(at);
    const RunReport r = run(text + fmt::format("faults: [{{at: {}ns, crash: orderer0, for: 1s}}]\n", at));
    uint64_t blocks = 0;
    for (const auto& [reason, c] : r.cuts) blocks += c.blocks;
    ASSERT_EQ(r.channels.at(0).peer_heights.size(), 1u);
    EXPECT_EQ(blocks + 1, r.channels.at(0).peer_heights.at("Org1.peer0"));  // + the genesis block
    if (auto it = r.cuts.find(kUnknownCutReason); it != r.cuts.end()) {
      ++unknown_runs;
      EXPECT_EQ(it->second.blocks, 1u);
      EXPECT_EQ(it->second.transactions, 1u);
      EXPECT_GT(it->second.bytes, 0u);
    }
    EXPECT_TRUE(r.invariants.hold()) << testing::PrintToString(r.invariants.violations);
  }
  EXPECT_GT(unknown_runs, 0) << "no crash fell between the cut and its event: re-derive the window";
}

// A process that, 1.5 s in, reports a failure for the scripted transaction t1 (committed
// by then) as a client would: the second outcome of one transaction.
class SecondOutcome : public Process {
 public:
  void on_start(NodeContext& ctx) override { ctx.set_timer(Duration::millis(1500), 0); }
  void on_message(NodeContext&, HostId, const Message&) override {}
  void on_timer(NodeContext& ctx, TimerId, uint64_t) override {
    ctx.emit(model::client::kFailureCommitTimeout, 0, "t1");
  }
};

TEST(RunnerEvents, ASecondOutcomeForATransactionIsANodeErrorAndTheFirstStays) {
  RunHooks hooks;
  hooks.on_world = [](World& w) {
    w.add_host("rogue", 1, [](HostId, const DurableStore&) { return std::make_unique<SecondOutcome>(); });
  };
  const RunReport r = run(kNet +
                              "workload:\n  - transactions:\n"
                              "      - {id: t1, at: 100ms, client: Org1.client0, function: put, args: [k, v]}\n",
                          {}, hooks);
  ASSERT_EQ(r.transactions.size(), 1u);
  EXPECT_EQ(r.transactions[0].outcome, TxRecord::Outcome::kCommitted);
  ASSERT_EQ(r.node_errors.size(), 1u) << testing::PrintToString(r.node_errors);
  EXPECT_NE(r.node_errors[0].find("rogue at 1.5"), std::string::npos) << r.node_errors[0];
  EXPECT_NE(r.node_errors[0].find("a second outcome for transaction t1: client.failed.commit_timeout"),
            std::string::npos)
      << r.node_errors[0];
}

TEST(RunnerFaults, ARoleTargetIsResolvedWhenTheFaultFiresAndItsUndoHitsTheSameNode) {
  // A drain long enough for the peers' Deliver watchdogs (5 s) to find the orderer again.
  const RunReport r = run(kTwoPeers + "faults:\n  - {at: 1s, crash: orderer-leader(mychannel), for: 1s}\n", {"drain=10s"});
  EXPECT_EQ(r.fault_targets, std::vector<std::string>{"at 1s: crash orderer-leader(mychannel) = orderer0"});
  EXPECT_TRUE(r.fault_errors.empty()) << r.fault_errors.front();
  // The restart (the undo) found orderer0 down, as the crash left it, and it orders again:
  // what was requested after it commits.
  size_t after = 0;
  for (const TxRecord& t : r.transactions) {
    if (t.requested < Time::zero() + Duration::millis(2500)) continue;
    ++after;
    EXPECT_TRUE(t.valid()) << t.id << " " << t.status_text();
  }
  EXPECT_GT(after, 0u);
  EXPECT_TRUE(r.invariants.hold());
}

TEST(RunnerFaults, ARoleTargetInAPartitionSet) {
  const RunReport plain = run(kTwoPeers + "faults:\n  - {at: 1s, partition: [[Org2], [orderer0]], for: 1s}\n");
  const RunReport role =
      run(kTwoPeers + "faults:\n  - {at: 1s, partition: [[Org2], [orderer-leader(mychannel)]], for: 1s}\n");
  EXPECT_EQ(role.fault_targets, std::vector<std::string>{"at 1s: partition orderer-leader(mychannel) = orderer0"});
  // The same fault as naming the node: the same run.
  EXPECT_EQ(role.trace_hash, plain.trace_hash);
}

TEST(RunnerFaults, UndoAfterTheEndNeverHappens) {
  // duration 3s + drain 2s: a restart at 6s is past the end.
  const RunReport r = run(kTwoPeers + "faults:\n  - {at: 4s, crash: Org1.peer1, for: 2s}\n");
  EXPECT_EQ(r.peers_down, std::vector<std::string>{"Org1.peer1"});
  EXPECT_TRUE(r.fault_errors.empty());
}

TEST(RunnerFaults, PartitionWithoutHealKeepsTheCutOffPeerBehind) {
  const RunReport r = run(kTwoPeers + "faults:\n  - {at: 1s, partition: [[Org2], [orderers]], label: cut}\n");
  EXPECT_GT(r.network.partitioned, 0u);
  EXPECT_LT(r.channels.at(0).peer_heights.at("Org2.peer0"), r.channels.at(0).peer_heights.at("Org1.peer0"));
}

// A peer cut off from the orderer notices nothing (a Deliver stream has no liveness signal
// in the model); its watchdog re-opens the stream `deliver_retry` (5 s) after its last
// block. Runs that check a catch-up after a heal drain long enough for that.
const std::string kLongDrain = "drain=8s";

TEST(RunnerFaults, LabelledPartitionAndItsHeal) {
  const RunReport r = run(kTwoPeers +
                          "faults:\n"
                          "  - {at: 1s, partition: [[Org2], [orderers]], label: cut}\n"
                          "  - {at: 2s, heal: cut}\n",
                          {kLongDrain});
  EXPECT_TRUE(r.fault_errors.empty()) << testing::PrintToString(r.fault_errors);
  EXPECT_GT(r.network.partitioned, 0u);  // the partition did cut something
  const uint64_t h = r.channels.at(0).peer_heights.at("Org1.peer0");
  for (const auto& [peer, height] : r.channels.at(0).peer_heights) EXPECT_EQ(height, h) << peer;  // and the heal let it catch up
  EXPECT_TRUE(r.invariants.hold()) << testing::PrintToString(r.invariants.violations);
}

TEST(RunnerFaults, HealOfOneLabelLeavesTheOtherPartition) {
  // Two labelled partitions; healing `a` (the second one created) must not heal `b`.
  const RunReport r = run(kTwoPeers +
                          "faults:\n"
                          "  - {at: 500ms, partition: [[Org2], [orderers]], label: b}\n"
                          "  - {at: 600ms, partition: [[Org1.peer1], [orderers]], label: a}\n"
                          "  - {at: 1s, heal: a}\n",
                          {kLongDrain});
  EXPECT_TRUE(r.fault_errors.empty()) << testing::PrintToString(r.fault_errors);
  EXPECT_EQ(r.channels.at(0).peer_heights.at("Org1.peer1"), r.channels.at(0).peer_heights.at("Org1.peer0"));
  EXPECT_LT(r.channels.at(0).peer_heights.at("Org2.peer0"), r.channels.at(0).peer_heights.at("Org1.peer0"));
}

TEST(RunnerFaults, DegradeBetweenTwoNodesUsesTheirPairLink) {
  // 300 ms more between Org1.client0 and the orderer from 0 to 2.5 s: each of Org1.client0's
  // transactions reaches the orderer at least 300 ms after it was endorsed, so its commit
  // event (through the event peer, not degraded) comes later than that; Org2.client0's
  // commit within a few batch timeouts. (The commit event may precede the broadcast
  // acknowledgement, which takes 600 ms: then there is no `ordered` stage.)
  const std::string text = kTwoPeers +
                           "faults:\n"
                           "  - {at: 0s, degrade: {between: [Org1.client0, orderer0], latency: 300ms}, for: 2500ms}\n";
  // Where the messages go while the pair is degraded: the pair link (2 hosts on the route)
  // or around it through the switch (3).
  size_t route_len = 0;
  RunHooks hooks;
  hooks.on_world = [&route_len](World& w) {
    w.sim().at(Time::zero() + Duration::seconds(1), [&w, &route_len] {
      route_len = w.net().route(w.find_host("Org1.client0"), w.find_host("orderer0")).size();
    });
  };
  const RunReport r = run(text, {}, hooks);
  EXPECT_EQ(route_len, 2u);  // the pair link, one hop
  std::optional<Duration> fastest_degraded;
  Duration slowest_other = Duration::zero();
  size_t degraded = 0, other = 0;
  for (const auto& t : r.transactions) {
    if (!t.endorsed || !t.completed || t.requested > Time::zero() + Duration::seconds(2)) continue;
    const Duration d = *t.completed - *t.endorsed;
    if (t.client == "Org1.client0") {
      ++degraded;
      fastest_degraded = fastest_degraded ? std::min(*fastest_degraded, d) : d;
    } else {
      ++other;
      slowest_other = std::max(slowest_other, d);
    }
  }
  ASSERT_GT(degraded, 0u);
  ASSERT_GT(other, 0u);
  EXPECT_GT(*fastest_degraded, Duration::millis(300));
  EXPECT_LT(slowest_other, Duration::millis(300));
}

// ---- chaincodes with init required ---------------------------------------------------------

TEST(RunnerInit, TheInitGoesFirstAndInvocationsBeforeItsCommitAreRefused) {
  const std::string text =
      "name: t\nseed: 2\nduration: 3s\ndrain: 2s\n"
      "network: {orgs: [{name: Org1, peers: 1, clients: 1}, {name: Org2, peers: 1, clients: 1}]}\n"
      "ordering: {batch_timeout: 200ms}\n"
      "crypto: {scheme: hmac}\n"
      "chaincodes: [{name: kv, kind: kvstore, init: [a, b]}]\n"
      "workload:\n"
      "  - transactions:\n"
      "      - {id: early, at: 0s, client: Org1.client0, function: put, args: [k, v]}\n"
      "      - {id: late, at: 1s, client: Org1.client0, function: put, args: [k, w]}\n";
  const RunReport r = run(text);
  ASSERT_EQ(r.transactions.size(), 3u);
  EXPECT_EQ(r.transactions[0].id, "init.kv");  // scheduled before the workload's same-time ones
  EXPECT_EQ(r.transactions[0].client, "Org1.client0");
  EXPECT_EQ(r.transactions[0].function, "init");
  EXPECT_EQ(r.transactions[0].generator, 1u);  // after the one workload generator
  EXPECT_EQ(r.transactions[0].status_text(), "VALID");
  EXPECT_EQ(r.transactions[1].status_text(), "failed:endorsement_error");
  EXPECT_EQ(r.transactions[2].status_text(), "VALID");
  EXPECT_TRUE(r.invariants.hold());
}

TEST(RunnerFailures, AChaincodeErrorKeepsItsMessageCountedByReason) {
  // kvstore's range needs a whole-number limit: the chaincode answers 500 with its reason.
  const RunReport r = run(kNet +
                          "workload:\n"
                          "  - transactions:\n"
                          "      - {id: bad, at: 100ms, client: Org1.client0, function: range, args: [a, b, many]}\n"
                          "      - {id: ok, at: 100ms, client: Org1.client0, function: put, args: [k, v]}\n");
  ASSERT_EQ(r.transactions.size(), 2u);
  const TxRecord& bad = r.transactions[0];
  EXPECT_EQ(bad.status_text(), "failed:endorsement_error");
  EXPECT_NE(bad.message.find("limit"), std::string::npos) << bad.message;  // the chaincode's own words
  EXPECT_TRUE(r.transactions[1].message.empty());
  ASSERT_EQ(r.metrics.failure_messages.size(), 1u);
  EXPECT_EQ(r.metrics.failure_messages.begin()->first, "endorsement_error: " + bad.message);
  EXPECT_EQ(r.metrics.failure_messages.begin()->second, 1u);
}

TEST(RunnerInit, TheInitIsLeftOutOfTheMetrics) {
  const std::string text =
      "name: t\nseed: 2\nduration: 4s\ndrain: 2s\n"
      "network: {orgs: [{name: Org1, peers: 1, clients: 1}, {name: Org2, peers: 1, clients: 1}]}\n"
      "ordering: {batch_timeout: 200ms}\n"
      "crypto: {scheme: hmac}\n"
      "chaincodes: [{name: kv, kind: kvstore, init: []}]\n"
      "workload: [{rate: 10tps, arrival: fixed, start: 2s, mix: [{function: put, args: [\"{key}\", v]}]}]\n";
  const RunReport r = run(text);
  ASSERT_EQ(r.transactions.size(), 21u);
  EXPECT_TRUE(r.transactions[0].init);
  EXPECT_EQ(r.metrics.requested, 20u);
  EXPECT_EQ(r.metrics.succeeded, 20u);
  EXPECT_NEAR(r.metrics.send_rate_tps, 20.0 / 1.9, 1e-9);  // 20 requests from 2 s to 3.9 s
  EXPECT_EQ(r.ledger_codes.at("VALID"), 21u);               // the ledger holds the Init too
}

TEST(RunnerInit, AChaincodeWithInitAndNoClientIsRefused) {
  const std::string text =
      "name: t\nseed: 2\nduration: 1s\n"
      "network: {orgs: [{name: Org1, peers: 1, clients: 0}]}\n"
      "chaincodes: [{name: kv, kind: kvstore, init: []}]\n";
  auto r = run_scenario(load(text));
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("chaincodes.0.init"), std::string::npos) << r.status().message();
}

TEST(RunnerWorkload, AClosedLoopSlotRefusedBeforeSubmissionIsNotRefilled) {
  // One Org1 peer cannot satisfy AND(Org1 peer, Org1 peer): every request is refused by the
  // client at once (no_endorsers); refilling would spin at time 0.
  const std::string text =
      "name: t\nseed: 2\nduration: 2s\n"
      "network: {orgs: [{name: Org1, peers: 1, clients: 1}]}\n"
      "crypto: {scheme: hmac}\n"
      "chaincodes: [{name: kv, kind: kvstore, endorsement_policy: \"AND('Org1MSP.peer','Org1MSP.peer')\"}]\n"
      "workload: [{outstanding: 3, mix: [{function: put, args: [k, v]}]}]\n";
  const RunReport r = run(text);
  ASSERT_EQ(r.transactions.size(), 3u);
  for (const auto& t : r.transactions) EXPECT_EQ(t.status_text(), "failed:no_endorsers");
}

// ---- determinism ---------------------------------------------------------------------------

const std::string kDeterminism = kTwoPeers +
                                 "faults:\n"
                                 "  - {at: 500ms, crash: Org1.peer1, for: 1s}\n"
                                 "  - {at: 1s, partition: [[Org2], [orderers]], for: 500ms}\n";

TEST(RunnerDeterminism, SameSpecTwiceGivesTheSameTraceAndTransactions) {
  const std::string text = kDeterminism + "  - {at: 0s, degrade: {between: [Org1, orderers], loss: 0.05}, for: 2s}\n";
  const ScenarioSpec spec = load(text, {"workload.0.arrival=poisson"});
  auto a = run_scenario(spec);
  auto b = run_scenario(spec);
  ASSERT_TRUE(a.is_ok() && b.is_ok());
  EXPECT_GT(a->trace_events, 0u);
  EXPECT_EQ(a->trace_hash, b->trace_hash);
  EXPECT_EQ(a->trace_events, b->trace_events);
  EXPECT_EQ(cli::transactions_csv(*a), cli::transactions_csv(*b));
}

TEST(RunnerDeterminism, DifferentSeedGivesDifferentTraceHash) {
  const RunReport a = run(kDeterminism, {"seed=1"});
  const RunReport b = run(kDeterminism, {"seed=2"});
  EXPECT_EQ(a.seed, 1u);
  EXPECT_EQ(b.seed, 2u);
  EXPECT_NE(a.trace_hash, b.trace_hash);
}

}  // namespace
}  // namespace fabsim::scenario
