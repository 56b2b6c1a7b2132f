#include "model/orderer/deliver_service.h"

#include "core/assert.h"
#include "core/proto/fabsim/node_messages.pb.h"
#include "core/proto/orderer/ab.pb.h"
#include "model/protocol.h"
#include "model/protoutil/proto_io.h"

namespace fabsim::orderer {
namespace {

Message deliver_status(uint64_t stream_id, common::Status status) {
  fabsim::DeliverReply reply;
  reply.set_stream_id(stream_id);
  reply.mutable_response()->set_status(status);
  return model::make_message(model::kDeliverReply, reply);
}

}  // namespace

void DeliverService::on_request(NodeContext& ctx, HostId from, const Message& msg) {
  ctx.charge(deliver_check_);
  fabsim::DeliverRequest req;
  if (!msg.payload || !protoutil::parse(&req, *msg.payload)) return;  // no stream id to answer on
  const StreamKey key{from, req.stream_id()};
  streams_.erase(key);  // a reused stream id replaces the old stream
  auto fail = [&](common::Status status) { ctx.send(from, deliver_status(req.stream_id(), status)); };

  common::Envelope env;
  common::Payload payload;
  common::ChannelHeader chdr;
  if (!protoutil::parse(&env, req.envelope()) || !protoutil::parse(&payload, env.payload()) ||
      !payload.has_header() || !protoutil::parse(&chdr, payload.header().channel_header()))
    return fail(common::BAD_REQUEST);
  if (chdr.channel_id() != access_->channel_id) return fail(common::NOT_FOUND);
  common::SignatureHeader shdr;
  if (!protoutil::parse(&shdr, payload.header().signature_header())) return fail(common::BAD_REQUEST);
  if (!access_->check_creator(shdr.creator(), env.payload(), env.signature()).is_ok()) return fail(common::FORBIDDEN);
  ::orderer::SeekInfo seek;
  if (!protoutil::parse(&seek, payload.data()) || !seek.has_start() || !seek.has_stop())
    return fail(common::BAD_REQUEST);

  const uint64_t height = store_->height();  // >= 1: genesis is written at start
  Stream stream;
  switch (seek.start().Type_case()) {
    case ::orderer::SeekPosition::kOldest: stream.next = 0; break;
    case ::orderer::SeekPosition::kNewest: stream.next = height - 1; break;
    case ::orderer::SeekPosition::kSpecified: stream.next = seek.start().specified().number(); break;
    default: return fail(common::BAD_REQUEST);
  }
  switch (seek.stop().Type_case()) {
    case ::orderer::SeekPosition::kOldest: stream.stop = stream.next; break;
    case ::orderer::SeekPosition::kNewest:
      stream.stop = seek.start().has_newest() ? stream.next : height - 1;
      break;
    case ::orderer::SeekPosition::kSpecified: stream.stop = seek.stop().specified().number(); break;
    default: return fail(common::BAD_REQUEST);
  }
  if (stream.stop < stream.next) return fail(common::BAD_REQUEST);
  stream.fail_if_not_ready = seek.behavior() == ::orderer::SeekInfo::FAIL_IF_NOT_READY;
  if (!serve(ctx, key, stream)) streams_.emplace(key, stream);
}

void DeliverService::on_cancel(HostId from, const Message& msg) {
  fabsim::DeliverCancel cancel;
  if (!msg.payload || !protoutil::parse(&cancel, *msg.payload)) return;
  streams_.erase(StreamKey{from, cancel.stream_id()});
}

bool DeliverService::serve(NodeContext& ctx, const StreamKey& key, Stream& stream) {
  const uint64_t height = store_->height();
  while (stream.next < height) {
    auto block = store_->block_by_number(stream.next);
    FABSIM_ASSERT_MSG(block.is_ok(), block.status().to_string());
    common::Block& b = block.value();
    b.mutable_metadata()->set_metadata(common::TRANSACTIONS_FILTER, std::string());  // as Fabric sends it
    fabsim::DeliverReply reply;
    reply.set_stream_id(key.second);
    *reply.mutable_response()->mutable_block() = std::move(b);
    ctx.send(key.first, model::make_message(model::kDeliverReply, reply));
    ctx.charge(deliver_per_block_);
    if (stream.next == stream.stop) {
      ctx.send(key.first, deliver_status(key.second, common::SUCCESS));
      return true;
    }
    ++stream.next;
  }
  if (stream.fail_if_not_ready) {
    ctx.send(key.first, deliver_status(key.second, common::NOT_FOUND));
    return true;
  }
  return false;  // BLOCK_UNTIL_READY: wait for the next block
}

void DeliverService::serve_all(NodeContext& ctx) {
  for (auto it = streams_.begin(); it != streams_.end();) {
    if (serve(ctx, it->first, it->second)) {
      it = streams_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace fabsim::orderer
