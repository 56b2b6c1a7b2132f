#include "model/zookeeper/server.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/assert.h"
#include "model/protocol.h"
#include "model/zookeeper/protocol.h"

namespace fabsim::zookeeper {
namespace {

constexpr uint64_t kTickTag = 1;
constexpr uint64_t kFinalizeTag = 2;
// How long a looking server with a majority of votes waits for the rest (FastLeaderElection's
// finalizeWait).
constexpr Duration kFinalizeWait = Duration::millis(200);
constexpr const char* kEpochKey = "zk/epoch";
constexpr const char* kSnapKey = "zk/snap";
constexpr const char* kTxnPrefix = "zk/txn/";
constexpr size_t kTxnsPerSnapshot = 1000;  // bound on the replayed log

std::string txn_key(int64_t zxid) { return fmt::format("{}{:020d}", kTxnPrefix, zxid); }

template <typename M>
bool parse_payload(M* m, const Message& msg) {
  return msg.payload && protoutil::parse(m, *msg.payload);
}

}  // namespace

ZkServer::ZkServer(ServerConfig config, const DurableStore& store, HostId self)
    : config_(std::move(config)), self_host_(self) {
  const auto idx = server_index(self);
  FABSIM_ASSERT_MSG(idx.has_value(), "a ZooKeeper server must be in its ensemble");
  self_ = *idx;
  if (auto e = store.get(kEpochKey)) epoch_ = std::stoll(*e);
  if (auto s = store.get(kSnapKey)) {
    zk::Snapshot snap;
    FABSIM_ASSERT(snap.ParseFromString(*s));
    tree_.restore(snap);
  }
  // Replay the logged proposals after the snapshot, as ZooKeeper loads its txn log.
  for (auto it = store.kv().lower_bound(kTxnPrefix); it != store.kv().end() && it->first.starts_with(kTxnPrefix); ++it) {
    zk::Txn txn;
    FABSIM_ASSERT(txn.ParseFromString(it->second));
    ++persisted_txns_;
    if (txn.zxid() > tree_.last_zxid()) tree_.apply(txn);
  }
}

std::optional<uint32_t> ZkServer::server_index(HostId h) const {
  for (uint32_t i = 0; i < config_.ensemble.size(); ++i)
    if (config_.ensemble[i] == h) return i;
  return std::nullopt;
}

int64_t ZkServer::last_logged_zxid() const {
  return logged_.empty() ? tree_.last_zxid() : std::max(tree_.last_zxid(), logged_.rbegin()->first);
}

zk::Vote ZkServer::my_vote() const {
  zk::Vote v;
  v.set_server(self_);
  v.set_epoch(epoch_);
  v.set_last_zxid(last_logged_zxid());
  v.set_looking(role_ == Role::kLooking);
  v.set_leader(role_ == Role::kLeading ? self_ : leader_);
  return v;
}

void ZkServer::send_to_server(NodeContext& ctx, uint32_t server, uint32_t kind, const google::protobuf::MessageLite& m) {
  ctx.send(config_.ensemble.at(server), Message{kind, make_bytes(protoutil::marshal(m))});
}

int32_t ZkServer::negotiate(int32_t asked_ms) const {
  const int64_t tick_ms = config_.tick.ns / 1'000'000;
  const int64_t lo = config_.min_session_timeout.ns > 0 ? config_.min_session_timeout.ns / 1'000'000 : 2 * tick_ms;
  const int64_t hi = config_.max_session_timeout.ns > 0 ? config_.max_session_timeout.ns / 1'000'000 : 20 * tick_ms;
  return static_cast<int32_t>(std::clamp<int64_t>(asked_ms, lo, hi));
}

// ---- roles ------------------------------------------------------------------------------

void ZkServer::on_start(NodeContext& ctx) {
  ctx.set_timer(half_tick(), kTickTag);
  enter_looking(ctx);
}

void ZkServer::enter_looking(NodeContext& ctx) {
  if (established_ || role_ != Role::kLooking) ctx.emit("zk.looking", self_);
  close_clients(ctx);
  role_ = Role::kLooking;
  established_ = false;
  role_since_ = ctx.now();
  votes_.clear();
  if (finalize_timer_ != 0) ctx.cancel_timer(finalize_timer_);
  finalize_timer_ = 0;
  followers_.clear();
  last_heard_.clear();
  queue_.clear();
  in_flight_.reset();
  expiry_.clear();
  closing_.clear();
  touched_.clear();
  const zk::Vote v = my_vote();
  votes_[self_] = v;
  for (uint32_t s = 0; s < config_.ensemble.size(); ++s)
    if (s != self_) send_to_server(ctx, s, kZkVote, v);
  evaluate_votes(ctx, false);
}

void ZkServer::on_vote(NodeContext& ctx, const zk::Vote& v) {
  if (role_ != Role::kLooking) {
    if (v.looking()) send_to_server(ctx, v.server(), kZkVote, my_vote());
    return;
  }
  if (!v.looking()) {
    // It leads, or follows a leader: join that leader (asking it, if the sender follows).
    if (v.leader() == v.server()) {
      follow(ctx, v.server());
    } else if (v.leader() != self_) {
      send_to_server(ctx, v.leader(), kZkVote, my_vote());
    }
    return;
  }
  votes_[v.server()] = v;
  evaluate_votes(ctx, false);
}

void ZkServer::evaluate_votes(NodeContext& ctx, bool final) {
  if (votes_.size() < quorum()) return;
  if (!final && votes_.size() < config_.ensemble.size()) {
    if (finalize_timer_ == 0) finalize_timer_ = ctx.set_timer(kFinalizeWait, kFinalizeTag);
    return;
  }
  if (finalize_timer_ != 0) ctx.cancel_timer(finalize_timer_);
  finalize_timer_ = 0;
  uint32_t best = self_;
  for (const auto& [s, v] : votes_) {
    const zk::Vote& b = votes_.at(best);
    if (std::pair(v.last_zxid(), s) > std::pair(b.last_zxid(), best)) best = s;
  }
  if (best != self_) {
    follow(ctx, best);
    return;
  }
  role_ = Role::kLeading;
  established_ = false;
  leader_ = self_;
  role_since_ = ctx.now();
  new_epoch_ = epoch_ + 1;
  for (const auto& [s, v] : votes_) new_epoch_ = std::max(new_epoch_, v.epoch() + 1);
  followers_.clear();
  last_heard_.clear();
  if (quorum() == 1) establish(ctx);
}

void ZkServer::follow(NodeContext& ctx, uint32_t leader) {
  role_ = Role::kFollowing;
  established_ = false;
  leader_ = leader;
  role_since_ = ctx.now();
  zk::FollowerInfo fi;
  fi.set_epoch(epoch_);
  fi.set_last_zxid(last_logged_zxid());
  send_to_server(ctx, leader, kZkFollowerInfo, fi);
}

void ZkServer::on_follower_info(NodeContext& ctx, uint32_t from, const zk::FollowerInfo& fi) {
  if (role_ == Role::kLooking) {
    // It chose us before we decided: tell it who we are once we lead.
    send_to_server(ctx, from, kZkVote, my_vote());
    return;
  }
  if (role_ != Role::kLeading) return;
  followers_.insert(from);
  last_heard_[from] = ctx.now();
  if (!established_) {
    new_epoch_ = std::max(new_epoch_, fi.epoch() + 1);
    if (followers_.size() + 1 >= quorum()) establish(ctx);
    return;
  }
  zk::NewLeader nl;
  nl.set_epoch(epoch_);
  nl.set_snapshot(protoutil::marshal(tree_.snapshot(epoch_)));
  send_to_server(ctx, from, kZkNewLeader, nl);
}

void ZkServer::establish(NodeContext& ctx) {
  // Commit what this server logged (ZAB commits the new leader's history), take the epoch.
  for (const auto& [zxid, txn] : logged_) fire(ctx, tree_.apply(txn));
  logged_.clear();
  epoch_ = new_epoch_;
  counter_ = 0;
  ctx.persist(kEpochKey, std::to_string(epoch_));
  const zk::Snapshot snap = tree_.snapshot(epoch_);
  const std::string bytes = protoutil::marshal(snap);
  ctx.persist(kSnapKey, bytes);
  established_ = true;
  for (const auto& [id, timeout] : tree_.sessions()) touch(ctx, id);
  zk::NewLeader nl;
  nl.set_epoch(epoch_);
  nl.set_snapshot(bytes);
  for (uint32_t f : followers_) send_to_server(ctx, f, kZkNewLeader, nl);
  ctx.emit("zk.leading", self_, fmt::format("epoch={}", epoch_));
}

void ZkServer::on_new_leader(NodeContext& ctx, uint32_t from, const zk::NewLeader& nl) {
  if (role_ != Role::kFollowing || from != leader_) return;
  zk::Snapshot snap;
  FABSIM_ASSERT(snap.ParseFromString(nl.snapshot()));
  tree_.restore(snap);
  logged_.clear();
  epoch_ = nl.epoch();
  ctx.persist(kEpochKey, std::to_string(epoch_));
  ctx.persist(kSnapKey, nl.snapshot());
  for (auto it = ctx.store().kv().lower_bound(kTxnPrefix);
       it != ctx.store().kv().end() && it->first.starts_with(kTxnPrefix); ++it)
    ctx.erase(it->first);
  persisted_txns_ = 0;
  established_ = true;
  leader_heard_ = ctx.now();
  ctx.emit("zk.following", self_, fmt::format("leader={} epoch={}", leader_, epoch_));
}

void ZkServer::tick(NodeContext& ctx) {
  const Duration sync = config_.tick * config_.sync_limit;
  const Duration init = config_.tick * config_.init_limit;
  switch (role_) {
    case Role::kLooking: {
      // A new round: announce again; stale votes are forgotten.
      votes_.clear();
      votes_[self_] = my_vote();
      for (uint32_t s = 0; s < config_.ensemble.size(); ++s)
        if (s != self_) send_to_server(ctx, s, kZkVote, votes_[self_]);
      break;
    }
    case Role::kFollowing:
      if (!established_ ? ctx.now() - role_since_ > init : ctx.now() - leader_heard_ > sync) enter_looking(ctx);
      break;
    case Role::kLeading: {
      if (!established_) {
        if (ctx.now() - role_since_ > init) enter_looking(ctx);
        break;
      }
      size_t heard = 1;
      for (uint32_t f : followers_)
        if (ctx.now() - last_heard_[f] <= sync) ++heard;
      if (heard < quorum()) {
        enter_looking(ctx);
        break;
      }
      zk::LeaderPing ping;
      ping.set_epoch(epoch_);
      for (uint32_t f : followers_) send_to_server(ctx, f, kZkLeaderPing, ping);
      expire_sessions(ctx);
      break;
    }
  }
}

// ---- writes -----------------------------------------------------------------------------

void ZkServer::submit(NodeContext& ctx, const zk::Forward& fwd) {
  queue_.push_back(fwd);
  pump(ctx);
}

void ZkServer::refuse(NodeContext& ctx, uint32_t origin, const zk::Request& req, zk::Code code) {
  zk::Refusal r;
  r.set_session_id(req.session_id());
  r.mutable_response()->set_xid(req.xid());
  r.mutable_response()->set_code(code);
  r.mutable_response()->set_zxid(tree_.last_zxid());
  if (origin == self_) {
    if (auto it = connections_.find(req.session_id()); it != connections_.end())
      ctx.send(it->second, model::make_message(kZkResponse, r.response()));
    return;
  }
  send_to_server(ctx, origin, kZkRefusal, r);
}

void ZkServer::pump(NodeContext& ctx) {
  while (!in_flight_ && !queue_.empty()) {
    const zk::Forward fwd = std::move(queue_.front());
    queue_.pop_front();
    const zk::Request& req = fwd.request();
    const bool session_op = req.op().type() == zk::Op::CREATE_SESSION;
    if (!session_op && !tree_.has_session(req.session_id())) {
      refuse(ctx, fwd.origin_server(), req, zk::SESSION_EXPIRED);
      continue;
    }
    DataTree::Prepared p = tree_.prepare(req.op(), req.session_id());
    if (p.code != zk::OK) {
      refuse(ctx, fwd.origin_server(), req, p.code);
      continue;
    }
    p.txn.set_zxid((epoch_ << 32) | ++counter_);
    p.txn.set_origin_server(fwd.origin_server());
    p.txn.set_xid(req.xid());
    p.txn.set_requester(req.session_id());
    log_txn(ctx, p.txn);
    in_flight_ = InFlight{p.txn, {self_}};
    zk::Proposal prop;
    *prop.mutable_txn() = p.txn;
    for (uint32_t f : followers_) send_to_server(ctx, f, kZkProposal, prop);
    if (in_flight_->acks.size() >= quorum()) {
      const zk::Txn txn = in_flight_->txn;
      in_flight_.reset();
      commit(ctx, txn);
    }
  }
}

void ZkServer::log_txn(NodeContext& ctx, const zk::Txn& txn) {
  logged_[txn.zxid()] = txn;
  ctx.persist(txn_key(txn.zxid()), protoutil::marshal(txn));
  ++persisted_txns_;
}

void ZkServer::commit(NodeContext& ctx, const zk::Txn& txn) {
  logged_.erase(txn.zxid());
  if (txn.zxid() <= tree_.last_zxid()) return;  // in the snapshot already
  fire(ctx, tree_.apply(txn));
  if (role_ == Role::kLeading) {
    zk::Commit c;
    *c.mutable_txn() = txn;
    for (uint32_t f : followers_) send_to_server(ctx, f, kZkCommit, c);
    if (txn.type() == zk::Txn::CREATE_SESSION) touch(ctx, txn.session_id());
    if (txn.type() == zk::Txn::CLOSE_SESSION) {
      expiry_.erase(txn.session_id());
      closing_.erase(txn.session_id());
    }
  }
  if (txn.type() == zk::Txn::CLOSE_SESSION) {
    if (auto it = connections_.find(txn.session_id()); it != connections_.end()) {
      notify(ctx, txn.session_id(), zk::WatchEvent::CLOSED, "");
      connections_.erase(it);
    }
  }
  reply_for(ctx, txn);
  if (persisted_txns_ >= kTxnsPerSnapshot && logged_.empty()) {
    ctx.persist(kSnapKey, protoutil::marshal(tree_.snapshot(epoch_)));
    for (auto it = ctx.store().kv().lower_bound(kTxnPrefix);
         it != ctx.store().kv().end() && it->first.starts_with(kTxnPrefix); ++it)
      ctx.erase(it->first);
    persisted_txns_ = 0;
  }
}

void ZkServer::reply_for(NodeContext& ctx, const zk::Txn& txn) {
  if (txn.origin_server() != self_) return;
  if (txn.type() == zk::Txn::CREATE_SESSION) {
    auto it = pending_connects_.find(txn.xid());
    if (it == pending_connects_.end()) return;
    const HostId client = it->second.client;
    pending_connects_.erase(it);
    connections_[txn.session_id()] = client;
    zk::ConnectResponse r;
    r.set_session_id(txn.session_id());
    r.set_timeout_ms(txn.timeout_ms());
    ctx.send(client, model::make_message(kZkConnected, r));
    return;
  }
  if (txn.type() == zk::Txn::CLOSE_SESSION) return;  // the tracker's, no client waits
  auto it = connections_.find(txn.requester());
  if (it == connections_.end()) return;
  const HostId client = it->second;
  zk::Response r;
  r.set_xid(txn.xid());
  r.set_code(zk::OK);
  r.set_zxid(txn.zxid());
  r.set_path(txn.path());
  if (const DataTree::Node* n = tree_.find(txn.path())) *r.mutable_stat() = n->stat;
  ctx.send(client, model::make_message(kZkResponse, r));
}

// ---- dispatch ---------------------------------------------------------------------------

void ZkServer::on_timer(NodeContext& ctx, TimerId, uint64_t tag) {
  if (tag == kFinalizeTag) {
    finalize_timer_ = 0;
    if (role_ == Role::kLooking) evaluate_votes(ctx, true);
    return;
  }
  if (tag != kTickTag) return;
  ctx.set_timer(half_tick(), kTickTag);
  tick(ctx);
}

void ZkServer::on_message(NodeContext& ctx, HostId from, const Message& msg) {
  const std::optional<uint32_t> peer = server_index(from);
  switch (msg.kind) {
    case kZkConnect: {
      zk::ConnectRequest r;
      if (parse_payload(&r, msg)) on_connect(ctx, from, r);
      return;
    }
    case kZkRequest: {
      zk::Request r;
      if (parse_payload(&r, msg)) on_request(ctx, from, r);
      return;
    }
    case kZkPing: {
      zk::Ping p;
      if (!parse_payload(&p, msg) || !established_) return;
      auto it = connections_.find(p.session_id());
      if (it == connections_.end() || it->second != from) return;
      touch(ctx, p.session_id());
      zk::Pong pong;
      pong.set_session_id(p.session_id());
      ctx.send(from, model::make_message(kZkPong, pong));
      return;
    }
    default: break;
  }
  if (!peer) return;  // server-to-server kinds from a stranger
  switch (msg.kind) {
    case kZkVote: {
      zk::Vote v;
      if (parse_payload(&v, msg)) on_vote(ctx, v);
      return;
    }
    case kZkFollowerInfo: {
      zk::FollowerInfo fi;
      if (parse_payload(&fi, msg)) on_follower_info(ctx, *peer, fi);
      return;
    }
    case kZkNewLeader: {
      zk::NewLeader nl;
      if (parse_payload(&nl, msg)) on_new_leader(ctx, *peer, nl);
      return;
    }
    case kZkProposal: {
      zk::Proposal p;
      if (!parse_payload(&p, msg) || role_ != Role::kFollowing || !established_ || *peer != leader_) return;
      log_txn(ctx, p.txn());
      zk::Ack a;
      a.set_zxid(p.txn().zxid());
      send_to_server(ctx, *peer, kZkAck, a);
      return;
    }
    case kZkAck: {
      zk::Ack a;
      if (!parse_payload(&a, msg) || role_ != Role::kLeading || !in_flight_ || in_flight_->txn.zxid() != a.zxid()) return;
      in_flight_->acks.insert(*peer);
      if (in_flight_->acks.size() >= quorum()) {
        const zk::Txn txn = in_flight_->txn;
        in_flight_.reset();
        commit(ctx, txn);
        pump(ctx);
      }
      return;
    }
    case kZkCommit: {
      zk::Commit c;
      if (!parse_payload(&c, msg) || role_ != Role::kFollowing || !established_ || *peer != leader_) return;
      commit(ctx, c.txn());
      return;
    }
    case kZkForward: {
      zk::Forward f;
      if (parse_payload(&f, msg) && role_ == Role::kLeading && established_) submit(ctx, f);
      return;
    }
    case kZkRefusal: {
      zk::Refusal r;
      if (!parse_payload(&r, msg)) return;
      if (auto it = connections_.find(r.session_id()); it != connections_.end())
        ctx.send(it->second, model::make_message(kZkResponse, r.response()));
      return;
    }
    case kZkLeaderPing: {
      zk::LeaderPing p;
      if (!parse_payload(&p, msg) || role_ != Role::kFollowing || *peer != leader_) return;
      leader_heard_ = ctx.now();
      zk::LeaderPong pong;
      pong.set_epoch(p.epoch());
      for (int64_t s : touched_) pong.add_touched(s);
      touched_.clear();
      send_to_server(ctx, *peer, kZkLeaderPong, pong);
      return;
    }
    case kZkLeaderPong: {
      zk::LeaderPong p;
      if (!parse_payload(&p, msg) || role_ != Role::kLeading || !followers_.contains(*peer)) return;
      last_heard_[*peer] = ctx.now();
      for (int64_t s : p.touched()) touch(ctx, s);
      return;
    }
    case kZkRevalidate: {
      zk::Revalidate rv;
      if (!parse_payload(&rv, msg) || role_ != Role::kLeading || !established_) return;
      auto it = tree_.sessions().find(rv.session_id());
      const bool valid = it != tree_.sessions().end() && !closing_.contains(rv.session_id());
      if (valid) touch(ctx, rv.session_id());
      zk::RevalidateReply r;
      r.set_session_id(rv.session_id());
      r.set_valid(valid);
      r.set_client(rv.client());
      r.set_timeout_ms(valid ? it->second : 0);
      send_to_server(ctx, *peer, kZkRevalidateReply, r);
      return;
    }
    case kZkRevalidateReply: {
      zk::RevalidateReply r;
      if (parse_payload(&r, msg) && established_)
        finish_reconnect(ctx, static_cast<HostId>(r.client()), r.session_id(), r.valid(), r.timeout_ms());
      return;
    }
    default: return;
  }
}

ProcessFactory zk_server_factory(ServerConfig config) {
  return [config](HostId self, const DurableStore& store) { return std::make_unique<ZkServer>(config, store, self); };
}

}  // namespace fabsim::zookeeper
