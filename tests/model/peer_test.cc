// PeerProcess (model/peer/peer.h), driven sans-IO: each input through a NodeContext built
// here, outputs inspected. One case per rule.
#include <gtest/gtest.h>

#include "core/crypto/ca.h"
#include "core/crypto/msp.h"
#include "core/crypto/signature.h"
#include "core/crypto/signing_identity.h"
#include "core/crypto/txid.h"
#include "core/policy/policy_parser.h"
#include "core/proto/fabsim/node_messages.pb.h"
#include "core/proto/ledger/rwset/kvrwset/kv_rwset.pb.h"
#include "core/proto/ledger/rwset/rwset.pb.h"
#include "core/proto/orderer/ab.pb.h"
#include "core/proto/peer/proposal.pb.h"
#include "model/ledger/block_hash.h"
#include "model/peer/events.h"
#include "model/peer/peer.h"
#include "model/protocol.h"
#include "model/protoutil/txutil.h"
#include "model/protoutil/block_signature.h"
#include "model/validation/block_verify.h"

namespace fabsim::peer {
namespace {

using crypto::NodeOu;
using crypto::SignatureScheme;
constexpr uint64_t kSeed = 11;
constexpr HostId kOrderer = 9;
constexpr HostId kClient = 5;

std::string marshal(const google::protobuf::Message& m) {
  std::string s;
  m.SerializeToString(&s);
  return s;
}

class PeerTest : public testing::Test {
 protected:
  PeerTest()
      : ca1_(kSeed, "Org1MSP", "Org1"),
        ca3_(kSeed, "Org3MSP", "Org3"),
        peer_id_(ca1_.issue("peer0.org1", NodeOu::kPeer), SignatureScheme::kHmacSha256, kSeed),
        client_id_(ca1_.issue("user1", NodeOu::kClient), SignatureScheme::kHmacSha256, kSeed),
        outsider_(ca3_.issue("user3", NodeOu::kClient), SignatureScheme::kHmacSha256, kSeed),
        verifier_(crypto::make_verifier(SignatureScheme::kHmacSha256, kSeed)) {
    auto msp = crypto::Msp::create(crypto::MspConfig{ca1_.msp_id(), ca1_.certificate(), true, {}});
    EXPECT_TRUE(msp.is_ok());
    EXPECT_TRUE(msps_.add(std::move(msp).value()).is_ok());
    auto policy = CompiledSignaturePolicy::compile(*parse_signature_policy("OR('Org1MSP.peer')"));
    EXPECT_TRUE(policy.is_ok());
    chaincodes_.insert_or_assign("kv", validation::ChaincodeDefinition{"kv", "1.0", std::move(policy).value()});
    config_.channels.push_back({"mychannel", &msps_, &chaincodes_, {{"kv", "kvstore"}}, {}, nullptr});
    config_.signer = &peer_id_;
    config_.verifier = verifier_.get();
    config_.orderers = {kOrderer};
  }

  // Runs one input on `p` at virtual time `now_` and returns its outputs.
  template <typename F>
  NodeContext::Outputs run(PeerProcess& p, F&& f) {
    NodeContext ctx(0, now_, rng_, store_, next_timer_);
    f(ctx);
    return std::move(ctx.outputs());
  }

  static std::vector<const NodeContext::Send*> sends_of(const NodeContext::Outputs& o, uint32_t kind) {
    std::vector<const NodeContext::Send*> out;
    for (const auto& s : o.sends)
      if (s.msg.kind == kind) out.push_back(&s);
    return out;
  }

  protoutil::Proposal proposal(const std::string& function, std::vector<std::string> args,
                               const crypto::SigningIdentity* who = nullptr, const std::string& nonce = "n1") {
    return protoutil::make_proposal({"mychannel", "kv", function, std::move(args), nonce, Time::zero()},
                                    who ? *who : client_id_);
  }

  fabsim::ProposalReply endorse(PeerProcess& p, const protoutil::Proposal& prop) {
    auto out = run(p, [&](NodeContext& ctx) {
      p.on_message(ctx, kClient, model::make_message(model::kProposal, prop.signed_proposal));
    });
    auto replies = sends_of(out, model::kProposalReply);
    EXPECT_EQ(replies.size(), 1u);
    fabsim::ProposalReply r;
    if (!replies.empty()) {
      EXPECT_TRUE(r.ParseFromString(*replies[0]->msg.payload));
    }
    return r;
  }

