#include "scenarios/scenario_runner.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <set>
#include <utility>

#include "analysis/summary.h"
#include "core/assert.h"
#include "core/policy/implicit_meta.h"
#include "core/random.h"
#include "model/client/client.h"
#include "model/orderer/block_writer.h"
#include "model/peer/events.h"
#include "scenarios/fabric_network.h"
#include "scenarios/fault_timeline.h"
#include "scenarios/targets.h"

namespace fabsim::scenario {

std::string TxRecord::status_text() const {
  switch (outcome) {
    case Outcome::kCommitted: return protos::TxValidationCode_Name(static_cast<protos::TxValidationCode>(code));
    case Outcome::kFailed: return "failed:" + failure;
    case Outcome::kUnknown: break;
  }
  return "unknown";
}

LinkSpec pair_path_params(const LinkSpec& d) {
  LinkSpec p;
  p.latency = d.latency * 2;
  p.jitter = d.jitter * 2;
  p.bandwidth_bps = d.bandwidth_bps;
  p.loss = 1.0 - (1.0 - d.loss) * (1.0 - d.loss);
  p.duplicate = 1.0 - (1.0 - d.duplicate) * (1.0 - d.duplicate);
  return p;
}

namespace {

LinkParams to_link_params(const LinkSpec& l) {
  LinkParams p;
  p.latency = l.latency;
  p.jitter = l.jitter > Duration::zero() ? DurationDist::uniform(Duration::zero(), l.jitter)
                                         : DurationDist::constant(Duration::zero());
  p.bandwidth_bps = l.bandwidth_bps;
  p.loss = l.loss;
  p.duplicate = l.duplicate;
  return p;
}

// The signature policy a chaincode's endorsement policy stands for. An implicit meta
// policy over the channel's orgs, each org's Endorsement sub-policy being OR('<msp>.peer'),
// is OutOf(threshold, '<msp1>.peer', ...): the principals name distinct MSPs, so no
// identity can fill two of them, exactly as the independent sub-policy evaluations.
const ChannelSpec& channel_of(const ScenarioSpec& spec, const std::string& name) {
  for (const auto& ch : spec.channels)
    if (ch.name == name) return ch;
  FABSIM_ASSERT_MSG(false, "unknown channel " + name);  // the loader resolved every channel name
  return spec.channels.front();
}

std::string signature_policy_text(const ChaincodeSpec& cc, const ScenarioSpec& spec) {
  if (cc.endorsement_policy.kind == EndorsementPolicySpec::Kind::kSignature) return cc.endorsement_policy.text;
  const ChannelSpec* channel = &channel_of(spec, cc.channel);
  std::string principals;
  for (const auto& org_name : channel->orgs)
    for (const auto& org : spec.network.orgs)
      if (org.name == org_name) principals += fmt::format(", '{}.peer'", org.msp_id);
  const size_t k = implicit_meta_threshold(cc.endorsement_policy.implicit_meta.rule, channel->orgs.size());
  return fmt::format("OutOf({}{})", k, principals);
}

class Runner {
 public:
  explicit Runner(const ScenarioSpec& spec) : spec_(spec) {}
  Result<RunReport> run(const RunHooks& hooks);

 private:
  struct Phase {
    Time start, end;
    double rate = 0;
  };
  struct Generator {
    const WorkloadSpec* spec = nullptr;
    uint32_t index = 0;
    Rng rng{0};
    std::optional<ZipfDistribution> zipf;
    uint64_t weight_total = 0;
    std::vector<HostId> clients;
    uint64_t seq = 0;
    size_t next_client = 0;  // open loop: round robin
    // open loop / phases: the rate steps, the current one and the arrivals issued in it
    std::vector<Phase> phases;
    size_t phase = 0;
    uint64_t in_phase = 0;
  };

  Status build();
  void schedule_workload();
  void schedule_faults();
  std::vector<Phase> phases_of(const WorkloadSpec& w) const;
  void open_arrival(size_t g);
  // The next arrival of an open-loop generator at or after `now`, moving to later phases
  // as needed; nullopt when the last phase is over.
  std::optional<Time> next_arrival(Generator& g, Time now);
  void issue(Generator& g, size_t client_index);
  void submit(const std::string& id, uint32_t generator, HostId client, const std::string& chaincode,
              const std::string& function, std::vector<std::string> args, const std::vector<HostId>& endorsers = {},
              bool is_init = false);
  void schedule_inits();
  // The client that submits a chaincode's Init: the first of an org on its channel.
  const NodeSpec* init_client(const ChaincodeSpec& cc) const;
  uint64_t draw_key(Generator& g, uint64_t seq);
  std::string fill(Generator& g, const ArgTemplate& t, uint64_t seq, HostId client, const std::string& key,
                   const std::string& key2);
  void on_event(Time t, HostId h, const AnalysisEvent& e);
  void completed(const TxRecord& tx);
  void apply_fault(const FaultSpec& f, FaultAction action, size_t fault_index);
  // `nodes` and `roles` resolved now, in host order without duplicates; nullopt (with a
  // fault error) when a role resolves to nobody. Each role's resolution is logged.
  std::optional<std::vector<HostId>> resolve_targets(const FaultSpec& f, const FaultTargets& targets);
  // Applies `f`; false (with a fault error) when the world refuses it.
  bool apply(const Fault& f);
  HostId host(const std::string& name) const;
  void analyse();
  void analyse_channel(size_t channel);
  void analyse_kafka(size_t channel);
  std::vector<KafkaLivenessEvent> kafka_liveness_events(size_t channel) const;
  KafkaTimeouts kafka_timeouts(size_t channel) const;
  void count_unreported_blocks(size_t channel);
  ChannelReport& channel_report(const std::string& name);

  const ScenarioSpec& spec_;
  std::unique_ptr<FabricNetwork> net_;
  std::vector<Generator> gens_;
  std::map<std::string, size_t> tx_index_;  // id -> report_.transactions index
  std::map<std::string, PartitionId> partition_of_label_;
  std::map<size_t, PartitionId> partition_of_fault_;  // unlabelled partitions with `for`
  std::map<size_t, std::vector<HostId>> resolved_;    // node faults: the hosts the action hit, for its undo
  PartitionId partitions_created_ = 0;
  RunReport report_;
  std::map<std::string, std::string> channel_of_chaincode_;
  // By channel: the numbers of the blocks the orderer's events reported.
  std::map<std::string, std::set<uint64_t>> reported_blocks_;
  // By channel: the OSNs' SUCCESS answers (Kafka ordering), in the order given.
  std::map<std::string, std::vector<KafkaAck>> kafka_acks_;

  // ---- timing, for the phases and the time series --------------------------------------
  void on_work(HostId h, LaneId lane, const WorkSpan& span);
  std::function<void(HostId, LaneId, const WorkSpan&)> on_work_;
  void on_transmit(LinkId link, int side, Time start, Time end);
  void note_block_committed(Time t, HostId peer, const AnalysisEvent& e);
  // The run, window by window, sampling what is only known at an instant (queue lengths).
  void run_windows(Duration window, const std::function<void(Time)>& on_window);
  void sample_queues(size_t window);
  void open_fault_period(const FaultSpec& f, size_t fault_index, std::vector<std::string> targets);
  void close_fault_periods(const FaultSpec& f, FaultAction action, size_t fault_index, const std::vector<HostId>& hit);
  void build_series();

