// FabricNetwork: a Fabric network on the kernel — organisations with peers and clients, one
// solo orderer (or, with FabricNetworkConfig::kafka, a ZooKeeper ensemble, Kafka brokers and
// several ordering service nodes: see `Kafka` below), channels with their members and chaincodes — built from a plain
// configuration (the YAML scenario loader produces the richer description; this is the
// world it runs on).
//
// Topology: every node has one link to a central switch (a router host), all with the same
// LinkParams, plus the dedicated pair links the config lists (sim/network.h: a dedicated
// link carries only the traffic between its two ends, whatever its latency). Crypto: one CA per organisation plus one for the orderer, identities derived
// from the seed; one verification cache per run shared by every node (one real
// verification per distinct signature).
//
// Channels: each has its organisations (their MSPs and the orderer's make the channel's
// MSP manager), the peers that joined it (by default every peer of its organisations),
// its chaincodes and its batch settings. The orderer serves every channel; a peer keeps a
// ledger per joined channel; a client submits to every channel its organisation is on,
// with one event stream per channel: the channel's peers in node order, rotated to start at
// the client's organisation's place, give the event peer (the first) and the fallbacks (the
// rest) — its own organisation's peers first when it has any on the channel. A chaincode's
// endorser candidates are the peers on its channel.
//
// The network owns every object the processes borrow (MSPs, identities, definitions), so
// it must outlive its World.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <utility>
#include <string>
#include <vector>

#include "core/crypto/ca.h"
#include "core/crypto/msp.h"
#include "core/crypto/signing_identity.h"
#include "core/crypto/verify_cache.h"
#include "core/cost_model.h"
#include "core/status.h"
#include "model/ledger/block_store.h"
#include "model/kafka/config.h"
#include "model/kafka/partition_log.h"
#include "model/ledger/ledger.h"
#include "model/orderer/block_cutter.h"
#include "model/orderer/kafka_chain.h"
#include "model/zookeeper/server.h"
#include "model/validation/tx_validator.h"
#include "scenarios/scenario_spec.h"
#include "sim/world.h"

