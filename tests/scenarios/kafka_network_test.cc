// A Fabric network ordered by Kafka, through the kernel (FabricNetworkConfig::kafka): three
// ZooKeeper nodes, four brokers, three OSNs, two orgs. Transactions from clients that fail
// over along the OSNs commit on every peer, every OSN writes the same blocks, and with
// Fabric's recommended settings (replication factor 3, min.insync.replicas 2) ordering goes
// on when the partition's leader broker crashes.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "model/kafka/broker.h"
#include "model/orderer/block_writer.h"
#include "model/orderer/solo.h"
#include "model/peer/peer.h"
#include "scenarios/fabric_network.h"
#include "scenarios/scenario_loader.h"
#include "scenarios/scenario_runner.h"
#include "scenarios/targets.h"
#include "core/cost_model.h"

namespace fabsim {
namespace {

FabricNetworkConfig kafka_network() {
  FabricNetworkConfig c;
  c.seed = 3;
  c.orgs = {{"Org1", "Org1MSP", 1, 1}, {"Org2", "Org2MSP", 1, 1}};
  c.batch.size.max_message_count = 10;
  c.batch.batch_timeout = Duration::seconds(1);
  c.chaincodes = {{"kv", "kvstore", "OR('Org1MSP.peer','Org2MSP.peer')", false, ""}};
  c.link.latency = Duration::millis(1);
  c.scheme = crypto::SignatureScheme::kHmacSha256;
  FabricNetworkConfig::Kafka k;
  k.broker.min_insync_replicas = 2;
  c.kafka = k;
  return c;
}

struct Outcomes {
  std::map<std::string, int64_t> committed;   // scenario id -> validation code
  std::map<std::string, std::string> failed;  // scenario id -> failure event
};

void submit(FabricNetwork& n, double from_s, const std::string& prefix, int count) {
  for (int i = 0; i < count; ++i) {
    const HostId client = n.clients()[static_cast<size_t>(i) % n.clients().size()];
    n.submit(Time::zero() + Duration::millis(static_cast<int64_t>(from_s * 1000) + 50 * i), client,
             prefix + std::to_string(i), "kv", "put", {prefix + std::to_string(i), "v"});
  }
}

const orderer::SoloOrderer& osn(FabricNetwork& n, size_t i) {
  return *dynamic_cast<orderer::SoloOrderer*>(n.world().host(n.orderers().at(i)).process());
}

void expect_every_osn_and_peer_agree(FabricNetwork& n) {
  const uint64_t height = osn(n, 0).height();
  for (size_t i = 1; i < n.orderers().size(); ++i) {
    ASSERT_EQ(osn(n, i).height(), height) << "orderer" << i;
    for (uint64_t b = 0; b < height; ++b) {  // the genesis block too: one for every OSN
      auto mine = osn(n, i).block_store().block_by_number(b);
      auto first = osn(n, 0).block_store().block_by_number(b);
      ASSERT_TRUE(mine.is_ok() && first.is_ok());
      EXPECT_EQ(mine.value().header().data_hash(), first.value().header().data_hash()) << "block " << b;
      EXPECT_EQ(orderer::consenter_metadata(mine.value()), orderer::consenter_metadata(first.value())) << "block " << b;
    }
  }
  for (HostId p : n.peers()) {
    std::unique_ptr<ledger::Ledger> reopened;
    auto l = n.peer_ledger(p, 0, &reopened);
    ASSERT_TRUE(l.is_ok()) << l.status().to_string();
    EXPECT_EQ(l.value()->height(), height) << n.world().host(p).name();
  }
}

Outcomes run(FabricNetwork& n, Duration until, const std::function<void(FabricNetwork&)>& schedule) {
  auto out = std::make_shared<Outcomes>();
  n.world().set_event_sink([out](Time, HostId, const AnalysisEvent& e) {
    if (e.name == "client.committed") out->committed[e.detail] = e.value;
    if (e.name.rfind("client.failed", 0) == 0) out->failed[e.detail] = e.name;
  });
  schedule(n);
  n.world().start();
  n.world().run_until(Time::zero() + until);
  return *out;
}

TEST(KafkaNetwork, TransactionsCommitOnEveryPeerAndEveryOsnWritesTheSameBlocks) {
  auto net = FabricNetwork::build(kafka_network());
  ASSERT_TRUE(net.is_ok()) << net.status().to_string();
  FabricNetwork& n = **net;
  ASSERT_EQ(n.orderers().size(), 3u);
  ASSERT_EQ(n.brokers().size(), 4u);
  ASSERT_EQ(n.zookeepers().size(), 3u);
  const Outcomes o = run(n, Duration::seconds(60), [](FabricNetwork& m) { submit(m, 20, "a", 30); });
  EXPECT_TRUE(o.failed.empty()) << o.failed.begin()->first << " " << o.failed.begin()->second;
  ASSERT_EQ(o.committed.size(), 30u);
  for (const auto& [id, code] : o.committed) EXPECT_EQ(code, protos::VALID) << id;
  EXPECT_GE(osn(n, 0).height(), 4u);  // genesis + at least three blocks of 10
  expect_every_osn_and_peer_agree(n);
}

TEST(KafkaNetwork, OrderingGoesOnWhenThePartitionLeaderBrokerCrashes) {
  auto net = FabricNetwork::build(kafka_network());
  ASSERT_TRUE(net.is_ok()) << net.status().to_string();
  FabricNetwork& n = **net;
  // The channel's partition is on brokers 1–3, led by broker 1 (kafka0), the preferred replica.
  const Outcomes o = run(n, Duration::seconds(120), [](FabricNetwork& m) {
    submit(m, 20, "a", 10);
    m.world().fault_at(Time::zero() + Duration::seconds(30), Fault::crash(m.brokers().at(1)));
    submit(m, 60, "b", 10);
  });
  EXPECT_TRUE(o.failed.empty()) << o.failed.begin()->first << " " << o.failed.begin()->second;
  const auto* b2 = dynamic_cast<kafka::Broker*>(n.world().host(n.brokers().at(2)).process());
  ASSERT_NE(b2, nullptr);
  ASSERT_NE(b2->partition("mychannel", 0), nullptr);
  EXPECT_NE(b2->partition("mychannel", 0)->leader(), 1);  // the leadership moved
  ASSERT_EQ(o.committed.size(), 20u);
  for (const auto& [id, code] : o.committed) EXPECT_EQ(code, protos::VALID) << id;
  expect_every_osn_and_peer_agree(n);
}

TEST(KafkaNetwork, RoleTargetsNameTheLeaderBrokerAndTheControllerWhenTheFaultFires) {
  auto net = FabricNetwork::build(kafka_network());
  ASSERT_TRUE(net.is_ok()) << net.status().to_string();
  FabricNetwork& n = **net;
  const scenario::RoleTargetSpec leader{"kafka-leader", {"mychannel"}, "kafka-leader(mychannel)"};
  const scenario::RoleTargetSpec controller{"kafka-controller", {}, "kafka-controller()"};
  n.world().start();
  n.world().run_until(Time::zero() + Duration::seconds(20));
  auto before = scenario::resolve_role_target(n, leader);
  ASSERT_TRUE(before.is_ok()) << before.status().to_string();
  EXPECT_EQ(before.value(), std::vector<HostId>{n.brokers().at(1)});  // the preferred replica
  auto ctrl = scenario::resolve_role_target(n, controller);
  ASSERT_TRUE(ctrl.is_ok()) << ctrl.status().to_string();
  ASSERT_EQ(ctrl.value().size(), 1u);
  n.world().fault_at(Time::zero() + Duration::seconds(21), Fault::crash(n.brokers().at(1)));
  if (ctrl.value()[0] != n.brokers().at(1))
    n.world().fault_at(Time::zero() + Duration::seconds(21), Fault::crash(ctrl.value()[0]));
  n.world().run_until(Time::zero() + Duration::seconds(60));
  auto after = scenario::resolve_role_target(n, leader);
  ASSERT_TRUE(after.is_ok()) << after.status().to_string();
  EXPECT_NE(after.value(), before.value());
  auto ctrl_after = scenario::resolve_role_target(n, controller);
  ASSERT_TRUE(ctrl_after.is_ok()) << ctrl_after.status().to_string();
  EXPECT_NE(ctrl_after.value(), ctrl.value());
  EXPECT_FALSE(scenario::resolve_role_target(n, {"kafka-leader", {"nochannel"}, "kafka-leader(nochannel)"}).is_ok());
}

TEST(KafkaNetwork, TheBuilderRejectsAReplicationFactorAboveTheBrokers) {
  FabricNetworkConfig c = kafka_network();
  c.kafka->replication_factor = 5;
  auto net = FabricNetwork::build(c);
  ASSERT_FALSE(net.is_ok());
  EXPECT_NE(net.status().message().find("replication factor 5 with 4 brokers"), std::string::npos)
      << net.status().to_string();
}

}  // namespace
}  // namespace fabsim

