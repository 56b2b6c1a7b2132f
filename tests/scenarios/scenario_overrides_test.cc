// `--set path=value` overrides: applied to the YAML tree before validation, so an override
// is checked exactly like the file, and its errors name the override.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "scenarios/scenario_loader.h"

namespace fabsim::scenario {
namespace {

const std::string kFile =
    "name: t\n"
    "duration: 60s\n"
    "network:\n"
    "  orgs:\n"
    "    - {name: Org1}\n"
    "    - {name: Org2}\n"
    "chaincodes: [{name: kv, kind: kvstore}]\n"
    "workload:\n"
    "  - {rate: 100tps, mix: [{function: put, args: [k, v]}]}\n"
    "faults:\n"
    "  - {at: 1s, crash: Org1.peer0, for: 1s}\n";

Result<ScenarioSpec> load(const std::vector<std::string>& sets, const std::string& text = kFile,
                          const LoaderOptions& opts = {}) {
  return load_scenario_text(text, "t.yaml", sets, opts);
}

TEST(ScenarioOverrides, SetsANewKey) {
  auto r = load({"ordering.batch_timeout=1s"});
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  EXPECT_EQ(r->ordering.batch.batch_timeout, Duration::seconds(1));
}

TEST(ScenarioOverrides, ReplacesAListItemsField) {
  auto r = load({"workload.0.rate=300tps"});
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  EXPECT_DOUBLE_EQ(r->workload[0].rate_tps, 300);
}

TEST(ScenarioOverrides, FaultTimeAndPeerCount) {
  auto r = load({"faults.0.at=5s", "network.orgs.0.peers=3"});
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  EXPECT_EQ(r->faults[0].at, Duration::seconds(5));
  EXPECT_EQ(r->network.orgs[0].peers, 3u);
  EXPECT_EQ(r->nodes.size(), 7u);  // 3 + 1 peers, 2 clients, 1 orderer
}

TEST(ScenarioOverrides, AppliedInOrderLastWins) {
  auto r = load({"seed=5", "seed=6"});
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  EXPECT_EQ(r->seed, 6u);
}

TEST(ScenarioOverrides, ValueIsYamlFlow) {
  auto r = load({"faults.1={at: 10s, partition: [[Org2], [orderers]], for: 2s}", "channels=[{name: ch, orgs: [Org1]}]",
                 "chaincodes.0.channel=ch"});
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  ASSERT_EQ(r->faults.size(), 2u);  // index == length appends
  EXPECT_EQ(r->faults[1].action, FaultAction::kPartition);
  EXPECT_EQ(r->channels[0].orgs, (std::vector<std::string>{"Org1"}));
}

TEST(ScenarioOverrides, FixesAnInvalidFileBeforeValidation) {
  std::string bad = kFile;
  bad.replace(bad.find("100tps"), 6, "0tps");
  EXPECT_FALSE(load({}, bad).is_ok());
  EXPECT_TRUE(load({"workload.0.rate=1tps"}, bad).is_ok());
}

TEST(ScenarioOverrides, CreatesMissingMapsAndLists) {
  auto r = load({"expect.committed.min=10", "network.links.overrides.0={between: [Org1, Org2], latency: 9ms}"});
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  EXPECT_EQ(r->expect.committed->min, 10u);
  ASSERT_EQ(r->network.link_overrides.size(), 1u);
  EXPECT_EQ(r->network.link_overrides[0].link.latency, Duration::millis(9));
}

TEST(ScenarioOverrides, DottedKeysExistingOrQuoted) {
  LoaderOptions opts;
  opts.cost_names = {"vscc"};
  const std::string text = kFile + "costs:\n  Org1.peer0: {vscc: 1ms}\n";
  auto existing = load({"costs.Org1.peer0.vscc=2ms"}, text, opts);
  ASSERT_TRUE(existing.is_ok()) << existing.status().message();
  EXPECT_EQ(existing->costs.by_node.at("Org1.peer0").at("vscc"), Duration::millis(2));
  auto quoted = load({"costs.\"Org2.peer0\".vscc=3ms"}, text, opts);
  ASSERT_TRUE(quoted.is_ok()) << quoted.status().message();
  EXPECT_EQ(quoted->costs.by_node.at("Org2.peer0").at("vscc"), Duration::millis(3));
}

struct OverrideErrorCase {
  const char* name;
  std::vector<std::string> sets;
  std::string expected;  // the whole message
};

class ScenarioOverrideErrors : public testing::TestWithParam<OverrideErrorCase> {};

TEST_P(ScenarioOverrideErrors, NameTheOverride) {
  auto r = load(GetParam().sets);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().message(), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    ScenarioRules, ScenarioOverrideErrors,
    testing::Values(
        OverrideErrorCase{"UnknownKeySuggestsClosest",
                          {"ordring.batch_timeout=1s"},
                          "--set ordring.batch_timeout=1s: unknown key 'ordring' (did you mean 'ordering'?)"},
        OverrideErrorCase{"UnknownNestedKey",
                          {"ordering.batch_timout=1s"},
                          "--set ordering.batch_timout=1s: ordering: unknown key 'batch_timout' (did you mean "
                          "'batch_timeout'?)"},
        OverrideErrorCase{"BadValue",
                          {"network.orgs.0.peers=x"},
                          "--set network.orgs.0.peers=x: network.orgs.0.peers: expected a whole number from 1 to 1000 "
                          "(got 'x')"},
        OverrideErrorCase{"BadUnit",
                          {"faults.0.at=5"},
                          "--set faults.0.at=5: faults.0.at: '5' is not a valid duration (expected a number with ns, "
                          "us, ms, s, m or h, e.g. 500ms)"},
        OverrideErrorCase{"ListIndexOutOfRange",
                          {"workload.3.rate=1tps"},
                          "--set workload.3.rate=1tps: workload.3: index 3 is out of range (the list has 1 item; index "
                          "1 appends)"},
        OverrideErrorCase{"IndexIntoAMap",
                          {"network.x.peers=1"},
                          "--set network.x.peers=1: network: unknown key 'x' (expected one of: orgs, links)"},
        OverrideErrorCase{"KeyIntoAList",
                          {"workload.rate=1tps"},
                          "--set workload.rate=1tps: workload: is a list; expected an index, not 'rate'"},
        OverrideErrorCase{"KeyIntoAScalar",
                          {"duration.x=1"},
                          "--set duration.x=1: duration: is a single value ('60s'); it has no key 'x'"},
        OverrideErrorCase{
            "MissingEquals", {"seed"}, "--set seed: expected path=value, e.g. --set ordering.batch_timeout=1s"},
        OverrideErrorCase{"EmptyPathSegment",
                          {"ordering..batch_timeout=1s"},
                          "--set ordering..batch_timeout=1s: expected a path of keys and list indices separated by '.' "
                          "(e.g. workload.0.rate), with no empty key"},
        OverrideErrorCase{"MalformedValue",
                          {"workload.0.mix=[a"},
                          "--set workload.0.mix=[a: malformed YAML: end of sequence flow not found"},
        OverrideErrorCase{"ValueOfTheWrongShape",
                          {"network.orgs={name: Org1}"},
                          "--set network.orgs={name: Org1}: network.orgs: expected a list (got a map)"},
        OverrideErrorCase{"ZeroRate",
                          {"workload.0.rate=0tps"},
                          "--set workload.0.rate=0tps: workload.0.rate: expected a rate above 0 (got '0tps')"},
        OverrideErrorCase{"NodeSettingOutOfRange",
                          {"nodes.peers.cores=0"},
                          "--set nodes.peers.cores=0: nodes.peers.cores: expected a whole number from 1 to 1024 "
                          "(got '0')"},
        OverrideErrorCase{"CreatesAConflictingFault",
                          {"faults.1={at: 1500ms, restart: Org1.peer0}"},
                          "t.yaml:11:38: faults.0.for: the restart at 2s that ends this crash conflicts: restart of "
                          "Org1.peer0 at 2s, which is up (restarted at 1.5s by faults.1, --set faults.1={at: 1500ms, "
                          "restart: Org1.peer0})"}),
    [](const testing::TestParamInfo<OverrideErrorCase>& i) { return std::string(i.param.name); });

}  // namespace
}  // namespace fabsim::scenario
