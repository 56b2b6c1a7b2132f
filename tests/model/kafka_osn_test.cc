// Ordering service nodes on Kafka (model/orderer/kafka_chain.h behind the orderer node of
// model/orderer/solo.h) on the kernel, over the ZooKeeper ensemble and brokers of
// kafka_cluster.h: transcripts across OSNs, brokers and a Fabric client, one case per rule of
// fabric-semantics.md §5 that needs the transport — OSNs fed one partition write the same
// blocks; TIMETOCUT is de-duplicated; an OSN crashed mid-block resumes from its offsets;
// Broadcast answers SERVICE_UNAVAILABLE before the chain is ready and while the brokers
// lack min.insync.replicas.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/crypto/ca.h"
#include "core/crypto/msp.h"
#include "core/crypto/signature.h"
#include "core/crypto/signing_identity.h"
#include "core/crypto/txid.h"
#include "core/proto/fabsim/node_messages.pb.h"
#include "core/proto/orderer/kafka.pb.h"
#include "model/orderer/block_writer.h"
#include "model/orderer/solo.h"
#include "model/protocol.h"
#include "tests/model/kafka_cluster.h"

namespace fabsim::kafkatest {
namespace {

using crypto::NodeOu;
using crypto::SignatureScheme;
using orderer::SoloOrderer;

constexpr uint64_t kSeed = 7;
const std::string kChannel = "mychannel";

// Org1 submits; OrdererOrg signs blocks. Built once: issuing certificates is not free.
struct Identities {
  Identities()
      : ca1(kSeed, "Org1MSP", "Org1"),
        ca_ord(kSeed, "OrdererMSP", "OrdererOrg"),
        client(ca1.issue("client0", NodeOu::kClient), SignatureScheme::kHmacSha256, kSeed),
        orderer(ca_ord.issue("orderer0", NodeOu::kOrderer), SignatureScheme::kHmacSha256, kSeed),
        verifier(crypto::make_verifier(SignatureScheme::kHmacSha256, kSeed)) {
    for (const crypto::CertificateAuthority* ca : {&ca1, &ca_ord}) {
      auto msp = crypto::Msp::create(crypto::MspConfig{ca->msp_id(), ca->certificate(), true, {}});
      EXPECT_TRUE(msp.is_ok());
      EXPECT_TRUE(msps.add(std::move(msp).value()).is_ok());
    }
  }
  crypto::CertificateAuthority ca1, ca_ord;
  crypto::SigningIdentity client, orderer;
  std::unique_ptr<crypto::Verifier> verifier;
  crypto::MspManager msps;
};
const Identities& ids() {
  static const Identities* i = new Identities();
  return *i;
}

// A Fabric client: on a call "osn-host" it broadcasts the next signed envelope to that OSN;
// it keeps every BroadcastReply.
class Client : public Process {
 public:
  struct Reply {
    std::string tx_id;
    common::Status status;
    std::string info;
  };
  explicit Client(std::vector<Reply>* replies) : replies_(replies) {}
  void on_start(NodeContext&) override {}
  void on_call(NodeContext& ctx, const ClientCall& call) override {
    common::SignatureHeader shdr;
    shdr.set_creator(ids().client.serialized());
    shdr.set_nonce(crypto::make_nonce(ctx.rng()));
    common::ChannelHeader chdr;
    chdr.set_type(common::ENDORSER_TRANSACTION);
    chdr.set_channel_id(kChannel);
    chdr.set_tx_id(crypto::compute_tx_id(shdr.nonce(), shdr.creator()));
    common::Payload payload;
    payload.mutable_header()->set_channel_header(protoutil::marshal(chdr));
    payload.mutable_header()->set_signature_header(protoutil::marshal(shdr));
    payload.set_data("tx" + std::to_string(sent_++));
    common::Envelope env;
    env.set_payload(protoutil::marshal(payload));
    env.set_signature(ids().client.sign(env.payload()));
    ctx.send(static_cast<HostId>(std::stoul(call.args)), model::make_message(model::kBroadcast, env));
  }
  void on_message(NodeContext&, HostId, const Message& msg) override {
    fabsim::BroadcastReply r;
    if (msg.kind != model::kBroadcastReply || !protoutil::parse(&r, *msg.payload)) return;
    replies_->push_back({r.tx_id(), r.response().status(), r.response().info()});
  }
  void on_timer(NodeContext&, TimerId, uint64_t) override {}

