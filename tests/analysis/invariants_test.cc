// The post-run safety checks: they hold on a real run, and each one fires on a ledger made
// to break it.
#include <gtest/gtest.h>

#include "analysis/invariants.h"
#include "core/crypto/ca.h"
#include "core/crypto/signature.h"
#include "core/crypto/signing_identity.h"
#include "core/policy/policy_parser.h"
#include "core/storage.h"
#include "model/ledger/block_hash.h"
#include "model/peer/peer.h"
#include "model/protoutil/txutil.h"
#include "scenarios/fabric_network.h"

namespace fabsim {
namespace {

using crypto::NodeOu;
using crypto::SignatureScheme;

class InvariantsTest : public testing::Test {
 protected:
  InvariantsTest()
      : ca_(5, "Org1MSP", "Org1"),
        peer_(ca_.issue("peer0", NodeOu::kPeer), SignatureScheme::kHmacSha256, 5),
        client_(ca_.issue("user", NodeOu::kClient), SignatureScheme::kHmacSha256, 5),
        verifier_(crypto::make_verifier(SignatureScheme::kHmacSha256, 5)) {
    auto msp = crypto::Msp::create(crypto::MspConfig{"Org1MSP", ca_.certificate(), true, {}});
    EXPECT_TRUE(msp.is_ok() && msps_.add(std::move(msp).value()).is_ok());
    auto pol = CompiledSignaturePolicy::compile(*parse_signature_policy("OR('Org1MSP.peer')"));
    defs_.insert_or_assign("kv", validation::ChaincodeDefinition{"kv", "1.0", std::move(pol).value()});
    ctx_ = {"mychannel", &msps_, verifier_.get(), &defs_};
  }

  // A transaction writing `key`, endorsed by the peer (or by nobody).
  common::Envelope tx(const std::string& nonce, const std::string& key, bool endorsed = true) {
    auto p = protoutil::make_proposal({"mychannel", "kv", "put", {key, "v"}, nonce, Time::zero()}, client_);
    protoutil::EndorsementSpec spec;
    auto* ns = spec.results.add_ns_rwset();
    ns->set_namespace_("kv");
    kvrwset::KVRWSet kv;
    kv.add_writes()->set_key(key);
    kv.mutable_writes(0)->set_value("v");
    kv.SerializeToString(ns->mutable_rwset());
    spec.response.set_status(200);
    spec.chaincode_name = "kv";
    spec.chaincode_version = "1.0";
    auto resp = protoutil::endorse(p, spec, endorsed ? peer_ : client_);  // a client endorsement does not count
    return *protoutil::assemble_transaction(p, {resp}, client_);
  }

  struct Chain {
    DurableStore store;
    std::unique_ptr<ledger::Ledger> ledger;
    std::string prev;
  };

  std::unique_ptr<Chain> chain() {
    auto c = std::make_unique<Chain>();
    c->ledger = std::move(ledger::Ledger::open(c->store.env(), "/l")).value();
    return c;
  }

  // Commits a block of `envs`, all flagged VALID (or with `filter`), with their writes applied.
  void commit(Chain& c, const std::vector<common::Envelope>& envs, std::string filter = {}) {
    common::Block b;
    b.mutable_header()->set_number(c.ledger->height());
    b.mutable_header()->set_previous_hash(c.prev);
    for (const auto& e : envs) e.SerializeToString(b.mutable_data()->add_data());
    b.mutable_header()->set_data_hash(ledger::block_data_hash(b.data()));
    for (int i = 0; i < 5; ++i) b.mutable_metadata()->add_metadata();
    b.mutable_metadata()->set_metadata(2, filter.empty() ? std::string(envs.size(), '\0') : filter);
    auto updates = ledger::updates_from_block(b);
    ASSERT_TRUE(updates.is_ok()) << updates.status().to_string();
    ASSERT_TRUE(c.ledger->commit_block(&b, *updates).is_ok());
    c.prev = ledger::block_header_hash(b.header());
  }

  common::Envelope genesis() {
    common::ChannelHeader chdr;
    chdr.set_type(common::CONFIG);
    common::Payload p;
    chdr.SerializeToString(p.mutable_header()->mutable_channel_header());
    common::Envelope e;
    p.SerializeToString(e.mutable_payload());
    return e;
  }

