// Protocol transcripts across the client, the peers and the solo orderer, driven by hand
// with the sans-IO harness (tests/harness/interaction.h): what each node receives and what
// it answers, message by message, compared with golden files in tests/model/testdata/
// (FABSIM_REWRITE=1 rewrites them for review). The nodes are built exactly as a scenario
// builds them (FabricNetwork's process factories); the kernel never runs.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/proto/common/common.pb.h"
#include "core/proto/fabsim/client.pb.h"
#include "core/proto/fabsim/node_messages.pb.h"
#include "core/proto/peer/transaction.pb.h"
#include "model/orderer/solo.h"
#include "model/protocol.h"
#include "scenarios/fabric_network.h"
#include "tests/harness/interaction.h"

namespace fabsim {
namespace {

using harness::Interaction;

// The channel an envelope names, or "?".
std::string channel_of_envelope(const std::string& bytes) {
  common::Envelope env;
  common::Payload payload;
  common::ChannelHeader chdr;
  if (!env.ParseFromString(bytes) || !payload.ParseFromString(env.payload()) ||
      !chdr.ParseFromString(payload.header().channel_header()))
    return "?";
  return chdr.channel_id();
}

std::string describe(const Message& m) {
  const std::string& p = m.payload ? *m.payload : std::string();
  switch (m.kind) {
    case model::kProposal: return "Proposal";
    case model::kProposalReply: {
      fabsim::ProposalReply r;
      r.ParseFromString(p);
      return r.error().empty() ? "ProposalReply endorsed" : "ProposalReply error: " + r.error();
    }
    case model::kBroadcast: return "Broadcast";
    case model::kBroadcastReply: {
      fabsim::BroadcastReply r;
      r.ParseFromString(p);
      return "BroadcastReply " + common::Status_Name(r.response().status());
    }
    case model::kOrderedEnvelope: return "OrderedEnvelope (Broadcast to the chain)";
    case model::kDeliverRequest: {
      fabsim::DeliverRequest r;
      r.ParseFromString(p);
      return "DeliverRequest " + channel_of_envelope(r.envelope());
    }
    case model::kDeliverReply: {
      fabsim::DeliverReply r;
      r.ParseFromString(p);
      const common::Block& b = r.response().block();
      if (r.response().has_block())
        return fmt::format("DeliverReply {} block {}", b.data().data_size() > 0 ? channel_of_envelope(b.data().data(0)) : "?",
                           b.header().number());
      return "DeliverReply " + common::Status_Name(r.response().status());
    }
    case model::kDeliverCancel: return "DeliverCancel";
    case model::kEventRegister: {
      fabsim::EventRegistration r;
      r.ParseFromString(p);
      return "EventRegister " + r.channel_id();
    }
    case model::kBlockEvent: {
      fabsim::BlockEvent e;
      e.ParseFromString(p);
      std::string codes;
      for (const auto& t : e.transactions())
        codes += " " + protos::TxValidationCode_Name(static_cast<protos::TxValidationCode>(t.validation_code()));
      return fmt::format("BlockEvent {} block {}{}", e.channel_id(), e.number(), codes);
    }
    default: return fmt::format("kind {}", m.kind);
  }
}

// Two channels on one peer and one orderer: ch-a with chaincode kva, ch-b with kvb, both
// endorsed by the one peer; blocks of one transaction.
struct TwoChannels {
  TwoChannels() {
    FabricNetworkConfig c;
    c.seed = 12;
    c.orgs = {{"Org1", "Org1MSP", 1, 1}};
    orderer::BatchSettings batch;
    batch.size.max_message_count = 1;
    c.channels = {{"ch-a", {"Org1"}, {}, batch}, {"ch-b", {"Org1"}, {}, batch}};
    c.chaincodes = {{"kva", "kvstore", "OR('Org1MSP.peer')", false, "ch-a"},
                    {"kvb", "kvstore", "OR('Org1MSP.peer')", false, "ch-b"}};
    c.scheme = crypto::SignatureScheme::kHmacSha256;
    auto built = FabricNetwork::build(c);
    EXPECT_TRUE(built.is_ok()) << built.status().to_string();
    net = std::move(built).value();
    const auto& names = net->world().host_names();
    for (HostId h : {net->orderer(), net->peers()[0], net->clients()[0]}) it.add(h, names[h], net->factory(h));
  }
  void submit(const std::string& id, const std::string& chaincode) {
    fabsim::TxRequest req;
    req.set_id(id);
    req.set_chaincode(chaincode);
    req.set_function("put");
    req.add_args("k");
    req.add_args("v");
    it.call(net->clients()[0], ClientCall{"submit", req.SerializeAsString()});
  }
  std::unique_ptr<FabricNetwork> net;
  Interaction it{12, describe};
};

// One org with one peer and one client, a solo orderer cutting blocks of max_message_count
// transactions (2 s BatchTimeout), and
// a kvstore chaincode the peer alone endorses; HMAC signatures (the transcript shows no
// bytes, so the scheme only makes it cheaper).
struct Fabric {
  explicit Fabric(uint32_t max_message_count = 1) {
    FabricNetworkConfig c;
    c.seed = 11;
    c.orgs = {{"Org1", "Org1MSP", 1, 1}};
    c.chaincodes = {{"kv", "kvstore", "OR('Org1MSP.peer')"}};
    c.batch.size.max_message_count = max_message_count;
    c.scheme = crypto::SignatureScheme::kHmacSha256;
    c.node_settings.by_node["Org1.client0"].broadcast_attempts = 2;
    auto built = FabricNetwork::build(c);
    EXPECT_TRUE(built.is_ok()) << built.status().to_string();
    net = std::move(built).value();
    orderer = net->orderer();
    peer = net->peers()[0];
    client = net->clients()[0];
    const auto& names = net->world().host_names();
    for (HostId h : {orderer, peer, client}) it.add(h, names[h], net->factory(h));
  }

