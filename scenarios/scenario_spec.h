// ScenarioSpec: the typed, validated description of a scenario file (docs/scenario-format.md).
// The loader (scenarios/scenario_loader.h) is the only producer; it fills every default and
// resolves every node and group name, so a consumer never re-parses text or re-checks a rule.
//
// Invariants of a spec returned by the loader (each checked there, with a located error):
//   * duration > 0, drain >= 0; every time (`start`, `end`, `at`) lies in [0, duration] for
//     the workload and in [0, duration + drain] for faults.
//   * names are unique: orgs, MSP IDs, channels, chaincodes, partition labels, scripted ids.
//   * `nodes` lists every node once, in this order: for each org (file order) its peers,
//     then its clients; then the orderers; then (Kafka) the ZooKeeper nodes and the brokers. Every node name elsewhere in the spec is one of
//     them (groups are already expanded, in `nodes` order, without duplicates).
//   * every chaincode names an existing channel and a known kind; every principal of its
//     endorsement policy names the MSP ID of an org on that channel.
//   * every channel has at least one org; its peers are peers of its orgs; every
//     workload's clients belong to an org on its chaincode's channel.
//   * the fault timeline is consistent when walked in time order (no crash of a node that
//     is down, no restart of a node that is up, no resume of a node that is not paused,
//     no heal of a partition that is not active, no restore of a path that is not
//     degraded).
// Plain values: copyable, no pointers, no hidden state.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/assert.h"
#include "core/policy/implicit_meta.h"
#include "core/policy/policy.h"
#include "core/proto/peer/transaction.pb.h"
#include "core/time.h"
#include "model/orderer/block_cutter.h"
#include "scenarios/arg_template.h"

namespace fabsim::scenario {

// ---- network ---------------------------------------------------------------------------

enum class NodeRole : uint8_t { kPeer, kClient, kOrderer, kZookeeper, kBroker };
const char* node_role_name(NodeRole role);  // "peer", "client", "orderer", "zookeeper", "broker"

// A node derived from the network and ordering sections.
struct NodeSpec {
  std::string name;  // "Org1.peer0", "Org1.client0", "orderer0"
  NodeRole role = NodeRole::kPeer;
  std::string org;     // the org's name; empty for orderers
  uint32_t index = 0;  // the number in the name

  bool operator==(const NodeSpec&) const = default;
};

struct OrgSpec {
  std::string name;      // letters, digits, '_' and '-'; starts with a letter
  std::string msp_id;    // default: name + "MSP"
  uint32_t peers = 1;    // >= 1
  uint32_t clients = 1;  // >= 0

  bool operator==(const OrgSpec&) const = default;
};

// One link's parameters (the sim's LinkParams, with jitter uniform in [0, jitter]).
struct LinkSpec {
  Duration latency = Duration::micros(500);
  Duration jitter = Duration::micros(100);
  uint64_t bandwidth_bps = 1'000'000'000;
  double loss = 0.0;       // [0, 1)
  double duplicate = 0.0;  // [0, 1)

  bool operator==(const LinkSpec&) const = default;
};

// A dedicated link for every pair (a, b), a in `nodes_a`, b in `nodes_b`, a != b.
struct LinkOverrideSpec {
  std::vector<std::string> between_a, between_b;  // as written (node or group names)
  std::vector<std::string> nodes_a, nodes_b;      // resolved
  // The fields the override does not give come from the default.
  LinkSpec link;

  bool operator==(const LinkOverrideSpec&) const = default;
};

struct NetworkSpec {
  std::vector<OrgSpec> orgs;
  LinkSpec default_link;                         // each node's link to the switch
  std::vector<LinkOverrideSpec> link_overrides;  // file order; the last match wins

