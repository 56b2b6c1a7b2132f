// Random fault schedules against the Kafka model (model/kafka, model/zookeeper), many
// seeds: crashes and restarts of brokers (never within the old session's timeout),
// partitions between brokers and between a broker and ZooKeeper, under Fabric's
// recommended settings (RF 3, min.insync.replicas 2, unclean election off, acks=all) and
// Kafka 1.0 and 2.0. After a healed and drained phase the guarantees of
// kafka-semantics.md §7.2 must hold: no acknowledged record is missing from the leader's
// log, and every replica holds the leader's log (replicas agree). A failure prints the seed
// and the run's transcript.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "core/random.h"
#include "tests/model/kafka_cluster.h"

namespace fabsim::kafkatest {
namespace {

constexpr int kSeeds = 25;
constexpr int kFaultsPerRun = 6;

// What the runs went through, so the test shows it exercised failovers.
struct Totals {
  int elections = 0;    // leader changes after the first election
  int truncations = 0;
  int acked = 0;
};

void run_seed(const char* version, uint64_t seed, Totals& totals) {
  SCOPED_TRACE(fmt::format("version {} seed {}", version, seed));
  ClusterOptions o;
  o.seed = seed;
  const kafka::KafkaVersion v = kafka::parse_kafka_version(version).value();
  o.broker_settings = [v](kafka::BrokerConfig& c) {
    c.version = v;
    c.min_insync_replicas = 2;
    c.unclean_leader_election = false;
  };
  KafkaCluster c(o);
  Driver::Setup s;
  s.producer.request_timeout = Duration::seconds(12);
  const HostId d = c.add_driver("producer", s);
  // The workload: a record every 50 ms for 80 s.
  constexpr int kRecords = 1600;
  std::vector<int64_t> offset(kRecords, -2);  // -2: no answer yet; -1: failed
  for (int k = 0; k < kRecords; ++k)
    c.run(at_s(5 + 0.05 * k), d, [&offset, k](NodeContext& ctx, Driver& dr) {
      dr.producer.send(ctx, "p", 0, "r" + std::to_string(k), [&offset, k](NodeContext&, kafka::Error e, int64_t o) {
        offset[k] = e == kafka::NONE ? o : -1;
      });
    });
  // The faults, from the seed: each lasts 2–20 s, starting in [6 s, 70 s).
  Rng rng = Rng::stream(seed, "kafka-random-faults");
  std::map<int32_t, Time> free_at;  // a broker may be crashed again (and restarted) from then
  for (int i = 0; i < kFaultsPerRun; ++i) {
    const Time start = at_s(6 + static_cast<double>(rng.uniform_u64(64000)) / 1000);
    const Time end = start + Duration::millis(2000 + static_cast<int64_t>(rng.uniform_u64(18000)));
    const int32_t b = 1 + static_cast<int32_t>(rng.uniform_u64(3));
    switch (rng.uniform_u64(3)) {
      case 0: {  // crash, restart after the old session expired
        if (free_at.contains(b) && free_at[b] > start) break;
        const Time back = std::max(end, start + Duration::seconds(10));
        c.fault(start, Fault::crash(c.broker_host(b)));
        c.fault(back, Fault::restart(c.broker_host(b)));
        free_at[b] = back + Duration::seconds(1);
        break;
      }
      case 1: {  // cut from another broker
        const int32_t other = 1 + static_cast<int32_t>((b + rng.uniform_u64(2)) % 3);
        c.fault(start, Fault::make_partition({{c.broker_host(b)}, {c.broker_host(other)}}, false));
        c.fault(end, Fault::heal());
        break;
      }
      default:  // cut from ZooKeeper
        c.fault(start, Fault::make_partition({{c.broker_host(b)}, c.zk_hosts()}, false));
        c.fault(end, Fault::heal());
        break;
    }
  }
  c.fault(at_s(95), Fault::heal());
  c.start();
  c.run_until(at_s(150));
  // Every broker up; a halted one would be a finding.
  EXPECT_TRUE(c.events_named("kafka.fatal").empty()) << c.dump();
  const kafka::Partition* leader = nullptr;
  for (int32_t b : {1, 2, 3})
    if (c.partition(b) != nullptr && c.partition(b)->role() == kafka::Partition::Role::kLeader) leader = c.partition(b);
  ASSERT_NE(leader, nullptr) << c.dump();
  const std::vector<std::string> log = [&] {
    for (int32_t b : {1, 2, 3})
      if (c.partition(b) == leader) return c.records(b);
    return std::vector<std::string>{};
  }();
  for (int k = 0; k < kRecords; ++k) {
    if (offset[k] < 0) continue;
    ASSERT_LT(offset[k], static_cast<int64_t>(log.size())) << "acked record r" << k << " lost\n" << c.dump();
    EXPECT_EQ(log[offset[k]], "r" + std::to_string(k)) << "acked record lost at offset " << offset[k] << "\n" << c.dump();
  }
  for (int32_t b : {1, 2, 3}) EXPECT_EQ(c.records(b), log) << "b" << b << " disagrees\n" << c.dump();
  EXPECT_EQ(leader->isr().size(), 3u) << c.dump();
  for (const Event& e : c.events_named("kafka.partition_state"))
    totals.elections += e.e.detail.find("election") != std::string::npos && e.e.detail.find("epoch=0") == std::string::npos;
  totals.truncations += static_cast<int>(c.events_named("kafka.truncated").size());
  for (int64_t o : offset) totals.acked += o >= 0;
}

TEST(KafkaRandomFaults, RecommendedSettingsLoseNoAckedRecordAndReplicasConverge) {
  Totals totals;
  for (const char* version : {"1.0", "2.0"})
    for (uint64_t seed = 1; seed <= kSeeds; ++seed) {
      run_seed(version, seed, totals);
      if (::testing::Test::HasFailure()) return;  // one seed's transcript is enough
    }
  EXPECT_GT(totals.elections, kSeeds) << "the faults moved leaders";
  EXPECT_GT(totals.truncations, 0) << "and made followers truncate";
  EXPECT_GT(totals.acked, kSeeds * 1000);
}

}  // namespace
}  // namespace fabsim::kafkatest
