// The client / SDK node (model/client/client.h), sans-IO: endorser selection per policy shape,
// and each rule of the submit flow (endorse, assemble, broadcast with failover, commit
// event, timeouts), one case per rule, on real proposals and endorsements.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/crypto/ca.h"
#include "core/crypto/msp.h"
#include "core/crypto/signature.h"
#include "core/crypto/signing_identity.h"
#include "core/policy/policy_parser.h"
#include "core/proto/fabsim/client.pb.h"
#include "core/proto/fabsim/node_messages.pb.h"
#include "core/proto/orderer/ab.pb.h"
#include "core/proto/peer/transaction.pb.h"
#include "model/client/client.h"
#include "model/protocol.h"
#include "model/protoutil/txutil.h"

namespace fabsim::model::client {
namespace {

using crypto::NodeOu;
using crypto::SignatureScheme;

constexpr uint64_t kSeed = 42;
constexpr HostId kSelf = 1;
constexpr HostId kO1P0 = 10, kO1P1 = 11, kO2P0 = 20, kO2P1 = 21, kO3P0 = 30;
constexpr HostId kOrderer0 = 100, kOrderer1 = 101, kOrderer2 = 102;

// Organisations, the client and the peers' signing identities, built once.
struct Orgs {
  Orgs()
      : ca1(kSeed, "Org1MSP", "Org1"), ca2(kSeed, "Org2MSP", "Org2"), ca3(kSeed, "Org3MSP", "Org3"),
        stranger_ca(kSeed, "Org9MSP", "Org9"),
        client(ca1.issue("user1", NodeOu::kClient), SignatureScheme::kHmacSha256, kSeed),
        stranger(stranger_ca.issue("peer0.org9", NodeOu::kPeer), SignatureScheme::kHmacSha256, kSeed),
        verifier(crypto::make_verifier(SignatureScheme::kHmacSha256, kSeed)) {
    add(kO1P0, ca1, "peer0.org1");
    add(kO1P1, ca1, "peer1.org1");
    add(kO2P0, ca2, "peer0.org2");
    add(kO2P1, ca2, "peer1.org2");
    add(kO3P0, ca3, "peer0.org3");
    for (const auto* ca : {&ca1, &ca2, &ca3}) {  // the channel's MSPs; Org9 is not one of them
      auto msp = crypto::Msp::create(crypto::MspConfig{ca->msp_id(), ca->certificate(), true, {}});
      EXPECT_TRUE(msp.is_ok());
      EXPECT_TRUE(msps.add(std::move(msp).value()).is_ok());
    }
  }
  void add(HostId host, const crypto::CertificateAuthority& ca, const std::string& name) {
    peers.emplace(host, std::make_unique<crypto::SigningIdentity>(ca.issue(name, NodeOu::kPeer),
                                                                   SignatureScheme::kHmacSha256, kSeed));
    candidates.emplace(host, EndorserCandidate{host, PolicyIdentity::with_role(ca.msp_id(), name, MspRole::kPeer)});
  }
  crypto::CertificateAuthority ca1, ca2, ca3, stranger_ca;
  crypto::SigningIdentity client;
  crypto::SigningIdentity stranger;  // a peer of an organisation outside the channel
  crypto::MspManager msps;
  std::unique_ptr<crypto::Verifier> verifier;
  std::map<HostId, std::unique_ptr<crypto::SigningIdentity>> peers;
  std::map<HostId, EndorserCandidate> candidates;
};

const Orgs& orgs() {
  static const Orgs* o = new Orgs();
  return *o;
}

ChaincodeEndorsers chaincode(const std::string& policy, const std::vector<HostId>& hosts) {
  auto env = parse_signature_policy(policy);
  EXPECT_TRUE(env.is_ok()) << policy;
  auto compiled = CompiledSignaturePolicy::compile(*env);
  EXPECT_TRUE(compiled.is_ok());
  ChaincodeEndorsers cc{std::move(compiled).value(), {}};
  for (HostId h : hosts) cc.candidates.push_back(orgs().candidates.at(h));
  return cc;
}

std::vector<HostId> hosts_of(const ChaincodeEndorsers& cc, const std::vector<size_t>& picked) {
  std::vector<HostId> out;
  for (size_t i : picked) out.push_back(cc.candidates[i].host);
  return out;
}

bool satisfies(const ChaincodeEndorsers& cc, const std::vector<size_t>& picked) {
  std::vector<PolicySigner> signers;
  for (size_t i : picked) signers.push_back({cc.candidates[i].identity, true});
  return cc.policy.evaluate(signers).satisfied;
}

// ---- endorser selection ---------------------------------------------------------------

struct SelectionCase {
  std::string name;
  std::string policy;
  std::vector<HostId> candidates;
  std::vector<HostId> expected;  // without rotation; empty: unsatisfiable
};

TEST(ClientEndorserSelection, ChoosesASmallestSatisfyingSetPreferringEarlierCandidates) {
  const std::vector<SelectionCase> cases = {
      {"AndTakesOnePeerOfEachOrg", "AND('Org1MSP.peer','Org2MSP.peer')", {kO1P0, kO1P1, kO2P0, kO2P1}, {kO1P0, kO2P0}},
      {"OrTakesTheFirstListedPeer", "OR('Org1MSP.peer','Org2MSP.peer')", {kO2P0, kO1P0}, {kO2P0}},
      {"OutOfTakesThresholdManyOrgs", "OutOf(2,'Org1MSP.peer','Org2MSP.peer','Org3MSP.peer')",
       {kO3P0, kO1P0, kO1P1, kO2P0}, {kO3P0, kO1P0}},
      {"OutOfTwoOfOneOrgTakesTwoPeers", "OutOf(2,'Org1MSP.peer','Org1MSP.peer')", {kO2P0, kO1P0, kO1P1}, {kO1P0, kO1P1}},
      {"SmallerNestedBranchWins", "OR(AND('Org2MSP.peer','Org3MSP.peer'),'Org1MSP.peer')", {kO2P0, kO3P0, kO1P0},
       {kO1P0}},
      {"UnsatisfiableGivesNone", "AND('Org1MSP.peer','Org3MSP.peer')", {kO1P0, kO2P0}, {}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const ChaincodeEndorsers cc = chaincode(c.policy, c.candidates);
    const EndorserPlan plan = plan_endorsers(cc);
    const std::vector<size_t> picked = pick_endorsers(plan, nullptr);
    EXPECT_EQ(hosts_of(cc, picked), c.expected);
    EXPECT_EQ(plan.satisfiable, !c.expected.empty());
    if (c.expected.empty()) continue;
    EXPECT_TRUE(plan.minimum);
    EXPECT_TRUE(satisfies(cc, picked));
    // Minimal: no chosen peer can be left out.
    for (size_t drop = 0; drop < picked.size(); ++drop) {
      std::vector<size_t> fewer = picked;
      fewer.erase(fewer.begin() + static_cast<std::ptrdiff_t>(drop));
      EXPECT_FALSE(satisfies(cc, fewer)) << "peer " << drop << " is not needed";
    }
  }
}

TEST(ClientEndorserSelection, RotationSpreadsLoadAmongEquivalentPeersAndIsDeterministic) {
  const ChaincodeEndorsers cc = chaincode("AND('Org1MSP.peer','Org2MSP.peer')", {kO1P0, kO1P1, kO2P0, kO2P1});
  const EndorserPlan plan = plan_endorsers(cc);
  auto run = [&](uint64_t seed) {
    Rng rng(seed);
    std::vector<std::vector<HostId>> picks;
    for (int i = 0; i < 40; ++i) picks.push_back(hosts_of(cc, pick_endorsers(plan, &rng)));
    return picks;
  };
  const auto picks = run(7);
  EXPECT_EQ(picks, run(7));
  std::set<HostId> used;
  for (const auto& p : picks) {
    ASSERT_EQ(p.size(), 2u);
    EXPECT_TRUE(p[0] == kO1P0 || p[0] == kO1P1);
    EXPECT_TRUE(p[1] == kO2P0 || p[1] == kO2P1);
    used.insert(p.begin(), p.end());
  }
  EXPECT_EQ(used, (std::set<HostId>{kO1P0, kO1P1, kO2P0, kO2P1}));
}

// ---- the submit flow --------------------------------------------------------------------

struct Event {
  Time at;
  AnalysisEvent event;
};

// Drives one ClientProcess: each input gets a fresh NodeContext at the harness's clock; the
// outputs of the last input are kept, timers are tracked so that the next one can be fired.
class Harness {
 public:
  explicit Harness(ClientConfig config) : client_(std::move(config)) {}

  NodeContext::Outputs& start() {
    return step([&](NodeContext& ctx) { client_.on_start(ctx); });
  }
  NodeContext::Outputs& submit(const std::string& id, const std::string& cc = "kv") {
    fabsim::TxRequest req;
    req.set_id(id);
    req.set_chaincode(cc);
    req.set_function("put");
    req.add_args("k1");
    req.add_args("v1");
    return call(req.SerializeAsString());
  }
  NodeContext::Outputs& call(const std::string& args) {
    return step([&](NodeContext& ctx) { client_.on_call(ctx, ClientCall{kSubmitCall, args}); });
  }
  NodeContext::Outputs& deliver(HostId from, const Message& msg) {
    return step([&](NodeContext& ctx) { client_.on_message(ctx, from, msg); });
  }
  // Advances the clock to the earliest armed timer and fires it.
  NodeContext::Outputs& fire_next_timer() {
    EXPECT_FALSE(timers_.empty());
    auto next = timers_.begin();
    for (auto it = timers_.begin(); it != timers_.end(); ++it)
      if (it->second.first < next->second.first) next = it;
    const TimerId id = next->first;
    const uint64_t tag = next->second.second;
    now_ = next->second.first;
    timers_.erase(next);
    return step([&](NodeContext& ctx) { client_.on_timer(ctx, id, tag); });
  }
  void advance(Duration d) { now_ += d; }

  ClientProcess& client() { return client_; }
  const std::vector<Event>& events() const { return events_; }
  size_t armed_timers() const { return timers_.size(); }

 private:
  template <typename F>
  NodeContext::Outputs& step(F f) {
    NodeContext ctx(kSelf, now_, rng_, store_, next_timer_);
    f(ctx);
    last_ = ctx.outputs();
    const Time release = now_ + last_.cpu;
    for (TimerId id : last_.cancels) timers_.erase(id);
    for (const auto& t : last_.timers) timers_[t.id] = {release + t.after, t.tag};
    for (const auto& e : last_.events) events_.push_back({release, e});
    return last_;
  }

  ClientProcess client_;
  Time now_ = Time::from_ns(1'000'000'000);
  Rng rng_{kSeed};
  DurableStore store_;
  TimerId next_timer_ = 0;
  std::map<TimerId, std::pair<Time, uint64_t>> timers_;
  NodeContext::Outputs last_;
  std::vector<Event> events_;
};

ClientConfig config(const std::string& policy = "AND('Org1MSP.peer','Org2MSP.peer')",
                    std::vector<HostId> candidates = {kO1P0, kO1P1, kO2P0, kO2P1}) {
  ClientConfig c;
  c.channels.push_back({"mychannel", &orgs().msps, kO1P0, {}});
  c.identity = &orgs().client;
  c.verifier = orgs().verifier.get();
  c.chaincodes.emplace("kv", chaincode(policy, candidates));
  c.orderers = {kOrderer0, kOrderer1, kOrderer2};
  c.rotate_endorsers = false;
  c.broadcast_attempts_max = 2;
  return c;
}

// Unpacks a SignedProposal as an endorser would, to endorse it with protoutil::endorse.
protoutil::Proposal unpack(const Message& msg) {
  protoutil::Proposal p;
  EXPECT_TRUE(p.signed_proposal.ParseFromString(*msg.payload));
  EXPECT_TRUE(p.proposal.ParseFromString(p.signed_proposal.proposal_bytes()));
  EXPECT_TRUE(p.header.ParseFromString(p.proposal.header()));
  EXPECT_TRUE(p.channel_header.ParseFromString(p.header.channel_header()));
  EXPECT_TRUE(p.signature_header.ParseFromString(p.header.signature_header()));
  EXPECT_TRUE(p.payload.ParseFromString(p.proposal.payload()));
  p.tx_id = p.channel_header.tx_id();
  return p;
}

// A peer's successful reply; `value` is what the simulated chaincode wrote.
Message endorsement_reply(HostId peer, const protoutil::Proposal& p, const std::string& value = "v1",
                          int32_t status = 200) {
  protoutil::EndorsementSpec spec;
  auto* ns = spec.results.add_ns_rwset();
  ns->set_namespace_("kv");
  ns->set_rwset("write k1=" + value);
  spec.response.set_status(status);
  spec.chaincode_name = "kv";
  spec.chaincode_version = "1.0";
  fabsim::ProposalReply reply;
  reply.set_tx_id(p.tx_id);
  reply.set_proposal_response(protoutil::endorse(p, spec, *orgs().peers.at(peer)).SerializeAsString());
  return make_message(kProposalReply, reply);
}

Message broadcast_reply(const std::string& tx_id, common::Status status) {
  fabsim::BroadcastReply reply;
  reply.set_tx_id(tx_id);
  reply.mutable_response()->set_status(status);
  return make_message(kBroadcastReply, reply);
}

constexpr int64_t kEventBlockNumber = 3;  // the block number block_event() reports
Message block_event(const std::string& tx_id, int32_t code, const std::string& channel = "mychannel") {
  fabsim::BlockEvent ev;
  ev.set_channel_id(channel);
  ev.set_number(kEventBlockNumber);
  auto* other = ev.add_transactions();
  other->set_tx_id("someone-else");
  auto* tx = ev.add_transactions();
  tx->set_tx_id(tx_id);
  tx->set_validation_code(code);
  return make_message(kBlockEvent, ev);
}

std::vector<HostId> destinations(const NodeContext::Outputs& out, uint32_t kind) {
  std::vector<HostId> to;
  for (const auto& s : out.sends)
    if (s.msg.kind == kind) to.push_back(s.to);
  return to;
}

std::vector<std::string> names(const std::vector<Event>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(e.event.name);
  return out;
}

// Submits "tx-1" and endorses it at both chosen peers; returns the proposal.
protoutil::Proposal submit_and_endorse(Harness& h) {
  const auto out = h.submit("tx-1");
  EXPECT_EQ(out.sends.size(), 2u);
  const protoutil::Proposal p = unpack(out.sends.at(0).msg);
  h.advance(Duration::millis(3));
  h.deliver(kO1P0, endorsement_reply(kO1P0, p));
  h.advance(Duration::millis(1));
  h.deliver(kO2P0, endorsement_reply(kO2P0, p));
  return p;
}

TEST(ClientStart, RegistersForBlockEventsAtTheEventPeer) {
  Harness h(config());
  const auto& out = h.start();
  ASSERT_EQ(out.sends.size(), 1u);
  EXPECT_EQ(out.sends[0].to, kO1P0);
  EXPECT_EQ(out.sends[0].msg.kind, kEventRegister);
  fabsim::EventRegistration reg;
  ASSERT_TRUE(reg.ParseFromString(*out.sends[0].msg.payload));
  EXPECT_EQ(reg.channel_id(), "mychannel");
}

// ---- the event-stream watchdog ------------------------------------------------------------

ClientConfig watched_config() {
  ClientConfig c = config();
  c.event_silence = Duration::seconds(5);
  c.channels[0].event_peer_fallbacks = {kO1P1};
  return c;
}

std::optional<fabsim::EventRegistration> registration(const NodeContext::Outputs& out, HostId* to) {
  for (const auto& s : out.sends) {
    if (s.msg.kind != kEventRegister) continue;
    fabsim::EventRegistration reg;
    EXPECT_TRUE(reg.ParseFromString(*s.msg.payload));
    *to = s.to;
    return reg;
  }
  return std::nullopt;
}

// A BlockEvent for block `number` with no transactions.
Message numbered_event(uint64_t number) {
  fabsim::BlockEvent ev;
  ev.set_channel_id("mychannel");
  ev.set_number(number);
  return make_message(kBlockEvent, ev);
}

TEST(ClientEventWatchdog, OffByDefault) {
  Harness h(config());
  h.start();
  EXPECT_EQ(h.armed_timers(), 0u);
}

TEST(ClientEventWatchdog, SilenceWhileACommitIsAwaitedMovesToTheNextPeerAndResumes) {
  Harness h(watched_config());
  h.start();
  h.deliver(kO1P0, block_event("unrelated", protos::VALID));  // block kEventBlockNumber seen
  const protoutil::Proposal p = submit_and_endorse(h);
  h.deliver(kOrderer0, broadcast_reply(p.tx_id, common::SUCCESS));
  // First check (5 s): the acknowledgement is younger than one period: no move.
  HostId to = kNoHost;
  EXPECT_FALSE(registration(h.fire_next_timer(), &to).has_value());
  // Second check (10 s): silent for a whole period with a commit awaited.
  const auto& out = h.fire_next_timer();
  auto reg = registration(out, &to);
  ASSERT_TRUE(reg.has_value());
  EXPECT_EQ(to, kO1P1);
  ASSERT_TRUE(reg->has_start_block());
  EXPECT_EQ(reg->start_block(), static_cast<uint64_t>(kEventBlockNumber + 1));
  EXPECT_EQ(names(h.events()).back(), kEventReregistered);
  // Only the current event peer's events count.
  EXPECT_TRUE(h.deliver(kO1P0, block_event(p.tx_id, protos::VALID)).events.empty());
  const auto& commit = h.deliver(kO1P1, block_event(p.tx_id, protos::VALID));
  ASSERT_EQ(commit.events.size(), 2u);
  EXPECT_EQ(commit.events[1].name, kEventCommitted);
}

TEST(ClientEventWatchdog, AGapInBlockNumbersResumesFromTheFirstMissingBlock) {
  Harness h(watched_config());
  h.start();
  HostId to = kNoHost;
  EXPECT_FALSE(registration(h.deliver(kO1P0, numbered_event(4)), &to).has_value());  // the first one: no gap known
  EXPECT_FALSE(registration(h.deliver(kO1P0, numbered_event(5)), &to).has_value());
  const auto reg = registration(h.deliver(kO1P0, numbered_event(8)), &to);  // 6 and 7 are missing
  ASSERT_TRUE(reg.has_value());
  EXPECT_EQ(to, kO1P0);  // the same peer
  EXPECT_EQ(reg->start_block(), 6u);
  EXPECT_FALSE(registration(h.deliver(kO1P0, numbered_event(6)), &to).has_value());  // the replay
}

// The replay of the missing block can be lost too: later events (replayed or live) must not
// move the client past the gap. It resumes again for the same gap once an event_silence has
// passed since the last resume, and not before (no resume per live event).
TEST(ClientEventWatchdog, AGapStaysOpenUntilItsBlockArrivesAndIsResumedAgain) {
  Harness h(watched_config());
  h.start();
  HostId to = kNoHost;
  h.deliver(kO1P0, numbered_event(4));
  auto reg = registration(h.deliver(kO1P0, numbered_event(6)), &to);  // 5 is missing
  ASSERT_TRUE(reg.has_value());
  EXPECT_EQ(reg->start_block(), 5u);
  // The replay of 5 is lost; the replay of 6 and live 7 come.
  EXPECT_FALSE(registration(h.deliver(kO1P0, numbered_event(6)), &to).has_value());
  EXPECT_FALSE(registration(h.deliver(kO1P0, numbered_event(7)), &to).has_value());
  h.advance(Duration::seconds(5));
  reg = registration(h.deliver(kO1P0, numbered_event(8)), &to);  // still missing 5, a period later
  ASSERT_TRUE(reg.has_value());
  EXPECT_EQ(reg->start_block(), 5u);
  // This replay arrives: the stream is whole again up to 8, and 9 is the next.
  EXPECT_FALSE(registration(h.deliver(kO1P0, numbered_event(5)), &to).has_value());
  EXPECT_FALSE(registration(h.deliver(kO1P0, numbered_event(9)), &to).has_value());
  h.advance(Duration::seconds(5));
  reg = registration(h.deliver(kO1P0, numbered_event(11)), &to);  // a new gap: 10
  ASSERT_TRUE(reg.has_value());
  EXPECT_EQ(reg->start_block(), 10u);
}

TEST(ClientEventWatchdog, EventsFlowingKeepTheStream) {
  Harness h(watched_config());
  h.start();
  const protoutil::Proposal p = submit_and_endorse(h);
  h.deliver(kOrderer0, broadcast_reply(p.tx_id, common::SUCCESS));
  HostId to = kNoHost;
  for (int i = 0; i < 3; ++i) {
    h.deliver(kO1P0, block_event("unrelated", protos::VALID));  // some block, each period
    EXPECT_FALSE(registration(h.fire_next_timer(), &to).has_value()) << i;
  }
}

TEST(ClientEventWatchdog, NoCommitAwaitedNoMove) {
  Harness h(watched_config());
  h.start();
  HostId to = kNoHost;
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(registration(h.fire_next_timer(), &to).has_value()) << i;
}

TEST(ClientSubmit, ProposalGoesToExactlyTheChosenPeers) {
  Harness h(config());
  const auto& out = h.submit("tx-1");
  EXPECT_EQ(destinations(out, kProposal), (std::vector<HostId>{kO1P0, kO2P0}));
  EXPECT_EQ(out.sends.size(), 2u);
  const protoutil::Proposal p = unpack(out.sends[0].msg);
  EXPECT_EQ(p.channel_header.channel_id(), "mychannel");
  EXPECT_EQ(p.signature_header.creator(), orgs().client.serialized());
  EXPECT_EQ(*out.sends[1].msg.payload, *out.sends[0].msg.payload);
  EXPECT_EQ(out.cpu, default_client_costs().proposal_build_sign);
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_EQ(out.events[0].name, kEventSubmitted);
  EXPECT_EQ(out.events[0].value, 2);
  EXPECT_EQ(h.client().in_flight(), 1u);
}

TEST(ClientSubmit, PolicyTheCandidatesCannotSatisfyFailsWithoutSending) {
  Harness h(config("AND('Org1MSP.peer','Org3MSP.peer')"));
  const auto& out = h.submit("tx-1");
  EXPECT_TRUE(out.sends.empty());
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_EQ(out.events[0].name, kFailureNoEndorsers);
  EXPECT_EQ(out.events[0].detail, "tx-1");
}

TEST(ClientSubmit, UnknownChaincodeOrMalformedRequestIsABadRequest) {
  Harness h(config());
  EXPECT_EQ(h.submit("tx-1", "nope").events.at(0).name, kFailureBadRequest);
  EXPECT_EQ(h.call("\xff\xff not a TxRequest").events.at(0).name, kFailureBadRequest);
  EXPECT_EQ(h.client().in_flight(), 0u);
}

TEST(ClientEndorse, AllRepliesBroadcastACorrectlyAssembledEnvelope) {
  Harness h(config());
  const protoutil::Proposal p = submit_and_endorse(h);
  // The events so far, and the last step's output: the broadcast.
  EXPECT_EQ(names(h.events()), (std::vector<std::string>{kEventSubmitted, kEventEndorsed}));
  EXPECT_EQ(h.events().back().event.value, 2);
  const auto& out = h.deliver(kO2P0, endorsement_reply(kO2P0, p));  // a duplicate: ignored
  EXPECT_TRUE(out.sends.empty());

  Harness h2(config());
  const auto first = h2.submit("tx-1");
  const protoutil::Proposal p2 = unpack(first.sends[0].msg);
  EXPECT_TRUE(h2.deliver(kO2P0, endorsement_reply(kO2P0, p2)).sends.empty());
  const auto& b = h2.deliver(kO1P0, endorsement_reply(kO1P0, p2));
  EXPECT_EQ(b.cpu, default_client_costs().verify_response + default_client_costs().assemble_sign);
  ASSERT_EQ(destinations(b, kBroadcast), std::vector<HostId>{kOrderer0});

  common::Envelope env;
  ASSERT_TRUE(env.ParseFromString(*b.sends[0].msg.payload));
  EXPECT_EQ(env.signature(), orgs().client.sign(env.payload()));
  common::Payload payload;
  ASSERT_TRUE(payload.ParseFromString(env.payload()));
  common::ChannelHeader ch;
  ASSERT_TRUE(ch.ParseFromString(payload.header().channel_header()));
  EXPECT_EQ(ch.tx_id(), p2.tx_id);
  protos::Transaction tx;
  ASSERT_TRUE(tx.ParseFromString(payload.data()));
  ASSERT_EQ(tx.actions_size(), 1);
  protos::ChaincodeActionPayload cap;
  ASSERT_TRUE(cap.ParseFromString(tx.actions(0).payload()));
  // Endorsements in selection order (Org1 first) although Org2 answered first.
  ASSERT_EQ(cap.action().endorsements_size(), 2);
  EXPECT_EQ(cap.action().endorsements(0).endorser(), orgs().peers.at(kO1P0)->serialized());
  EXPECT_EQ(cap.action().endorsements(1).endorser(), orgs().peers.at(kO2P0)->serialized());
  for (const auto& e : cap.action().endorsements()) {
    const auto& peer = e.endorser() == orgs().peers.at(kO1P0)->serialized() ? orgs().peers.at(kO1P0) : orgs().peers.at(kO2P0);
    EXPECT_EQ(e.signature(), peer->sign(cap.action().proposal_response_payload() + e.endorser()));
  }
}

TEST(ClientEndorse, MismatchedResponsesFailWithoutBroadcast) {
  Harness h(config());
  const auto first = h.submit("tx-1");
  const protoutil::Proposal p = unpack(first.sends[0].msg);
  h.deliver(kO1P0, endorsement_reply(kO1P0, p, "v1"));
  const auto& out = h.deliver(kO2P0, endorsement_reply(kO2P0, p, "v2"));
  EXPECT_TRUE(out.sends.empty());
  EXPECT_EQ(names(h.events()), (std::vector<std::string>{kEventSubmitted, kFailureEndorsementMismatch}));
  EXPECT_EQ(h.client().in_flight(), 0u);
  EXPECT_EQ(h.armed_timers(), 0u);
}

// fabric-sdk-go's SignatureValidationHandler: a response whose endorsement is missing, comes
// from an identity outside the channel's MSPs, or does not verify fails the transaction
// before anything is broadcast -- one case per way of failing the check.
TEST(ClientEndorse, ResponseWhoseEndorsementDoesNotVerifyFails) {
  struct Case {
    std::string name;
    std::function<void(protos::ProposalResponse*)> damage;
  };
  const std::vector<Case> cases = {
      {"NoEndorsement", [](protos::ProposalResponse* r) { r->clear_endorsement(); }},
      {"SignatureOverOtherBytes",
       [](protos::ProposalResponse* r) {
         r->mutable_endorsement()->set_signature(orgs().peers.at(kO2P0)->sign("something else"));
       }},
      {"PayloadChangedAfterSigning", [](protos::ProposalResponse* r) { r->mutable_payload()->append("x"); }},
      {"SignedByAnotherPeerThanTheEndorserNamed",
       [](protos::ProposalResponse* r) {
         r->mutable_endorsement()->set_signature(
             orgs().peers.at(kO2P1)->sign(r->payload() + r->endorsement().endorser()));
       }},
      {"EndorserOutsideTheChannel",
       [](protos::ProposalResponse* r) {
         r->mutable_endorsement()->set_endorser(orgs().stranger.serialized());
         r->mutable_endorsement()->set_signature(orgs().stranger.sign(r->payload() + r->endorsement().endorser()));
       }},
      {"EndorserNotAnIdentity", [](protos::ProposalResponse* r) { r->mutable_endorsement()->set_endorser("\x0a\x05junk"); }},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Harness h(config());
    const auto first = h.submit("tx-1");
    const protoutil::Proposal p = unpack(first.sends[0].msg);
    EXPECT_TRUE(h.deliver(kO1P0, endorsement_reply(kO1P0, p)).sends.empty());
    fabsim::ProposalReply reply;
    ASSERT_TRUE(reply.ParseFromString(*endorsement_reply(kO2P0, p).payload));
    protos::ProposalResponse response;
    ASSERT_TRUE(response.ParseFromString(reply.proposal_response()));
    c.damage(&response);
    reply.set_proposal_response(response.SerializeAsString());
    const auto& out = h.deliver(kO2P0, make_message(kProposalReply, reply));
    EXPECT_TRUE(out.sends.empty());
    EXPECT_EQ(out.cpu, default_client_costs().verify_response);
    EXPECT_EQ(names(h.events()), (std::vector<std::string>{kEventSubmitted, kFailureEndorsementInvalid}));
    EXPECT_EQ(h.client().in_flight(), 0u);
    EXPECT_EQ(h.armed_timers(), 0u);
  }
}

TEST(ClientEndorse, ErrorReplyFails) {
  Harness h(config());
  const auto first = h.submit("tx-1");
  const protoutil::Proposal p = unpack(first.sends[0].msg);
  fabsim::ProposalReply refused;
  refused.set_tx_id(p.tx_id);
  refused.set_error("access denied: creator is not a writer");
  EXPECT_TRUE(h.deliver(kO2P0, make_message(kProposalReply, refused)).sends.empty());
  EXPECT_EQ(names(h.events()), (std::vector<std::string>{kEventSubmitted, kFailureEndorsementError}));
  // A later good reply for the forgotten transaction changes nothing.
  EXPECT_TRUE(h.deliver(kO1P0, endorsement_reply(kO1P0, p)).sends.empty());
  EXPECT_EQ(h.events().size(), 2u);
  EXPECT_EQ(h.armed_timers(), 0u);
}

TEST(ClientEndorse, ChaincodeErrorStatusFailsWithTheStatus) {
  Harness h(config());
  const auto first = h.submit("tx-1");
  const protoutil::Proposal p = unpack(first.sends[0].msg);
  h.deliver(kO1P0, endorsement_reply(kO1P0, p, "v1", 500));
  ASSERT_EQ(h.events().size(), 2u);
  EXPECT_EQ(h.events()[1].event.name, kFailureEndorsementError);
  EXPECT_EQ(h.events()[1].event.value, 500);
}

TEST(ClientEndorse, ReplyFromAPeerNotAskedIsIgnored) {
  Harness h(config());
  const auto first = h.submit("tx-1");
  const protoutil::Proposal p = unpack(first.sends[0].msg);
  h.deliver(kO1P0, endorsement_reply(kO1P0, p));
  EXPECT_TRUE(h.deliver(kO2P1, endorsement_reply(kO2P1, p)).sends.empty());
  EXPECT_EQ(h.events().size(), 1u);
}

// ---- endorser failover ---------------------------------------------------------------------

ClientConfig failover_config() {
  ClientConfig c = config();
  c.endorser_backoff = Duration::seconds(30);
  return c;
}

TEST(ClientEndorserFailover, TimeoutResendsToAnotherPeerOfTheSilentSlotsClassOnly) {
  Harness h(failover_config());
  const auto first = h.submit("tx-1");  // O1P0 and O2P0 (no rotation)
  const protoutil::Proposal p = unpack(first.sends[0].msg);
  h.deliver(kO1P0, endorsement_reply(kO1P0, p));
  const auto& retry = h.fire_next_timer();  // O2P0 said nothing
  EXPECT_EQ(destinations(retry, kProposal), (std::vector<HostId>{kO2P1}));
  EXPECT_EQ(names(h.events()).back(), kEventEndorsementRetry);
  EXPECT_EQ(h.events().back().event.value, 2);
  // The retry's answer completes the endorsement with the answer already received.
  const auto& done = h.deliver(kO2P1, endorsement_reply(kO2P1, p));
  EXPECT_EQ(destinations(done, kBroadcast), (std::vector<HostId>{kOrderer0}));
  EXPECT_EQ(names(h.events()).back(), kEventEndorsed);
}

TEST(ClientEndorserFailover, ASilentPeerIsAvoidedByLaterRequestsForTheBackoff) {
  Harness h(failover_config());
  const protoutil::Proposal p = unpack(h.submit("tx-1").sends[0].msg);
  h.deliver(kO1P0, endorsement_reply(kO1P0, p));
  h.fire_next_timer();  // O2P0 is avoided from now for 30 s
  EXPECT_EQ(destinations(h.submit("tx-2"), kProposal), (std::vector<HostId>{kO1P0, kO2P1}));
  h.advance(Duration::seconds(31));
  EXPECT_EQ(destinations(h.submit("tx-3"), kProposal), (std::vector<HostId>{kO1P0, kO2P0}));
}

TEST(ClientEndorserFailover, ASecondTimeoutFails) {
  Harness h(failover_config());
  const protoutil::Proposal p = unpack(h.submit("tx-1").sends[0].msg);
  h.deliver(kO1P0, endorsement_reply(kO1P0, p));
  h.fire_next_timer();                      // retry at O2P1
  const auto& out = h.fire_next_timer();    // attempts_max = 2: give up
  EXPECT_TRUE(out.sends.empty());
  EXPECT_EQ(names(h.events()).back(), kFailureEndorsementTimeout);
  EXPECT_EQ(h.client().in_flight(), 0u);
}

TEST(ClientEndorserFailover, EverySilentSlotIsReplacedInItsOwnClass) {
  Harness h(failover_config());
  h.submit("tx-1");                       // O1P0 and O2P0; neither answers
  const auto& out = h.fire_next_timer();
  EXPECT_EQ(destinations(out, kProposal), (std::vector<HostId>{kO1P1, kO2P1}));
}

TEST(ClientEndorserFailover, NoOtherPeerInTheClassFails) {
  ClientConfig c = config("AND('Org1MSP.peer','Org2MSP.peer')", {kO1P0, kO2P0});
  c.endorser_backoff = Duration::seconds(30);
  Harness h(c);
  const protoutil::Proposal p = unpack(h.submit("tx-1").sends[0].msg);
  h.deliver(kO1P0, endorsement_reply(kO1P0, p));
  const auto& out = h.fire_next_timer();
  EXPECT_TRUE(out.sends.empty());
  EXPECT_EQ(names(h.events()).back(), kFailureEndorsementTimeout);
}

TEST(ClientEndorserFailover, ExplicitTargetsAreNotReplaced) {
  Harness h(failover_config());
  fabsim::TxRequest req;
  req.set_id("tx-explicit");
  req.set_chaincode("kv");
  req.set_function("put");
  req.add_endorsers(kO1P0);
  req.add_endorsers(kO2P0);
  h.call(req.SerializeAsString());
  const auto& out = h.fire_next_timer();
  EXPECT_TRUE(out.sends.empty());
  EXPECT_EQ(names(h.events()).back(), kFailureEndorsementTimeout);
}

TEST(ClientEndorse, TimeoutFailsWithTheResponsesReceived) {
  Harness h(config());
  const auto first = h.submit("tx-1");
  const protoutil::Proposal p = unpack(first.sends[0].msg);
  h.deliver(kO1P0, endorsement_reply(kO1P0, p));
  const auto& out = h.fire_next_timer();
  EXPECT_TRUE(out.sends.empty());
  ASSERT_EQ(h.events().size(), 2u);
  EXPECT_EQ(h.events()[1].event.name, kFailureEndorsementTimeout);
  EXPECT_EQ(h.events()[1].event.value, 1);
  EXPECT_EQ(h.events()[1].at - h.events()[0].at, ClientConfig{}.endorsement_timeout);
  EXPECT_EQ(h.client().in_flight(), 0u);
}

TEST(ClientBroadcast, RejectionRetriesOnTheNextOrdererThenFailsAfterTheBound) {
  Harness h(config());
  const protoutil::Proposal p = submit_and_endorse(h);
  const auto& retry = h.deliver(kOrderer0, broadcast_reply(p.tx_id, common::BAD_REQUEST));
  EXPECT_EQ(destinations(retry, kBroadcast), std::vector<HostId>{kOrderer1});
  EXPECT_EQ(h.client().current_orderer(), kOrderer1);
  // A late reply from the first orderer is not about the current attempt.
  EXPECT_TRUE(h.deliver(kOrderer0, broadcast_reply(p.tx_id, common::SUCCESS)).events.empty());
  const auto& last = h.deliver(kOrderer1, broadcast_reply(p.tx_id, common::SERVICE_UNAVAILABLE));
  EXPECT_TRUE(last.sends.empty());
  ASSERT_EQ(h.events().size(), 3u);
  EXPECT_EQ(h.events()[2].event.name, kFailureBroadcastRejected);
  EXPECT_EQ(h.events()[2].event.value, common::SERVICE_UNAVAILABLE);
  EXPECT_EQ(h.client().current_orderer(), kOrderer2);
  EXPECT_EQ(h.armed_timers(), 0u);
}

TEST(ClientBroadcast, TimeoutRetriesOnTheNextOrdererAndItsAckIsTheOrderedStage) {
  Harness h(config());
  const protoutil::Proposal p = submit_and_endorse(h);
  const auto& retry = h.fire_next_timer();
  EXPECT_EQ(destinations(retry, kBroadcast), std::vector<HostId>{kOrderer1});
  const auto& ack = h.deliver(kOrderer1, broadcast_reply(p.tx_id, common::SUCCESS));
  ASSERT_EQ(ack.events.size(), 1u);
  EXPECT_EQ(ack.events[0].name, kEventOrdered);
  EXPECT_EQ(ack.events[0].value, 2);  // the second attempt
  // The next transaction starts at the orderer that worked.
  const auto second = h.submit("tx-2");
  const protoutil::Proposal p2 = unpack(second.sends[0].msg);
  h.deliver(kO1P0, endorsement_reply(kO1P0, p2));
  EXPECT_EQ(destinations(h.deliver(kO2P0, endorsement_reply(kO2P0, p2)), kBroadcast), std::vector<HostId>{kOrderer1});
}

TEST(ClientBroadcast, TimeoutOnTheLastAttemptFails) {
  Harness h(config());
  submit_and_endorse(h);
  h.fire_next_timer();
  EXPECT_TRUE(h.fire_next_timer().sends.empty());
  EXPECT_EQ(h.events().back().event.name, kFailureBroadcastTimeout);
  EXPECT_EQ(h.events().back().event.value, 2);
  EXPECT_EQ(h.client().in_flight(), 0u);
}

TEST(ClientCommit, BlockEventWithTheTxIdIsCommittedWithItsValidationCode) {
  Harness h(config());
  h.start();
  const protoutil::Proposal p = submit_and_endorse(h);
  h.deliver(kOrderer0, broadcast_reply(p.tx_id, common::SUCCESS));
  // Events from another channel or another peer are not the event stream.
  EXPECT_TRUE(h.deliver(kO1P0, block_event(p.tx_id, protos::VALID, "otherchannel")).events.empty());
  EXPECT_TRUE(h.deliver(kO2P0, block_event(p.tx_id, protos::VALID)).events.empty());
  const auto& out = h.deliver(kO1P0, block_event(p.tx_id, protos::MVCC_READ_CONFLICT));
  EXPECT_EQ(out.cpu, default_client_costs().block_event);
  ASSERT_EQ(out.events.size(), 2u);
  EXPECT_EQ(out.events[0].name, kEventBlock);  // the block number first, then the outcome
  EXPECT_EQ(out.events[0].value, kEventBlockNumber);
  EXPECT_EQ(out.events[1].name, kEventCommitted);
  EXPECT_EQ(out.events[1].value, protos::MVCC_READ_CONFLICT);
  EXPECT_EQ(h.client().in_flight(), 0u);
  EXPECT_EQ(h.armed_timers(), 0u);
}

TEST(ClientCommit, BlockEventBeforeTheBroadcastAckCommits) {
  Harness h(config());
  const protoutil::Proposal p = submit_and_endorse(h);
  h.deliver(kO1P0, block_event(p.tx_id, protos::VALID));
  EXPECT_EQ(names(h.events()),
            (std::vector<std::string>{kEventSubmitted, kEventEndorsed, kEventBlock, kEventCommitted}));
  EXPECT_TRUE(h.deliver(kOrderer0, broadcast_reply(p.tx_id, common::SUCCESS)).events.empty());
}

TEST(ClientCommit, TimeoutFails) {
  Harness h(config());
  const protoutil::Proposal p = submit_and_endorse(h);
  h.deliver(kOrderer0, broadcast_reply(p.tx_id, common::SUCCESS));
  h.fire_next_timer();
  EXPECT_EQ(names(h.events()),
            (std::vector<std::string>{kEventSubmitted, kEventEndorsed, kEventOrdered, kFailureCommitTimeout}));
  EXPECT_EQ(h.events()[3].at - h.events()[2].at, ClientConfig{}.commit_timeout);
  EXPECT_EQ(h.client().in_flight(), 0u);
}

TEST(ClientEvents, CarryTheScenarioTransactionIdAndStageTimesIncrease) {
  Harness h(config());
  h.start();
  const auto first = h.submit("scenario-tx-17");
  const protoutil::Proposal p = unpack(first.sends[0].msg);
  h.submit("scenario-tx-18");  // another transaction in flight, on its own
  h.advance(Duration::millis(2));
  h.deliver(kO1P0, endorsement_reply(kO1P0, p));
  h.advance(Duration::millis(2));
  h.deliver(kO2P0, endorsement_reply(kO2P0, p));
  h.advance(Duration::millis(5));
  h.deliver(kOrderer0, broadcast_reply(p.tx_id, common::SUCCESS));
  h.advance(Duration::millis(900));
  h.deliver(kO1P0, block_event(p.tx_id, protos::VALID));

  std::vector<Event> mine;
  for (const auto& e : h.events())
    if (e.event.detail == "scenario-tx-17") mine.push_back(e);
    else EXPECT_EQ(e.event.detail, "scenario-tx-18");
  EXPECT_EQ(names(mine),
            (std::vector<std::string>{kEventSubmitted, kEventEndorsed, kEventOrdered, kEventBlock, kEventCommitted}));
  for (size_t i = 1; i < mine.size(); ++i) {
    if (mine[i].event.name == kEventCommitted) EXPECT_EQ(mine[i - 1].at, mine[i].at);  // with client.block
    else EXPECT_LT(mine[i - 1].at, mine[i].at) << mine[i].event.name;
  }
  EXPECT_EQ(h.client().in_flight(), 1u);  // tx-18 still endorsing
}

TEST(ClientSubmit, InFlightBoundRejectsTheExcess) {
  ClientConfig c = config();
  c.in_flight_max = 1;
  Harness h(std::move(c));
  h.submit("a");
  const auto& out = h.submit("b");
  EXPECT_TRUE(out.sends.empty());
  EXPECT_EQ(out.events.at(0).name, kFailureTooManyInFlight);
  EXPECT_EQ(out.events.at(0).detail, "b");
}

}  // namespace
}  // namespace fabsim::model::client