  common::Block next_block(std::vector<common::Envelope> envs) {
    common::Block b;
    b.mutable_header()->set_number(chain_.size());
    if (!chain_.empty()) b.mutable_header()->set_previous_hash(ledger::block_header_hash(chain_.back().header()));
    for (const auto& e : envs) e.SerializeToString(b.mutable_data()->add_data());
    b.mutable_header()->set_data_hash(ledger::block_data_hash(b.data()));
    for (int i = 0; i < 5; ++i) b.mutable_metadata()->add_metadata();
    chain_.push_back(b);
    return b;
  }

  common::Block genesis() {
    common::ChannelHeader chdr;
    chdr.set_type(common::CONFIG);
    chdr.set_channel_id("mychannel");
    common::Payload payload;
    payload.mutable_header()->set_channel_header(marshal(chdr));
    common::Envelope env;
    env.set_payload(marshal(payload));
    return next_block({env});
  }

  NodeContext::Outputs deliver(PeerProcess& p, const common::Block& b, uint64_t stream = 0) {
    fabsim::DeliverReply reply;
    reply.set_stream_id(stream ? stream : p.stream_id());
    *reply.mutable_response()->mutable_block() = b;
    return run(p, [&](NodeContext& ctx) { p.on_message(ctx, kOrderer, model::make_message(model::kDeliverReply, reply)); });
  }

  common::Envelope endorsed_tx(PeerProcess& p, const std::string& nonce, const std::string& key) {
    const protoutil::Proposal prop = proposal("put", {key, "v"}, nullptr, nonce);
    fabsim::ProposalReply r = endorse(p, prop);
    protos::ProposalResponse pr;
    EXPECT_TRUE(pr.ParseFromString(r.proposal_response()));
    auto env = protoutil::assemble_transaction(prop, {pr}, client_id_);
    EXPECT_TRUE(env.is_ok()) << env.status().to_string();
    return *env;
  }

  crypto::CertificateAuthority ca1_, ca3_;
  crypto::SigningIdentity peer_id_, client_id_, outsider_;
  std::unique_ptr<crypto::Verifier> verifier_;
  crypto::MspManager msps_;
  std::map<std::string, validation::ChaincodeDefinition> chaincodes_;
  PeerConfig config_;
  DurableStore store_;
  Rng rng_{3};
  TimerId next_timer_ = 0;
  Time now_ = Time::zero();
  std::vector<common::Block> chain_;
};

TEST_F(PeerTest, StartOpensADeliverStreamFromItsHeight) {
  PeerProcess p(config_);
  auto out = run(p, [&](NodeContext& ctx) { p.on_start(ctx); });
  auto reqs = sends_of(out, model::kDeliverRequest);
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0]->to, kOrderer);
  fabsim::DeliverRequest req;
  ASSERT_TRUE(req.ParseFromString(*reqs[0]->msg.payload));
  common::Envelope env;
  common::Payload payload;
  ::orderer::SeekInfo seek;
  ASSERT_TRUE(env.ParseFromString(req.envelope()) && payload.ParseFromString(env.payload()) && seek.ParseFromString(payload.data()));
  EXPECT_EQ(seek.start().specified().number(), 0u);
  EXPECT_EQ(seek.behavior(), ::orderer::SeekInfo::BLOCK_UNTIL_READY);
  ASSERT_EQ(out.timers.size(), 1u);
  EXPECT_EQ(out.timers[0].tag, PeerProcess::kDeliverWatchdogTag);
}

TEST_F(PeerTest, EndorsesAValidProposalWithItsSignedResponse) {
  PeerProcess p(config_);
  run(p, [&](NodeContext& ctx) { p.on_start(ctx); });
  const auto prop = proposal("put", {"k", "v"});
  fabsim::ProposalReply r = endorse(p, prop);
  EXPECT_TRUE(r.error().empty()) << r.error();
  EXPECT_EQ(r.tx_id(), prop.tx_id);
  protos::ProposalResponse pr;
  ASSERT_TRUE(pr.ParseFromString(r.proposal_response()));
  EXPECT_EQ(pr.response().status(), 200);
  EXPECT_EQ(pr.endorsement().endorser(), peer_id_.serialized());
  EXPECT_TRUE(verifier_->verify(peer_id_.certificate(), pr.payload() + pr.endorsement().endorser(), pr.endorsement().signature()).is_ok());
}