  void submit(const std::string& id, const std::string& key) {
    fabsim::TxRequest req;
    req.set_id(id);
    req.set_chaincode("kv");
    req.set_function("put");
    req.add_args(key);
    req.add_args("v");
    it.call(client, ClientCall{"submit", req.SerializeAsString()});
  }

  std::string golden(const std::string& name) const {
    return std::string(FABSIM_SOURCE_DIR) + "/tests/model/testdata/" + name;
  }

  std::unique_ptr<FabricNetwork> net;
  Interaction it{11, describe};
  HostId orderer = kNoHost, peer = kNoHost, client = kNoHost;
};

TEST(Interaction, ATransactionGoesFromProposalToCommitEvent) {
  Fabric f;
  f.it.stabilize();  // the peer opens Deliver and gets the genesis; the client registers
  f.submit("tx1", "k1");
  f.it.stabilize();
  f.it.expect_transcript(f.golden("interaction_commit.txt"));
  ASSERT_FALSE(f.it.events().empty());
  EXPECT_EQ(f.it.events().back().second.name, "client.committed");
  EXPECT_EQ(f.it.events().back().second.value, 0);  // VALID
}

TEST(Interaction, TwoChannelsKeepTheirOwnStreamsBlocksAndEvents) {
  TwoChannels f;
  f.it.stabilize();  // one Deliver stream and one event registration per channel
  f.submit("a1", "kva");
  f.submit("b1", "kvb");
  f.it.stabilize();
  f.it.expect_transcript(std::string(FABSIM_SOURCE_DIR) + "/tests/model/testdata/interaction_two_channels.txt");
  std::vector<std::string> committed;
  for (const auto& [h, e] : f.it.events())
    if (e.name == "client.committed") committed.push_back(e.detail);
  EXPECT_EQ(committed, (std::vector<std::string>{"a1", "b1"}));
}

TEST(Interaction, AnIsolatedOrdererTimesTheBroadcastOutAfterEveryAttempt) {
  Fabric f;
  f.it.stabilize();
  f.it.isolate(f.orderer);
  f.submit("tx1", "k1");
  f.it.stabilize();                    // endorsed; the broadcast is lost
  f.it.advance(Duration::seconds(6));  // broadcast_timeout (5 s): the second attempt, lost too
  f.it.stabilize();
  f.it.advance(Duration::seconds(5));  // the last attempt times out
  f.it.expect_transcript(f.golden("interaction_isolated_orderer.txt"));
  ASSERT_FALSE(f.it.events().empty());
  EXPECT_EQ(f.it.events().back().second.name, "client.failed.broadcast_timeout");
}

TEST(Interaction, AnOrdererCrashLosesThePendingBatchAndTheChainResumesAtItsHeight) {
  // Blocks of two: tx0 waits in the cutter when the orderer crashes. After the restart the
  // store still holds the genesis only (not written twice), and tx1 and tx2 become block 1.
  Fabric f(2);
  f.it.stabilize();
  f.submit("tx0", "k0");
  f.it.stabilize();
  auto* before = dynamic_cast<orderer::SoloOrderer*>(f.it.process(f.orderer));
  ASSERT_NE(before, nullptr);
  EXPECT_EQ(before->height(), 1u);
  EXPECT_EQ(before->pending_count(), 1u);
  f.it.crash(f.orderer);
  f.it.restart(f.orderer);
  f.it.stabilize();
  auto* after = dynamic_cast<orderer::SoloOrderer*>(f.it.process(f.orderer));
  ASSERT_NE(after, nullptr);
  EXPECT_EQ(after->height(), 1u);
  EXPECT_EQ(after->pending_count(), 0u);
  f.submit("tx1", "k1");
  f.submit("tx2", "k2");
  f.it.stabilize();
  EXPECT_EQ(after->height(), 2u);
  // The peer's Deliver stream died with the old incarnation, unseen: its watchdog re-opens it
  // after a whole deliver_retry (5 s) without progress — the check at 10 s, since the
  // genesis block arrived within the first interval.
  f.it.advance(Duration::seconds(11));
  f.it.stabilize();
  std::vector<std::string> committed;
  for (const auto& [h, e] : f.it.events())
    if (e.name == "client.committed") committed.push_back(e.detail);
  EXPECT_EQ(committed, (std::vector<std::string>{"tx1", "tx2"}));
}

}  // namespace
}  // namespace fabsim
