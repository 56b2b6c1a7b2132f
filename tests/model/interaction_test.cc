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
    case model::kDeliverRequest: return "DeliverRequest";
    case model::kDeliverReply: {
      fabsim::DeliverReply r;
      r.ParseFromString(p);
      if (r.response().has_block()) return fmt::format("DeliverReply block {}", r.response().block().header().number());
      return "DeliverReply " + common::Status_Name(r.response().status());
    }
    case model::kDeliverCancel: return "DeliverCancel";
    case model::kEventRegister: return "EventRegister";
    case model::kBlockEvent: {
      fabsim::BlockEvent e;
      e.ParseFromString(p);
      std::string codes;
      for (const auto& t : e.transactions())
        codes += " " + protos::TxValidationCode_Name(static_cast<protos::TxValidationCode>(t.validation_code()));
      return fmt::format("BlockEvent block {}{}", e.number(), codes);
    }
    default: return fmt::format("kind {}", m.kind);
  }
}

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
