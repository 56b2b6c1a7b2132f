#include "model/zookeeper/data_tree.h"

#include <fmt/format.h>

#include "core/assert.h"

namespace fabsim::zookeeper {

DataTree::DataTree() { nodes_["/"] = Node{}; }

std::string DataTree::parent_of(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

const DataTree::Node* DataTree::find(const std::string& path) const {
  auto it = nodes_.find(path);
  return it == nodes_.end() ? nullptr : &it->second;
}

std::vector<std::string> DataTree::children(const std::string& path) const {
  std::vector<std::string> out;
  const std::string prefix = path == "/" ? "/" : path + "/";
  for (auto it = nodes_.lower_bound(prefix); it != nodes_.end() && it->first.starts_with(prefix); ++it) {
    const std::string rest = it->first.substr(prefix.size());
    if (!rest.empty() && rest.find('/') == std::string::npos) out.push_back(rest);
  }
  return out;
}

std::vector<std::string> DataTree::ephemerals(int64_t session) const {
  std::vector<std::string> out;
  for (const auto& [path, n] : nodes_)
    if (n.stat.ephemeral_owner() == session) out.push_back(path);
  return out;
}

DataTree::Prepared DataTree::prepare(const zk::Op& op, int64_t session) const {
  Prepared p;
  zk::Txn& t = p.txn;
  t.set_path(op.path());
  t.set_session_id(session);
  switch (op.type()) {
    case zk::Op::CREATE: {
      const Node* parent = find(parent_of(op.path()));
      if (parent == nullptr) return {zk::NO_NODE, {}};
      if (parent->stat.ephemeral_owner() != 0) return {zk::NO_CHILDREN_FOR_EPHEMERALS, {}};
      std::string path = op.path();
      if (op.sequential()) path += fmt::format("{:010d}", parent->next_sequence);
      if (find(path) != nullptr) return {zk::NODE_EXISTS, {}};
      t.set_type(zk::Txn::CREATE);
      t.set_path(path);
      t.set_data(op.data());
      if (!op.ephemeral()) t.set_session_id(0);
      return p;
    }
    case zk::Op::DELETE: {
      const Node* n = find(op.path());
      if (n == nullptr || op.path() == "/") return {zk::NO_NODE, {}};
      if (op.version() != -1 && op.version() != n->stat.version()) return {zk::BAD_VERSION, {}};
      if (!children(op.path()).empty()) return {zk::NOT_EMPTY, {}};
      t.set_type(zk::Txn::DELETE);
      return p;
    }
    case zk::Op::SET_DATA: {
      const Node* n = find(op.path());
      if (n == nullptr) return {zk::NO_NODE, {}};
      if (op.version() != -1 && op.version() != n->stat.version()) return {zk::BAD_VERSION, {}};
      t.set_type(zk::Txn::SET_DATA);
      t.set_data(op.data());
      return p;
    }
    case zk::Op::CREATE_SESSION:
      t.set_type(zk::Txn::CREATE_SESSION);
      t.set_session_id(next_session_);
      t.set_timeout_ms(op.timeout_ms());
      return p;
    case zk::Op::CLOSE_SESSION:
      if (!has_session(session)) return {zk::SESSION_EXPIRED, {}};
      t.set_type(zk::Txn::CLOSE_SESSION);
      for (const std::string& e : ephemerals(session)) t.add_paths(e);
      return p;
    default: FABSIM_ASSERT_MSG(false, "prepare: not a write");
  }
  return p;
}

std::vector<Trigger> DataTree::apply(const zk::Txn& txn) {
  FABSIM_ASSERT(txn.zxid() > last_zxid_);
  last_zxid_ = txn.zxid();
  std::vector<Trigger> fired;
  auto remove = [&](const std::string& path) {
    auto it = nodes_.find(path);
    if (it == nodes_.end()) return;
    nodes_.erase(it);
    Node& parent = nodes_.at(parent_of(path));
    parent.stat.set_cversion(parent.stat.cversion() + 1);
    parent.stat.set_pzxid(txn.zxid());
    fired.push_back({path, zk::WatchEvent::DELETED, true, true});
    fired.push_back({parent_of(path), zk::WatchEvent::CHILDREN_CHANGED, false, true});
  };
  switch (txn.type()) {
    case zk::Txn::CREATE: {
      Node n;
      n.data = txn.data();
      n.stat.set_czxid(txn.zxid());
      n.stat.set_mzxid(txn.zxid());
      n.stat.set_pzxid(txn.zxid());
      n.stat.set_ephemeral_owner(txn.session_id());
      Node& parent = nodes_.at(parent_of(txn.path()));
      parent.stat.set_cversion(parent.stat.cversion() + 1);
      parent.stat.set_pzxid(txn.zxid());
      ++parent.next_sequence;
      nodes_[txn.path()] = std::move(n);
      fired.push_back({txn.path(), zk::WatchEvent::CREATED, true, false});
      fired.push_back({parent_of(txn.path()), zk::WatchEvent::CHILDREN_CHANGED, false, true});
      break;
    }
    case zk::Txn::DELETE: remove(txn.path()); break;
    case zk::Txn::SET_DATA: {
      Node& n = nodes_.at(txn.path());
      n.data = txn.data();
      n.stat.set_version(n.stat.version() + 1);
      n.stat.set_mzxid(txn.zxid());
      fired.push_back({txn.path(), zk::WatchEvent::DATA_CHANGED, true, false});
      break;
    }
    case zk::Txn::CREATE_SESSION:
      sessions_[txn.session_id()] = txn.timeout_ms();
      next_session_ = std::max(next_session_, txn.session_id() + 1);
      break;
    case zk::Txn::CLOSE_SESSION:
      for (const std::string& p : txn.paths()) remove(p);
      sessions_.erase(txn.session_id());
      break;
    default: FABSIM_ASSERT_MSG(false, "apply: unknown txn type");
  }
  return fired;
}

zk::Snapshot DataTree::snapshot(int64_t epoch) const {
  zk::Snapshot s;
  s.set_epoch(epoch);
  s.set_zxid(last_zxid_);
  s.set_next_session(next_session_);
  for (const auto& [path, n] : nodes_) {
    zk::Node* out = s.add_nodes();
    out->set_path(path);
    out->set_data(n.data);
    *out->mutable_stat() = n.stat;
    out->set_next_sequence(n.next_sequence);
  }
  for (const auto& [id, timeout] : sessions_) {
    zk::Session* out = s.add_sessions();
    out->set_id(id);
    out->set_timeout_ms(timeout);
  }
  return s;
}

void DataTree::restore(const zk::Snapshot& s) {
  nodes_.clear();
  sessions_.clear();
  for (const zk::Node& n : s.nodes()) nodes_[n.path()] = Node{n.data(), n.stat(), n.next_sequence()};
  if (!nodes_.contains("/")) nodes_["/"] = Node{};
  for (const zk::Session& x : s.sessions()) sessions_[x.id()] = x.timeout_ms();
  next_session_ = std::max<int64_t>(1, s.next_session());
  last_zxid_ = s.zxid();
}

}  // namespace fabsim::zookeeper
