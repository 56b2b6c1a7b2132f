#include "model/orderer/solo.h"

#include <fmt/format.h>

#include <utility>

#include "core/assert.h"
#include "core/crypto/txid.h"
#include "core/proto/fabsim/node_messages.pb.h"
#include "core/proto/orderer/ab.pb.h"
#include "core/proto/peer/transaction.pb.h"
#include "model/ledger/block_hash.h"
#include "model/protocol.h"
#include "model/protoutil/txutil.h"
#include "model/validation/block_verify.h"

namespace fabsim::orderer {

namespace {

constexpr int kMetadataSlots = 5;  // NewBlock: one per BlockMetadataIndex (§8.2)
// common::LAST_CONFIG: deprecated in the 2.x protos (hence no use of the enum, which would
// warn), yet still written by the 2.2 block writer.
constexpr int kLastConfigSlot = 1;

using protoutil::marshal;

Message broadcast_reply(const std::string& tx_id, common::Status status, std::string info) {
  fabsim::BroadcastReply reply;
  reply.set_tx_id(tx_id);
  reply.mutable_response()->set_status(status);
  reply.mutable_response()->set_info(std::move(info));
  return model::make_message(model::kBroadcastReply, reply);
}

Message deliver_status(uint64_t stream_id, common::Status status) {
  fabsim::DeliverReply reply;
  reply.set_stream_id(stream_id);
  reply.mutable_response()->set_status(status);
  return model::make_message(model::kDeliverReply, reply);
}

// The payload and its channel header, as Fabric's ChannelHeader(env) reads them.
bool parse_channel_header(const common::Envelope& env, common::Payload* payload, common::ChannelHeader* chdr) {
  if (!protoutil::parse(payload, env.payload()) || !payload->has_header()) return false;
  return protoutil::parse(chdr, payload->header().channel_header());
}

bool is_config_class(int32_t type) {
  return type == common::CONFIG_UPDATE || type == common::CONFIG || type == common::ORDERER_TRANSACTION;
}

// Metadata slots 0..4, empty.
void init_metadata(common::Block* block) {
  for (int i = 0; i < kMetadataSlots; ++i) block->mutable_metadata()->add_metadata();
}

std::string last_config_zero() {
  common::LastConfig lc;
  lc.set_index(0);
  common::Metadata md;
  md.set_value(marshal(lc));
  return marshal(md);
}

std::string orderer_block_metadata_zero() {
  common::OrdererBlockMetadata obm;
  obm.mutable_last_config()->set_index(0);
  return marshal(obm);
}

}  // namespace

SoloOrderer::SoloOrderer(SoloConfig config) : config_(std::move(config)), cutter_(&config_.batch.size) {
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
  FABSIM_ASSERT(store_ == nullptr);  // one start per incarnation
  auto store = ledger::BlockStore::open(ctx.mutable_store().env(), config_.ledger_path, {});
  FABSIM_ASSERT_MSG(store.is_ok(), store.status().to_string());
  store_ = std::move(store).value();
  if (store_->height() == 0) write_genesis(ctx);
}

void SoloOrderer::on_message(NodeContext& ctx, HostId from, const Message& msg) {
  FABSIM_ASSERT(store_ != nullptr);  // on_start came first
  switch (msg.kind) {
    case model::kBroadcast: on_broadcast(ctx, from, msg); break;
    case model::kOrderedEnvelope:
      if (from == ctx.self()) on_ordered(ctx, msg);  // only Broadcast's hand-off
      break;
    case model::kDeliverRequest: on_deliver_request(ctx, from, msg); break;
    case model::kDeliverCancel: on_deliver_cancel(from, msg); break;
    default: break;  // not addressed to an orderer: ignored, as a gRPC server has no such method
  }
}

Status SoloOrderer::check_creator(std::string_view creator, std::string_view signed_bytes,
                                  std::string_view signature) const {
  auto identity = config_.msps->deserialize_identity(creator);
  if (!identity.is_ok()) return Status::failed_precondition(identity.status().message());
  if (!config_.channel_msp_ids.contains(identity->msp_id()))
    return Status::failed_precondition(fmt::format("MSP {} is not a member of channel {}", identity->msp_id(),
                                                 config_.channel_id));
  if (!identity->is_valid()) return Status::failed_precondition(identity->validation().message());
  const Status sig = config_.verifier->verify(identity->certificate(), signed_bytes, signature);
  if (!sig.is_ok()) return Status::failed_precondition(fmt::format("signature verification failed: {}", sig.message()));
  return Status::ok();
}

// ---- broadcast ----------------------------------------------------------------------------

void SoloOrderer::on_broadcast(NodeContext& ctx, HostId from, const Message& msg) {
  ctx.charge(config_.costs.broadcast_check);
  common::Envelope env;
  common::Payload payload;
  common::ChannelHeader chdr;
  if (!msg.payload || !protoutil::parse(&env, *msg.payload) || !parse_channel_header(env, &payload, &chdr)) {
    ctx.send(from, broadcast_reply({}, common::BAD_REQUEST, "could not read the channel header"));
    return;
  }
  const std::string& tx_id = chdr.tx_id();
  if (chdr.channel_id() != config_.channel_id) {
    ctx.send(from, broadcast_reply(tx_id, common::NOT_FOUND, fmt::format("channel {} does not exist", chdr.channel_id())));
    return;
  }
  if (is_config_class(chdr.type())) {
    ctx.send(from, broadcast_reply(tx_id, common::BAD_REQUEST, "configuration transactions are not modelled"));
    return;
  }
  if (env.payload().empty()) {  // EmptyRejectRule
    ctx.send(from, broadcast_reply(tx_id, common::BAD_REQUEST, "message was empty"));
    return;
  }
  if (Status size = size_filter(env, config_.batch.size); !size.is_ok()) {
    ctx.send(from, broadcast_reply(tx_id, common::BAD_REQUEST, size.message()));
    return;
  }
  common::SignatureHeader shdr;
  if (!protoutil::parse(&shdr, payload.header().signature_header())) {
    ctx.send(from, broadcast_reply(tx_id, common::BAD_REQUEST, "could not convert message to signedData"));
    return;
  }
  if (Status sig = check_creator(shdr.creator(), env.payload(), env.signature()); !sig.is_ok()) {
    ctx.send(from, broadcast_reply(tx_id, common::FORBIDDEN, sig.message()));
    return;
  }
  // Order(): the envelope goes to the chain's goroutine; Broadcast answers once it is handed
  // over (solo's sendChan is unbuffered), before it is cut into a block.
  ctx.send(from, broadcast_reply(tx_id, common::SUCCESS, {}));
  ctx.post(kChainLane, Message{model::kOrderedEnvelope, msg.payload});
}

void SoloOrderer::on_ordered(NodeContext& ctx, const Message& msg) {
  common::Envelope env;
  const bool parsed = msg.payload && protoutil::parse(&env, *msg.payload);
  FABSIM_ASSERT_MSG(parsed, "Broadcast handed the chain an envelope it had parsed");
  // The solo loop's normal-message branch (§1.3).
  OrderedResult result = cutter_.ordered(std::move(env));
  for (size_t i = 0; i < result.batches.size(); ++i) {
    ctx.charge(config_.costs.block_cut);
    write_batch(ctx, result.batches[i], result.reasons[i]);
  }
  if (batch_timer_ && !result.pending) {
    ctx.cancel_timer(*batch_timer_);
    batch_timer_.reset();
  } else if (!batch_timer_ && result.pending) {
    batch_timer_ = ctx.set_timer(config_.batch.batch_timeout, kBatchTimerTag);
  }
  if (!result.batches.empty()) serve_all(ctx);
}

void SoloOrderer::on_timer(NodeContext& ctx, TimerId id, uint64_t tag) {
  if (tag != kBatchTimerTag || !batch_timer_ || *batch_timer_ != id) return;  // not the current timer
  batch_timer_.reset();
  Batch batch = cutter_.cut();
  ctx.charge(config_.costs.block_cut);
  if (batch.empty()) return;  // Fabric warns "this might indicate a bug" and writes nothing
  write_batch(ctx, batch, CutReason::kTimeout);
  serve_all(ctx);
}

// ---- blocks -------------------------------------------------------------------------------

void SoloOrderer::write_batch(NodeContext& ctx, const Batch& batch, CutReason reason) {
  FABSIM_ASSERT(!batch.empty());
  common::Block block;
  common::BlockHeader* header = block.mutable_header();
  header->set_number(store_->height());
  header->set_previous_hash(store_->current_block_hash());
  for (const common::Envelope& env : batch) block.mutable_data()->add_data(marshal(env));
  header->set_data_hash(ledger::block_data_hash(block.data()));
  init_metadata(&block);

  // SIGNATURES (blockwriter.addBlockSignature): value ‖ signature_header ‖ header bytes.
  common::Metadata sigs;
  sigs.set_value(orderer_block_metadata_zero());
  block.mutable_metadata()->set_metadata(common::SIGNATURES, marshal(sigs));
  const Status signed_ok = validation::add_block_signature(&block, *config_.signer, crypto::make_nonce(ctx.rng()));
  FABSIM_ASSERT_MSG(signed_ok.is_ok(), signed_ok.to_string());  // the metadata was just written
  ctx.charge(config_.costs.block_sign);
  block.mutable_metadata()->set_metadata(kLastConfigSlot, last_config_zero());
  append_block(ctx, std::move(block), cut_reason_name(reason));
}

void SoloOrderer::write_genesis(NodeContext& ctx) {
  common::ChannelHeader chdr;
  chdr.set_type(common::CONFIG);
  chdr.set_channel_id(config_.channel_id);
  common::SignatureHeader shdr;
  shdr.set_nonce(crypto::make_nonce(ctx.rng()));
  common::Payload payload;
  payload.mutable_header()->set_channel_header(marshal(chdr));
  payload.mutable_header()->set_signature_header(marshal(shdr));
  common::Envelope env;
  env.set_payload(marshal(payload));

  common::Block block;
  block.mutable_header()->set_number(0);
  block.mutable_data()->add_data(marshal(env));
  block.mutable_header()->set_data_hash(ledger::block_data_hash(block.data()));
  init_metadata(&block);
  common::Metadata sigs;
  sigs.set_value(orderer_block_metadata_zero());
  block.mutable_metadata()->set_metadata(common::SIGNATURES, marshal(sigs));
  block.mutable_metadata()->set_metadata(kLastConfigSlot, last_config_zero());
  append_block(ctx, std::move(block), "genesis");
}

void SoloOrderer::append_block(NodeContext& ctx, common::Block block, const char* reason) {
  // Our BlockStore wants one TRANSACTIONS_FILTER entry per transaction (see the header).
  block.mutable_metadata()->set_metadata(
      common::TRANSACTIONS_FILTER, std::string(static_cast<size_t>(block.data().data_size()),
                                               static_cast<char>(protos::NOT_VALIDATED)));
  const size_t bytes = block.ByteSizeLong();
  const Status appended = store_->append(block);
  FABSIM_ASSERT_MSG(appended.is_ok(), appended.to_string());  // we built it from the store's tip
  ctx.charge(config_.costs.block_write_per_kb * static_cast<int64_t>((bytes + 1023) / 1024));
  ctx.emit(kEventBlock, static_cast<int64_t>(block.header().number()),
           fmt::format("reason={} txs={} bytes={}", reason, block.data().data_size(), bytes));
}

// ---- deliver ------------------------------------------------------------------------------

void SoloOrderer::on_deliver_request(NodeContext& ctx, HostId from, const Message& msg) {
  ctx.charge(config_.costs.deliver_check);
  fabsim::DeliverRequest req;
  if (!msg.payload || !protoutil::parse(&req, *msg.payload)) return;  // no stream id to answer on
  const StreamKey key{from, req.stream_id()};
  streams_.erase(key);  // a reused stream id replaces the old stream
  auto fail = [&](common::Status status) { ctx.send(from, deliver_status(req.stream_id(), status)); };

  common::Envelope env;
  common::Payload payload;
  common::ChannelHeader chdr;
  if (!protoutil::parse(&env, req.envelope()) || !parse_channel_header(env, &payload, &chdr))
    return fail(common::BAD_REQUEST);
  if (chdr.channel_id() != config_.channel_id) return fail(common::NOT_FOUND);
  common::SignatureHeader shdr;
  if (!protoutil::parse(&shdr, payload.header().signature_header())) return fail(common::BAD_REQUEST);
  if (!check_creator(shdr.creator(), env.payload(), env.signature()).is_ok()) return fail(common::FORBIDDEN);
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

void SoloOrderer::on_deliver_cancel(HostId from, const Message& msg) {
  fabsim::DeliverCancel cancel;
  if (!msg.payload || !protoutil::parse(&cancel, *msg.payload)) return;
  streams_.erase(StreamKey{from, cancel.stream_id()});
}

bool SoloOrderer::serve(NodeContext& ctx, const StreamKey& key, Stream& stream) {
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
    ctx.charge(config_.costs.deliver_per_block);
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

void SoloOrderer::serve_all(NodeContext& ctx) {
  for (auto it = streams_.begin(); it != streams_.end();) {
    if (serve(ctx, it->first, it->second)) {
      it = streams_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace fabsim::orderer
