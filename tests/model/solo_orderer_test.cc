// The solo orderer (model/orderer/solo.h), driven sans-IO: each input is handed to the
// process through a NodeContext built here, and its outputs are inspected. One case per
// rule of fabric-semantics.md §1.2, §1.3 and §8, and of Fabric's Deliver.
//
// The Driver keeps a local clock and the timers the process set: a timer set during a call
// at time t that charged cpu fires at t + cpu + after (node.h: timers are released after
// the charged CPU); cancel_timer removes it at once.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/crypto/ca.h"
#include "core/crypto/msp.h"
#include "core/crypto/signature.h"
#include "core/crypto/signing_identity.h"
#include "core/crypto/txid.h"
#include "core/node.h"
#include "core/proto/fabsim/node_messages.pb.h"
#include "core/proto/orderer/ab.pb.h"
#include "core/random.h"
#include "model/ledger/block_hash.h"
#include "model/orderer/solo.h"
#include "model/protocol.h"

namespace fabsim::orderer {
namespace {

using crypto::CertificateAuthority;
using crypto::NodeOu;
using crypto::SignatureScheme;
using crypto::SigningIdentity;

constexpr uint64_t kSeed = 42;
constexpr HostId kOrdererHost = 1;
constexpr HostId kClient = 10;
constexpr HostId kPeer = 20;
const std::string kChannel = "mychannel";
constexpr int kLastConfigSlot = 1;  // common::LAST_CONFIG (deprecated in the protos)

crypto::Msp make_msp(const CertificateAuthority& ca) {
  auto msp = crypto::Msp::create(crypto::MspConfig{ca.msp_id(), ca.certificate(), true, {}});
  EXPECT_TRUE(msp.is_ok()) << msp.status().to_string();
  return std::move(msp).value();
}

// Org1 and Org2 are the channel's orgs; Org3 is known to the MSP manager but not in the
// channel; OrdererOrg signs blocks. Built once: issuing certificates is not free.
struct World {
  World()
      : ca1(kSeed, "Org1MSP", "Org1"),
        ca3(kSeed, "Org3MSP", "Org3"),
        ca_ord(kSeed, "OrdererMSP", "OrdererOrg"),
        ca_rogue(kSeed + 1, "Org1MSP", "Org1"),  // same MSP ID, another root: invalid identities
        client(ca1.issue("client0", NodeOu::kClient), SignatureScheme::kHmacSha256, kSeed),
        peer(ca1.issue("peer0", NodeOu::kPeer), SignatureScheme::kHmacSha256, kSeed),
        outsider(ca3.issue("client0", NodeOu::kClient), SignatureScheme::kHmacSha256, kSeed),
        rogue(ca_rogue.issue("mallory", NodeOu::kClient), SignatureScheme::kHmacSha256, kSeed),
        orderer(ca_ord.issue("orderer0", NodeOu::kOrderer), SignatureScheme::kHmacSha256, kSeed),
        verifier(crypto::make_verifier(SignatureScheme::kHmacSha256, kSeed)) {
    EXPECT_TRUE(msps.add(make_msp(ca1)).is_ok());
    EXPECT_TRUE(msps.add(make_msp(ca3)).is_ok());
    EXPECT_TRUE(msps.add(make_msp(ca_ord)).is_ok());
  }
  CertificateAuthority ca1, ca3, ca_ord, ca_rogue;
  SigningIdentity client, peer, outsider, rogue, orderer;
  std::unique_ptr<crypto::Verifier> verifier;
  crypto::MspManager msps;
};

const World& world() {
  static const World* w = new World();
  return *w;
}

BatchSettings settings(uint32_t max_count, uint32_t preferred, uint32_t absolute = 1u << 20,
                       Duration timeout = Duration::seconds(2)) {
  BatchSettings s;
  s.size = BatchSize{max_count, absolute, preferred};
  s.batch_timeout = timeout;
  return s;
}

SoloConfig config(BatchSettings batch) {
  SoloConfig c;
  c.channels.push_back({kChannel, batch, &world().msps, {"Org1MSP", "Org2MSP"}});
  c.signer = &world().orderer;
  c.verifier = world().verifier.get();
  return c;
}

std::string marshal(const google::protobuf::MessageLite& m) {
  std::string s;
  m.SerializeToString(&s);
  return s;
}

// A signed envelope: ChannelHeader{type, channel, tx_id}, SignatureHeader{creator, nonce}, data.
common::Envelope envelope(const SigningIdentity& who, Rng& rng, const std::string& data,
                          const std::string& channel = kChannel, int32_t type = common::ENDORSER_TRANSACTION) {
  common::SignatureHeader shdr;
  shdr.set_creator(who.serialized());
  shdr.set_nonce(crypto::make_nonce(rng));
  common::ChannelHeader chdr;
  chdr.set_type(type);
  chdr.set_channel_id(channel);
  chdr.set_tx_id(crypto::compute_tx_id(shdr.nonce(), shdr.creator()));
  common::Payload payload;
  payload.mutable_header()->set_channel_header(marshal(chdr));
  payload.mutable_header()->set_signature_header(marshal(shdr));
  payload.set_data(data);
  common::Envelope env;
  env.set_payload(marshal(payload));
  env.set_signature(who.sign(env.payload()));
  return env;
}

std::string tx_id_of(const common::Envelope& env) {
  common::Payload p;
  common::ChannelHeader h;
  EXPECT_TRUE(p.ParseFromString(env.payload()));
  EXPECT_TRUE(h.ParseFromString(p.header().channel_header()));
  return h.tx_id();
}

::orderer::SeekPosition oldest() {
  ::orderer::SeekPosition p;
  p.mutable_oldest();
  return p;
}
::orderer::SeekPosition newest() {
  ::orderer::SeekPosition p;
  p.mutable_newest();
  return p;
}
::orderer::SeekPosition specified(uint64_t n) {
  ::orderer::SeekPosition p;
  p.mutable_specified()->set_number(n);
  return p;
}

Message deliver_request(uint64_t stream_id, const SigningIdentity& who, Rng& rng, ::orderer::SeekPosition start,
                        ::orderer::SeekPosition stop, bool fail_if_not_ready = false,
                        const std::string& channel = kChannel) {
  ::orderer::SeekInfo seek;
  *seek.mutable_start() = std::move(start);
  *seek.mutable_stop() = std::move(stop);
  seek.set_behavior(fail_if_not_ready ? ::orderer::SeekInfo::FAIL_IF_NOT_READY : ::orderer::SeekInfo::BLOCK_UNTIL_READY);
  fabsim::DeliverRequest req;
  req.set_stream_id(stream_id);
  req.set_envelope(marshal(envelope(who, rng, marshal(seek), channel, common::DELIVER_SEEK_INFO)));
  return model::make_message(model::kDeliverRequest, req);
}

// What one Deliver stream received: block numbers, then the final status (UNKNOWN if open).
struct StreamLog {
  std::vector<uint64_t> blocks;
  common::Status status = common::UNKNOWN;
  bool operator==(const StreamLog&) const = default;
};

std::ostream& operator<<(std::ostream& os, const StreamLog& s) {
  os << "{blocks [";
  for (uint64_t b : s.blocks) os << b << " ";
  return os << "], status " << common::Status_Name(s.status) << "}";
}

class Driver {
 public:
  explicit Driver(BatchSettings batch) : config_(config(batch)) { restart(); }

