// Several channels on one network, through the kernel: each channel has its own members,
// ledgers, chain and blocks; a peer keeps one ledger per joined channel; clients submit to
// the chaincode's channel; the components route each message to its channel's lane.
#include <gtest/gtest.h>

#include <map>
#include <memory>

#include "analysis/invariants.h"
#include "core/proto/fabsim/node_messages.pb.h"
#include "model/ledger/tx_rwset.h"
#include "model/orderer/solo.h"
#include "model/peer/events.h"
#include "model/peer/peer.h"
#include "model/protocol.h"
#include "scenarios/fabric_network.h"

namespace fabsim {
namespace {

// Org1 and Org2 on "trade" (blocks of at most 5 transactions), Org2 and Org3 on "audit"
// (blocks of at most 50, or 300 ms). Org2.peer1 joins only "trade".
FabricNetworkConfig three_orgs(uint64_t seed) {
  FabricNetworkConfig c;
  c.seed = seed;
  c.orgs = {{"Org1", "Org1MSP", 1, 1}, {"Org2", "Org2MSP", 2, 1}, {"Org3", "Org3MSP", 1, 1}};
  orderer::BatchSettings small;
  small.size.max_message_count = 5;
  small.batch_timeout = Duration::millis(300);
  orderer::BatchSettings large;
  large.size.max_message_count = 50;
  large.batch_timeout = Duration::millis(300);
  c.channels = {{"trade", {"Org1", "Org2"}, {}, small}, {"audit", {"Org2", "Org3"}, {"Org2.peer0", "Org3.peer0"}, large}};
  c.chaincodes = {{"trades", "kvstore", "AND('Org1MSP.peer','Org2MSP.peer')", false, "trade"},
                  {"notes", "kvstore", "OR('Org2MSP.peer','Org3MSP.peer')", false, "audit"}};
  c.link.latency = Duration::millis(1);
  c.scheme = crypto::SignatureScheme::kHmacSha256;
  return c;
}

struct Outcomes {
  std::map<std::string, int64_t> committed;   // scenario id -> validation code
  std::map<std::string, std::string> failed;  // scenario id -> failure event
  std::map<std::string, int64_t> block;       // scenario id -> block number
};

Outcomes collect(FabricNetwork& net, Duration until = Duration::seconds(5)) {
  auto out = std::make_shared<Outcomes>();
  net.world().set_event_sink([out](Time, HostId, const AnalysisEvent& e) {
    if (e.name == "client.committed") out->committed[e.detail] = e.value;
    if (e.name == "client.block") out->block[e.detail] = e.value;
    if (e.name.rfind("client.failed", 0) == 0) out->failed[e.detail] = e.name;
  });
  net.world().start();
  net.world().run_until(Time::zero() + until);
  return *out;
}

HostId node(FabricNetwork& n, const std::string& name) { return n.world().find_host(name); }
const peer::PeerProcess& peer_of(FabricNetwork& n, const std::string& name) {
  return *dynamic_cast<peer::PeerProcess*>(n.world().host(node(n, name)).process());
}

// Submits `count` puts of `chaincode` from `client`, ids prefix0.., keys prefix0..
void submit(FabricNetwork& n, const std::string& client, const std::string& chaincode, const std::string& prefix,
            int count) {
  for (int i = 0; i < count; ++i)
    n.submit(Time::zero() + Duration::millis(100 + 10 * i), node(n, client), prefix + std::to_string(i), chaincode, "put",
             {prefix + std::to_string(i), "v"});
}

TEST(MultiChannel, PeersJoinTheChannelsOfTheirOrgsOrTheListedOnes) {
  auto net = FabricNetwork::build(three_orgs(1));
  ASSERT_TRUE(net.is_ok()) << net.status().to_string();
  FabricNetwork& n = **net;
  ASSERT_EQ(n.channel_count(), 2u);
  auto names = [&](size_t ch) {
    std::vector<std::string> out;
    for (HostId h : n.channel_peers(ch)) out.push_back(n.world().host(h).name());
    return out;
  };
  EXPECT_EQ(names(0), (std::vector<std::string>{"Org1.peer0", "Org2.peer0", "Org2.peer1"}));
  EXPECT_EQ(names(1), (std::vector<std::string>{"Org2.peer0", "Org3.peer0"}));
  n.world().start();
  n.world().run_until(Time::zero() + Duration::millis(10));
  EXPECT_EQ(peer_of(n, "Org2.peer0").channel_count(), 2u);
  EXPECT_EQ(peer_of(n, "Org2.peer1").channel_count(), 1u);
  EXPECT_EQ(peer_of(n, "Org2.peer1").channel_index("audit"), -1);
  // One committer lane per joined channel, then the endorser.
  const auto lanes = peer_of(n, "Org2.peer0").lanes();
  ASSERT_EQ(lanes.size(), 3u);
  EXPECT_EQ(lanes[0].name, "committer/trade");
  EXPECT_EQ(lanes[1].name, "committer/audit");
  EXPECT_EQ(lanes[2].name, "endorser");
}

TEST(MultiChannel, EachChannelHasItsOwnLedgerBlocksAndState) {
  auto net = FabricNetwork::build(three_orgs(2));
  ASSERT_TRUE(net.is_ok()) << net.status().to_string();
  FabricNetwork& n = **net;
  submit(n, "Org1.client0", "trades", "t", 12);
  submit(n, "Org3.client0", "notes", "a", 7);
  const Outcomes o = collect(n);
  EXPECT_TRUE(o.failed.empty()) << o.failed.begin()->first << " " << o.failed.begin()->second;
  ASSERT_EQ(o.committed.size(), 19u);
  for (const auto& [id, code] : o.committed) EXPECT_EQ(code, 0) << id;
  // trade cuts by count (5): 12 transactions need 3 blocks; audit's 7 fit one block of 50.
  const peer::PeerProcess& both = peer_of(n, "Org2.peer0");
  const ledger::Ledger* trade = both.ledger(static_cast<size_t>(both.channel_index("trade")));
  const ledger::Ledger* audit = both.ledger(static_cast<size_t>(both.channel_index("audit")));
  ASSERT_NE(trade, nullptr);
  ASSERT_NE(audit, nullptr);
  EXPECT_EQ(trade->height(), 1u + 3u);
  EXPECT_EQ(audit->height(), 1u + 1u);
  // Each key is in its own channel's state only.
  auto has = [](const ledger::Ledger* l, const std::string& ns, const std::string& key) {
    auto v = l->state().get_state(ns, key);
    return v.is_ok() && v->has_value();
  };
  EXPECT_TRUE(has(trade, "trades", "t11"));
  EXPECT_FALSE(has(audit, "trades", "t11"));
  EXPECT_TRUE(has(audit, "notes", "a6"));
  EXPECT_FALSE(has(trade, "notes", "a6"));
  // The orderer numbers each channel's blocks on its own.
  const auto* o0 = dynamic_cast<orderer::SoloOrderer*>(n.world().host(n.orderer()).process());
  ASSERT_NE(o0, nullptr);
  EXPECT_EQ(o0->height(static_cast<size_t>(o0->channel_index("trade"))), trade->height());
  EXPECT_EQ(o0->height(static_cast<size_t>(o0->channel_index("audit"))), audit->height());
  // Every channel's peers agree, checked per channel.
  for (size_t ch = 0; ch < n.channel_count(); ++ch) {
    std::vector<PeerLedger> peers;
    for (HostId h : n.channel_peers(ch)) {
      const auto* p = dynamic_cast<peer::PeerProcess*>(n.world().host(h).process());
      peers.push_back({n.world().host(h).name(), p->ledger(static_cast<size_t>(p->channel_index(n.channel_name(ch))))});
    }
    const InvariantReport r = check_invariants(peers, n.validation_context(ch));
    EXPECT_TRUE(r.hold()) << n.channel_name(ch) << ": " << r.violations.front();
    EXPECT_GT(r.transactions_rechecked, 0u);
  }
}

TEST(MultiChannel, EachCommittedBlockIsReportedWithItsChannel) {
  auto net = FabricNetwork::build(three_orgs(2));
  ASSERT_TRUE(net.is_ok());
  FabricNetwork& n = **net;
  submit(n, "Org1.client0", "trades", "t", 12);
  submit(n, "Org3.client0", "notes", "a", 7);
  // (peer, channel) -> transactions committed VALID, from the typed records alone.
  auto valid = std::make_shared<std::map<std::pair<std::string, std::string>, uint64_t>>();
  n.world().set_event_sink([&n, valid](Time, HostId h, const AnalysisEvent& e) {
    if (e.name != peer::kEventBlockCommitted) return;
    const auto* b = std::any_cast<peer::BlockCommittedEvent>(&e.data);
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(static_cast<int64_t>(b->number), e.value);
    if (b->number > 0) (*valid)[{n.world().host(h).name(), b->channel}] += b->valid;  // block 0: the genesis
  });
  n.world().start();
  n.world().run_until(Time::zero() + Duration::seconds(5));
  EXPECT_EQ(valid->at({"Org2.peer0", "trade"}), 12u);
  EXPECT_EQ(valid->at({"Org2.peer0", "audit"}), 7u);
  EXPECT_EQ(valid->at({"Org2.peer1", "trade"}), 12u);
  EXPECT_EQ(valid->count({"Org2.peer1", "audit"}), 0u);  // not on audit
  EXPECT_EQ(valid->at({"Org3.peer0", "audit"}), 7u);
}

TEST(MultiChannel, AProposalToAPeerThatHasNotJoinedTheChannelIsRefused) {
  auto net = FabricNetwork::build(three_orgs(3));
  ASSERT_TRUE(net.is_ok());
  FabricNetwork& n = **net;
  // Org2.peer1 is on trade only; audit's policy is satisfied by Org2's peer alone.
  n.submit(Time::zero() + Duration::millis(100), node(n, "Org2.client0"), "x", "notes", "put", {"k", "v"},
           {node(n, "Org2.peer1")});
  n.submit(Time::zero() + Duration::millis(100), node(n, "Org2.client0"), "y", "notes", "put", {"k", "v"},
           {node(n, "Org2.peer0")});
  const Outcomes o = collect(n);
  ASSERT_EQ(o.failed.count("x"), 1u);
  EXPECT_EQ(o.failed.at("x"), "client.failed.endorsement_error");
  ASSERT_EQ(o.committed.count("y"), 1u);
  EXPECT_EQ(o.committed.at("y"), 0);
}

TEST(MultiChannel, AClientWhoseOrgIsNotOnTheChaincodesChannelCannotSubmitToIt) {
  auto net = FabricNetwork::build(three_orgs(4));
  ASSERT_TRUE(net.is_ok());
  FabricNetwork& n = **net;
  n.submit(Time::zero() + Duration::millis(100), node(n, "Org1.client0"), "x", "notes", "put", {"k", "v"});
  const Outcomes o = collect(n);
  ASSERT_EQ(o.failed.count("x"), 1u);
  EXPECT_EQ(o.failed.at("x"), "client.failed.bad_request");  // not configured on its channels
}

TEST(MultiChannel, APeerJoiningAChannelItsOrgIsNotOnIsRefused) {
  FabricNetworkConfig c = three_orgs(5);
  c.channels[1].peers = {"Org2.peer0", "Org1.peer0"};
  auto net = FabricNetwork::build(c);
  ASSERT_FALSE(net.is_ok());
  EXPECT_NE(net.status().message().find("Org1.peer0 joins, but its organisation Org1 is not on the channel"),
            std::string::npos)
      << net.status().message();
}

TEST(MultiChannel, AChaincodeOnAnUnknownChannelIsRefused) {
  FabricNetworkConfig c = three_orgs(5);
  c.chaincodes[1].channel = "nosuch";
  auto net = FabricNetwork::build(c);
  ASSERT_FALSE(net.is_ok());
  EXPECT_NE(net.status().message().find("unknown channel nosuch"), std::string::npos) << net.status().message();
}

TEST(MultiChannel, ACrashOfAPeerOnOneChannelLeavesTheOtherChannelAlone) {
  auto net = FabricNetwork::build(three_orgs(6));
  ASSERT_TRUE(net.is_ok());
  FabricNetwork& n = **net;
  submit(n, "Org1.client0", "trades", "t", 40);
  submit(n, "Org3.client0", "notes", "a", 40);
  n.world().fault_at(Time::zero() + Duration::millis(150), Fault::crash(node(n, "Org3.peer0")));
  n.world().fault_at(Time::zero() + Duration::millis(1500), Fault::restart(node(n, "Org3.peer0")));
  const Outcomes o = collect(n, Duration::seconds(20));
  for (int i = 0; i < 40; ++i) {
    const std::string id = "t" + std::to_string(i);
    ASSERT_EQ(o.committed.count(id), 1u) << id;
    EXPECT_EQ(o.committed.at(id), 0) << id;
  }
  // audit's other peer carried its transactions; the restarted one caught up.
  const peer::PeerProcess& back = peer_of(n, "Org3.peer0");
  const peer::PeerProcess& other = peer_of(n, "Org2.peer0");
  EXPECT_EQ(back.height(0), other.height(static_cast<size_t>(other.channel_index("audit"))));
  EXPECT_GT(back.height(0), 1u);
}

TEST(MultiChannel, SameSeedGivesTheSameTrace) {
  auto run = [](uint64_t seed) {
    auto net = FabricNetwork::build(three_orgs(seed));
    EXPECT_TRUE(net.is_ok());
    FabricNetwork& n = **net;
    submit(n, "Org1.client0", "trades", "t", 10);
    submit(n, "Org3.client0", "notes", "a", 10);
    collect(n);
    return n.world().trace().hash();
  };
  EXPECT_EQ(run(7), run(7));
  EXPECT_NE(run(7), run(8));
}

// ---- routing: each message reaches the lane of its channel --------------------------------

TEST(MultiChannelRouting, TheOrdererHandsEachEnvelopeToItsChannelsChainAndServesDeliverOnIt) {
  auto net = FabricNetwork::build(three_orgs(9));
  ASSERT_TRUE(net.is_ok());
  FabricNetwork& n = **net;
  submit(n, "Org1.client0", "trades", "t", 3);
  collect(n, Duration::seconds(2));
  const auto* o = dynamic_cast<orderer::SoloOrderer*>(n.world().host(n.orderer()).process());
  ASSERT_NE(o, nullptr);
  const auto lanes = o->lanes();
  ASSERT_EQ(lanes.size(), 3u);
  EXPECT_EQ(lanes[0].name, "chain/trade");
  EXPECT_EQ(lanes[1].name, "chain/audit");
  EXPECT_EQ(lanes[2].name, "broadcast");
  // A Deliver request goes to the lane of the channel its envelope names.
  const peer::PeerProcess& p = peer_of(n, "Org2.peer0");
  EXPECT_GT(o->open_streams(), 0u);
  EXPECT_EQ(o->lane_of_message(node(n, "Org2.peer0"), Message{model::kBroadcast, nullptr}), o->broadcast_lane());
  // Both of Org2.peer0's streams are open, one per channel.
  EXPECT_NE(p.stream_id(0), 0u);
  EXPECT_NE(p.stream_id(1), 0u);
  EXPECT_NE(p.stream_id(0), p.stream_id(1));
  // A cancel follows its stream's request to that channel's lane even while the request
  // still waits there unhandled (the orderer records the channel when it routes the request).
  {
    common::ChannelHeader chdr;
    chdr.set_channel_id("audit");
    common::Payload payload;
    payload.mutable_header()->set_channel_header(chdr.SerializeAsString());
    common::Envelope env;
    env.set_payload(payload.SerializeAsString());
    fabsim::DeliverRequest req;
    req.set_stream_id(777);
    req.set_envelope(env.SerializeAsString());
    const HostId from = node(n, "Org3.peer0");
    EXPECT_EQ(o->lane_of_message(from, model::make_message(model::kDeliverRequest, req)),
              o->chain_lane(static_cast<size_t>(o->channel_index("audit"))));
    fabsim::DeliverCancel queued;
    queued.set_stream_id(777);
    EXPECT_EQ(o->lane_of_message(from, model::make_message(model::kDeliverCancel, queued)),
              o->chain_lane(static_cast<size_t>(o->channel_index("audit"))));
  }
  fabsim::DeliverCancel cancel;
  cancel.set_stream_id(p.stream_id(1));
  EXPECT_EQ(o->lane_of_message(node(n, "Org2.peer0"), model::make_message(model::kDeliverCancel, cancel)),
            o->chain_lane(static_cast<size_t>(o->channel_index("audit"))));
  cancel.set_stream_id(p.stream_id(0));
  EXPECT_EQ(o->lane_of_message(node(n, "Org2.peer0"), model::make_message(model::kDeliverCancel, cancel)),
            o->chain_lane(static_cast<size_t>(o->channel_index("trade"))));
  // The peer: a reply on a channel's stream goes to that channel's committer lane; a stale
  // stream id to the first lane (where it is dropped).
  for (size_t ch = 0; ch < 2; ++ch) {
    fabsim::DeliverReply reply;
    reply.set_stream_id(p.stream_id(ch));
    reply.mutable_response()->set_status(common::SUCCESS);
    EXPECT_EQ(p.lane_of_message(n.orderer(), model::make_message(model::kDeliverReply, reply)), p.committer_lane(ch));
  }
  fabsim::DeliverReply stale;
  stale.set_stream_id(12345);
  EXPECT_EQ(p.lane_of_message(n.orderer(), model::make_message(model::kDeliverReply, stale)), p.committer_lane(0));
  fabsim::EventRegistration reg;
  reg.set_channel_id("audit");
  EXPECT_EQ(p.lane_of_message(node(n, "Org2.client0"), model::make_message(model::kEventRegister, reg)),
            p.committer_lane(1));
}

}  // namespace
}  // namespace fabsim
