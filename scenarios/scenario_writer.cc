#include "scenarios/scenario_writer.h"

#include <algorithm>
#include <charconv>
#include <initializer_list>
#include <variant>
#include <vector>

#include "core/assert.h"
#include "scenarios/loader_internal.h"

namespace fabsim::scenario {
namespace {

using Json = nlohmann::ordered_json;

struct Unit {
  uint64_t scale;
  const char* name;
};

// `magnitude` as a whole number of the first unit (largest first) that divides it; the
// last unit's scale is 1.
std::string in_units(uint64_t magnitude, std::initializer_list<Unit> units) {
  for (const Unit& u : units)
    if (magnitude % u.scale == 0) return std::to_string(magnitude / u.scale) + u.name;
  FABSIM_ASSERT_MSG(false, "a unit list must end with a unit of scale 1");
  return {};
}

// `between: [A, B]`. Built as an array explicitly: a brace list of two two-name lists would
// read as an object to nlohmann.
Json pair_json(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  return Json::array({Json(a), Json(b)});
}

Json link_json(const LinkSpec& l) {
  return {{"latency", write_duration(l.latency)},
          {"jitter", write_duration(l.jitter)},
          {"bandwidth", write_bandwidth(l.bandwidth_bps)},
          {"loss", l.loss},
          {"duplicate", l.duplicate}};
}

Json network_json(const ScenarioSpec& s) {
  Json orgs = Json::array();
  for (const OrgSpec& o : s.network.orgs)
    orgs.push_back({{"name", o.name}, {"msp_id", o.msp_id}, {"peers", o.peers}, {"clients", o.clients}});
  Json overrides = Json::array();
  for (const LinkOverrideSpec& o : s.network.link_overrides) {
    Json entry = {{"between", pair_json(o.between_a, o.between_b)}};
    entry.update(link_json(o.link));
    overrides.push_back(std::move(entry));
  }
  Json links = {{"default", link_json(s.network.default_link)}};
  if (!overrides.empty()) links["overrides"] = std::move(overrides);
  return {{"orgs", std::move(orgs)}, {"links", std::move(links)}};
}

// The batch keys of `b` that differ from `base` (all of them when `base` is null).
void put_batch(const orderer::BatchSettings& b, const orderer::BatchSettings* base, Json* out) {
  if (!base || b.batch_timeout != base->batch_timeout) (*out)["batch_timeout"] = write_duration(b.batch_timeout);
  Json size = Json::object();
  if (!base || b.size.max_message_count != base->size.max_message_count)
    size["max_message_count"] = b.size.max_message_count;
  if (!base || b.size.absolute_max_bytes != base->size.absolute_max_bytes)
    size["absolute_max_bytes"] = write_size(b.size.absolute_max_bytes);
  if (!base || b.size.preferred_max_bytes != base->size.preferred_max_bytes)
    size["preferred_max_bytes"] = write_size(b.size.preferred_max_bytes);
  if (!size.empty()) (*out)["batch_size"] = std::move(size);
}

Json ordering_json(const OrderingSpec& o) {
  Json j = {{"type", o.type == OrderingType::kKafka ? "kafka" : "solo"}, {"orderers", o.orderers}};
  put_batch(o.batch, nullptr, &j);
  return j;
}

// The replication factor and min.insync.replicas are left out when they are their
// defaults as the loader caps them (3 and 2, at most the brokers and the factor), so that a
// later --set of kafka.brokers caps them again as it would on the original file.
Json kafka_json(const KafkaSpec& k) {
  const KafkaSpec defaults;
  Json j = {{"version", k.version}, {"brokers", k.brokers}, {"zookeepers", k.zookeepers}};
  if (k.replication_factor != std::min(defaults.replication_factor, k.brokers))
    j["replication_factor"] = k.replication_factor;
  if (k.min_insync_replicas != std::min(defaults.min_insync_replicas, k.replication_factor))
    j["min_insync_replicas"] = k.min_insync_replicas;
  if (k.unclean_leader_election) j["unclean_leader_election"] = *k.unclean_leader_election;
  j["acks"] = k.acks == 1 ? "1" : "all";
  j["zookeeper_session_timeout"] = write_duration(k.zookeeper_session_timeout);
  j["replica_lag_time_max"] = write_duration(k.replica_lag_time_max);
  return j;
}

Json channels_json(const ScenarioSpec& s) {
  Json out = Json::array();
  for (const ChannelSpec& c : s.channels) {
    Json j = {{"name", c.name}, {"orgs", c.orgs}};
    std::vector<std::string> every_peer;  // the loader's default: every peer of the orgs, node order
    for (const NodeSpec& n : s.nodes)
      if (n.role == NodeRole::kPeer && std::find(c.orgs.begin(), c.orgs.end(), n.org) != c.orgs.end())
        every_peer.push_back(n.name);
    if (c.peers != every_peer) j["peers"] = c.peers;
    put_batch(c.batch, &s.ordering.batch, &j);
    out.push_back(std::move(j));
  }
  return out;
}

Json chaincodes_json(const ScenarioSpec& s) {
  Json out = Json::array();
  for (const ChaincodeSpec& c : s.chaincodes) {
    Json j = {{"name", c.name},
              {"channel", c.channel},
              {"kind", c.kind},
              {"endorsement_policy", c.endorsement_policy.text}};
    if (c.init) j["init"] = *c.init;
    out.push_back(std::move(j));
  }
  return out;
}

Json costs_json(const CostsSpec& c) {
  Json out = Json::object();
  for (const CostScopeSpec& scope : c.scopes) {
    Json values = Json::object();
    for (const auto& [name, d] : scope.values) values[name] = write_duration(d);
    if (scope.variability_sigma) values[kVariabilitySigmaKey] = *scope.variability_sigma;
    out[scope.selector] = std::move(values);
  }
  return out;
}

Json node_settings_json(const NodeSettingsSpec& n) {
  Json out = Json::object();
  for (const NodeSettingsScopeSpec& scope : n.scopes) {
    Json values = Json::object();
    for (const std::string& key : scope.keys) {
      const auto v = detail::node_setting_value(scope.values, key);
      if (const auto* d = std::get_if<Duration>(&v))
        values[key] = write_duration(*d);
      else
        values[key] = std::get<uint32_t>(v);
    }
    out[scope.selector] = std::move(values);
  }
  return out;
}

Json keys_json(const KeySpec& k) {
  Json j = {{"count", k.count}, {"prefix", k.prefix}, {"distribution", key_distribution_name(k.distribution)}};
  if (k.distribution == KeyDistribution::kZipf) j["theta"] = k.theta;
  if (k.distribution == KeyDistribution::kHotset) {
    j["hot_fraction"] = k.hot_fraction;
    j["hot_probability"] = k.hot_probability;
  }
  return j;
}

Json mix_json(const std::vector<MixEntry>& mix) {
  Json out = Json::array();
  for (const MixEntry& m : mix) {
    Json args = Json::array();
    for (const ArgTemplate& a : m.args) args.push_back(a.text);
    out.push_back({{"function", m.function}, {"weight", m.weight}, {"args", std::move(args)}});
  }
  return out;
}

Json scripted_json(const WorkloadSpec& w) {
  Json txs = Json::array();
  for (const ScriptedTxSpec& t : w.transactions) {
    Json j = {{"id", t.id},
              {"at", write_duration(t.at)},
              {"client", t.client},
              {"chaincode", t.chaincode},
              {"function", t.function},
              {"args", t.args}};
    if (!t.endorsers.empty()) j["endorsers"] = t.endorsers;
    txs.push_back(std::move(j));
  }
  return {{"transactions", std::move(txs)}};
}

Json generator_json(const WorkloadSpec& w, Duration scenario_duration) {
  if (w.kind == WorkloadKind::kScripted) return scripted_json(w);
  Json j = {{"chaincode", w.chaincode}, {"clients", w.clients}, {"start", write_duration(w.start)}};
  // A phases generator's end is where its phases end; the key does not apply to it.
  if (w.kind != WorkloadKind::kPhases && w.end != scenario_duration) j["end"] = write_duration(w.end);
  const char* arrival = w.arrival == Arrival::kPoisson ? "poisson" : "fixed";
  switch (w.kind) {
    case WorkloadKind::kOpenLoop:
      j["rate"] = write_rate(w.rate_tps);
      j["arrival"] = arrival;
      break;
    case WorkloadKind::kPhases: {
      Json phases = Json::array();
      for (const PhaseSpec& p : w.phases)
        phases.push_back({{"duration", write_duration(p.duration)}, {"rate", write_rate(p.rate_tps)}});
      j["phases"] = std::move(phases);
      j["arrival"] = arrival;
      break;
    }
    case WorkloadKind::kClosedLoop:
      j["outstanding"] = w.outstanding;
      j["think_time"] = write_duration(w.think_time);
      break;
    case WorkloadKind::kScripted: break;
  }
  j["mix"] = mix_json(w.mix);
  j["keys"] = keys_json(w.keys);
  return j;
}

// Named nodes, then role functions as written.
Json targets_json(const FaultTargets& t) {
  Json out = t.nodes;
  for (const RoleTargetSpec& r : t.roles) out.push_back(r.text);
  return out;
}

// The value of a fault's action key.
Json action_json(const FaultSpec& f) {
  FABSIM_ASSERT(f.detail.index() == fault_detail_index(f.action));
  return std::visit(
      [](const auto& d) -> Json {
        using T = std::decay_t<decltype(d)>;
        if constexpr (std::is_same_v<T, NodeFault>) {
          return targets_json(d.targets);
        } else if constexpr (std::is_same_v<T, PartitionFault>) {
          Json groups = Json::array();
          for (const FaultTargets& g : d.groups) groups.push_back(targets_json(g));
          return groups;
        } else if constexpr (std::is_same_v<T, HealFault>) {
          return d.label.empty() ? "all" : d.label;
        } else if constexpr (std::is_same_v<T, DegradeFault>) {
          return {{"between", pair_json(d.between_a, d.between_b)},
                  {"latency", write_duration(d.extra_latency)},
                  {"loss", d.extra_loss},
                  {"bandwidth_factor", d.bandwidth_factor}};
        } else if constexpr (std::is_same_v<T, RestoreFault>) {
          return {{"between", pair_json(d.between_a, d.between_b)}};
        } else {
          static_assert(std::is_same_v<T, ClockOffsetFault>);
          return {{"node", targets_json(d.targets)}, {"offset", write_duration(d.offset)}};
        }
      },
      f.detail);
}

Json faults_json(const std::vector<FaultSpec>& faults) {
  Json out = Json::array();
  for (const FaultSpec& f : faults) {
    Json j = {{"at", write_duration(f.at)}, {fault_action_name(f.action), action_json(f)}};
    if (f.undo_after) j["for"] = write_duration(*f.undo_after);
    if (const auto* p = std::get_if<PartitionFault>(&f.detail)) {
      if (p->one_way) j["one_way"] = true;
      if (!p->label.empty()) j["label"] = p->label;
    }
    out.push_back(std::move(j));
  }
  return out;
}

template <typename T, typename Fn>
Json bounds_json(const Bounds<T>& b, Fn value) {
  Json j = Json::object();
  if (b.min) j["min"] = value(*b.min);
  if (b.max) j["max"] = value(*b.max);
  return j;
}

Json metric_bounds_json(const MetricExpect& e) {
  Json j = Json::object();
  auto number = [](auto v) { return Json(v); };
  auto duration = [](Duration d) { return Json(write_duration(d)); };
  if (e.throughput_tps) j["throughput_tps"] = bounds_json(*e.throughput_tps, number);
  if (e.latency_p50) j["latency_p50"] = bounds_json(*e.latency_p50, duration);
  if (e.latency_p95) j["latency_p95"] = bounds_json(*e.latency_p95, duration);
  if (e.latency_p99) j["latency_p99"] = bounds_json(*e.latency_p99, duration);
  if (e.committed) j["committed"] = bounds_json(*e.committed, number);
  if (!e.invalid.empty()) {
    Json invalid = Json::object();
    for (const auto& [code, bounds] : e.invalid) invalid[protos::TxValidationCode_Name(code)] = bounds_json(bounds, number);
    j["invalid"] = std::move(invalid);
  }
  if (e.failure_rate) j["failure_rate"] = bounds_json(*e.failure_rate, number);
  return j;
}

Json expect_json(const ExpectSpec& e) {
  Json j = {{"invariants", e.invariants == InvariantsExpectation::kHold ? "hold" : "ignore"}};
  if (!e.tx.empty()) {
    Json tx = Json::object();
    for (const auto& [id, code] : e.tx) tx[id] = protos::TxValidationCode_Name(code);
    j["tx"] = std::move(tx);
  }
  j.update(metric_bounds_json(e));
  if (e.kafka) {
    auto number = [](auto v) { return Json(v); };
    Json k = Json::object();
    if (e.kafka->lost_acknowledged) k["lost_acknowledged"] = bounds_json(*e.kafka->lost_acknowledged, number);
    if (e.kafka->replica_divergence) k["replica_divergence"] = bounds_json(*e.kafka->replica_divergence, number);
    j["kafka"] = std::move(k);
  }
  if (!e.channels.empty()) {
    Json channels = Json::object();
    for (const auto& [name, bounds] : e.channels) channels[name] = metric_bounds_json(bounds);
    j["channels"] = std::move(channels);
  }
  return j;
}

}  // namespace

std::string write_duration(Duration d) {
  if (d.ns == 0) return "0s";
  const bool negative = d.ns < 0;
  // In unsigned, so that |INT64_MIN| is representable.
  const uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(d.ns) : static_cast<uint64_t>(d.ns);
  return (negative ? "-" : "") + in_units(magnitude, {{3'600'000'000'000, "h"},
                                                      {60'000'000'000, "m"},
                                                      {1'000'000'000, "s"},
                                                      {1'000'000, "ms"},
                                                      {1'000, "us"},
                                                      {1, "ns"}});
}

std::string write_size(uint64_t bytes) {
  return in_units(bytes, {{1ull << 30, "GiB"},
                          {1'000'000'000, "GB"},
                          {1ull << 20, "MiB"},
                          {1'000'000, "MB"},
                          {1ull << 10, "KiB"},
                          {1'000, "KB"},
                          {1, "B"}});
}

std::string write_bandwidth(uint64_t bps) {
  return in_units(bps, {{1'000'000'000, "Gbps"}, {1'000'000, "Mbps"}, {1'000, "kbps"}, {1, "bps"}});
}

std::string write_rate(double tps) {
  // The shortest fixed-point form that reads back as `tps` (to_chars without a precision);
  // 1e300 takes 301 digits, within the buffer.
  char buf[400];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, tps, std::chars_format::fixed);
  FABSIM_ASSERT(ec == std::errc());
  return std::string(buf, end) + "tps";
}

Json write_scenario(const ScenarioSpec& s) {
  Json j;
  j["name"] = s.name;
  if (!s.description.empty()) j["description"] = s.description;
  j["seed"] = s.seed;
  j["duration"] = write_duration(s.duration);
  j["drain"] = write_duration(s.drain);
  j["network"] = network_json(s);
  j["ordering"] = ordering_json(s.ordering);
  if (s.kafka) j["kafka"] = kafka_json(*s.kafka);
  j["channels"] = channels_json(s);
  j["chaincodes"] = chaincodes_json(s);
  j["crypto"] = {{"scheme", s.crypto.scheme == CryptoScheme::kHmac ? "hmac" : "ecdsa"},
                 {"verify_cache", s.crypto.verify_cache}};
  if (!s.costs.scopes.empty()) j["costs"] = costs_json(s.costs);
  if (!s.node_settings.scopes.empty()) j["nodes"] = node_settings_json(s.node_settings);
  Json workload = Json::array();
  for (const WorkloadSpec& w : s.workload) workload.push_back(generator_json(w, s.duration));
  j["workload"] = std::move(workload);
  j["faults"] = faults_json(s.faults);
  j["expect"] = expect_json(s.expect);
  return j;
}

}  // namespace fabsim::scenario
