#include "model/orderer/solo.h"

#include <utility>

#include "core/assert.h"
#include "core/proto/fabsim/kafka.pb.h"
#include "core/proto/fabsim/node_messages.pb.h"
#include "model/kafka/protocol.h"
#include "model/protocol.h"
#include "model/protoutil/proto_io.h"

namespace fabsim::orderer {
namespace {

Message broadcast_reply(const std::string& tx_id, common::Status status, std::string info) {
  fabsim::BroadcastReply reply;
  reply.set_tx_id(tx_id);
  reply.mutable_response()->set_status(status);
  reply.mutable_response()->set_info(std::move(info));
  return model::make_message(model::kBroadcastReply, reply, tx_id);
}

}  // namespace

SoloOrderer::SoloOrderer(SoloConfig config) : config_(std::move(config)) {
  FABSIM_ASSERT(config_.signer != nullptr);
  FABSIM_ASSERT(config_.verifier != nullptr);
  FABSIM_ASSERT_MSG(!config_.channels.empty(), "an orderer serves at least one channel");
  for (const OrdererChannelConfig& c : config_.channels) {
    FABSIM_ASSERT(c.msps != nullptr);
    FABSIM_ASSERT(!c.channel_msp_ids.empty());
    FABSIM_ASSERT(!c.channel_id.empty());
    FABSIM_ASSERT_MSG(channel_index(c.channel_id) == static_cast<int>(parts_.size()), "channel served twice: " + c.channel_id);
    const Status valid = validate_batch_settings(c.batch);
    FABSIM_ASSERT_MSG(valid.is_ok(), valid.to_string());
    parts_.push_back(Channel{ChannelAccess{c.channel_id, c.msps, c.channel_msp_ids, config_.verifier}, {}, {}, {}, {}, {}});
  }
  for (size_t i = 0; i < parts_.size(); ++i)
    broadcast_channels_.push_back({&parts_[i].access, &config_.channels[i].batch.size});
}

std::vector<LaneSpec> SoloOrderer::lanes() const {
  std::vector<LaneSpec> out;
  for (const OrdererChannelConfig& c : config_.channels) out.push_back({"chain/" + c.channel_id, LaneSpec::Kind::kSerial});
  out.push_back({"broadcast", LaneSpec::Kind::kSerialPerSender});
  return out;
}

int SoloOrderer::channel_index(const std::string& channel_id) const {
  for (size_t i = 0; i < config_.channels.size(); ++i)
    if (config_.channels[i].channel_id == channel_id) return static_cast<int>(i);
  return -1;
}

size_t SoloOrderer::deliver_channel(HostId from, const Message& msg) const {
  if (parts_.size() <= 1 || !msg.payload) return 0;
  if (msg.kind == model::kDeliverCancel) {
    fabsim::DeliverCancel cancel;
    if (!protoutil::parse(&cancel, *msg.payload)) return 0;
    auto it = stream_channel_.find({from, cancel.stream_id()});
    if (it == stream_channel_.end()) return 0;
    const size_t channel = it->second;
    stream_channel_.erase(it);
    return channel;
  }
  fabsim::DeliverRequest req;
  common::Envelope env;
  common::Payload payload;
  common::ChannelHeader chdr;
  if (!protoutil::parse(&req, *msg.payload) || !protoutil::parse(&env, req.envelope()) ||
      !protoutil::parse(&payload, env.payload()) || !protoutil::parse(&chdr, payload.header().channel_header()))
    return 0;
  const int i = channel_index(chdr.channel_id());
  const size_t channel = i < 0 ? 0 : static_cast<size_t>(i);
  stream_channel_[{from, req.stream_id()}] = channel;
  return channel;
}

size_t SoloOrderer::response_channel(const Message& msg) const {
  kafka::Correlated c;
  if (!msg.payload || !protoutil::parse(&c, *msg.payload)) return 0;
  const int64_t range = c.correlation_id() >> kCorrelationShift;
  return range >= 1 && static_cast<size_t>(range) <= parts_.size() ? static_cast<size_t>(range - 1) : 0;
}

LaneId SoloOrderer::lane_of_message(HostId from, const Message& msg) const {
  if (config_.kafka && kafka::is_kafka_response(msg.kind)) return chain_lane(response_channel(msg));
  switch (msg.kind) {
    case model::kBroadcast: return broadcast_lane();
    case model::kDeliverRequest:
    case model::kDeliverCancel: return chain_lane(deliver_channel(from, msg));
    default: return chain_lane(0);  // kOrderedEnvelope is posted to its chain's lane
  }
}

void SoloOrderer::on_start(NodeContext& ctx) {
  for (size_t i = 0; i < parts_.size(); ++i) {
    Channel& ch = parts_[i];
    const OrdererChannelConfig& cc = config_.channels[i];
    FABSIM_ASSERT(ch.writer == nullptr);  // one start per incarnation
    std::optional<uint64_t> shared_genesis;
    if (config_.kafka) shared_genesis = config_.kafka->genesis_seed;  // every OSN: one genesis block
    auto writer = BlockWriter::open(ctx, {cc.channel_id, config_.signer, config_.costs.block_sign,
                                          config_.costs.block_write_per_kb, ledger_path(config_.ledger_root, cc.channel_id),
                                          shared_genesis});
    FABSIM_ASSERT_MSG(writer.is_ok(), writer.status().to_string());
    ch.writer = std::move(writer).value();
    if (config_.kafka) {
      auto chain = std::make_unique<KafkaChain>(&cc.batch, config_.costs.block_cut, ch.writer.get(), *config_.kafka,
                                                cc.channel_id, static_cast<int64_t>(i + 1) << kCorrelationShift);
      ch.kafka = chain.get();
      ch.chain = std::move(chain);
      ctx.post(chain_lane(i), Message{model::kChainStart, nullptr});  // the start sequence runs on the chain's lane
    } else {
      auto chain = std::make_unique<SoloChain>(&cc.batch, config_.costs.block_cut, ch.writer.get());
      ch.solo = chain.get();
      ch.chain = std::move(chain);
    }
    ch.deliver = std::make_unique<DeliverService>(&ch.access, &ch.writer->store(), config_.costs.deliver_check,
                                                  config_.costs.deliver_per_block);
  }
}

void SoloOrderer::on_message(NodeContext& ctx, HostId from, const Message& msg) {
  FABSIM_ASSERT(parts_.front().writer != nullptr);  // on_start came first
  const size_t lane = ctx.lane();
  if (lane < parts_.size() && parts_[lane].kafka != nullptr) {
    Channel& ch = parts_[lane];
    const uint64_t height = ch.writer->height();
    if (from == ctx.self() && msg.kind == model::kChainStart) ch.kafka->start(ctx);
    if (from == ctx.self() && msg.kind == model::kOrderRequest) on_order_request(ctx, ch, msg);
    if (kafka::is_kafka_response(msg.kind)) ch.kafka->on_response(ctx, msg);
    if (ch.writer->height() != height) ch.deliver->serve_all(ctx);
  }
  switch (msg.kind) {
    case model::kBroadcast: on_broadcast(ctx, from, msg); break;
    case model::kOrderedEnvelope:
      if (from == ctx.self() && lane < parts_.size()) on_ordered(ctx, parts_[lane], msg);  // only Broadcast's hand-off
      break;
    case model::kDeliverRequest:
      if (lane < parts_.size()) parts_[lane].deliver->on_request(ctx, from, msg);
      break;
    case model::kDeliverCancel:
      if (lane < parts_.size()) parts_[lane].deliver->on_cancel(from, msg);
      break;
    default: break;  // not addressed to an orderer: ignored, as a gRPC server has no such method
  }
}

void SoloOrderer::on_broadcast(NodeContext& ctx, HostId from, const Message& msg) {
  ctx.charge(config_.costs.broadcast_check);
  const BroadcastVerdict v = msg.payload ? filter_broadcast(*msg.payload, broadcast_channels_)
                                         : BroadcastVerdict{common::BAD_REQUEST, "could not read the channel header", {}};
  if (config_.kafka && v.status == common::SUCCESS) {
    // Kafka's Order() answers once the envelope is enqueued: the chain replies.
    fabsim::OrderRequest req;
    req.set_client(from);
    req.set_tx_id(v.tx_id);
    req.set_envelope(*msg.payload);
    ctx.post(chain_lane(v.channel), model::make_message(model::kOrderRequest, req));
    return;
  }
  ctx.send(from, broadcast_reply(v.tx_id, v.status, v.info));
  // Order(): the envelope goes to its channel's chain goroutine; Broadcast answers once it
  // is handed over (solo's sendChan is unbuffered), before it is cut into a block.
  if (v.status == common::SUCCESS) ctx.post(chain_lane(v.channel), Message{model::kOrderedEnvelope, msg.payload, msg.tx});
}

void SoloOrderer::on_ordered(NodeContext& ctx, Channel& channel, const Message& msg) {
  common::Envelope env;
  const bool parsed = msg.payload && protoutil::parse(&env, *msg.payload);
  FABSIM_ASSERT_MSG(parsed, "Broadcast handed the chain an envelope it had parsed");
  const uint64_t height = channel.writer->height();
  channel.chain->order(ctx, std::move(env));
  if (channel.writer->height() != height) channel.deliver->serve_all(ctx);
}

void SoloOrderer::on_order_request(NodeContext& ctx, Channel& channel, const Message& msg) {
  fabsim::OrderRequest req;
  common::Envelope env;
  const bool parsed = msg.payload && protoutil::parse(&req, *msg.payload) && protoutil::parse(&env, req.envelope());
  FABSIM_ASSERT_MSG(parsed, "Broadcast handed the chain a request it built");
  channel.kafka->enqueue(ctx, env, req.tx_id(),
                         [client = static_cast<HostId>(req.client()), tx_id = req.tx_id()](
                             NodeContext& c, common::Status status, const std::string& info) {
                           c.send(client, broadcast_reply(tx_id, status, info));
                         });
}

void SoloOrderer::on_timer(NodeContext& ctx, TimerId id, uint64_t tag) {
  const size_t lane = ctx.lane();
  if (lane >= parts_.size()) return;
  Channel& channel = parts_[lane];
  const uint64_t height = channel.writer->height();
  channel.chain->on_timer(ctx, id, tag);
  if (channel.writer->height() != height) channel.deliver->serve_all(ctx);
}

uint64_t SoloOrderer::height(size_t channel) const {
  return channel < parts_.size() && parts_[channel].writer ? parts_[channel].writer->height() : 0;
}

bool SoloOrderer::batch_timer_running(size_t channel) const {
  if (channel >= parts_.size()) return false;
  const Channel& c = parts_[channel];
  return c.solo != nullptr ? c.solo->batch_timer_running() : c.kafka != nullptr && c.kafka->batch_timer_running();
}

size_t SoloOrderer::pending_count(size_t channel) const {
  return channel < parts_.size() && parts_[channel].solo ? parts_[channel].solo->pending_count() : 0;
}

const KafkaChain* SoloOrderer::kafka_chain(size_t channel) const {
  return channel < parts_.size() ? parts_[channel].kafka : nullptr;
}

size_t SoloOrderer::open_streams() const {
  size_t n = 0;
  for (const Channel& c : parts_) n += c.deliver ? c.deliver->open_streams() : 0;
  return n;
}

}  // namespace fabsim::orderer
