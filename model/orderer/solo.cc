#include "model/orderer/solo.h"

#include <utility>

#include "core/assert.h"
#include "core/proto/fabsim/node_messages.pb.h"
#include "model/orderer/broadcast.h"
#include "model/protocol.h"
#include "model/protoutil/proto_io.h"

namespace fabsim::orderer {
namespace {

Message broadcast_reply(const std::string& tx_id, common::Status status, std::string info) {
  fabsim::BroadcastReply reply;
  reply.set_tx_id(tx_id);
  reply.mutable_response()->set_status(status);
  reply.mutable_response()->set_info(std::move(info));
  return model::make_message(model::kBroadcastReply, reply);
}

}  // namespace

SoloOrderer::SoloOrderer(SoloConfig config)
    : config_(std::move(config)),
      access_{config_.channel_id, config_.msps, config_.channel_msp_ids, config_.verifier} {
  FABSIM_ASSERT(config_.msps != nullptr);
  FABSIM_ASSERT(config_.signer != nullptr);
  FABSIM_ASSERT(config_.verifier != nullptr);
  FABSIM_ASSERT(!config_.channel_msp_ids.empty());
  FABSIM_ASSERT(!config_.channel_id.empty());
  const Status valid = validate_batch_settings(config_.batch);
  FABSIM_ASSERT_MSG(valid.is_ok(), valid.to_string());
}

std::vector<LaneSpec> SoloOrderer::lanes() const {
  return {{"chain", LaneSpec::Kind::kSerial}, {"broadcast", LaneSpec::Kind::kSerialPerSender}};
}

LaneId SoloOrderer::lane_of_message(HostId, const Message& msg) const {
  return msg.kind == model::kBroadcast ? kBroadcastLane : kChainLane;
}

void SoloOrderer::on_start(NodeContext& ctx) {
  FABSIM_ASSERT(writer_ == nullptr);  // one start per incarnation
  auto writer = BlockWriter::open(ctx, {config_.channel_id, config_.signer, config_.costs.block_sign,
                                        config_.costs.block_write_per_kb, config_.ledger_path});
  FABSIM_ASSERT_MSG(writer.is_ok(), writer.status().to_string());
  writer_ = std::move(writer).value();
  chain_ = std::make_unique<SoloChain>(&config_.batch, config_.costs.block_cut, writer_.get());
  deliver_ = std::make_unique<DeliverService>(&access_, &writer_->store(), config_.costs.deliver_check,
                                              config_.costs.deliver_per_block);
}

void SoloOrderer::on_message(NodeContext& ctx, HostId from, const Message& msg) {
  FABSIM_ASSERT(writer_ != nullptr);  // on_start came first
  switch (msg.kind) {
    case model::kBroadcast: on_broadcast(ctx, from, msg); break;
    case model::kOrderedEnvelope:
      if (from == ctx.self()) on_ordered(ctx, msg);  // only Broadcast's hand-off
      break;
    case model::kDeliverRequest: deliver_->on_request(ctx, from, msg); break;
    case model::kDeliverCancel: deliver_->on_cancel(from, msg); break;
    default: break;  // not addressed to an orderer: ignored, as a gRPC server has no such method
  }
}

void SoloOrderer::on_broadcast(NodeContext& ctx, HostId from, const Message& msg) {
  ctx.charge(config_.costs.broadcast_check);
  const BroadcastVerdict v =
      msg.payload ? filter_broadcast(*msg.payload, access_, config_.batch.size)
                  : BroadcastVerdict{common::BAD_REQUEST, "could not read the channel header", {}};
  ctx.send(from, broadcast_reply(v.tx_id, v.status, v.info));
  // Order(): the envelope goes to the chain's goroutine; Broadcast answers once it is handed
  // over (solo's sendChan is unbuffered), before it is cut into a block.
  if (v.status == common::SUCCESS) ctx.post(kChainLane, Message{model::kOrderedEnvelope, msg.payload});
}

void SoloOrderer::on_ordered(NodeContext& ctx, const Message& msg) {
  common::Envelope env;
  const bool parsed = msg.payload && protoutil::parse(&env, *msg.payload);
  FABSIM_ASSERT_MSG(parsed, "Broadcast handed the chain an envelope it had parsed");
  const uint64_t height = writer_->height();
  chain_->order(ctx, std::move(env));
  if (writer_->height() != height) deliver_->serve_all(ctx);
}

void SoloOrderer::on_timer(NodeContext& ctx, TimerId id, uint64_t tag) {
  const uint64_t height = writer_->height();
  chain_->on_timer(ctx, id, tag);
  if (writer_->height() != height) deliver_->serve_all(ctx);
}

}  // namespace fabsim::orderer