  // A new incarnation on the same durable store (volatile state and timers are lost).
  void restart() {
    orderer_ = std::make_unique<SoloOrderer>(config_);
    timers_.clear();
    call([&](NodeContext& ctx) { orderer_->on_start(ctx); });
  }

  void send(HostId from, const Message& msg, Time at) {
    advance_to(at);
    call([&](NodeContext& ctx) { orderer_->on_message(ctx, from, msg); });
  }
  void broadcast(const common::Envelope& env, Time at) {
    send(kClient, model::make_message(model::kBroadcast, env), at);
  }

  // Fires every timer due by `t`, in deadline order, then sets the clock to `t`.
  void advance_to(Time t) {
    ASSERT_GE(t, now_);
    while (!timers_.empty()) {
      auto next = timers_.begin();
      for (auto it = timers_.begin(); it != timers_.end(); ++it)
        if (it->second.first < next->second.first) next = it;
      if (next->second.first > t) break;
      const TimerId id = next->first;
      const uint64_t tag = next->second.second;
      now_ = next->second.first;
      timers_.erase(next);
      call([&](NodeContext& ctx) { orderer_->on_timer(ctx, id, tag); });
    }
    now_ = t;
  }

  // Hands a timer that is no longer set (cancelled or fired) to the process.
  void fire_stale_timer(TimerId id) {
    call([&](NodeContext& ctx) { orderer_->on_timer(ctx, id, SoloOrderer::kBatchTimerTag); });
  }

  SoloOrderer& orderer() { return *orderer_; }
  DurableStore& store() { return store_; }
  const std::map<TimerId, std::pair<Time, uint64_t>>& timers() const { return timers_; }
  TimerId last_timer_id() const { return next_timer_id_; }

  std::vector<fabsim::BroadcastReply> broadcast_replies() const {
    std::vector<fabsim::BroadcastReply> out;
    for (const auto& s : sent_) {
      if (s.msg.kind != model::kBroadcastReply) continue;
      EXPECT_EQ(s.to, kClient);
      out.emplace_back().ParseFromString(*s.msg.payload);
    }
    return out;
  }
  common::Status last_broadcast_status() const {
    auto r = broadcast_replies();
    return r.empty() ? common::UNKNOWN : r.back().response().status();
  }