// ---- Fabric's CheckInit, for a chaincode defined with init required --------------------------

class PeerInitTest : public PeerTest {
 protected:
  PeerInitTest() { chaincodes_.at("kv").init_required = true; }

  protoutil::Proposal init_proposal(const std::string& nonce) {
    protoutil::ProposalSpec spec{"mychannel", "kv", "init", {}, nonce, Time::zero()};
    spec.is_init = true;
    return protoutil::make_proposal(spec, client_id_);
  }
  // The response's status and message, and its write set in namespace kv.
  static std::pair<protos::ProposalResponse, rwset::TxReadWriteSet> response(const fabsim::ProposalReply& r) {
    protos::ProposalResponse pr;
    EXPECT_TRUE(pr.ParseFromString(r.proposal_response()));
    rwset::TxReadWriteSet rw;
    protos::ProposalResponsePayload prp;
    protos::ChaincodeAction action;
    if (prp.ParseFromString(pr.payload()) && action.ParseFromString(prp.extension())) {
      EXPECT_TRUE(rw.ParseFromString(action.results()));
    }
    return {pr, rw};
  }
};

TEST_F(PeerInitTest, AnInvocationBeforeTheInitIsRefused) {
  PeerProcess p(config_);
  run(p, [&](NodeContext& ctx) { p.on_start(ctx); });
  const auto [pr, rw] = response(endorse(p, proposal("put", {"k", "v"})));
  EXPECT_EQ(pr.response().status(), 500);
  EXPECT_EQ(pr.response().message(), "chaincode 'kv' has not been initialized for this version, must call as init first");
  EXPECT_FALSE(pr.has_endorsement());
}

TEST_F(PeerInitTest, TheInitReadsAndWritesTheInitializedKey) {
  PeerProcess p(config_);
  run(p, [&](NodeContext& ctx) { p.on_start(ctx); });
  const auto [pr, rw] = response(endorse(p, init_proposal("n-init")));
  ASSERT_EQ(pr.response().status(), 200) << pr.response().message();
  ASSERT_EQ(rw.ns_rwset_size(), 1);
  kvrwset::KVRWSet kv;
  ASSERT_TRUE(kv.ParseFromString(rw.ns_rwset(0).rwset()));
  ASSERT_EQ(kv.reads_size(), 1);
  EXPECT_EQ(kv.reads(0).key(), kInitializedKey);
  EXPECT_FALSE(kv.reads(0).has_version());  // absent before
  ASSERT_EQ(kv.writes_size(), 1);
  EXPECT_EQ(kv.writes(0).key(), kInitializedKey);
  EXPECT_EQ(kv.writes(0).value(), "1.0");
  EXPECT_EQ(kInitializedKey, std::string("\x00", 1) + "\U0010FFFF" "initialized");
}

TEST_F(PeerInitTest, ASecondInitIsRefusedAndInvocationsAreServedOnceCommitted) {
  PeerProcess p(config_);
  run(p, [&](NodeContext& ctx) { p.on_start(ctx); });
  deliver(p, genesis());
  const protoutil::Proposal prop = init_proposal("n-init");
  protos::ProposalResponse pr;
  ASSERT_TRUE(pr.ParseFromString(endorse(p, prop).proposal_response()));
  auto env = protoutil::assemble_transaction(prop, {pr}, client_id_);
  ASSERT_TRUE(env.is_ok());
  deliver(p, next_block({*env}));
  ASSERT_EQ(p.height(), 2u);
  const auto [again, rw1] = response(endorse(p, init_proposal("n-init-2")));
  EXPECT_EQ(again.response().message(), "chaincode 'kv' is already initialized but called as init");
  const auto [ok, rw2] = response(endorse(p, proposal("put", {"k", "v"}, nullptr, "n-after")));
  EXPECT_EQ(ok.response().status(), 200) << ok.response().message();
}

TEST_F(PeerTest, WithoutInitRequiredAnIsInitCallIsAnOrdinaryInvocation) {
  PeerProcess p(config_);
  run(p, [&](NodeContext& ctx) { p.on_start(ctx); });
  protoutil::ProposalSpec spec{"mychannel", "kv", "put", {"k", "v"}, "n-x", Time::zero()};
  spec.is_init = true;
  protos::ProposalResponse pr;
  ASSERT_TRUE(pr.ParseFromString(endorse(p, protoutil::make_proposal(spec, client_id_)).proposal_response()));
  EXPECT_EQ(pr.response().status(), 200) << pr.response().message();
}

