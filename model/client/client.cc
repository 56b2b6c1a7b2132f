#include "model/client/client.h"

#include <algorithm>
#include <set>
#include <utility>

#include "core/assert.h"
#include "core/crypto/creator_check.h"
#include "core/crypto/sha256.h"
#include "core/crypto/txid.h"
#include "core/proto/fabsim/client.pb.h"
#include "core/proto/fabsim/node_messages.pb.h"
#include "core/proto/orderer/ab.pb.h"
#include "model/protocol.h"

namespace fabsim::model::client {
namespace {

// Timer tags: which stage's deadline a timer is.
constexpr uint64_t kTagEndorsement = 1;
constexpr uint64_t kTagBroadcast = 2;
constexpr uint64_t kTagCommit = 3;
constexpr uint64_t kTagEventWatchdog = 4;

// Whether the first counts[i] peers of every class satisfy the policy, in class order.
bool satisfied_by(const ChaincodeEndorsers& cc, const EndorserPlan& plan, const std::vector<size_t>& counts) {
  std::vector<PolicySigner> signers;
  for (size_t c = 0; c < plan.classes.size(); ++c)
    for (size_t k = 0; k < counts[c]; ++k) signers.push_back({cc.candidates[plan.classes[c][k]].identity, true});
  return cc.policy.evaluate(signers).satisfied;
}

// Depth-first over count vectors with sum `left` from class `c` on, larger counts of earlier
// classes first. Returns true when a satisfying vector is in `counts`; `budget` bounds the
// evaluations (false with budget 0 means "gave up").
bool search(const ChaincodeEndorsers& cc, const EndorserPlan& plan, size_t c, size_t left,
            std::vector<size_t>& counts, size_t& budget) {
  if (left == 0) {
    if (budget == 0) return false;
    --budget;
    return satisfied_by(cc, plan, counts);
  }
  if (c == plan.classes.size()) return false;
  const size_t most = std::min(left, plan.classes[c].size());
  for (size_t n = most + 1; n-- > 0;) {
    counts[c] = n;
    if (search(cc, plan, c + 1, left - n, counts, budget)) return true;
    if (budget == 0) break;
  }
  counts[c] = 0;
  return false;
}

}  // namespace

EndorserPlan plan_endorsers(const ChaincodeEndorsers& cc) {
  EndorserPlan plan;
  // Classes: same MSP ID and roles, in order of first appearance.
  std::vector<std::pair<std::string, uint32_t>> keys;
  std::set<std::pair<std::string, std::string>> seen;
  for (size_t i = 0; i < cc.candidates.size(); ++i) {
    const PolicyIdentity& id = cc.candidates[i].identity;
    FABSIM_ASSERT_MSG(seen.insert({id.msp_id, id.id_key}).second, "duplicate endorser candidate identity");
    size_t c = 0;
    while (c < keys.size() && keys[c] != std::make_pair(id.msp_id, id.roles_mask)) ++c;
    if (c == keys.size()) {
      keys.emplace_back(id.msp_id, id.roles_mask);
      plan.classes.emplace_back();
    }
    plan.classes[c].push_back(i);
    plan.class_of.push_back(c);
  }
  plan.counts.assign(plan.classes.size(), 0);

  size_t budget = kSelectionEvaluationsMax;
  for (size_t size = 1; size <= cc.candidates.size(); ++size) {
    std::vector<size_t> counts(plan.classes.size(), 0);
    if (search(cc, plan, 0, size, counts, budget)) {
      plan.counts = std::move(counts);
      plan.satisfiable = true;
      plan.minimum = true;
      return plan;
    }
    if (budget == 0) break;
  }
  if (budget > 0) return plan;  // searched everything: nothing satisfies the policy

  // Gave up on the smallest selection: start from everyone, drop peers from the last class on.
  std::vector<size_t> counts;
  for (const auto& members : plan.classes) counts.push_back(members.size());
  if (!satisfied_by(cc, plan, counts)) return plan;
  for (size_t c = counts.size(); c-- > 0;) {
    while (counts[c] > 0) {
      --counts[c];
      if (!satisfied_by(cc, plan, counts)) {
        ++counts[c];
        break;
      }
    }
  }
  plan.counts = std::move(counts);
  plan.satisfiable = true;
  return plan;
}

std::vector<size_t> pick_endorsers(const EndorserPlan& plan, Rng* rotate, const std::vector<bool>* avoid) {
  std::vector<size_t> chosen;
  if (!plan.satisfiable) return chosen;
  for (size_t c = 0; c < plan.classes.size(); ++c) {
    const auto& members = plan.classes[c];
    const size_t need = plan.counts[c];
    FABSIM_ASSERT(need <= members.size());
    if (need == 0) continue;
    const size_t start = (rotate != nullptr && need < members.size()) ? rotate->uniform_u64(members.size()) : 0;
    size_t taken = 0;
    // Members not avoided first, then (if short) the avoided ones, each in rotated order.
    for (int pass = 0; pass < 2 && taken < need; ++pass) {
      for (size_t k = 0; k < members.size() && taken < need; ++k) {
        const size_t m = members[(start + k) % members.size()];
        const bool avoided = avoid != nullptr && (*avoid)[m];
        if (avoided != (pass == 1)) continue;
        chosen.push_back(m);
        ++taken;
      }
    }
  }
  return chosen;
}

ClientProcess::ClientProcess(ClientConfig config) : config_(std::move(config)) {
  FABSIM_ASSERT_MSG(config_.identity != nullptr, "client without a signing identity");
  FABSIM_ASSERT_MSG(config_.verifier != nullptr, "client without a verifier");
  for (size_t i = 0; i < config_.channels.size(); ++i) {
    FABSIM_ASSERT_MSG(config_.channels[i].msps != nullptr, "client without the channel's MSPs");
    for (size_t j = 0; j < i; ++j)
      FABSIM_ASSERT_MSG(config_.channels[j].channel_id != config_.channels[i].channel_id, "a channel listed twice");
  }
  FABSIM_ASSERT_MSG(!config_.orderers.empty(), "client without orderers");
  FABSIM_ASSERT(config_.broadcast_attempts_max >= 1);
  FABSIM_ASSERT(config_.in_flight_max >= 1);
  for (const auto& [name, cc] : config_.chaincodes) {
    FABSIM_ASSERT_MSG(cc.channel < config_.channels.size(), "chaincode on an unknown channel: " + name);
    plans_.emplace(name, plan_endorsers(cc));
  }
  streams_.resize(config_.channels.size());
}

void ClientProcess::on_start(NodeContext& ctx) {
  for (size_t c = 0; c < config_.channels.size(); ++c) register_for_events(ctx, c, /*resume=*/false);
  if (config_.event_silence > Duration::zero()) ctx.set_timer(config_.event_silence, kTagEventWatchdog);
}

HostId ClientProcess::event_peer(size_t channel) const {
  const ClientChannelConfig& c = config_.channels.at(channel);
  const size_t i = streams_.at(channel).index;
  return i == 0 ? c.event_peer : c.event_peer_fallbacks[i - 1];
}

void ClientProcess::register_for_events(NodeContext& ctx, size_t channel, bool resume) {
  const EventStream& s = streams_[channel];
  fabsim::EventRegistration reg;
  reg.set_channel_id(config_.channels[channel].channel_id);
  if (resume) reg.set_start_block(s.next_block);
  ctx.send(event_peer(channel), make_message(kEventRegister, reg));
  if (resume) ctx.emit(kEventReregistered, static_cast<int64_t>(s.next_block), {});
}

void ClientProcess::event_watchdog(NodeContext& ctx) {
  // Waiting: a transaction acknowledged by the orderer at least one whole period ago (so
  // an idle stream right after a quiet spell is not mistaken for a dead one).
  std::vector<bool> waiting(config_.channels.size(), false);
  for (const auto& [id, p] : pending_)
    if (p.stage == Stage::kAwaitingCommit && p.acked_at + config_.event_silence <= ctx.now()) waiting[p.channel] = true;
  for (size_t c = 0; c < streams_.size(); ++c) {
    EventStream& s = streams_[c];
    if (waiting[c] && !s.seen) {
      // Silence while transactions wait for their commit: the event peer may be down or may
      // have lost the registration (a restart). Move on to the next event peer and resume
      // from the first block not yet seen, as an SDK reconnects its event stream.
      s.index = (s.index + 1) % (1 + config_.channels[c].event_peer_fallbacks.size());
      register_for_events(ctx, c, /*resume=*/true);
    }
    s.seen = false;
  }
  ctx.set_timer(config_.event_silence, kTagEventWatchdog);
}

void ClientProcess::note_block(NodeContext& ctx, size_t channel, uint64_t number) {
  EventStream& s = streams_[channel];
  if (config_.event_silence == Duration::zero()) {  // no resuming: only the latest block matters
    s.next_block = std::max(s.next_block, number + 1);
    return;
  }
  if (s.next_block == 0 || number == s.next_block) {
    s.next_block = number + 1;
    while (!s.seen_ahead.empty() && *s.seen_ahead.begin() <= s.next_block) {
      if (*s.seen_ahead.begin() == s.next_block) ++s.next_block;
      s.seen_ahead.erase(s.seen_ahead.begin());
    }
    return;
  }
  if (number < s.next_block) return;  // a replay of a block already seen
  // A gap: an event was lost on the way (the model's links may lose messages; Fabric's
  // stream is TCP). Ask the same peer again from the first missing block -- and again if
  // the gap is still open one event_silence later (the replay can be lost too).
  s.seen_ahead.insert(number);
  if (!s.gap_resumed || s.gap_resumed->first != s.next_block || ctx.now() >= s.gap_resumed->second + config_.event_silence) {
    s.gap_resumed = std::make_pair(s.next_block, ctx.now());
    register_for_events(ctx, channel, /*resume=*/true);
  }
}

void ClientProcess::on_call(NodeContext& ctx, const ClientCall& call) {
  if (call.name == kSubmitCall) submit(ctx, call.args);
}

void ClientProcess::submit(NodeContext& ctx, const std::string& args) {
  fabsim::TxRequest req;
  if (!req.ParseFromString(args)) {
    ctx.emit(kFailureBadRequest, 0, {});
    return;
  }
  const auto cc = config_.chaincodes.find(req.chaincode());
  if (cc == config_.chaincodes.end()) {
    ctx.emit(kFailureBadRequest, 0, req.id());
    return;
  }
  if (pending_.size() >= config_.in_flight_max) {
    ctx.emit(kFailureTooManyInFlight, 0, req.id());
    return;
  }
  std::vector<HostId> targets;
  std::vector<size_t> picked;
  if (req.endorsers_size() > 0) {
    targets.assign(req.endorsers().begin(), req.endorsers().end());
  } else {
    // Only peers that timed out are avoided; with none on record there is nothing to compute.
    const std::vector<bool> avoid = avoid_until_.empty() ? std::vector<bool>{} : avoided(req.chaincode(), ctx.now());
    picked = pick_endorsers(plans_.at(req.chaincode()), config_.rotate_endorsers ? &ctx.rng() : nullptr,
                            avoid.empty() ? nullptr : &avoid);
    for (size_t i : picked) targets.push_back(cc->second.candidates[i].host);
  }
  if (targets.empty()) {
    ctx.emit(kFailureNoEndorsers, 0, req.id());
    return;
  }

  protoutil::ProposalSpec spec;
  spec.channel_id = config_.channels[cc->second.channel].channel_id;
  spec.chaincode = req.chaincode();
  spec.function = req.function();
  spec.args.assign(req.args().begin(), req.args().end());
  spec.is_init = req.is_init();
  spec.nonce = crypto::make_nonce(ctx.rng());
  spec.timestamp = ctx.now();
  ctx.charge(config_.costs.proposal_build_sign);

  Pending p;
  p.request_id = req.id();
  p.chaincode = req.chaincode();
  p.channel = cc->second.channel;
  p.candidates = std::move(picked);
  p.proposal = protoutil::make_proposal(spec, *config_.identity);
  const std::string tx_id = p.proposal.tx_id;
  // A TxID repeats only if the nonce does: 192 random bits from the client's stream.
  FABSIM_ASSERT_MSG(pending_.count(tx_id) == 0, "TxID collision");
  const Message proposal = make_message(kProposal, p.proposal.signed_proposal);
  for (HostId h : targets) {
    p.endorsers.push_back(h);
    ctx.send(h, proposal);
  }
  p.responses.resize(p.endorsers.size());
  ctx.emit(kEventSubmitted, static_cast<int64_t>(p.endorsers.size()), p.request_id);
  auto [it, inserted] = pending_.emplace(tx_id, std::move(p));
  FABSIM_ASSERT(inserted);
  arm(ctx, tx_id, it->second, config_.endorsement_timeout);
}

void ClientProcess::on_message(NodeContext& ctx, HostId from, const Message& msg) {
  if (!msg.payload) return;
  switch (msg.kind) {
    case kProposalReply: on_proposal_reply(ctx, from, msg); break;
    case kBroadcastReply: on_broadcast_reply(ctx, from, msg); break;
    case kBlockEvent: on_block_event(ctx, from, msg); break;
    default: break;  // not for a client
  }
}

void ClientProcess::on_proposal_reply(NodeContext& ctx, HostId from, const Message& msg) {
  ctx.charge(config_.costs.verify_response);
  fabsim::ProposalReply reply;
  if (!reply.ParseFromString(*msg.payload)) return;
  auto it = pending_.find(reply.tx_id());
  if (it == pending_.end() || it->second.stage != Stage::kEndorsing) return;  // late or unknown
  Pending& p = it->second;
  size_t slot = 0;
  while (slot < p.endorsers.size() && (p.endorsers[slot] != from || p.responses[slot].has_value())) ++slot;
  if (slot == p.endorsers.size()) return;  // not asked, or already answered

  if (!reply.error().empty()) return finish(ctx, reply.tx_id(), kFailureEndorsementError, 0, reply.error());
  protos::ProposalResponse response;
  if (!response.ParseFromString(reply.proposal_response()))
    return finish(ctx, reply.tx_id(), kFailureEndorsementError, 0, "the proposal response does not parse");
  const int32_t status = response.response().status();
  if (status < 200 || status >= 400)
    return finish(ctx, reply.tx_id(), kFailureEndorsementError, status, response.response().message());
  if (!response.has_endorsement()) return finish(ctx, reply.tx_id(), kFailureEndorsementInvalid, 0);
  const protos::Endorsement& e = response.endorsement();
  const crypto::Digest256 digest = crypto::sha256_concat({response.payload(), e.endorser()});
  if (!crypto::check_signature_from_creator(*config_.channels[p.channel].msps, *config_.verifier, e.endorser(), digest,
                                            e.signature())
           .is_ok())
    return finish(ctx, reply.tx_id(), kFailureEndorsementInvalid, 0);
  p.responses[slot] = std::move(response);
  if (++p.responses_received == p.endorsers.size()) assemble_and_broadcast(ctx, reply.tx_id(), p);
}

void ClientProcess::assemble_and_broadcast(NodeContext& ctx, const std::string& tx_id, Pending& p) {
  std::vector<protos::ProposalResponse> responses;
  for (auto& r : p.responses) responses.push_back(std::move(*r));
  p.responses.clear();
  ctx.charge(config_.costs.assemble_sign);
  // Statuses were checked on arrival, so a failure here is a payload mismatch.
  auto env = protoutil::assemble_transaction(p.proposal, responses, *config_.identity);
  if (!env.is_ok()) return finish(ctx, tx_id, kFailureEndorsementMismatch, 0);
  ctx.emit(kEventEndorsed, static_cast<int64_t>(responses.size()), p.request_id);
  p.envelope = make_message(kBroadcast, *env);
  p.stage = Stage::kBroadcasting;
  p.orderer_index = current_orderer_;
  broadcast(ctx, tx_id, p);
}

void ClientProcess::broadcast(NodeContext& ctx, const std::string& tx_id, Pending& p) {
  ++p.attempts;
  ctx.send(config_.orderers[p.orderer_index], p.envelope);
  arm(ctx, tx_id, p, config_.broadcast_timeout);
}

void ClientProcess::broadcast_failed(NodeContext& ctx, const std::string& tx_id, Pending& p, const char* reason,
                                     int64_t value) {
  const size_t next = (p.orderer_index + 1) % config_.orderers.size();
  if (current_orderer_ == p.orderer_index) current_orderer_ = next;  // sticky failover
  if (p.attempts >= config_.broadcast_attempts_max) return finish(ctx, tx_id, reason, value);
  p.orderer_index = next;
  broadcast(ctx, tx_id, p);
}

void ClientProcess::on_broadcast_reply(NodeContext& ctx, HostId from, const Message& msg) {
  fabsim::BroadcastReply reply;
  if (!reply.ParseFromString(*msg.payload)) return;
  auto it = pending_.find(reply.tx_id());
  if (it == pending_.end() || it->second.stage != Stage::kBroadcasting) return;
  Pending& p = it->second;
  if (from != config_.orderers[p.orderer_index]) return;  // a previous attempt's orderer
  const int32_t status = reply.response().status();
  if (status != common::SUCCESS)
    return broadcast_failed(ctx, reply.tx_id(), p, kFailureBroadcastRejected, status);
  ctx.emit(kEventOrdered, p.attempts, p.request_id);
  p.stage = Stage::kAwaitingCommit;
  p.acked_at = ctx.now();
  arm(ctx, reply.tx_id(), p, config_.commit_timeout);
}

void ClientProcess::on_block_event(NodeContext& ctx, HostId from, const Message& msg) {
  bool from_event_peer = false;
  for (size_t c = 0; c < config_.channels.size(); ++c) from_event_peer = from_event_peer || from == event_peer(c);
  if (!from_event_peer) return;
  ctx.charge(config_.costs.block_event);
  fabsim::BlockEvent event;
  if (!event.ParseFromString(*msg.payload)) return;
  size_t channel = 0;
  while (channel < config_.channels.size() && config_.channels[channel].channel_id != event.channel_id()) ++channel;
  if (channel == config_.channels.size() || from != event_peer(channel)) return;
  streams_[channel].seen = true;
  note_block(ctx, channel, event.number());
  for (const auto& tx : event.transactions()) {
    auto it = pending_.find(tx.tx_id());
    if (it == pending_.end() || it->second.stage == Stage::kEndorsing) continue;
    ctx.emit(kEventBlock, static_cast<int64_t>(event.number()), it->second.request_id, ClientBlockEvent{from});
    finish(ctx, tx.tx_id(), kEventCommitted, tx.validation_code());
  }
}

void ClientProcess::on_timer(NodeContext& ctx, TimerId id, uint64_t tag) {
  if (tag == kTagEventWatchdog) return event_watchdog(ctx);
  auto owner = timer_owner_.find(id);
  if (owner == timer_owner_.end()) return;
  const std::string tx_id = owner->second;
  timer_owner_.erase(owner);
  auto it = pending_.find(tx_id);
  FABSIM_ASSERT_MSG(it != pending_.end() && it->second.timer == id, "timer of a finished transaction fired");
  Pending& p = it->second;
  p.timer = 0;
  switch (tag) {
    case kTagEndorsement:
      if (retry_endorsement(ctx, tx_id, p)) return;
      return finish(ctx, tx_id, kFailureEndorsementTimeout, static_cast<int64_t>(p.responses_received));
    case kTagBroadcast:
      return broadcast_failed(ctx, tx_id, p, kFailureBroadcastTimeout, p.attempts);
    case kTagCommit:
      return finish(ctx, tx_id, kFailureCommitTimeout, 0);
    default:
      FABSIM_ASSERT_MSG(false, "unknown client timer tag");
  }
}

std::vector<bool> ClientProcess::avoided(const std::string& chaincode, Time now) const {
  const auto& candidates = config_.chaincodes.at(chaincode).candidates;
  std::vector<bool> out(candidates.size(), false);
  for (size_t i = 0; i < candidates.size(); ++i) {
    auto it = avoid_until_.find(candidates[i].host);
    out[i] = it != avoid_until_.end() && now < it->second;
  }
  return out;
}

bool ClientProcess::retry_endorsement(NodeContext& ctx, const std::string& tx_id, Pending& p) {
  if (config_.endorser_backoff <= Duration::zero() || p.candidates.empty()) return false;
  for (size_t slot = 0; slot < p.endorsers.size(); ++slot)
    if (!p.responses[slot]) avoid_until_[p.endorsers[slot]] = ctx.now() + config_.endorser_backoff;
  if (p.endorse_attempts >= config_.endorsement_attempts_max) return false;
  // A replacement for every silent slot: another member of its class, not in use, not avoided.
  const EndorserPlan& plan = plans_.at(p.chaincode);
  const auto& candidates = config_.chaincodes.at(p.chaincode).candidates;
  const std::vector<bool> avoid = avoided(p.chaincode, ctx.now());
  std::vector<size_t> next = p.candidates;
  for (size_t slot = 0; slot < next.size(); ++slot) {
    if (p.responses[slot]) continue;
    const auto& members = plan.classes[plan.class_of[next[slot]]];
    auto alt = std::find_if(members.begin(), members.end(), [&](size_t m) {
      return !avoid[m] && std::find(next.begin(), next.end(), m) == next.end();
    });
    if (alt == members.end()) return false;
    next[slot] = *alt;
  }
  ++p.endorse_attempts;
  const Message proposal = make_message(kProposal, p.proposal.signed_proposal);
  for (size_t slot = 0; slot < next.size(); ++slot) {
    if (p.responses[slot]) continue;
    p.candidates[slot] = next[slot];
    p.endorsers[slot] = candidates[next[slot]].host;
    ctx.send(p.endorsers[slot], proposal);
  }
  ctx.emit(kEventEndorsementRetry, static_cast<int64_t>(p.endorse_attempts), p.request_id);
  arm(ctx, tx_id, p, config_.endorsement_timeout);
  return true;
}

void ClientProcess::arm(NodeContext& ctx, const std::string& tx_id, Pending& p, Duration after) {
  if (p.timer != 0) {
    ctx.cancel_timer(p.timer);
    timer_owner_.erase(p.timer);
  }
  const uint64_t tag = p.stage == Stage::kEndorsing ? kTagEndorsement
                       : p.stage == Stage::kBroadcasting ? kTagBroadcast
                                                         : kTagCommit;
  p.timer = ctx.set_timer(after, tag);
  timer_owner_.emplace(p.timer, tx_id);
}

void ClientProcess::finish(NodeContext& ctx, const std::string& tx_id, const char* event, int64_t value,
                           std::string message) {
  auto it = pending_.find(tx_id);
  FABSIM_ASSERT(it != pending_.end());
  if (it->second.timer != 0) {
    ctx.cancel_timer(it->second.timer);
    timer_owner_.erase(it->second.timer);
  }
  if (std::string_view(event).starts_with(kFailurePrefix))
    ctx.emit(event, value, it->second.request_id, ClientFailure{std::move(message)});
  else
    ctx.emit(event, value, it->second.request_id);
  pending_.erase(it);
}

}  // namespace fabsim::model::client