namespace fabsim {

struct FabricNetworkConfig {
  struct Org {
    std::string name;     // e.g. "Org1"; nodes are "Org1.peer0", "Org1.client0"
    std::string msp_id;   // e.g. "Org1MSP"
    uint32_t peers = 1;
    uint32_t clients = 0;
  };
  struct Chaincode {
    std::string name;
    std::string kind;    // kvstore, smallbank, asset
    std::string policy;  // Fabric's policy language
    bool init_required = false;
    std::string channel;  // empty: the first channel
  };
  struct Channel {
    std::string name;
    std::vector<std::string> orgs;   // org names, >= 1
    std::vector<std::string> peers;  // node names of peers of those orgs; empty: all of them
    orderer::BatchSettings batch;
  };
  // A link that carries only the traffic between two nodes (LinkParams::dedicated).
  struct PairLink {
    std::string a, b;  // node names
    LinkParams params;
  };
  // Kafka ordering (docs/kafka.md). Nodes, in the order they are added: "zookeeper0".. (the
  // ensemble), "kafka0".. (broker ids 1..brokers), then "orderer0".. (the OSNs, each serving
  // every channel with a KafkaChain). Each channel is a topic with one partition whose
  // replication_factor replicas are the brokers from (channel index) on, round-robin, as
  // Kafka's assignment starts at some broker and goes round. Peers and clients get every OSN
  // as their orderer list, rotated to start at OSN (their index mod osns), and fail over
  // along it.
  struct Kafka {
    uint32_t zookeepers = 3;              // >= 1
    uint32_t brokers = 4;                 // >= 1
    uint32_t osns = 3;                    // >= 1
    uint32_t replication_factor = 3;      // in [1, brokers]
    int32_t acks = -1;                    // the OSNs' producer (Fabric forces -1, all)
    zookeeper::ServerConfig zookeeper;    // its ensemble is set by the builder
    // Every broker's settings (version, min.insync.replicas, unclean election, timeouts);
    // broker_id, brokers, zookeeper and topics are set by the builder.
    kafka::BrokerConfig broker;
    orderer::KafkaChainConfig chain;      // its producer's and consumer's brokers are set by the builder
  };
  std::optional<Kafka> kafka;
  uint64_t seed = 1;
  std::vector<Org> orgs;
  std::vector<Chaincode> chaincodes;
  // Empty: one channel named `channel` with every org, every peer and `batch`.
  std::vector<Channel> channels;
  std::string channel = "mychannel";
  orderer::BatchSettings batch;
  LinkParams link;                  // every node's link to the switch
  std::vector<PairLink> pair_links;  // added after the switch links, in this order
  // Costs: each node's model is resolve(costs, role, name) (core/cost_model.h), turned into
  // its process's charges by model/node_costs.h.
  CostOverrides costs;
  bool rotate_endorsers = true;
  // Per node (by name): cores, the peer's validator pool and Deliver watchdog, the client's
  // timeouts, retries, endorser failover and event-stream watchdog (scenario::NodeSettings).
  // A node without an entry gets NodeSettings' defaults. The client's event-stream watchdog
  // stands in for the stream error an SDK would see when its event peer dies (our
  // transport has no connection-break signal); fallbacks: the other peers of the client's
  // org, then the rest.
  scenario::NodeSettingsSpec node_settings;  // only by_node is read; node_settings.of(name)
  crypto::SignatureScheme scheme = crypto::SignatureScheme::kEcdsaP256;
  bool verify_cache = true;
  // Entries per generation of the run's verification cache. The post-run safety checks
  // re-verify every VALID transaction's signatures: with a cache that still holds them
  // (about three per transaction) that costs no real verification.
  size_t verify_cache_capacity = size_t{1} << 19;
};

class FabricNetwork {
 public:
  static Result<std::unique_ptr<FabricNetwork>> build(const FabricNetworkConfig& config);
  ~FabricNetwork();

  World& world() { return *world_; }
  const FabricNetworkConfig& config() const { return config_; }
  // The dedicated link between two nodes (either order), if the config asked for one.
  std::optional<LinkId> pair_link(HostId a, HostId b) const;
  // The (first) orderer; every orderer, in node order (one under solo).
  HostId orderer() const { return orderer_; }
  const std::vector<HostId>& orderers() const { return orderers_; }
  // Kafka: the ZooKeeper servers and the brokers by broker id; empty under solo.
  const std::vector<HostId>& zookeepers() const { return zookeepers_; }
  const std::map<int32_t, HostId>& brokers() const { return brokers_; }
  // Kafka, now: the broker leading `channel`'s partition (of the up brokers whose replica
  // is leader, the one with the highest leader epoch: a zombie leader has an older one),
  // and the active controller (the highest controller epoch); kNoHost when none.
  HostId kafka_partition_leader(const std::string& channel) const;
  HostId kafka_controller() const;
  const std::vector<HostId>& peers() const { return peers_; }
  const std::vector<HostId>& clients() const { return clients_; }
  // The channels, in config order (one for a config without `channels`).
  size_t channel_count() const { return channels_.size(); }
  const std::string& channel_name(size_t channel) const { return channels_.at(channel)->name; }
  // The orderer that leads `channel`'s ordering now (solo: the orderer; Kafka: the first
  // OSN, since no OSN leads — the partition's leader broker is not resolved here yet);
  // kNoHost for a channel the network does not have.
  HostId orderer_leader(const std::string& channel) const {
    for (const auto& c : channels_)
      if (c->name == channel) return orderer_;
    return kNoHost;
  }
  // The peers that joined `channel`, in node order.
  const std::vector<HostId>& channel_peers(size_t channel) const { return channels_.at(channel)->peers; }
  // The process factory of a node (not the switch): what its host builds at boot and at
  // every restart. For harnesses that drive the processes by hand (tests/harness).
  const ProcessFactory& factory(HostId node) const { return factories_.at(node); }
  // After (or during) a run, what a node keeps, without the caller knowing its process type
  // or storage layout: a peer's ledger of `channel` (index), the live one when its process is
  // up, else reopened from its durable storage into `*reopened` as a restart would; the
  // (first) orderer's block store of `channel` likewise. Errors: not such a node, not on the
  // channel, or the storage cannot be opened.
  Result<const ledger::Ledger*> peer_ledger(HostId peer, size_t channel, std::unique_ptr<ledger::Ledger>* reopened);
  Result<const ledger::BlockStore*> orderer_blocks(size_t channel, std::unique_ptr<ledger::BlockStore>* reopened) {
    return orderer_blocks(orderer_, channel, reopened);
  }
  // Any orderer's (an OSN under Kafka).
  Result<const ledger::BlockStore*> orderer_blocks(HostId orderer, size_t channel,
                                                   std::unique_ptr<ledger::BlockStore>* reopened);
  // Kafka: broker `broker_id`'s replica of `channel`'s partition (0) — the live one when the
  // broker is up, else its log reopened from its durable storage into `*reopened` and the
  // high watermark it checkpointed, as a restart would read them. Errors: no such broker,
  // not a replica, or the log cannot be opened.
  struct KafkaReplica {
    bool up = false;
    bool leader = false;
    int32_t leader_epoch = -1;
    int64_t high_watermark = 0;
    const kafka::PartitionLog* log = nullptr;
  };
  Result<KafkaReplica> kafka_replica(int32_t broker_id, size_t channel, std::unique_ptr<kafka::PartitionLog>* reopened);
  // Kafka: the broker ids holding `channel`'s partition, in assignment (preference) order.
  std::vector<int32_t> kafka_replicas(size_t channel) const;

