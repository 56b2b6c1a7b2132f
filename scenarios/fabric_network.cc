#include "scenarios/fabric_network.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "core/policy/policy_parser.h"
#include "core/proto/fabsim/client.pb.h"
#include "model/chaincode/registry.h"
#include "model/client/client.h"
#include "model/kafka/broker.h"
#include "model/orderer/solo.h"
#include "model/peer/peer.h"
#include "model/node_costs.h"
#include "scenarios/node_directory.h"

namespace fabsim {

FabricNetwork::~FabricNetwork() {
  world_.reset();  // processes borrow from the members below: destroy them first
}

// Builds the nodes of a network, role by role (kRoles below).
struct FabricNetwork::Builder {
  const FabricNetworkConfig& config;
  FabricNetwork& net;
  const std::vector<FabricNetworkConfig::Channel>& channels;  // the config's, or the default one
  const std::map<std::string, const crypto::CertificateAuthority*>& ca_of;
  const crypto::CertificateAuthority* orderer_ca;
  World& w;
  HostId sw;  // the switch every node links to
  // Filled by add_peers, read by add_clients: per channel, the peers that may endorse.
  std::vector<std::vector<model::client::EndorserCandidate>> candidates;

  const crypto::SigningIdentity* identity(const crypto::CertificateAuthority& ca, const std::string& name,
                                          crypto::NodeOu ou) {
    net.identities_.push_back(std::make_unique<crypto::SigningIdentity>(ca.issue(name, ou), config.scheme, config.seed));
    return net.identities_.back().get();
  }
  // A node on its own link to the switch, with its cost model's service-time variability;
  // its process factory is kept for harnesses that run the processes without the kernel
  // (FabricNetwork::factory).
  HostId add_node(const std::string& name, uint32_t cores, const CostModel& model, ProcessFactory f) {
    const HostId h = w.add_host(name, cores, f);
    w.host(h).set_cpu_variability(model.variability_sigma);
    net.factories_[h] = std::move(f);
    w.add_link(h, sw, config.link);
    return h;
  }
  // Which peers join which channel: the listed ones, or every peer of the channel's orgs.
  // Every orderer, starting at the one of `index` (mod their number): a node's failover list.
  std::vector<HostId> rotated_orderers(size_t index) const {
    std::vector<HostId> out;
    for (size_t k = 0; k < net.orderers_.size(); ++k) out.push_back(net.orderers_[(index + k) % net.orderers_.size()]);
    return out;
  }
  bool joins(size_t channel, const std::string& org, const std::string& peer) const {
    const auto& ch = channels[channel];
    if (std::find(ch.orgs.begin(), ch.orgs.end(), org) == ch.orgs.end()) return false;
    return ch.peers.empty() || std::find(ch.peers.begin(), ch.peers.end(), peer) != ch.peers.end();
  }