  bool operator==(const NetworkSpec&) const = default;
};

// ---- ordering, channels, chaincodes, crypto --------------------------------------------

enum class OrderingType : uint8_t { kSolo, kKafka };

// The `kafka:` section (docs/kafka.md "Scenario keys"): the ZooKeeper ensemble, the brokers
// and their settings. Defaults are Fabric's recommended deployment (fabric-semantics.md §5.6)
// and Kafka's own defaults for the version.
struct KafkaSpec {
  std::string version = "1.0";                // 0.10, 1.0 or 2.0 (kafka::parse_kafka_version)
  uint32_t brokers = 4;                       // >= 1; nodes kafka0..
  uint32_t zookeepers = 3;                    // >= 1; nodes zookeeper0..
  uint32_t replication_factor = 3;            // in [1, brokers]
  uint32_t min_insync_replicas = 2;           // in [1, replication_factor]
  std::optional<bool> unclean_leader_election;  // unset: the version's default
  int32_t acks = -1;                          // "all" (-1, Fabric's) or 1
  Duration zookeeper_session_timeout = Duration::seconds(6);
  Duration replica_lag_time_max = Duration::seconds(10);
  bool operator==(const KafkaSpec&) const = default;
};

struct OrderingSpec {
  OrderingType type = OrderingType::kSolo;
  uint32_t orderers = 1;         // solo: exactly 1; kafka: >= 1 OSNs
  orderer::BatchSettings batch;  // Fabric's sample defaults: 2s, 500, 10 MiB, 2 MiB

  bool operator==(const OrderingSpec&) const = default;
};

struct ChannelSpec {
  std::string name;               // Fabric's rule: [a-z][a-z0-9.-]*, < 250 characters
  std::vector<std::string> orgs;  // org names, file order, >= 1
  // The peers that join the channel, resolved, in node order; each is a peer of one of
  // `orgs`. Default: every peer of `orgs`.
  std::vector<std::string> peers;
  orderer::BatchSettings batch;  // default: the ordering section's settings

  bool operator==(const ChannelSpec&) const = default;
};

struct EndorsementPolicySpec {
  enum class Kind : uint8_t { kSignature, kImplicitMeta };
  Kind kind = Kind::kImplicitMeta;
  std::string text = "MAJORITY Endorsement";  // as written, or the default
  SignaturePolicyEnvelope signature;          // kSignature
  ImplicitMetaPolicy implicit_meta;           // kImplicitMeta (sub-policy "Endorsement")

  bool operator==(const EndorsementPolicySpec&) const = default;
};

struct ChaincodeSpec {
  std::string name;     // unique in the scenario; Fabric's rule [a-zA-Z0-9]+([-_][a-zA-Z0-9]+)*
  std::string channel;  // default: the only channel
  std::string kind;     // a kind of the chaincode registry: kvstore, smallbank, asset
  EndorsementPolicySpec endorsement_policy;
  std::optional<std::vector<std::string>> init;  // present: init required, called with these args

  bool operator==(const ChaincodeSpec&) const = default;
};

enum class CryptoScheme : uint8_t { kEcdsa, kHmac };

struct CryptoSpec {
  CryptoScheme scheme = CryptoScheme::kEcdsa;
  bool verify_cache = true;

  bool operator==(const CryptoSpec&) const = default;
};

// ---- costs -----------------------------------------------------------------------------

// One `costs.<selector>` entry as written.
struct CostScopeSpec {
  std::string selector;                    // "all", "peers", "Org1", "Org1.peers", "Org1.peer0", ...
  int specificity = 0;                     // all 0, role 1, org 2, org role 3, node 4
  std::vector<std::string> nodes;          // resolved
  std::map<std::string, Duration> values;  // cost name -> value
  std::optional<double> variability_sigma;  // `variability_sigma`, in [0, 3]

  bool operator==(const CostScopeSpec&) const = default;
};

// The key of a cost scope that is no cost name: CostModel::variability_sigma.
inline constexpr const char* kVariabilitySigmaKey = "variability_sigma";

struct CostsSpec {
  std::vector<CostScopeSpec> scopes;  // file order
  // The effective overrides of each node that has any: the most specific scope wins.
  std::map<std::string, std::map<std::string, Duration>> by_node;
  std::map<std::string, double> variability_by_node;  // likewise, for variability_sigma

