#include "model/peer/deliver_client.h"

#include "core/crypto/txid.h"
#include "core/proto/orderer/ab.pb.h"
#include "model/peer/events.h"
#include "model/protocol.h"
#include "model/validation/block_verify.h"

namespace fabsim::peer {

using protoutil::marshal;

void DeliverClient::start(NodeContext& ctx, LaneId lane) {
  open(ctx);
  height_at_last_check_ = committer_->height();
  ctx.set_timer_on(lane, peer_->deliver_retry, kWatchdogTag);
}

void DeliverClient::close(NodeContext& ctx) {
  if (stream_id_ == 0) return;
  fabsim::DeliverCancel cancel;
  cancel.set_stream_id(stream_id_);
  ctx.send(stream_orderer_, model::make_message(model::kDeliverCancel, cancel));
  stream_id_ = 0;
}

void DeliverClient::open(NodeContext& ctx) {
  if (peer_->orderers.empty()) return;
  close(ctx);
  stream_id_ = ++stream_counter_;
  ::orderer::SeekInfo seek;
  seek.mutable_start()->mutable_specified()->set_number(committer_->height());
  seek.mutable_stop()->mutable_specified()->set_number(UINT64_MAX);
  seek.set_behavior(::orderer::SeekInfo::BLOCK_UNTIL_READY);
  common::ChannelHeader chdr;
  chdr.set_type(common::DELIVER_SEEK_INFO);
  chdr.set_channel_id(channel_->channel_id);
  chdr.mutable_timestamp()->set_seconds(ctx.now().ns / 1'000'000'000);
  chdr.mutable_timestamp()->set_nanos(static_cast<int32_t>(ctx.now().ns % 1'000'000'000));
  common::SignatureHeader shdr;
  shdr.set_creator(peer_->signer->serialized());
  shdr.set_nonce(crypto::make_nonce(ctx.rng()));
  common::Payload payload;
  payload.mutable_header()->set_channel_header(marshal(chdr));
  payload.mutable_header()->set_signature_header(marshal(shdr));
  payload.set_data(marshal(seek));
  common::Envelope env;
  env.set_payload(marshal(payload));
  env.set_signature(peer_->signer->sign(env.payload()));
  fabsim::DeliverRequest req;
  req.set_stream_id(stream_id_);
  req.set_envelope(marshal(env));
  stream_orderer_ = peer_->orderers[orderer_index_];
  ctx.send(stream_orderer_, model::make_message(model::kDeliverRequest, req));
}

void DeliverClient::on_watchdog(NodeContext& ctx) {
  if (committer_->failed()) return;
  if (committer_->height() == height_at_last_check_ && !peer_->orderers.empty()) {
    // No progress: fail over to the next orderer and re-open the stream there.
    orderer_index_ = (orderer_index_ + 1) % peer_->orderers.size();
    open(ctx);
  }
  height_at_last_check_ = committer_->height();
  ctx.set_timer(peer_->deliver_retry, kWatchdogTag);
}

void DeliverClient::on_reply(NodeContext& ctx, fabsim::DeliverReply reply) {
  if (reply.stream_id() != stream_id_ || stream_id_ == 0 || committer_->failed()) return;  // stale stream
  if (!reply.response().has_block()) {
    stream_id_ = 0;  // the stream ended (status); the watchdog re-opens it
    return;
  }
  const common::Block& block = reply.response().block();
  const uint64_t height = committer_->height();
  if (block.header().number() > height) {
    // A gap: a block of this stream was lost on the way (the model's links may lose
    // messages; Fabric's stream is TCP, which would resend it). Re-open the stream from the
    // first missing block at once, rather than drop every later block until the watchdog.
    open(ctx);
    return;
  }
  if (channel_->block_validation != nullptr && block.header().number() == height && height > 0) {
    uint64_t checked = 0;
    const validation::BlockVerifyContext vctx{channel_->channel_id, channel_->msps, peer_->verifier,
                                              channel_->block_validation};
    const Status s = validation::verify_block(block, height, vctx, &checked);
    ctx.charge(peer_->costs.block_signature_verify * static_cast<int64_t>(checked));
    if (!s.is_ok()) {
      // Fabric's deliver client: "block from orderer could not be verified", then it drops
      // the stream; the watchdog re-opens it from the same height.
      ctx.emit(kEventBlockRejected, static_cast<int64_t>(block.header().number()), s.message(),
               PeerErrorEvent{channel_->channel_id, block.header().number(), s.message()});
      close(ctx);
      return;
    }
  }
  committer_->commit(ctx, std::move(*reply.mutable_response()->mutable_block()));  // blocks are large: no copy
}

}  // namespace fabsim::peer