TEST_F(PeerTest, RefusesAProposalWhoseSignatureDoesNotVerify) {
  PeerProcess p(config_);
  run(p, [&](NodeContext& ctx) { p.on_start(ctx); });
  auto prop = proposal("put", {"k", "v"});
  prop.signed_proposal.set_signature(std::string(32, 'x'));
  EXPECT_NE(endorse(p, prop).error().find("signature"), std::string::npos);
}

TEST_F(PeerTest, RefusesACreatorOutsideTheChannel) {
  PeerProcess p(config_);
  run(p, [&](NodeContext& ctx) { p.on_start(ctx); });
  EXPECT_NE(endorse(p, proposal("put", {"k", "v"}, &outsider_)).error().find("not a valid identity"), std::string::npos);
}

TEST_F(PeerTest, RefusesAnUndefinedChaincode) {
  PeerProcess p(config_);
  run(p, [&](NodeContext& ctx) { p.on_start(ctx); });
  auto prop = protoutil::make_proposal({"mychannel", "nosuch", "put", {"k", "v"}, "n", Time::zero()}, client_id_);
  EXPECT_NE(endorse(p, prop).error().find("not defined"), std::string::npos);
}

TEST_F(PeerTest, ChaincodeErrorIsReturnedWithItsStatusAndNoEndorsement) {
  PeerProcess p(config_);
  run(p, [&](NodeContext& ctx) { p.on_start(ctx); });
  fabsim::ProposalReply r = endorse(p, proposal("no_such_function", {}));
  EXPECT_TRUE(r.error().empty());
  protos::ProposalResponse pr;
  ASSERT_TRUE(pr.ParseFromString(r.proposal_response()));
  EXPECT_GE(pr.response().status(), 400);
  EXPECT_FALSE(pr.has_endorsement());
}

TEST_F(PeerTest, CommitsGenesisThenAValidatedBlockAndNotifiesSubscribers) {
  PeerProcess p(config_);
  run(p, [&](NodeContext& ctx) { p.on_start(ctx); });
  run(p, [&](NodeContext& ctx) {
    fabsim::EventRegistration reg;
    reg.set_channel_id("mychannel");
    p.on_message(ctx, kClient, model::make_message(model::kEventRegister, reg));
  });
  deliver(p, genesis());
  EXPECT_EQ(p.height(), 1u);
  const common::Envelope tx = endorsed_tx(p, "n-a", "k1");
  auto out = deliver(p, next_block({tx}));
  EXPECT_EQ(p.height(), 2u);
  auto v = p.ledger()->state().get_state("kv", "k1");
  ASSERT_TRUE(v.is_ok() && v->has_value());
  EXPECT_EQ((*v)->value, "v");
  auto events = sends_of(out, model::kBlockEvent);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]->to, kClient);
  fabsim::BlockEvent ev;
  ASSERT_TRUE(ev.ParseFromString(*events[0]->msg.payload));
  EXPECT_EQ(ev.number(), 1u);
  ASSERT_EQ(ev.transactions_size(), 1);
  EXPECT_EQ(ev.transactions(0).validation_code(), protos::TxValidationCode::VALID);
  EXPECT_GT(out.cpu.ns, 0);
}

// A channel whose MSPs include the orderer organisation's, as FabricNetwork builds it:
// with the channel's BlockValidation policy set, a delivered block must carry the
// orderer's signature (validation/block_verify.h has the rules, one test each); with the
// application organisations named, only their members may propose.
class PeerBlockValidationTest : public PeerTest {
 protected:
  PeerBlockValidationTest()
      : orderer_ca_(kSeed, "OrdererMSP", "Orderer"),
        orderer_id_(orderer_ca_.issue("orderer0", NodeOu::kOrderer), SignatureScheme::kHmacSha256, kSeed),
        block_policy_(*CompiledSignaturePolicy::compile(*parse_signature_policy("OR('OrdererMSP.member')"))) {
    auto msp = crypto::Msp::create(crypto::MspConfig{orderer_ca_.msp_id(), orderer_ca_.certificate(), true, {}});
    EXPECT_TRUE(msp.is_ok());
    EXPECT_TRUE(msps_.add(std::move(msp).value()).is_ok());
    config_.channels[0].block_validation = &block_policy_;
  }

