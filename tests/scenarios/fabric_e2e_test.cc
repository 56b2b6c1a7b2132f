// End to end on the kernel: clients, peers and a solo orderer built as FabricNetwork and run
// through the simulator. Checks that transactions commit with the right validation codes,
// that every peer holds the same chain, and that the whole flow is deterministic.
#include <gtest/gtest.h>

#include <map>

#include "analysis/invariants.h"
#include "model/ledger/block_hash.h"
#include "model/peer/peer.h"
#include "scenarios/fabric_network.h"

namespace fabsim {
namespace {

FabricNetworkConfig two_orgs(uint64_t seed) {
  FabricNetworkConfig c;
  c.seed = seed;
  c.orgs = {{"Org1", "Org1MSP", 2, 1}, {"Org2", "Org2MSP", 2, 0}};
  c.chaincodes = {{"kv", "kvstore", "AND('Org1MSP.peer','Org2MSP.peer')"}};
  c.batch.size.max_message_count = 10;
  c.batch.batch_timeout = Duration::millis(200);
  c.link.latency = Duration::millis(1);
  c.link.bandwidth_bps = 1'000'000'000;
  c.scheme = crypto::SignatureScheme::kHmacSha256;
  return c;
}

struct Outcomes {
  std::map<std::string, int64_t> committed;  // scenario id -> validation code
  std::map<std::string, std::string> failed;  // scenario id -> failure event
};

Outcomes collect(FabricNetwork& net) {
  auto out = std::make_shared<Outcomes>();
  net.world().set_event_sink([out](Time, HostId, const AnalysisEvent& e) {
    if (e.name == "client.committed") out->committed[e.detail] = e.value;
    if (e.name.rfind("client.failed", 0) == 0) out->failed[e.detail] = e.name;
  });
  net.world().start();
  net.world().run_until(Time::zero() + Duration::seconds(10));
  return *out;
}

const ledger::Ledger& ledger_of(FabricNetwork& net, HostId h) {
  auto* p = dynamic_cast<peer::PeerProcess*>(net.world().host(h).process());
  EXPECT_NE(p, nullptr);
  return *p->ledger();
}

TEST(FabricEndToEnd, EndorsedTransactionsCommitValidOnEveryPeer) {
  auto net = FabricNetwork::build(two_orgs(1));
  ASSERT_TRUE(net.is_ok()) << net.status().to_string();
  FabricNetwork& n = **net;
  for (int i = 0; i < 30; ++i)
    n.submit(Time::zero() + Duration::millis(100 + 5 * i), n.clients()[0], "t" + std::to_string(i), "kv", "put",
             {"k" + std::to_string(i), "v"});
  const Outcomes o = collect(n);
  EXPECT_TRUE(o.failed.empty()) << o.failed.begin()->first << " " << o.failed.begin()->second;
  ASSERT_EQ(o.committed.size(), 30u);
  for (const auto& [id, code] : o.committed) EXPECT_EQ(code, 0) << id;
  // Every peer holds the same chain and the same state.
  const ledger::Ledger& first = ledger_of(n, n.peers()[0]);
  EXPECT_GE(first.height(), 4u);  // genesis + at least 3 blocks of <= 10
  for (HostId p : n.peers()) {
    const ledger::Ledger& l = ledger_of(n, p);
    ASSERT_EQ(l.height(), first.height());
    for (uint64_t b = 0; b < l.height(); ++b) {
      auto mine = l.block_store().block_by_number(b);
      auto theirs = first.block_store().block_by_number(b);
      ASSERT_TRUE(mine.is_ok() && theirs.is_ok());
      EXPECT_EQ(ledger::block_header_hash(mine->header()), ledger::block_header_hash(theirs->header()));
      EXPECT_EQ(mine->metadata().metadata(2), theirs->metadata().metadata(2));
    }
    auto v = l.state().get_state("kv", "k29");
    ASSERT_TRUE(v.is_ok() && v->has_value());
  }
}

TEST(FabricEndToEnd, ConflictingTransactionsInOneBlockGiveMvccReadConflict) {
  auto net = FabricNetwork::build(two_orgs(2));
  ASSERT_TRUE(net.is_ok());
  FabricNetwork& n = **net;
  n.submit(Time::zero() + Duration::millis(100), n.clients()[0], "seed", "kv", "put", {"hot", "0"});
  // Both read "hot" at the same committed version and write it; they land in one block.
  n.submit(Time::zero() + Duration::seconds(2), n.clients()[0], "a", "kv", "multi", {"get:hot", "put:hot=a"});
  n.submit(Time::zero() + Duration::seconds(2), n.clients()[0], "b", "kv", "multi", {"get:hot", "put:hot=b"});
  const Outcomes o = collect(n);
  ASSERT_EQ(o.committed.count("a"), 1u);
  ASSERT_EQ(o.committed.count("b"), 1u);
  EXPECT_EQ(o.committed.at("a"), protos::TxValidationCode::VALID);
  EXPECT_EQ(o.committed.at("b"), protos::TxValidationCode::MVCC_READ_CONFLICT);
}

TEST(FabricEndToEnd, ThePolicyIsEnforcedWhenAnOrganisationCannotEndorse) {
  FabricNetworkConfig c = two_orgs(3);
  c.chaincodes = {{"kv", "kvstore", "AND('Org1MSP.peer','Org2MSP.peer','Org1MSP.admin')"}};
  auto net = FabricNetwork::build(c);
  ASSERT_TRUE(net.is_ok());
  FabricNetwork& n = **net;
  n.submit(Time::zero() + Duration::millis(100), n.clients()[0], "t", "kv", "put", {"k", "v"});
  const Outcomes o = collect(n);
  // No peer is an admin: the client cannot find endorsers that satisfy the policy.
  EXPECT_EQ(o.failed.count("t"), 1u);
  EXPECT_EQ(o.committed.count("t"), 0u);
}

TEST(FabricEndToEnd, ClientsWithoutAnyPeerAreRejected) {
  FabricNetworkConfig c = two_orgs(1);
  c.orgs = {{"Org1", "Org1MSP", 0, 1}};
  auto net = FabricNetwork::build(c);
  ASSERT_FALSE(net.is_ok());
  EXPECT_NE(net.status().message().find("at least one peer"), std::string::npos);
}

TEST(FabricEndToEnd, SameSeedGivesTheSameTrace) {
  auto run = [](uint64_t seed) {
    auto net = FabricNetwork::build(two_orgs(seed));
    EXPECT_TRUE(net.is_ok());
    FabricNetwork& n = **net;
    for (int i = 0; i < 10; ++i)
      n.submit(Time::zero() + Duration::millis(100 + 7 * i), n.clients()[0], "t" + std::to_string(i), "kv", "put",
               {"k" + std::to_string(i % 3), "v"});
    collect(n);
    return n.world().trace().hash();
  };
  EXPECT_EQ(run(4), run(4));
  EXPECT_NE(run(4), run(5));
}

}  // namespace
}  // namespace fabsim

