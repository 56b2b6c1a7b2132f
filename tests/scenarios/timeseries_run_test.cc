// A real run's phases, time series and fault periods (scenarios/scenario_runner.h,
// analysis/timeseries.h): they describe what the run did, and watching does not change it.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/cost_model.h"
#include "scenarios/scenario_loader.h"
#include "scenarios/scenario_runner.h"

namespace fabsim::scenario {
namespace {

// Two orgs; Org1.peer1 (an endorser, no client's event peer) crashes from 4 s to 7 s; 100 tps
// for 10 s. The proposals it holds when it crashes stay without an outcome (the endorsement
// timeout is longer than the drain).
const char* const kCrash = R"yaml(
name: series
seed: 11
duration: 10s
drain: 5s
network:
  orgs:
    - {name: Org1, peers: 2, clients: 1}
    - {name: Org2, peers: 2, clients: 1}
ordering: {batch_timeout: 500ms, batch_size: {max_message_count: 20}}
chaincodes:
  - {name: kv, kind: kvstore, endorsement_policy: "OR('Org1MSP.peer','Org2MSP.peer')"}
crypto: {scheme: hmac}
workload:
  - chaincode: kv
    rate: 100tps
    arrival: fixed
    keys: {count: 100000, distribution: sequential}
    mix:
      - {function: put, args: ["{key}", "v"]}
faults:
  - {at: 4s, crash: [Org1.peer1], for: 3s}
)yaml";

RunReport run(Duration window = Duration::seconds(1)) {
  LoaderOptions o;
  o.cost_names = cost_names();
  auto spec = load_scenario_text(kCrash, "series.yaml", {}, o);
  if (!spec.is_ok()) {
    ADD_FAILURE() << spec.status().message();
    return {};
  }
  RunHooks hooks;
  hooks.window = window;
  auto r = run_scenario(*spec, hooks);
  if (!r.is_ok()) {
    ADD_FAILURE() << r.status().message();
    return {};
  }
  return std::move(r).value();
}

const RunReport& report() {
  static const RunReport r = run();
  return r;
}

TEST(RunPhases, EveryValidTransactionHasEveryStageAndTheyAddUpToItsLatency) {
  const RunReport& r = report();
  ASSERT_GT(r.metrics.succeeded, 800u);
  for (const TxRecord& tx : r.transactions) {
    if (!tx.valid() || tx.init) continue;
    const auto b = phase_boundaries(tx);
    for (size_t i = 0; i + 1 < b.size(); ++i) {
      ASSERT_TRUE(b[i] && b[i + 1]) << tx.id << " phase " << phase_name(phase_at(i));
      EXPECT_LE(*b[i], *b[i + 1]) << tx.id << " phase " << phase_name(phase_at(i));
    }
    EXPECT_EQ(*b.back() - *b.front(), *tx.completed - tx.requested) << tx.id;
  }
  for (size_t i = 0; i < kPhaseCount; ++i) EXPECT_GE(r.metrics.phases[i].count, r.metrics.succeeded) << i;
}

TEST(RunPhases, TheBatchWaitIsTheOrderersAndBoundedByTheBatchTimeout) {
  const PhaseStats& wait = report().metrics.phases[static_cast<size_t>(Phase::kBatchWait)];
  ASSERT_TRUE(wait.mean && wait.p99);
  // 100 tps against blocks of 20: blocks are cut by count every ~200 ms.
  EXPECT_GT(*wait.mean, Duration::millis(50));
  EXPECT_LE(*wait.p99, Duration::millis(500));
}

TEST(RunTimeSeries, ThroughputWindowsAddUpToTheValidCommits) {
  const RunReport& r = report();
  const TimeSeries& ts = r.timeseries;
  ASSERT_EQ(ts.size(), 15u);  // 10 s + 5 s of drain
  double valid = 0;
  for (size_t k = 0; k < ts.size(); ++k) valid += ts.throughput_tps[k] * ts.length[k].to_seconds();
  EXPECT_NEAR(valid, static_cast<double>(r.metrics.succeeded), 1e-6);
  EXPECT_DOUBLE_EQ(ts.send_rate_tps[2], 100.0);
}

TEST(RunTimeSeries, ACrashedPeerDoesNoWorkAndItsHeightStandsStill) {
  const TimeSeries& ts = report().timeseries;
  const auto& cpu = ts.cpu_utilisation.at("Org1.peer1");
  EXPECT_GT(cpu[2], 0.0);
  EXPECT_EQ(cpu[5], 0.0);  // [5 s, 6 s): down
  const auto& heights = ts.peer_heights.at("mychannel").at("Org1.peer1");
  const auto& others = ts.peer_heights.at("mychannel").at("Org1.peer0");
  EXPECT_EQ(heights[4], heights[6]);  // no block committed while down
  EXPECT_GT(others[6], others[4]);
  EXPECT_EQ(heights.back(), others.back());  // caught up by the end
}

TEST(RunTimeSeries, QueuesAndUtilisationAreThereForEveryWorkingNode) {
  const TimeSeries& ts = report().timeseries;
  for (const char* node : {"Org1.peer0", "Org2.peer0", "orderer0", "Org1.client0"}) {
    ASSERT_TRUE(ts.cpu_utilisation.contains(node)) << node;
    for (double u : ts.cpu_utilisation.at(node)) EXPECT_LE(u, 1.0 + 1e-9) << node;
  }
  EXPECT_TRUE(ts.queue_length.contains("Org1.peer0/endorser"));
  EXPECT_TRUE(ts.disk_utilisation.contains("Org1.peer0"));
  EXPECT_FALSE(ts.link_utilisation.empty());
}

TEST(RunFaults, APeriodRunsFromTheFaultToItsUndo) {
  const RunReport& r = report();
  ASSERT_EQ(r.faults.size(), 1u);
  const FaultImpact& f = r.faults[0];
  EXPECT_EQ(f.period.at, Time::zero() + Duration::seconds(4));
  ASSERT_TRUE(f.period.end);
  EXPECT_EQ(*f.period.end, Time::zero() + Duration::seconds(7));
  EXPECT_EQ(f.period.targets, std::vector<std::string>{"Org1.peer1"});
  EXPECT_EQ(f.period.text, "crash Org1.peer1 for 3s");
  ASSERT_TRUE(f.before_tps && f.during_tps && f.after_tps);
  EXPECT_GT(*f.before_tps, 80.0);
  EXPECT_LT(*f.during_tps, *f.before_tps);  // its share of the proposals is lost
  ASSERT_TRUE(f.recovery);
  EXPECT_LT(*f.recovery, Duration::seconds(2));
}

TEST(RunTimeSeries, TheWindowDoesNotChangeTheRun) {
  const RunReport coarse = run(Duration::seconds(1));
  const RunReport fine = run(Duration::millis(250));
  EXPECT_EQ(coarse.trace_hash, fine.trace_hash);
  EXPECT_EQ(fine.timeseries.size(), 60u);
}

}  // namespace
}  // namespace fabsim::scenario
