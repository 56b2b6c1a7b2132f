// Broker settings (model/kafka/config.h): the version names and what each selects, and the
// checks a broker's configuration must pass (Kafka's KafkaConfig.validateValues and the
// cluster layout), one case per rule.
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "model/kafka/config.h"

namespace fabsim::kafka {
namespace {

TEST(KafkaConfig, AVersionNameSelectsItsTruncationRuleAndUncleanDefault) {
  struct Case {
    const char* name;
    TruncationMode mode;
    bool unclean;
  };
  const Case cases[] = {
      {"0.10", TruncationMode::kHighWatermark, true}, {"0.10.2.1", TruncationMode::kHighWatermark, true},
      {"1.0", TruncationMode::kEpochV0, false},       {"1.0.2", TruncationMode::kEpochV0, false},
      {"1.1", TruncationMode::kEpochV0, false},       {"2.0", TruncationMode::kEpochV1, false},
      {"2.0.0", TruncationMode::kEpochV1, false},
  };
  for (const Case& c : cases) {
    auto v = parse_kafka_version(c.name);
    ASSERT_TRUE(v.is_ok()) << c.name;
    EXPECT_EQ(truncation_mode(v.value()), c.mode) << c.name;
    BrokerConfig b;
    b.version = v.value();
    EXPECT_EQ(b.unclean(), c.unclean) << c.name;
  }
}

TEST(KafkaConfig, AnUnknownVersionIsAnErrorNamingIt) {
  for (const char* bad : {"0.9", "0.11", "2.1", "10", "", "1.0x"}) {
    auto v = parse_kafka_version(bad);
    ASSERT_FALSE(v.is_ok()) << bad;
    EXPECT_NE(v.status().message().find(std::string("'") + bad + "'"), std::string::npos);
  }
}

TEST(KafkaConfig, ValidateRejectsEachBadSetting) {
  struct Case {
    const char* name;
    std::function<void(BrokerConfig&)> change;
    const char* message;  // a part of the error
  };
  const Case cases[] = {
      {"TheBrokerIsNotInTheCluster", [](BrokerConfig& c) { c.broker_id = 9; }, "broker 9 is not in the cluster"},
      {"NoZooKeeperServer", [](BrokerConfig& c) { c.zookeeper.clear(); }, "zookeeper.connect"},
      {"FetchWaitAboveTheLagTime", [](BrokerConfig& c) { c.replica_fetch_wait_max = Duration::seconds(11); },
       "replica.fetch.wait.max.ms"},
      {"FetchWaitAboveTheSocketTimeout",
       [](BrokerConfig& c) {
         c.replica_lag_time_max = Duration::seconds(60);
         c.replica_fetch_wait_max = Duration::seconds(31);
       },
       "replica.socket.timeout.ms"},
      {"MinInsyncReplicasBelowOne", [](BrokerConfig& c) { c.min_insync_replicas = 0; }, "min.insync.replicas"},
      {"ATopicWithoutPartitions", [](BrokerConfig& c) { c.topics = {{"t", {}}}; }, "topic t has no partitions"},
      {"APartitionWithoutReplicas", [](BrokerConfig& c) { c.topics = {{"t", {{}}}}; }, "has no replicas"},
      {"AReplicaThatIsNoBroker", [](BrokerConfig& c) { c.topics = {{"t", {{1, 7}}}}; }, "replica 7 is not a broker"},
  };
  for (const Case& c : cases) {
    BrokerConfig b;
    b.broker_id = 1;
    b.brokers = {{1, 10}, {2, 11}};
    b.zookeeper = {1};
    b.topics = {{"t", {{1, 2}}}};
    ASSERT_TRUE(b.validate().is_ok()) << c.name;
    c.change(b);
    const Status s = b.validate();
    ASSERT_FALSE(s.is_ok()) << c.name;
    EXPECT_NE(s.message().find(c.message), std::string::npos) << c.name << ": " << s.message();
  }
}

}  // namespace
}  // namespace fabsim::kafka