namespace fabsim {
namespace {

TEST(FabricEndToEnd, CrashedPeerRecoversFromItsLedgerAndCatchesUp) {
  auto net = FabricNetwork::build(two_orgs(6));
  ASSERT_TRUE(net.is_ok());
  FabricNetwork& n = **net;
  // Org1.client0 registers for events with Org1.peer0; crash Org1.peer1 (an endorser the
  // client may still pick: it must fail over or time out, never corrupt anything).
  const HostId victim = n.peers()[1];
  for (int i = 0; i < 40; ++i)
    n.submit(Time::zero() + Duration::millis(100 + 50 * i), n.clients()[0], "t" + std::to_string(i), "kv", "put",
             {"k" + std::to_string(i), "v"});
  n.world().fault_at(Time::zero() + Duration::millis(600), Fault::crash(victim));
  n.world().fault_at(Time::zero() + Duration::millis(1500), Fault::restart(victim));
  collect(n);
  EXPECT_TRUE(n.world().fault_errors().empty());
  // The restarted peer caught up: same height and chain as the others.
  const ledger::Ledger& ref = ledger_of(n, n.peers()[0]);
  const ledger::Ledger& back = ledger_of(n, victim);
  EXPECT_GT(ref.height(), 3u);
  EXPECT_EQ(back.height(), ref.height());
  std::vector<PeerLedger> peers;
  for (HostId h : n.peers()) peers.push_back({n.world().host(h).name(), &ledger_of(n, h)});
  const InvariantReport r = check_invariants(peers, n.validation_context());
  EXPECT_TRUE(r.hold()) << r.violations.front();
}

}  // namespace
}  // namespace fabsim
