#include "model/peer/peer.h"

#include <fmt/format.h>

#include "core/assert.h"
#include "core/crypto/creator_check.h"
#include "core/crypto/txid.h"
#include "core/proto/fabsim/node_messages.pb.h"
#include "core/proto/orderer/ab.pb.h"
#include "core/proto/peer/chaincode.pb.h"
#include "model/chaincode/chaincode_stub.h"
#include "model/chaincode/tx_simulator.h"
#include "model/ledger/block_hash.h"
#include "model/ledger/tx_rwset.h"
#include "model/protocol.h"
#include "model/protoutil/txutil.h"
#include "model/validation/block_verify.h"

namespace fabsim::peer {
namespace {

using protoutil::marshal;
using protoutil::parse;

Duration per_kb(Duration d, size_t bytes) { return d * static_cast<int64_t>((bytes + 1023) / 1024); }

}  // namespace

PeerProcess::PeerProcess(PeerConfig config)
    : config_(std::move(config)), registry_(chaincode::ChaincodeRegistry::builtin()) {
  FABSIM_ASSERT(config_.msps != nullptr && config_.signer != nullptr && config_.verifier != nullptr);
  FABSIM_ASSERT(config_.chaincodes != nullptr);
  FABSIM_ASSERT(config_.validator_pool_size >= 1);
}

std::vector<LaneSpec> PeerProcess::lanes() const {
  return {{"committer", LaneSpec::Kind::kSerial}, {"endorser", LaneSpec::Kind::kConcurrent}};
}

LaneId PeerProcess::lane_of_message(HostId, const Message& msg) const {
  return msg.kind == model::kProposal ? kEndorserLane : kCommitterLane;
}

void PeerProcess::on_start(NodeContext& ctx) {
  // Opening the ledger recovers state and history up to the block store (crash safety).
  auto ledger = ledger::Ledger::open(ctx.mutable_store().env(), config_.ledger_path);
  if (!ledger.is_ok()) {
    failed_ = true;
    ctx.emit("peer.ledger_error", 0, ledger.status().to_string());
    return;
  }
  ledger_ = std::move(ledger).value();
  // Stream ids differ per incarnation, so replies on a stream opened before a crash are ignored.
  stream_counter_ = ctx.rng().next_u64() << 16;
  open_stream(ctx);
  height_at_last_check_ = ledger_->height();
  ctx.set_timer(config_.deliver_retry, kDeliverWatchdogTag);
}

void PeerProcess::close_stream(NodeContext& ctx) {
  if (stream_id_ == 0) return;
  fabsim::DeliverCancel cancel;
  cancel.set_stream_id(stream_id_);
  ctx.send(stream_orderer_, model::make_message(model::kDeliverCancel, cancel));
  stream_id_ = 0;
}

void PeerProcess::open_stream(NodeContext& ctx) {
  if (config_.orderers.empty()) return;
  close_stream(ctx);
  stream_id_ = ++stream_counter_;
  ::orderer::SeekInfo seek;
  seek.mutable_start()->mutable_specified()->set_number(ledger_->height());
  seek.mutable_stop()->mutable_specified()->set_number(UINT64_MAX);
  seek.set_behavior(::orderer::SeekInfo::BLOCK_UNTIL_READY);
  common::ChannelHeader chdr;
  chdr.set_type(common::DELIVER_SEEK_INFO);
  chdr.set_channel_id(config_.channel_id);
  chdr.mutable_timestamp()->set_seconds(ctx.now().ns / 1'000'000'000);
  chdr.mutable_timestamp()->set_nanos(static_cast<int32_t>(ctx.now().ns % 1'000'000'000));
  common::SignatureHeader shdr;
  shdr.set_creator(config_.signer->serialized());
  shdr.set_nonce(crypto::make_nonce(ctx.rng()));
  common::Payload payload;
  payload.mutable_header()->set_channel_header(marshal(chdr));
  payload.mutable_header()->set_signature_header(marshal(shdr));
  payload.set_data(marshal(seek));
  common::Envelope env;
  env.set_payload(marshal(payload));
  env.set_signature(config_.signer->sign(env.payload()));
  fabsim::DeliverRequest req;
  req.set_stream_id(stream_id_);
  req.set_envelope(marshal(env));
  stream_orderer_ = config_.orderers[orderer_index_];
  ctx.send(stream_orderer_, model::make_message(model::kDeliverRequest, req));
}

void PeerProcess::on_timer(NodeContext& ctx, TimerId, uint64_t tag) {
  if (tag != kDeliverWatchdogTag || failed_) return;
  if (ledger_->height() == height_at_last_check_ && !config_.orderers.empty()) {
    // No progress: fail over to the next orderer and re-open the stream there.
    orderer_index_ = (orderer_index_ + 1) % config_.orderers.size();
    open_stream(ctx);
  }
  height_at_last_check_ = ledger_->height();
  ctx.set_timer(config_.deliver_retry, kDeliverWatchdogTag);
}

void PeerProcess::on_message(NodeContext& ctx, HostId from, const Message& msg) {
  if (failed_ || !msg.payload) return;
  switch (msg.kind) {
    case model::kProposal:
      endorse(ctx, from, *msg.payload);
      break;
    case model::kDeliverReply:
      on_deliver_reply(ctx, *msg.payload);
      break;
    case model::kEventRegister: {
      fabsim::EventRegistration reg;
      if (!parse(&reg, *msg.payload) || reg.channel_id() != config_.channel_id) break;
      subscribers_.insert(from);
      if (reg.has_start_block() && ledger_ != nullptr) replay_events(ctx, from, reg.start_block());
      break;
    }
    default:
      break;  // not for a peer
  }
}

void PeerProcess::endorse(NodeContext& ctx, HostId from, const std::string& bytes) {
  ctx.charge(config_.costs.proposal_check);
  fabsim::ProposalReply reply;
  auto refuse = [&](const std::string& why) {
    reply.set_error(why);
    ctx.send(from, model::make_message(model::kProposalReply, reply));
  };
  protos::SignedProposal signed_proposal;
  protos::Proposal proposal;
  common::Header header;
  common::ChannelHeader chdr;
  common::SignatureHeader shdr;
  if (!parse(&signed_proposal, bytes) || !parse(&proposal, signed_proposal.proposal_bytes()) ||
      !parse(&header, proposal.header()) || !parse(&chdr, header.channel_header()) ||
      !parse(&shdr, header.signature_header()))
    return refuse("malformed proposal");
  reply.set_tx_id(chdr.tx_id());
  if (chdr.type() != common::ENDORSER_TRANSACTION) return refuse("unsupported proposal type");
  if (chdr.epoch() != 0 || shdr.nonce().empty() || shdr.creator().empty()) return refuse("invalid header");
  if (chdr.channel_id() != config_.channel_id) return refuse("channel '" + chdr.channel_id() + "' not found");
  if (Status s = crypto::check_signature_from_creator(*config_.msps, *config_.verifier, shdr.creator(),
                                                      signed_proposal.proposal_bytes(), signed_proposal.signature());
      !s.is_ok())
    return refuse(s.message());
  if (!crypto::tx_id_matches(chdr.tx_id(), shdr.nonce(), shdr.creator())) return refuse("incorrectly formed TxID");
  auto dup = ledger_->block_store().tx_exists(chdr.tx_id());
  if (!dup.is_ok() || *dup) return refuse("duplicate transaction found [" + chdr.tx_id() + "]");
  if (!config_.application_msp_ids.empty()) {  // Fabric's peer/Propose ACL, after the duplicate check
    auto creator = config_.msps->deserialize_identity(shdr.creator());  // it verified above
    if (!creator.is_ok() || !config_.application_msp_ids.contains(creator->msp_id()))
      return refuse("access denied: the creator's organisation [" + (creator.is_ok() ? creator->msp_id() : "") +
                    "] is not an application organisation of channel [" + config_.channel_id + "]");
  }
  protos::ChaincodeHeaderExtension ext;
  protos::ChaincodeProposalPayload cpp;
  protos::ChaincodeInvocationSpec cis;
  if (!parse(&ext, chdr.extension()) || !parse(&cpp, proposal.payload()) || !parse(&cis, cpp.input()))
    return refuse("malformed chaincode proposal");
  const std::string& cc = ext.chaincode_id().name();
  auto def = config_.chaincodes->find(cc);
  auto kind = config_.chaincode_kinds.find(cc);
  if (def == config_.chaincodes->end() || kind == config_.chaincode_kinds.end())
    return refuse("chaincode '" + cc + "' is not defined on channel '" + config_.channel_id + "'");
  const auto& input = cis.chaincode_spec().input().args();
  if (input.empty()) return refuse("chaincode input has no function");
  std::vector<std::string> args(input.begin() + 1, input.end());

  auto chaincode = registry_.make(kind->second);
  if (!chaincode.is_ok()) return refuse(chaincode.status().message());
  chaincode::TxSimulator sim(ledger_->state());
  chaincode::ChaincodeStub stub(sim, cc);
  // Fabric's ChaincodeSupport.CheckInit: Init exactly once per chaincode version.
  auto init = check_init(sim, def->second, cis.chaincode_spec().input().is_init());
  const chaincode::ChaincodeResponse resp =
      !init.is_ok() ? chaincode::ChaincodeResponse::error(init.status().message())
      : *init       ? (*chaincode)->init(stub, args)
                    : (*chaincode)->invoke(stub, input[0], args);
  ctx.charge(config_.costs.chaincode_base + config_.costs.chaincode_per_op * static_cast<int64_t>(stub.work_units()));

  protos::ProposalResponse pr;
  if (!resp.ok()) {  // Fabric: the error status and message, no endorsement
    pr.set_version(1);
    pr.mutable_response()->set_status(resp.status);
    pr.mutable_response()->set_message(resp.message);
    reply.set_proposal_response(marshal(pr));
    ctx.send(from, model::make_message(model::kProposalReply, reply));
    return;
  }
  auto results = sim.get_tx_simulation_results();
  if (!results.is_ok()) return refuse(results.status().message());
  protoutil::Proposal p;
  p.proposal = proposal;
  p.header = header;
  p.channel_header = chdr;
  p.signature_header = shdr;
  p.payload = cpp;
  p.tx_id = chdr.tx_id();
  protoutil::EndorsementSpec spec;
  spec.results = std::move(results).value();
  spec.response.set_status(resp.status);
  spec.response.set_message(resp.message);
  spec.response.set_payload(resp.payload);
  spec.chaincode_name = cc;
  spec.chaincode_version = def->second.version;
  pr = protoutil::endorse(p, spec, *config_.signer);
  ctx.charge(config_.costs.endorse);
  reply.set_proposal_response(marshal(pr));
  ctx.send(from, model::make_message(model::kProposalReply, reply));
  ctx.emit("peer.endorsed", 0, chdr.tx_id());
}

Result<bool> PeerProcess::check_init(chaincode::TxSimulator& sim, const validation::ChaincodeDefinition& def,
                                     bool is_init) {
  if (!def.init_required) return false;  // "init" is then an ordinary function name
  auto value = sim.get_state(def.name, kInitializedKey);  // a recorded read, as in Fabric
  if (!value.is_ok()) return value.status();
  const bool needs_init = !value->has_value() || **value != def.version;
  if (!is_init && needs_init)
    return Status::failed_precondition("chaincode '" + def.name +
                                       "' has not been initialized for this version, must call as init first");
  if (is_init && !needs_init)
    return Status::failed_precondition("chaincode '" + def.name + "' is already initialized but called as init");
  if (!is_init) return false;
  if (Status s = sim.set_state(def.name, kInitializedKey, def.version); !s.is_ok()) return s;
  return true;
}

void PeerProcess::on_deliver_reply(NodeContext& ctx, const std::string& bytes) {
  fabsim::DeliverReply reply;
  if (!parse(&reply, bytes) || reply.stream_id() != stream_id_) return;  // stale stream
  if (!reply.response().has_block()) {
    stream_id_ = 0;  // the stream ended (status); the watchdog re-opens it
    return;
  }
  const common::Block& block = reply.response().block();
  if (ledger_ != nullptr && block.header().number() > ledger_->height()) {
    // A gap: a block of this stream was lost on the way (the model's links may lose
    // messages; Fabric's stream is TCP, which would resend it). Re-open the stream from the
    // first missing block at once, rather than drop every later block until the watchdog.
    open_stream(ctx);
    return;
  }
  if (config_.block_validation != nullptr && ledger_ != nullptr && block.header().number() == ledger_->height() &&
      block.header().number() > 0) {
    uint64_t checked = 0;
    const validation::BlockVerifyContext vctx{config_.channel_id, config_.msps, config_.verifier,
                                              config_.block_validation};
    const Status s = validation::verify_block(block, ledger_->height(), vctx, &checked);
    ctx.charge(config_.costs.block_signature_verify * static_cast<int64_t>(checked));
    if (!s.is_ok()) {
      // Fabric's deliver client: "block from orderer could not be verified", then it drops
      // the stream; the watchdog re-opens it from the same height.
      ctx.emit("peer.block_rejected", static_cast<int64_t>(block.header().number()), s.message());
      close_stream(ctx);
      return;
    }
  }
  commit(ctx, std::move(*reply.mutable_response()->mutable_block()));  // blocks are large: no copy
}

void PeerProcess::commit(NodeContext& ctx, common::Block block) {
  ctx.charge(config_.costs.block_check);
  if (block.header().number() != ledger_->height()) return;  // a duplicate, or not the next block
  const size_t n = static_cast<size_t>(block.data().data_size());
  while (block.metadata().metadata_size() < 5) block.mutable_metadata()->add_metadata();
  std::vector<uint8_t> codes;
  ledger::UpdateBatch updates;
  std::vector<ledger::TxWrites> writes;
  std::vector<std::string> tx_ids(n);
  if (block.header().number() == 0) {
    codes.assign(n, protos::TxValidationCode::VALID);  // the genesis block, committed on join
  } else {
    validation::ValidationContext vctx{config_.channel_id, config_.msps, config_.verifier, config_.chaincodes};
    auto result = validation::validate_block(block, vctx, ledger_->state(), [&](const std::string& id) {
      return ledger_->block_store().tx_exists(id);
    });
    if (!result.is_ok()) {
      failed_ = true;
      ctx.emit("peer.commit_error", static_cast<int64_t>(block.header().number()), result.status().to_string());
      return;
    }
    // Per transaction on the validator pool: envelope checks, signatures, VSCC.
    const PeerCosts& c = config_.costs;
    std::vector<Duration> vscc;
    vscc.reserve(result->tx_work.size());
    for (const validation::ValidationWork& t : result->tx_work) {
      // Every signature after an envelope's creator signature is an endorsement's.
      const uint64_t endorsements = t.signatures_verified > t.envelopes ? t.signatures_verified - t.envelopes : 0;
      vscc.push_back(c.envelope_check * static_cast<int64_t>(t.envelopes) +
                     c.signature_verify * static_cast<int64_t>(t.signatures_verified) +
                     c.vscc_per_endorsement * static_cast<int64_t>(endorsements) +
                     c.policy_eval * static_cast<int64_t>(t.policy_evaluations));
    }
    ctx.charge_parallel(vscc, config_.validator_pool_size);
    // Then, serially: MVCC and the state updates.
    const validation::ValidationWork& w = result->work;
    const auto txs = static_cast<int64_t>(n);
    ctx.charge(c.mvcc_per_tx * txs + c.ledger_commit_per_tx * txs +
               c.mvcc_per_read * static_cast<int64_t>(w.reads_checked + w.range_queries_checked) +
               c.state_write_per_key * static_cast<int64_t>(w.writes_applied));
    codes = std::move(result->codes);
    updates = std::move(result->updates);
    writes = std::move(result->valid_writes);
    tx_ids = std::move(result->tx_ids);
  }
  block.mutable_metadata()->set_metadata(common::TRANSACTIONS_FILTER, std::string(codes.begin(), codes.end()));
  const size_t block_bytes = block.ByteSizeLong();
  Status s = ledger_->commit_block(&block, updates, block.header().number() == 0 ? nullptr : &writes);
  if (!s.is_ok()) {
    failed_ = true;
    ctx.emit("peer.commit_error", static_cast<int64_t>(block.header().number()), s.to_string());
    return;
  }
  ctx.charge_disk(per_kb(config_.costs.block_write_per_kb, block_bytes) + config_.costs.fsync);  // the disk, not a core
  ctx.emit("peer.block_committed", static_cast<int64_t>(block.header().number()),
           ledger::to_hex(ledger::block_header_hash(block.header())));
  if (subscribers_.empty()) return;
  const Message m = model::make_message(model::kBlockEvent, block_event(block, codes, tx_ids));
  for (HostId c : subscribers_) {
    ctx.send(c, m);
    ctx.charge(config_.costs.block_event);
  }
}

fabsim::BlockEvent PeerProcess::block_event(const common::Block& block, const std::vector<uint8_t>& codes,
                                            const std::vector<std::string>& tx_ids) const {
  fabsim::BlockEvent event;
  event.set_channel_id(config_.channel_id);
  event.set_number(block.header().number());
  for (size_t i = 0; i < codes.size(); ++i) {
    std::string id = i < tx_ids.size() ? tx_ids[i] : std::string();
    if (id.empty()) {  // invalid before its TxID was read: the client still wants its outcome
      auto parsed = ledger::txid_from_envelope(block.data().data(static_cast<int>(i)));
      if (parsed.is_ok()) id = *parsed;
    }
    auto* tx = event.add_transactions();
    tx->set_tx_id(id);
    tx->set_validation_code(codes[i]);
  }
  return event;
}

void PeerProcess::replay_events(NodeContext& ctx, HostId to, uint64_t start) {
  for (uint64_t n = std::max<uint64_t>(start, 1); n < ledger_->height(); ++n) {  // block 0 has no transactions
    auto block = ledger_->block_store().block_by_number(n);
    if (!block.is_ok()) {
      ctx.emit("peer.ledger_error", static_cast<int64_t>(n), block.status().to_string());
      return;
    }
    const std::string& filter = block->metadata().metadata(common::TRANSACTIONS_FILTER);
    const std::vector<uint8_t> codes(filter.begin(), filter.end());
    ctx.send(to, model::make_message(model::kBlockEvent, block_event(*block, codes, {})));
    ctx.charge(config_.costs.block_check + config_.costs.block_event);  // read the block, build the event
  }
}

}  // namespace fabsim::peer