  static void sign(common::Block* b, const crypto::SigningIdentity& who) {
    EXPECT_TRUE(protoutil::add_block_signature(b, who, "").is_ok());
  }

  crypto::CertificateAuthority orderer_ca_;
  crypto::SigningIdentity orderer_id_;
  CompiledSignaturePolicy block_policy_;
};

TEST_F(PeerBlockValidationTest, ABlockSignedByTheOrdererIsCommitted) {
  PeerProcess p(config_);
  run(p, [&](NodeContext& ctx) { p.on_start(ctx); });
  deliver(p, genesis());  // the genesis block carries no orderer signature and is not checked
  common::Block b = next_block({endorsed_tx(p, "n-a", "k1")});
  sign(&b, orderer_id_);
  auto out = deliver(p, b);
  EXPECT_EQ(p.height(), 2u);
  EXPECT_TRUE(sends_of(out, model::kDeliverCancel).empty());
}

TEST_F(PeerBlockValidationTest, ABlockNotSignedByTheOrdererIsDroppedWithItsStream) {
  PeerProcess p(config_);
  run(p, [&](NodeContext& ctx) { p.on_start(ctx); });
  deliver(p, genesis());
  const uint64_t stream = p.stream_id();
  common::Block b = next_block({endorsed_tx(p, "n-a", "k1")});
  sign(&b, peer_id_);  // a peer is not a member of OrdererMSP
  auto out = deliver(p, b);
  EXPECT_EQ(p.height(), 1u);
  auto v = p.ledger()->state().get_state("kv", "k1");
  ASSERT_TRUE(v.is_ok());
  EXPECT_FALSE(v->has_value());
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_EQ(out.events[0].name, "peer.block_rejected");
  EXPECT_EQ(out.events[0].value, 1);
  const auto* record = std::any_cast<PeerErrorEvent>(&out.events[0].data);  // typed, for the analysis
  ASSERT_NE(record, nullptr);
  EXPECT_EQ(record->channel, "mychannel");
  EXPECT_EQ(record->block, 1u);
  EXPECT_EQ(record->message, out.events[0].detail);
  auto cancels = sends_of(out, model::kDeliverCancel);
  ASSERT_EQ(cancels.size(), 1u);
  fabsim::DeliverCancel cancel;
  ASSERT_TRUE(cancel.ParseFromString(*cancels[0]->msg.payload));
  EXPECT_EQ(cancel.stream_id(), stream);
  EXPECT_EQ(p.stream_id(), 0u);
}

TEST_F(PeerBlockValidationTest, AProposalFromTheOrdererOrganisationIsRefused) {
  config_.channels[0].application_msp_ids = {"Org1MSP"};
  PeerProcess p(config_);
  run(p, [&](NodeContext& ctx) { p.on_start(ctx); });
  deliver(p, genesis());
  const fabsim::ProposalReply refused = endorse(p, proposal("put", {"k", "v"}, &orderer_id_));
  EXPECT_NE(refused.error().find("access denied"), std::string::npos) << refused.error();
  EXPECT_NE(refused.error().find("OrdererMSP"), std::string::npos) << refused.error();
  const fabsim::ProposalReply served = endorse(p, proposal("put", {"k", "v"}, &client_id_, "n2"));
  EXPECT_TRUE(served.error().empty()) << served.error();
}

TEST_F(PeerTest, InvalidTransactionsAreReportedWithTheirTxIdAndCode) {
  PeerProcess p(config_);
  run(p, [&](NodeContext& ctx) { p.on_start(ctx); });
  run(p, [&](NodeContext& ctx) {
    fabsim::EventRegistration reg;
    reg.set_channel_id("mychannel");
    p.on_message(ctx, kClient, model::make_message(model::kEventRegister, reg));
  });
  deliver(p, genesis());
  common::Envelope tx = endorsed_tx(p, "n-b", "k2");
  tx.set_signature(std::string(32, 'z'));  // breaks the creator signature
  auto out = deliver(p, next_block({tx}));
  fabsim::BlockEvent ev;
  ASSERT_TRUE(ev.ParseFromString(*sends_of(out, model::kBlockEvent).at(0)->msg.payload));
  EXPECT_EQ(ev.transactions(0).validation_code(), protos::TxValidationCode::BAD_CREATOR_SIGNATURE);
  EXPECT_EQ(ev.transactions(0).tx_id(), crypto::compute_tx_id("n-b", client_id_.serialized()));
}

