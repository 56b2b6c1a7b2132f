// The spec writer (scenarios/scenario_writer.h): loading what it writes gives the spec it
// was given, for every shipped scenario file and for hand-written files that use every key
// the loader reads; its value forms parse back exactly; the defaults it leaves out follow
// the keys they come from, as in the original file. One case per rule, named after it.
#include "scenarios/scenario_writer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "core/cost_model.h"
#include "core/units.h"
#include "scenarios/scenario_loader.h"

namespace fabsim::scenario {
namespace {

namespace fs = std::filesystem;

LoaderOptions options() {
  LoaderOptions o;
  o.cost_names = cost_names();
  return o;
}

Result<ScenarioSpec> load(const std::string& text, const std::string& name,
                          const std::vector<std::string>& sets = {}) {
  return load_scenario_text(text, name, sets, options());
}

// load(write(spec)) == spec, for the indented and the one-line text of the tree, and the
// reloaded spec writes the same tree.
void expect_round_trip(const ScenarioSpec& spec) {
  const nlohmann::ordered_json tree = write_scenario(spec);
  for (const std::string& text : {tree.dump(2), tree.dump()}) {
    auto again = load(text, "written.json");
    ASSERT_TRUE(again.is_ok()) << again.status().message() << "\n" << text;
    EXPECT_TRUE(*again == spec) << "the spec changed on the way through\n" << text;
    EXPECT_EQ(write_scenario(*again), tree);
  }
}

// ---- value forms -------------------------------------------------------------------------

struct DurationCase {
  const char* name;
  Duration value;
  const char* text;
};

// gtest names a failing case by it.
void PrintTo(const DurationCase& c, std::ostream* os) { *os << c.name; }

class WriteDuration : public testing::TestWithParam<DurationCase> {};

TEST_P(WriteDuration, IsTheLargestWholeUnitAndParsesBack) {
  const DurationCase& c = GetParam();
  EXPECT_EQ(write_duration(c.value), c.text);
  if (c.value.ns >= 0) {
    auto back = parse_duration(c.text);
    ASSERT_TRUE(back.is_ok()) << back.status().message();
    EXPECT_EQ(*back, c.value);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Rules, WriteDuration,
    testing::Values(DurationCase{"ZeroIsZeroSeconds", Duration::zero(), "0s"},
                    DurationCase{"WholeHours", Duration::seconds(7200), "2h"},
                    DurationCase{"WholeMinutes", Duration::seconds(120), "2m"},
                    DurationCase{"SecondsThatAreNotWholeMinutes", Duration::seconds(90), "90s"},
                    DurationCase{"Milliseconds", Duration::millis(1500), "1500ms"},
                    DurationCase{"Microseconds", Duration::micros(250), "250us"},
                    DurationCase{"NanosecondPrecisionIsKept", Duration::nanos(1'291'150'695), "1291150695ns"},
                    DurationCase{"NegativeKeepsItsSign", Duration::zero() - Duration::millis(500), "-500ms"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(WriteValue, SizesTakeTheLargestWholeUnitOfEitherFamily) {
  EXPECT_EQ(write_size(10u << 20), "10MiB");
  EXPECT_EQ(write_size(10'000'000), "10MB");
  EXPECT_EQ(write_size(1u << 30), "1GiB");
  EXPECT_EQ(write_size(1000), "1KB");
  EXPECT_EQ(write_size(1001), "1001B");
  for (uint64_t bytes : {uint64_t{10u << 20}, uint64_t{10'000'000}, uint64_t{1001}, uint64_t{4294967295u}})
    EXPECT_EQ(*parse_size(write_size(bytes)), bytes);
}

TEST(WriteValue, BandwidthsTakeTheLargestWholeUnit) {
  EXPECT_EQ(write_bandwidth(1'000'000'000), "1Gbps");
  EXPECT_EQ(write_bandwidth(2'500'000), "2500kbps");
  EXPECT_EQ(write_bandwidth(7), "7bps");
  EXPECT_EQ(*parse_bandwidth(write_bandwidth(2'500'000)), 2'500'000u);
}

TEST(WriteValue, RatesAreShortestPlainDecimalsThatParseBackExactly) {
  EXPECT_EQ(write_rate(300), "300tps");
  EXPECT_EQ(write_rate(0.5), "0.5tps");
  EXPECT_EQ(write_rate(1e-6), "0.000001tps");  // the rate parser takes no exponent
  for (double r : {300.0, 1.0 / 3, 1e-6, 123456.789, 1e20}) EXPECT_EQ(*parse_rate(write_rate(r)), r) << write_rate(r);
}

// ---- the shipped scenario files ------------------------------------------------------------

// Every scenario file the project ships: scenarios/ and its subdirectories, the scenario
// regression files in tests/scenarios/ and the benchmark scenarios in bench/.
std::vector<std::string> shipped_files() {
  std::vector<std::string> out;
  for (const char* dir : {"scenarios", "tests/scenarios", "bench"})
    for (const auto& e : fs::recursive_directory_iterator(fs::path(FABSIM_SOURCE_DIR) / dir))
      if (e.is_regular_file() && e.path().extension() == ".yaml")
        out.push_back(fs::relative(e.path(), FABSIM_SOURCE_DIR).string());
  std::sort(out.begin(), out.end());
  return out;
}

std::string test_name(const std::string& path) {
  std::string name = path.substr(0, path.size() - 5);  // without ".yaml"
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
}

class ShippedScenario : public testing::TestWithParam<std::string> {};

TEST_P(ShippedScenario, LoadsBackFromWhatTheWriterWrites) {
  auto spec = load_scenario_file(std::string(FABSIM_SOURCE_DIR) + "/" + GetParam(), {}, options());
  ASSERT_TRUE(spec.is_ok()) << spec.status().message();
  expect_round_trip(*spec);
}

INSTANTIATE_TEST_SUITE_P(Files, ShippedScenario, testing::ValuesIn(shipped_files()),
                         [](const auto& info) { return test_name(info.param); });

TEST(ShippedScenarioFiles, AreFound) {
  const auto files = shipped_files();
  EXPECT_NE(std::find(files.begin(), files.end(), "scenarios/quickstart.yaml"), files.end());
}

// ---- hand-written files using every key ----------------------------------------------------

// Two orgs on a channel `ch` with a kvstore `kv`; cases append sections.
const std::string kBase = R"yaml(
name: base
duration: 100s
network:
  orgs:
    - {name: Org1, peers: 2, clients: 2}
    - {name: Org2, msp_id: SecondMSP, peers: 2, clients: 1}
)yaml";
const std::string kChannel = R"yaml(
channels: [{name: ch, orgs: [Org1, Org2]}]
chaincodes: [{name: kv, kind: kvstore}]
)yaml";

struct SpecCase {
  const char* name;
  std::string yaml;
};

void PrintTo(const SpecCase& c, std::ostream* os) { *os << c.name; }

class HandWritten : public testing::TestWithParam<SpecCase> {};

TEST_P(HandWritten, LoadsBackFromWhatTheWriterWrites) {
  auto spec = load(GetParam().yaml, "case.yaml");
  ASSERT_TRUE(spec.is_ok()) << spec.status().message();
  expect_round_trip(*spec);
}

std::vector<SpecCase> hand_written_cases() {
  return {
      {"TopLevelValues", R"yaml(
name: "every: top-level key"
description: "a description with 'quotes', \"double quotes\", a tab\t and é"
seed: 18446744073709551615
duration: 1291150695ns
drain: 0
network: {orgs: [{name: Org1}]}
)yaml"},
      {"NoChaincodesNoWorkloadDefaultChannel", kBase},
      {"LinkDefaultAndOverridesWithTheirSelectorsAsWritten", kBase + R"yaml(
  links:
    default: {latency: 2ms, jitter: 0, bandwidth: 100Mbps, loss: 0.0123456789, duplicate: 1e-7}
    overrides:
      - {between: [Org1, [Org2, orderers]], latency: 20ms, loss: 0.05}
      - {between: [Org1.peer0, Org1.peers], bandwidth: 2500kbps}
      - {between: [all, Org2.clients], jitter: 3us, duplicate: 0.5}
)yaml"},
      {"OrderingBatchSettingsInExactSizes", kBase + R"yaml(
ordering:
  type: solo
  orderers: 1
  batch_timeout: 1500ms
  batch_size: {max_message_count: 7, absolute_max_bytes: 4294967295B, preferred_max_bytes: 1001B}
)yaml"},
      {"ChannelsWithPeersAndBatchSettingsOfTheirOwn", kBase + R"yaml(
ordering: {batch_timeout: 500ms, batch_size: {max_message_count: 100}}
channels:
  - {name: a, orgs: [Org1, Org2]}
  - {name: b.2-x, orgs: Org2, peers: [Org2.peer1], batch_timeout: 1s, batch_size: {preferred_max_bytes: 512KB}}
  - {name: c, orgs: [Org2, Org1], peers: [Org1.peer1, Org2], batch_size: {max_message_count: 10, absolute_max_bytes: 20MB}}
)yaml"},
      {"ChaincodesWithEveryPolicyFormAndInit", kBase + R"yaml(
channels: [{name: ch, orgs: [Org1, Org2]}, {name: other, orgs: [Org2]}]
chaincodes:
  - {name: kv, channel: ch, kind: kvstore, endorsement_policy: "OutOf(1, 'Org1MSP.peer', 'SecondMSP.member')", init: [a, "1", ""]}
  - {name: bank, channel: other, kind: smallbank, endorsement_policy: ANY Endorsement, init: []}
  - {name: assets, channel: ch, kind: asset, endorsement_policy: "AND('Org1MSP.peer','SecondMSP.peer')"}
  - {name: plain, channel: ch, kind: kvstore}
)yaml"},
      {"CryptoHmacWithoutTheVerifyCache", kBase + "crypto: {scheme: hmac, verify_cache: false}\n"},
      {"CostScopesAtEveryLevelWithVariability", kBase + R"yaml(
costs:
  all: {fsync: 1ms, variability_sigma: 0.25}
  peers: {vscc_per_endorsement: 2ms, endorse: 3ms}
  Org1: {endorse: 4ms}
  Org1.peers: {endorse: 5ms, variability_sigma: 0}
  Org1.peer0: {mvcc_per_read: 6ns}
  orderers: {}
)yaml"},
      {"NodeSettingsScopesIncludingOneEveryNodeOfWhichIsOverridden", kBase + R"yaml(
nodes:
  all: {cores: 3}
  Org2.peers: {validator_pool_size: 2, deliver_retry: 2s}
  Org2.peer0: {validator_pool_size: 4}
  Org2.peer1: {validator_pool_size: 1}
  clients: {endorsement_timeout: 3s, broadcast_timeout: 4s, commit_timeout: 90s, broadcast_attempts: 5,
            endorsement_attempts: 1, endorser_backoff: 0, event_silence: 0}
  Org1: {cores: 8}
)yaml"},
      {"OpenLoopWithFixedArrivalZipfKeysStartAndEnd", kBase + kChannel + R"yaml(
workload:
  - chaincode: kv
    rate: 333.3333333333333tps
    arrival: fixed
    clients: [Org2, Org1.client1]
    start: 1s
    end: 99999999999ns
    keys: {count: 500, prefix: "", distribution: zipf, theta: 0.123456789}
    mix:
      - {function: put, weight: 3, args: ["{key}", "v{seq}-{client}-{{x}}-{int:-5:5}-{bytes:10}"]}
      - {function: get, args: ["{key}"]}
  - {rate: 0.001tps, clients: 2, mix: [{function: get, args: [k]}]}
)yaml"},
      {"PhasesWithHotsetKeys", kBase + kChannel + R"yaml(
workload:
  - phases: [{duration: 10s, rate: 10tps}, {duration: 20500ms, rate: 0.5tps}]
    start: 5s
    arrival: poisson
    clients: 1
    keys: {count: 100, distribution: hotset, hot_fraction: 0.2, hot_probability: 0.8}
    mix: [{function: put, args: ["{key}", "{key2}"]}]
)yaml"},
      {"ClosedLoopWithThinkTimeSequentialKeysAndEnd", kBase + kChannel + R"yaml(
workload:
  - {outstanding: 4, think_time: 10ms, end: 50s, keys: {distribution: sequential, count: 3}, mix: [{function: get, args: ["{key}"]}]}
  - {outstanding: 1, mix: [{function: get, args: ["{key}"]}]}
)yaml"},
      {"ScriptedTransactionsWithEndorsersAndArgumentsOfEveryShape", kBase + kChannel + R"yaml(
workload:
  - transactions:
      - {id: t1, at: 2s, client: Org1.client1, chaincode: kv, function: put, args: [x, "{literal}"], endorsers: [Org2.peer1, Org1.peer0]}
      - {id: t-2, at: 0, client: Org2.client0, function: put, args: ["null", "ü ∑ \"q\" \\ \n\u0001"]}
      - {id: t3, at: 1ms, client: Org2.client0, function: put, args: ["true", ""]}
  - transactions: []
)yaml"},
      {"NodeFaultsOfEveryKindWithForAndRoleTargets", kBase + kChannel + R"yaml(
faults:
  - {at: 10s, crash: Org1.peer1, for: 5s}
  - {at: 20s, pause: [Org2.peer0, orderer0], for: 1s}
  - {at: 30s, power_loss: [Org2, "orderer-leader(ch)"]}
  - {at: 31s, restart: [Org2.peer1, Org2.peer0, Org2.client0, orderer0]}
  - {at: 40s, pause: Org1.peers}
  - {at: 41s, resume: Org1.peers}
  - {at: 42s, crash: "orderer-leader(ch)", for: 250ms}
  - {at: 109s, power_loss: Org1.clients}
)yaml"},
      {"PartitionsWithOneWayLabelsRoleSetsAndHeals", kBase + kChannel + R"yaml(
faults:
  - {at: 30s, partition: [[Org1], ["orderer-leader(ch)", Org2]], one_way: true, label: cut}
  - {at: 40s, heal: cut}
  - {at: 50s, partition: [Org1.peer0, Org1.peer1, [Org2.peers]], for: 5s}
  - {at: 60s, partition: [[Org1.clients], [Org2.clients]], label: p-2}
  - {at: 61s, heal: all}
)yaml"},
      {"DegradeWithForAndRestore", kBase + kChannel + R"yaml(
faults:
  - {at: 50s, degrade: {between: [Org1.peer0, orderers], latency: 10ms, loss: 0.2, bandwidth_factor: 0.5}, for: 10s}
  - {at: 70s, degrade: {between: [Org2, Org1.peers], bandwidth_factor: 0.1}}
  - {at: 80s, restore: {between: [Org1.peers, Org2]}}
  - {at: 81s, degrade: {between: [all, all], loss: 1}}
)yaml"},
      {"KafkaOrderingWithEveryKey", kBase + R"yaml(
ordering: {type: kafka, orderers: 2}
kafka: {version: "0.10", brokers: 5, zookeepers: 5, replication_factor: 4, min_insync_replicas: 3,
        unclean_leader_election: true, acks: "1", zookeeper_session_timeout: 4s, replica_lag_time_max: 12500ms}
)yaml"},
      {"KafkaExpectations", kBase + R"yaml(
ordering: {type: kafka}
kafka: {brokers: 3, unclean_leader_election: true}
expect:
  kafka: {lost_acknowledged: {min: 1, max: 40}, replica_divergence: {max: 0}}
)yaml"},
      {"KafkaOrderingWithDefaultsCappedByFewBrokers", kBase + R"yaml(
ordering: {type: kafka}
kafka: {brokers: 2}
)yaml"},
      {"ClockOffsetsOfEitherSign", kBase + kChannel + R"yaml(
faults:
  - {at: 90s, clock_offset: {node: Org2.peer0, offset: -250ms}}
  - {at: 91s, clock_offset: {node: [Org1, "orderer-leader(ch)"], offset: 1h}}
)yaml"},
      {"ExpectationsOfEveryKindWholeRunAndPerChannel", kBase + kChannel + R"yaml(
workload:
  - transactions:
      - {id: t1, at: 2s, client: Org1.client1, function: put, args: [x, y]}
      - {id: t2, at: 2s, client: Org2.client0, function: get, args: [x]}
expect:
  invariants: ignore
  tx: {t2: MVCC_READ_CONFLICT, t1: VALID}
  throughput_tps: {min: 250.5, max: 300tps}
  latency_p50: {max: 1s}
  latency_p95: {min: 1ms, max: 2s}
  latency_p99: {max: 1291150695ns}
  committed: {min: 0, max: 18446744073709551615}
  invalid: {MVCC_READ_CONFLICT: {max: 10}, ENDORSEMENT_POLICY_FAILURE: {min: 0, max: 0}}
  failure_rate: {min: 0.125, max: 0.3333333333333333}
  channels:
    ch: {throughput_tps: {min: 10}, latency_p50: {min: 0}, latency_p95: {max: 1m}, latency_p99: {max: 3s},
         committed: {max: 500}, invalid: {PHANTOM_READ_CONFLICT: {min: 1}}, failure_rate: {max: 0}}
)yaml"},
  };
}

INSTANTIATE_TEST_SUITE_P(Keys, HandWritten, testing::ValuesIn(hand_written_cases()),
                         [](const auto& info) { return std::string(info.param.name); });

// ---- defaults that follow another key ------------------------------------------------------

struct FollowCase {
  const char* name;
  std::string yaml;
  std::string set;  // applied to the original file and to what the writer wrote
};

void PrintTo(const FollowCase& c, std::ostream* os) { *os << c.name; }

class FollowingDefault : public testing::TestWithParam<FollowCase> {};

TEST_P(FollowingDefault, FollowsItsKeyInTheWrittenFileAsInTheOriginal) {
  const FollowCase& c = GetParam();
  auto spec = load(c.yaml, "case.yaml");
  ASSERT_TRUE(spec.is_ok()) << spec.status().message();
  auto original = load(c.yaml, "case.yaml", {c.set});
  ASSERT_TRUE(original.is_ok()) << original.status().message();
  const std::string written = write_scenario(*spec).dump(2);
  auto rewritten = load(written, "written.json", {c.set});
  ASSERT_TRUE(rewritten.is_ok()) << rewritten.status().message() << "\n" << written;
  EXPECT_TRUE(*rewritten == *original) << written;
  EXPECT_FALSE(*original == *spec) << "the --set changes nothing; the case tests nothing";
}

INSTANTIATE_TEST_SUITE_P(
    Rules, FollowingDefault,
    testing::Values(
        FollowCase{"AGeneratorsEndFollowsDuration",
                   kBase + kChannel + "workload: [{rate: 1tps, mix: [{function: get, args: [k]}]}]\n", "duration=30s"},
        FollowCase{"AChannelsPeersFollowItsOrgs", kBase + kChannel, "network.orgs.0.peers=3"},
        FollowCase{"AChannelsBatchTimeoutFollowsTheOrderingSections", kBase + kChannel, "ordering.batch_timeout=1s"},
        FollowCase{"AChannelsBatchSizeFollowsTheOrderingSections", kBase + kChannel,
                   "ordering.batch_size.max_message_count=9"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(WriteScenario, KeepsAGeneratorsEndThatIsNotTheDuration) {
  auto spec = load(kBase + kChannel + "workload: [{rate: 1tps, end: 50s, mix: [{function: get, args: [k]}]}]\n",
                   "case.yaml");
  ASSERT_TRUE(spec.is_ok()) << spec.status().message();
  EXPECT_EQ(write_scenario(*spec)["workload"][0]["end"], "50s");
}

}  // namespace
}  // namespace fabsim::scenario