  std::vector<fabsim::DeliverReply> deliver_replies(HostId to) const {
    std::vector<fabsim::DeliverReply> out;
    for (const auto& s : sent_)
      if (s.msg.kind == model::kDeliverReply && s.to == to) out.emplace_back().ParseFromString(*s.msg.payload);
    return out;
  }
  StreamLog stream(HostId to, uint64_t stream_id) const {
    StreamLog log;
    for (const auto& r : deliver_replies(to)) {
      if (r.stream_id() != stream_id) continue;
      EXPECT_EQ(log.status, common::UNKNOWN) << "a reply after the final status";
      if (r.response().has_block()) {
        log.blocks.push_back(r.response().block().header().number());
      } else {
        log.status = r.response().status();
      }
    }
    return log;
  }

  common::Block block(uint64_t n) const {
    auto b = orderer_->block_store().block_by_number(n);
    EXPECT_TRUE(b.is_ok()) << b.status().to_string();
    return b.is_ok() ? b.value() : common::Block{};
  }
  // When each block was written (the call's time, from the orderer.block events).
  const std::map<uint64_t, Time>& block_times() const { return block_times_; }
  // The cut reason each block's event reported ("count", "bytes", "oversized", "timeout", "genesis").
  std::string cut_reason(uint64_t n) const {
    const std::string& d = block_details_.at(n);
    const size_t from = d.find("reason=") + 7;
    return d.substr(from, d.find(' ', from) - from);
  }
  Duration cpu_total() const { return cpu_total_; }

 private:
  template <typename F>
  void call(F&& f) {
    NodeContext ctx(kOrdererHost, now_, rng_, store_, next_timer_id_);
    f(ctx);
    auto& out = ctx.outputs();
    for (TimerId id : out.cancels) timers_.erase(id);
    for (const auto& t : out.timers) timers_[t.id] = {now_ + out.cpu + out.disk + t.after, t.tag};
    for (auto& s : out.sends) sent_.push_back(std::move(s));
    for (const auto& e : out.events)
      if (e.name == kEventBlock) {
        block_times_[static_cast<uint64_t>(e.value)] = now_;
        block_details_[static_cast<uint64_t>(e.value)] = e.detail;
      }
    cpu_total_ += out.cpu + out.disk;  // the work, on cores and on the disk
    std::vector<NodeContext::Post> posts = std::move(out.posts);
    // Posts (Broadcast's hand-off to the chain) are handled when the work that made them is
    // done, in order.
    const Time handled_at = now_;
    now_ = now_ + out.cpu + out.disk;
    for (auto& p : posts) handle_post(p.msg);
    now_ = handled_at;
  }
  void handle_post(const Message& msg) {
    call(std::function<void(NodeContext&)>([&](NodeContext& c) { orderer_->on_message(c, kOrdererHost, msg); }));
  }

