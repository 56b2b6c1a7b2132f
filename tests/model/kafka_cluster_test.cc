// Kafka replication under faults (model/kafka), on the kernel: kafka-semantics.md §9's test
// vectors in setup S0 (brokers b1–b4, b4 the controller with no replica; ZooKeeper z1–z3,
// tick 2 s; session 6 s; lag 10 s; fetch wait 500 ms; 1 ms between hosts; instant appends,
// no fsync; P = AR [1,2,3], min.isr 2, unclean off; a producer with acks=all, 10 s timeout,
// 3 retries 100 ms apart, one record every 100 ms). The cluster needs a few seconds to
// elect its ZooKeeper leader and controller, so every time of the vectors is shifted by
// kT0. Each test asserts the vector's outcome: who leads at which epoch with which ISR,
// which acknowledged records are lost (as a set), how the logs end up.
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "model/kafka/metadata.h"
#include "model/kafka/protocol.h"
#include "model/protocol.h"
#include "tests/model/kafka_cluster.h"

namespace fabsim::kafkatest {
namespace {

using kafka::Error;

constexpr double kT0 = 5.0;  // vector time 0
Time vt(double s) { return at_s(kT0 + s); }

struct Sent {
  Time sent;
  Time acked;
  Error error = kafka::NETWORK_EXCEPTION;
  int64_t offset = -1;
  bool done = false;
};

std::string value(int k, const std::string& prefix = "r") { return prefix + std::to_string(k); }

// Records value(k, prefix) for k in [0, n), one every `gap` from vector time `from`,
// through the driver's producer.
struct Workload {
  std::string prefix = "r";
  std::vector<Sent> sent;
  void schedule(KafkaCluster& c, HostId driver, double from, int n, double gap = 0.1, const std::string& topic = "p") {
    sent.resize(n);
    for (int k = 0; k < n; ++k)
      c.run(vt(from + gap * k), driver, [this, k, topic](NodeContext& ctx, Driver& d) {
        sent[k].sent = ctx.now();
        d.producer.send(ctx, topic, 0, value(k, prefix), [this, k](NodeContext& c2, Error e, int64_t offset) {
          sent[k].acked = c2.now();
          sent[k].error = e;
          sent[k].offset = offset;
          sent[k].done = true;
        });
      });
  }
  std::set<int> acked() const {
    std::set<int> out;
    for (size_t k = 0; k < sent.size(); ++k)
      if (sent[k].done && sent[k].error == kafka::NONE) out.insert(static_cast<int>(k));
    return out;
  }
  // Acknowledged records that are not at their offset in `log`.
  std::set<int> lost(const std::vector<std::string>& log) const {
    std::set<int> out;
    for (int k : acked()) {
      const int64_t o = sent[k].offset;
      if (o < 0 || o >= static_cast<int64_t>(log.size()) || log[o] != value(k, prefix)) out.insert(k);
    }
    return out;
  }
};

Driver::Setup producer_setup(int32_t acks = -1) {
  Driver::Setup s;
  s.producer.acks = acks;
  s.producer.request_timeout = Duration::seconds(12);  // so the broker's timeout answers first
  return s;
}

ClusterOptions s0(const std::string& version = "1.0") {
  ClusterOptions o;
  const kafka::KafkaVersion v = kafka::parse_kafka_version(version).value();
  o.broker_settings = [v](kafka::BrokerConfig& c) {
    c.version = v;
    c.min_insync_replicas = 2;
    c.unclean_leader_election = false;
  };
  return o;
}

std::vector<int32_t> isr_of(const kafka::Partition* p) { return p == nullptr ? std::vector<int32_t>{} : p->isr(); }

TEST(KafkaVectors, V1_WithoutFaultsEachRecordIsAckedInTwoRoundTripsAndFollowersTrailByOneFetch) {
  KafkaCluster c(s0());
  const HostId d = c.add_driver("producer", producer_setup());
  Workload w;
  w.schedule(c, d, 0, 21);
  c.start();
  c.run_until(vt(2.2));
  ASSERT_EQ(w.acked().size(), 21u) << c.dump();
  for (int k = 0; k < 21; ++k) {
    EXPECT_EQ(w.sent[k].offset, k);
    EXPECT_LE(w.sent[k].acked - w.sent[k].sent, Duration::millis(6)) << "record " << k;
  }
  EXPECT_EQ(c.partition(1)->high_watermark(), 21);
  EXPECT_EQ(c.partition(2)->high_watermark(), 20) << "a follower learns the last HW only when its parked fetch returns";
  c.run_until(vt(2.6));
  EXPECT_EQ(c.partition(2)->high_watermark(), 21);
  EXPECT_EQ(c.partition(3)->high_watermark(), 21);
  EXPECT_EQ(isr_of(c.partition(1)), (std::vector<int32_t>{1, 2, 3}));
  EXPECT_EQ(c.partition(1)->leader_epoch(), 0);
}

TEST(KafkaVectors, V2_ADeadFollowerStallsAcksUntilTheControllerDropsItAndARestartWithinTheSessionFails) {
  KafkaCluster c(s0());
  const HostId d = c.add_driver("producer", producer_setup());
  Workload w;
  w.schedule(c, d, 0, 200);
  c.fault(vt(10), Fault::crash(c.broker_host(3)));
  c.fault(vt(12), Fault::restart(c.broker_host(3)));
  c.start();
  c.run_until(vt(25));
  // The restart at 12 met its old registration: the broker halted.
  const auto fatal = c.events_named("kafka.fatal");
  ASSERT_EQ(fatal.size(), 1u) << c.dump();
  EXPECT_EQ(fatal[0].host, "b3");
  EXPECT_EQ(isr_of(c.partition(1)), (std::vector<int32_t>{1, 2}));
  EXPECT_EQ(c.partition(1)->leader_epoch(), 1) << "the controller's ISR change bumps the epoch, leader unchanged";
  EXPECT_EQ(c.partition(1)->leader(), 1);
  c.fault(vt(29.9), Fault::crash(c.broker_host(3)));
  c.fault(vt(30), Fault::restart(c.broker_host(3)));
  c.run_until(vt(40));
  // Every record acked, none with an error: the stall lasted until the expiry, below the
  // producer's 10 s. (The last ping reaches the leader up to 1 s plus half a tick late
  // through a follower server, so expiry can come a little after the digest's t + 8.)
  EXPECT_EQ(w.acked().size(), 200u) << c.dump();
  Duration longest = Duration::zero();
  for (const Sent& s : w.sent) longest = std::max(longest, s.acked - s.sent);
  EXPECT_GT(longest, Duration::seconds(4));
  EXPECT_LT(longest, Duration::millis(9100));
  EXPECT_TRUE(w.lost(c.records(1)).empty());
  // b3 came back, caught up and was re-added by the leader (no epoch change).
  EXPECT_EQ(isr_of(c.partition(1)), (std::vector<int32_t>{1, 2, 3}));
  EXPECT_EQ(c.partition(1)->leader_epoch(), 1);
  EXPECT_EQ(c.records(3), c.records(1));
  c.expect_transcript("kafka_v2_dead_follower.txt");
}

TEST(KafkaVectors, V4_ALeaderCrashElectsTheFirstLiveIsrMemberAndLosesNoAckedRecord) {
  KafkaCluster c(s0());
  const HostId d = c.add_driver("producer", producer_setup());
  const HostId reader = c.add_driver("consumer", producer_setup());
  Workload w;
  w.schedule(c, d, 0, 300);
  // A consumer, as an OSN reads the partition: committed records from offset 0, across the
  // leader change.
  std::vector<std::pair<int64_t, std::string>> consumed;
  c.run(vt(0), reader, [&](NodeContext& ctx, Driver& dr) {
    dr.consumer.start(
        ctx, "p", 0, 0, [&](NodeContext&, int64_t offset, const std::string& v) { consumed.emplace_back(offset, v); },
        [](NodeContext&, Error e) { FAIL() << "consumer error " << kafka::Error_Name(e); });
  });
  c.fault(vt(10), Fault::crash(c.broker_host(1)));
  c.start();
  c.run_until(vt(45));
  const std::vector<std::string> log = c.records(2);
  ASSERT_EQ(static_cast<int64_t>(consumed.size()), c.partition(2)->high_watermark()) << "everything committed, once";
  for (size_t i = 0; i < consumed.size(); ++i) {
    EXPECT_EQ(consumed[i].first, static_cast<int64_t>(i));
    EXPECT_EQ(consumed[i].second, log[i]);
  }
  ASSERT_NE(c.partition(2), nullptr);
  EXPECT_EQ(c.partition(2)->role(), kafka::Partition::Role::kLeader) << c.dump();
  EXPECT_EQ(c.partition(2)->leader_epoch(), 1);
  EXPECT_EQ(isr_of(c.partition(2)), (std::vector<int32_t>{2, 3}));
  EXPECT_TRUE(w.lost(c.records(2)).empty());
  EXPECT_EQ(c.records(3), c.records(2));
  EXPECT_GT(w.acked().size(), 250u) << "the producer finds the new leader and goes on";
  c.expect_transcript("kafka_v4_leader_crash.txt");
}

// V10: the derived RF=3 form of KIP-101 scenario 1. Record 100 is acked with leader HW
// 101 while b2 and b3 still hold HW 100; the leader dies; b3 cannot reach the new leader
// b2; then b2 dies and b3 is elected.
struct V10Case {
  const char* name;
  const char* version;
  std::set<int> lost;
  const char* golden;
};

void run_v10(const V10Case& v) {
  SCOPED_TRACE(v.name);
  KafkaCluster c(s0(v.version));
  const HostId d = c.add_driver("producer", producer_setup());
  Workload w;
  w.schedule(c, d, 0, 101);
  c.fault(vt(10.2), Fault::crash(c.broker_host(1)));
  c.fault(vt(10.2), Fault::make_partition({{c.broker_host(3)}, {c.broker_host(2)}}, true));
  c.fault(vt(20), Fault::crash(c.broker_host(2)));
  c.start();
  c.run_until(vt(10.1));
  ASSERT_EQ(w.acked().size(), 101u) << c.dump();
  EXPECT_EQ(c.partition(1)->high_watermark(), 101);
  EXPECT_EQ(c.partition(2)->high_watermark(), 100);
  EXPECT_EQ(c.partition(3)->high_watermark(), 100);
  c.run_until(vt(40));
  ASSERT_EQ(c.partition(3)->role(), kafka::Partition::Role::kLeader) << c.dump();
  EXPECT_EQ(c.partition(3)->leader_epoch(), 2);
  EXPECT_EQ(w.lost(c.records(3)), v.lost) << c.dump();
  c.expect_transcript(v.golden);
}

TEST(KafkaVectors, V10_HwTruncationLosesTheLastAckedRecordInADoubleFailoverAndLeaderEpochsDoNot) {
  const V10Case cases[] = {
      {"Kafka010TruncatesToItsLaggingHighWatermark", "0.10", {100}, "kafka_v10_kip101_0.10.txt"},
      {"Kafka10KeepsItsLogWhenTheEpochRequestFails", "1.0", {}, "kafka_v10_kip101_1.0.txt"},
      {"Kafka20KeepsItsLogWhenTheEpochRequestFails", "2.0", {}, "kafka_v10_kip101_2.0.txt"},
  };
  for (const V10Case& v : cases) run_v10(v);
}

// V12: KAFKA-6361's fast double failover. A = b1, B = b2; unclean election on; acks=1.
struct V12Case {
  const char* name;
  const char* version;
  bool converge;
  const char* golden;
};

void produce_batch(NodeContext& ctx, Driver& d, HostId leader, int from, int to) {
  kafka::ProduceRequest req;
  const int64_t correlation = d.rpc().next_correlation();
  req.set_correlation_id(correlation);
  req.set_topic("p");
  req.set_partition(0);
  req.set_acks(1);
  req.set_timeout_ms(10000);
  for (int k = from; k < to; ++k) req.add_records(value(k));
  d.rpc().call(ctx, leader, model::make_message(kafka::kProduce, req), correlation, Duration::seconds(5),
               [](NodeContext&, const Message*) {});
}

// KIP-101's and KAFKA-6361's setting: P = AR [1,2], min.isr 1, unclean election on;
// `more` adjusts each broker further.
ClusterOptions two_replicas(const char* version, std::function<void(kafka::BrokerConfig&)> more = {}) {
  ClusterOptions o;
  o.topics = {{"p", {{1, 2}}}};
  const kafka::KafkaVersion v = kafka::parse_kafka_version(version).value();
  o.broker_settings = [v, more](kafka::BrokerConfig& c) {
    c.version = v;
    c.min_insync_replicas = 1;
    c.unclean_leader_election = true;
    if (more) more(c);
  };
  return o;
}

void run_v12(const V12Case& v) {
  SCOPED_TRACE(v.name);
  KafkaCluster c(two_replicas(v.version));
  const HostId d = c.add_driver("producer", producer_setup(1));
  const HostId a = c.broker_host(1), b = c.broker_host(2);
  const std::vector<HostId> zk = c.zk_hosts();
  c.run(vt(0), d, [&](NodeContext& ctx, Driver& dr) { produce_batch(ctx, dr, a, 0, 11); });
  c.fault(vt(1), Fault::make_partition({{a}, {b}}, false));                     // partition 0
  c.run(vt(1.5), d, [&](NodeContext& ctx, Driver& dr) { produce_batch(ctx, dr, a, 100, 110); });
  c.fault(vt(2), Fault::make_partition({{a}, zk}, false));                      // partition 1
  c.run(vt(11), d, [&](NodeContext& ctx, Driver& dr) { produce_batch(ctx, dr, b, 200, 205); });
  c.fault(vt(12), Fault::heal(1));
  c.fault(vt(12), Fault::make_partition({{b}, zk}, false));                     // partition 2
  c.run(vt(21.5), d, [&](NodeContext& ctx, Driver& dr) { produce_batch(ctx, dr, a, 300, 310); });
  c.fault(vt(25), Fault::heal());
  c.start();
  c.run_until(vt(10.9));
  ASSERT_EQ(c.partition(2)->role(), kafka::Partition::Role::kLeader) << c.dump();
  ASSERT_EQ(c.partition(2)->log().log_end_offset(), 11);
  c.run_until(vt(21.4));
  ASSERT_EQ(c.partition(1)->role(), kafka::Partition::Role::kLeader) << c.dump();
  ASSERT_EQ(c.partition(2)->log().log_end_offset(), 16);
  c.run_until(vt(40));
  ASSERT_EQ(c.partition(1)->log().log_end_offset(), 31) << c.dump();
  if (v.converge) {
    EXPECT_EQ(c.records(2), c.records(1)) << c.dump();
    EXPECT_FALSE(c.partition(2)->replication_stuck());
  } else {
    EXPECT_NE(c.records(2), c.records(1));
    EXPECT_TRUE(c.partition(2)->replication_stuck()) << c.dump();
  }
  c.expect_transcript(v.golden);
}

TEST(KafkaVectors, V12_AFastDoubleFailoverDivergesWithKafka10AndConvergesWithKip279) {
  const V12Case cases[] = {
      {"Kafka10AnswersTheNextEpochsStartAndTheFollowerGetsStuck", "1.0", false, "kafka_v12_kafka6361_1.0.txt"},
      {"Kafka20AnswersTheCommonEpochAndTheFollowerTruncatesToIt", "2.0", true, "kafka_v12_kafka6361_2.0.txt"},
  };
  for (const V12Case& v : cases) run_v12(v);
}

// V11: KIP-101 scenario 2. AR [1,2], min.isr 1, unclean on. Offset 0 is synced on both
// (b2's tiny segments roll after each record, and a roll syncs), offset 1 only on b1 (it
// syncs every record); both hold HW 2 in their checkpoints; both lose power; b2 comes back
// first and takes r2 at offset 1; then b1 comes back as its follower.
struct V11Case {
  const char* name;
  const char* version;
  bool diverge;
  size_t isr_after_both_died;  // §5.4: unclean on empties the ISR up to 1.0; 1.1+ keeps one
};

void run_v11(const V11Case& v) {
  SCOPED_TRACE(v.name);
  KafkaCluster c(two_replicas(v.version, [](kafka::BrokerConfig& c) {
    if (c.broker_id == 1) c.log.flush_interval_messages = 1;
    if (c.broker_id == 2) c.log.segment_bytes = 16;
  }));
  const HostId d = c.add_driver("producer", producer_setup());
  Workload w;
  w.schedule(c, d, 0, 2, 0.5);
  c.run(vt(23), d, [&](NodeContext& ctx, Driver& dr) { produce_batch(ctx, dr, c.broker_host(2), 2, 3); });
  c.fault(vt(10), Fault::power_loss(c.broker_host(1)));
  c.fault(vt(10), Fault::power_loss(c.broker_host(2)));
  c.fault(vt(20), Fault::restart(c.broker_host(2)));
  c.fault(vt(30), Fault::restart(c.broker_host(1)));
  c.start();
  c.run_until(vt(9));
  ASSERT_EQ(w.acked().size(), 2u) << c.dump();
  EXPECT_EQ(c.world().host(c.broker_host(1)).store().get("kafka/hw/p-0"), "2");
  EXPECT_EQ(c.world().host(c.broker_host(2)).store().get("kafka/hw/p-0"), "2");
  c.run_until(vt(19));
  const auto& state = c.broker(4)->controller().partitions().at({"p", 0});
  EXPECT_EQ(state.leader, -1);
  EXPECT_EQ(state.isr.size(), v.isr_after_both_died) << c.dump();
  c.run_until(vt(45));
  ASSERT_EQ(c.partition(2)->role(), kafka::Partition::Role::kLeader) << c.dump();
  EXPECT_EQ(c.records(2), (std::vector<std::string>{"r0", "r2"})) << c.dump();
  if (v.diverge) {
    EXPECT_EQ(c.records(1), (std::vector<std::string>{"r0", "r1"})) << "two records at offset 1\n" << c.dump();
  } else {
    EXPECT_EQ(c.records(1), c.records(2)) << c.dump();
  }
}

TEST(KafkaVectors, V11_AfterADoublePowerLossHwTruncationLeavesTwoRecordsAtOneOffsetAndLeaderEpochsDoNot) {
  const V11Case cases[] = {
      {"Kafka010KeepsItsUnreplicatedRecord", "0.10", true, 0},
      {"Kafka10TruncatesToTheNextEpochsStart", "1.0", false, 0},
      {"Kafka20TruncatesToTheCommonEpochsEnd", "2.0", false, 1},
  };
  for (const V11Case& v : cases) run_v11(v);
}

// V9: a zombie leader. b1 loses ZooKeeper (only) at 10.3 and keeps leading in its own view;
// producer A (acks=1) and producer B (acks=all) write to it; healed at 40.
TEST(KafkaVectors, V9_AZombieLeaderAcknowledgesAcksOneRecordsThatAreLostButNoAcksAllRecord) {
  ClusterOptions o = s0();
  KafkaCluster c(o);
  const HostId da = c.add_driver("producer-a", producer_setup(1));
  const HostId db = c.add_driver("producer-b", producer_setup(-1));
  Workload a, b;
  a.prefix = "a";
  b.prefix = "b";
  a.schedule(c, da, 0, 300);
  b.schedule(c, db, 0.05, 300);
  c.fault(vt(10.3), Fault::make_partition({{c.broker_host(1)}, c.zk_hosts()}, false));
  c.fault(vt(40), Fault::heal());
  c.start();
  c.run_until(vt(60));
  ASSERT_EQ(c.partition(2)->role(), kafka::Partition::Role::kLeader) << c.dump();
  EXPECT_EQ(c.partition(2)->leader_epoch(), 1);
  const std::vector<std::string> log = c.records(2);
  EXPECT_EQ(c.records(1), log) << "b1 truncated and caught up as a follower";
  const std::set<int> lost_a = a.lost(log);
  EXPECT_FALSE(lost_a.empty()) << c.dump();
  // Only records b1 took after the new leader was elected (E(1, 10.3) > 15.3) are lost.
  for (int k : lost_a) EXPECT_GT(a.sent[k].sent, vt(15.3)) << "record a" << k;
  EXPECT_TRUE(b.lost(log).empty());
  EXPECT_GT(b.acked().size(), 100u);
  c.expect_transcript("kafka_v9_zombie_leader.txt");
}

// V3: b1 loses b3 (b3 keeps ZooKeeper). The leader's own lag check drops b3 (epoch
// unchanged); the controller hears of it through an ISR change notification; after the
// heal b3 catches up and the leader re-adds it.
TEST(KafkaVectors, V3_TheLeaderShrinksTheIsrOnItsLagCheckWithoutAnEpochChangeAndExpandsItOnCatchUp) {
  KafkaCluster c(s0());
  const HostId d = c.add_driver("producer", producer_setup());
  Workload w;
  w.schedule(c, d, 0, 400);
  c.fault(vt(10.3), Fault::make_partition({{c.broker_host(1)}, {c.broker_host(3)}}, false));
  c.fault(vt(40), Fault::heal());
  c.start();
  c.run_until(vt(35));
  const auto shrinks = c.events_named("kafka.isr_changed");
  ASSERT_FALSE(shrinks.empty()) << c.dump();
  EXPECT_GT(shrinks[0].at, vt(20.3)) << "not before the lag time passed";
  EXPECT_LE(shrinks[0].at, vt(25.4)) << "at the first check after it (every 5 s)";
  EXPECT_EQ(isr_of(c.partition(1)), (std::vector<int32_t>{1, 2}));
  EXPECT_EQ(c.partition(1)->leader_epoch(), 0);
  const auto& cached = c.broker(4)->controller().partitions().at({"p", 0});
  EXPECT_EQ(cached.isr, (std::vector<int32_t>{1, 2})) << "the notification reached the controller";
  EXPECT_EQ(cached.leader_epoch, 0);
  c.run_until(vt(55));
  EXPECT_EQ(isr_of(c.partition(1)), (std::vector<int32_t>{1, 2, 3}));
  EXPECT_EQ(c.partition(1)->leader_epoch(), 0);
  EXPECT_EQ(c.records(3), c.records(1));
  EXPECT_TRUE(w.lost(c.records(1)).empty());
  bool timed_out = false;
  for (const Event& e : c.events_named("kafka.producer.retry")) timed_out |= e.e.detail == "REQUEST_TIMED_OUT";
  EXPECT_TRUE(timed_out) << "requests stalled behind b3 time out before the shrink";
  c.expect_transcript("kafka_v3_isr_shrink_expand.txt");
}

// V5: V4, then b1 returns; it follows b2, rejoins the ISR, and the controller's
// preferred-replica check gives it the leadership back (epoch 2, ISR unchanged).
TEST(KafkaVectors, V5_ARecoveredPreferredReplicaTakesTheLeadershipBackAtTheNextRebalanceCheck) {
  KafkaCluster c(s0());
  const HostId d = c.add_driver("producer", producer_setup());
  Workload w;
  w.schedule(c, d, 0, 300);
  c.fault(vt(10), Fault::crash(c.broker_host(1)));
  c.fault(vt(30), Fault::restart(c.broker_host(1)));
  c.start();
  c.run_until(vt(60));
  EXPECT_EQ(c.partition(2)->role(), kafka::Partition::Role::kLeader);
  EXPECT_EQ(isr_of(c.partition(2)), (std::vector<int32_t>{2, 3, 1}));
  c.run_until(vt(310));
  EXPECT_EQ(c.partition(1)->role(), kafka::Partition::Role::kLeader) << c.dump();
  EXPECT_EQ(c.partition(1)->leader_epoch(), 2);
  EXPECT_EQ(isr_of(c.partition(1)), (std::vector<int32_t>{2, 3, 1}));
  EXPECT_TRUE(w.lost(c.records(1)).empty());
}

// V6: b1 loses both followers (all keep ZooKeeper): below min.insync.replicas; then b1
// dies and the partition goes offline; b1's return brings it back.
TEST(KafkaVectors, V6_BelowMinInsyncReplicasWritesFailAndLosingTheLastIsrMemberTakesThePartitionOffline) {
  KafkaCluster c(s0());
  const HostId d = c.add_driver("producer", producer_setup());
  Workload w;
  w.schedule(c, d, 0, 400);
  c.fault(vt(10.3), Fault::make_partition({{c.broker_host(1)}, {c.broker_host(2), c.broker_host(3)}}, false));
  c.fault(vt(30), Fault::crash(c.broker_host(1)));
  c.start();
  c.run_until(vt(29));
  EXPECT_EQ(isr_of(c.partition(1)), (std::vector<int32_t>{1}));
  std::set<std::string> errors;
  for (const Event& e : c.events_named("kafka.producer.retry")) errors.insert(e.e.detail);
  EXPECT_TRUE(errors.contains("NOT_ENOUGH_REPLICAS_AFTER_APPEND")) << c.dump();
  EXPECT_TRUE(errors.contains("NOT_ENOUGH_REPLICAS"));
  c.run_until(vt(45));
  const auto& state = c.broker(4)->controller().partitions().at({"p", 0});
  EXPECT_EQ(state.leader, -1) << "no clean candidate: offline";
  EXPECT_EQ(state.isr, (std::vector<int32_t>{1})) << "the last member stays";
  EXPECT_EQ(state.leader_epoch, 1);
  c.fault(vt(60), Fault::heal());
  c.fault(vt(60), Fault::restart(c.broker_host(1)));
  c.run_until(vt(80));
  EXPECT_EQ(c.partition(1)->role(), kafka::Partition::Role::kLeader) << c.dump();
  EXPECT_EQ(c.partition(1)->leader_epoch(), 2);
  EXPECT_EQ(c.records(2), c.records(1));
  EXPECT_TRUE(w.lost(c.records(1)).empty());
  c.expect_transcript("kafka_v6_offline_partition.txt");
}

// V13: the ZooKeeper quorum is lost for 50 s while a follower dies: no elections and no
// ISR writes meanwhile, acks stall; when the quorum returns every session's clock
// restarts, the dead follower's session expires, the ISR shrinks and writes resume.
TEST(KafkaVectors, V13_WithoutAZooKeeperQuorumNothingIsDecidedAndTheClusterResumesWhenItReturns) {
  KafkaCluster c(s0());
  const HostId d = c.add_driver("producer", producer_setup());
  Workload w;
  w.schedule(c, d, 0, 800);
  c.fault(vt(10), Fault::crash(c.zk(2)));
  c.fault(vt(10), Fault::crash(c.zk(3)));
  c.fault(vt(20), Fault::crash(c.broker_host(3)));
  c.fault(vt(60), Fault::restart(c.zk(2)));
  c.fault(vt(60), Fault::restart(c.zk(3)));
  c.start();
  c.run_until(vt(59));
  EXPECT_EQ(c.partition(1)->role(), kafka::Partition::Role::kLeader);
  EXPECT_EQ(c.partition(1)->leader_epoch(), 0);
  EXPECT_EQ(isr_of(c.partition(1)), (std::vector<int32_t>{1, 2, 3})) << "the shrink cannot be written";
  for (size_t k = 0; k < w.sent.size(); ++k)
    if (w.sent[k].done && w.sent[k].error == kafka::NONE) {
      EXPECT_LT(w.sent[k].acked, vt(20.1)) << "record " << k;
    }
  c.run_until(vt(80));
  EXPECT_EQ(isr_of(c.partition(1)), (std::vector<int32_t>{1, 2})) << c.dump();
  EXPECT_EQ(c.partition(1)->leader(), 1);
  EXPECT_TRUE(c.broker(1)->registered() && c.broker(2)->registered() && c.broker(4)->registered());
  EXPECT_EQ(c.events_named("zk.client.expired").size(), 0u) << "live brokers keep their sessions";
  int acked_after = 0;
  for (int k : w.acked()) acked_after += w.sent[k].acked > vt(60);
  EXPECT_GT(acked_after, 0) << "writes resume";
  EXPECT_TRUE(w.lost(c.records(1)).empty());
  c.expect_transcript("kafka_v13_zookeeper_quorum_loss.txt");
}

// V7 and V8: Jepsen's 2013 case. b1 loses its followers at 10.3 (keeping ZooKeeper), then
// ZooKeeper at 30 (the producer still reaches it); all healed at 50. With min.isr 1 and
// unclean election b1 acknowledges alone once the ISR is [1], b2 is elected uncleanly, and
// b1's writes since the cut are lost when it follows b2; with S0's settings writes stop
// instead, the partition goes offline and b1 leads again after the heal.
struct JepsenCase {
  const char* name;
  int32_t min_insync_replicas;
  bool unclean;
  bool loses;
  int32_t leader_after;
  int32_t epoch_after;
};

void run_jepsen(const JepsenCase& v) {
  SCOPED_TRACE(v.name);
  ClusterOptions o;
  o.broker_settings = [v](kafka::BrokerConfig& c) {
    c.min_insync_replicas = v.min_insync_replicas;
    c.unclean_leader_election = v.unclean;
  };
  KafkaCluster c(o);
  const HostId d = c.add_driver("producer", producer_setup());
  Workload w;
  w.schedule(c, d, 0, 450);
  c.fault(vt(10.3), Fault::make_partition({{c.broker_host(1)}, {c.broker_host(2), c.broker_host(3)}}, false));
  c.fault(vt(30), Fault::make_partition({{c.broker_host(1)}, c.zk_hosts()}, false));
  c.fault(vt(50), Fault::heal());
  c.start();
  c.run_until(vt(70));
  const kafka::Partition* leader = c.partition(v.leader_after);
  ASSERT_EQ(leader->role(), kafka::Partition::Role::kLeader) << c.dump();
  EXPECT_EQ(leader->leader_epoch(), v.epoch_after);
  const std::vector<std::string> log = c.records(v.leader_after);
  for (int32_t b : {1, 2, 3}) EXPECT_EQ(c.records(b), log) << "b" << b;
  const std::set<int> lost = w.lost(log);
  EXPECT_EQ(!lost.empty(), v.loses) << c.dump();
  for (int k : lost) EXPECT_GE(w.sent[k].sent, vt(10.2)) << "record " << k << " was replicated before the cut";
  if (!v.loses) {
    for (int k : w.acked()) {
      const bool during = w.sent[k].acked > vt(21) && w.sent[k].acked < vt(50);
      EXPECT_FALSE(during) << "record " << k << ": no write is acknowledged below min.insync.replicas";
    }
  }
}

TEST(KafkaVectors, V7V8_AnIsolatedLeaderAcksAloneAndLosesThemUnderUncleanElectionButNotWithS0Settings) {
  const JepsenCase cases[] = {
      {"V7_MinIsrOneAndUncleanElectionLoseTheLeadersLoneAcks", 1, true, true, 2, 1},
      {"V8_MinIsrTwoAndCleanElectionStopWritesAndLoseNothing", 2, false, false, 1, 2},
  };
  for (const JepsenCase& v : cases) run_jepsen(v);
}

TEST(KafkaVectors, V14_ANewControllerBumpsTheControllerEpochAndLeavesThePartitionAlone) {
  KafkaCluster c(s0());
  const HostId d = c.add_driver("producer", producer_setup());
  Workload w;
  w.schedule(c, d, 0, 200);
  c.fault(vt(10), Fault::crash(c.broker_host(4)));
  c.start();
  c.run_until(vt(5));
  ASSERT_TRUE(c.broker(4)->is_controller());
  EXPECT_EQ(c.broker(4)->controller().epoch(), 1);
  c.run_until(vt(25));
  int controllers = 0;
  for (int32_t b : {1, 2, 3})
    if (c.broker(b)->is_controller()) {
      ++controllers;
      EXPECT_EQ(c.broker(b)->controller().epoch(), 2);
    }
  EXPECT_EQ(controllers, 1) << c.dump();
  EXPECT_EQ(c.partition(1)->leader_epoch(), 0);
  EXPECT_EQ(isr_of(c.partition(1)), (std::vector<int32_t>{1, 2, 3}));
  EXPECT_EQ(w.acked().size(), 200u);
}

TEST(KafkaVectors, V15_LeaderAndIsrNeedsAHigherLeaderEpochAndANotOlderControllerEpoch) {
  KafkaCluster c(s0());
  const HostId d = c.add_driver("controller-stand-in", producer_setup());
  std::vector<Error> answers;
  auto send = [&](int32_t controller_epoch, int32_t leader, int32_t leader_epoch) {
    return [&, controller_epoch, leader, leader_epoch](NodeContext& ctx, Driver& dr) {
      kafka::LeaderAndIsrRequest req;
      const int64_t correlation = dr.rpc().next_correlation();
      req.set_correlation_id(correlation);
      req.set_controller_id(4);
      req.set_controller_epoch(controller_epoch);
      kafka::LeaderAndIsrPartition* p = req.add_partitions();
      p->set_topic("p");
      p->set_partition(0);
      p->set_leader(leader);
      p->set_leader_epoch(leader_epoch);
      for (int32_t r : {1, 2, 3}) {
        p->add_isr(r);
        p->add_replicas(r);
      }
      dr.rpc().call(ctx, c.broker_host(3), model::make_message(kafka::kLeaderAndIsr, req), correlation,
                    Duration::seconds(1), [&](NodeContext&, const Message* m) {
                      kafka::ControllerResponse r;
                      ASSERT_NE(m, nullptr);
                      ASSERT_TRUE(protoutil::parse(&r, *m->payload));
                      answers.push_back(r.error());
                    });
    };
  };
  c.run(vt(1), d, send(2, 2, 2));
  c.run(vt(1.1), d, send(2, 1, 1));
  c.run(vt(1.2), d, send(1, 1, 3));
  c.start();
  c.run_until(vt(2));
  EXPECT_EQ(answers, (std::vector<Error>{kafka::NONE, kafka::NONE, kafka::STALE_CONTROLLER_EPOCH}));
  EXPECT_EQ(c.partition(3)->leader(), 2);
  EXPECT_EQ(c.partition(3)->leader_epoch(), 2);
  EXPECT_EQ(c.partition(3)->role(), kafka::Partition::Role::kFollower);
}

TEST(KafkaProducer, AcksZeroGetsNoAnswerAndCountsAsSentAtOnce) {
  KafkaCluster c(s0());
  const HostId d = c.add_driver("producer", producer_setup(0));
  Workload w;
  w.schedule(c, d, 0, 10);
  c.start();
  c.run_until(vt(2));
  ASSERT_EQ(w.acked().size(), 10u);
  for (const Sent& s : w.sent) {
    EXPECT_EQ(s.offset, -1);
    EXPECT_LE(s.acked - s.sent, Duration::millis(3)) << "no answer awaited (the first waits for metadata)";
  }
  EXPECT_EQ(c.records(1).size(), 10u);
  EXPECT_EQ(c.records(2), c.records(1));
}

// The same seed gives the same run: trace hash and transcript (a zombie leader, a healed
// partition, elections, truncations and producer retries in one run).
TEST(KafkaDeterminism, TheSameSeedGivesTheSameTraceHashAndTranscript) {
  auto run = [] {
    KafkaCluster c(s0());
    const HostId d = c.add_driver("producer", producer_setup(1));
    Workload w;
    w.schedule(c, d, 0, 200);
    c.fault(vt(5.3), Fault::make_partition({{c.broker_host(1)}, c.zk_hosts()}, false));
    c.fault(vt(25), Fault::heal());
    c.start();
    c.run_until(vt(35));
    return std::pair(c.world().trace().hash(), c.transcript());
  };
  const auto first = run();
  const auto second = run();
  EXPECT_EQ(first.first, second.first);
  EXPECT_EQ(first.second, second.second);
  EXPECT_GT(first.second.size(), 20u);
}

// Acknowledged acks=1 records on a partition with one replica live only in the page cache:
// a power loss takes them, unless the flush policy synced them.
TEST(KafkaDurability, APowerLossWithoutFsyncLosesAcknowledgedAcksOneRecords) {
  struct Case {
    const char* name;
    uint64_t flush_interval_messages;
    size_t survive;
    const char* golden;
  };
  const Case cases[] = {
      {"KafkasDefaultFlushPolicyLosesThem", UINT64_MAX, 0, "kafka_power_loss_no_fsync.txt"},
      {"FlushingEveryMessageKeepsThem", 1, 20, "kafka_power_loss_fsync.txt"},
  };
  for (const Case& cs : cases) {
    SCOPED_TRACE(cs.name);
    ClusterOptions o;
    o.topics = {{"p", {{1}}}};
    o.broker_settings = [cs](kafka::BrokerConfig& c) { c.log.flush_interval_messages = cs.flush_interval_messages; };
    KafkaCluster c(o);
    const HostId d = c.add_driver("producer", producer_setup(1));
    Workload w;
    w.schedule(c, d, 0, 20);
    c.fault(vt(3), Fault::power_loss(c.broker_host(1)));
    c.fault(vt(15), Fault::restart(c.broker_host(1)));
    c.start();
    c.run_until(vt(25));
    EXPECT_EQ(w.acked().size(), 20u);
    ASSERT_NE(c.broker(1), nullptr);
    EXPECT_FALSE(c.broker(1)->halted()) << c.dump();
    EXPECT_EQ(c.records(1).size(), cs.survive);
    EXPECT_EQ(w.lost(c.records(1)).size(), 20 - cs.survive);
    c.expect_transcript(cs.golden);
  }
}

// sarama's aggregator: what was queued while a request was out goes in the next request,
// in order, one append at the leader with consecutive offsets.
TEST(KafkaProducer, RecordsQueuedBehindAnOutstandingRequestGoOutTogetherInOrder) {
  KafkaCluster c(s0());
  const HostId d = c.add_driver("producer", producer_setup());
  Workload warm{"w"}, first{"f"}, queued{"q"};
  warm.schedule(c, d, 0.5, 1);
  first.schedule(c, d, 1, 1);
  queued.schedule(c, d, 1.0005, 19, 0);  // behind `first`, which is not answered yet
  c.start();
  c.run_until(vt(3));
  ASSERT_EQ(first.acked().size(), 1u);
  ASSERT_EQ(queued.acked().size(), 19u);
  for (int k = 0; k < 19; ++k) EXPECT_EQ(queued.sent[k].offset, first.sent[0].offset + 1 + k) << k;
  int appends = 0;
  for (const Event& e : c.events_named("kafka.appended"))
    if (e.host == "b1" && e.at >= vt(1) && e.at < vt(3)) ++appends;
  EXPECT_EQ(appends, 2) << "one request for `first`, one for the 19 queued behind it";
}

// A retriable error sends the request's records again together, and they fail together
// once past their retries: ten records refused with NOT_ENOUGH_REPLICAS are answered at the
// same instant, not one after another (a metadata refresh may first wait out a dead seed).
TEST(KafkaProducer, ABatchRefusedWithNotEnoughReplicasFailsTogetherAfterItsRetries) {
  KafkaCluster c(s0());
  const HostId d = c.add_driver("producer", producer_setup());
  c.fault(vt(0), Fault::crash(c.broker_host(2)));
  c.fault(vt(0), Fault::crash(c.broker_host(3)));
  Workload w;
  w.schedule(c, d, 12, 10, 0);  // the controller has shrunk the ISR to [1] by then
  c.start();
  c.run_until(vt(60));
  ASSERT_EQ(isr_of(c.partition(1)), (std::vector<int32_t>{1}));
  for (int k = 0; k < 10; ++k) {
    ASSERT_TRUE(w.sent[k].done) << k;
    EXPECT_EQ(w.sent[k].error, kafka::NOT_ENOUGH_REPLICAS) << k;
    EXPECT_EQ(w.sent[k].acked, w.sent[0].acked) << k;
  }
  EXPECT_TRUE(c.records(1).empty()) << "refused before the append";
}

// Metadata refreshes through a driver's Rpc (1 s request timeout), one at each given vector
// time, each forgetting p's leader first: when each ended and whether it named a leader.
struct Refreshes {
  std::unique_ptr<kafka::ClusterMetadata> metadata;
  struct One {
    Time asked, ended;
    bool named = false;
    bool done = false;
  };
  std::vector<One> runs;
  void schedule(KafkaCluster& c, HostId driver, const std::vector<double>& at) {
    runs.resize(at.size());
    for (size_t k = 0; k < at.size(); ++k)
      c.run(vt(at[k]), driver, [this, &c, k](NodeContext& ctx, Driver& d) {
        if (!metadata) metadata = std::make_unique<kafka::ClusterMetadata>(c.broker_hosts(), Duration::seconds(1), d.rpc());
        metadata->invalidate("p", 0);
        runs[k].asked = ctx.now();
        metadata->refresh(ctx, [this, k](NodeContext& c2) {
          runs[k].ended = c2.now();
          runs[k].named = metadata->leader("p", 0).has_value();
          runs[k].done = true;
        });
      });
  }
};

// sarama's client: the first seed is asked while it answers; one that does not answer is
// deregistered and the next asked in the same refresh, so two dead brokers cost at most two
// timeouts in all, and every refresh still names the leader.
TEST(KafkaMetadata, ADeadBrokerCostsOneTimeoutAndTheSameRefreshAsksTheNextOne) {
  KafkaCluster c(s0());
  const HostId d = c.add_driver("client", Driver::Setup{});
  c.fault(vt(0), Fault::crash(c.broker_host(1)));
  c.fault(vt(0), Fault::crash(c.broker_host(2)));
  Refreshes r;
  r.schedule(c, d, {1, 4, 5, 6, 7, 8, 9, 10});
  c.start();
  c.run_until(vt(12));
  Duration waited = Duration::zero();
  for (size_t k = 0; k < r.runs.size(); ++k) {
    const Refreshes::One& one = r.runs[k];
    ASSERT_TRUE(one.done) << "refresh " << k;
    EXPECT_TRUE(one.named) << "refresh " << k << " found no leader";
    waited = waited + (one.ended - one.asked);
    if (k > 0) {
      EXPECT_LT(one.ended - one.asked, Duration::millis(50)) << "refresh " << k << " asked a dead broker again";
    }
  }
  EXPECT_LT(waited, Duration::millis(2100)) << "more than two timeouts in all";
  ASSERT_TRUE(r.metadata->next_broker().has_value());
  EXPECT_GE(*r.metadata->next_broker(), 3) << "a live broker is asked first";
}

// With every broker dead, a refresh asks each seed and then each broker a response listed
// (sarama keeps the two apart), ends without a leader after those eight timeouts, and
// resurrects the seeds: once the brokers are back, a refresh names the leader again.
TEST(KafkaMetadata, WithEveryBrokerDeadARefreshEndsWithoutALeaderAndTheSeedsAreAskedAgainLater) {
  KafkaCluster c(s0());
  const HostId d = c.add_driver("client", Driver::Setup{});
  for (int32_t b : {1, 2, 3, 4}) {
    c.fault(vt(0.5), Fault::crash(c.broker_host(b)));
    c.fault(vt(20), Fault::restart(c.broker_host(b)));
  }
  Refreshes r;
  r.schedule(c, d, {0, 1, 40});
  c.start();
  c.run_until(vt(45));
  ASSERT_TRUE(r.runs[0].done && r.runs[1].done && r.runs[2].done);
  EXPECT_TRUE(r.runs[0].named);
  EXPECT_FALSE(r.runs[1].named);
  EXPECT_GE(r.runs[1].ended - r.runs[1].asked, Duration::seconds(8));
  EXPECT_LT(r.runs[1].ended - r.runs[1].asked, Duration::millis(8100));
  EXPECT_TRUE(r.runs[2].named) << "the resurrected seeds are asked again";
  EXPECT_LT(r.runs[2].ended - r.runs[2].asked, Duration::millis(50));
}

}  // namespace
}  // namespace fabsim::kafkatest