  bool operator==(const CostsSpec&) const = default;
};

// ---- node settings ---------------------------------------------------------------------

// What people tune per node (docs/scenario-format.md, "nodes"): resources, and the settings
// of each role's components, with Fabric's names where Fabric has them. Each field applies
// to the roles its comment names; the loader rejects a key in a scope that holds no node of
// those roles.
struct NodeSettings {
  // Every role: the node's cores. Work from independent components competes for them.
  uint32_t cores = 2;  // >= 1
  // Peers: Fabric's peer.validatorPoolSize, the goroutines that run a block's transaction
  // validation (VSCC) in parallel. 0 = the node's cores (Fabric's default); 1 = Fabric
  // 1.0's serial VSCC.
  uint32_t validator_pool_size = 0;
  // Peers: the Deliver watchdog: a stream with no new block for this long is re-opened.
  Duration deliver_retry = Duration::seconds(5);
  // Clients (model/client/client.h, ClientConfig): the Gateway's endorse / submit /
  // commit-status timeouts, broadcast attempts per transaction, endorser failover and the
  // event-stream watchdog (0 turns the last two off).
  Duration endorsement_timeout = Duration::seconds(15);
  Duration broadcast_timeout = Duration::seconds(5);
  Duration commit_timeout = Duration::seconds(60);
  uint32_t broadcast_attempts = 3;    // >= 1
  uint32_t endorsement_attempts = 2;  // >= 1
  Duration endorser_backoff = Duration::seconds(30);
  Duration event_silence = Duration::seconds(5);

  bool operator==(const NodeSettings&) const = default;
};

// One `nodes.<selector>` entry as written.
struct NodeSettingsScopeSpec {
  std::string selector;                  // "all", "peers", "Org1", "Org1.peers", "Org1.peer0", ...
  int specificity = 0;                   // all 0, role 1, org 2, org role 3, node 4
  std::vector<std::string> nodes;        // resolved
  std::vector<std::string> keys;         // the keys the scope sets, file order
  NodeSettings values;                   // the scope's value of each of `keys`; other fields default

  bool operator==(const NodeSettingsScopeSpec&) const = default;
};

struct NodeSettingsSpec {
  std::vector<NodeSettingsScopeSpec> scopes;  // file order
  // Every node of the scenario (ScenarioSpec::nodes) has an entry: the defaults, with each
  // key taken from the most specific scope that sets it for that node.
  std::map<std::string, NodeSettings> by_node;
  // The settings of `node` (the defaults for a name without an entry).
  const NodeSettings& of(const std::string& node) const {
    static const NodeSettings kDefaults;
    auto it = by_node.find(node);
    return it == by_node.end() ? kDefaults : it->second;
  }

  bool operator==(const NodeSettingsSpec&) const = default;
};

// ---- workload --------------------------------------------------------------------------

enum class WorkloadKind : uint8_t { kOpenLoop, kPhases, kClosedLoop, kScripted };
const char* workload_kind_name(WorkloadKind kind);  // "open", "phases", "closed", "scripted"

enum class Arrival : uint8_t { kPoisson, kFixed };

enum class KeyDistribution : uint8_t { kUniform, kZipf, kHotset, kSequential };
const char* key_distribution_name(KeyDistribution d);  // "uniform", "zipf", "hotset", "sequential"

struct KeySpec {
  uint64_t count = 1000;  // keys are prefix + 0 .. count-1
  std::string prefix = "key";
  KeyDistribution distribution = KeyDistribution::kUniform;
  double theta = 0.99;           // zipf: P(k) ∝ 1/(k+1)^theta, theta >= 0
  double hot_fraction = 0.1;     // hotset: the first ceil(hot_fraction * count) keys are hot
  double hot_probability = 0.9;  // hotset: a draw is hot with this probability

  bool operator==(const KeySpec&) const = default;
};

struct MixEntry {
  std::string function;
  uint32_t weight = 1;            // >= 1
  std::vector<ArgTemplate> args;  // one template per argument

  bool operator==(const MixEntry&) const = default;
};

struct PhaseSpec {
  Duration duration;
  double rate_tps = 0;  // > 0

  bool operator==(const PhaseSpec&) const = default;
};

struct ScriptedTxSpec {
  std::string id;         // unique over all scripted transactions
  Duration at;            // in [0, duration]
  std::string client;     // one client node
  std::string chaincode;  // default: the only chaincode
  std::string function;
  std::vector<std::string> args;  // literal, no templates
  std::vector<std::string> endorsers;  // explicit endorsing peers (resolved); empty: the client picks

