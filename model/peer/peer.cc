#include "model/peer/peer.h"

#include <google/protobuf/io/coded_stream.h>

#include <set>

#include "core/assert.h"
#include "core/proto/fabsim/node_messages.pb.h"
#include "model/peer/events.h"
#include "model/protocol.h"

namespace fabsim::peer {
namespace {

using protoutil::parse;

// The stream id of a marshalled fabsim.DeliverReply (field 1, which protobuf writes first),
// without parsing the block it carries; 0 when it is not there.
uint64_t peek_stream_id(const std::string& bytes) {
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(bytes.data()),
                                            static_cast<int>(bytes.size()));
  uint64_t id = 0;
  if (in.ReadTag() == ((1u << 3) | 0u) && in.ReadVarint64(&id)) return id;
  return 0;
}

}  // namespace

PeerProcess::PeerProcess(PeerConfig config) : config_(std::move(config)) {
  FABSIM_ASSERT(config_.signer != nullptr && config_.verifier != nullptr);
  FABSIM_ASSERT(config_.validator_pool_size >= 1);
  std::set<std::string> ids;
  for (const ChannelConfig& c : config_.channels) {
    FABSIM_ASSERT(c.msps != nullptr && c.chaincodes != nullptr);
    FABSIM_ASSERT_MSG(ids.insert(c.channel_id).second, "channel joined twice: " + c.channel_id);
  }
}

std::vector<LaneSpec> PeerProcess::lanes() const {
  std::vector<LaneSpec> out;
  for (const ChannelConfig& c : config_.channels) out.push_back({"committer/" + c.channel_id, LaneSpec::Kind::kSerial});
  out.push_back({"endorser", LaneSpec::Kind::kConcurrent});
  return out;
}

int PeerProcess::channel_index(const std::string& channel_id) const {
  for (size_t i = 0; i < config_.channels.size(); ++i)
    if (config_.channels[i].channel_id == channel_id) return static_cast<int>(i);
  return -1;
}

LaneId PeerProcess::lane_of_message(HostId, const Message& msg) const {
  switch (msg.kind) {
    case model::kProposal: return endorser_lane();
    case model::kDeliverReply: {
      // Before the start there is no stream of this incarnation to match: lane 0 drops it.
      if (channels_.size() <= 1 || !msg.payload) return committer_lane(0);
      const uint64_t id = peek_stream_id(*msg.payload);
      for (size_t i = 0; i < channels_.size(); ++i)
        if (id != 0 && channels_[i].deliver != nullptr && channels_[i].deliver->stream_id() == id)
          return committer_lane(i);
      return committer_lane(0);  // stale: dropped there
    }
    case model::kEventRegister: {
      fabsim::EventRegistration reg;
      if (config_.channels.size() <= 1 || !msg.payload || !parse(&reg, *msg.payload)) return committer_lane(0);
      const int i = channel_index(reg.channel_id());
      return committer_lane(i < 0 ? 0 : static_cast<size_t>(i));
    }
    default: return committer_lane(0);
  }
}

void PeerProcess::on_start(NodeContext& ctx) {
  FABSIM_ASSERT(channels_.empty());  // one start per incarnation
  endorser_ = std::make_unique<Endorser>(&config_);
  channels_.resize(config_.channels.size());
  for (size_t i = 0; i < config_.channels.size(); ++i) {
    const ChannelConfig& cc = config_.channels[i];
    // Opening the ledger recovers state and history up to the block store (crash safety).
    auto ledger = ledger::Ledger::open(ctx.mutable_store().env(), ledger_path(config_.ledger_root, cc.channel_id));
    if (!ledger.is_ok()) {
      ctx.emit(kEventLedgerError, 0, cc.channel_id + ": " + ledger.status().to_string(),
               PeerErrorEvent{cc.channel_id, 0, ledger.status().to_string()});
      continue;
    }
    Channel& ch = channels_[i];
    ch.ledger = std::move(ledger).value();
    ch.events = std::make_unique<EventService>(cc.channel_id, ch.ledger.get(), &config_.costs);
    ch.committer = std::make_unique<Committer>(&cc, config_.verifier, &config_.costs, config_.validator_pool_size,
                                               ch.ledger.get(), ch.events.get());
    // Stream ids differ per incarnation, so replies on a stream opened before a crash are ignored.
    ch.deliver = std::make_unique<DeliverClient>(&cc, &config_, ch.committer.get(), ctx.rng().next_u64() << 16);
    endorser_->add_channel(&cc, ch.ledger.get());
    ch.deliver->start(ctx, committer_lane(i));
  }
}

void PeerProcess::on_timer(NodeContext& ctx, TimerId, uint64_t tag) {
  const size_t i = ctx.lane();
  if (tag != kDeliverWatchdogTag || i >= channels_.size() || channels_[i].deliver == nullptr) return;
  channels_[i].deliver->on_watchdog(ctx);
}

void PeerProcess::on_message(NodeContext& ctx, HostId from, const Message& msg) {
  if (!msg.payload) return;
  switch (msg.kind) {
    case model::kProposal:
      endorser_->on_proposal(ctx, from, *msg.payload);
      break;
    case model::kDeliverReply: {
      fabsim::DeliverReply reply;
      const size_t i = ctx.lane();
      if (i < channels_.size() && channels_[i].deliver != nullptr && parse(&reply, *msg.payload))
        channels_[i].deliver->on_reply(ctx, std::move(reply));
      break;
    }
    case model::kEventRegister: {
      fabsim::EventRegistration reg;
      if (!parse(&reg, *msg.payload)) break;
      const int i = channel_index(reg.channel_id());
      if (i < 0 || channels_[static_cast<size_t>(i)].events == nullptr) break;  // not joined: ignored
      channels_[static_cast<size_t>(i)].events->on_register(ctx, from, reg);
      break;
    }
    default:
      break;  // not for a peer
  }
}

const PeerProcess::Channel* PeerProcess::live(size_t channel) const {
  return channel < channels_.size() && channels_[channel].ledger != nullptr ? &channels_[channel] : nullptr;
}

uint64_t PeerProcess::height(size_t channel) const {
  const Channel* c = live(channel);
  return c != nullptr ? c->ledger->height() : 0;
}

const ledger::Ledger* PeerProcess::ledger(size_t channel) const {
  const Channel* c = live(channel);
  return c != nullptr ? c->ledger.get() : nullptr;
}

uint64_t PeerProcess::stream_id(size_t channel) const {
  const Channel* c = live(channel);
  return c != nullptr ? c->deliver->stream_id() : 0;
}

HostId PeerProcess::deliver_source(size_t channel) const {
  const Channel* c = live(channel);
  return c != nullptr ? c->deliver->source() : kNoHost;
}

}  // namespace fabsim::peer