  std::map<std::string, size_t> channel_index_;
  // By channel index: each block's cut time at the orderer (by number).
  std::vector<std::vector<std::optional<Time>>> cut_at_;
  // By channel index and peer: each block's way through the peer (by number).
  std::vector<std::map<HostId, std::vector<std::optional<TxRecord::AtPeer>>>> at_peer_;
  std::unique_ptr<BusyWindows> cpu_busy_, disk_busy_, link_busy_;
  // By channel index and peer: the height at the end of each window where it changed.
  std::vector<std::map<HostId, std::vector<std::optional<uint64_t>>>> heights_;
  // Faults that fired and are not undone yet: index into report_.faults, and for node
  // faults the nodes not yet restarted or resumed.
  struct OpenPeriod {
    size_t impact;
    size_t fault;
    std::set<HostId> remaining;
  };
  std::vector<OpenPeriod> open_periods_;
};

HostId Runner::host(const std::string& name) const {
  const HostId h = net_->world().find_host(name);
  FABSIM_ASSERT_MSG(h != kNoHost, name);  // the loader resolved every name to a node
  return h;
}

Status Runner::build() {
  for (size_t i = 0; i < spec_.chaincodes.size(); ++i) {
    if (spec_.chaincodes[i].init && init_client(spec_.chaincodes[i]) == nullptr)
      return Status::failed_precondition(fmt::format(
          "chaincodes.{}.init: the Init needs a client, and no organisation on channel '{}' has one", i,
          spec_.chaincodes[i].channel));
  }

  FabricNetworkConfig c;
  c.seed = spec_.seed;
  for (const auto& ch : spec_.channels) c.channels.push_back({ch.name, ch.orgs, ch.peers, ch.batch});
  for (const auto& org : spec_.network.orgs) c.orgs.push_back({org.name, org.msp_id, org.peers, org.clients});
  for (const auto& cc : spec_.chaincodes)
    c.chaincodes.push_back({cc.name, cc.kind, signature_policy_text(cc, spec_), cc.init.has_value(), cc.channel});
  c.link = to_link_params(spec_.network.default_link);
  c.scheme = spec_.crypto.scheme == CryptoScheme::kHmac ? crypto::SignatureScheme::kHmacSha256
                                                          : crypto::SignatureScheme::kEcdsaP256;
  c.verify_cache = spec_.crypto.verify_cache;
  c.node_settings = spec_.node_settings;
  if (spec_.kafka) {  // the loader checked every value (scenarios/kafka_reader.cc)
    const KafkaSpec& k = *spec_.kafka;
    FabricNetworkConfig::Kafka kc;
    kc.zookeepers = k.zookeepers;
    kc.brokers = k.brokers;
    kc.osns = spec_.ordering.orderers;
    kc.replication_factor = k.replication_factor;
    kc.acks = k.acks;
    auto version = kafka::parse_kafka_version(k.version);
    if (!version.is_ok()) return version.status();
    kc.broker.version = version.value();
    kc.broker.min_insync_replicas = static_cast<int32_t>(k.min_insync_replicas);
    kc.broker.unclean_leader_election = k.unclean_leader_election;
    kc.broker.zookeeper_session_timeout = k.zookeeper_session_timeout;
    kc.broker.replica_lag_time_max = k.replica_lag_time_max;
    c.kafka = kc;
  }
  for (const auto& [node, values] : spec_.costs.by_node)
    for (const auto& [name, value] : values)
      if (Status s = c.costs.by_node[node].set(name, value); !s.is_ok())
        return Status::invalid_argument(fmt::format("costs: {}.{}: {}", node, name, s.message()));
  for (const auto& [node, sigma] : spec_.costs.variability_by_node)
    if (Status s = c.costs.by_node[node].set_variability_sigma(sigma); !s.is_ok())
      return Status::invalid_argument(fmt::format("costs: {}.{}: {}", node, kVariabilitySigmaKey, s.message()));

  // Pair links: each override's pairs (the last override wins), then every degraded pair
  // that has none, with the switch path's parameters.
  std::map<std::pair<std::string, std::string>, LinkSpec> pairs;
  auto key = [](const std::string& a, const std::string& b) { return a < b ? std::pair(a, b) : std::pair(b, a); };
  for (const auto& o : spec_.network.link_overrides)
    for (const auto& a : o.nodes_a)
      for (const auto& b : o.nodes_b)
        if (a != b) pairs[key(a, b)] = o.link;
  const LinkSpec path = pair_path_params(spec_.network.default_link);
  for (const auto& f : spec_.faults)
    if (const auto* d = std::get_if<DegradeFault>(&f.detail))
      for (const auto& a : d->between_a)
        for (const auto& b : d->between_b)
          if (a != b) pairs.try_emplace(key(a, b), path);
  for (const auto& [ab, link] : pairs) c.pair_links.push_back({ab.first, ab.second, to_link_params(link)});

  auto net = FabricNetwork::build(c);
  if (!net.is_ok()) return net.status();
  net_ = std::move(net).value();
  return Status::ok();
}

// ---- workload ------------------------------------------------------------------------------

std::vector<Runner::Phase> Runner::phases_of(const WorkloadSpec& w) const {
  std::vector<Phase> out;
  const Time start = Time::zero() + w.start;
  if (w.kind == WorkloadKind::kOpenLoop) {
    out.push_back({start, Time::zero() + w.end, w.rate_tps});
  } else {
    Time t = start;
    for (const auto& p : w.phases) {
      out.push_back({t, t + p.duration, p.rate_tps});
      t = t + p.duration;
    }
  }
  return out;
}

// Each chaincode with `init` gets its Init at time 0, from the first client of an org on
// its channel (node order), named "init.<chaincode>", with generator index = the number of
// generators (after every workload generator).
const NodeSpec* Runner::init_client(const ChaincodeSpec& cc) const {
  const ChannelSpec& channel = channel_of(spec_, cc.channel);
  for (const auto& n : spec_.nodes)
    if (n.role == NodeRole::kClient && std::find(channel.orgs.begin(), channel.orgs.end(), n.org) != channel.orgs.end())
      return &n;
  return nullptr;
}

void Runner::schedule_inits() {
  for (const ChaincodeSpec& cc : spec_.chaincodes) {
    if (!cc.init) continue;
    const NodeSpec* client = init_client(cc);
    FABSIM_ASSERT(client != nullptr);  // build() refused a chaincode with init and no client
    const uint32_t generator = static_cast<uint32_t>(spec_.workload.size());
    const HostId h = host(client->name);
    net_->world().sim().at(Time::zero(), [this, &cc, generator, h] {
      submit("init." + cc.name, generator, h, cc.name, "init", *cc.init, {}, /*is_init=*/true);
    });
  }
}

void Runner::schedule_workload() {
  World& world = net_->world();
  gens_.resize(spec_.workload.size());
  for (size_t i = 0; i < spec_.workload.size(); ++i) {
    const WorkloadSpec& w = spec_.workload[i];
    Generator& g = gens_[i];
    g.spec = &w;
    g.index = static_cast<uint32_t>(i);
    g.rng = Rng::stream(spec_.seed, fmt::format("workload/{}", i));
    if (w.kind == WorkloadKind::kScripted) {
      for (const ScriptedTxSpec& tx : w.transactions) {
        world.sim().at(Time::zero() + tx.at, [this, i, &tx] {
          std::vector<HostId> endorsers;
          for (const auto& e : tx.endorsers) endorsers.push_back(host(e));
          submit(tx.id, static_cast<uint32_t>(i), host(tx.client), tx.chaincode, tx.function, tx.args, endorsers);
        });
      }
      continue;
    }
    for (const auto& m : w.mix) g.weight_total += m.weight;
    for (const auto& c : w.clients) g.clients.push_back(host(c));
    if (w.keys.distribution == KeyDistribution::kZipf) g.zipf.emplace(w.keys.count, w.keys.theta);
    if (g.clients.empty()) continue;
    if (w.kind == WorkloadKind::kClosedLoop) {
      world.sim().at(Time::zero() + w.start, [this, i] {
        Generator& gen = gens_[i];
        for (size_t c = 0; c < gen.clients.size(); ++c)
          for (uint32_t k = 0; k < gen.spec->outstanding; ++k) issue(gen, c);
      });
      continue;
    }
    // Open loop and phases: the first arrival.
    g.phases = phases_of(w);
    if (const auto first = next_arrival(g, Time::zero())) world.sim().at(*first, [this, i] { open_arrival(i); });
  }
}

void Runner::open_arrival(size_t gi) {
  Generator& g = gens_[gi];
  issue(g, g.next_client);
  g.next_client = (g.next_client + 1) % g.clients.size();
  ++g.in_phase;
  if (const auto next = next_arrival(g, net_->world().now())) net_->world().sim().at(*next, [this, gi] { open_arrival(gi); });
}

std::optional<Time> Runner::next_arrival(Generator& g, Time now) {
  // One candidate per phase: in the current phase from now, in each later one from its
  // start (fixed: the start itself; Poisson: a fresh draw from the boundary, which is exact
  // because exponential gaps are memoryless). A candidate past its phase's end moves on.
  while (g.phase < g.phases.size()) {
    const Phase& p = g.phases[g.phase];
    Time next;
    if (g.spec->arrival == Arrival::kFixed) {
      next = p.start + Duration::nanos(std::llround(static_cast<double>(g.in_phase) * 1e9 / p.rate));
    } else {
      next = (now > p.start ? now : p.start) + Duration::nanos(std::llround(g.rng.exponential(p.rate) * 1e9));
    }
    if (next < p.end) return next;
    ++g.phase;
    g.in_phase = 0;
  }
  return std::nullopt;  // the generator ends
}

uint64_t Runner::draw_key(Generator& g, uint64_t seq) {
  const KeySpec& k = g.spec->keys;
  switch (k.distribution) {
    case KeyDistribution::kUniform: return g.rng.uniform_u64(k.count);
    case KeyDistribution::kZipf: return g.zipf->sample(g.rng);
    case KeyDistribution::kSequential: return seq % k.count;
    case KeyDistribution::kHotset: {
      const uint64_t hot = std::min<uint64_t>(
          k.count, static_cast<uint64_t>(std::ceil(k.hot_fraction * static_cast<double>(k.count))));
      const bool from_hot = hot == k.count || g.rng.bernoulli(k.hot_probability);
      return from_hot ? g.rng.uniform_u64(hot) : hot + g.rng.uniform_u64(k.count - hot);
    }
  }
  return 0;
}

std::string Runner::fill(Generator& g, const ArgTemplate& t, uint64_t seq, HostId client, const std::string& key,
                         const std::string& key2) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  for (const ArgPiece& p : t.pieces) {
    switch (p.kind) {
      case ArgPiece::Kind::kLiteral: out += p.literal; break;
      case ArgPiece::Kind::kKey: out += key; break;
      case ArgPiece::Kind::kKey2: out += key2; break;
      case ArgPiece::Kind::kSeq: out += std::to_string(seq); break;
      case ArgPiece::Kind::kClient: out += net_->world().host_names()[client]; break;
      case ArgPiece::Kind::kInt: out += std::to_string(g.rng.uniform_int(p.lo, p.hi)); break;
      case ArgPiece::Kind::kBytes: {
        const size_t from = out.size();
        out.resize(from + p.bytes);
        uint64_t bits = 0;
        for (uint64_t i = 0; i < p.bytes; ++i) {
          if (i % 10 == 0) bits = g.rng.next_u64();  // 6 bits per character
          out[from + i] = kAlphabet[bits & 63];
          bits >>= 6;
        }
        break;
      }
    }
  }
  return out;
}

void Runner::issue(Generator& g, size_t client_index) {
  const WorkloadSpec& w = *g.spec;
  const uint64_t seq = g.seq++;
  const MixEntry* entry = &w.mix.front();
  if (w.mix.size() > 1) {
    uint64_t r = g.rng.uniform_u64(g.weight_total);
    for (const auto& m : w.mix) {
      if (r < m.weight) {
        entry = &m;
        break;
      }
      r -= m.weight;
    }
  }
  bool wants_key = false, wants_key2 = false;
  for (const auto& a : entry->args) {
    wants_key = wants_key || a.uses(ArgPiece::Kind::kKey);
    wants_key2 = wants_key2 || a.uses(ArgPiece::Kind::kKey2);
  }
  std::string key, key2;
  if (wants_key || wants_key2) {
    const uint64_t k1 = draw_key(g, seq);
    key = w.keys.prefix + std::to_string(k1);
    if (wants_key2) {
      uint64_t k2 = k1;
      if (w.keys.distribution == KeyDistribution::kSequential) {
        k2 = (k1 + 1) % w.keys.count;
      } else {
        for (int attempt = 0; k2 == k1 && attempt < 64; ++attempt) k2 = draw_key(g, seq);
        if (k2 == k1) k2 = (k1 + 1 + g.rng.uniform_u64(w.keys.count - 1)) % w.keys.count;  // very skewed keys
      }
      key2 = w.keys.prefix + std::to_string(k2);
    }
  }
  const HostId client = g.clients[client_index];
  std::vector<std::string> args;
  args.reserve(entry->args.size());
  for (const auto& a : entry->args) args.push_back(fill(g, a, seq, client, key, key2));
  submit(fmt::format("{}.{}", g.index, seq), g.index, client, w.chaincode, entry->function, std::move(args));
}

void Runner::submit(const std::string& id, uint32_t generator, HostId client, const std::string& chaincode,
                    const std::string& function, std::vector<std::string> args,
                    const std::vector<HostId>& endorsers, bool is_init) {
  TxRecord r;
  r.id = id;
  r.generator = generator;
  r.client = net_->world().host_names()[client];
  r.chaincode = chaincode;
  r.channel = channel_of_chaincode_.at(chaincode);
  r.function = function;
  r.requested = net_->world().now();
  r.init = is_init;
  tx_index_.emplace(id, report_.transactions.size());
  report_.transactions.push_back(std::move(r));
  net_->submit(net_->world().now(), client, id, chaincode, function, args, endorsers, is_init);
}

// ---- events --------------------------------------------------------------------------------

void Runner::on_event(Time t, HostId h, const AnalysisEvent& e) {
  const std::string_view name = e.name;
  if (name.starts_with(model::client::kEventPrefix)) {
    auto it = tx_index_.find(e.detail);
    if (it == tx_index_.end()) return;  // a request the runner did not make (none today)
    TxRecord& tx = report_.transactions[it->second];
    const bool outcome = name == model::client::kEventCommitted || name.starts_with(model::client::kFailurePrefix);
    if (outcome && tx.outcome != TxRecord::Outcome::kUnknown) {
      // The client's contract: exactly one outcome per transaction. A second one would
      // silently rewrite the record, so it is an error of the run and the first one stays.
      report_.node_errors.push_back(fmt::format("{} at {}: a second outcome for transaction {}: {} {}",
                                                net_->world().host_names()[h], format_time(t), tx.id, e.name, e.value));
      return;
    }
    if (name == model::client::kEventSubmitted) {
      tx.submitted = t;
      if (const auto* s = std::any_cast<model::client::ClientSubmitted>(&e.data)) tx.tx_id = s->tx_id.substr(0, 8);
    } else if (name == model::client::kEventEndorsed) {
      tx.endorsed = t;
    } else if (name == model::client::kEventOrdered) {
      tx.ordered = t;
    } else if (name == model::client::kEventBlock) {
      tx.block = static_cast<uint64_t>(e.value);
      const auto ch = channel_index_.find(tx.channel);
      const auto* source = std::any_cast<model::client::ClientBlockEvent>(&e.data);
      if (source != nullptr) tx.committed_at = source->peer;
      if (ch != channel_index_.end() && source != nullptr) {
        const auto& cuts = cut_at_[ch->second];
        if (*tx.block < cuts.size()) tx.cut = cuts[*tx.block];
        const auto& by_peer = at_peer_[ch->second];
        if (auto it = by_peer.find(source->peer); it != by_peer.end() && *tx.block < it->second.size())
          tx.at_peer = it->second[*tx.block];
      }
    } else if (name == model::client::kEventCommitted) {
      tx.completed = t;
      tx.outcome = TxRecord::Outcome::kCommitted;
      tx.code = static_cast<int32_t>(e.value);
      completed(tx);
    } else if (name.starts_with(model::client::kFailurePrefix)) {
      tx.completed = t;
      tx.outcome = TxRecord::Outcome::kFailed;
      tx.failure = std::string(name.substr(model::client::kFailurePrefix.size()));
      if (const auto* f = std::any_cast<model::client::ClientFailure>(&e.data)) tx.message = f->message;
      completed(tx);
    }
    return;
  }
  if (name == "kafka.fatal") {
    report_.kafka_halts.push_back(fmt::format("at {} {}: {}", format_time(t), net_->world().host_names()[h], e.detail));
    return;
  }
  if (name == orderer::kEventKafkaAcked) {
    const auto* a = std::any_cast<orderer::KafkaAckedEvent>(&e.data);
    FABSIM_ASSERT_MSG(a != nullptr, "a kafka.chain.acked event without its record");
    kafka_acks_[a->channel].push_back({a->tx_id, net_->world().host_names()[h], t, a->offset});
    return;
  }
  if (name == orderer::kEventBlock) {
    const auto* b = std::any_cast<orderer::BlockWrittenEvent>(&e.data);
    FABSIM_ASSERT_MSG(b != nullptr, "an orderer.block event without its record");
    if (b->reason != "genesis") {
      // The block was cut when the chain's handler ran (its outputs leave after the block
      // is signed and written).
      if (auto ch = channel_index_.find(b->channel); ch != channel_index_.end()) {
        auto& cuts = cut_at_[ch->second];
        if (cuts.size() <= b->number) cuts.resize(b->number + 1);
        if (!cuts[b->number]) cuts[b->number] = e.handled;
      }
      // Under Kafka every OSN writes the same block: it is counted once, at the first.
      if (!reported_blocks_[b->channel].insert(b->number).second) return;
      CutStats& c = channel_report(b->channel).cuts[b->reason];
      ++c.blocks;
      c.transactions += b->transactions;
      c.bytes += b->bytes;
    }
    return;
  }
  if (name == peer::kEventBlockCommitted) {
    note_block_committed(t, h, e);
    return;
  }
  // A rejected block cannot come from the modelled faults (they crash, delay, lose or
  // duplicate messages, never alter them), so it is reported as an error of the run.
  if (name == peer::kEventLedgerError || name == peer::kEventCommitError || name == peer::kEventBlockRejected) {
    const auto* err = std::any_cast<peer::PeerErrorEvent>(&e.data);
    FABSIM_ASSERT_MSG(err != nullptr, "a peer error event without its record");
    report_.node_errors.push_back(fmt::format("{} at {}: {} channel {} block {}: {}", net_->world().host_names()[h],
                                              format_time(t), e.name, err->channel, err->block, err->message));
  }
}

void Runner::note_block_committed(Time t, HostId peer, const AnalysisEvent& e) {
  const auto* b = std::any_cast<peer::BlockCommittedEvent>(&e.data);
  FABSIM_ASSERT_MSG(b != nullptr, "a peer.block_committed event without its record");
  const auto ch = channel_index_.find(b->channel);
  if (ch == channel_index_.end()) return;
  // Heights for the time series: the last commit in a window gives its height.
  auto& heights = heights_[ch->second][peer];
  const size_t k = std::min(heights.size() - 1, static_cast<size_t>(t.ns / report_.timeseries.window.ns));
  heights[k] = b->number + 1;
  // The stages, from the labelled work of the commit (model/peer/events.h); a stage with no
  // work (zero costs) takes no time.
  TxRecord::AtPeer a{e.input_arrived, e.handled, e.handled, e.handled, e.handled};
  std::optional<Time> vscc_start, vscc_end, mvcc_end, ledger_end;
  for (const WorkSpan& w : e.work) {
    const std::string_view label = w.label;
    if (label == peer::kWorkBlockCheck) a.vscc_start = w.end;
    if (label == peer::kWorkVscc) {
      vscc_start = w.start;
      vscc_end = w.end;
    }
    if (label == peer::kWorkMvcc) mvcc_end = w.end;
    if (label == peer::kWorkLedgerCommit) ledger_end = w.end;
  }
  if (vscc_start) a.vscc_start = *vscc_start;
  a.vscc_end = vscc_end.value_or(a.vscc_start);
  a.mvcc_end = mvcc_end.value_or(a.vscc_end);
  a.ledger_end = ledger_end.value_or(a.mvcc_end);
  auto& blocks = at_peer_[ch->second][peer];
  if (blocks.size() <= b->number) blocks.resize(b->number + 1);
  blocks[b->number] = a;
}

void Runner::on_work(HostId h, LaneId lane, const WorkSpan& span) {
  (span.disk ? *disk_busy_ : *cpu_busy_).add(h, span.start, span.end);
  if (on_work_) on_work_(h, lane, span);
}

void Runner::on_transmit(LinkId link, int side, Time start, Time end) {
  link_busy_->add(2 * static_cast<size_t>(link) + static_cast<size_t>(side), start, end);
}

void Runner::completed(const TxRecord& tx) {
  if (tx.init) return;
  Generator& g = gens_[tx.generator];
  if (g.spec->kind != WorkloadKind::kClosedLoop) return;
  // A request refused before any proposal left (no endorsers can satisfy the policy, too
  // many in flight) would be refused again at once: its slot is not refilled, or the loop
  // would spin at one instant.
  if (!tx.submitted) return;
  const HostId client = host(tx.client);
  const auto pos = std::find(g.clients.begin(), g.clients.end(), client);
  FABSIM_ASSERT(pos != g.clients.end());
  const size_t c = static_cast<size_t>(pos - g.clients.begin());
  const Time next = net_->world().now() + g.spec->think_time;
  if (next >= Time::zero() + g.spec->end) return;
  const size_t gi = g.index;
  net_->world().sim().at(next, [this, gi, c] { issue(gens_[gi], c); });
}

// ---- faults --------------------------------------------------------------------------------

bool Runner::apply(const Fault& f) {
  World& w = net_->world();
  const Status s = w.apply(f);
  if (!s.is_ok()) {
    report_.fault_errors.push_back(fmt::format("at {}: {}", format_time(w.now()), s.message()));
    return false;
  }
  if (f.kind == Fault::Kind::kPartition) ++partitions_created_;
  return true;
}

std::optional<std::vector<HostId>> Runner::resolve_targets(const FaultSpec& f, const FaultTargets& targets) {
  std::set<HostId> out;
  for (const auto& n : targets.nodes) out.insert(host(n));
  World& w = net_->world();
  for (const RoleTargetSpec& r : targets.roles) {
    auto resolved = resolve_role_target(*net_, r);
    if (!resolved.is_ok()) {
      report_.fault_errors.push_back(fmt::format("at {}: {} of {}: {}", format_time(w.now()), fault_action_name(f.action),
                                                 r.text, resolved.status().message()));
      return std::nullopt;
    }
    std::string names;
    for (HostId h : *resolved) names += (names.empty() ? "" : " ") + w.host_names()[h];
    report_.fault_targets.push_back(
        fmt::format("at {}: {} {} = {}", format_time(w.now()), fault_action_name(f.action), r.text, names));
    out.insert(resolved->begin(), resolved->end());
  }
  return std::vector<HostId>(out.begin(), out.end());
}

namespace {

template <typename... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
// Spelled out for compilers without C++20's deduction for aggregates (clang 14, tools/fuzz.sh).
template <typename... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

}  // namespace

std::string targets_text(const FaultTargets& t) {
  std::vector<std::string> out = t.nodes;
  for (const auto& r : t.roles) out.push_back(r.text);
  return fmt::format("{}", fmt::join(out, " "));
}

}  // namespace

