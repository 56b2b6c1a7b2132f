// NodeDirectory: the nodes of a scenario and the names that select them.
//
// Nodes, in this order: for each org (file order) its peers `<Org>.peer0..`, then its
// clients `<Org>.client0..`; then the orderers `orderer0..`; then (Kafka) the ZooKeeper
// nodes `zookeeper0..` and the brokers `kafka0..`.
// Groups:
//   all            every node
//   peers          every peer;  clients: every client;  orderers: every orderer
//   zookeepers     every ZooKeeper node;  brokers: every Kafka broker
//   <Org>          the org's peers and clients
//   <Org>.peers    the org's peers;  <Org>.clients: the org's clients
// A name is either a node or a group, never both: org names are letters, digits, '_' and
// '-' (no dot), and the loader rejects org names that are group names or `orderer<N>`.
//
// A plain value built once from the orgs and the orderer count.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scenarios/scenario_spec.h"

namespace fabsim::scenario {

class NodeDirectory {
 public:
  NodeDirectory() = default;
  NodeDirectory(const std::vector<OrgSpec>& orgs, uint32_t orderers, uint32_t zookeepers = 0, uint32_t brokers = 0);

  const std::vector<NodeSpec>& nodes() const { return nodes_; }
  // The nodes a node or group name selects, as indices into nodes(), ascending, no
  // duplicates; nullopt for an unknown name.
  std::optional<std::vector<size_t>> resolve(std::string_view name) const;
  bool is_group(std::string_view name) const { return groups_.count(std::string(name)) != 0; }
  // Every name resolve() accepts: groups, then nodes. For suggestions.
  const std::vector<std::string>& names() const { return names_; }
  // Every client, interleaved across orgs: Org1.client0, Org2.client0, Org1.client1, ...
  const std::vector<size_t>& clients_interleaved() const { return clients_interleaved_; }

 private:
  std::vector<NodeSpec> nodes_;
  std::map<std::string, size_t, std::less<>> node_index_;
  std::map<std::string, std::vector<size_t>, std::less<>> groups_;
  std::vector<std::string> names_;
  std::vector<size_t> clients_interleaved_;
};

// Group names that no org may take: all, peers, clients, orderers.
bool is_reserved_group_name(std::string_view name);

// The orderer organisation's MSP ID (scenarios/fabric_network.h), which no org may take.
inline constexpr std::string_view kOrdererMspId = "OrdererMSP";

}  // namespace fabsim::scenario
