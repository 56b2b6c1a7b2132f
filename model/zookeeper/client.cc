#include "model/zookeeper/client.h"

#include "core/assert.h"
#include "model/protocol.h"
#include "model/zookeeper/protocol.h"

namespace fabsim::zookeeper {

ZkClient::ZkClient(ClientConfig config, uint64_t timer_tag_base)
    : config_(std::move(config)), tag_base_(timer_tag_base), negotiated_(config_.session_timeout) {
  FABSIM_ASSERT_MSG(!config_.servers.empty(), "a ZooKeeper client needs servers");
}

Duration ZkClient::ping_interval() const {
  const Duration half = Duration::nanos(read_timeout().ns / 2);
  return half > Duration::seconds(1) ? half - Duration::seconds(1) : half;
}

void ZkClient::cancel(NodeContext& ctx, TimerId& id) {
  if (id != 0) ctx.cancel_timer(id);
  id = 0;
}

void ZkClient::start(NodeContext& ctx) {
  current_ = ctx.rng("zk-client").uniform_u64(config_.servers.size());
  connect(ctx);
}

void ZkClient::connect(NodeContext& ctx) {
  state_ = State::kConnecting;
  zk::ConnectRequest req;
  req.set_session_id(session_);
  req.set_timeout_ms(static_cast<int32_t>(config_.session_timeout.ns / 1'000'000));
  req.set_last_zxid_seen(last_zxid_);
  for (const auto& p : data_watches_) req.add_data_watches(p);
  for (const auto& p : exist_watches_) req.add_exist_watches(p);
  for (const auto& p : child_watches_) req.add_child_watches(p);
  ctx.send(server(), model::make_message(kZkConnect, req));
  const Duration attempt = Duration::nanos((session_ != 0 ? negotiated_ : config_.session_timeout).ns /
                                           static_cast<int64_t>(config_.servers.size()));
  cancel(ctx, connect_timer_);
  connect_timer_ = ctx.set_timer(attempt, tag_base_ + kConnectTimeout);
}

void ZkClient::next_server(NodeContext& ctx) {
  cancel(ctx, connect_timer_);
  cancel(ctx, read_timer_);
  cancel(ctx, ping_timer_);
  current_ = (current_ + 1) % config_.servers.size();
  state_ = State::kPausing;
  const Duration pause = Duration::millis(static_cast<int64_t>(ctx.rng("zk-client").uniform_u64(1000)));
  pause_timer_ = ctx.set_timer(pause, tag_base_ + kPause);
}

void ZkClient::disconnected(NodeContext& ctx) {
  for (auto& [xid, p] : pending_) p.sent = false;
  if (!told_disconnected_ && session_ != 0) {
    told_disconnected_ = true;
    ctx.emit("zk.client.disconnected", session_);
    tell(ctx, Event::kDisconnected);
  }
  next_server(ctx);
}

void ZkClient::heard(NodeContext& ctx) { last_heard_ = ctx.now(); }

void ZkClient::on_connected(NodeContext& ctx, const zk::ConnectResponse& r) {
  cancel(ctx, connect_timer_);
  if (r.session_id() == 0) {
    // The session expired: fail what waits on it, forget its watches, start a new one.
    const int64_t old = session_;
    session_ = 0;
    told_disconnected_ = false;
    data_watches_.clear();
    exist_watches_.clear();
    child_watches_.clear();
    std::map<int64_t, Pending> failed;
    failed.swap(pending_);
    ctx.emit("zk.client.expired", old);
    tell(ctx, Event::kExpired);
    for (auto& [xid, p] : failed) {
      zk::Response resp;
      resp.set_xid(xid);
      resp.set_code(zk::SESSION_EXPIRED);
      if (p.callback) p.callback(ctx, resp);
    }
    connect(ctx);
    return;
  }
  const bool fresh = session_ != r.session_id();
  session_ = r.session_id();
  negotiated_ = Duration::millis(r.timeout_ms());
  state_ = State::kConnected;
  told_disconnected_ = false;
  heard(ctx);
  read_timer_ = ctx.set_timer(read_timeout(), tag_base_ + kReadCheck);
  ping_timer_ = ctx.set_timer(ping_interval(), tag_base_ + kPingTag);
  ctx.emit("zk.client.connected", session_, fresh ? "new session" : "resumed");
  for (auto& [xid, p] : pending_) {
    p.request.set_session_id(session_);
    ctx.send(server(), model::make_message(kZkRequest, p.request));
    p.sent = true;
  }
  tell(ctx, Event::kConnected);
}

void ZkClient::on_response(NodeContext& ctx, const zk::Response& r) {
  last_zxid_ = std::max(last_zxid_, r.zxid());
  auto it = pending_.find(r.xid());
  if (it == pending_.end()) return;
  Pending p = std::move(it->second);
  pending_.erase(it);
  const zk::Op& op = p.request.op();
  if (op.watch()) {
    if (op.type() == zk::Op::GET_DATA && r.code() == zk::OK) data_watches_.insert(op.path());
    if (op.type() == zk::Op::EXISTS) (r.code() == zk::OK ? data_watches_ : exist_watches_).insert(op.path());
    if (op.type() == zk::Op::GET_CHILDREN && r.code() == zk::OK) child_watches_.insert(op.path());
  }
  if (p.callback) p.callback(ctx, r);
}

void ZkClient::on_watch(NodeContext& ctx, const zk::WatchEvent& e) {
  switch (e.type()) {
    case zk::WatchEvent::CLOSED:
      if (state_ == State::kConnecting || state_ == State::kConnected) disconnected(ctx);
      return;
    case zk::WatchEvent::CREATED: exist_watches_.erase(e.path()); data_watches_.erase(e.path()); break;
    case zk::WatchEvent::DATA_CHANGED: data_watches_.erase(e.path()); break;
    case zk::WatchEvent::CHILDREN_CHANGED: child_watches_.erase(e.path()); break;
    case zk::WatchEvent::DELETED:
      data_watches_.erase(e.path());
      child_watches_.erase(e.path());
      break;
    default: return;
  }
  tell(ctx, Event::kWatch, &e);
}

bool ZkClient::on_message(NodeContext& ctx, HostId from, const Message& msg) {
  if (!is_zookeeper_message(msg.kind)) return false;
  if (from != server() || !msg.payload) return true;  // a stale connection's
  switch (msg.kind) {
    case kZkConnected: {
      zk::ConnectResponse r;
      if (state_ == State::kConnecting && protoutil::parse(&r, *msg.payload)) on_connected(ctx, r);
      return true;
    }
    case kZkResponse: {
      zk::Response r;
      if (state_ != State::kConnected || !protoutil::parse(&r, *msg.payload)) return true;
      heard(ctx);
      on_response(ctx, r);
      return true;
    }
    case kZkPong:
      if (state_ == State::kConnected) heard(ctx);
      return true;
    case kZkWatch: {
      zk::WatchEvent e;
      if (!protoutil::parse(&e, *msg.payload)) return true;
      if (e.type() != zk::WatchEvent::CLOSED && state_ != State::kConnected) return true;
      if (state_ == State::kConnected) heard(ctx);
      on_watch(ctx, e);
      return true;
    }
    default: return true;
  }
}

bool ZkClient::on_timer(NodeContext& ctx, uint64_t tag) {
  if (tag < tag_base_ || tag >= tag_base_ + kTimerTags) return false;
  switch (tag - tag_base_) {
    case kConnectTimeout:
      connect_timer_ = 0;
      if (state_ == State::kConnecting) disconnected(ctx);
      break;
    case kPause:
      pause_timer_ = 0;
      if (state_ == State::kPausing) connect(ctx);
      break;
    case kReadCheck: {
      read_timer_ = 0;
      if (state_ != State::kConnected) break;
      const Duration quiet = ctx.now() - last_heard_;
      if (quiet >= read_timeout()) {
        disconnected(ctx);
      } else {
        read_timer_ = ctx.set_timer(read_timeout() - quiet, tag_base_ + kReadCheck);
      }
      break;
    }
    case kPingTag: {
      ping_timer_ = 0;
      if (state_ != State::kConnected) break;
      zk::Ping p;
      p.set_session_id(session_);
      ctx.send(server(), model::make_message(kZkPing, p));
      ping_timer_ = ctx.set_timer(ping_interval(), tag_base_ + kPingTag);
      break;
    }
    default: break;
  }
  return true;
}

void ZkClient::submit(NodeContext& ctx, zk::Op op, Callback cb) {
  const int64_t xid = next_xid_++;
  Pending& p = pending_[xid];
  p.request.set_xid(xid);
  p.request.set_session_id(session_);
  *p.request.mutable_op() = std::move(op);
  p.callback = std::move(cb);
  if (state_ == State::kConnected) {
    ctx.send(server(), model::make_message(kZkRequest, p.request));
    p.sent = true;
  }
}

namespace {
zk::Op make_op(zk::Op::Type type, const std::string& path) {
  zk::Op op;
  op.set_type(type);
  op.set_path(path);
  op.set_version(-1);
  return op;
}
}  // namespace

void ZkClient::create(NodeContext& ctx, const std::string& path, std::string data, bool ephemeral, bool sequential,
                      Callback cb) {
  zk::Op op = make_op(zk::Op::CREATE, path);
  op.set_data(std::move(data));
  op.set_ephemeral(ephemeral);
  op.set_sequential(sequential);
  submit(ctx, std::move(op), std::move(cb));
}

void ZkClient::remove(NodeContext& ctx, const std::string& path, int32_t version, Callback cb) {
  zk::Op op = make_op(zk::Op::DELETE, path);
  op.set_version(version);
  submit(ctx, std::move(op), std::move(cb));
}

void ZkClient::set_data(NodeContext& ctx, const std::string& path, std::string data, int32_t version, Callback cb) {
  zk::Op op = make_op(zk::Op::SET_DATA, path);
  op.set_data(std::move(data));
  op.set_version(version);
  submit(ctx, std::move(op), std::move(cb));
}

void ZkClient::read(NodeContext& ctx, zk::Op::Type type, const std::string& path, bool watch, Callback cb) {
  zk::Op op = make_op(type, path);
  op.set_watch(watch);
  submit(ctx, std::move(op), std::move(cb));
}

void ZkClient::get_data(NodeContext& ctx, const std::string& path, bool watch, Callback cb) {
  read(ctx, zk::Op::GET_DATA, path, watch, std::move(cb));
}

void ZkClient::exists(NodeContext& ctx, const std::string& path, bool watch, Callback cb) {
  read(ctx, zk::Op::EXISTS, path, watch, std::move(cb));
}

void ZkClient::get_children(NodeContext& ctx, const std::string& path, bool watch, Callback cb) {
  read(ctx, zk::Op::GET_CHILDREN, path, watch, std::move(cb));
}

}  // namespace fabsim::zookeeper