  SoloConfig config_;
  DurableStore store_;
  Rng rng_{kSeed};
  TimerId next_timer_id_ = 0;
  Time now_ = Time::zero();
  std::unique_ptr<SoloOrderer> orderer_;
  std::map<TimerId, std::pair<Time, uint64_t>> timers_;  // id -> (deadline, tag)
  std::vector<NodeContext::Send> sent_;
  std::map<uint64_t, Time> block_times_;
  std::map<uint64_t, std::string> block_details_;
  Duration cpu_total_;
};

Time at_ms(int64_t ms) { return Time::zero() + Duration::millis(ms); }

// The envelopes a block carries, parsed.
std::vector<common::Envelope> envelopes(const common::Block& b) {
  std::vector<common::Envelope> out;
  for (const auto& d : b.data().data()) EXPECT_TRUE(out.emplace_back().ParseFromString(d));
  return out;
}

// ---- broadcast filters (§1.2) -------------------------------------------------------------

struct FilterCase {
  const char* name;
  std::function<Message(Rng&)> message;
  common::Status expected;
};

Message as_broadcast(const common::Envelope& env) { return model::make_message(model::kBroadcast, env); }

TEST(SoloOrderer, BroadcastFiltersAnswerFabricsStatus) {
  const World& w = world();
  const std::vector<FilterCase> cases = {
      {"empty message is BAD_REQUEST", [](Rng&) { return as_broadcast(common::Envelope{}); }, common::BAD_REQUEST},
      {"bytes that are no envelope are BAD_REQUEST",
       [](Rng&) { return Message{model::kBroadcast, make_bytes("\xff\xff\xff")}; }, common::BAD_REQUEST},
      {"unparsable channel header is BAD_REQUEST",
       [](Rng&) {
         common::Payload p;
         p.mutable_header()->set_channel_header("\xff\x01");
         common::Envelope e;
         e.set_payload(marshal(p));
         return as_broadcast(e);
       },
       common::BAD_REQUEST},
      {"payload without header is BAD_REQUEST",
       [](Rng&) {
         common::Payload p;
         p.set_data("x");
         common::Envelope e;
         e.set_payload(marshal(p));
         return as_broadcast(e);
       },
       common::BAD_REQUEST},
      {"size above AbsoluteMaxBytes is BAD_REQUEST",
       [&](Rng& r) { return as_broadcast(envelope(w.client, r, std::string(5000, 'x'))); }, common::BAD_REQUEST},
      {"another channel is NOT_FOUND",
       [&](Rng& r) { return as_broadcast(envelope(w.client, r, "tx", "otherchannel")); }, common::NOT_FOUND},
      {"channel is classified before the size filter: oversized on another channel is NOT_FOUND",
       [&](Rng& r) { return as_broadcast(envelope(w.client, r, std::string(5000, 'x'), "otherchannel")); },
       common::NOT_FOUND},
      {"config update is BAD_REQUEST (not modelled)",
       [&](Rng& r) { return as_broadcast(envelope(w.client, r, "cfg", kChannel, common::CONFIG_UPDATE)); },
       common::BAD_REQUEST},
      {"creator of an MSP outside the channel is FORBIDDEN",
       [&](Rng& r) { return as_broadcast(envelope(w.outsider, r, "tx")); }, common::FORBIDDEN},
      {"creator that does not validate against its MSP is FORBIDDEN",
       [&](Rng& r) { return as_broadcast(envelope(w.rogue, r, "tx")); }, common::FORBIDDEN},
      {"creator that does not deserialize is FORBIDDEN",
       [&](Rng& r) {
         common::Envelope e = envelope(w.client, r, "tx");
         common::Payload p;
         p.ParseFromString(e.payload());
         common::SignatureHeader sh;
         sh.set_creator("not an identity");
         sh.set_nonce("n");
         p.mutable_header()->set_signature_header(marshal(sh));
         e.set_payload(marshal(p));
         return as_broadcast(e);
       },
       common::FORBIDDEN},
      {"signature that does not verify is FORBIDDEN",
       [&](Rng& r) {
         common::Envelope e = envelope(w.client, r, "tx");
         e.set_signature(w.peer.sign(e.payload()));  // another member's signature
         return as_broadcast(e);
       },
       common::FORBIDDEN},
      {"valid transaction of a channel member is SUCCESS",
       [&](Rng& r) { return as_broadcast(envelope(w.client, r, "tx")); }, common::SUCCESS},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Driver d(settings(10, 2000, /*absolute=*/4000));
    Rng rng(7);
    d.send(kClient, c.message(rng), at_ms(1));
    auto replies = d.broadcast_replies();
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_EQ(replies[0].response().status(), c.expected) << replies[0].response().info();
    EXPECT_EQ(d.orderer().pending_count(), c.expected == common::SUCCESS ? 1u : 0u);
  }
}

TEST(SoloOrderer, BroadcastReplyCarriesTheTxIdOnePerRequestInOrder) {
  Driver d(settings(10, 1 << 20));
  Rng rng(1);
  auto a = envelope(world().client, rng, "a");
  auto b = envelope(world().client, rng, "b", "otherchannel");
  d.broadcast(a, at_ms(1));
  d.broadcast(b, at_ms(2));
  auto r = d.broadcast_replies();
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].tx_id(), tx_id_of(a));
  EXPECT_EQ(r[0].response().status(), common::SUCCESS);
  EXPECT_EQ(r[1].tx_id(), tx_id_of(b));
  EXPECT_EQ(r[1].response().status(), common::NOT_FOUND);
}

// ---- genesis, blocks and chaining (§8) ----------------------------------------------------

TEST(SoloOrderer, GenesisBlockIsWrittenAtFirstStart) {
  Driver d(settings(10, 1 << 20));
  ASSERT_EQ(d.orderer().height(), 1u);
  common::Block g = d.block(0);
  EXPECT_EQ(g.header().number(), 0u);
  EXPECT_TRUE(g.header().previous_hash().empty());
  EXPECT_EQ(g.header().data_hash(), ledger::block_data_hash(g.data()));
  ASSERT_EQ(g.data().data_size(), 1);
  common::Payload p;
  common::ChannelHeader chdr;
  ASSERT_TRUE(p.ParseFromString(envelopes(g)[0].payload()));
  ASSERT_TRUE(chdr.ParseFromString(p.header().channel_header()));
  EXPECT_EQ(chdr.type(), common::CONFIG);
  EXPECT_EQ(chdr.channel_id(), kChannel);
  EXPECT_TRUE(chdr.tx_id().empty());
  EXPECT_TRUE(p.data().empty());
  ASSERT_EQ(g.metadata().metadata_size(), 5);
  common::Metadata lc_md;
  common::LastConfig lc;
  ASSERT_TRUE(lc_md.ParseFromString(g.metadata().metadata(kLastConfigSlot)));
  ASSERT_TRUE(lc.ParseFromString(lc_md.value()));
  EXPECT_EQ(lc.index(), 0u);
  common::Metadata sig_md;
  common::OrdererBlockMetadata obm;
  ASSERT_TRUE(sig_md.ParseFromString(g.metadata().metadata(common::SIGNATURES)));
  ASSERT_TRUE(obm.ParseFromString(sig_md.value()));
  EXPECT_TRUE(obm.has_last_config());
  EXPECT_EQ(sig_md.signatures_size(), 0);
}