  bool operator==(const ScriptedTxSpec&) const = default;
};

struct WorkloadSpec {
  WorkloadKind kind = WorkloadKind::kOpenLoop;
  std::string chaincode;                     // open, phases, closed; default: the only chaincode
  std::vector<std::string> clients;          // open, phases, closed: resolved client nodes
  Duration start;                            // open, phases, closed: default 0
  Duration end;                              // open, closed: default `duration`; phases: start + sum
  double rate_tps = 0;                       // open: > 0
  Arrival arrival = Arrival::kPoisson;       // open, phases
  std::vector<PhaseSpec> phases;             // phases
  uint32_t outstanding = 1;                  // closed: transactions in flight per client
  Duration think_time;                       // closed: wait after a commit before the next send
  std::vector<MixEntry> mix;                 // open, phases, closed
  KeySpec keys;                              // open, phases, closed
  std::vector<ScriptedTxSpec> transactions;  // scripted, in file order

  bool operator==(const WorkloadSpec&) const = default;
};

// ---- faults ----------------------------------------------------------------------------

enum class FaultAction : uint8_t {
  kCrash,
  kRestart,
  kPause,
  kResume,
  kPartition,
  kHeal,
  kDegrade,
  kRestore,
  kClockOffset,
  kPowerLoss,  // a crash that also loses the nodes' unsynced writes
};
const char* fault_action_name(FaultAction action);  // the key: "crash", "clock_offset", ...

// A role function in a fault's target (scenarios/targets.h), e.g. orderer-leader(mychannel):
// checked at load (a known function, its channel and org arguments exist), resolved to nodes
// when the fault fires, since who holds a role can change during a run.
struct RoleTargetSpec {
  std::string function;           // "orderer-leader"
  std::vector<std::string> args;  // "mychannel"
  std::string text;               // as written, for reports

  bool operator==(const RoleTargetSpec&) const = default;
};

// The nodes a fault targets: named nodes (groups expanded at load, node order) and role
// functions resolved when the fault fires. Together never empty.
struct FaultTargets {
  std::vector<std::string> nodes;
  std::vector<RoleTargetSpec> roles;

  bool operator==(const FaultTargets&) const = default;
};

// One alternative per kind of action (FaultSpec::detail).
struct NodeFault {  // crash, power_loss, restart, pause, resume
  FaultTargets targets;

  bool operator==(const NodeFault&) const = default;
};
struct PartitionFault {
  std::vector<FaultTargets> groups;  // >= 2; their named nodes disjoint (checked at load)
  bool one_way = false;              // drop only from groups[0] to the others
  std::string label;                 // optional

  bool operator==(const PartitionFault&) const = default;
};
struct HealFault {
  std::string label;  // a partition's label, or "" for every partition

  bool operator==(const HealFault&) const = default;
};
struct DegradeFault {
  std::vector<std::string> between_a, between_b;  // resolved
  Duration extra_latency;
  double extra_loss = 0.0;        // [0, 1]
  double bandwidth_factor = 1.0;  // (0, 1]

  bool operator==(const DegradeFault&) const = default;
};
struct RestoreFault {
  std::vector<std::string> between_a, between_b;  // resolved

  bool operator==(const RestoreFault&) const = default;
};
struct ClockOffsetFault {
  FaultTargets targets;
  Duration offset;  // may be negative

  bool operator==(const ClockOffsetFault&) const = default;
};
using FaultDetail = std::variant<NodeFault, PartitionFault, HealFault, DegradeFault, RestoreFault, ClockOffsetFault>;

// Which alternative of FaultDetail `action` takes.
size_t fault_detail_index(FaultAction action);

struct FaultSpec {
  Duration at;
  FaultAction action = FaultAction::kCrash;
  FaultDetail detail;                  // the alternative fault_detail_index(action) names
  std::optional<Duration> undo_after;  // `for`: crash, power_loss, pause, partition, degrade

