// The ZooKeeper wire protocol between fabsim's virtual ZooKeeper servers (server.h) and
// their clients (client.h): message kinds (core/node.h Message::kind) and their payloads,
// all from core/proto/fabsim/zookeeper.proto.
//
//   client -> server  kZkConnect      zk.ConnectRequest (new session, or reconnect + watches)
//   server -> client  kZkConnected    zk.ConnectResponse (session 0: expired)
//   client -> server  kZkRequest      zk.Request
//   server -> client  kZkResponse     zk.Response
//   client -> server  kZkPing         zk.Ping;  server -> client kZkPong zk.Pong
//   server -> client  kZkWatch        zk.WatchEvent (a fired watch, or CLOSED)
//   server <-> server kZkVote, kZkFollowerInfo, kZkNewLeader, kZkProposal, kZkAck, kZkCommit,
//                     kZkForward, kZkRefusal, kZkLeaderPing, kZkLeaderPong, kZkRevalidate,
//                     kZkRevalidateReply (see server.h)
#pragma once

#include <cstdint>

namespace fabsim::zookeeper {

enum MessageKind : uint32_t {
  kZkConnect = 200,
  kZkConnected = 201,
  kZkRequest = 202,
  kZkResponse = 203,
  kZkPing = 204,
  kZkPong = 205,
  kZkWatch = 206,
  kZkVote = 210,
  kZkFollowerInfo = 211,
  kZkNewLeader = 212,
  kZkProposal = 213,
  kZkAck = 214,
  kZkCommit = 215,
  kZkForward = 216,
  kZkRefusal = 217,
  kZkLeaderPing = 218,
  kZkLeaderPong = 219,
  kZkRevalidate = 220,
  kZkRevalidateReply = 221,
};

inline bool is_zookeeper_message(uint32_t kind) { return kind >= 200 && kind < 300; }

}  // namespace fabsim::zookeeper