 private:
  std::vector<Reply>* replies_;
  int sent_ = 0;
};

struct NetworkOptions {
  std::map<int32_t, Duration> broker_startup;  // by broker id; unset: S0's start order
  int osns = 2;
  uint32_t max_message_count = 3;
  Duration batch_timeout = Duration::seconds(2);
  int32_t min_insync = 2;
};

// S0's ZooKeeper and brokers with the channel's topic on brokers 1–3, the OSNs and a client.
class Network {
 public:
  explicit Network(NetworkOptions o) : cluster_(options(o)) {
    orderer::KafkaChainConfig kafka;
    kafka.producer.brokers = cluster_.broker_hosts();
    kafka.consumer.brokers = cluster_.broker_hosts();
    orderer::BatchSettings batch;
    batch.size = orderer::BatchSize{o.max_message_count, 1u << 20, 1u << 19};
    batch.batch_timeout = o.batch_timeout;
    for (int i = 0; i < o.osns; ++i) {
      orderer::SoloConfig c;
      c.channels.push_back({kChannel, batch, &ids().msps, {"Org1MSP"}});
      c.signer = &ids().orderer;
      c.verifier = ids().verifier.get();
      c.costs = {};
      c.kafka = kafka;
      osns_.push_back(cluster_.add_node("osn" + std::to_string(i + 1), 2, [c](HostId, const DurableStore&) {
        return std::make_unique<SoloOrderer>(c);
      }));
    }
    client_ = cluster_.add_node("client", 1, [this](HostId, const DurableStore&) {
      return std::make_unique<Client>(&replies_);
    });
    cluster_.start();
  }

  void broadcast(double at, int osn) {
    cluster_.world().call_at(at_s(at), client_, ClientCall{"broadcast", std::to_string(osns_.at(osn - 1))});
  }
  SoloOrderer* osn(int i) { return dynamic_cast<SoloOrderer*>(cluster_.world().host(osns_.at(i - 1)).process()); }
  HostId osn_host(int i) const { return osns_.at(i - 1); }
  KafkaCluster& cluster() { return cluster_; }
  const std::vector<Client::Reply>& replies() const { return replies_; }

  // Block n of OSN i: its transactions and its KafkaMetadata.
  common::Block block(int i, uint64_t n) {
    auto b = osn(i)->block_store().block_by_number(n);
    EXPECT_TRUE(b.is_ok()) << b.status().to_string();
    return b.is_ok() ? std::move(b).value() : common::Block{};
  }
  ::orderer::KafkaMetadata metadata(int i, uint64_t n) {
    ::orderer::KafkaMetadata m;
    EXPECT_TRUE(m.ParseFromString(orderer::consenter_metadata(block(i, n))));
    return m;
  }
  // Every OSN's blocks 1.. carry the same transactions and the same KafkaMetadata as OSN 1's.
  void expect_identical_blocks() {
    for (size_t i = 2; i <= osns_.size(); ++i) {
      ASSERT_EQ(osn(static_cast<int>(i))->height(), osn(1)->height()) << cluster_.dump("kafka.chain");
      EXPECT_EQ(block(static_cast<int>(i), 0).header().data_hash(), block(1, 0).header().data_hash()) << "genesis";
      for (uint64_t n = 1; n < osn(1)->height(); ++n) {
        EXPECT_EQ(block(static_cast<int>(i), n).header().data_hash(), block(1, n).header().data_hash()) << "block " << n;
        EXPECT_EQ(metadata(static_cast<int>(i), n).SerializeAsString(), metadata(1, n).SerializeAsString())
            << "block " << n;
      }
    }
  }
  // The partition's messages of one type on broker b (REGULAR = 1, TIMETOCUT = 2, CONNECT = 3).
  std::vector<::orderer::KafkaMessage> partition(int32_t b) {
    std::vector<::orderer::KafkaMessage> out;
    for (const std::string& r : cluster_.records(b, kChannel)) {
      ::orderer::KafkaMessage m;
      EXPECT_TRUE(m.ParseFromString(r));
      out.push_back(m);
    }
    return out;
  }

