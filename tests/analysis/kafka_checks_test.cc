// The Kafka checks (analysis/kafka_checks.h): they hold on a consistent picture — two OSNs'
// ledgers, three replicas of the channel's partition, the OSNs' acknowledgements — and each
// one fires, naming heights, offsets and nodes, on a picture with one fault planted. One case
// per rule; the runs that produce real pictures are the Kafka scenarios (scenarios/kafka/,
// tests/scenarios/kafka_*).
#include <gtest/gtest.h>

#include <leveldb/env.h>
#include <leveldb/helpers/memenv.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "analysis/kafka_checks.h"
#include "core/proto/orderer/kafka.pb.h"
#include "model/ledger/block_hash.h"

namespace fabsim {
namespace {

// A minimal envelope whose TxID is `id` (all the checks read of it).
std::string envelope(const std::string& id) {
  common::ChannelHeader ch;
  ch.set_tx_id(id);
  ch.set_channel_id("mychannel");
  common::Payload p;
  ch.SerializeToString(p.mutable_header()->mutable_channel_header());
  common::Envelope env;
  p.SerializeToString(env.mutable_payload());
  return env.SerializeAsString();
}

std::string regular(const std::string& id) {
  ::orderer::KafkaMessage m;
  m.mutable_regular()->set_payload(envelope(id));
  return m.SerializeAsString();
}
std::string ttc(uint64_t n) {
  ::orderer::KafkaMessage m;
  m.mutable_time_to_cut()->set_block_number(n);
  return m.SerializeAsString();
}
std::string connect() {
  ::orderer::KafkaMessage m;
  m.mutable_connect();
  return m.SerializeAsString();
}

// A block's content: its transactions (TxIDs) and its last offset persisted.
struct BlockSpec {
  std::vector<std::string> txs;
  int64_t last_offset;
};

// The picture: the partition's log on every replica (as written), the blocks on every OSN,
// and the acknowledgements; a case plants its fault in it before it is built.
struct Picture {
  std::vector<std::string> log = {connect(), connect(), regular("a"), regular("b"), ttc(1),
                                  regular("c"), regular("d"), ttc(2), ttc(2)};
  std::vector<std::vector<std::string>> replica_logs;  // empty: each replica has `log`
  std::vector<int64_t> high_watermarks = {9, 9, 9};
  std::vector<std::vector<BlockSpec>> osn_blocks = {{{{"a", "b"}, 4}, {{"c", "d"}, 7}},
                                                    {{{"a", "b"}, 4}, {{"c", "d"}, 7}}};
  std::vector<KafkaAck> acks = {{"a", "orderer0", Time::zero() + Duration::seconds(1), 2},
                                {"b", "orderer1", Time::zero() + Duration::seconds(1), 3},
                                {"c", "orderer0", Time::zero() + Duration::seconds(2), 5},
                                {"d", "orderer0", Time::zero() + Duration::seconds(2), 6}};
  bool faults_healed = true;
};

class Built {
 public:
  explicit Built(const Picture& p) : env_(leveldb::NewMemEnv(leveldb::Env::Default())) {
    in_.channel = "mychannel";
    for (size_t r = 0; r < p.high_watermarks.size(); ++r) {
      const auto& records = p.replica_logs.empty() ? p.log : p.replica_logs[r];
      auto log = std::make_unique<kafka::PartitionLog>(env_.get(), "kafka" + std::to_string(r), kafka::LogConfig{});
      EXPECT_TRUE(log->open().is_ok());
      for (const auto& rec : records) EXPECT_TRUE(log->append(1, {rec}).is_ok());
      in_.replicas.push_back({"kafka" + std::to_string(r), static_cast<int32_t>(r) + 1, true, r == 0, 1,
                              p.high_watermarks[r], log.get()});
      logs_.push_back(std::move(log));
    }
    for (size_t o = 0; o < p.osn_blocks.size(); ++o) {
      auto store = ledger::BlockStore::open(env_.get(), "orderer" + std::to_string(o), {});
      EXPECT_TRUE(store.is_ok());
      std::string prev;
      auto add = [&](uint64_t n, const std::vector<std::string>& txs, std::optional<int64_t> last) {
        common::Block b;
        b.mutable_header()->set_number(n);
        b.mutable_header()->set_previous_hash(prev);
        for (const auto& id : txs) b.mutable_data()->add_data(envelope(id));
        b.mutable_header()->set_data_hash(ledger::block_data_hash(b.data()));
        for (int i = 0; i < 4; ++i) b.mutable_metadata()->add_metadata();
        b.mutable_metadata()->set_metadata(common::TRANSACTIONS_FILTER, std::string(txs.size(), '\0'));  // all VALID
        if (last) {
          ::orderer::KafkaMetadata km;
          km.set_last_offset_persisted(*last);
          common::OrdererBlockMetadata obm;
          obm.set_consenter_metadata(km.SerializeAsString());
          common::Metadata md;
          md.set_value(obm.SerializeAsString());
          md.SerializeToString(b.mutable_metadata()->mutable_metadata(common::SIGNATURES));
        }
        const Status s = (*store)->append(b);
        EXPECT_TRUE(s.is_ok()) << s.to_string();
        prev = ledger::block_header_hash(b.header());
      };
      add(0, {}, std::nullopt);
      for (size_t n = 0; n < p.osn_blocks[o].size(); ++n)
        add(n + 1, p.osn_blocks[o][n].txs, p.osn_blocks[o][n].last_offset);
      in_.osns.push_back({"orderer" + std::to_string(o), store->get()});
      stores_.push_back(std::move(store).value());
    }
    in_.acks = p.acks;
    in_.faults_healed = p.faults_healed;
  }
  const KafkaCheckInput& input() const { return in_; }

