// Nodes run their components with Fabric's concurrency (core/node.h lanes, sim/host.h), and
// that is what shapes throughput and latency:
//   - a peer's committer handles one block at a time and runs VSCC on validator_pool_size
//     workers, so with a serial pool (Fabric 1.0) and 7 ms of VSCC per transaction the
//     committer saturates near 1 / 7 ms ≈ 143 tps whatever the peer's cores, while
//     proposals, on the endorser's own lane, keep a few-ms endorsement latency;
//   - the orderer's chain is one goroutine: blocks leave in number order, whatever its cores.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/cost_model.h"
#include "scenarios/fabric_network.h"
#include "scenarios/scenario_loader.h"
#include "scenarios/scenario_runner.h"

namespace fabsim::scenario {
namespace {

// Thakkar et al. 2018's regime in miniature: one org, one peer, a one-signature policy, VSCC
// at 7 ms per endorsement (the paper's serial VSCC bottleneck), 200 tps offered.
const char* const kSaturation = R"yaml(
name: serial-vscc-saturation
seed: 3
duration: 20s
drain: 5s
network:
  orgs:
    - {name: Org1, peers: 1, clients: 2}
ordering: {batch_timeout: 1s, batch_size: {max_message_count: 50}}
chaincodes:
  - {name: kv, kind: kvstore, endorsement_policy: "OR('Org1MSP.peer')"}
crypto: {scheme: hmac}
costs:
  peers: {vscc_per_endorsement: 7ms}
nodes:
  peers: {validator_pool_size: 1}
workload:
  - chaincode: kv
    rate: 200tps
    arrival: fixed
    keys: {count: 100000, distribution: sequential}
    mix:
      - {function: put, args: ["{key}", "v"]}
)yaml";

RunReport run(const std::vector<std::string>& sets) {
  LoaderOptions o;
  o.cost_names = cost_names();
  auto spec = load_scenario_text(kSaturation, "saturation.yaml", sets, o);
  if (!spec.is_ok()) {
    ADD_FAILURE() << spec.status().message();
    return {};
  }
  auto r = run_scenario(*spec);
  if (!r.is_ok()) {
    ADD_FAILURE() << r.status().message();
    return {};
  }
  return std::move(r).value();
}

TEST(NodeConcurrency, SerialVsccSaturatesTheCommitterWhateverTheCores) {
  // (One core would also carry the endorsements' CPU: the committer gets less than all of it.)
  for (const char* cores : {"2", "4", "8"}) {
    SCOPED_TRACE(std::string("cores: ") + cores);
    const RunReport r = run({std::string("nodes.peers.cores=") + cores});
    // 1 / (7 ms VSCC + the serial MVCC and ledger work of ~0.2 ms) ≈ 139 tps.
    EXPECT_GT(r.metrics.throughput_tps, 125.0);
    EXPECT_LT(r.metrics.throughput_tps, 145.0);
    // Proposals never queue behind a block's validation: the endorsement (two 0.25 ms
    // hops and the chaincode) stays far below one VSCC task.
    const PhaseStats& endorse = r.metrics.phases[static_cast<size_t>(Phase::kEndorse)];
    ASSERT_TRUE(endorse.mean.has_value());
    EXPECT_LT(*endorse.mean, Duration::millis(10));
    EXPECT_TRUE(r.invariants.hold()) << r.invariants.violations.front();
  }
}

TEST(NodeConcurrency, AValidatorPoolOfTheCoresLiftsTheSaturation) {
  // Four workers on four cores: 4 / 7 ms ≈ 570 tps of VSCC, so 200 tps is carried in full.
  const RunReport r = run({"nodes.peers.cores=4", "nodes.peers.validator_pool_size=4"});
  EXPECT_GT(r.metrics.throughput_tps, 190.0);
  ASSERT_TRUE(r.metrics.latency_p99.has_value());
  EXPECT_LT(*r.metrics.latency_p99, Duration::seconds(2));
}

TEST(NodeConcurrency, TheOrdererWritesBlocksInNumberOrderWhateverItsCores) {
  // One transaction per block at a high rate, on an orderer with four cores: each block
  // event (emitted as the block is written) carries the next number.
  FabricNetworkConfig c;
  c.seed = 5;
  c.orgs = {{"Org1", "Org1MSP", 1, 4}};
  c.chaincodes = {{"kv", "kvstore", "OR('Org1MSP.peer')"}};
  c.batch.size.max_message_count = 1;
  c.scheme = crypto::SignatureScheme::kHmacSha256;
  c.node_settings.by_node["orderer0"].cores = 4;
  auto net = FabricNetwork::build(c);
  ASSERT_TRUE(net.is_ok()) << net.status().to_string();
  FabricNetwork& n = **net;
  std::vector<int64_t> blocks;
  n.world().set_event_sink([&](Time, HostId, const AnalysisEvent& e) {
    if (e.name == "orderer.block") blocks.push_back(e.value);
  });
  for (int i = 0; i < 200; ++i)
    n.submit(Time::zero() + Duration::micros(100 + 250 * i), n.clients()[i % 4], "t" + std::to_string(i), "kv",
             "put", {"k" + std::to_string(i), "v"});
  n.world().start();
  n.world().run_until(Time::zero() + Duration::seconds(5));
  ASSERT_EQ(blocks.size(), 201u);  // the genesis and one block per transaction
  for (size_t i = 0; i < blocks.size(); ++i) EXPECT_EQ(blocks[i], static_cast<int64_t>(i));
}

}  // namespace
}  // namespace fabsim::scenario