// A fault as written: "crash peer0.org1 for 10s", "partition [orderer0] | [peer0.org1] for 5s".
std::string fault_text(const FaultSpec& f) {
  std::string text = fault_action_name(f.action);
  std::visit(Overloaded{
                 [&](const NodeFault& d) { text += " " + targets_text(d.targets); },
                 [&](const PartitionFault& d) {
                   std::string groups;
                   for (const auto& g : d.groups) groups += (groups.empty() ? " [" : " | [") + targets_text(g) + "]";
                   text += groups + (d.one_way ? " one-way" : "") + (d.label.empty() ? "" : " '" + d.label + "'");
                 },
                 [&](const HealFault& d) { text += d.label.empty() ? " all" : " '" + d.label + "'"; },
                 [&](const DegradeFault& d) {
                   text += fmt::format(" {} <-> {}", fmt::join(d.between_a, " "), fmt::join(d.between_b, " "));
                   if (d.extra_latency.ns != 0) text += " +" + format_duration(d.extra_latency);
                   if (d.extra_loss != 0) text += fmt::format(" loss {}", d.extra_loss);
                   if (d.bandwidth_factor != 1.0) text += fmt::format(" bandwidth x{}", d.bandwidth_factor);
                 },
                 [&](const RestoreFault& d) {
                   text += fmt::format(" {} <-> {}", fmt::join(d.between_a, " "), fmt::join(d.between_b, " "));
                 },
                 [&](const ClockOffsetFault& d) {
                   text += " " + targets_text(d.targets) + " by " + format_duration(d.offset);
                 },
             },
             f.detail);
  if (f.undo_after) text += " for " + format_duration(*f.undo_after);
  return text;
}

