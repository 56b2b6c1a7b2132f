// DataTree: one ZooKeeper server's replica of the znode tree and the session table
// (ZooKeeper's DataTree and the sessions of its ZKDatabase), with the two steps a write
// takes through the quorum:
//   prepare(op)   on the leader: checks the op against the tree as the committed writes
//                 leave it (ZooKeeper's PrepRequestProcessor) and turns it into a Txn
//                 whose application is deterministic, or answers with an error code;
//   apply(txn)    on every server, in zxid order, when the txn commits: changes the tree
//                 and says which watches the change triggers.
// Paths are absolute ("/brokers/ids/1"); a node's parent must exist; ephemeral nodes
// cannot have children; sequential nodes get a ten-digit suffix from their parent's
// counter (ZooKeeper's cversion-based counter). Versions start at 0 and count setData.
//
// Invariants: every node except "/" has its parent in the tree; an ephemeral node's owner
// is a live session; zxids applied only grow. Ordered containers only, so snapshots and
// the order of triggers are deterministic.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/proto/fabsim/zookeeper.pb.h"

namespace fabsim::zookeeper {

// A watch trigger caused by applying a txn: the watches of `path` of the given kinds fire
// with `type` (ZooKeeper's WatchManager.triggerWatch).
struct Trigger {
  std::string path;
  zk::WatchEvent::Type type;
  bool data_watches;   // getData / exists watches on `path`
  bool child_watches;  // getChildren watches on `path`
};

class DataTree {
 public:
  struct Node {
    std::string data;
    zk::Stat stat;
    int64_t next_sequence = 0;
  };

  DataTree();

  // The leader's check of a client op (CREATE, DELETE, SET_DATA, CREATE_SESSION,
  // CLOSE_SESSION) of `session`; on success a txn without zxid, on failure the code.
  struct Prepared {
    zk::Code code = zk::OK;
    zk::Txn txn;
  };
  Prepared prepare(const zk::Op& op, int64_t session) const;
  // Applies a committed txn (its zxid must exceed last_zxid()); returns the watches it
  // triggers, in the order ZooKeeper fires them.
  std::vector<Trigger> apply(const zk::Txn& txn);

  const Node* find(const std::string& path) const;
  // Sorted child names of `path` (not full paths).
  std::vector<std::string> children(const std::string& path) const;
  bool has_session(int64_t id) const { return sessions_.contains(id); }
  const std::map<int64_t, int32_t>& sessions() const { return sessions_; }
  // The ephemeral nodes `session` owns, sorted.
  std::vector<std::string> ephemerals(int64_t session) const;
  int64_t last_zxid() const { return last_zxid_; }

  zk::Snapshot snapshot(int64_t epoch) const;
  void restore(const zk::Snapshot& s);

  static std::string parent_of(const std::string& path);

 private:
  std::map<std::string, Node> nodes_;
  std::map<int64_t, int32_t> sessions_;  // session id -> timeout (ms)
  int64_t next_session_ = 1;
  int64_t last_zxid_ = 0;
};

}  // namespace fabsim::zookeeper
