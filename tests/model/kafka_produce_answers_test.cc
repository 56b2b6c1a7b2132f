// The rule that a leader answers every parked acks=all produce exactly once, also when one
// answer lets the broker handle that client's next produce at once (Broker::next_produce:
// Kafka unmutes the connection) and that produce finds other parked produces satisfied.
// Found by tests/scenarios/kafka_random_faults_test.cc (a crash in Partition::check_produces
// after a few hundred seeds): the nested check erased entries of the map the outer check
// was iterating. Several clients with several requests in flight each make the high
// watermark satisfy parked produces of different clients at once, again and again. And the
// rule that the follower's fetch that completed those produces returns what the answers
// let in at once (it used to park, missing that append's wake-up, for 500 ms a round).
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/model/kafka_cluster.h"

namespace fabsim::kafkatest {
namespace {

TEST(KafkaProduceAnswers, EveryParkedProduceIsAnsweredOnceWhenAnAnswerStartsTheNextProduce) {
  ClusterOptions o;
  o.broker_settings = [](kafka::BrokerConfig& c) { c.min_insync_replicas = 2; };
  KafkaCluster c(o);
  constexpr int kClients = 3;
  constexpr int kRecords = 200;  // per client, all sent at once
  Driver::Setup s;
  s.producer.max_in_flight = 5;  // requests queue on the broker's muted connection
  std::map<std::string, std::vector<int64_t>> answers;  // record -> offsets answered (-1: failed)
  Time last_answer;
  for (int k = 0; k < kClients; ++k) {
    const HostId d = c.add_driver("producer" + std::to_string(k), s);
    c.run(at_s(10), d, [&answers, &last_answer, k](NodeContext& ctx, Driver& dr) {
      for (int i = 0; i < kRecords; ++i) {
        const std::string record = "c" + std::to_string(k) + "r" + std::to_string(i);
        dr.producer.send(ctx, "p", 0, record,
                         [&answers, &last_answer, record](NodeContext& c, kafka::Error e, int64_t offset) {
                           answers[record].push_back(e == kafka::NONE ? offset : -1);
                           last_answer = c.now();
                         });
      }
    });
  }
  c.start();
  c.run_until(at_s(150));
  ASSERT_EQ(answers.size(), static_cast<size_t>(kClients * kRecords)) << c.dump();
  // Each round trip is a few milliseconds: a follower's fetch that completes a produce
  // returns the records the answer let in at once, instead of waiting its 500 ms.
  EXPECT_LT(last_answer, at_s(15)) << "the last answer came at " << format_time(last_answer);
  const std::vector<std::string> log = c.records(1);  // broker 1 leads (the preferred replica)
  std::set<int64_t> offsets;
  for (const auto& [record, got] : answers) {
    ASSERT_EQ(got.size(), 1u) << record << " answered " << got.size() << " times";
    ASSERT_GE(got[0], 0) << record << " failed";
    ASSERT_LT(got[0], static_cast<int64_t>(log.size())) << record;
    EXPECT_EQ(log[got[0]], record) << "at offset " << got[0];
    EXPECT_TRUE(offsets.insert(got[0]).second) << "offset " << got[0] << " answered twice";
  }
  EXPECT_EQ(c.records(2), log);
  EXPECT_EQ(c.records(3), log);
}

}  // namespace
}  // namespace fabsim::kafkatest
