// Kafka ordering in scenario files (scenarios/kafka_reader.cc and the node directory): the
// warnings of Fabric's Kafka guide, each located at the setting it is about and leaving the
// scenario loadable; and broker and ZooKeeper nodes named by node and group in `nodes` and
// in fault targets. One case per rule, named after it.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "scenarios/scenario_loader.h"
#include "scenarios/scenario_writer.h"

namespace fabsim::scenario {
namespace {

// Eight lines, Kafka ordering with the kafka section's defaults (3 ZooKeeper nodes) and
// batch sizes that follow the guide: cases append from line 9 or replace with --set.
const std::string kKafka =
    "name: t\n"
    "duration: 60s\n"
    "network:\n"
    "  orgs:\n"
    "    - {name: Org1}\n"
    "ordering: {type: kafka, batch_size: {absolute_max_bytes: 900KB, preferred_max_bytes: 512KB}}\n"
    "kafka: {brokers: 4}\n"
    "chaincodes: [{name: kv, kind: kvstore}]\n";

struct WarningCase {
  const char* name;
  std::string yaml;
  std::vector<std::string> sets;
  // Each warning's message (LoadWarning::message), a substring of it, in order; empty: no warning.
  std::vector<std::string> expected;
};

std::vector<WarningCase> warning_cases() {
  const std::string solo_defaults =
      "name: t\nduration: 60s\nnetwork:\n  orgs:\n    - {name: Org1}\nordering: {type: solo}\n";
  return {
      {"GuideFollowingDeploymentHasNoWarning", kKafka, {}, {}},
      {"SoloOrderingIsNotWarnedAboutKafkaSizes", solo_defaults, {"ordering.batch_size.preferred_max_bytes=5MiB"}, {}},
      // ZooKeeper: 3, 5 or 7.
      {"EvenZookeeperEnsembleWarned", kKafka, {"kafka.zookeepers=4"},
       {"--set kafka.zookeepers=4: kafka.zookeepers: an even ensemble of 4 tolerates as many failures as one of 3 "
        "(a write needs 3 of the 4)"}},
      {"EvenZookeeperEnsembleWarnedAtItsValue",
       "name: t\nduration: 60s\nnetwork:\n  orgs:\n    - {name: Org1}\n"
       "ordering: {type: kafka, batch_size: {absolute_max_bytes: 900KB, preferred_max_bytes: 512KB}}\n"
       "kafka: {brokers: 4, zookeepers: 2}\n",
       {},
       {"t.yaml:7:33: kafka.zookeepers: an even ensemble of 2 tolerates as many failures as one of 1 (a write needs 2 of the 2)"}},
      {"SingleZookeeperWarned", kKafka, {"kafka.zookeepers=1"},
       {"kafka.zookeepers: one ZooKeeper node is a single point of failure"}},
      {"MoreThanSevenZookeepersWarned", kKafka, {"kafka.zookeepers=9"}, {"kafka.zookeepers: Fabric's Kafka guide considers more than 7"}},
      {"FiveZookeepersNotWarned", kKafka, {"kafka.zookeepers=5"}, {}},
      {"SevenZookeepersNotWarned", kKafka, {"kafka.zookeepers=7"}, {}},
      // PreferredMaxBytes at most 1 MiB.
      {"PreferredMaxBytesAboveOneMiBWarnedAtItsKey",
       "name: t\nduration: 60s\nnetwork:\n  orgs:\n    - {name: Org1}\nordering:\n  type: kafka\n"
       "  batch_size: {absolute_max_bytes: 900KB, preferred_max_bytes: 2MiB}\nkafka: {}\n",
       {"ordering.batch_size.absolute_max_bytes=4MiB"},
       {"t.yaml:8:64: ordering.batch_size.preferred_max_bytes: 2097152 bytes is above 1 MiB",
        "--set ordering.batch_size.absolute_max_bytes=4MiB: ordering.batch_size.absolute_max_bytes: 4194304 bytes: an "
        "envelope that large passes the Broadcast size filter, but its Kafka record is above the brokers' "
        "message.max.bytes (1000012 bytes"}},
      // 1 MiB itself is within the advice (the absolute size it needs is warned about).
      {"PreferredMaxBytesOfOneMiBNotWarned", kKafka,
       {"ordering.batch_size.preferred_max_bytes=1MiB", "ordering.batch_size.absolute_max_bytes=1MiB"},
       {"absolute_max_bytes: 1048576 bytes"}},
      {"DefaultBatchSizesWarnedAtTheOrderingType",
       "name: t\nduration: 60s\nnetwork:\n  orgs:\n    - {name: Org1}\nordering: {type: kafka}\nkafka: {}\n", {},
       {"t.yaml:6:18: ordering.batch_size.preferred_max_bytes: 2097152 bytes is above 1 MiB",
        "t.yaml:6:18: ordering.batch_size.absolute_max_bytes: 10485760 bytes: an envelope"}},
      {"ChannelOwnPreferredMaxBytesWarnedAtTheChannelKey",
       "name: t\nduration: 60s\nnetwork:\n  orgs:\n    - {name: Org1}\n"
       "ordering: {type: kafka, batch_size: {absolute_max_bytes: 900KB, preferred_max_bytes: 512KB}}\nkafka: {}\n"
       "channels:\n  - {name: a}\n  - {name: b, batch_size: {preferred_max_bytes: 1500KB, absolute_max_bytes: 1500KB}}\n",
       {},
       {"t.yaml:10:49: channels.1.batch_size.preferred_max_bytes: 1500000 bytes is above 1 MiB",
        "t.yaml:10:77: channels.1.batch_size.absolute_max_bytes: 1500000 bytes"}},
      {"ChannelsInheritingOneValueShareItsWarning",
       "name: t\nduration: 60s\nnetwork:\n  orgs:\n    - {name: Org1}\n"
       "ordering: {type: kafka, batch_size: {absolute_max_bytes: 900KB, preferred_max_bytes: 900KB}}\nkafka: {}\n"
       "channels: [{name: a}, {name: b}]\n",
       {"ordering.batch_size.preferred_max_bytes=2MiB", "ordering.batch_size.absolute_max_bytes=2MiB"},
       {"ordering.batch_size.preferred_max_bytes: 2097152 bytes is above 1 MiB",
        "ordering.batch_size.absolute_max_bytes: 2097152 bytes"}},
      // AbsoluteMaxBytes: the largest envelope's record must fit message.max.bytes (1000012).
      {"AbsoluteMaxBytesWhoseRecordFitsNotWarned", kKafka, {"ordering.batch_size.absolute_max_bytes=999900B"}, {}},
      {"AbsoluteMaxBytesAtMessageMaxBytesWarned", kKafka, {"ordering.batch_size.absolute_max_bytes=1000012B"},
       {"absolute_max_bytes: 1000012 bytes: an envelope that large"}},
      {"AbsoluteMaxBytesJustBelowMessageMaxBytesWarnedForTheWrapper", kKafka,
       {"ordering.batch_size.absolute_max_bytes=1000000B"}, {"absolute_max_bytes: 1000000 bytes"}},
  };
}

void PrintTo(const WarningCase& c, std::ostream* os) { *os << c.name; }

class KafkaGuideWarnings : public testing::TestWithParam<WarningCase> {};

TEST_P(KafkaGuideWarnings, LoadsWithTheLocatedWarnings) {
  const WarningCase& c = GetParam();
  auto spec = load_scenario_text(c.yaml, "t.yaml", c.sets);
  ASSERT_TRUE(spec.is_ok()) << spec.status().message();
  std::vector<std::string> got;
  for (const LoadWarning& w : spec->warnings) got.push_back(w.message());
  ASSERT_EQ(got.size(), c.expected.size()) << testing::PrintToString(got);
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_NE(got[i].find(c.expected[i]), std::string::npos) << "warning:  " << got[i] << "\nexpected: " << c.expected[i];
    EXPECT_EQ(got[i].find('\n'), std::string::npos) << "one line: " << got[i];
  }
}

INSTANTIATE_TEST_SUITE_P(ScenarioRules, KafkaGuideWarnings, testing::ValuesIn(warning_cases()),
                         [](const testing::TestParamInfo<WarningCase>& i) { return std::string(i.param.name); });

TEST(KafkaGuideWarnings, WhereAWarningWasFoundIsNotPartOfTheSpec) {
  auto original = load_scenario_text(kKafka, "t.yaml", {"kafka.zookeepers=4"});
  ASSERT_TRUE(original.is_ok()) << original.status().message();
  auto reloaded = load_scenario_text(write_scenario(*original).dump(2), "written.json");
  ASSERT_TRUE(reloaded.is_ok()) << reloaded.status().message();
  ASSERT_EQ(reloaded->warnings.size(), 1u);
  EXPECT_NE(reloaded->warnings[0].where, original->warnings[0].where);
  EXPECT_TRUE(*reloaded == *original);
}

// ---- broker and ZooKeeper nodes by name and group ------------------------------------------

struct CoresCase {
  const char* name;
  std::string nodes;                         // the `nodes:` section, one line
  std::vector<std::pair<std::string, uint32_t>> cores;  // node -> its cores
};

std::vector<CoresCase> cores_cases() {
  return {
      {"BrokersGroupSetsEveryBroker", "nodes: {brokers: {cores: 4}}",
       {{"kafka0", 4}, {"kafka3", 4}, {"zookeeper0", 2}, {"orderer0", 2}}},
      {"ZookeepersGroupSetsEveryZookeeper", "nodes: {zookeepers: {cores: 1}}",
       {{"zookeeper0", 1}, {"zookeeper2", 1}, {"kafka0", 2}}},
      {"BrokerByName", "nodes: {kafka2: {cores: 8}}", {{"kafka2", 8}, {"kafka1", 2}}},
      {"ZookeeperByName", "nodes: {zookeeper1: {cores: 3}}", {{"zookeeper1", 3}, {"zookeeper0", 2}}},
      {"AllReachesBrokersAndZookeepers", "nodes: {all: {cores: 3}}",
       {{"kafka0", 3}, {"zookeeper0", 3}, {"orderer0", 3}, {"Org1.peer0", 3}}},
      {"NodeBeatsItsRoleGroup", "nodes: {kafka0: {cores: 1}, brokers: {cores: 6}}", {{"kafka0", 1}, {"kafka1", 6}}},
      {"RoleGroupBeatsAll", "nodes: {brokers: {cores: 6}, all: {cores: 3}}", {{"kafka0", 6}, {"zookeeper0", 3}}},
  };
}

void PrintTo(const CoresCase& c, std::ostream* os) { *os << c.name; }

class KafkaNodeSettings : public testing::TestWithParam<CoresCase> {};

TEST_P(KafkaNodeSettings, ReachTheNodesTheSelectorNames) {
  const CoresCase& c = GetParam();
  auto spec = load_scenario_text(kKafka + c.nodes + "\n", "t.yaml");
  ASSERT_TRUE(spec.is_ok()) << spec.status().message();
  for (const auto& [node, cores] : c.cores) EXPECT_EQ(spec->node_settings.of(node).cores, cores) << node;
}

INSTANTIATE_TEST_SUITE_P(ScenarioRules, KafkaNodeSettings, testing::ValuesIn(cores_cases()),
                         [](const testing::TestParamInfo<CoresCase>& i) { return std::string(i.param.name); });

TEST(KafkaNodeSettings, PeerOnlyKeyOnBrokersIsAnError) {
  auto spec = load_scenario_text(kKafka + "nodes: {brokers: {validator_pool_size: 2}}\n", "t.yaml");
  ASSERT_FALSE(spec.is_ok());
  EXPECT_NE(spec.status().message().find("t.yaml:9:40: nodes.brokers.validator_pool_size: applies to peers, and "
                                         "'brokers' selects none"),
            std::string::npos)
      << spec.status().message();
}

struct TargetCase {
  const char* name;
  std::string fault;                               // one entry of `faults`, flow style
  std::vector<std::vector<std::string>> expected;  // the named nodes of each target set
};

std::vector<TargetCase> target_cases() {
  return {
      {"CrashBrokerByName", "{at: 1s, crash: kafka1}", {{"kafka1"}}},
      {"CrashZookeeperByName", "{at: 1s, crash: zookeeper2}", {{"zookeeper2"}}},
      {"PowerLossOfEveryBroker", "{at: 1s, power_loss: brokers}", {{"kafka0", "kafka1", "kafka2", "kafka3"}}},
      {"PauseTheZookeeperEnsemble", "{at: 1s, pause: zookeepers}", {{"zookeeper0", "zookeeper1", "zookeeper2"}}},
      {"BrokersAndZookeepersMixed", "{at: 1s, crash: [zookeeper0, kafka3]}", {{"zookeeper0", "kafka3"}}},
      {"PartitionABrokerFromZookeeper", "{at: 1s, partition: [[kafka0], [zookeepers]]}",
       {{"kafka0"}, {"zookeeper0", "zookeeper1", "zookeeper2"}}},
  };
}

void PrintTo(const TargetCase& c, std::ostream* os) { *os << c.name; }

class KafkaFaultTargets : public testing::TestWithParam<TargetCase> {};

TEST_P(KafkaFaultTargets, NameBrokersAndZookeepers) {
  const TargetCase& c = GetParam();
  auto spec = load_scenario_text(kKafka + "faults:\n  - " + c.fault + "\n", "t.yaml");
  ASSERT_TRUE(spec.is_ok()) << spec.status().message();
  ASSERT_EQ(spec->faults.size(), 1u);
  const FaultSpec& f = spec->faults[0];
  std::vector<std::vector<std::string>> got;
  if (f.action == FaultAction::kPartition) {
    for (const FaultTargets& g : f.as<PartitionFault>().groups) got.push_back(g.nodes);
  } else {
    got.push_back(f.as<NodeFault>().targets.nodes);
  }
  EXPECT_EQ(got, c.expected);
}

INSTANTIATE_TEST_SUITE_P(ScenarioRules, KafkaFaultTargets, testing::ValuesIn(target_cases()),
                         [](const testing::TestParamInfo<TargetCase>& i) { return std::string(i.param.name); });

}  // namespace
}  // namespace fabsim::scenario
