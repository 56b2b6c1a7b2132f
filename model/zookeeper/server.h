// ZkServer: one server of a ZooKeeper ensemble as a process (core/node.h): a quorum service
// with ZooKeeper's client-visible semantics (kafka-semantics.md §8), without ZAB's full
// recovery protocol. What it keeps of ZooKeeper:
//
//   Quorum. A server serves clients only while it leads or follows an established leader.
//   Election (simplified fast leader election): a looking server sends its vote (last
//   zxid, id) to every server each tick and when it enters looking; once it holds looking
//   votes from every server, or from a majority (itself included) and 200 ms passed
//   (finalizeWait), it picks the one with the highest (last zxid, id), leads if that is
//   itself, else follows it. A server that leads or follows answers a
//   looking server's vote with its leader, which the looker then follows. A leader is
//   established when a majority (itself included) joined (FollowerInfo) within init_limit
//   ticks; it commits the proposals it logged, takes a new epoch and sends every follower
//   its whole state (snapshot sync: ZooKeeper's SNAP). Leader and followers ping each
//   other every half tick; a leader that does not hear from a majority for sync_limit ticks, and
//   a follower that does not hear from its leader for sync_limit ticks, go back to looking,
//   closing their client connections. A partitioned minority therefore never serves.
//   Writes. A write goes to the leader (forwarded by the server the client is connected
//   to), which handles one at a time: prepare against its committed tree (errors answered
//   at once, in order), log and propose to its followers, commit once a majority (itself
//   included) logged it, then apply everywhere; the server the client is connected to
//   answers after applying it. Reads are answered from the connected server's replica.
//   Sessions. Created by a txn through the quorum with the timeout negotiated as ZooKeeper
//   does (clamped to [2, 20] ticks). Client pings and requests touch the session at its
//   server; followers report touched sessions with each ping reply, which the leader
//   stamps with its own time (so a session of a follower's client can live up to half a
//   tick longer, as in ZooKeeper); the leader expires a
//   session at the first tick boundary after last touch + timeout, by a CLOSE_SESSION txn
//   that deletes its ephemeral nodes (their watchers are told). A new leader restarts every
//   session's clock. A reconnecting client's session is checked with the leader.
//   Watches. One-shot, server-local, as ZooKeeper's WatchManager; a reconnecting client
//   re-arms its watches with its last zxid, and those whose node changed since fire at once
//   (DataTree.setWatches).
//
// Durability: the accepted epoch, a snapshot and every logged proposal are in the host's
// durable key/value store (ZooKeeper fsyncs its txn log before acking); a restarted server
// replays them and then syncs from the leader. Connections, watches and the session
// tracker are volatile.
//
// Ownership: owns its state; single-threaded.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/node.h"
#include "core/proto/fabsim/zookeeper.pb.h"
#include "model/zookeeper/data_tree.h"

namespace fabsim::zookeeper {

struct ServerConfig {
  std::vector<HostId> ensemble;                // every server, by server id (index)
  Duration tick = Duration::millis(2000);      // tickTime (Fabric's images: 2000)
  uint32_t init_limit = 5;                     // ticks to establish a leader (ZOO_INIT_LIMIT)
  uint32_t sync_limit = 2;                     // ticks without hearing the other side (ZOO_SYNC_LIMIT)
  // Session timeout bounds; zero: ZooKeeper's 2 and 20 ticks.
  Duration min_session_timeout = Duration::zero();
  Duration max_session_timeout = Duration::zero();
};

class ZkServer : public Process {
 public:
  enum class Role : uint8_t { kLooking, kFollowing, kLeading };

  ZkServer(ServerConfig config, const DurableStore& store, HostId self);

  void on_start(NodeContext& ctx) override;
  void on_message(NodeContext& ctx, HostId from, const Message& msg) override;
  void on_timer(NodeContext& ctx, TimerId id, uint64_t tag) override;

  Role role() const { return role_; }
  bool serving() const { return established_; }
  const DataTree& tree() const { return tree_; }
  int64_t epoch() const { return epoch_; }

 private:
  struct PendingConnect {
    HostId client;
    zk::ConnectRequest request;
  };
  struct InFlight {
    zk::Txn txn;
    std::set<uint32_t> acks;
  };