 private:
  std::unique_ptr<leveldb::Env> env_;
  std::vector<std::unique_ptr<kafka::PartitionLog>> logs_;
  std::vector<std::unique_ptr<ledger::BlockStore>> stores_;
  KafkaCheckInput in_;
};

KafkaCheckReport check(const Picture& p) { return check_kafka(Built(p).input()); }

std::string all(const KafkaCheckReport& r) {
  std::string s;
  for (const auto& v : r.violations) s += v + "\n";
  for (const auto& v : r.divergences) s += v + "\n";
  return s;
}

TEST(KafkaChecks, HoldOnAConsistentPicture) {
  const KafkaCheckReport r = check(Picture{});
  EXPECT_TRUE(r.violations.empty()) << all(r);
  EXPECT_TRUE(r.divergences.empty()) << all(r);
  EXPECT_TRUE(r.lost.empty());
  EXPECT_EQ(r.blocks_matched, 4u);      // 2 blocks x 2 OSNs
  EXPECT_EQ(r.heights_compared, 3u);    // heights 0, 1, 2
  EXPECT_EQ(r.offsets_compared, 27u);   // 9 offsets x 3 pairs
  EXPECT_EQ(r.acknowledged, 4u);
  EXPECT_EQ(r.reference_replica, "kafka0");
  EXPECT_EQ(r.ledger_height, 3u);
}

// Each rule: the fault planted, and what the report must then say.
struct PlantedFault {
  const char* rule;
  std::function<void(Picture&)> plant;
  const char* says;  // a substring of a violation or divergence; empty: none expected
  size_t lost = 0;
  uint64_t unjudged = 0;
};

class KafkaPlantedFault : public testing::TestWithParam<PlantedFault> {};

TEST_P(KafkaPlantedFault, IsReported) {
  Picture p;
  GetParam().plant(p);
  const KafkaCheckReport r = check(p);
  const std::string text = all(r);
  if (std::string(GetParam().says).empty())
    EXPECT_EQ(text, "");
  else
    EXPECT_NE(text.find(GetParam().says), std::string::npos) << text;
  EXPECT_EQ(r.lost.size(), GetParam().lost) << text;
  EXPECT_EQ(r.unjudged, GetParam().unjudged);
}

INSTANTIATE_TEST_SUITE_P(
    Rules, KafkaPlantedFault,
    testing::Values(
        // Check 1: OSNs write the same block at every height.
        PlantedFault{"OsnsDisagreeOnABlock",
                     [](Picture& p) { p.osn_blocks[1][1].txs = {"d", "c"}; },
                     "height 2: block hash differs between orderer0"},
        PlantedFault{"OsnsDisagreeOnKafkaMetadata",
                     [](Picture& p) { p.osn_blocks[1][0].last_offset = 3; },
                     "height 1: KafkaMetadata differs between orderer0 (last offset 4) and orderer1 (3)"},
        // Check 2: a block is exactly the REGULAR messages between its offsets.
        PlantedFault{"BlockMissesARegularMessage",
                     [](Picture& p) {
                       for (auto& o : p.osn_blocks) o[1].txs = {"c"};
                       p.acks.pop_back();
                     },
                     "orderer0: block 2 holds 1 transactions but offsets 5..7 of kafka0 hold 2 REGULAR messages"},
        PlantedFault{"BlockHoldsWhatTheLogDoesNot",
                     [](Picture& p) {
                       for (auto& o : p.osn_blocks) o[0].txs = {"a", "x"};
                       p.acks.erase(p.acks.begin() + 1);
                     },
                     "block 1 holds 2 transactions but offsets 0..4 of kafka0 hold 2 REGULAR messages; they differ "
                     "from transaction 1 on (offset 3)"},
        PlantedFault{"BlockOutOfOffsetOrder",
                     [](Picture& p) {
                       for (auto& o : p.osn_blocks) o[0].txs = {"b", "a"};
                     },
                     "they differ from transaction 0 on (offset 2)"},
        // Check 3: replicas agree below the high watermark, and only there.
        PlantedFault{"ReplicasDivergeBelowTheHighWatermark",
                     [](Picture& p) {
                       p.replica_logs = {p.log, p.log, p.log};
                       p.replica_logs[2][3] = regular("z");
                     },
                     "partition mychannel-0: offset 3 differs between kafka0 (epoch 1, high watermark 9) and kafka2"},
        PlantedFault{"ReplicasMayDifferAboveTheHighWatermark",
                     [](Picture& p) {
                       p.replica_logs = {p.log, p.log, p.log};
                       p.replica_logs[2].push_back(regular("y"));
                       p.replica_logs[1].push_back(regular("z"));
                     },
                     ""},
        PlantedFault{"AFollowerBehindIsNotADivergence",
                     [](Picture& p) {
                       p.replica_logs = {p.log, p.log, p.log};
                       p.replica_logs[2].resize(5);
                       p.replica_logs[2].push_back(regular("q"));
                       p.high_watermarks[2] = 5;
                     },
                     ""},
        // Check 4: at most one block per TIMETOCUT number.
        PlantedFault{"AStaleTimeToCutCutsABlock",
                     [](Picture& p) {
                       p.log[7] = ttc(1);  // block 2 ends at offset 7: a second TIMETOCUT(1)
                     },
                     "orderer0: block 2 was cut by TIMETOCUT(1) at offset 7 of kafka0"},
        // Check 5: no acknowledged transaction is missing once the faults are healed.
        PlantedFault{"AnAcknowledgedTransactionIsLost",
                     [](Picture& p) { p.acks.push_back({"e", "orderer1", Time::zero() + Duration::seconds(3), 9}); },
                     "", 1},
        PlantedFault{"ALossBelowTheLedgersLastOffsetIsJudgedWhileAFaultIsActive",
                     [](Picture& p) {
                       p.acks.push_back({"e", "orderer1", Time::zero() + Duration::seconds(3), 6});
                       p.faults_healed = false;
                     },
                     "", 1, 0},
        PlantedFault{"LossIsNotJudgedWhileAFaultIsActive",
                     [](Picture& p) {
                       p.acks.push_back({"e", "orderer1", Time::zero() + Duration::seconds(3), 9});
                       p.faults_healed = false;
                     },
                     "", 0, 1},
        PlantedFault{"ARepeatedAcknowledgementCountsOnce",
                     [](Picture& p) { p.acks.push_back(p.acks.front()); }, ""}),
    [](const testing::TestParamInfo<PlantedFault>& info) { return info.param.rule; });

TEST(KafkaChecks, ALostRecordNamesItsOsnTimeAndOffset) {
  Picture p;
  p.acks.push_back({"e", "orderer1", Time::zero() + Duration::seconds(3), 9});
  const KafkaCheckReport r = check(p);
  ASSERT_EQ(r.lost.size(), 1u);
  EXPECT_EQ(r.lost[0].ack.tx_id, "e");
  EXPECT_EQ(r.lost[0].ack.osn, "orderer1");
  EXPECT_EQ(r.lost[0].ack.offset, 9);
}

// ---- liveness ------------------------------------------------------------------------------

Time at(double s) { return Time::zero() + Duration::millis(static_cast<int64_t>(s * 1000)); }

TEST(KafkaLiveness, TheBoundAddsUpTheWorstCasesOnTheWay) {
  // 6 + 2 (session expiry at a tick) + 10 (ZooKeeper election) + 15 (ISR shrink) + 10
  // (producer request) + 0.3 (retries) + 5 (CONNECT retry) + 10 + 2 (consumer) + 1 (batch).
  EXPECT_EQ(kafka_liveness_bound(KafkaTimeouts{}), Duration::millis(61'300));
}

struct LivenessCase {
  const char* rule;
  bool conditions_hold;
  std::vector<double> blocks, broadcasts;
  double until;  // the next event
  bool judged;
  bool violation;
};

class KafkaLivenessRule : public testing::TestWithParam<LivenessCase> {};

TEST_P(KafkaLivenessRule, Holds) {
  const LivenessCase& c = GetParam();
  const Duration bound = Duration::seconds(20);
  std::vector<Time> blocks, broadcasts;
  for (double b : c.blocks) blocks.push_back(at(b));
  for (double b : c.broadcasts) broadcasts.push_back(at(b));
  std::vector<std::string> violations;
  auto res = kafka_liveness({{at(10), "after crash kafka0", c.conditions_hold, at(c.until)}}, blocks, broadcasts, bound,
                            at(200), &violations);
  ASSERT_EQ(res.size(), 1u);
  EXPECT_EQ(res[0].judged, c.judged);
  EXPECT_EQ(violations.size(), c.violation ? 1u : 0u);
}

INSTANTIATE_TEST_SUITE_P(
    Rules, KafkaLivenessRule,
    testing::Values(
        // the bound is 20 s from the event at 10 s, +3 s grace: blocks by 33 s pass
        LivenessCase{"ABlockWithinTheBoundPasses", true, {5, 25}, {12, 30}, 100, true, false},
        LivenessCase{"NoBlockAlthoughTrafficCameAfterTheBoundFails", true, {5, 40}, {12, 30.5}, 100, true, true},
        LivenessCase{"NoTrafficAfterTheBoundIsNotJudged", true, {5}, {12}, 100, false, false},
        LivenessCase{"ConditionsThatDoNotHoldAreNotJudged", false, {5}, {12, 30.5}, 100, false, false},
        LivenessCase{"TheNextEventBeforeTheBoundEndsTheWindow", true, {5, 40}, {12, 30.5}, 25, false, false}),
    [](const testing::TestParamInfo<LivenessCase>& info) { return info.param.rule; });

}  // namespace
}  // namespace fabsim