namespace fabsim::scenario {
namespace {

// A broker that halts (Kafka exits on a fatal error) is reported by the run, with when, which
// and why: KIP-101's double failover with 0.10 brokers leaves the old leader's log ahead of the
// new leader's with unclean election off (scenarios/kafka/kip101-0.10.yaml), and with 1.0
// brokers the same faults halt nobody.
TEST(KafkaRunReport, AHaltedBrokerIsReportedWithItsReason) {
  for (const auto& [file, halts] : std::map<std::string, size_t>{{"kip101-0.10", 1}, {"kip101-1.0", 0}}) {
    LoaderOptions lo;
    lo.cost_names = cost_names();
    auto spec = load_scenario_file(std::string(FABSIM_SOURCE_DIR) + "/scenarios/kafka/" + file + ".yaml", {}, lo);
    ASSERT_TRUE(spec.is_ok()) << spec.status().to_string();
    auto report = run_scenario(*spec, {});
    ASSERT_TRUE(report.is_ok()) << report.status().to_string();
    ASSERT_EQ(report->kafka_halts.size(), halts) << file;
    if (halts > 0) {
      EXPECT_NE(report->kafka_halts[0].find("kafka0: mychannel-0: the leader's log end"), std::string::npos)
          << report->kafka_halts[0];
    }
  }
}

}  // namespace
}  // namespace fabsim::scenario
