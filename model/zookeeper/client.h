// ZkClient: the ZooKeeper client library a process (a Kafka broker) embeds, after
// ZooKeeper's ClientCnxn with the retry behaviour Kafka's ZooKeeper clients add on top.
// It is a component, not a process: its owner hands it every message and timer, and it
// answers through the same NodeContext.
//
//   Connecting. Servers are tried in a shuffled order (ZooKeeper's StaticHostProvider,
//   from the owner's "zk-client" random stream), each for session_timeout / #servers; a
//   refused or closed connection moves to the next server after a random pause of up to
//   1 s (ClientCnxn.startConnect). A new session asks for session_timeout; the server
//   answers with the negotiated one.
//   Connected. readTimeout = 2/3 of the negotiated timeout; a ping goes out every
//   readTimeout/2 - 1 s (readTimeout/2 when that is 1 s or less) — about every second at
//   6 s; nothing heard for readTimeout: Disconnected, and the next server is tried with the
//   same session and the client's watches (SetWatches with the last zxid seen).
//   Expired. A server that finds the session gone answers the reconnect with session 0:
//   the owner is told Expired, requests in flight fail with SESSION_EXPIRED, watches are
//   dropped, and a new session is started at once (Kafka's ZkClient does the same and
//   then calls its handleNewSession). A partitioned client thus learns Expired only when it
//   reaches a server again.
//   Requests. Sent at once when connected, else queued; requests in flight when the
//   connection drops are sent again after the reconnect (Kafka's clients wait for the
//   reconnection and retry; a retried create can meet its own node: NODE_EXISTS). Each
//   request's callback runs once, with the response.
//
// Timer tags: the owner gives a base; the client uses base .. base + 3.
// Ownership: owns its state and callbacks; single-threaded.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/node.h"
#include "core/proto/fabsim/zookeeper.pb.h"

namespace fabsim::zookeeper {

struct ClientConfig {
  std::vector<HostId> servers;                      // the ensemble (connect string)
  Duration session_timeout = Duration::millis(6000);  // zookeeper.session.timeout.ms
};

class ZkClient {
 public:
  enum class Event : uint8_t {
    kConnected,     // a session is usable (new, or resumed after a disconnect)
    kDisconnected,  // the connection was lost; the session may still live
    kExpired,       // the session is gone; a new one is being made
    kWatch,         // a watch fired (the WatchEvent says which)
  };
  using Callback = std::function<void(NodeContext&, const zk::Response&)>;
  using Listener = std::function<void(NodeContext&, Event, const zk::WatchEvent*)>;
  static constexpr uint64_t kTimerTags = 4;

  ZkClient(ClientConfig config, uint64_t timer_tag_base);

  void set_listener(Listener l) { listener_ = std::move(l); }
  void start(NodeContext& ctx);
  // True when the message was ZooKeeper's (handled here).
  bool on_message(NodeContext& ctx, HostId from, const Message& msg);
  // True when the timer was this client's.
  bool on_timer(NodeContext& ctx, uint64_t tag);

  void create(NodeContext& ctx, const std::string& path, std::string data, bool ephemeral, bool sequential, Callback cb);
  void remove(NodeContext& ctx, const std::string& path, int32_t version, Callback cb);
  void set_data(NodeContext& ctx, const std::string& path, std::string data, int32_t version, Callback cb);
  void get_data(NodeContext& ctx, const std::string& path, bool watch, Callback cb);
  void exists(NodeContext& ctx, const std::string& path, bool watch, Callback cb);
  void get_children(NodeContext& ctx, const std::string& path, bool watch, Callback cb);

  bool connected() const { return state_ == State::kConnected; }
  int64_t session_id() const { return session_; }
  Duration negotiated_timeout() const { return negotiated_; }
  HostId server() const { return config_.servers.at(current_); }

 private:
  enum class State : uint8_t { kIdle, kPausing, kConnecting, kConnected };
  struct Pending {
    zk::Request request;
    Callback callback;
    bool sent = false;
  };
  enum Tag : uint64_t { kConnectTimeout = 0, kReadCheck = 1, kPingTag = 2, kPause = 3 };

  void submit(NodeContext& ctx, zk::Op op, Callback cb);
  void read(NodeContext& ctx, zk::Op::Type type, const std::string& path, bool watch, Callback cb);
  void connect(NodeContext& ctx);
  void next_server(NodeContext& ctx);
  void disconnected(NodeContext& ctx);
  void on_connected(NodeContext& ctx, const zk::ConnectResponse& r);
  void on_response(NodeContext& ctx, const zk::Response& r);
  void on_watch(NodeContext& ctx, const zk::WatchEvent& e);
  void heard(NodeContext& ctx);
  void cancel(NodeContext& ctx, TimerId& id);
  Duration read_timeout() const { return Duration::nanos(negotiated_.ns * 2 / 3); }
  Duration ping_interval() const;
  void tell(NodeContext& ctx, Event e, const zk::WatchEvent* w = nullptr) {
    if (listener_) listener_(ctx, e, w);
  }

  ClientConfig config_;
  uint64_t tag_base_;
  Listener listener_;
  State state_ = State::kIdle;
  size_t current_ = 0;
  int64_t session_ = 0;
  Duration negotiated_;
  int64_t last_zxid_ = 0;
  Time last_heard_;
  int64_t next_xid_ = 1;
  std::map<int64_t, Pending> pending_;  // by xid, in send order
  std::set<std::string> data_watches_, exist_watches_, child_watches_;
  TimerId connect_timer_ = 0, read_timer_ = 0, ping_timer_ = 0, pause_timer_ = 0;
  bool told_disconnected_ = false;
};

}  // namespace fabsim::zookeeper
