#include "scenarios/node_directory.h"

#include <algorithm>

namespace fabsim::scenario {

bool is_reserved_group_name(std::string_view name) {
  return name == "all" || name == "peers" || name == "clients" || name == "orderers" || name == "zookeepers" ||
         name == "brokers";
}

namespace {
const char* role_group(NodeRole role) {
  switch (role) {
    case NodeRole::kPeer: return "peers";
    case NodeRole::kClient: return "clients";
    case NodeRole::kOrderer: return "orderers";
    case NodeRole::kZookeeper: return "zookeepers";
    case NodeRole::kBroker: return "brokers";
  }
  return "all";
}
}  // namespace

NodeDirectory::NodeDirectory(const std::vector<OrgSpec>& orgs, uint32_t orderers, uint32_t zookeepers,
                             uint32_t brokers) {
  std::vector<std::string> group_order = {"all", "peers", "clients", "orderers"};
  if (zookeepers + brokers > 0) group_order.insert(group_order.end(), {"zookeepers", "brokers"});
  for (const std::string& g : group_order)
    groups_[g];
  auto add = [&](std::string name, NodeRole role, const std::string& org, uint32_t index) {
    const size_t i = nodes_.size();
    nodes_.push_back({name, role, org, index});
    node_index_[name] = i;
    groups_["all"].push_back(i);
    groups_[role_group(role)].push_back(i);
    if (!org.empty()) {
      groups_[org].push_back(i);
      groups_[org + (role == NodeRole::kPeer ? ".peers" : ".clients")].push_back(i);
    }
  };
  uint32_t max_clients = 0;
  for (const OrgSpec& o : orgs) {
    group_order.insert(group_order.end(), {o.name, o.name + ".peers", o.name + ".clients"});
    groups_[o.name];
    groups_[o.name + ".peers"];
    groups_[o.name + ".clients"];
    for (uint32_t p = 0; p < o.peers; ++p)
      add(o.name + ".peer" + std::to_string(p), NodeRole::kPeer, o.name, p);
    for (uint32_t c = 0; c < o.clients; ++c)
      add(o.name + ".client" + std::to_string(c), NodeRole::kClient, o.name, c);
    max_clients = std::max(max_clients, o.clients);
  }
  for (uint32_t k = 0; k < orderers; ++k)
    add("orderer" + std::to_string(k), NodeRole::kOrderer, "", k);
  for (uint32_t k = 0; k < zookeepers; ++k)
    add("zookeeper" + std::to_string(k), NodeRole::kZookeeper, "", k);
  for (uint32_t k = 0; k < brokers; ++k)
    add("kafka" + std::to_string(k), NodeRole::kBroker, "", k);
  for (uint32_t c = 0; c < max_clients; ++c)
    for (const OrgSpec& o : orgs)
      if (c < o.clients) clients_interleaved_.push_back(node_index_.at(o.name + ".client" + std::to_string(c)));
  names_ = group_order;
  for (const NodeSpec& n : nodes_)
    names_.push_back(n.name);
}

std::optional<std::vector<size_t>> NodeDirectory::resolve(std::string_view name) const {
  if (auto g = groups_.find(name); g != groups_.end()) return g->second;  // built ascending
  if (auto n = node_index_.find(name); n != node_index_.end()) return std::vector<size_t>{n->second};
  return std::nullopt;
}

}  // namespace fabsim::scenario