 private:
  static ClusterOptions options(const NetworkOptions& o) {
    ClusterOptions c;
    c.seed = kSeed;
    c.topics = {{kChannel, {{1, 2, 3}}}};
    for (const auto& [b, d] : o.broker_startup) c.startup_delay[b] = d;
    const int32_t min_insync = o.min_insync;
    c.broker_settings = [min_insync](kafka::BrokerConfig& b) { b.min_insync_replicas = min_insync; };
    return c;
  }
  std::vector<Client::Reply> replies_;  // before the cluster: the client borrows it
  KafkaCluster cluster_;
  std::vector<HostId> osns_;
  HostId client_ = 0;
};

size_t count_status(const std::vector<Client::Reply>& replies, common::Status s) {
  size_t n = 0;
  for (const auto& r : replies) n += r.status == s ? 1 : 0;
  return n;
}

TEST(KafkaOsn, TwoOsnsWriteIdenticalBlocksFromOnePartition) {
  Network net({});
  for (int i = 0; i < 10; ++i) net.broadcast(20 + 0.1 * i, 1 + i % 2);
  net.cluster().run_until(at_s(40));
  ASSERT_EQ(net.replies().size(), 10u);
  EXPECT_EQ(count_status(net.replies(), common::SUCCESS), 10u) << net.cluster().dump("kafka.chain");
  // Three full blocks of 3 and the tenth cut by a TIMETOCUT: genesis + 4.
  EXPECT_EQ(net.osn(1)->height(), 5u);
  net.expect_identical_blocks();
  uint64_t txs = 0;
  for (uint64_t n = 1; n < net.osn(1)->height(); ++n) txs += net.block(1, n).data().data_size();
  EXPECT_EQ(txs, 10u);
}

TEST(KafkaOsn, EveryBlockIsTheRegularMessagesUpToItsLastOffsetPersisted) {
  Network net({});
  for (int i = 0; i < 7; ++i) net.broadcast(20 + 0.1 * i, 1 + i % 2);
  net.cluster().run_until(at_s(40));
  const auto log = net.partition(1);
  int64_t from = 0;
  for (uint64_t n = 1; n < net.osn(1)->height(); ++n) {
    const common::Block b = net.block(1, n);
    const int64_t to = net.metadata(1, n).last_offset_persisted();
    std::vector<std::string> regular;
    for (int64_t o = from; o <= to; ++o)
      if (log.at(static_cast<size_t>(o)).has_regular()) regular.push_back(log.at(static_cast<size_t>(o)).regular().payload());
    ASSERT_EQ(regular.size(), static_cast<size_t>(b.data().data_size())) << "block " << n;
    for (size_t k = 0; k < regular.size(); ++k) EXPECT_EQ(regular[k], b.data().data(static_cast<int>(k)));
    from = to + 1;
  }
}

TEST(KafkaOsn, EveryOsnPostsTimeToCutAndOnlyTheFirstCutsTheBlock) {
  Network net({});
  net.broadcast(20, 1);
  net.cluster().run_until(at_s(30));
  size_t ttc1 = 0;
  for (const auto& m : net.partition(1)) ttc1 += m.has_time_to_cut() && m.time_to_cut().block_number() == 1 ? 1 : 0;
  EXPECT_EQ(ttc1, 2u) << "each OSN's timer posts TIMETOCUT(1)\n" << net.cluster().dump("kafka.chain");
  EXPECT_EQ(net.osn(1)->height(), 2u);  // one block for block number 1
  EXPECT_EQ(net.block(1, 1).data().data_size(), 1);
  net.expect_identical_blocks();
  EXPECT_FALSE(net.osn(1)->kafka_chain()->halted());
  EXPECT_FALSE(net.osn(2)->kafka_chain()->halted());
}

TEST(KafkaOsn, AnOsnCrashedMidBlockRestartsFromItsLastOffsetPersisted) {
  Network net({});
  for (int i = 0; i < 4; ++i) net.broadcast(20 + 0.1 * i, 2);  // block 1 by count; the 4th pending
  net.cluster().fault(at_s(21), Fault::crash(net.osn_host(1)));
  for (int i = 0; i < 3; ++i) net.broadcast(22 + 0.1 * i, 2);  // block 2 by count; the 7th pending
  net.cluster().fault(at_s(26), Fault::restart(net.osn_host(1)));
  net.cluster().run_until(at_s(45));
  EXPECT_EQ(count_status(net.replies(), common::SUCCESS), 7u);
  EXPECT_EQ(net.osn(2)->height(), 4u);  // blocks 1 and 2 by count, block 3 by TIMETOCUT
  net.expect_identical_blocks();
  // The restarted incarnation consumed from block 1's last offset persisted + 1.
  const int64_t resume = net.metadata(1, 1).last_offset_persisted() + 1;
  std::vector<int64_t> ready;
  for (const Event& e : net.cluster().events_named("kafka.chain.ready"))
    if (e.host == "osn1") ready.push_back(e.e.value);
  EXPECT_EQ(ready, (std::vector<int64_t>{0, resume}));
}

TEST(KafkaOsn, BroadcastIsServiceUnavailableUntilTheChainIsReady) {
  Network net({});
  net.broadcast(0.2, 1);  // brokers are not even registered yet
  net.cluster().run_until(at_s(1));
  ASSERT_EQ(net.replies().size(), 1u);
  EXPECT_EQ(net.replies()[0].status, common::SERVICE_UNAVAILABLE);
  EXPECT_FALSE(net.osn(1)->kafka_chain()->ready());
  net.cluster().run_until(at_s(30));
  EXPECT_TRUE(net.osn(1)->kafka_chain()->ready()) << net.cluster().dump("kafka.chain");
}

TEST(KafkaOsn, BroadcastIsServiceUnavailableWhileTheBrokersLackMinInsyncReplicas) {
  Network net({});
  net.broadcast(20, 1);
  net.cluster().fault(at_s(25), Fault::crash(net.cluster().broker_host(2)));
  net.cluster().fault(at_s(25), Fault::crash(net.cluster().broker_host(3)));
  net.broadcast(50, 1);  // the ISR has shrunk to the leader: NOT_ENOUGH_REPLICAS
  net.cluster().fault(at_s(80), Fault::restart(net.cluster().broker_host(2)));
  net.broadcast(120, 2);
  net.cluster().run_until(at_s(140));
  ASSERT_EQ(net.replies().size(), 3u) << net.cluster().dump("kafka.chain");
  EXPECT_EQ(net.replies()[0].status, common::SUCCESS);
  EXPECT_EQ(net.replies()[1].status, common::SERVICE_UNAVAILABLE) << net.replies()[1].info;
  EXPECT_EQ(net.replies()[2].status, common::SUCCESS) << net.replies()[2].info;
  net.expect_identical_blocks();
  EXPECT_EQ(net.osn(1)->height(), 3u);  // the refused envelope is in no block
}

TEST(KafkaOsn, TheStartSequenceRetriesConnectUntilTheTopicHasALeader) {
  // Brokers 2 and 3 start at 60 s, and the topic (replicas 1–3) is created only then: every
  // CONNECT before fails with LEADER_NOT_AVAILABLE and is tried again.
  Network net({.broker_startup = {{2, Duration::seconds(60)}, {3, Duration::seconds(60)}}});
  net.broadcast(30, 1);
  net.broadcast(100, 1);
  net.cluster().run_until(at_s(120));
  size_t retries = 0;
  Time ready = Time::max();
  for (const Event& e : net.cluster().events()) {
    if (e.host == "osn1" && e.e.name == "kafka.chain.retry") ++retries;
    if (e.host == "osn1" && e.e.name == "kafka.chain.ready") ready = e.at;
  }
  EXPECT_GE(retries, 2u) << net.cluster().dump("kafka.chain");
  EXPECT_GT(ready, at_s(60));
  ASSERT_EQ(net.replies().size(), 2u);
  EXPECT_EQ(net.replies()[0].status, common::SERVICE_UNAVAILABLE);
  EXPECT_EQ(net.replies()[1].status, common::SUCCESS) << net.replies()[1].info;
}

// Fabric's retry.go with the sampleconfig's Kafka.Retry (5 s for 10 min, then 5 min for 12 h).
TEST(RetrySchedule, EachRuleOfRetryGo) {
  const orderer::RetrySettings s;
  const Time t0 = at_s(100);
  struct Case {
    const char* name;
    orderer::RetrySchedule schedule;
    Time started, failed;
    std::optional<Time> next;
    bool long_phase_after;
  };
  const Case cases[] = {
      {"TheFirstFailureStartsTheShortTickers", {}, t0, t0 + Duration::millis(300), t0 + Duration::millis(5300), false},
      {"AnAttemptWithinATickWaitsForTheNextTick", {false, t0}, t0 + Duration::seconds(5),
       t0 + Duration::seconds(6), t0 + Duration::seconds(10), false},
      {"AnAttemptLongerThanTheIntervalIsFollowedAtOnce", {false, t0}, t0 + Duration::seconds(5),
       t0 + Duration::seconds(17), t0 + Duration::seconds(17), false},
      {"AfterShortTotalTheLongPhaseTriesAtOnce", {false, t0}, t0 + Duration::seconds(595),
       t0 + Duration::seconds(596), t0 + Duration::seconds(600), true},
      {"TheLongPhaseTicksEveryLongInterval", {true, t0}, t0, t0 + Duration::seconds(1), t0 + Duration::seconds(300),
       true},
      {"AfterLongTotalTheChainGivesUp", {true, t0}, t0 + Duration::seconds(12 * 3600 - 300),
       t0 + Duration::seconds(12 * 3600 - 299), std::nullopt, true},
  };
  for (const Case& c : cases) {
    orderer::RetrySchedule r = c.schedule;
    EXPECT_EQ(r.next_attempt(s, c.started, c.failed), c.next) << c.name;
    EXPECT_EQ(r.long_phase, c.long_phase_after) << c.name;
  }
}

TEST(ConsenterMetadata, IsReadFromSignaturesFirstThenFromTheOrdererSlot) {
  auto block_with = [](const std::string& in_signatures, const std::string& in_orderer_slot) {
    common::Block b;
    for (int i = 0; i < 5; ++i) b.mutable_metadata()->add_metadata();
    common::OrdererBlockMetadata obm;
    obm.set_consenter_metadata(in_signatures);
    common::Metadata sigs;
    sigs.set_value(protoutil::marshal(obm));
    b.mutable_metadata()->set_metadata(common::SIGNATURES, protoutil::marshal(sigs));
    common::Metadata ord;
    ord.set_value(in_orderer_slot);
    b.mutable_metadata()->set_metadata(3, protoutil::marshal(ord));  // ORDERER (deprecated enum)
    return b;
  };
  EXPECT_EQ(orderer::consenter_metadata(block_with("sig", "ord")), "sig");
  EXPECT_EQ(orderer::consenter_metadata(block_with("", "ord")), "ord");  // written before 1.4.1
  EXPECT_EQ(orderer::consenter_metadata(block_with("", "")), "");
}

}  // namespace
}  // namespace fabsim::kafkatest
