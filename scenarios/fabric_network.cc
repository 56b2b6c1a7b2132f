#include "scenarios/fabric_network.h"

#include <fmt/format.h>

#include <set>

#include "core/policy/policy_parser.h"
#include "core/proto/fabsim/client.pb.h"
#include "model/chaincode/registry.h"
#include "model/client/client.h"
#include "model/orderer/solo.h"
#include "model/peer/peer.h"
#include "model/node_costs.h"
#include "scenarios/node_directory.h"

namespace fabsim {

FabricNetwork::~FabricNetwork() {
  world_.reset();  // processes borrow from the members below: destroy them first
}

Result<std::unique_ptr<FabricNetwork>> FabricNetwork::build(const FabricNetworkConfig& config) {
  if (config.orgs.empty()) return Status::invalid_argument("a network needs at least one organisation");
  uint32_t peers = 0, clients = 0;
  for (const auto& org : config.orgs) {
    peers += org.peers;
    clients += org.clients;
  }
  if (clients > 0 && peers == 0) return Status::invalid_argument("clients need at least one peer to endorse and notify them");
  if (Status s = orderer::validate_batch_settings(config.batch); !s.is_ok()) return s;
  std::unique_ptr<FabricNetwork> net(new FabricNetwork());
  net->config_ = config;
  const uint64_t seed = config.seed;

  // Crypto material: one CA and MSP per organisation; the orderer's own CA.
  std::set<std::string> channel_msps;
  std::map<std::string, const crypto::CertificateAuthority*> ca_of;
  for (const auto& org : config.orgs) {
    net->cas_.push_back(std::make_unique<crypto::CertificateAuthority>(seed, org.msp_id, org.name));
    auto msp = crypto::Msp::create(crypto::MspConfig{org.msp_id, net->cas_.back()->certificate(), true, {}});
    if (!msp.is_ok()) return msp.status();
    if (Status s = net->msps_.add(std::move(msp).value()); !s.is_ok()) return s;
    channel_msps.insert(org.msp_id);
    ca_of[org.name] = net->cas_.back().get();
  }
  const std::string orderer_msp(scenario::kOrdererMspId);
  net->cas_.push_back(std::make_unique<crypto::CertificateAuthority>(seed, orderer_msp, "Orderer"));
  const crypto::CertificateAuthority* orderer_ca = net->cas_.back().get();
  // The orderer organisation's MSP is part of the channel's configuration, as in Fabric, so
  // that peers can check the orderer's block signatures against the channel's
  // BlockValidation policy: Fabric's default, ImplicitMeta "ANY Writers" over the orderer
  // organisations, which with the one orderer organisation is a member of OrdererMSP.
  {
    auto msp = crypto::Msp::create(crypto::MspConfig{orderer_msp, orderer_ca->certificate(), true, {}});
    if (!msp.is_ok()) return msp.status();
    if (Status s = net->msps_.add(std::move(msp).value()); !s.is_ok()) return s;
    auto policy = CompiledSignaturePolicy::compile(
        *parse_signature_policy("OR('" + orderer_msp + ".member')"));
    if (!policy.is_ok()) return policy.status();
    net->block_validation_ = std::make_unique<CompiledSignaturePolicy>(std::move(policy).value());
  }
  net->verifier_ = std::make_unique<crypto::CachingVerifier>(crypto::make_verifier(config.scheme, seed), config.verify_cache,
                                                             config.verify_cache_capacity);
  auto identity = [&](const crypto::CertificateAuthority& ca, const std::string& name, crypto::NodeOu ou) {
    net->identities_.push_back(std::make_unique<crypto::SigningIdentity>(ca.issue(name, ou), config.scheme, seed));
    return net->identities_.back().get();
  };

  // Chaincode definitions.
  std::map<std::string, std::string> kinds;
  const auto registry = chaincode::ChaincodeRegistry::builtin();
  for (const auto& cc : config.chaincodes) {
    if (!registry.contains(cc.kind)) return Status::invalid_argument("unknown chaincode kind '" + cc.kind + "'");
    auto envelope = parse_signature_policy(cc.policy);
    if (!envelope.is_ok()) return envelope.status();
    auto compiled = CompiledSignaturePolicy::compile(*envelope);
    if (!compiled.is_ok()) return compiled.status();
    net->definitions_.insert_or_assign(
        cc.name, validation::ChaincodeDefinition{cc.name, "1.0", std::move(compiled).value(), cc.init_required});
    kinds[cc.name] = cc.kind;
  }

  net->world_ = std::make_unique<World>(seed);
  World& w = *net->world_;
  const HostId sw = w.add_host("switch", 1, nullptr);
  // Every node's process factory is kept, for harnesses that run the processes without the
  // kernel (FabricNetwork::factory).
  // Each node also gets its cost model's service-time variability.
  auto add_node = [&](const std::string& name, uint32_t cores, const CostModel& model, ProcessFactory f) {
    const HostId h = w.add_host(name, cores, f);
    w.host(h).set_cpu_variability(model.variability_sigma);
    net->factories_[h] = std::move(f);
    return h;
  };
  auto link = [&](HostId h) { w.add_link(h, sw, config.link); };

  // The orderer.
  orderer::SoloConfig oc;
  oc.channel_id = config.channel;
  oc.batch = config.batch;
  oc.msps = &net->msps_;
  oc.channel_msp_ids = channel_msps;
  oc.signer = identity(*orderer_ca, "orderer0", crypto::NodeOu::kOrderer);
  oc.verifier = net->verifier_.get();
  const CostModel orderer_model = resolve(config.costs, CostRole::kOrderer, "orderer0");
  oc.costs = orderer_costs(orderer_model, config.scheme);
  net->orderer_ = add_node("orderer0", config.node_settings.of("orderer0").cores, orderer_model,
                           [oc](HostId, const DurableStore&) {
    return std::make_unique<orderer::SoloOrderer>(oc);
  });
  link(net->orderer_);

  // Peers.
  std::vector<model::client::EndorserCandidate> candidates;
  for (const auto& org : config.orgs) {
    for (uint32_t i = 0; i < org.peers; ++i) {
      const std::string name = fmt::format("{}.peer{}", org.name, i);
      peer::PeerConfig pc;
      pc.channel_id = config.channel;
      pc.msps = &net->msps_;
      pc.signer = identity(*ca_of[org.name], name, crypto::NodeOu::kPeer);
      pc.verifier = net->verifier_.get();
      pc.chaincodes = &net->definitions_;
      pc.chaincode_kinds = kinds;
      pc.orderers = {net->orderer_};
      pc.application_msp_ids = channel_msps;
      pc.block_validation = net->block_validation_.get();
      const CostModel node_model = resolve(config.costs, CostRole::kPeer, name);
      pc.costs = peer_costs(node_model, config.scheme);
      const scenario::NodeSettings& settings = config.node_settings.of(name);
      pc.deliver_retry = settings.deliver_retry;
      // Fabric's default pool is the node's cores.
      pc.validator_pool_size = settings.validator_pool_size != 0 ? settings.validator_pool_size : settings.cores;
      const HostId h = add_node(name, settings.cores, node_model, [pc](HostId, const DurableStore&) {
        return std::make_unique<peer::PeerProcess>(pc);
      });
      link(h);
      net->peers_.push_back(h);
      auto id = net->msps_.deserialize_identity(pc.signer->serialized());
      if (!id.is_ok()) return id.status();
      candidates.push_back({h, PolicyIdentity{id->msp_id(), id->id_key(), id->roles_mask()}});
    }
  }

  // Clients: each registers for events with the first peer of its organisation (or the
  // first peer of the network if its organisation has none).
  size_t first_peer_of_org = 0;
  for (const auto& org : config.orgs) {
    const HostId event_peer = org.peers > 0 ? net->peers_[first_peer_of_org] : net->peers_.front();
    for (uint32_t i = 0; i < org.clients; ++i) {
      const std::string name = fmt::format("{}.client{}", org.name, i);
      model::client::ClientConfig cc;
      cc.channel_id = config.channel;
      cc.identity = identity(*ca_of[org.name], name, crypto::NodeOu::kClient);
      cc.msps = &net->msps_;
      cc.verifier = net->verifier_.get();
      for (const auto& [cc_name, def] : net->definitions_)
        cc.chaincodes.insert_or_assign(cc_name, model::client::ChaincodeEndorsers{def.endorsement_policy, candidates});
      cc.orderers = {net->orderer_};
      cc.event_peer = event_peer;
      const scenario::NodeSettings& settings = config.node_settings.of(name);
      cc.event_silence = settings.event_silence;
      cc.endorser_backoff = settings.endorser_backoff;
      cc.endorsement_timeout = settings.endorsement_timeout;
      cc.broadcast_timeout = settings.broadcast_timeout;
      cc.commit_timeout = settings.commit_timeout;
      cc.broadcast_attempts_max = settings.broadcast_attempts;
      cc.endorsement_attempts_max = settings.endorsement_attempts;
      for (size_t k = 0; k < net->peers_.size(); ++k) {  // own org's peers first, then the others
        const size_t p = (first_peer_of_org + k) % net->peers_.size();
        if (net->peers_[p] != event_peer) cc.event_peer_fallbacks.push_back(net->peers_[p]);
      }
      cc.rotate_endorsers = config.rotate_endorsers;
      const CostModel node_model = resolve(config.costs, CostRole::kClient, name);
      cc.costs = client_costs(node_model, config.scheme);
      const HostId h = add_node(name, settings.cores, node_model, [cc](HostId, const DurableStore&) {
        return std::make_unique<model::client::ClientProcess>(cc);
      });
      link(h);
      net->clients_.push_back(h);
    }
    first_peer_of_org += org.peers;
  }

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