  Status add_zookeepers();
  Status add_brokers();
  Status add_orderers();
  Status add_peers();
  Status add_clients();
};

namespace {

// The roles of a network, in the order their nodes are added (host ids follow it): a new
// role (Kafka brokers, ZooKeeper) is a new entry and a new Builder function.
struct RoleEntry {
  const char* role;
  Status (FabricNetwork::Builder::*add)();
};
constexpr RoleEntry kRoles[] = {
    {"zookeeper", &FabricNetwork::Builder::add_zookeepers},
    {"broker", &FabricNetwork::Builder::add_brokers},
    {"orderer", &FabricNetwork::Builder::add_orderers},
    {"peer", &FabricNetwork::Builder::add_peers},
    {"client", &FabricNetwork::Builder::add_clients},
};

}  // namespace

// Kafka: the ZooKeeper ensemble (none under solo).
Status FabricNetwork::Builder::add_zookeepers() {
  if (!config.kafka) return Status::ok();
  const FabricNetworkConfig::Kafka& k = *config.kafka;
  if (k.zookeepers == 0) return Status::invalid_argument("kafka: no ZooKeeper node");
  // The servers know each other by host id, known once every one is added.
  auto zc = std::make_shared<zookeeper::ServerConfig>(k.zookeeper);
  for (uint32_t i = 0; i < k.zookeepers; ++i) {
    const std::string name = fmt::format("zookeeper{}", i);
    const CostModel model = resolve(config.costs, CostRole::kBroker, name);
    net.zookeepers_.push_back(add_node(name, config.node_settings.of(name).cores, model,
                                       [zc](HostId h, const DurableStore& s) { return zookeeper::zk_server_factory(*zc)(h, s); }));
  }
  zc->ensemble = net.zookeepers_;
  return Status::ok();
}

// Kafka: the brokers, with one single-partition topic per channel (none under solo).
Status FabricNetwork::Builder::add_brokers() {
  if (!config.kafka) return Status::ok();
  const FabricNetworkConfig::Kafka& k = *config.kafka;
  if (k.brokers == 0) return Status::invalid_argument("kafka: no broker");
  if (k.replication_factor == 0 || k.replication_factor > k.brokers)
    return Status::invalid_argument(fmt::format("kafka: replication factor {} with {} brokers", k.replication_factor, k.brokers));
  std::vector<kafka::TopicSpec> topics;
  for (size_t c = 0; c < channels.size(); ++c) {
    std::vector<int32_t> replicas;
    for (uint32_t r = 0; r < k.replication_factor; ++r) replicas.push_back(static_cast<int32_t>((c + r) % k.brokers) + 1);
    topics.push_back({channels[c].name, {replicas}});
  }
  // Broker endpoints are host ids, known once every broker is added.
  std::vector<std::shared_ptr<kafka::BrokerConfig>> configs;
  for (uint32_t i = 0; i < k.brokers; ++i) {
    const std::string name = fmt::format("kafka{}", i);
    auto bc = std::make_shared<kafka::BrokerConfig>(k.broker);
    bc->broker_id = static_cast<int32_t>(i) + 1;
    bc->zookeeper = net.zookeepers_;
    bc->topics = topics;
    const CostModel model = resolve(config.costs, CostRole::kBroker, name);
    bc->costs = kafka::kafka_costs(model);
    configs.push_back(bc);
    net.brokers_[bc->broker_id] = add_node(name, config.node_settings.of(name).cores, model,
                                           [bc](HostId h, const DurableStore& s) { return kafka::broker_factory(*bc)(h, s); });
  }
  for (auto& bc : configs) {
    bc->brokers = net.brokers_;
    if (Status s = bc->validate(); !s.is_ok()) return Status::invalid_argument("kafka: " + s.message());
  }
  return Status::ok();
}

// The solo orderer, serving every channel; or, with Kafka, the OSNs.
Status FabricNetwork::Builder::add_orderers() {
  orderer::SoloConfig oc;
  for (size_t i = 0; i < channels.size(); ++i) {
    const ChannelState& c = *net.channels_[i];
    oc.channels.push_back({c.name, channels[i].batch, &c.msps, c.application_msps});
  }
  oc.verifier = net.verifier_.get();
  if (config.kafka) {
    orderer::KafkaChainConfig kc = config.kafka->chain;
    kc.producer.brokers = net.brokers_;
    kc.producer.acks = config.kafka->acks;
    kc.consumer.brokers = net.brokers_;
    kc.genesis_seed = config.seed;
    oc.kafka = kc;
  }
  const uint32_t count = config.kafka ? config.kafka->osns : 1;
  if (count == 0) return Status::invalid_argument("kafka: no ordering service node");
  for (uint32_t i = 0; i < count; ++i) {
    const std::string name = fmt::format("orderer{}", i);
    oc.signer = identity(*orderer_ca, name, crypto::NodeOu::kOrderer);
    const CostModel orderer_model = resolve(config.costs, CostRole::kOrderer, name);
    oc.costs = orderer_costs(orderer_model, config.scheme);
    net.orderers_.push_back(add_node(name, config.node_settings.of(name).cores, orderer_model,
                                     [oc](HostId, const DurableStore&) { return std::make_unique<orderer::SoloOrderer>(oc); }));
  }
  net.orderer_ = net.orderers_.front();
  return Status::ok();
}

// The peers, each on the channels it joins; every peer of a channel is an endorser candidate.
Status FabricNetwork::Builder::add_peers() {
  for (size_t i = 0; i < channels.size(); ++i)
    for (const auto& p : channels[i].peers) {
      bool known = false;
      for (const auto& org : config.orgs)
        for (uint32_t k = 0; k < org.peers; ++k)
          if (fmt::format("{}.peer{}", org.name, k) == p) {
            known = true;
            if (!joins(i, org.name, p))
              return Status::invalid_argument(fmt::format("channel {}: peer {} joins, but its organisation {} is not on the channel",
                                                          channels[i].name, p, org.name));
          }
      if (!known) return Status::invalid_argument(fmt::format("channel {}: unknown peer {}", channels[i].name, p));
    }

  candidates.resize(channels.size());
  for (const auto& org : config.orgs) {
    for (uint32_t i = 0; i < org.peers; ++i) {
      const std::string name = fmt::format("{}.peer{}", org.name, i);
      peer::PeerConfig pc;
      std::vector<size_t> joined;
      for (size_t c = 0; c < channels.size(); ++c) {
        if (!joins(c, org.name, name)) continue;
        const ChannelState& ch = *net.channels_[c];
        pc.channels.push_back({ch.name, &ch.msps, &ch.definitions, ch.kinds, ch.application_msps,
                               net.block_validation_.get()});
        joined.push_back(c);
      }
      pc.signer = identity(*ca_of.at(org.name), name, crypto::NodeOu::kPeer);
      pc.verifier = net.verifier_.get();
      pc.orderers = rotated_orderers(net.peers_.size());
      const CostModel node_model = resolve(config.costs, CostRole::kPeer, name);
      pc.costs = peer_costs(node_model, config.scheme);
      const scenario::NodeSettings& settings = config.node_settings.of(name);
      pc.deliver_retry = settings.deliver_retry;
      // Fabric's default pool is the node's cores.
      pc.validator_pool_size = settings.validator_pool_size != 0 ? settings.validator_pool_size : settings.cores;
      const HostId h = add_node(name, settings.cores, node_model, [pc](HostId, const DurableStore&) {
        return std::make_unique<peer::PeerProcess>(pc);
      });
      net.peers_.push_back(h);
      auto id = net.msps_.deserialize_identity(pc.signer->serialized());
      if (!id.is_ok()) return id.status();
      for (size_t c : joined) {
        net.channels_[c]->peers.push_back(h);
        candidates[c].push_back({h, PolicyIdentity{id->msp_id(), id->id_key(), id->roles_mask()}});
      }
    }
  }
  return Status::ok();
}

// The clients: each submits to every channel of its organisation.
Status FabricNetwork::Builder::add_clients() {
  size_t org_peers_before = 0;
  for (const auto& org : config.orgs) {
    // Host ids grow in node order: the org's first peer, or the first peer after its place.
    const HostId org_first_peer =
        org_peers_before < net.peers_.size() ? net.peers_[org_peers_before] : net.peers_.empty() ? 0 : net.peers_.back() + 1;
    org_peers_before += org.peers;
    for (uint32_t i = 0; i < org.clients; ++i) {
      const std::string name = fmt::format("{}.client{}", org.name, i);
      model::client::ClientConfig cc;
      cc.identity = identity(*ca_of.at(org.name), name, crypto::NodeOu::kClient);
      cc.verifier = net.verifier_.get();
      for (size_t c = 0; c < channels.size(); ++c) {
        const ChannelState& ch = *net.channels_[c];
        if (std::find(ch.orgs.begin(), ch.orgs.end(), org.name) == ch.orgs.end()) continue;
        if (ch.peers.empty()) return Status::invalid_argument(fmt::format("channel {}: no peer joined it", ch.name));
        // The channel's peers in node order, rotated to start at the client's org: the event
        // peer is the first of them, the rest are the fallbacks (own org first, then the
        // orgs after it, wrapping around).
        size_t start = 0;
        while (start < ch.peers.size() && ch.peers[start] < org_first_peer) ++start;
        std::vector<HostId> order;
        for (size_t k = 0; k < ch.peers.size(); ++k) order.push_back(ch.peers[(start + k) % ch.peers.size()]);
        model::client::ClientChannelConfig chc;
        chc.channel_id = ch.name;
        chc.msps = &ch.msps;
        chc.event_peer = order.front();
        chc.event_peer_fallbacks.assign(order.begin() + 1, order.end());
        const size_t index = cc.channels.size();
        cc.channels.push_back(std::move(chc));
        for (const auto& [cc_name, def] : ch.definitions)
          cc.chaincodes.insert_or_assign(cc_name,
                                         model::client::ChaincodeEndorsers{def.endorsement_policy, candidates[c], index});
      }
      cc.orderers = rotated_orderers(net.clients_.size());
      const scenario::NodeSettings& settings = config.node_settings.of(name);
      cc.event_silence = settings.event_silence;
      cc.endorser_backoff = settings.endorser_backoff;
      cc.endorsement_timeout = settings.endorsement_timeout;
      cc.broadcast_timeout = settings.broadcast_timeout;
      cc.commit_timeout = settings.commit_timeout;
      cc.broadcast_attempts_max = settings.broadcast_attempts;
      cc.endorsement_attempts_max = settings.endorsement_attempts;
      cc.rotate_endorsers = config.rotate_endorsers;
      const CostModel node_model = resolve(config.costs, CostRole::kClient, name);
      cc.costs = client_costs(node_model, config.scheme);
      const HostId h = add_node(name, settings.cores, node_model, [cc](HostId, const DurableStore&) {
        return std::make_unique<model::client::ClientProcess>(cc);
      });
      net.clients_.push_back(h);
    }
  }
  return Status::ok();
}

Result<std::unique_ptr<FabricNetwork>> FabricNetwork::build(const FabricNetworkConfig& config) {
  if (config.orgs.empty()) return Status::invalid_argument("a network needs at least one organisation");
  uint32_t peers = 0, clients = 0;
  for (const auto& org : config.orgs) {
    peers += org.peers;
    clients += org.clients;
  }
  if (clients > 0 && peers == 0) return Status::invalid_argument("clients need at least one peer to endorse and notify them");
  std::vector<FabricNetworkConfig::Channel> channels = config.channels;
  if (channels.empty()) {
    FabricNetworkConfig::Channel only{config.channel, {}, {}, config.batch};
    for (const auto& org : config.orgs) only.orgs.push_back(org.name);
    channels.push_back(std::move(only));
  }
  for (const auto& ch : channels)
    if (Status s = orderer::validate_batch_settings(ch.batch); !s.is_ok())
      return Status::invalid_argument(fmt::format("channel {}: {}", ch.name, s.message()));
  std::unique_ptr<FabricNetwork> net(new FabricNetwork());
  net->config_ = config;
  const uint64_t seed = config.seed;

  // Crypto material: one CA and MSP per organisation; the orderer's own CA.
  std::map<std::string, const crypto::CertificateAuthority*> ca_of;
  std::map<std::string, const FabricNetworkConfig::Org*> org_of;
  std::vector<crypto::MspConfig> msp_configs;  // each channel's manager gets its members' MSPs from these
  for (const auto& org : config.orgs) {
    net->cas_.push_back(std::make_unique<crypto::CertificateAuthority>(seed, org.msp_id, org.name));
    msp_configs.push_back(crypto::MspConfig{org.msp_id, net->cas_.back()->certificate(), true, {}});
    ca_of[org.name] = net->cas_.back().get();
    if (!org_of.emplace(org.name, &org).second) return Status::invalid_argument("organisation listed twice: " + org.name);
  }
  const std::string orderer_msp(scenario::kOrdererMspId);
  net->cas_.push_back(std::make_unique<crypto::CertificateAuthority>(seed, orderer_msp, "Orderer"));
  const crypto::CertificateAuthority* orderer_ca = net->cas_.back().get();
  const crypto::MspConfig orderer_msp_config{orderer_msp, orderer_ca->certificate(), true, {}};
  auto add_msp = [](crypto::MspManager& to, const crypto::MspConfig& c) -> Status {
    auto msp = crypto::Msp::create(c);
    if (!msp.is_ok()) return msp.status();
    return to.add(std::move(msp).value());
  };
  for (const auto& c : msp_configs)
    if (Status s = add_msp(net->msps_, c); !s.is_ok()) return s;
  if (Status s = add_msp(net->msps_, orderer_msp_config); !s.is_ok()) return s;
  // The orderer organisation's MSP is part of every channel's configuration, as in Fabric,
  // so that peers can check the orderer's block signatures against the channel's
  // BlockValidation policy: Fabric's default, ImplicitMeta "ANY Writers" over the orderer
  // organisations, which with the one orderer organisation is a member of OrdererMSP.
  {
    auto policy = CompiledSignaturePolicy::compile(*parse_signature_policy("OR('" + orderer_msp + ".member')"));
    if (!policy.is_ok()) return policy.status();
    net->block_validation_ = std::make_unique<CompiledSignaturePolicy>(std::move(policy).value());
  }
  net->verifier_ = std::make_unique<crypto::CachingVerifier>(crypto::make_verifier(config.scheme, seed), config.verify_cache,
                                                             config.verify_cache_capacity);

  // Channels: members, MSPs.
  std::set<std::string> channel_names;
  for (const auto& ch : channels) {
    if (!channel_names.insert(ch.name).second) return Status::invalid_argument("channel listed twice: " + ch.name);
    if (ch.orgs.empty()) return Status::invalid_argument("channel " + ch.name + " has no organisation");
    auto state = std::make_unique<ChannelState>();
    state->name = ch.name;
    state->orgs = ch.orgs;
    for (const auto& org_name : ch.orgs) {
      auto org = org_of.find(org_name);
      if (org == org_of.end()) return Status::invalid_argument("channel " + ch.name + ": unknown organisation " + org_name);
      state->application_msps.insert(org->second->msp_id);
      for (const auto& c : msp_configs)
        if (c.msp_id == org->second->msp_id)
          if (Status s = add_msp(state->msps, c); !s.is_ok()) return s;
    }
    if (Status s = add_msp(state->msps, orderer_msp_config); !s.is_ok()) return s;
    net->channels_.push_back(std::move(state));
  }

  // Chaincode definitions, on their channels.
  const auto registry = chaincode::ChaincodeRegistry::builtin();
  for (const auto& cc : config.chaincodes) {
    if (!registry.contains(cc.kind)) return Status::invalid_argument("unknown chaincode kind '" + cc.kind + "'");
    ChannelState* channel = net->channels_.front().get();
    if (!cc.channel.empty()) {
      channel = nullptr;
      for (auto& c : net->channels_)
        if (c->name == cc.channel) channel = c.get();
      if (channel == nullptr)
        return Status::invalid_argument("chaincode " + cc.name + ": unknown channel " + cc.channel);
    }
    for (const auto& c : net->channels_)
      if (c->definitions.contains(cc.name)) return Status::invalid_argument("chaincode defined twice: " + cc.name);
    auto envelope = parse_signature_policy(cc.policy);
    if (!envelope.is_ok()) return envelope.status();
    auto compiled = CompiledSignaturePolicy::compile(*envelope);
    if (!compiled.is_ok()) return compiled.status();
    channel->definitions.insert_or_assign(
        cc.name, validation::ChaincodeDefinition{cc.name, "1.0", std::move(compiled).value(), cc.init_required});
    channel->kinds[cc.name] = cc.kind;
  }

  net->world_ = std::make_unique<World>(seed);
  World& w = *net->world_;
  const HostId sw = w.add_host("switch", 1, nullptr);
  Builder builder{config, *net, channels, ca_of, orderer_ca, w, sw, {}};
  for (const auto& role : kRoles)
    if (Status s = (builder.*role.add)(); !s.is_ok()) return s;

  for (const auto& pl : config.pair_links) {
    const HostId a = w.find_host(pl.a), b = w.find_host(pl.b);
    if (a == kNoHost || b == kNoHost || a == sw || b == sw)
      return Status::invalid_argument(fmt::format("pair link {} - {}: unknown node", pl.a, pl.b));
    if (a == b) return Status::invalid_argument(fmt::format("pair link {} - {}: a node with itself", pl.a, pl.b));
    if (net->pair_links_.contains(std::minmax(a, b)))
      return Status::invalid_argument(fmt::format("pair link {} - {}: listed twice", pl.a, pl.b));
    LinkParams p = pl.params;
    p.dedicated = true;
    net->pair_links_[std::minmax(a, b)] = w.add_link(a, b, p);
  }
  return net;
}

Result<const ledger::Ledger*> FabricNetwork::peer_ledger(HostId peer, size_t channel,
                                                         std::unique_ptr<ledger::Ledger>* reopened) {
  if (std::find(peers_.begin(), peers_.end(), peer) == peers_.end()) return Status::invalid_argument("not a peer");
  const std::string& name = channels_.at(channel)->name;
  Host& host = world_->host(peer);
  if (host.up()) {
    // The factory of a peer host builds a PeerProcess (build() above), so the cast is exact.
    const auto* p = static_cast<const peer::PeerProcess*>(host.process());
    const int index = p->channel_index(name);
    if (index < 0) return Status::not_found("the peer has not joined channel " + name);
    const ledger::Ledger* l = p->ledger(static_cast<size_t>(index));
    if (l == nullptr) return Status::failed_precondition("its ledger of channel " + name + " is not open");
    return l;
  }
  auto opened = ledger::Ledger::open(host.mutable_store().env(), peer::ledger_path(peer::PeerConfig{}.ledger_root, name));
  if (!opened.is_ok()) return opened.status();
  *reopened = std::move(opened).value();
  return reopened->get();
}

Result<const ledger::BlockStore*> FabricNetwork::orderer_blocks(HostId orderer, size_t channel,
                                                                std::unique_ptr<ledger::BlockStore>* reopened) {
  if (std::find(orderers_.begin(), orderers_.end(), orderer) == orderers_.end())
    return Status::not_found("not an orderer");
  const std::string& name = channels_.at(channel)->name;
  Host& host = world_->host(orderer);
  if (host.up()) {
    // The orderer's factory builds a SoloOrderer (build() above), so the cast is exact.
    const auto* o = static_cast<const orderer::SoloOrderer*>(host.process());
    const int index = o->channel_index(name);
    if (index < 0) return Status::not_found("the orderer does not serve channel " + name);
    return &o->block_store(static_cast<size_t>(index));
  }
  auto opened =
      ledger::BlockStore::open(host.mutable_store().env(), orderer::ledger_path(orderer::SoloConfig{}.ledger_root, name), {});
  if (!opened.is_ok()) return opened.status();
  *reopened = std::move(opened).value();
  return reopened->get();
}

std::vector<int32_t> FabricNetwork::kafka_replicas(size_t channel) const {
  std::vector<int32_t> out;
  if (!config_.kafka) return out;
  const auto& k = *config_.kafka;
  for (uint32_t r = 0; r < k.replication_factor; ++r)
    out.push_back(static_cast<int32_t>((channel + r) % k.brokers) + 1);  // as add_brokers assigns them
  return out;
}

Result<FabricNetwork::KafkaReplica> FabricNetwork::kafka_replica(int32_t broker_id, size_t channel,
                                                                 std::unique_ptr<kafka::PartitionLog>* reopened) {
  auto b = brokers_.find(broker_id);
  if (b == brokers_.end()) return Status::not_found(fmt::format("no broker {}", broker_id));
  const std::string& topic = channels_.at(channel)->name;
  Host& host = world_->host(b->second);
  KafkaReplica out;
  if (host.up()) {
    const auto* broker = static_cast<const kafka::Broker*>(host.process());  // the broker role's factory
    const kafka::Partition* p = broker->partition(topic, 0);
    if (p == nullptr) return Status::not_found(fmt::format("broker {} holds no replica of {}", broker_id, topic));
    out.up = true;
    out.leader = p->role() == kafka::Partition::Role::kLeader;
    out.leader_epoch = p->leader_epoch();
    out.high_watermark = p->high_watermark();
    out.log = &p->log();
    return out;
  }
  auto log = std::make_unique<kafka::PartitionLog>(host.mutable_store().env(), kafka::Broker::log_dir(topic, 0),
                                                   config_.kafka->broker.log);
  if (Status s = log->open(); !s.is_ok()) return s;
  out.high_watermark = kafka::Broker::checkpointed_hw(host.mutable_store(), topic, 0);
  out.log = log.get();
  *reopened = std::move(log);
  return out;
}

HostId FabricNetwork::kafka_partition_leader(const std::string& channel) const {
  HostId best = kNoHost;
  int32_t best_epoch = -1;
  for (const auto& [id, h] : brokers_) {
    Host& host = world_->host(h);
    if (!host.up()) continue;
    const auto* b = static_cast<const kafka::Broker*>(host.process());  // the broker role's factory
    const kafka::Partition* p = b->partition(channel, 0);
    if (p != nullptr && p->role() == kafka::Partition::Role::kLeader && p->leader_epoch() > best_epoch) {
      best = h;
      best_epoch = p->leader_epoch();
    }
  }
  return best;
}

HostId FabricNetwork::kafka_controller() const {
  HostId best = kNoHost;
  int32_t best_epoch = -1;
  for (const auto& [id, h] : brokers_) {
    Host& host = world_->host(h);
    if (!host.up()) continue;
    const auto* b = static_cast<const kafka::Broker*>(host.process());
    if (b->is_controller() && b->controller().epoch() > best_epoch) {
      best = h;
      best_epoch = b->controller().epoch();
    }
  }
  return best;
}

std::optional<LinkId> FabricNetwork::pair_link(HostId a, HostId b) const {
  auto it = pair_links_.find(std::minmax(a, b));
  if (it == pair_links_.end()) return std::nullopt;
  return it->second;
}

void FabricNetwork::submit(Time t, HostId client, const std::string& id, const std::string& chaincode,
                           const std::string& function, const std::vector<std::string>& args,
                           const std::vector<HostId>& endorsers, bool is_init) {
  fabsim::TxRequest req;
  req.set_id(id);
  req.set_chaincode(chaincode);
  req.set_function(function);
  for (const auto& a : args) req.add_args(a);
  for (HostId h : endorsers) req.add_endorsers(h);
  req.set_is_init(is_init);
  std::string bytes;
  req.SerializeToString(&bytes);
  world_->call_at(t, client, ClientCall{"submit", std::move(bytes)});
}

}  // namespace fabsim