  // What a committing peer of `channel` validates with: for re-checks after the run.
  validation::ValidationContext validation_context(size_t channel = 0) const {
    const ChannelState& c = *channels_.at(channel);
    return {c.name, &c.msps, verifier_.get(), &c.definitions};
  }

  // A transaction request handed to `client` at time t (scenario id `id`).
  // `endorsers`: explicit endorsing peers; empty lets the client choose.
  void submit(Time t, HostId client, const std::string& id, const std::string& chaincode, const std::string& function,
              const std::vector<std::string>& args, const std::vector<HostId>& endorsers = {}, bool is_init = false);

 private:
  FabricNetwork() = default;
 public:
  struct Builder;  // builds the nodes role by role (fabric_network.cc)

 private:
  struct ChannelState {
    std::string name;
    std::vector<std::string> orgs;
    std::set<std::string> application_msps;  // the MSP IDs of its orgs
    crypto::MspManager msps;                 // its orgs' MSPs and the orderer's
    std::map<std::string, validation::ChaincodeDefinition> definitions;
    std::map<std::string, std::string> kinds;  // chaincode -> kind
    std::vector<HostId> peers;                 // joined, node order
  };

  FabricNetworkConfig config_;
  std::vector<std::unique_ptr<crypto::CertificateAuthority>> cas_;
  crypto::MspManager msps_;  // every org's MSP and the orderer's (identities are checked here)
  std::vector<std::unique_ptr<crypto::SigningIdentity>> identities_;
  std::unique_ptr<crypto::CachingVerifier> verifier_;
  std::vector<std::unique_ptr<ChannelState>> channels_;  // stable addresses: processes borrow them
  std::unique_ptr<CompiledSignaturePolicy> block_validation_;  // every channel's BlockValidation policy
  std::unique_ptr<World> world_;
  HostId orderer_ = kNoHost;
  std::vector<HostId> orderers_;
  std::vector<HostId> zookeepers_;
  std::map<int32_t, HostId> brokers_;
  std::vector<HostId> peers_;
  std::vector<HostId> clients_;
  std::map<std::pair<HostId, HostId>, LinkId> pair_links_;  // (min, max) -> link
  std::map<HostId, ProcessFactory> factories_;
};

}  // namespace fabsim