TEST_F(PeerTest, RegistrationWithAStartBlockReplaysTheCommittedBlocksFromIt) {
  PeerProcess p(config_);
  run(p, [&](NodeContext& ctx) { p.on_start(ctx); });
  deliver(p, genesis());
  const common::Envelope tx1 = endorsed_tx(p, "n-r1", "k1");
  deliver(p, next_block({tx1}));
  const common::Envelope tx2 = endorsed_tx(p, "n-r2", "k2");
  deliver(p, next_block({tx2}));
  ASSERT_EQ(p.height(), 3u);
  auto register_from = [&](std::optional<uint64_t> start) {
    return run(p, [&](NodeContext& ctx) {
      fabsim::EventRegistration reg;
      reg.set_channel_id("mychannel");
      if (start) reg.set_start_block(*start);
      p.on_message(ctx, kClient, model::make_message(model::kEventRegister, reg));
    });
  };
  // From block 2: only block 2. From 0: blocks 1 and 2 (the genesis block has no transactions).
  auto numbers = [&](const NodeContext::Outputs& out) {
    std::vector<uint64_t> n;
    for (const auto* s : sends_of(out, model::kBlockEvent)) {
      fabsim::BlockEvent ev;
      EXPECT_TRUE(ev.ParseFromString(*s->msg.payload));
      EXPECT_EQ(s->to, kClient);
      n.push_back(ev.number());
      EXPECT_EQ(ev.transactions(0).validation_code(), protos::TxValidationCode::VALID);
    }
    return n;
  };
  EXPECT_EQ(numbers(register_from(2)), (std::vector<uint64_t>{2}));
  EXPECT_EQ(numbers(register_from(0)), (std::vector<uint64_t>{1, 2}));
  EXPECT_TRUE(numbers(register_from(3)).empty());          // nothing committed from 3 on
  EXPECT_TRUE(numbers(register_from(std::nullopt)).empty());  // live events only
  fabsim::BlockEvent ev;
  auto replay = register_from(1);
  ASSERT_TRUE(ev.ParseFromString(*sends_of(replay, model::kBlockEvent).at(0)->msg.payload));
  EXPECT_EQ(ev.transactions(0).tx_id(), crypto::compute_tx_id("n-r1", client_id_.serialized()));
}

TEST_F(PeerTest, ABlockAlreadyCommittedIsIgnored) {
  PeerProcess p(config_);
  run(p, [&](NodeContext& ctx) { p.on_start(ctx); });
  deliver(p, genesis());
  common::Block b1 = next_block({endorsed_tx(p, "n-c", "k3")});
  deliver(p, b1);
  const uint64_t stream = p.stream_id();
  const auto out = deliver(p, b1);  // a duplicate
  EXPECT_EQ(p.height(), 2u);
  EXPECT_TRUE(out.sends.empty());
  EXPECT_EQ(p.stream_id(), stream);
}

TEST_F(PeerTest, AGapInTheStreamReopensItFromTheFirstMissingBlock) {
  PeerProcess p(config_);
  run(p, [&](NodeContext& ctx) { p.on_start(ctx); });
  deliver(p, genesis());
  common::Block b1 = next_block({endorsed_tx(p, "n-c", "k3")});
  common::Block b2 = next_block({endorsed_tx(p, "n-d", "k4")});
  const uint64_t old_stream = p.stream_id();
  const auto out = deliver(p, b2);  // block 1 was lost on the way
  EXPECT_EQ(p.height(), 1u);
  auto cancels = sends_of(out, model::kDeliverCancel);
  ASSERT_EQ(cancels.size(), 1u);
  fabsim::DeliverCancel cancel;
  ASSERT_TRUE(cancel.ParseFromString(*cancels[0]->msg.payload));
  EXPECT_EQ(cancel.stream_id(), old_stream);
  auto reqs = sends_of(out, model::kDeliverRequest);
  ASSERT_EQ(reqs.size(), 1u);
  fabsim::DeliverRequest req;
  ASSERT_TRUE(req.ParseFromString(*reqs[0]->msg.payload));
  EXPECT_NE(req.stream_id(), old_stream);
  common::Envelope env;
  common::Payload payload;
  ::orderer::SeekInfo seek;
  ASSERT_TRUE(env.ParseFromString(req.envelope()) && payload.ParseFromString(env.payload()) &&
              seek.ParseFromString(payload.data()));
  EXPECT_EQ(seek.start().specified().number(), 1u);
  // The old stream's later blocks are stale; the new stream delivers from block 1.
  deliver(p, b1, old_stream);
  EXPECT_EQ(p.height(), 1u);
  deliver(p, b1);
  deliver(p, b2);
  EXPECT_EQ(p.height(), 3u);
}

