// The `nodes` section: per-node settings (NodeSettings, scenarios/scenario_spec.h), keyed by
// node or group name exactly like `costs` (docs/scenario-format.md, "nodes").
//
// Each key applies to some roles (cores to every node, validator_pool_size to peers, the
// Gateway timeouts to clients, ...). In a scope that holds nodes of several roles a key sets
// only the nodes of its roles; a scope that holds none of them is an error, since the key
// would change nothing. The effective settings of every node of the scenario are then
// resolved as for costs: for each node and key, the most specific scope that sets it wins.
#include <algorithm>
#include <string>
#include <vector>

#include "core/assert.h"
#include "scenarios/loader_internal.h"

namespace fabsim::scenario::detail {
namespace {

using Sign = FieldReader::Sign;

// Roles as bits, so that a key can name the roles it applies to.
constexpr uint8_t role_bit(NodeRole role) { return static_cast<uint8_t>(1u << static_cast<unsigned>(role)); }
constexpr uint8_t kPeers = role_bit(NodeRole::kPeer);
constexpr uint8_t kClients = role_bit(NodeRole::kClient);
constexpr uint8_t kEveryRole = kPeers | kClients | role_bit(NodeRole::kOrderer) | role_bit(NodeRole::kZookeeper) |
                               role_bit(NodeRole::kBroker);

// Bounds of the whole-number keys: far above any machine or retry policy worth simulating,
// low enough that a slip of the finger (an extra digit or three) is caught.
constexpr uint32_t kMaxCores = 1024;    // cores, validator_pool_size
constexpr uint32_t kMaxAttempts = 100;  // broadcast_attempts, endorsement_attempts

// One key of a scope: the roles it applies to and how its value is read. Exactly one of
// `count` (a whole number in [1, count_max]) and `duration` (with `sign`) is set.
struct SettingKey {
  std::string name;
  uint8_t roles = kEveryRole;
  uint32_t NodeSettings::*count = nullptr;
  uint32_t count_max = 0;
  Duration NodeSettings::*duration = nullptr;
  Sign sign = Sign::kPositive;
};

// In the order of NodeSettings and of the docs' table.
const std::vector<SettingKey>& setting_keys() {
  static const std::vector<SettingKey> kKeys = {
      {.name = "cores", .count = &NodeSettings::cores, .count_max = kMaxCores},
      {.name = "validator_pool_size", .roles = kPeers, .count = &NodeSettings::validator_pool_size,
       .count_max = kMaxCores},
      {.name = "deliver_retry", .roles = kPeers, .duration = &NodeSettings::deliver_retry},
      {.name = "endorsement_timeout", .roles = kClients, .duration = &NodeSettings::endorsement_timeout},
      {.name = "broadcast_timeout", .roles = kClients, .duration = &NodeSettings::broadcast_timeout},
      {.name = "commit_timeout", .roles = kClients, .duration = &NodeSettings::commit_timeout},
      {.name = "broadcast_attempts", .roles = kClients, .count = &NodeSettings::broadcast_attempts,
       .count_max = kMaxAttempts},
      {.name = "endorsement_attempts", .roles = kClients, .count = &NodeSettings::endorsement_attempts,
       .count_max = kMaxAttempts},
      {.name = "endorser_backoff", .roles = kClients, .duration = &NodeSettings::endorser_backoff,
       .sign = Sign::kNonNegative},
      {.name = "event_silence", .roles = kClients, .duration = &NodeSettings::event_silence,
       .sign = Sign::kNonNegative},
  };
  return kKeys;
}

const std::vector<std::string>& setting_key_names() {
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> names;
    for (const SettingKey& k : setting_keys())
      names.push_back(k.name);
    return names;
  }();
  return kNames;
}

// The position of a key r.map has accepted.
size_t key_index(std::string_view name) {
  const auto& names = setting_key_names();
  const auto it = std::find(names.begin(), names.end(), name);
  FABSIM_ASSERT(it != names.end());
  return static_cast<size_t>(it - names.begin());
}

// "peers", "clients", "peers and clients": the roles of a key, for messages.
std::string roles_text(uint8_t roles) {
  std::string out;
  for (NodeRole role : {NodeRole::kPeer, NodeRole::kClient, NodeRole::kOrderer, NodeRole::kZookeeper, NodeRole::kBroker})
    if (roles & role_bit(role)) out += (out.empty() ? "" : " and ") + std::string(node_role_name(role)) + "s";
  return out;
}

// One scope as read: the spec's record (with the values of the keys it sets) and the nodes
// as directory indices.
struct ScopeValues {
  NodeSettingsScopeSpec scope;
  std::vector<size_t> nodes;
};

Status read_value(const LoadContext& ctx, const SettingKey& key, const YamlNode& v, const std::string& path,
                  NodeSettings* out) {
  const FieldReader& r = ctx.r;
  if (key.duration) return r.duration(v, path, key.sign, &(out->*key.duration));
  // The default 0 of validator_pool_size means "one per core"; it is not a value to write.
  if (key.count == &NodeSettings::validator_pool_size && v.kind == YamlNode::Kind::kScalar && v.text == "0")
    return r.error(v, path,
                   "expected a whole number from 1 to " + std::to_string(key.count_max) +
                       " (got '0'; leave the key out for the default, one validator per core)");
  return r.whole32(v, path, 1, key.count_max, &(out->*key.count));
}

Status read_scope(const LoadContext& ctx, const YamlEntry& e, ScopeValues* out) {
  const FieldReader& r = ctx.r;
  const std::string p = child_path("nodes", e.key);
  out->scope.selector = e.key;
  out->scope.specificity = specificity(ctx.dir, e.key);
  out->nodes = *ctx.dir.resolve(e.key);  // r.map checked the selector
  out->scope.nodes = ctx.names_of(out->nodes);
  if (e.value.kind != YamlNode::Kind::kMap && e.value.kind != YamlNode::Kind::kNull)
    return r.error(e.value, p, "expected a map of node settings, e.g. {cores: 4} (got " + e.value.describe() + ")");
  SCENARIO_TRY(r.map(e.value, p, setting_key_names()));
  for (const YamlEntry& c : e.value.entries) {
    const SettingKey& key = setting_keys()[key_index(c.key)];
    const std::string kp = child_path(p, c.key);
    const bool holds_a_role = std::any_of(out->nodes.begin(), out->nodes.end(), [&](size_t i) {
      return (key.roles & role_bit(ctx.dir.nodes()[i].role)) != 0;
    });
    if (key.roles != kEveryRole && !holds_a_role)
      return r.error(c.value, kp, "applies to " + roles_text(key.roles) + ", and '" + e.key + "' selects none");
    SCENARIO_TRY(read_value(ctx, key, c.value, kp, &out->scope.values));
    out->scope.keys.push_back(c.key);
  }
  return Status::ok();
}

void copy_key(const SettingKey& key, const NodeSettings& from, NodeSettings* to) {
  if (key.count) to->*key.count = from.*key.count;
  if (key.duration) to->*key.duration = from.*key.duration;
}

}  // namespace