  // The detail as `T`; asserts that it is one (a programming error otherwise).
  template <typename T>
  const T& as() const {
    FABSIM_ASSERT_MSG(std::holds_alternative<T>(detail), "a fault's detail read as another action's");
    return std::get<T>(detail);
  }

  bool operator==(const FaultSpec&) const = default;
};

// ---- expectations ----------------------------------------------------------------------

template <typename T>
struct Bounds {
  std::optional<T> min, max;  // at least one is set

  bool operator==(const Bounds&) const = default;
};

enum class InvariantsExpectation : uint8_t { kHold, kIgnore };

// Bounds on the metrics of the whole run, or of one channel's transactions.
struct MetricExpect {
  std::optional<Bounds<double>> throughput_tps;
  std::optional<Bounds<Duration>> latency_p50, latency_p95, latency_p99;
  std::optional<Bounds<uint64_t>> committed;
  std::map<protos::TxValidationCode, Bounds<uint64_t>> invalid;
  // The share of requested transactions that failed before any commit (client failures:
  // endorsement, broadcast, commit timeout ...), in [0, 1].
  std::optional<Bounds<double>> failure_rate;

  bool operator==(const MetricExpect&) const = default;
};

// Kafka ordering's known failure modes, pinned (docs/scenario-format.md "expect.kafka"):
// counts over every channel. A bound given here judges that count instead of the safety
// checks (which otherwise fail the run on any divergence or any loss the settings do not
// permit).
struct KafkaExpect {
  std::optional<Bounds<uint64_t>> lost_acknowledged;   // acknowledged TxIDs missing from the ledger
  std::optional<Bounds<uint64_t>> replica_divergence;  // replica pairs that differ below the high watermark

  bool operator==(const KafkaExpect&) const = default;
};

// The whole run's bounds are the MetricExpect base; `channels` holds one channel's.
struct ExpectSpec : MetricExpect {
  InvariantsExpectation invariants = InvariantsExpectation::kHold;
  std::optional<KafkaExpect> kafka;
  std::map<std::string, protos::TxValidationCode> tx;  // scripted id -> final code
  std::map<std::string, MetricExpect> channels;        // by channel name

  bool operator==(const ExpectSpec&) const = default;
};

// ---- warnings --------------------------------------------------------------------------

// A setting the file may have but that the guide it follows advises against (Fabric's Kafka
// guide: an even ZooKeeper ensemble, PreferredMaxBytes above 1 MiB, ...). Found at load and
// located like an error; it never changes what runs nor the exit status.
struct LoadWarning {
  std::string where;  // "file.yaml:3:5", or "--set <assignment>" for a value an override wrote
  std::string path;   // the key path, "kafka.zookeepers"
  std::string text;   // what is advised against, and why

  // "<where>: <path>: <text>", on one line.
  std::string message() const { return where + ": " + path + ": " + text; }
  // Where a warning was found is not part of the scenario: a spec written out and loaded
  // again (scenarios/scenario_writer.h) equals the original.
  bool operator==(const LoadWarning& o) const { return path == o.path && text == o.text; }
};

// ---- the scenario ----------------------------------------------------------------------

struct ScenarioSpec {
  std::string name;
  std::string description;
  uint64_t seed = 1;
  Duration duration;  // > 0, required
  Duration drain = Duration::seconds(10);
  NetworkSpec network;
  OrderingSpec ordering;
  std::optional<KafkaSpec> kafka;  // present exactly when ordering.type is kafka
  std::vector<ChannelSpec> channels;  // default: mychannel with every org
  std::vector<ChaincodeSpec> chaincodes;
  CryptoSpec crypto;
  CostsSpec costs;
  NodeSettingsSpec node_settings;  // the `nodes` section
  std::vector<WorkloadSpec> workload;
  std::vector<FaultSpec> faults;  // file order (the timeline sorts by time, stably)
  ExpectSpec expect;
  std::vector<NodeSpec> nodes;  // derived; see the invariants above
  std::vector<LoadWarning> warnings;  // in the order found; empty when nothing is advised against

  bool operator==(const ScenarioSpec&) const = default;
};

}  // namespace fabsim::scenario