TEST_F(PeerTest, RepliesOnAStaleStreamAreIgnored) {
  PeerProcess p(config_);
  run(p, [&](NodeContext& ctx) { p.on_start(ctx); });
  deliver(p, genesis(), p.stream_id() + 1);
  EXPECT_EQ(p.height(), 0u);
}

TEST_F(PeerTest, RestartRecoversTheLedgerAndResumesDeliveryFromItsHeight) {
  {
    PeerProcess p(config_);
    run(p, [&](NodeContext& ctx) { p.on_start(ctx); });
    deliver(p, genesis());
    deliver(p, next_block({endorsed_tx(p, "n-e", "k5")}));
    ASSERT_EQ(p.height(), 2u);
  }
  PeerProcess again(config_);  // a new incarnation on the same durable store
  auto out = run(again, [&](NodeContext& ctx) { again.on_start(ctx); });
  EXPECT_EQ(again.height(), 2u);
  fabsim::DeliverRequest req;
  ASSERT_TRUE(req.ParseFromString(*sends_of(out, model::kDeliverRequest).at(0)->msg.payload));
  common::Envelope env;
  common::Payload payload;
  ::orderer::SeekInfo seek;
  ASSERT_TRUE(env.ParseFromString(req.envelope()) && payload.ParseFromString(env.payload()) && seek.ParseFromString(payload.data()));
  EXPECT_EQ(seek.start().specified().number(), 2u);
}

TEST_F(PeerTest, WatchdogReopensTheStreamOnlyWithoutProgress) {
  PeerProcess p(config_);
  run(p, [&](NodeContext& ctx) { p.on_start(ctx); });
  const uint64_t first = p.stream_id();
  deliver(p, genesis());
  auto out = run(p, [&](NodeContext& ctx) { p.on_timer(ctx, 1, PeerProcess::kDeliverWatchdogTag); });
  EXPECT_TRUE(sends_of(out, model::kDeliverRequest).empty());  // progress since the start
  EXPECT_EQ(p.stream_id(), first);
  out = run(p, [&](NodeContext& ctx) { p.on_timer(ctx, 2, PeerProcess::kDeliverWatchdogTag); });
  EXPECT_EQ(sends_of(out, model::kDeliverCancel).size(), 1u);
  EXPECT_EQ(sends_of(out, model::kDeliverRequest).size(), 1u);
  EXPECT_NE(p.stream_id(), first);
}

TEST_F(PeerTest, WatchdogFailsOverToTheNextOrdererInTurn) {
  // Two ordering service nodes: with no progress, each watchdog check cancels the stream at
  // the current one and re-opens it at the next, round robin.
  constexpr HostId kOrderer2 = 10;
  config_.orderers = {kOrderer, kOrderer2};
  PeerProcess p(config_);
  auto out = run(p, [&](NodeContext& ctx) { p.on_start(ctx); });
  ASSERT_EQ(sends_of(out, model::kDeliverRequest).size(), 1u);
  EXPECT_EQ(sends_of(out, model::kDeliverRequest)[0]->to, kOrderer);
  const std::vector<std::pair<HostId, HostId>> expected = {{kOrderer2, kOrderer}, {kOrderer, kOrderer2}};
  for (const auto& [to, cancelled_at] : expected) {
    out = run(p, [&](NodeContext& ctx) { p.on_timer(ctx, 2, PeerProcess::kDeliverWatchdogTag); });
    ASSERT_EQ(sends_of(out, model::kDeliverCancel).size(), 1u);
    EXPECT_EQ(sends_of(out, model::kDeliverCancel)[0]->to, cancelled_at);
    ASSERT_EQ(sends_of(out, model::kDeliverRequest).size(), 1u);
    EXPECT_EQ(sends_of(out, model::kDeliverRequest)[0]->to, to);
    EXPECT_EQ(p.deliver_source(), to);
  }
}

}  // namespace
}  // namespace fabsim::peer