  size_t quorum() const { return config_.ensemble.size() / 2 + 1; }
  // The period of the server's work (pings, votes, expiry checks): ZooKeeper's leader
  // pings its learners every half tick.
  Duration half_tick() const { return Duration::nanos(config_.tick.ns / 2); }
  std::optional<uint32_t> server_index(HostId h) const;
  int64_t last_logged_zxid() const;
  zk::Vote my_vote() const;
  void send_to_server(NodeContext& ctx, uint32_t server, uint32_t kind, const google::protobuf::MessageLite& m);

  // Roles.
  void enter_looking(NodeContext& ctx);
  void on_vote(NodeContext& ctx, const zk::Vote& v);
  // Decides once votes from every server are in, or `final` (the finalize wait ended).
  void evaluate_votes(NodeContext& ctx, bool final);
  void follow(NodeContext& ctx, uint32_t leader);
  void on_follower_info(NodeContext& ctx, uint32_t from, const zk::FollowerInfo& fi);
  void establish(NodeContext& ctx);
  void on_new_leader(NodeContext& ctx, uint32_t from, const zk::NewLeader& nl);
  void tick(NodeContext& ctx);

  // Writes.
  void submit(NodeContext& ctx, const zk::Forward& fwd);
  void pump(NodeContext& ctx);
  void refuse(NodeContext& ctx, uint32_t origin, const zk::Request& req, zk::Code code);
  void log_txn(NodeContext& ctx, const zk::Txn& txn);
  void commit(NodeContext& ctx, const zk::Txn& txn);
  void reply_for(NodeContext& ctx, const zk::Txn& txn);

  // Sessions and clients.
  void touch(NodeContext& ctx, int64_t session);
  void expire_sessions(NodeContext& ctx);
  void on_connect(NodeContext& ctx, HostId client, const zk::ConnectRequest& req);
  void finish_reconnect(NodeContext& ctx, HostId client, int64_t session, bool valid, int32_t timeout_ms);
  void on_request(NodeContext& ctx, HostId client, const zk::Request& req);
  void close_clients(NodeContext& ctx);
  void fire(NodeContext& ctx, const std::vector<Trigger>& triggers);
  void notify(NodeContext& ctx, int64_t session, zk::WatchEvent::Type type, const std::string& path);
  void rearm_watches(NodeContext& ctx, int64_t session, const zk::ConnectRequest& req);
  int32_t negotiate(int32_t asked_ms) const;

  ServerConfig config_;
  HostId self_host_;
  uint32_t self_;
  DataTree tree_;
  int64_t epoch_ = 0;                  // the last epoch accepted (persisted)
  std::map<int64_t, zk::Txn> logged_;  // proposals logged and not yet committed, by zxid
  size_t persisted_txns_ = 0;          // txn keys since the last snapshot

  Role role_ = Role::kLooking;
  bool established_ = false;
  uint32_t leader_ = 0;
  Time role_since_;
  std::map<uint32_t, zk::Vote> votes_;  // looking: votes heard this round
  TimerId finalize_timer_ = 0;
  // Leader.
  int64_t new_epoch_ = 0;
  std::set<uint32_t> followers_;
  std::map<uint32_t, Time> last_heard_;
  int64_t counter_ = 0;
  std::deque<zk::Forward> queue_;
  std::optional<InFlight> in_flight_;
  std::map<int64_t, Time> expiry_;   // session -> expiry (tick-aligned)
  std::set<int64_t> closing_;
  // Follower.
  Time leader_heard_;
  std::set<int64_t> touched_;
  // Clients.
  std::map<int64_t, HostId> connections_;  // session -> client host
  std::map<int64_t, PendingConnect> pending_connects_;  // local xid -> new-session request
  std::map<int64_t, PendingConnect> reconnects_;        // session -> reconnect request
  int64_t next_local_xid_ = 1;
  std::map<std::string, std::set<int64_t>> data_watches_;
  std::map<std::string, std::set<int64_t>> child_watches_;
};

// The factory of a ZkServer on `host` (for World::add_host and the test harness).
ProcessFactory zk_server_factory(ServerConfig config);

}  // namespace fabsim::zookeeper