TEST(SoloOrderer, OrderedBlocksChainAndCarryAVerifiableOrdererSignature) {
  Driver d(settings(2, 1 << 20));
  Rng rng(3);
  std::vector<common::Envelope> sent;
  for (int i = 0; i < 4; ++i) {
    sent.push_back(envelope(world().client, rng, "tx" + std::to_string(i)));
    d.broadcast(sent.back(), at_ms(1 + i));
  }
  ASSERT_EQ(d.orderer().height(), 3u);
  for (uint64_t n = 1; n < 3; ++n) {
    SCOPED_TRACE(n);
    common::Block b = d.block(n);
    EXPECT_EQ(b.header().number(), n);
    EXPECT_EQ(b.header().previous_hash(), ledger::block_header_hash(d.block(n - 1).header()));
    EXPECT_EQ(b.header().data_hash(), ledger::block_data_hash(b.data()));
    auto envs = envelopes(b);
    ASSERT_EQ(envs.size(), 2u);
    EXPECT_EQ(envs[0].SerializeAsString(), sent[2 * (n - 1)].SerializeAsString());
    EXPECT_EQ(envs[1].SerializeAsString(), sent[2 * (n - 1) + 1].SerializeAsString());
    ASSERT_EQ(b.metadata().metadata_size(), 5);

    common::Metadata md;
    ASSERT_TRUE(md.ParseFromString(b.metadata().metadata(common::SIGNATURES)));
    common::OrdererBlockMetadata obm;
    ASSERT_TRUE(obm.ParseFromString(md.value()));
    EXPECT_EQ(obm.last_config().index(), 0u);
    ASSERT_EQ(md.signatures_size(), 1);
    common::SignatureHeader shdr;
    ASSERT_TRUE(shdr.ParseFromString(md.signatures(0).signature_header()));
    EXPECT_EQ(shdr.nonce().size(), crypto::kNonceSize);
    auto signer = world().msps.deserialize_identity(shdr.creator());
    ASSERT_TRUE(signer.is_ok());
    EXPECT_EQ(signer->msp_id(), "OrdererMSP");
    const std::string signed_bytes =
        md.value() + md.signatures(0).signature_header() + ledger::block_header_bytes(b.header());
    EXPECT_TRUE(world().verifier->verify(signer->certificate(), signed_bytes, md.signatures(0).signature()).is_ok());
    // A different header (another block's) does not verify: the signature covers the header.
    const std::string other = md.value() + md.signatures(0).signature_header() +
                              ledger::block_header_bytes(d.block(n == 1 ? 2 : 1).header());
    EXPECT_FALSE(world().verifier->verify(signer->certificate(), other, md.signatures(0).signature()).is_ok());

    common::Metadata lc_md;
    common::LastConfig lc;
    ASSERT_TRUE(lc_md.ParseFromString(b.metadata().metadata(kLastConfigSlot)));
    ASSERT_TRUE(lc.ParseFromString(lc_md.value()));
    EXPECT_EQ(lc.index(), 0u);
  }
}

// ---- the cutter and the timer rule (§1.3) -------------------------------------------------