std::variant<uint32_t, Duration> node_setting_value(const NodeSettings& s, std::string_view name) {
  const SettingKey& key = setting_keys()[key_index(name)];
  if (key.duration) return s.*key.duration;
  return s.*key.count;
}

Status read_node_settings(LoadContext& ctx, const YamlNode* n) {
  std::vector<ScopeValues> scopes;
  if (n) {
    SCENARIO_TRY(ctx.r.map(*n, "nodes", ctx.dir.names()));
    for (const YamlEntry& e : n->entries) {
      ScopeValues s;
      SCENARIO_TRY(read_scope(ctx, e, &s));
      scopes.push_back(std::move(s));
    }
  }
  // Effective values: every node starts from the defaults; for each node and key, the most
  // specific scope that sets it for a node of the key's roles wins. A node belongs to at
  // most one selector of each level (and a selector appears once), so there is no tie.
  NodeSettingsSpec& out = ctx.spec.node_settings;
  const std::vector<NodeSpec>& nodes = ctx.dir.nodes();
  std::vector<std::vector<int>> level(nodes.size(), std::vector<int>(setting_keys().size(), -1));
  for (const NodeSpec& node : nodes)
    out.by_node[node.name] = NodeSettings{};
  for (const ScopeValues& s : scopes)
    for (size_t i : s.nodes)
      for (const std::string& name : s.scope.keys) {
        const size_t k = key_index(name);
        const SettingKey& key = setting_keys()[k];
        if ((key.roles & role_bit(nodes[i].role)) == 0 || s.scope.specificity <= level[i][k]) continue;
        level[i][k] = s.scope.specificity;
        copy_key(key, s.scope.values, &out.by_node[nodes[i].name]);
      }
  for (ScopeValues& s : scopes)
    out.scopes.push_back(std::move(s.scope));
  return Status::ok();
}

}  // namespace fabsim::scenario::detail
