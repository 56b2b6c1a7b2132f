// The scenario loader on valid input: a file that uses every key lands in the spec field by
// field; a minimal file gets every documented default; the shipped example files load.
#include "scenarios/scenario_loader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/cost_model.h"
#include "core/policy/policy.h"

namespace fabsim::scenario {
namespace {

using Names = std::vector<std::string>;

const char* kFull = R"yaml(
name: full
description: every key
seed: 42
duration: 120s
drain: 15s
network:
  orgs:
    - {name: Org1, msp_id: Org1MSP, peers: 2, clients: 2}
    - {name: Org2, peers: 1, clients: 1}
    - {name: Org3, msp_id: ThirdMSP, peers: 1, clients: 0}
  links:
    default: {latency: 2ms, jitter: 500us, bandwidth: 100Mbps, loss: 0.01, duplicate: 0.001}
    overrides:
      - {between: [Org1, [Org2, orderers]], latency: 20ms, loss: 0.05}
ordering:
  type: solo
  orderers: 1
  batch_timeout: 500ms
  batch_size: {max_message_count: 100, absolute_max_bytes: 4MiB, preferred_max_bytes: 512KB}
channels:
  - {name: ch1, orgs: [Org1, Org2]}
  - {name: ch2, orgs: [Org2, Org3], peers: [Org3, Org2.peer0], batch_timeout: 1s, batch_size: {max_message_count: 10}}
chaincodes:
  - name: kv
    channel: ch1
    kind: kvstore
    endorsement_policy: "OutOf(1, 'Org1MSP.peer', 'Org2MSP.member')"
    init: [a, "1"]
  - {name: bank, channel: ch2, kind: smallbank, endorsement_policy: ANY Endorsement}
  - {name: assets, channel: ch1, kind: asset}
crypto: {scheme: hmac, verify_cache: false}
costs:
  all: {vscc: 1ms}
  peers: {vscc: 2ms, endorse: 3ms}
  Org1: {endorse: 4ms}
  Org1.peers: {endorse: 5ms}
  Org1.peer0: {vscc: 6ms}
workload:
  - chaincode: kv
    rate: 300tps
    arrival: fixed
    clients: [Org1, Org2.client0]
    start: 1s
    end: 100s
    keys: {count: 500, prefix: k, distribution: zipf, theta: 0.8}
    mix:
      - {function: put, weight: 3, args: ["{key}", "v{seq}-{client}"]}
      - {function: get, args: ["{key}"]}
  - chaincode: bank
    phases: [{duration: 10s, rate: 10tps}, {duration: 20s, rate: 50tps}]
    start: 5s
    clients: 1
    keys: {count: 100, distribution: hotset, hot_fraction: 0.2, hot_probability: 0.8}
    mix: [{function: send_payment, args: ["{key}", "{key2}", "{int:-5:5}"]}]
  - chaincode: assets
    outstanding: 4
    think_time: 10ms
    keys: {distribution: sequential}
    mix: [{function: ReadAsset, args: ["{key}"]}]
  - transactions:
      - {id: t1, at: 2s, client: Org1.client1, chaincode: kv, function: put, args: [x, "{literal}"]}
      - {id: t2, at: 2s, client: Org2.client0, chaincode: kv, function: get, args: [x]}
faults:
  - {at: 10s, crash: Org1.peer1, for: 5s}
  - {at: 20s, pause: [Org2.peer0, orderer0], for: 1s}
  - {at: 30s, partition: [[Org1], [orderers, Org2]], one_way: true, label: cut}
  - {at: 40s, heal: cut}
  - {at: 50s, degrade: {between: [Org1.peer0, orderers], latency: 10ms, loss: 0.2, bandwidth_factor: 0.5}, for: 10s}
  - {at: 70s, degrade: {between: [Org2, Org1.peers], bandwidth_factor: 0.1}}
  - {at: 80s, restore: {between: [Org1.peers, Org2]}}
  - {at: 90s, clock_offset: {node: Org2.peer0, offset: -250ms}}
  - {at: 130s, crash: Org3}
expect:
  invariants: ignore
  tx: {t1: VALID, t2: MVCC_READ_CONFLICT}
  throughput_tps: {min: 250, max: 300tps}
  latency_p50: {max: 1s}
  latency_p95: {min: 1ms, max: 2s}
  latency_p99: {max: 3s}
  committed: {min: 1000, max: 40000}
  invalid: {MVCC_READ_CONFLICT: {max: 10}, ENDORSEMENT_POLICY_FAILURE: {min: 0, max: 0}}
  channels:
    ch2: {throughput_tps: {min: 10}, committed: {max: 500}, invalid: {MVCC_READ_CONFLICT: {max: 0}}}
)yaml";

LoaderOptions full_options() {
  LoaderOptions o;
  o.cost_names = {"vscc", "endorse"};
  return o;
}

ScenarioSpec load_ok(const std::string& text, const std::vector<std::string>& sets = {},
                     const LoaderOptions& opts = {}) {
  auto r = load_scenario_text(text, "t.yaml", sets, opts);
  EXPECT_TRUE(r.is_ok()) << r.status().message();
  return r.is_ok() ? std::move(r).value() : ScenarioSpec{};
}

Names node_names(const ScenarioSpec& s) {
  Names out;
  for (const NodeSpec& n : s.nodes)
    out.push_back(n.name);
  return out;
}

TEST(ScenarioLoaderFull, TopLevelValues) {
  const ScenarioSpec s = load_ok(kFull, {}, full_options());
  EXPECT_EQ(s.name, "full");
  EXPECT_EQ(s.description, "every key");
  EXPECT_EQ(s.seed, 42u);
  EXPECT_EQ(s.duration, Duration::seconds(120));
  EXPECT_EQ(s.drain, Duration::seconds(15));
}

TEST(ScenarioLoaderFull, OrgsAndDerivedNodes) {
  const ScenarioSpec s = load_ok(kFull, {}, full_options());
  ASSERT_EQ(s.network.orgs.size(), 3u);
  EXPECT_EQ(s.network.orgs[0].msp_id, "Org1MSP");
  EXPECT_EQ(s.network.orgs[0].peers, 2u);
  EXPECT_EQ(s.network.orgs[0].clients, 2u);
  EXPECT_EQ(s.network.orgs[1].msp_id, "Org2MSP");
  EXPECT_EQ(s.network.orgs[2].msp_id, "ThirdMSP");
  EXPECT_EQ(s.network.orgs[2].clients, 0u);
  EXPECT_EQ(node_names(s), (Names{"Org1.peer0", "Org1.peer1", "Org1.client0", "Org1.client1", "Org2.peer0",
                                  "Org2.client0", "Org3.peer0", "orderer0"}));
  EXPECT_EQ(s.nodes[3].role, NodeRole::kClient);
  EXPECT_EQ(s.nodes[3].org, "Org1");
  EXPECT_EQ(s.nodes[3].index, 1u);
  EXPECT_EQ(s.nodes[7].role, NodeRole::kOrderer);
  EXPECT_EQ(s.nodes[7].org, "");
}

TEST(ScenarioLoaderFull, Links) {
  const ScenarioSpec s = load_ok(kFull, {}, full_options());
  const LinkSpec& d = s.network.default_link;
  EXPECT_EQ(d.latency, Duration::millis(2));
  EXPECT_EQ(d.jitter, Duration::micros(500));
  EXPECT_EQ(d.bandwidth_bps, 100'000'000u);
  EXPECT_DOUBLE_EQ(d.loss, 0.01);
  EXPECT_DOUBLE_EQ(d.duplicate, 0.001);
  ASSERT_EQ(s.network.link_overrides.size(), 1u);
  const LinkOverrideSpec& o = s.network.link_overrides[0];
  EXPECT_EQ(o.between_a, (Names{"Org1"}));
  EXPECT_EQ(o.between_b, (Names{"Org2", "orderers"}));
  EXPECT_EQ(o.nodes_a, (Names{"Org1.peer0", "Org1.peer1", "Org1.client0", "Org1.client1"}));
  EXPECT_EQ(o.nodes_b, (Names{"Org2.peer0", "Org2.client0", "orderer0"}));
  EXPECT_EQ(o.link.latency, Duration::millis(20));
  EXPECT_DOUBLE_EQ(o.link.loss, 0.05);
  // Not given by the override: from the default.
  EXPECT_EQ(o.link.jitter, Duration::micros(500));
  EXPECT_EQ(o.link.bandwidth_bps, 100'000'000u);
  EXPECT_DOUBLE_EQ(o.link.duplicate, 0.001);
}

TEST(ScenarioLoaderFull, OrderingChannelsCrypto) {
  const ScenarioSpec s = load_ok(kFull, {}, full_options());
  EXPECT_EQ(s.ordering.type, OrderingType::kSolo);
  EXPECT_EQ(s.ordering.orderers, 1u);
  EXPECT_EQ(s.ordering.batch.batch_timeout, Duration::millis(500));
  EXPECT_EQ(s.ordering.batch.size.max_message_count, 100u);
  EXPECT_EQ(s.ordering.batch.size.absolute_max_bytes, 4u * 1024 * 1024);
  EXPECT_EQ(s.ordering.batch.size.preferred_max_bytes, 512'000u);
  ASSERT_EQ(s.channels.size(), 2u);
  EXPECT_EQ(s.channels[1].name, "ch2");
  EXPECT_EQ(s.channels[1].orgs, (Names{"Org2", "Org3"}));
  // Peers: every peer of the orgs by default; a list (groups stand for their peers) in node order.
  EXPECT_EQ(s.channels[0].peers, (Names{"Org1.peer0", "Org1.peer1", "Org2.peer0"}));
  EXPECT_EQ(s.channels[1].peers, (Names{"Org2.peer0", "Org3.peer0"}));
  // Batch settings: the ordering section's, each key the channel sets replacing its value.
  EXPECT_EQ(s.channels[0].batch.batch_timeout, Duration::millis(500));
  EXPECT_EQ(s.channels[0].batch.size.max_message_count, 100u);
  EXPECT_EQ(s.channels[1].batch.batch_timeout, Duration::seconds(1));
  EXPECT_EQ(s.channels[1].batch.size.max_message_count, 10u);
  EXPECT_EQ(s.channels[1].batch.size.absolute_max_bytes, 4u * 1024 * 1024);
  EXPECT_EQ(s.crypto.scheme, CryptoScheme::kHmac);
  EXPECT_FALSE(s.crypto.verify_cache);
}

TEST(ScenarioLoaderFull, ChaincodesAndPolicies) {
  const ScenarioSpec s = load_ok(kFull, {}, full_options());
  ASSERT_EQ(s.chaincodes.size(), 3u);
  const ChaincodeSpec& kv = s.chaincodes[0];
  EXPECT_EQ(kv.channel, "ch1");
  EXPECT_EQ(kv.kind, "kvstore");
  EXPECT_EQ(kv.endorsement_policy.kind, EndorsementPolicySpec::Kind::kSignature);
  EXPECT_EQ(kv.endorsement_policy.text, "OutOf(1, 'Org1MSP.peer', 'Org2MSP.member')");
  EXPECT_EQ(kv.endorsement_policy.signature.rule, n_out_of(1, {signed_by(0), signed_by(1)}));
  EXPECT_EQ(kv.endorsement_policy.signature.identities,
            (std::vector<MspPrincipal>{{"Org1MSP", MspRole::kPeer}, {"Org2MSP", MspRole::kMember}}));
  ASSERT_TRUE(kv.init.has_value());
  EXPECT_EQ(*kv.init, (Names{"a", "1"}));
  const ChaincodeSpec& bank = s.chaincodes[1];
  EXPECT_EQ(bank.endorsement_policy.kind, EndorsementPolicySpec::Kind::kImplicitMeta);
  EXPECT_EQ(bank.endorsement_policy.implicit_meta, (ImplicitMetaPolicy{ImplicitMetaRule::kAny, "Endorsement"}));
  EXPECT_FALSE(bank.init.has_value());
  const ChaincodeSpec& assets = s.chaincodes[2];
  EXPECT_EQ(assets.endorsement_policy.text, "MAJORITY Endorsement");
  EXPECT_EQ(assets.endorsement_policy.implicit_meta, (ImplicitMetaPolicy{ImplicitMetaRule::kMajority, "Endorsement"}));
}

TEST(ScenarioLoaderFull, CostsMostSpecificScopeWins) {
  const ScenarioSpec s = load_ok(kFull, {}, full_options());
  ASSERT_EQ(s.costs.scopes.size(), 5u);
  EXPECT_EQ(s.costs.scopes[3].selector, "Org1.peers");
  EXPECT_EQ(s.costs.scopes[3].specificity, 3);
  EXPECT_EQ(s.costs.scopes[3].nodes, (Names{"Org1.peer0", "Org1.peer1"}));
  using M = std::map<std::string, Duration>;
  const auto& by = s.costs.by_node;
  EXPECT_EQ(by.at("Org1.peer0"), (M{{"endorse", Duration::millis(5)}, {"vscc", Duration::millis(6)}}));
  EXPECT_EQ(by.at("Org1.peer1"), (M{{"endorse", Duration::millis(5)}, {"vscc", Duration::millis(2)}}));
  EXPECT_EQ(by.at("Org1.client0"), (M{{"endorse", Duration::millis(4)}, {"vscc", Duration::millis(1)}}));
  EXPECT_EQ(by.at("Org2.peer0"), (M{{"endorse", Duration::millis(3)}, {"vscc", Duration::millis(2)}}));
  EXPECT_EQ(by.at("orderer0"), (M{{"vscc", Duration::millis(1)}}));
  EXPECT_EQ(by.size(), 8u);
}

TEST(ScenarioLoaderFull, VariabilitySigmaMostSpecificScopeWins) {
  const ScenarioSpec s =
      load_ok(kFull, {"costs.all.variability_sigma=0.2", "costs.Org1.peers.variability_sigma=0.5"}, full_options());
  const auto& by = s.costs.variability_by_node;
  EXPECT_EQ(by.at("Org1.peer0"), 0.5);
  EXPECT_EQ(by.at("Org1.peer1"), 0.5);
  EXPECT_EQ(by.at("Org2.peer0"), 0.2);
  EXPECT_EQ(by.at("orderer0"), 0.2);
}

TEST(ScenarioLoaderFull, PowerLossTakesANodeSetAndFor) {
  const ScenarioSpec s = load_ok(kFull, {"faults.9={at: 130s, power_loss: [orderers, Org1.peer0], for: 3s}"},
                                 full_options());
  ASSERT_EQ(s.faults.size(), 10u);
  EXPECT_EQ(s.faults[9].action, FaultAction::kPowerLoss);
  EXPECT_EQ(s.faults[9].as<NodeFault>().targets.nodes, (Names{"Org1.peer0", "orderer0"}));
  EXPECT_EQ(s.faults[9].undo_after, Duration::seconds(3));
}

TEST(ScenarioLoaderFull, OpenLoopGenerator) {
  const ScenarioSpec s = load_ok(kFull, {}, full_options());
  ASSERT_EQ(s.workload.size(), 4u);
  const WorkloadSpec& w = s.workload[0];
  EXPECT_EQ(w.kind, WorkloadKind::kOpenLoop);
  EXPECT_EQ(w.chaincode, "kv");
  EXPECT_DOUBLE_EQ(w.rate_tps, 300);
  EXPECT_EQ(w.arrival, Arrival::kFixed);
  // Org1's clients and Org2.client0, in interleaved order.
  EXPECT_EQ(w.clients, (Names{"Org1.client0", "Org2.client0", "Org1.client1"}));
  EXPECT_EQ(w.start, Duration::seconds(1));
  EXPECT_EQ(w.end, Duration::seconds(100));
  EXPECT_EQ(w.keys.count, 500u);
  EXPECT_EQ(w.keys.prefix, "k");
  EXPECT_EQ(w.keys.distribution, KeyDistribution::kZipf);
  EXPECT_DOUBLE_EQ(w.keys.theta, 0.8);
  ASSERT_EQ(w.mix.size(), 2u);
  EXPECT_EQ(w.mix[0].function, "put");
  EXPECT_EQ(w.mix[0].weight, 3u);
  ASSERT_EQ(w.mix[0].args.size(), 2u);
  const std::vector<ArgPiece>& p = w.mix[0].args[1].pieces;
  ASSERT_EQ(p.size(), 4u);
  EXPECT_EQ(p[0].literal, "v");
  EXPECT_EQ(p[1].kind, ArgPiece::Kind::kSeq);
  EXPECT_EQ(p[2].literal, "-");
  EXPECT_EQ(p[3].kind, ArgPiece::Kind::kClient);
  EXPECT_EQ(w.mix[1].weight, 1u);
}

TEST(ScenarioLoaderFull, PhasesClosedAndScriptedGenerators) {
  const ScenarioSpec s = load_ok(kFull, {}, full_options());
  const WorkloadSpec& ph = s.workload[1];
  EXPECT_EQ(ph.kind, WorkloadKind::kPhases);
  EXPECT_EQ(ph.clients, (Names{"Org2.client0"}));  // bank is on ch2: Org2 and Org3 (no clients)
  ASSERT_EQ(ph.phases.size(), 2u);
  EXPECT_EQ(ph.phases[1].duration, Duration::seconds(20));
  EXPECT_DOUBLE_EQ(ph.phases[1].rate_tps, 50);
  EXPECT_EQ(ph.start, Duration::seconds(5));
  EXPECT_EQ(ph.end, Duration::seconds(35));  // start + 10s + 20s
  EXPECT_EQ(ph.keys.distribution, KeyDistribution::kHotset);
  EXPECT_DOUBLE_EQ(ph.keys.hot_fraction, 0.2);
  EXPECT_DOUBLE_EQ(ph.keys.hot_probability, 0.8);
  EXPECT_EQ(ph.mix[0].args[2].pieces[0].kind, ArgPiece::Kind::kInt);
  EXPECT_EQ(ph.mix[0].args[2].pieces[0].lo, -5);
  EXPECT_EQ(ph.mix[0].args[2].pieces[0].hi, 5);

  const WorkloadSpec& cl = s.workload[2];
  EXPECT_EQ(cl.kind, WorkloadKind::kClosedLoop);
  EXPECT_EQ(cl.outstanding, 4u);
  EXPECT_EQ(cl.think_time, Duration::millis(10));
  EXPECT_EQ(cl.keys.distribution, KeyDistribution::kSequential);
  EXPECT_EQ(cl.clients, (Names{"Org1.client0", "Org2.client0", "Org1.client1"}));

  const WorkloadSpec& sc = s.workload[3];
  EXPECT_EQ(sc.kind, WorkloadKind::kScripted);
  ASSERT_EQ(sc.transactions.size(), 2u);
  EXPECT_EQ(sc.transactions[0].id, "t1");
  EXPECT_EQ(sc.transactions[0].at, Duration::seconds(2));
  EXPECT_EQ(sc.transactions[0].client, "Org1.client1");
  EXPECT_EQ(sc.transactions[0].chaincode, "kv");
  EXPECT_EQ(sc.transactions[0].function, "put");
  EXPECT_EQ(sc.transactions[0].args, (Names{"x", "{literal}"}));  // scripted args are literal
}

TEST(ScenarioLoaderFull, Faults) {
  const ScenarioSpec s = load_ok(kFull, {}, full_options());
  ASSERT_EQ(s.faults.size(), 9u);
  const auto& f = s.faults;
  EXPECT_EQ(f[0].action, FaultAction::kCrash);
  EXPECT_EQ(f[0].at, Duration::seconds(10));
  EXPECT_EQ(f[0].as<NodeFault>().targets.nodes, (Names{"Org1.peer1"}));
  EXPECT_TRUE(f[0].as<NodeFault>().targets.roles.empty());
  EXPECT_EQ(f[0].undo_after, Duration::seconds(5));
  EXPECT_EQ(f[1].action, FaultAction::kPause);
  EXPECT_EQ(f[1].as<NodeFault>().targets.nodes, (Names{"Org2.peer0", "orderer0"}));
  EXPECT_EQ(f[2].action, FaultAction::kPartition);
  const PartitionFault& p = f[2].as<PartitionFault>();
  ASSERT_EQ(p.groups.size(), 2u);
  EXPECT_EQ(p.groups[0].nodes, (Names{"Org1.peer0", "Org1.peer1", "Org1.client0", "Org1.client1"}));
  EXPECT_EQ(p.groups[1].nodes, (Names{"Org2.peer0", "Org2.client0", "orderer0"}));
  EXPECT_TRUE(p.one_way);
  EXPECT_EQ(p.label, "cut");
  EXPECT_FALSE(f[2].undo_after.has_value());
  EXPECT_EQ(f[3].action, FaultAction::kHeal);
  EXPECT_EQ(f[3].as<HealFault>().label, "cut");
  EXPECT_EQ(f[4].action, FaultAction::kDegrade);
  EXPECT_EQ(f[4].as<DegradeFault>().between_a, (Names{"Org1.peer0"}));
  EXPECT_EQ(f[4].as<DegradeFault>().between_b, (Names{"orderer0"}));
  EXPECT_EQ(f[4].as<DegradeFault>().extra_latency, Duration::millis(10));
  // Each action's detail is its own alternative.
  for (const FaultSpec& x : f) EXPECT_EQ(x.detail.index(), fault_detail_index(x.action)) << fault_action_name(x.action);
  EXPECT_DOUBLE_EQ(f[4].as<DegradeFault>().extra_loss, 0.2);
  EXPECT_DOUBLE_EQ(f[4].as<DegradeFault>().bandwidth_factor, 0.5);
  EXPECT_EQ(f[6].action, FaultAction::kRestore);
  EXPECT_EQ(f[6].as<RestoreFault>().between_a, (Names{"Org1.peer0", "Org1.peer1"}));
  EXPECT_EQ(f[7].action, FaultAction::kClockOffset);
  EXPECT_EQ(f[7].as<ClockOffsetFault>().targets.nodes, (Names{"Org2.peer0"}));
  EXPECT_EQ(f[7].as<ClockOffsetFault>().offset, Duration::millis(-250));
  EXPECT_EQ(f[8].at, Duration::seconds(130));  // after duration, within duration + drain
  EXPECT_EQ(f[8].as<NodeFault>().targets.nodes, (Names{"Org3.peer0"}));
}

TEST(ScenarioLoaderFaults, RoleTargetsAreKeptBesideNamedNodesForTheRunToResolve) {
  const ScenarioSpec s = load_ok(std::string("name: roles\nduration: 10s\nnetwork:\n  orgs: [{name: Org1}, {name: Org2}]\n") +
                                 "faults:\n"
                                 "  - {at: 1s, crash: [Org1.peer0, orderer-leader(mychannel)], for: 1s}\n"
                                 "  - {at: 3s, partition: [[Org2], [\"orderer-leader( mychannel )\"]]}\n");
  ASSERT_EQ(s.faults.size(), 2u);
  const FaultTargets& crash = s.faults[0].as<NodeFault>().targets;
  EXPECT_EQ(crash.nodes, (Names{"Org1.peer0"}));
  ASSERT_EQ(crash.roles.size(), 1u);
  EXPECT_EQ(crash.roles[0].function, "orderer-leader");
  EXPECT_EQ(crash.roles[0].args, (Names{"mychannel"}));
  EXPECT_EQ(crash.roles[0].text, "orderer-leader(mychannel)");
  const PartitionFault& p = s.faults[1].as<PartitionFault>();
  ASSERT_EQ(p.groups.size(), 2u);
  EXPECT_TRUE(p.groups[1].nodes.empty());
  ASSERT_EQ(p.groups[1].roles.size(), 1u);
  EXPECT_EQ(p.groups[1].roles[0].args, (Names{"mychannel"}));  // spaces around arguments trimmed
}

TEST(ScenarioLoaderFaults, ARestartNamingTheNodeARoleTargetCrashedIsAccepted) {
  // With solo ordering orderer-leader(ch) is orderer0 for the whole run: the timeline check
  // follows it, so the named restart finds orderer0 down.
  const ScenarioSpec s = load_ok(std::string("name: roles\nduration: 10s\nnetwork:\n  orgs: [{name: Org1}]\n") +
                                 "faults:\n"
                                 "  - {at: 1s, crash: orderer-leader(mychannel)}\n"
                                 "  - {at: 2s, restart: orderer0}\n");
  EXPECT_EQ(s.faults.size(), 2u);
}

TEST(ScenarioLoaderFull, Expectations) {
  const ScenarioSpec s = load_ok(kFull, {}, full_options());
  const ExpectSpec& e = s.expect;
  EXPECT_EQ(e.invariants, InvariantsExpectation::kIgnore);
  EXPECT_EQ(e.tx.at("t1"), protos::VALID);
  EXPECT_EQ(e.tx.at("t2"), protos::MVCC_READ_CONFLICT);
  ASSERT_TRUE(e.throughput_tps.has_value());
  EXPECT_EQ(e.throughput_tps->min, 250.0);
  EXPECT_EQ(e.throughput_tps->max, 300.0);
  EXPECT_FALSE(e.latency_p50->min.has_value());
  EXPECT_EQ(e.latency_p50->max, Duration::seconds(1));
  EXPECT_EQ(e.latency_p95->min, Duration::millis(1));
  EXPECT_EQ(e.latency_p99->max, Duration::seconds(3));
  EXPECT_EQ(e.committed->min, 1000u);
  EXPECT_EQ(e.committed->max, 40000u);
  ASSERT_EQ(e.invalid.size(), 2u);
  EXPECT_EQ(e.invalid.at(protos::MVCC_READ_CONFLICT).max, 10u);
  EXPECT_FALSE(e.invalid.at(protos::MVCC_READ_CONFLICT).min.has_value());
  EXPECT_EQ(e.invalid.at(protos::ENDORSEMENT_POLICY_FAILURE).max, 0u);
  // A channel's own bounds.
  ASSERT_EQ(e.channels.size(), 1u);
  const MetricExpect& ch2 = e.channels.at("ch2");
  EXPECT_EQ(ch2.throughput_tps->min, 10.0);
  EXPECT_EQ(ch2.committed->max, 500u);
  EXPECT_EQ(ch2.invalid.at(protos::MVCC_READ_CONFLICT).max, 0u);
  EXPECT_FALSE(ch2.latency_p99.has_value());
}

// ---- defaults ------------------------------------------------------------------------

const char* kMinimal = R"yaml(
name: minimal
duration: 60s
network:
  orgs: [{name: Org1}, {name: Org2}]
chaincodes: [{name: kv, kind: kvstore}]
workload:
  - {rate: 10tps, mix: [{function: multi}]}
  - {outstanding: 2, mix: [{function: get, args: [k]}]}
  - {phases: [{duration: 1s, rate: 1tps}], mix: [{function: get, args: [k]}]}
  - transactions: [{id: a, at: 0s, client: Org2.client0, function: multi}]
faults:
  - {at: 1s, partition: [Org1, Org2]}
  - {at: 2s, heal: all}
)yaml";

TEST(ScenarioLoaderDefaults, TopLevel) {
  const ScenarioSpec s = load_ok(kMinimal);
  EXPECT_EQ(s.seed, 1u);
  EXPECT_EQ(s.drain, Duration::seconds(10));
  EXPECT_EQ(s.description, "");
}

TEST(ScenarioLoaderDefaults, OrgsNodesAndLinks) {
  const ScenarioSpec s = load_ok(kMinimal);
  EXPECT_EQ(s.network.orgs[1].msp_id, "Org2MSP");
  EXPECT_EQ(s.network.orgs[1].peers, 1u);
  EXPECT_EQ(s.network.orgs[1].clients, 1u);
  EXPECT_EQ(node_names(s), (Names{"Org1.peer0", "Org1.client0", "Org2.peer0", "Org2.client0", "orderer0"}));
  EXPECT_EQ(s.network.default_link.latency, Duration::micros(500));
  EXPECT_EQ(s.network.default_link.jitter, Duration::micros(100));
  EXPECT_EQ(s.network.default_link.bandwidth_bps, 1'000'000'000u);
  EXPECT_EQ(s.network.default_link.loss, 0.0);
  EXPECT_EQ(s.network.default_link.duplicate, 0.0);
  EXPECT_TRUE(s.network.link_overrides.empty());
}

TEST(ScenarioLoaderDefaults, OrderingIsFabricsSampleConfig) {
  const ScenarioSpec s = load_ok(kMinimal);
  EXPECT_EQ(s.ordering.type, OrderingType::kSolo);
  EXPECT_EQ(s.ordering.orderers, 1u);
  EXPECT_EQ(s.ordering.batch.batch_timeout, Duration::seconds(2));
  EXPECT_EQ(s.ordering.batch.size.max_message_count, 500u);
  EXPECT_EQ(s.ordering.batch.size.absolute_max_bytes, 10485760u);  // Fabric's "10 MB" is 10 MiB
  EXPECT_EQ(s.ordering.batch.size.preferred_max_bytes, 2097152u);
}

TEST(ScenarioLoaderDefaults, ChannelChaincodeCryptoCostsExpect) {
  const ScenarioSpec s = load_ok(kMinimal);
  ASSERT_EQ(s.channels.size(), 1u);
  EXPECT_EQ(s.channels[0].name, "mychannel");
  EXPECT_EQ(s.channels[0].orgs, (Names{"Org1", "Org2"}));
  EXPECT_EQ(s.chaincodes[0].channel, "mychannel");
  EXPECT_EQ(s.chaincodes[0].endorsement_policy.kind, EndorsementPolicySpec::Kind::kImplicitMeta);
  EXPECT_EQ(s.chaincodes[0].endorsement_policy.text, "MAJORITY Endorsement");
  EXPECT_FALSE(s.chaincodes[0].init.has_value());
  EXPECT_EQ(s.crypto.scheme, CryptoScheme::kEcdsa);
  EXPECT_TRUE(s.crypto.verify_cache);
  EXPECT_TRUE(s.costs.scopes.empty());
  EXPECT_TRUE(s.costs.by_node.empty());
  EXPECT_EQ(s.expect.invariants, InvariantsExpectation::kHold);
  EXPECT_TRUE(s.expect.tx.empty());
  EXPECT_FALSE(s.expect.throughput_tps.has_value());
}

TEST(ScenarioLoaderDefaults, Generators) {
  const ScenarioSpec s = load_ok(kMinimal);
  ASSERT_EQ(s.workload.size(), 4u);
  const WorkloadSpec& open = s.workload[0];
  EXPECT_EQ(open.chaincode, "kv");  // the only chaincode
  EXPECT_EQ(open.clients, (Names{"Org1.client0", "Org2.client0"}));
  EXPECT_EQ(open.start, Duration::zero());
  EXPECT_EQ(open.end, Duration::seconds(60));
  EXPECT_EQ(open.arrival, Arrival::kPoisson);
  EXPECT_EQ(open.keys.count, 1000u);
  EXPECT_EQ(open.keys.prefix, "key");
  EXPECT_EQ(open.keys.distribution, KeyDistribution::kUniform);
  EXPECT_EQ(open.mix[0].weight, 1u);
  EXPECT_TRUE(open.mix[0].args.empty());
  EXPECT_EQ(s.workload[1].think_time, Duration::zero());
  EXPECT_EQ(s.workload[1].end, Duration::seconds(60));
  EXPECT_EQ(s.workload[2].arrival, Arrival::kPoisson);
  EXPECT_EQ(s.workload[3].transactions[0].chaincode, "kv");
  EXPECT_TRUE(s.workload[3].transactions[0].args.empty());
}

TEST(ScenarioLoaderDefaults, ClientsAreThoseOfOrgsOnTheChaincodesChannel) {
  const ScenarioSpec s = load_ok(
      "name: t\nduration: 1s\nnetwork: {orgs: [{name: A, clients: 2}, {name: B, clients: 2}, {name: C}]}\n"
      "channels: [{name: ch, orgs: [C, B]}]\nchaincodes: [{name: kv, kind: kvstore}]\n"
      "workload: [{rate: 1tps, mix: [{function: put, args: [k, v]}]}, {rate: 1tps, clients: 2, mix: [{function: put, args: [k, v]}]}]\n");
  EXPECT_EQ(s.workload[0].clients, (Names{"B.client0", "C.client0", "B.client1"}));
  EXPECT_EQ(s.workload[1].clients, (Names{"B.client0", "C.client0"}));
}

TEST(ScenarioLoaderDefaults, Faults) {
  const ScenarioSpec s = load_ok(kMinimal);
  ASSERT_EQ(s.faults.size(), 2u);
  const PartitionFault& p = s.faults[0].as<PartitionFault>();
  EXPECT_FALSE(p.one_way);
  EXPECT_EQ(p.label, "");
  ASSERT_EQ(p.groups.size(), 2u);
  EXPECT_EQ(p.groups[0].nodes, (Names{"Org1.peer0", "Org1.client0"}));
  EXPECT_EQ(p.groups[1].nodes, (Names{"Org2.peer0", "Org2.client0"}));
  EXPECT_EQ(s.faults[1].as<HealFault>().label, "");  // heal: all
}

TEST(ScenarioLoaderDefaults, EmptyListsAndMapsAreEmpty) {
  const ScenarioSpec s =
      load_ok("name: t\nduration: 1s\nnetwork: {orgs: [{name: A}]}\nfaults:\nworkload: []\ncosts:\n");
  EXPECT_TRUE(s.faults.empty());
  EXPECT_TRUE(s.workload.empty());
}

TEST(ScenarioLoaderDefaults, KindsOfNodeNames) {
  // Org1.peers / Org1.clients / Org1 / peers / clients / all each select what the docs say.
  const ScenarioSpec s = load_ok(R"yaml(
name: t
duration: 10s
network: {orgs: [{name: Org1, peers: 2, clients: 2}, {name: Org2}]}
faults:
  - {at: 1s, crash: Org1.peers}
  - {at: 2s, pause: Org1.clients}
  - {at: 3s, crash: Org2.peer0, for: 1s}
  - {at: 3s, clock_offset: {node: all, offset: 1ms}}
  - {at: 4s, clock_offset: {node: [clients, orderers], offset: 0}}
  - {at: 5s, clock_offset: {node: Org1, offset: 0}}
)yaml");
  ASSERT_EQ(s.faults.size(), 6u);
  EXPECT_EQ(s.faults[0].as<NodeFault>().targets.nodes, (Names{"Org1.peer0", "Org1.peer1"}));
  EXPECT_EQ(s.faults[1].as<NodeFault>().targets.nodes, (Names{"Org1.client0", "Org1.client1"}));
  EXPECT_EQ(s.faults[3].as<ClockOffsetFault>().targets.nodes.size(), 7u);
  EXPECT_EQ(s.faults[4].as<ClockOffsetFault>().targets.nodes, (Names{"Org1.client0", "Org1.client1", "Org2.client0", "orderer0"}));
  EXPECT_EQ(s.faults[5].as<ClockOffsetFault>().targets.nodes, (Names{"Org1.peer0", "Org1.peer1", "Org1.client0", "Org1.client1"}));
}

// ---- nodes: per-node settings ---------------------------------------------------------

// Org1: two peers and a client; Org2: a peer and a client; orderer0. Cases append `nodes`.
const std::string kNodesBase =
    "name: t\n"
    "duration: 10s\n"
    "network: {orgs: [{name: Org1, peers: 2}, {name: Org2}]}\n";

std::string describe(const NodeSettings& s) {
  return "cores=" + std::to_string(s.cores) + " validator_pool_size=" + std::to_string(s.validator_pool_size) +
         " deliver_retry=" + format_duration(s.deliver_retry) +
         " endorsement_timeout=" + format_duration(s.endorsement_timeout) +
         " broadcast_timeout=" + format_duration(s.broadcast_timeout) +
         " commit_timeout=" + format_duration(s.commit_timeout) +
         " broadcast_attempts=" + std::to_string(s.broadcast_attempts) +
         " endorsement_attempts=" + std::to_string(s.endorsement_attempts) +
         " endorser_backoff=" + format_duration(s.endorser_backoff) +
         " event_silence=" + format_duration(s.event_silence);
}

struct NodeSettingsCase {
  const char* name;
  std::string nodes;          // appended to kNodesBase
  std::vector<std::string> sets;
  std::map<std::string, NodeSettings> want;  // every node of kNodesBase
};

std::vector<NodeSettingsCase> node_settings_cases() {
  const NodeSettings d;  // the defaults
  return {
      {"DefaultsForEveryNodeWhenTheSectionIsAbsent",
       "",
       {},
       {{"Org1.peer0", d}, {"Org1.peer1", d}, {"Org1.client0", d}, {"Org2.peer0", d}, {"Org2.client0", d},
        {"orderer0", d}}},
      {"EmptySectionAndEmptyScopeSetNothing",
       "nodes:\n  peers:\n",
       {},
       {{"Org1.peer0", d}, {"Org1.peer1", d}, {"Org1.client0", d}, {"Org2.peer0", d}, {"Org2.client0", d},
        {"orderer0", d}}},
      {"MostSpecificScopeWins",
       "nodes:\n"
       "  Org1.peer0: {cores: 16}\n"  // node 4
       "  all:        {cores: 3}\n"   // all 0 (file order does not matter)
       "  Org1.peers: {cores: 12}\n"  // org role 3
       "  Org1:       {cores: 8}\n"   // org 2
       "  peers:      {cores: 4, validator_pool_size: 2}\n"  // role 1
       "  Org2:       {validator_pool_size: 1}\n",
       {},
       {{"Org1.peer0", {.cores = 16, .validator_pool_size = 2}},
        {"Org1.peer1", {.cores = 12, .validator_pool_size = 2}},
        {"Org1.client0", {.cores = 8}},
        {"Org2.peer0", {.cores = 4, .validator_pool_size = 1}},
        {"Org2.client0", {.cores = 3}},
        {"orderer0", {.cores = 3}}}},
      {"RoleKeyAppliesOnlyToItsRolesInAMixedScope",
       "nodes:\n"
       "  all:  {validator_pool_size: 1, endorsement_timeout: 3s}\n"
       "  Org1: {deliver_retry: 1s, broadcast_attempts: 5}\n",
       {},
       {{"Org1.peer0", {.validator_pool_size = 1, .deliver_retry = Duration::seconds(1)}},
        {"Org1.peer1", {.validator_pool_size = 1, .deliver_retry = Duration::seconds(1)}},
        {"Org1.client0", {.endorsement_timeout = Duration::seconds(3), .broadcast_attempts = 5}},
        {"Org2.peer0", {.validator_pool_size = 1}},
        {"Org2.client0", {.endorsement_timeout = Duration::seconds(3)}},
        {"orderer0", d}}},
      {"RoleKeyInAMoreSpecificMixedScopeOverridesForItsRolesOnly",
       "nodes:\n"
       "  peers: {validator_pool_size: 4}\n"
       "  Org1:  {validator_pool_size: 2, cores: 6}\n",
       {},
       {{"Org1.peer0", {.cores = 6, .validator_pool_size = 2}},
        {"Org1.peer1", {.cores = 6, .validator_pool_size = 2}},
        {"Org1.client0", {.cores = 6}},
        {"Org2.peer0", {.validator_pool_size = 4}},
        {"Org2.client0", d},
        {"orderer0", d}}},
      {"EveryClientKey",
       "nodes:\n"
       "  clients: {endorsement_timeout: 1s, broadcast_timeout: 2s, commit_timeout: 3s, broadcast_attempts: 4,\n"
       "            endorsement_attempts: 5, endorser_backoff: 6s, event_silence: 7s}\n",
       {},
       {{"Org1.peer0", d}, {"Org1.peer1", d},
        {"Org1.client0",
         {.endorsement_timeout = Duration::seconds(1), .broadcast_timeout = Duration::seconds(2),
          .commit_timeout = Duration::seconds(3), .broadcast_attempts = 4, .endorsement_attempts = 5,
          .endorser_backoff = Duration::seconds(6), .event_silence = Duration::seconds(7)}},
        {"Org2.peer0", d},
        {"Org2.client0",
         {.endorsement_timeout = Duration::seconds(1), .broadcast_timeout = Duration::seconds(2),
          .commit_timeout = Duration::seconds(3), .broadcast_attempts = 4, .endorsement_attempts = 5,
          .endorser_backoff = Duration::seconds(6), .event_silence = Duration::seconds(7)}},
        {"orderer0", d}}},
      {"ZeroTurnsEndorserBackoffAndEventSilenceOff",
       "nodes:\n  Org2.clients: {endorser_backoff: 0, event_silence: 0s}\n",
       {},
       {{"Org1.peer0", d}, {"Org1.peer1", d}, {"Org1.client0", d}, {"Org2.peer0", d},
        {"Org2.client0", {.endorser_backoff = Duration::zero(), .event_silence = Duration::zero()}},
        {"orderer0", d}}},
      {"SetOverrideWritesAScope",
       "",
       {"nodes.peers.cores=4"},
       {{"Org1.peer0", {.cores = 4}}, {"Org1.peer1", {.cores = 4}}, {"Org1.client0", d}, {"Org2.peer0", {.cores = 4}},
        {"Org2.client0", d}, {"orderer0", d}}},
      {"SetOverrideChangesAFileValueAndAddsANodeScope",
       "nodes:\n  peers: {cores: 8, deliver_retry: 2s}\n",
       {"nodes.peers.cores=4", "nodes.\"Org2.peer0\".cores=1"},
       {{"Org1.peer0", {.cores = 4, .deliver_retry = Duration::seconds(2)}},
        {"Org1.peer1", {.cores = 4, .deliver_retry = Duration::seconds(2)}},
        {"Org1.client0", d},
        {"Org2.peer0", {.cores = 1, .deliver_retry = Duration::seconds(2)}},
        {"Org2.client0", d},
        {"orderer0", d}}},
  };
}

class ScenarioLoaderNodeSettings : public testing::TestWithParam<NodeSettingsCase> {};

TEST_P(ScenarioLoaderNodeSettings, EffectiveSettingsPerNode) {
  const NodeSettingsCase& c = GetParam();
  const ScenarioSpec s = load_ok(kNodesBase + c.nodes, c.sets);
  ASSERT_EQ(s.node_settings.by_node.size(), s.nodes.size()) << "an entry for every node";
  for (const NodeSpec& n : s.nodes) {
    ASSERT_TRUE(c.want.count(n.name)) << n.name;
    ASSERT_TRUE(s.node_settings.by_node.count(n.name)) << n.name;
    EXPECT_EQ(describe(s.node_settings.of(n.name)), describe(c.want.at(n.name))) << n.name;
  }
}

INSTANTIATE_TEST_SUITE_P(ScenarioRules, ScenarioLoaderNodeSettings, testing::ValuesIn(node_settings_cases()),
                         [](const testing::TestParamInfo<NodeSettingsCase>& i) { return std::string(i.param.name); });

TEST(ScenarioLoaderNodeSettingsScopes, ScopesAsWrittenInFileOrder) {
  const ScenarioSpec s = load_ok(kNodesBase + "nodes:\n  Org1.peers: {cores: 4, deliver_retry: 1s}\n  all:\n");
  ASSERT_EQ(s.node_settings.scopes.size(), 2u);
  const NodeSettingsScopeSpec& a = s.node_settings.scopes[0];
  EXPECT_EQ(a.selector, "Org1.peers");
  EXPECT_EQ(a.specificity, 3);
  EXPECT_EQ(a.nodes, (Names{"Org1.peer0", "Org1.peer1"}));
  EXPECT_EQ(a.keys, (Names{"cores", "deliver_retry"}));
  const NodeSettingsScopeSpec& b = s.node_settings.scopes[1];
  EXPECT_EQ(b.selector, "all");
  EXPECT_EQ(b.specificity, 0);
  EXPECT_EQ(b.nodes.size(), 6u);
  EXPECT_TRUE(b.keys.empty());
}

// ---- the shipped example files --------------------------------------------------------

TEST(ScenarioExamples, EveryShippedScenarioLoads) {
  const std::filesystem::path dir = std::filesystem::path(FABSIM_SOURCE_DIR) / "scenarios";
  std::set<std::string> loaded;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    if (entry.path().extension() == ".yaml") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    auto r = load_scenario_file(f.string());
    EXPECT_TRUE(r.is_ok()) << r.status().message();
    if (r.is_ok()) {
      EXPECT_EQ(r->name, f.stem().string()) << "a scenario's name is its file name";
      loaded.insert(r->name);
    }
  }
  for (const char* name : {"quickstart", "contention", "peer-crash", "orderer-partition", "two-channels"})
    EXPECT_TRUE(loaded.count(name)) << name << ".yaml is missing or does not load";
}

TEST(ScenarioExamples, TheDocsCompleteExampleLoads) {
  std::ifstream in(std::string(FABSIM_SOURCE_DIR) + "/docs/scenario-format.md");
  std::stringstream text;
  text << in.rdbuf();
  const std::string doc = text.str();
  const size_t section = doc.find("## A complete example");
  ASSERT_NE(section, std::string::npos);
  const size_t start = doc.find("```yaml\n", section);
  ASSERT_NE(start, std::string::npos);
  const size_t end = doc.find("\n```", start + 8);
  ASSERT_NE(end, std::string::npos);
  auto r = load_scenario_text(doc.substr(start + 8, end - start - 8), "scenario-format.md example");
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  EXPECT_EQ(r->seed, 42u);
  EXPECT_EQ(r->faults.size(), 4u);
  EXPECT_EQ(r->node_settings.of("Org1.peer0").cores, 4u);
}

// The first yaml block after `heading` in docs/scenario-format.md.
std::string doc_example(const std::string& heading) {
  std::ifstream in(std::string(FABSIM_SOURCE_DIR) + "/docs/scenario-format.md");
  std::stringstream text;
  text << in.rdbuf();
  const std::string doc = text.str();
  const size_t section = doc.find("\n" + heading + "\n");
  EXPECT_NE(section, std::string::npos) << heading;
  const size_t start = doc.find("```yaml\n", section);
  const size_t end = doc.find("\n```", start + 8);
  if (section == std::string::npos || start == std::string::npos || end == std::string::npos) return "";
  return doc.substr(start + 8, end - start - 8);
}

TEST(ScenarioExamples, TheDocsCostsAndNodesExamplesLoad) {
  const std::string base =
      "name: t\nduration: 1s\nnetwork: {orgs: [{name: Org1, peers: 2}, {name: Org2, peers: 2}]}\n";
  LoaderOptions opts;
  opts.cost_names = fabsim::cost_names();  // the names the binary accepts
  auto r = load_scenario_text(base + doc_example("## costs") + "\n" + doc_example("## nodes") + "\n",
                              "scenario-format.md examples", {}, opts);
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  EXPECT_EQ(r->costs.scopes.size(), 4u);
  EXPECT_EQ(r->node_settings.of("Org2.peer1").cores, 8u);
  EXPECT_EQ(r->node_settings.of("Org1.peer0").validator_pool_size, 1u);
  EXPECT_EQ(r->node_settings.of("Org1.client0").cores, 2u);
}

TEST(ScenarioExamples, QuickstartIsWhatTheIssueAsks) {
  auto r = load_scenario_file(std::string(FABSIM_SOURCE_DIR) + "/scenarios/quickstart.yaml");
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  EXPECT_EQ(r->network.orgs.size(), 2u);
  EXPECT_EQ(r->network.orgs[0].peers, 2u);
  EXPECT_EQ(r->network.orgs[1].peers, 2u);
  EXPECT_EQ(r->ordering.type, OrderingType::kSolo);
  EXPECT_EQ(r->chaincodes[0].kind, "kvstore");
  EXPECT_EQ(r->chaincodes[0].endorsement_policy.text, "AND('Org1MSP.peer','Org2MSP.peer')");
  EXPECT_DOUBLE_EQ(r->workload[0].rate_tps, 200);
  EXPECT_EQ(r->duration, Duration::seconds(60));
}

TEST(ScenarioExamples, ContentionUsesZipf099) {
  auto r = load_scenario_file(std::string(FABSIM_SOURCE_DIR) + "/scenarios/contention.yaml");
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  EXPECT_EQ(r->chaincodes[0].kind, "smallbank");
  EXPECT_EQ(r->workload[1].keys.distribution, KeyDistribution::kZipf);
  EXPECT_DOUBLE_EQ(r->workload[1].keys.theta, 0.99);
}

}  // namespace
}  // namespace fabsim::scenario