namespace {

void Runner::open_fault_period(const FaultSpec& f, size_t fault_index, std::vector<std::string> targets) {
  World& w = net_->world();
  FaultPeriod p{w.now(), std::nullopt, fault_action_name(f.action), std::move(targets), fault_text(f)};
  report_.faults.push_back(FaultImpact{std::move(p), std::nullopt, std::nullopt, std::nullopt, std::nullopt});
  // A clock offset is a moment: it has no end.
  if (f.action == FaultAction::kClockOffset) return;
  OpenPeriod open{report_.faults.size() - 1, fault_index, {}};
  if (f.action == FaultAction::kCrash || f.action == FaultAction::kPowerLoss || f.action == FaultAction::kPause)
    for (const auto& name : report_.faults.back().period.targets) open.remaining.insert(host(name));
  open_periods_.push_back(std::move(open));
}

// `f` fired as `action` (its own, or its undo): the periods it ends get their end.
void Runner::close_fault_periods(const FaultSpec& f, FaultAction action, size_t fault_index, const std::vector<HostId>& hit) {
  const bool undo = action != f.action;
  const Time now = net_->world().now();
  auto ends = [&](OpenPeriod& o) {
    const FaultSpec& opened = spec_.faults[o.fault];
    if (undo) return o.fault == fault_index;
    switch (action) {
      case FaultAction::kRestart:
      case FaultAction::kResume: {
        const bool kind = action == FaultAction::kResume ? opened.action == FaultAction::kPause
                                                         : opened.action == FaultAction::kCrash ||
                                                               opened.action == FaultAction::kPowerLoss;
        if (!kind) return false;
        for (HostId h : hit) o.remaining.erase(h);
        return o.remaining.empty();
      }
      case FaultAction::kHeal: {
        if (opened.action != FaultAction::kPartition) return false;
        const std::string& label = f.as<HealFault>().label;
        return label.empty() || opened.as<PartitionFault>().label == label;
      }
      case FaultAction::kRestore: {
        if (opened.action != FaultAction::kDegrade) return false;
        const auto& r = f.as<RestoreFault>();
        const auto& d = opened.as<DegradeFault>();
        return r.between_a == d.between_a && r.between_b == d.between_b;
      }
      default: return false;
    }
  };
  std::vector<OpenPeriod> still_open;
  for (OpenPeriod& o : open_periods_) {
    if (ends(o))
      report_.faults[o.impact].period.end = now;
    else
      still_open.push_back(std::move(o));
  }
  open_periods_ = std::move(still_open);
}

// `action` is the fault's own, or the undo its `for` implies (restart, resume, heal, restore).
void Runner::apply_fault(const FaultSpec& f, FaultAction action, size_t fault_index) {
  const bool undo = action != f.action;
  std::vector<HostId> hit_now;  // node faults: the nodes this firing hit
  std::vector<std::string> period_targets;
  bool opens = !undo && action != FaultAction::kRestart && action != FaultAction::kResume &&
               action != FaultAction::kHeal && action != FaultAction::kRestore;
  World& w = net_->world();
  auto each_pair = [&](const std::vector<std::string>& between_a, const std::vector<std::string>& between_b, auto&& fn) {
    for (const auto& a : between_a)
      for (const auto& b : between_b)
        if (a != b) {
          const auto link = net_->pair_link(host(a), host(b));
          FABSIM_ASSERT(link.has_value());  // build() gave every degraded pair its link
          fn(*link);
        }
  };
  std::visit(
      Overloaded{
          [&](const NodeFault& d) {
            // The nodes the targets name now; an undo hits the ones its fault hit.
            std::vector<HostId> hosts;
            if (undo) {
              hosts = resolved_[fault_index];
            } else {
              auto resolved = resolve_targets(f, d.targets);
              if (!resolved) return;
              hosts = *resolved;
            }
            Fault (*make)(HostId) = nullptr;
            switch (action) {
              case FaultAction::kCrash: make = &Fault::crash; break;
              case FaultAction::kPowerLoss: make = &Fault::power_loss; break;
              case FaultAction::kRestart: make = &Fault::restart; break;
              case FaultAction::kPause: make = &Fault::pause; break;
              case FaultAction::kResume: make = &Fault::resume; break;
              default: FABSIM_ASSERT_MSG(false, "a node fault with another action");
            }
            std::vector<HostId> hit;  // the undo goes to the nodes the fault did hit, no others
            for (HostId h : hosts)
              if (apply(make(h))) hit.push_back(h);
            for (HostId h : hit) period_targets.push_back(w.host_names()[h]);
            opens = opens && !hit.empty();
            hit_now = hit;
            if (!undo) resolved_[fault_index] = std::move(hit);
          },
          [&](const ClockOffsetFault& d) {
            auto hosts = resolve_targets(f, d.targets);
            if (!hosts) return;
            for (HostId h : *hosts)
              if (apply(Fault::clock_offset(h, d.offset))) period_targets.push_back(w.host_names()[h]);
          },
          [&](const PartitionFault& d) {
            if (undo) {
              auto it = partition_of_fault_.find(fault_index);
              if (it == partition_of_fault_.end()) {  // its making failed (a fault error says why)
                report_.fault_errors.push_back(fmt::format("at {}: the heal of a partition that was never made",
                                                           format_time(w.now())));
                return;
              }
              apply(Fault::heal(it->second));
              return;
            }
            std::vector<std::vector<HostId>> groups;
            std::set<HostId> seen;
            for (const FaultTargets& g : d.groups) {
              auto hosts = resolve_targets(f, g);
              if (!hosts) return;
              for (HostId h : *hosts)
                if (!seen.insert(h).second) {
                  report_.fault_errors.push_back(fmt::format(
                      "at {}: partition: {} is in two of its sets once its roles are resolved", format_time(w.now()),
                      w.host_names()[h]));
                  return;
                }
              groups.push_back(std::move(*hosts));
            }
            for (const auto& g : groups) {
              std::vector<std::string> names;
              for (HostId h : g) names.push_back(w.host_names()[h]);
              period_targets.push_back(fmt::format("[{}]", fmt::join(names, " ")));
            }
            const PartitionId id = partitions_created_;
            if (!apply(Fault::make_partition(std::move(groups), d.one_way))) {
              period_targets.clear();
              return;
            }
            if (!d.label.empty()) partition_of_label_[d.label] = id;
            partition_of_fault_[fault_index] = id;
          },
          [&](const HealFault& d) {
            if (d.label.empty()) {
              apply(Fault::heal());
              return;
            }
            auto it = partition_of_label_.find(d.label);
            if (it == partition_of_label_.end()) {  // the loader checked the timeline; its making failed
              report_.fault_errors.push_back(fmt::format("at {}: heal of partition '{}', which was never made",
                                                         format_time(w.now()), d.label));
              return;
            }
            apply(Fault::heal(it->second));
          },
          [&](const DegradeFault& d) {
            if (undo) {
              each_pair(d.between_a, d.between_b, [&](LinkId l) { apply(Fault::restore(l)); });
              return;
            }
            LinkDegradation g;
            g.extra_latency = d.extra_latency;
            g.extra_loss = d.extra_loss;
            g.bandwidth_factor = d.bandwidth_factor;
            each_pair(d.between_a, d.between_b, [&](LinkId l) { apply(Fault::degrade(l, g)); });
            period_targets = d.between_a;
            period_targets.insert(period_targets.end(), d.between_b.begin(), d.between_b.end());
          },
          [&](const RestoreFault& d) {
            each_pair(d.between_a, d.between_b, [&](LinkId l) { apply(Fault::restore(l)); });
          },
      },
      f.detail);
  close_fault_periods(f, action, fault_index, hit_now);
  if (opens && !period_targets.empty()) open_fault_period(f, fault_index, std::move(period_targets));
}

void Runner::schedule_faults() {
  World& w = net_->world();
  for (size_t i = 0; i < spec_.faults.size(); ++i) {
    const FaultSpec& f = spec_.faults[i];
    w.sim().at(Time::zero() + f.at, [this, &f, i] { apply_fault(f, f.action, i); });
    if (!f.undo_after) continue;
    const Time undo = Time::zero() + f.at + *f.undo_after;
    if (undo > report_.end) continue;
    const FaultAction inverse = undo_action(f.action);  // the loader allows `for` only where there is one
    w.sim().at(undo, [this, &f, i, inverse] { apply_fault(f, inverse, i); });
  }
}

// ---- analysis ------------------------------------------------------------------------------

ChannelReport& Runner::channel_report(const std::string& name) {
  for (ChannelReport& c : report_.channels)
    if (c.name == name) return c;
  FABSIM_ASSERT_MSG(false, "an event of an unknown channel " + name);
  return report_.channels.front();
}

void Runner::analyse() {
  World& w = net_->world();
  std::set<std::string> checked, down;
  for (size_t i = 0; i < report_.channels.size(); ++i) {
    analyse_channel(i);
    if (net_->config().kafka) analyse_kafka(i);
    count_unreported_blocks(i);
    ChannelReport& c = report_.channels[i];
    c.metrics = compute_metrics(report_.transactions, c.name);
    for (const auto& v : c.invariants.violations)
      report_.invariants.violations.push_back(report_.channels.size() > 1 ? "channel " + c.name + ": " + v : v);
    report_.invariants.heights_compared += c.invariants.heights_compared;
    report_.invariants.transactions_rechecked += c.invariants.transactions_rechecked;
    checked.insert(c.peers_checked.begin(), c.peers_checked.end());
    down.insert(c.peers_down.begin(), c.peers_down.end());
    for (const auto& [code, n] : c.ledger_codes) report_.ledger_codes[code] += n;
    for (const auto& [reason, cut] : c.cuts) {
      CutStats& total = report_.cuts[reason];
      total.blocks += cut.blocks;
      total.transactions += cut.transactions;
      total.bytes += cut.bytes;
    }
  }
  for (HostId h : net_->peers()) {  // node order
    const std::string& name = w.host_names()[h];
    if (checked.contains(name)) report_.peers_checked.push_back(name);
    if (down.contains(name)) report_.peers_down.push_back(name);
  }
  report_.metrics = compute_metrics(report_.transactions);
  report_.network = w.net().stats();
  report_.trace_hash = w.trace().hash();
  report_.trace_events = w.trace().events();
  report_.kernel_events = w.sim().events_run();
  for (const auto& e : w.fault_errors()) report_.fault_errors.push_back(e);
}

void Runner::analyse_channel(size_t channel) {
  World& w = net_->world();
  ChannelReport& report = report_.channels[channel];
  std::vector<PeerLedger> ledgers;
  // A peer that is down at the end still holds its ledger in its durable storage: it is
  // opened from there (with the ledger's crash recovery, as a restart would) and checked
  // like the others.
  std::vector<std::unique_ptr<ledger::Ledger>> reopened;
  for (HostId h : net_->channel_peers(channel)) {
    const std::string& name = w.host_names()[h];
    const bool up = w.host(h).up();
    std::unique_ptr<ledger::Ledger> holder;
    auto opened = net_->peer_ledger(h, channel, &holder);
    if (!opened.is_ok()) {
      // Up with a ledger that failed to open: the peer emitted a node error already.
      if (!up)
        report_.node_errors.push_back(fmt::format("{} (down): its ledger of channel {} cannot be opened: {}", name,
                                                  report.name, opened.status().message()));
      continue;
    }
    const ledger::Ledger* l = *opened;
    if (!up) {
      report.peers_down.push_back(name);
      reopened.push_back(std::move(holder));
    }
    report.peers_checked.push_back(name);
    report.peer_heights[name] = l->height();
    ledgers.push_back({name, l});
  }
  report.invariants = check_invariants(ledgers, net_->validation_context(channel));
  const PeerLedger* highest = nullptr;
  for (const auto& l : ledgers)
    if (highest == nullptr || l.ledger->height() > highest->ledger->height()) highest = &l;
  if (highest != nullptr) {
    report.ledger_peer = highest->peer;
    for (uint64_t n = 1; n < highest->ledger->height(); ++n) {  // block 0 is the genesis block
      auto block = highest->ledger->block_store().block_by_number(n);
      if (!block.is_ok()) {
        report_.node_errors.push_back(
            fmt::format("{}: channel {}: block {}: {}", highest->peer, report.name, n, block.status().message()));
        break;
      }
      for (unsigned char c : block->metadata().metadata(common::TRANSACTIONS_FILTER))
        ++report.ledger_codes[protos::TxValidationCode_Name(static_cast<protos::TxValidationCode>(c))];
    }
  }
}

// Kafka ordering: the checks of analysis/kafka_checks.h over every OSN's ledger and every
// replica of the channel's partition, read as they are at the end (a node that is down is
// read from its durable storage, as a restart would).
void Runner::analyse_kafka(size_t channel) {
  World& w = net_->world();
  ChannelReport& report = report_.channels[channel];
  const FabricNetworkConfig::Kafka& k = *net_->config().kafka;
  KafkaCheckInput in{.channel = report.name};
  std::vector<std::unique_ptr<ledger::BlockStore>> stores;
  for (HostId h : net_->orderers()) {
    std::unique_ptr<ledger::BlockStore> reopened;
    auto opened = net_->orderer_blocks(h, channel, &reopened);
    if (!opened.is_ok()) {
      report_.node_errors.push_back(fmt::format("{}: its ledger of channel {} cannot be opened: {}", w.host_names()[h],
                                                report.name, opened.status().message()));
      continue;
    }
    in.osns.push_back({w.host_names()[h], *opened});
    stores.push_back(std::move(reopened));
  }
  std::vector<std::unique_ptr<kafka::PartitionLog>> logs;
  for (int32_t id : net_->kafka_replicas(channel)) {
    const HostId h = net_->brokers().at(id);
    std::unique_ptr<kafka::PartitionLog> reopened;
    auto replica = net_->kafka_replica(id, channel, &reopened);
    if (!replica.is_ok()) {
      report_.node_errors.push_back(fmt::format("{}: its log of channel {} cannot be opened: {}", w.host_names()[h],
                                                report.name, replica.status().message()));
      continue;
    }
    in.replicas.push_back({w.host_names()[h], id, replica->up, replica->leader, replica->leader_epoch,
                           replica->high_watermark, replica->log});
    logs.push_back(std::move(reopened));
  }
  if (auto it = kafka_acks_.find(report.name); it != kafka_acks_.end()) in.acks = std::move(it->second);  // read once
  // Losses are judged when the run ends in a state where ordering progresses (the liveness
  // conditions hold after the last fault event) and the last event is at least the liveness
  // bound before the end: acknowledged records still missing then are lost, not late.
  KafkaChannelReport kr;
  kr.liveness_bound = kafka_liveness_bound(kafka_timeouts(channel));
  const std::vector<KafkaLivenessEvent> events = kafka_liveness_events(channel);
  in.faults_healed = events.empty() || (events.back().conditions_hold && events.back().at + kr.liveness_bound <= report_.end);
  kr.checks = check_kafka(in);
  if (k.acks != -1) kr.loss_permitted_by.push_back(fmt::format("acks {}", k.acks));
  if (k.broker.unclean()) kr.loss_permitted_by.push_back("unclean leader election");
  if (k.broker.log.flush_interval_messages != 1) {
    std::set<std::string> brokers;
    for (const auto& [id, h] : net_->brokers()) brokers.insert(w.host_names()[h]);
    for (const FaultImpact& f : report_.faults) {
      if (f.period.action != "power_loss") continue;
      for (const auto& t : f.period.targets)
        if (brokers.contains(t))
          kr.loss_permitted_by.push_back(fmt::format("power loss of {} at {} without log flushing", t, format_time(f.period.at)));
    }
  }
  const KafkaExpect pinned = spec_.expect.kafka.value_or(KafkaExpect{});
  for (const auto& v : kr.checks.violations) report.invariants.violations.push_back(v);
  if (!pinned.replica_divergence)
    for (const auto& v : kr.checks.divergences) report.invariants.violations.push_back(v);
  if (!pinned.lost_acknowledged && kr.loss_permitted_by.empty()) {
    for (const KafkaLostRecord& l : kr.checks.lost)
      report.invariants.violations.push_back(fmt::format(
          "kafka: transaction {} acknowledged by {} at {} (offset {}) is not in the ledger (height {})", l.ack.tx_id,
          l.ack.osn, format_time(l.ack.at), l.ack.offset, kr.checks.ledger_height));
  }

  // Liveness.
  std::vector<Time> blocks, broadcasts;
  for (const auto& c : cut_at_[channel])
    if (c) blocks.push_back(*c);
  std::sort(blocks.begin(), blocks.end());
  for (const TxRecord& tx : report_.transactions)
    if (tx.channel == report.name && tx.endorsed) broadcasts.push_back(*tx.endorsed);
  std::sort(broadcasts.begin(), broadcasts.end());
  kr.liveness = kafka_liveness(events, blocks, broadcasts, kr.liveness_bound, report_.end, &report.invariants.violations);
  report.kafka = std::move(kr);
}

// The settings the liveness bound of `channel` is derived from.
KafkaTimeouts Runner::kafka_timeouts(size_t channel) const {
  const FabricNetworkConfig::Kafka& k = *net_->config().kafka;
  KafkaTimeouts t;
  t.zookeeper_session_timeout = k.broker.zookeeper_session_timeout;
  t.zookeeper_tick = k.zookeeper.tick;
  t.zookeeper_init_limit = k.zookeeper.init_limit;
  t.replica_lag_time_max = k.broker.replica_lag_time_max;
  t.network_timeout = k.chain.network_timeout;
  t.producer_retry_backoff = k.chain.producer.retry_backoff;
  t.producer_retries = static_cast<uint32_t>(k.chain.producer.retries);
  t.connect_retry = k.chain.retry.short_interval;
  t.consumer_backoff = k.chain.consumer.retry_backoff;
  t.batch_timeout = spec_.channels.at(channel).batch.batch_timeout;
  return t;
}

// The fault events (each period's start and end) and whether, from each to the next, a
// ZooKeeper quorum, min.insync.replicas of the partition's replicas and one OSN are up with
// no partition or degradation active. A node of a crash, pause or power loss counts as down
// for the whole period (until its last node is back).
std::vector<KafkaLivenessEvent> Runner::kafka_liveness_events(size_t channel) const {
  const World& w = net_->world();
  const FabricNetworkConfig::Kafka& k = *net_->config().kafka;
  std::set<std::string> zookeepers, replicas, osns;
  for (HostId h : net_->zookeepers()) zookeepers.insert(w.host_names()[h]);
  for (int32_t id : net_->kafka_replicas(channel)) replicas.insert(w.host_names()[net_->brokers().at(id)]);
  for (HostId h : net_->orderers()) osns.insert(w.host_names()[h]);
  std::vector<std::pair<Time, std::string>> moments;
  for (const FaultImpact& f : report_.faults) {
    if (f.period.action == "clock_offset") continue;
    moments.emplace_back(f.period.at, "after " + f.period.text);
    if (f.period.end && *f.period.end <= report_.end) moments.emplace_back(*f.period.end, "after the end of " + f.period.text);
  }
  std::stable_sort(moments.begin(), moments.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<KafkaLivenessEvent> out;
  for (size_t i = 0; i < moments.size(); ++i) {
    const Time t = moments[i].first;
    if (i + 1 < moments.size() && moments[i + 1].first == t) continue;  // the last of simultaneous events speaks
    KafkaLivenessEvent e{t, moments[i].second, true, std::nullopt};
    if (i + 1 < moments.size()) e.until = moments[i + 1].first;
    size_t zk_down = 0, replicas_down = 0, osns_down = 0;
    for (const FaultImpact& f : report_.faults) {
      if (f.period.at > t || (f.period.end && *f.period.end <= t)) continue;  // not active just after t
      const std::string& a = f.period.action;
      if (a == "partition" || a == "degrade") e.conditions_hold = false;
      if (a != "crash" && a != "pause" && a != "power_loss") continue;
      for (const auto& n : f.period.targets) {
        zk_down += zookeepers.count(n);
        replicas_down += replicas.count(n);
        osns_down += osns.count(n);
      }
    }
    const size_t quorum = zookeepers.size() / 2 + 1;
    if (zookeepers.size() - zk_down < quorum) e.conditions_hold = false;
    if (replicas.size() - replicas_down < static_cast<size_t>(std::max(1, k.broker.min_insync_replicas)))
      e.conditions_hold = false;
    if (osns_down >= osns.size()) e.conditions_hold = false;
    out.push_back(std::move(e));
  }
  return out;
}

// Blocks in the orderer's ledger of the channel that no block event reported (cuts) are
// counted under kUnknownCutReason, with their size as the orderer's event would have given it.
void Runner::count_unreported_blocks(size_t channel) {
  World& w = net_->world();
  ChannelReport& report = report_.channels[channel];
  const HostId h = net_->orderer();
  std::unique_ptr<ledger::BlockStore> reopened;  // down at the end: read as a restart would
  auto opened = net_->orderer_blocks(channel, &reopened);
  if (!opened.is_ok()) {
    report_.node_errors.push_back(fmt::format("{}: its ledger of channel {} cannot be opened: {}", w.host_names()[h],
                                              report.name, opened.status().message()));
    return;
  }
  const ledger::BlockStore* store = *opened;
  const std::set<uint64_t>& reported = reported_blocks_[report.name];
  for (uint64_t n = 1; n < store->height(); ++n) {  // block 0 is the genesis block
    if (reported.contains(n)) continue;
    auto block = store->block_by_number(n);
    if (!block.is_ok()) {
      report_.node_errors.push_back(
          fmt::format("{}: channel {}: block {}: {}", w.host_names()[h], report.name, n, block.status().message()));
      return;
    }
    CutStats& c = report.cuts[kUnknownCutReason];
    ++c.blocks;
    c.transactions += static_cast<uint64_t>(block->data().data_size());
    c.bytes += block->ByteSizeLong();
  }
}

Result<RunReport> Runner::run(const RunHooks& hooks) {
  report_.scenario = spec_.name;
  report_.seed = spec_.seed;
  report_.end = Time::zero() + spec_.duration + spec_.drain;
  for (const ChannelSpec& ch : spec_.channels) report_.channels.push_back({.name = ch.name});
  for (const ChaincodeSpec& cc : spec_.chaincodes) channel_of_chaincode_[cc.name] = cc.channel;
  if (Status s = build(); !s.is_ok()) return s;
  World& w = net_->world();
  if (hooks.on_world) hooks.on_world(w);
  w.set_event_sink([this](Time t, HostId h, const AnalysisEvent& e) { on_event(t, h, e); });
  FABSIM_ASSERT_MSG(hooks.window.ns > 0, "the time series' window must be positive");
  report_.timeseries.window = hooks.window;
  const size_t windows = window_count(hooks.window, report_.end);
  cpu_busy_ = std::make_unique<BusyWindows>(hooks.window, report_.end, w.host_count());
  disk_busy_ = std::make_unique<BusyWindows>(hooks.window, report_.end, w.host_count());
  link_busy_ = std::make_unique<BusyWindows>(hooks.window, report_.end, 2 * w.net().link_count());
  on_work_ = hooks.on_work;
  w.set_work_sink([this](HostId h, LaneId lane, const WorkSpan& span) { on_work(h, lane, span); });
  w.net().set_transmit_sink([this](LinkId l, int side, Time a, Time b) { on_transmit(l, side, a, b); });
  cut_at_.resize(spec_.channels.size());
  at_peer_.resize(spec_.channels.size());
  heights_.resize(spec_.channels.size());
  for (size_t c = 0; c < spec_.channels.size(); ++c) {
    channel_index_[spec_.channels[c].name] = c;
    for (HostId p : net_->channel_peers(c)) heights_[c][p].assign(windows, std::nullopt);
  }
  w.start();
  schedule_inits();
  schedule_workload();
  schedule_faults();
  run_windows(hooks.window, hooks.on_window);
  analyse();
  build_series();
  return std::move(report_);
}

void Runner::build_series() {
  World& w = net_->world();
  TimeSeries& ts = report_.timeseries;
  const Duration window = ts.window;
  const size_t n = window_count(window, report_.end);
  for (size_t k = 0; k < n; ++k) {
    const Time start = Time::zero() + window * static_cast<int64_t>(k);
    ts.start.push_back(start);
    ts.length.push_back(std::min(report_.end, start + window) - start);
  }
  auto index = [&](Time t) { return std::min(n - 1, static_cast<size_t>(std::max<int64_t>(0, t.ns) / window.ns)); };
  std::vector<uint64_t> requests(n, 0), valid(n, 0);
  std::vector<Summary> latency(n);
  std::vector<Time> valid_commits;
  std::optional<Time> first_request;
  for (const TxRecord& tx : report_.transactions) {
    if (tx.init) continue;
    ++requests[index(tx.requested)];
    if (!first_request || tx.requested < *first_request) first_request = tx.requested;
    if (!tx.completed) continue;
    const size_t k = index(*tx.completed);
    if (tx.valid()) {
      ++valid[k];
      latency[k].add((*tx.completed - tx.requested).ns);
      valid_commits.push_back(*tx.completed);
    } else {
      const std::string reason =
          tx.outcome == TxRecord::Outcome::kFailed
              ? tx.failure
              : protos::TxValidationCode_Name(static_cast<protos::TxValidationCode>(tx.code));
      auto& series = ts.failures[reason];
      if (series.empty()) series.assign(n, 0);
      ++series[k];
    }
  }
  for (size_t k = 0; k < n; ++k) {
    const double seconds = ts.length[k].to_seconds();
    ts.send_rate_tps.push_back(seconds > 0 ? static_cast<double>(requests[k]) / seconds : 0.0);
    ts.throughput_tps.push_back(seconds > 0 ? static_cast<double>(valid[k]) / seconds : 0.0);
    const bool any = latency[k].count() > 0;
    ts.latency_p50.push_back(any ? std::optional(Duration::nanos(latency[k].percentile(50))) : std::nullopt);
    ts.latency_p95.push_back(any ? std::optional(Duration::nanos(latency[k].percentile(95))) : std::nullopt);
    ts.latency_p99.push_back(any ? std::optional(Duration::nanos(latency[k].percentile(99))) : std::nullopt);
  }
  for (size_t c = 0; c < heights_.size(); ++c)
    for (const auto& [peer, marks] : heights_[c]) {
      auto& series = ts.peer_heights[spec_.channels[c].name][w.host_names()[peer]];
      uint64_t height = 0;
      for (const auto& m : marks) series.push_back(height = m.value_or(height));
    }
  for (HostId h = 0; h < w.host_count(); ++h) {
    if (cpu_busy_->any(h)) ts.cpu_utilisation[w.host_names()[h]] = cpu_busy_->utilisation(h, w.host(h).cores());
    if (disk_busy_->any(h)) ts.disk_utilisation[w.host_names()[h]] = disk_busy_->utilisation(h, 1.0);
  }
  for (LinkId l = 0; l < w.net().link_count(); ++l) {
    for (int side = 0; side < 2; ++side) {
      const size_t r = 2 * static_cast<size_t>(l) + static_cast<size_t>(side);
      if (!link_busy_->any(r)) continue;
      const std::string& from = w.host_names()[w.net().link_end(l, side)];
      const std::string& to = w.host_names()[w.net().link_end(l, 1 - side)];
      ts.link_utilisation[from + "->" + to] = link_busy_->utilisation(r, 1.0);
    }
  }
  std::sort(valid_commits.begin(), valid_commits.end());
  const Time workload_end = Time::zero() + spec_.duration;
  for (FaultImpact& f : report_.faults)
    f = fault_impact(f.period, valid_commits, first_request.value_or(Time::zero()), workload_end, window);
}

void Runner::run_windows(Duration window, const std::function<void(Time)>& on_window) {
  World& w = net_->world();
  const size_t windows = window_count(window, report_.end);
  for (size_t k = 0; k < windows; ++k) {
    w.run_until(std::min(report_.end, Time::zero() + window * static_cast<int64_t>(k + 1)));
    sample_queues(k);
    if (on_window) on_window(w.now());
  }
}

void Runner::sample_queues(size_t k) {
  World& w = net_->world();
  for (HostId h = 0; h < w.host_count(); ++h) {
    const Host& host = w.host(h);
    const auto& lanes = host.lane_stats();
    for (LaneId l = 0; l < lanes.size(); ++l) {
      auto& series = report_.timeseries.queue_length[w.host_names()[h] + "/" + lanes[l].name];
      if (series.empty()) series.assign(window_count(report_.timeseries.window, report_.end), 0);
      series[k] = host.lane_waiting(l);
    }
  }
}

}  // namespace

// ---- metrics -------------------------------------------------------------------------------

namespace {

// Latency buckets: upper bounds in the R10 series (ten per decade: 1, 1.25, 1.6, 2, 2.5,
// 3.15, 4, 5, 6.3, 8) from 1 ms up to the largest latency (at least one bucket).
std::vector<Duration> latency_buckets(std::optional<Duration> max) {
  std::vector<Duration> upper;
  const int64_t top = max ? max->ns : 0;
  for (int64_t decade = 10'000; upper.empty() || upper.back().ns < top; decade *= 10)  // 1/100 ms
    for (int64_t step : {100, 125, 160, 200, 250, 315, 400, 500, 630, 800}) {
      upper.push_back(Duration::nanos(decade * step));
      if (upper.back().ns >= top) break;
    }
  return upper;
}

}  // namespace

Metrics compute_metrics(const std::vector<TxRecord>& txs, std::optional<std::string_view> channel) {
  Metrics m;
  Summary latency;
  std::optional<Time> first_request, last_request, last_valid_commit;
  std::array<Summary, kPhaseCount> phases;
  for (const TxRecord& tx : txs) {
    if (tx.init) continue;  // set-up, not workload: it would skew the rates (it runs alone at 0)
    if (channel && tx.channel != *channel) continue;
    ++m.requested;
    if (!first_request || tx.requested < *first_request) first_request = tx.requested;
    if (!last_request || tx.requested > *last_request) last_request = tx.requested;
    if (tx.submitted) ++m.submitted;
    switch (tx.outcome) {
      case TxRecord::Outcome::kCommitted:
        if (tx.code == 0) {
          ++m.succeeded;
          latency.add((*tx.completed - tx.requested).ns);
          if (!last_valid_commit || *tx.completed > *last_valid_commit) last_valid_commit = tx.completed;
        } else {
          ++m.invalid;
          ++m.invalid_by_code[protos::TxValidationCode_Name(static_cast<protos::TxValidationCode>(tx.code))];
        }
        break;
      case TxRecord::Outcome::kFailed:
        ++m.failed;
        ++m.failed_by_reason[tx.failure];
        if (!tx.message.empty()) ++m.failure_messages[tx.failure + ": " + tx.message];
        break;
      case TxRecord::Outcome::kUnknown: ++m.unknown; break;
    }
    const auto bounds = phase_boundaries(tx);
    for (size_t p = 0; p < kPhaseCount; ++p)
      if (bounds[p] && bounds[p + 1]) phases[p].add((*bounds[p + 1] - *bounds[p]).ns);
  }
  if (first_request && last_request && *last_request > *first_request)
    m.send_rate_tps = static_cast<double>(m.requested) / (*last_request - *first_request).to_seconds();
  if (first_request && last_valid_commit && *last_valid_commit > *first_request)
    m.throughput_tps = static_cast<double>(m.succeeded) / (*last_valid_commit - *first_request).to_seconds();
  if (latency.count() > 0) {
    m.latency_min = Duration::nanos(latency.min());
    m.latency_max = Duration::nanos(latency.max());
    m.latency_avg = Duration::nanos(std::llround(latency.mean()));
    m.latency_p50 = Duration::nanos(latency.percentile(50));
    m.latency_p95 = Duration::nanos(latency.percentile(95));
    m.latency_p99 = Duration::nanos(latency.percentile(99));
  }
  for (size_t p = 0; p < kPhaseCount; ++p) {
    const Summary& s = phases[p];
    PhaseStats& out = m.phases[p];
    out.count = s.count();
    if (s.count() == 0) continue;
    out.mean = Duration::nanos(std::llround(s.mean()));
    out.p50 = Duration::nanos(s.percentile(50));
    out.p95 = Duration::nanos(s.percentile(95));
    out.p99 = Duration::nanos(s.percentile(99));
  }
  m.latency_bucket_upper = latency_buckets(m.latency_max);
  m.latency_bucket_count.assign(m.latency_bucket_upper.size() + 1, 0);
  for (const TxRecord& tx : txs) {
    if (tx.init || !tx.valid() || (channel && tx.channel != *channel)) continue;
    const Duration d = *tx.completed - tx.requested;
    const auto it = std::lower_bound(m.latency_bucket_upper.begin(), m.latency_bucket_upper.end(), d);
    ++m.latency_bucket_count[static_cast<size_t>(it - m.latency_bucket_upper.begin())];
  }
  return m;
}

const char* phase_name(Phase p) {
  switch (p) {
    case Phase::kEndorse: return "endorse";
    case Phase::kBroadcast: return "broadcast";
    case Phase::kBatchWait: return "batch_wait";
    case Phase::kDelivery: return "delivery";
    case Phase::kCommitQueue: return "commit_queue";
    case Phase::kVscc: return "vscc";
    case Phase::kMvcc: return "mvcc";
    case Phase::kLedgerCommit: return "ledger_commit";
    case Phase::kCommitEvent: return "commit_event";
  }
  return "?";
}

std::array<std::optional<Time>, kPhaseCount + 1> phase_boundaries(const TxRecord& tx) {
  std::array<std::optional<Time>, kPhaseCount + 1> b;
  b[0] = tx.requested;
  b[1] = tx.endorsed;
  b[2] = tx.ordered;
  b[3] = tx.cut;
  // An envelope that completes a batch is cut before its acknowledgement reaches the
  // client: broadcast then ends at the cut, and batch_wait is zero.
  if (b[2] && b[3] && *b[3] < *b[2]) b[2] = b[3];
  if (tx.at_peer) {
    b[4] = tx.at_peer->received;
    b[5] = tx.at_peer->vscc_start;
    b[6] = tx.at_peer->vscc_end;
    b[7] = tx.at_peer->mvcc_end;
    b[8] = tx.at_peer->ledger_end;
  }
  if (tx.outcome == TxRecord::Outcome::kCommitted) b[9] = tx.completed;
  return b;
}

Result<RunReport> run_scenario(const ScenarioSpec& spec, const RunHooks& hooks) {
  Runner runner(spec);
  return runner.run(hooks);
}

// ---- expectations --------------------------------------------------------------------------

namespace {

template <typename T, typename Fmt>
void check_bounds(const char* what, const Bounds<T>& b, std::optional<T> actual, Fmt fmt_value,
                  std::vector<std::string>* unmet) {
  if (!actual) {
    unmet->push_back(fmt::format("{}: no value (nothing to measure)", what));
    return;
  }
  if (b.min && *actual < *b.min)
    unmet->push_back(fmt::format("{}: {} is below the minimum {}", what, fmt_value(*actual), fmt_value(*b.min)));
  if (b.max && *actual > *b.max)
    unmet->push_back(fmt::format("{}: {} is above the maximum {}", what, fmt_value(*actual), fmt_value(*b.max)));
}

}  // namespace

namespace {

// The bounds of `expect` that metrics `m` and ledger codes (when `ledger`; else the clients'
// counts) do not meet; each line starts with `prefix`.
void check_metrics(const MetricExpect& expect, const Metrics& m, bool ledger,
                   const std::map<std::string, uint64_t>& ledger_codes, const std::string& prefix,
                   std::vector<std::string>* unmet) {
  auto tps = [](double v) { return fmt::format("{:.2f} tps", v); };
  auto dur = [](Duration d) { return format_duration(d); };
  auto num = [](uint64_t v) { return std::to_string(v); };
  auto key = [&](const std::string& k) { return prefix + k; };
  if (expect.throughput_tps)
    check_bounds(key("throughput_tps").c_str(), *expect.throughput_tps, std::optional(m.throughput_tps), tps, unmet);
  if (expect.latency_p50) check_bounds(key("latency_p50").c_str(), *expect.latency_p50, m.latency_p50, dur, unmet);
  if (expect.latency_p95) check_bounds(key("latency_p95").c_str(), *expect.latency_p95, m.latency_p95, dur, unmet);
  if (expect.latency_p99) check_bounds(key("latency_p99").c_str(), *expect.latency_p99, m.latency_p99, dur, unmet);
  auto count = [&](const std::string& code) -> uint64_t {
    const auto& counts = ledger ? ledger_codes : m.invalid_by_code;
    if (!ledger && code == "VALID") return m.succeeded;
    auto it = counts.find(code);
    return it == counts.end() ? 0 : it->second;
  };
  if (expect.committed) check_bounds(key("committed").c_str(), *expect.committed, std::optional(count("VALID")), num, unmet);
  for (const auto& [code, bounds] : expect.invalid) {
    const std::string name = protos::TxValidationCode_Name(code);
    check_bounds(key("invalid." + name).c_str(), bounds, std::optional(count(name)), num, unmet);
  }
  if (expect.failure_rate) {
    const double rate = m.requested == 0 ? 0.0 : static_cast<double>(m.failed) / static_cast<double>(m.requested);
    check_bounds(key("failure_rate").c_str(), *expect.failure_rate, std::optional(rate),
                 [](double v) { return fmt::format("{:.4g}", v); }, unmet);
  }
}

}  // namespace

std::vector<std::string> unmet_expectations(const ExpectSpec& expect, const RunReport& r) {
  std::vector<std::string> unmet;
  if (expect.invariants == InvariantsExpectation::kHold) {
    for (const auto& v : r.invariants.violations) unmet.push_back("invariants: " + v);
    for (const auto& e : r.node_errors) unmet.push_back("invariants: node error: " + e);
  }
  if (expect.kafka) {
    uint64_t lost = 0, diverged = 0;
    bool kafka = false;
    for (const ChannelReport& c : r.channels) {
      if (!c.kafka) continue;
      kafka = true;
      lost += c.kafka->checks.lost.size();
      diverged += c.kafka->checks.divergences.size();
    }
    auto count = [](uint64_t v) { return fmt::format("{}", v); };
    if (!kafka) unmet.push_back("kafka: the run has no Kafka ordering");
    if (kafka && expect.kafka->lost_acknowledged)
      check_bounds("kafka.lost_acknowledged", *expect.kafka->lost_acknowledged, std::optional(lost), count, &unmet);
    if (kafka && expect.kafka->replica_divergence)
      check_bounds("kafka.replica_divergence", *expect.kafka->replica_divergence, std::optional(diverged), count, &unmet);
  }
  for (const auto& [id, code] : expect.tx) {
    const std::string want = protos::TxValidationCode_Name(code);
    const TxRecord* tx = nullptr;
    for (const auto& t : r.transactions)
      if (t.id == id) tx = &t;
    const std::string got = tx ? tx->status_text() : "never submitted";
    if (got != want) unmet.push_back(fmt::format("tx.{}: expected {}, got {}", id, want, got));
  }
  // Counts of committed transactions come from each channel's ledger when a peer of it could
  // be read (it also holds what no client heard of), else from the clients' events.
  std::map<std::string, uint64_t> codes;  // the ledgers', or the clients' where a channel has none
  for (const ChannelReport& c : r.channels) {
    if (!c.ledger_peer.empty()) {
      for (const auto& [code, n] : c.ledger_codes) codes[code] += n;
    } else {
      codes["VALID"] += c.metrics.succeeded;
      for (const auto& [code, n] : c.metrics.invalid_by_code) codes[code] += n;
    }
  }
  check_metrics(expect, r.metrics, !r.channels.empty(), codes, "", &unmet);
  for (const auto& [name, bounds] : expect.channels) {
    const ChannelReport* c = nullptr;
    for (const ChannelReport& ch : r.channels)
      if (ch.name == name) c = &ch;
    if (c == nullptr) {
      unmet.push_back(fmt::format("channels.{}: no such channel in the run", name));
      continue;
    }
    check_metrics(bounds, c->metrics, !c->ledger_peer.empty(), c->ledger_codes, "channels." + name + ".", &unmet);
  }
  return unmet;
}

}  // namespace fabsim::scenario