TEST(SoloOrderer, MaxMessageCountCutsABlockAndStopsTheTimer) {
  Driver d(settings(3, 1 << 20));
  Rng rng(4);
  d.broadcast(envelope(world().client, rng, "a"), at_ms(10));
  EXPECT_TRUE(d.orderer().batch_timer_running());
  d.broadcast(envelope(world().client, rng, "b"), at_ms(20));
  EXPECT_EQ(d.orderer().height(), 1u);
  d.broadcast(envelope(world().client, rng, "c"), at_ms(30));
  ASSERT_EQ(d.orderer().height(), 2u);
  EXPECT_EQ(d.block(1).data().data_size(), 3);
  // The chain cuts when Broadcast hands it the envelope: after the filters' work.
  EXPECT_EQ(d.block_times().at(1), at_ms(30) + default_orderer_costs().broadcast_check);
  EXPECT_EQ(d.cut_reason(1), "count");
  EXPECT_FALSE(d.orderer().batch_timer_running());
  EXPECT_TRUE(d.timers().empty());
  d.advance_to(at_ms(10'000));
  EXPECT_EQ(d.orderer().height(), 2u);
}

TEST(SoloOrderer, BatchTimeoutCutsThePendingBatch) {
  Driver d(settings(10, 1 << 20, 1u << 20, Duration::seconds(2)));
  Rng rng(5);
  d.broadcast(envelope(world().client, rng, "a"), at_ms(100));
  d.broadcast(envelope(world().client, rng, "b"), at_ms(900));
  ASSERT_EQ(d.timers().size(), 1u);
  const Time deadline = d.timers().begin()->second.first;
  // Armed by the first message: 2 s after its call's CPU was released.
  EXPECT_EQ(deadline, at_ms(100) + default_orderer_costs().broadcast_check + Duration::seconds(2));
  d.advance_to(deadline - Duration::nanos(1));
  EXPECT_EQ(d.orderer().height(), 1u);
  d.advance_to(deadline);
  ASSERT_EQ(d.orderer().height(), 2u);
  EXPECT_EQ(d.block(1).data().data_size(), 2);
  EXPECT_EQ(d.block_times().at(1), deadline);
  EXPECT_EQ(d.cut_reason(1), "timeout");
  EXPECT_FALSE(d.orderer().batch_timer_running());
}

TEST(SoloOrderer, TimerIsNotReArmedWhenAnOverflowLeavesANewPendingBatch) {
  Rng rng(6);
  const common::Envelope m1 = envelope(world().client, rng, std::string(100, 'a'));
  const common::Envelope m2 = envelope(world().client, rng, std::string(100, 'b'));
  const uint64_t size = message_size_bytes(m1);
  ASSERT_EQ(message_size_bytes(m2), size);
  // Two messages overflow PreferredMaxBytes; one does not.
  Driver d(settings(10, static_cast<uint32_t>(size + size / 2)));
  d.broadcast(m1, at_ms(0));
  const Time first_deadline = d.timers().begin()->second.first;
  d.broadcast(m2, at_ms(1500));  // overflow: [m1] is cut, m2 pending, timer left alone
  ASSERT_EQ(d.orderer().height(), 2u);
  EXPECT_EQ(d.block_times().at(1), at_ms(1500) + default_orderer_costs().broadcast_check);
  EXPECT_EQ(d.cut_reason(1), "bytes");
  EXPECT_EQ(d.orderer().pending_count(), 1u);
  ASSERT_EQ(d.timers().size(), 1u);
  EXPECT_EQ(d.timers().begin()->second.first, first_deadline);
  d.advance_to(at_ms(5000));
  ASSERT_EQ(d.orderer().height(), 3u);
  // m2 is cut at m1's deadline: ~0.5 s after it arrived, not BatchTimeout after.
  EXPECT_EQ(d.block_times().at(2), first_deadline);
  EXPECT_LT(d.block_times().at(2), at_ms(1500) + Duration::seconds(2));
  EXPECT_EQ(envelopes(d.block(2))[0].SerializeAsString(), m2.SerializeAsString());
}

TEST(SoloOrderer, OversizedMessageIsCutAloneAfterThePendingBatch) {
  Rng rng(8);
  const common::Envelope small = envelope(world().client, rng, "s");
  const common::Envelope big = envelope(world().client, rng, std::string(3000, 'B'));
  Driver d(settings(10, static_cast<uint32_t>(message_size_bytes(small) * 2)));
  ASSERT_GT(message_size_bytes(big), message_size_bytes(small) * 2);
  d.broadcast(small, at_ms(1));
  d.broadcast(big, at_ms(2));
  ASSERT_EQ(d.orderer().height(), 3u);
  ASSERT_EQ(envelopes(d.block(1)).size(), 1u);
  EXPECT_EQ(envelopes(d.block(1))[0].SerializeAsString(), small.SerializeAsString());
  ASSERT_EQ(envelopes(d.block(2)).size(), 1u);
  EXPECT_EQ(envelopes(d.block(2))[0].SerializeAsString(), big.SerializeAsString());
  EXPECT_EQ(d.cut_reason(1), "bytes");
  EXPECT_EQ(d.cut_reason(2), "oversized");
  EXPECT_FALSE(d.orderer().batch_timer_running());  // !pending stops the timer
  EXPECT_TRUE(d.timers().empty());
}

TEST(SoloOrderer, TimerFiringWithNothingPendingWritesNoBlock) {
  Driver d(settings(1, 1 << 20));
  Rng rng(9);
  d.broadcast(envelope(world().client, rng, "a"), at_ms(1));  // max count 1: cut at once, no timer
  ASSERT_EQ(d.orderer().height(), 2u);
  EXPECT_TRUE(d.timers().empty());
  d.fire_stale_timer(d.last_timer_id());
  d.fire_stale_timer(d.last_timer_id() + 1);
  EXPECT_EQ(d.orderer().height(), 2u);
}

// ---- durability and restart ---------------------------------------------------------------

TEST(SoloOrderer, RestartContinuesAtTheStoredHeightWithoutRewritingGenesis) {
  Driver d(settings(2, 1 << 20));
  Rng rng(10);
  for (int i = 0; i < 3; ++i) d.broadcast(envelope(world().client, rng, "tx"), at_ms(1 + i));
  ASSERT_EQ(d.orderer().height(), 2u);
  ASSERT_EQ(d.orderer().pending_count(), 1u);
  const std::string genesis = d.block(0).SerializeAsString();
  const std::string tip_hash = d.orderer().block_store().current_block_hash();

  d.restart();
  EXPECT_EQ(d.orderer().height(), 2u);
  EXPECT_EQ(d.block(0).SerializeAsString(), genesis);
  EXPECT_EQ(d.orderer().pending_count(), 0u);  // the pending batch was volatile
  EXPECT_FALSE(d.orderer().batch_timer_running());

  d.broadcast(envelope(world().client, rng, "x"), at_ms(10));
  d.broadcast(envelope(world().client, rng, "y"), at_ms(11));
  ASSERT_EQ(d.orderer().height(), 3u);
  EXPECT_EQ(d.block(2).header().number(), 2u);
  EXPECT_EQ(d.block(2).header().previous_hash(), tip_hash);
}

// ---- deliver ------------------------------------------------------------------------------

// Genesis plus three one-transaction blocks: height 4.
void fill(Driver& d, Rng& rng, int blocks, Time from) {
  for (int i = 0; i < blocks; ++i) d.broadcast(envelope(world().client, rng, "tx"), from + Duration::millis(i));
}

struct SeekCase {
  const char* name;
  ::orderer::SeekPosition start;
  ::orderer::SeekPosition stop;
  StreamLog expected;
};

TEST(SoloOrderer, DeliverServesSeekPositions) {
  const std::vector<SeekCase> cases = {
      {"oldest to newest", oldest(), newest(), {{0, 1, 2, 3}, common::SUCCESS}},
      {"newest to newest", newest(), newest(), {{3}, common::SUCCESS}},
      {"oldest to oldest", oldest(), oldest(), {{0}, common::SUCCESS}},
      {"specified to specified", specified(1), specified(2), {{1, 2}, common::SUCCESS}},
      {"specified to newest", specified(2), newest(), {{2, 3}, common::SUCCESS}},
      {"stop before start is BAD_REQUEST", specified(3), specified(1), {{}, common::BAD_REQUEST}},
      {"start beyond the newest with stop newest is BAD_REQUEST", specified(9), newest(),
       {{}, common::BAD_REQUEST}},
      {"unset start position is BAD_REQUEST", ::orderer::SeekPosition{}, newest(), {{}, common::BAD_REQUEST}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Driver d(settings(1, 1 << 20));
    Rng rng(11);
    fill(d, rng, 3, at_ms(1));
    ASSERT_EQ(d.orderer().height(), 4u);
    d.send(kPeer, deliver_request(5, world().peer, rng, c.start, c.stop), at_ms(100));
    EXPECT_EQ(d.stream(kPeer, 5), c.expected);
    EXPECT_EQ(d.orderer().open_streams(), 0u);
  }
}

TEST(SoloOrderer, DeliveredBlocksAreTheStoredBlocksWithAnEmptyTransactionsFilter) {
  Driver d(settings(1, 1 << 20));
  Rng rng(12);
  fill(d, rng, 1, at_ms(1));
  d.send(kPeer, deliver_request(1, world().peer, rng, specified(1), specified(1)), at_ms(10));
  auto replies = d.deliver_replies(kPeer);
  ASSERT_EQ(replies.size(), 2u);
  common::Block sent = replies[0].response().block();
  EXPECT_TRUE(sent.metadata().metadata(common::TRANSACTIONS_FILTER).empty());
  common::Block stored = d.block(1);
  EXPECT_EQ(sent.header().SerializeAsString(), stored.header().SerializeAsString());
  EXPECT_EQ(sent.data().SerializeAsString(), stored.data().SerializeAsString());
  EXPECT_EQ(sent.metadata().metadata(common::SIGNATURES), stored.metadata().metadata(common::SIGNATURES));
}

TEST(SoloOrderer, FailIfNotReadyBeyondTheHeightIsNotFound) {
  Driver d(settings(1, 1 << 20));
  Rng rng(13);
  fill(d, rng, 1, at_ms(1));  // height 2
  d.send(kPeer, deliver_request(1, world().peer, rng, specified(5), specified(6), true), at_ms(10));
  EXPECT_EQ(d.stream(kPeer, 1), (StreamLog{{}, common::NOT_FOUND}));
  // Available blocks are sent first, then NOT_FOUND at the first missing one.
  d.send(kPeer, deliver_request(2, world().peer, rng, specified(1), specified(3), true), at_ms(11));
  EXPECT_EQ(d.stream(kPeer, 2), (StreamLog{{1}, common::NOT_FOUND}));
  EXPECT_EQ(d.orderer().open_streams(), 0u);
}

TEST(SoloOrderer, BlockUntilReadyPushesLaterBlocksAndEndsAtTheStopWithSuccess) {
  Driver d(settings(1, 1 << 20));
  Rng rng(14);
  d.send(kPeer, deliver_request(7, world().peer, rng, oldest(), specified(2)), at_ms(1));
  EXPECT_EQ(d.stream(kPeer, 7), (StreamLog{{0}, common::UNKNOWN}));
  EXPECT_EQ(d.orderer().open_streams(), 1u);
  fill(d, rng, 1, at_ms(10));
  EXPECT_EQ(d.stream(kPeer, 7), (StreamLog{{0, 1}, common::UNKNOWN}));
  fill(d, rng, 2, at_ms(20));  // block 2 ends the stream; block 3 is not sent
  EXPECT_EQ(d.stream(kPeer, 7), (StreamLog{{0, 1, 2}, common::SUCCESS}));
  EXPECT_EQ(d.orderer().open_streams(), 0u);
}

TEST(SoloOrderer, BlockUntilReadyStartBeyondTheHeightWaits) {
  Driver d(settings(1, 1 << 20));
  Rng rng(15);
  d.send(kPeer, deliver_request(1, world().peer, rng, specified(2), specified(UINT64_MAX)), at_ms(1));
  EXPECT_EQ(d.stream(kPeer, 1), (StreamLog{{}, common::UNKNOWN}));
  fill(d, rng, 2, at_ms(10));
  EXPECT_EQ(d.stream(kPeer, 1), (StreamLog{{2}, common::UNKNOWN}));
}

TEST(SoloOrderer, CancelEndsTheStream) {
  Driver d(settings(1, 1 << 20));
  Rng rng(16);
  d.send(kPeer, deliver_request(3, world().peer, rng, oldest(), specified(UINT64_MAX)), at_ms(1));
  d.send(kPeer, deliver_request(4, world().peer, rng, oldest(), specified(UINT64_MAX)), at_ms(2));
  fabsim::DeliverCancel cancel;
  cancel.set_stream_id(3);
  d.send(kPeer, model::make_message(model::kDeliverCancel, cancel), at_ms(3));
  EXPECT_EQ(d.orderer().open_streams(), 1u);
  fill(d, rng, 1, at_ms(10));
  EXPECT_EQ(d.stream(kPeer, 3), (StreamLog{{0}, common::UNKNOWN}));
  EXPECT_EQ(d.stream(kPeer, 4), (StreamLog{{0, 1}, common::UNKNOWN}));
}

TEST(SoloOrderer, DeliverCreatorOutsideTheChannelIsForbidden) {
  Driver d(settings(1, 1 << 20));
  Rng rng(17);
  d.send(kPeer, deliver_request(1, world().outsider, rng, oldest(), newest()), at_ms(1));
  EXPECT_EQ(d.stream(kPeer, 1), (StreamLog{{}, common::FORBIDDEN}));
  d.send(kPeer, deliver_request(2, world().rogue, rng, oldest(), newest()), at_ms(2));
  EXPECT_EQ(d.stream(kPeer, 2), (StreamLog{{}, common::FORBIDDEN}));
}

TEST(SoloOrderer, DeliverBadSignatureIsForbidden) {
  Driver d(settings(1, 1 << 20));
  Rng rng(18);
  Message m = deliver_request(1, world().peer, rng, oldest(), newest());
  fabsim::DeliverRequest req;
  ASSERT_TRUE(req.ParseFromString(*m.payload));
  common::Envelope env;
  ASSERT_TRUE(env.ParseFromString(req.envelope()));
  env.set_signature(world().client.sign(env.payload()));
  req.set_envelope(marshal(env));
  d.send(kPeer, model::make_message(model::kDeliverRequest, req), at_ms(1));
  EXPECT_EQ(d.stream(kPeer, 1), (StreamLog{{}, common::FORBIDDEN}));
}

TEST(SoloOrderer, DeliverForAnotherChannelIsNotFound) {
  Driver d(settings(1, 1 << 20));
  Rng rng(19);
  d.send(kPeer, deliver_request(1, world().peer, rng, oldest(), newest(), false, "otherchannel"), at_ms(1));
  EXPECT_EQ(d.stream(kPeer, 1), (StreamLog{{}, common::NOT_FOUND}));
}

// ---- costs --------------------------------------------------------------------------------

TEST(SoloOrderer, ChargesTheConfiguredCosts) {
  Driver d(settings(1, 1 << 20));
  const Duration at_start = d.cpu_total();
  Rng rng(20);
  d.broadcast(envelope(world().client, rng, "a"), at_ms(1));
  const OrdererCosts c = default_orderer_costs();
  // One check, one cut, one signature, and the block's started KiB written.
  const Duration spent = d.cpu_total() - at_start;
  EXPECT_GE(spent, c.broadcast_check + c.block_cut + c.block_sign + c.block_write_per_kb);
  const size_t kib = (d.block(1).ByteSizeLong() + 1023) / 1024;
  EXPECT_EQ(spent, c.broadcast_check + c.block_cut + c.block_sign + c.block_write_per_kb * static_cast<int64_t>(kib));
}

}  // namespace
}  // namespace fabsim::orderer