  crypto::CertificateAuthority ca_;
  crypto::SigningIdentity peer_, client_;
  std::unique_ptr<crypto::Verifier> verifier_;
  crypto::MspManager msps_;
  std::map<std::string, validation::ChaincodeDefinition> defs_;
  validation::ValidationContext ctx_;
};

TEST_F(InvariantsTest, IdenticalChainsHold) {
  auto a = chain(), b = chain();
  for (auto* c : {a.get(), b.get()}) {
    commit(*c, {genesis()});
    commit(*c, {tx("n1", "k1"), tx("n2", "k2")});
  }
  const InvariantReport r = check_invariants({{"a", a->ledger.get()}, {"b", b->ledger.get()}}, ctx_);
  EXPECT_TRUE(r.hold()) << r.violations.front();
  EXPECT_EQ(r.transactions_rechecked, 2u);
  EXPECT_EQ(r.heights_compared, 2u);
}

TEST_F(InvariantsTest, DifferentFiltersAtOneHeightAreReportedWithHeightAndPeers) {
  auto a = chain(), b = chain();
  commit(*a, {genesis()});
  commit(*b, {genesis()});
  commit(*a, {tx("n1", "k1")});
  commit(*b, {tx("n1", "k1")}, std::string(1, static_cast<char>(protos::MVCC_READ_CONFLICT)));
  const InvariantReport r = check_invariants({{"a", a->ledger.get()}, {"b", b->ledger.get()}}, ctx_);
  ASSERT_FALSE(r.hold());
  EXPECT_NE(r.violations[0].find("height 1: TRANSACTIONS_FILTER differs between a and b"), std::string::npos)
      << r.violations[0];
}

TEST_F(InvariantsTest, DifferentBlocksAtOneHeightAreReportedWithHeightAndPeers) {
  auto a = chain(), b = chain();
  commit(*a, {genesis()});
  commit(*b, {genesis()});
  commit(*a, {tx("n1", "k1")});
  commit(*b, {tx("n2", "k1")});
  const InvariantReport r = check_invariants({{"a", a->ledger.get()}, {"b", b->ledger.get()}}, ctx_);
  ASSERT_FALSE(r.hold());
  EXPECT_NE(r.violations[0].find("height 1: block hash differs between a"), std::string::npos) << r.violations[0];
}

TEST_F(InvariantsTest, StateHashDiffersWhenStateDiffers) {
  auto a = chain(), b = chain();
  commit(*a, {genesis()});
  commit(*b, {genesis()});
  EXPECT_EQ(state_hash(*a->ledger), state_hash(*b->ledger));
  commit(*a, {tx("n1", "k1")});
  commit(*b, {tx("n1", "k2")});
  EXPECT_NE(state_hash(*a->ledger), state_hash(*b->ledger));
}

TEST_F(InvariantsTest, ValidTransactionThatFailsItsPolicyIsReported) {
  auto a = chain();
  commit(*a, {genesis()});
  commit(*a, {tx("n1", "k1", /*endorsed=*/false)});  // flagged VALID without a peer endorsement
  const InvariantReport r = check_invariants({{"a", a->ledger.get()}}, ctx_);
  ASSERT_FALSE(r.hold());
  EXPECT_NE(r.violations[0].find("fails its checks when re-run"), std::string::npos) << r.violations[0];
}

TEST_F(InvariantsTest, TxIdCommittedValidTwiceIsReported) {
  auto a = chain();
  commit(*a, {genesis()});
  const common::Envelope t = tx("n1", "k1");
  commit(*a, {t});
  commit(*a, {t});
  const InvariantReport r = check_invariants({{"a", a->ledger.get()}}, ctx_);
  ASSERT_FALSE(r.hold());
  EXPECT_NE(r.violations[0].find("committed VALID twice: blocks 1 and 2"), std::string::npos) << r.violations[0];
}

TEST(InvariantsEndToEnd, HoldAfterARealRun) {
  FabricNetworkConfig c;
  c.orgs = {{"Org1", "Org1MSP", 2, 1}, {"Org2", "Org2MSP", 1, 0}};
  c.chaincodes = {{"kv", "kvstore", "AND('Org1MSP.peer','Org2MSP.peer')"}};
  c.batch.size.max_message_count = 5;
  c.batch.batch_timeout = Duration::millis(100);
  c.link.latency = Duration::millis(1);
  c.scheme = SignatureScheme::kHmacSha256;
  auto net = FabricNetwork::build(c);
  ASSERT_TRUE(net.is_ok());
  FabricNetwork& n = **net;
  for (int i = 0; i < 20; ++i)
    n.submit(Time::zero() + Duration::millis(50 + 3 * i), n.clients()[0], "t" + std::to_string(i), "kv", "multi",
             {"get:k" + std::to_string(i % 4), "put:k" + std::to_string(i % 4) + "=x"});
  n.world().start();
  n.world().run_until(Time::zero() + Duration::seconds(5));
  std::vector<PeerLedger> peers;
  for (HostId h : n.peers()) {
    auto* p = dynamic_cast<peer::PeerProcess*>(n.world().host(h).process());
    ASSERT_NE(p, nullptr);
    peers.push_back({n.world().host(h).name(), p->ledger()});
  }
  const InvariantReport r = check_invariants(peers, n.validation_context());
  EXPECT_TRUE(r.hold()) << r.violations.front();
  EXPECT_GT(r.transactions_rechecked, 0u);
  EXPECT_GT(r.heights_compared, 0u);
}

}  // namespace
}  // namespace fabsim
