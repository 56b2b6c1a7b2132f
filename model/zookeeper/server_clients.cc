// ZkServer's client side: sessions (touches, expiry), connections and reconnections, reads,
// and watches. See server.h.
#include <fmt/format.h>

#include "core/assert.h"
#include "model/protocol.h"
#include "model/zookeeper/protocol.h"
#include "model/zookeeper/server.h"

namespace fabsim::zookeeper {

void ZkServer::touch(NodeContext& ctx, int64_t session) {
  if (role_ == Role::kFollowing) {
    touched_.insert(session);
    return;
  }
  if (role_ != Role::kLeading || !established_) return;
  auto it = tree_.sessions().find(session);
  if (it == tree_.sessions().end()) return;
  // ZooKeeper's ExpiryQueue: the first tick boundary after now + timeout.
  const int64_t tick = config_.tick.ns;
  const int64_t deadline = ctx.now().ns + int64_t{it->second} * 1'000'000;
  expiry_[session] = Time::from_ns((deadline / tick + 1) * tick);
}

void ZkServer::expire_sessions(NodeContext& ctx) {
  for (const auto& [session, at] : expiry_) {
    if (at > ctx.now() || closing_.contains(session)) continue;
    closing_.insert(session);
    ctx.emit("zk.session_expired", session);
    zk::Forward fwd;
    fwd.set_origin_server(self_);
    fwd.mutable_request()->set_session_id(session);
    fwd.mutable_request()->mutable_op()->set_type(zk::Op::CLOSE_SESSION);
    queue_.push_back(fwd);
  }
  pump(ctx);
}

void ZkServer::on_connect(NodeContext& ctx, HostId client, const zk::ConnectRequest& req) {
  if (!established_) {
    zk::WatchEvent closed;
    closed.set_type(zk::WatchEvent::CLOSED);
    closed.set_session_id(req.session_id());
    ctx.send(client, model::make_message(kZkWatch, closed));
    return;
  }
  if (req.session_id() == 0) {
    const int64_t xid = next_local_xid_++;
    pending_connects_[xid] = {client, req};
    zk::Forward fwd;
    fwd.set_origin_server(self_);
    fwd.mutable_request()->set_xid(xid);
    fwd.mutable_request()->mutable_op()->set_type(zk::Op::CREATE_SESSION);
    fwd.mutable_request()->mutable_op()->set_timeout_ms(negotiate(req.timeout_ms()));
    if (role_ == Role::kLeading) {
      submit(ctx, fwd);
    } else {
      send_to_server(ctx, leader_, kZkForward, fwd);
    }
    return;
  }
  reconnects_[req.session_id()] = {client, req};
  if (role_ == Role::kLeading) {
    auto it = tree_.sessions().find(req.session_id());
    const bool valid = it != tree_.sessions().end() && !closing_.contains(req.session_id());
    if (valid) touch(ctx, req.session_id());
    finish_reconnect(ctx, client, req.session_id(), valid, valid ? it->second : 0);
    return;
  }
  zk::Revalidate rv;
  rv.set_origin_server(self_);
  rv.set_session_id(req.session_id());
  rv.set_client(client);
  send_to_server(ctx, leader_, kZkRevalidate, rv);
}

void ZkServer::finish_reconnect(NodeContext& ctx, HostId client, int64_t session, bool valid, int32_t timeout_ms) {
  auto it = reconnects_.find(session);
  if (it == reconnects_.end() || it->second.client != client) return;
  const zk::ConnectRequest req = it->second.request;
  reconnects_.erase(it);
  zk::ConnectResponse r;
  r.set_session_id(valid ? session : 0);
  r.set_timeout_ms(timeout_ms);
  ctx.send(client, model::make_message(kZkConnected, r));
  if (!valid) return;
  connections_[session] = client;
  touch(ctx, session);
  rearm_watches(ctx, session, req);
}

void ZkServer::rearm_watches(NodeContext& ctx, int64_t session, const zk::ConnectRequest& req) {
  const int64_t seen = req.last_zxid_seen();
  for (const std::string& p : req.data_watches()) {
    const DataTree::Node* n = tree_.find(p);
    if (n == nullptr) {
      notify(ctx, session, zk::WatchEvent::DELETED, p);
    } else if (n->stat.mzxid() > seen) {
      notify(ctx, session, zk::WatchEvent::DATA_CHANGED, p);
    } else {
      data_watches_[p].insert(session);
    }
  }
  for (const std::string& p : req.exist_watches()) {
    if (tree_.find(p) != nullptr) {
      notify(ctx, session, zk::WatchEvent::CREATED, p);
    } else {
      data_watches_[p].insert(session);
    }
  }
  for (const std::string& p : req.child_watches()) {
    const DataTree::Node* n = tree_.find(p);
    if (n == nullptr) {
      notify(ctx, session, zk::WatchEvent::DELETED, p);
    } else if (n->stat.pzxid() > seen) {
      notify(ctx, session, zk::WatchEvent::CHILDREN_CHANGED, p);
    } else {
      child_watches_[p].insert(session);
    }
  }
}

void ZkServer::on_request(NodeContext& ctx, HostId client, const zk::Request& req) {
  auto conn = connections_.find(req.session_id());
  if (!established_ || conn == connections_.end() || conn->second != client) return;  // the client times out
  touch(ctx, req.session_id());
  const zk::Op& op = req.op();
  if (op.type() == zk::Op::CREATE || op.type() == zk::Op::DELETE || op.type() == zk::Op::SET_DATA) {
    zk::Forward fwd;
    fwd.set_origin_server(self_);
    *fwd.mutable_request() = req;
    if (role_ == Role::kLeading) {
      submit(ctx, fwd);
    } else {
      send_to_server(ctx, leader_, kZkForward, fwd);
    }
    return;
  }
  zk::Response r;
  r.set_xid(req.xid());
  r.set_zxid(tree_.last_zxid());
  r.set_path(op.path());
  const DataTree::Node* n = tree_.find(op.path());
  r.set_code(n != nullptr ? zk::OK : zk::NO_NODE);
  if (n != nullptr) {
    *r.mutable_stat() = n->stat;
    if (op.type() == zk::Op::GET_DATA) r.set_data(n->data);
    if (op.type() == zk::Op::GET_CHILDREN)
      for (const std::string& c : tree_.children(op.path())) r.add_children(c);
  }
  if (op.watch()) {
    if (op.type() == zk::Op::GET_CHILDREN && n != nullptr) child_watches_[op.path()].insert(req.session_id());
    if (op.type() == zk::Op::EXISTS || (op.type() == zk::Op::GET_DATA && n != nullptr))
      data_watches_[op.path()].insert(req.session_id());
  }
  ctx.send(client, model::make_message(kZkResponse, r));
}

void ZkServer::notify(NodeContext& ctx, int64_t session, zk::WatchEvent::Type type, const std::string& path) {
  auto it = connections_.find(session);
  if (it == connections_.end()) return;
  zk::WatchEvent e;
  e.set_type(type);
  e.set_path(path);
  e.set_session_id(session);
  ctx.send(it->second, model::make_message(kZkWatch, e));
}

void ZkServer::fire(NodeContext& ctx, const std::vector<Trigger>& triggers) {
  for (const Trigger& t : triggers) {
    std::set<int64_t> sessions;
    if (t.data_watches) {
      if (auto it = data_watches_.find(t.path); it != data_watches_.end()) {
        sessions.insert(it->second.begin(), it->second.end());
        data_watches_.erase(it);
      }
    }
    if (t.child_watches) {
      if (auto it = child_watches_.find(t.path); it != child_watches_.end()) {
        sessions.insert(it->second.begin(), it->second.end());
        child_watches_.erase(it);
      }
    }
    for (int64_t s : sessions) notify(ctx, s, t.type, t.path);
  }
}

void ZkServer::close_clients(NodeContext& ctx) {
  for (const auto& [session, client] : connections_) {
    zk::WatchEvent e;
    e.set_type(zk::WatchEvent::CLOSED);
    e.set_session_id(session);
    ctx.send(client, model::make_message(kZkWatch, e));
  }
  connections_.clear();
  pending_connects_.clear();
  reconnects_.clear();
  data_watches_.clear();
  child_watches_.clear();
}

}  // namespace fabsim::zookeeper
