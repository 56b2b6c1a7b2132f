// The loader's entry points and the sections that describe the system: top-level values,
// network, ordering, channels, chaincodes, crypto and costs. The per-node settings, the
// workload, the faults and the expectations have their own files.
#include "scenarios/scenario_loader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <set>

#include "core/assert.h"
#include "core/cost_model.h"
#include "core/policy/implicit_meta.h"
#include "core/policy/policy_parser.h"
#include "model/chaincode/registry.h"
#include "scenarios/loader_internal.h"
#include "scenarios/suggest.h"
#include "scenarios/targets.h"

namespace fabsim::scenario {

const char* node_role_name(NodeRole role) {
  switch (role) {
    case NodeRole::kPeer: return "peer";
    case NodeRole::kClient: return "client";
    case NodeRole::kOrderer: return "orderer";
    case NodeRole::kZookeeper: return "zookeeper";
    case NodeRole::kBroker: return "broker";
  }
  return "?";
}

namespace detail {

std::string show(Duration d) { return format_duration(d); }

Status LoadContext::select(const YamlNode& n, std::string_view path, std::vector<size_t>* out) const {
  return select_targets(n, path, out, nullptr);
}

Status LoadContext::select_targets(const YamlNode& n, std::string_view path, std::vector<size_t>* out,
                                   std::vector<RoleTargetSpec>* roles) const {
  std::vector<std::string> names;
  std::vector<const YamlNode*> nodes;
  SCENARIO_TRY(r.text_list(n, path, &names, &nodes));
  std::set<size_t> picked;
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string at = n.kind == YamlNode::Kind::kList ? child_path(path, i) : std::string(path);
    // Without `roles`, every entry is a node or group name.
    auto role = roles != nullptr ? parse_role_target(names[i]) : std::nullopt;
    if (!role) {
      auto sel = dir.resolve(names[i]);
      if (!sel) {
        std::vector<std::string> known = dir.names();
        if (roles != nullptr)
          for (const RoleFunction& f : role_functions()) known.push_back(f.name + "(...)");
        return r.error(*nodes[i], at, "unknown node or group '" + names[i] + "'" + suggestion(names[i], known));
      }
      picked.insert(sel->begin(), sel->end());
      continue;
    }
    const RoleFunction* f = find_role_function(role->function);
    std::vector<std::string> functions;
    for (const RoleFunction& g : role_functions()) functions.push_back(g.name);
    if (f == nullptr)
      return r.error(*nodes[i], at, "unknown role '" + role->function + "'" + suggestion(role->function, functions));
    std::string usage = f->name + "(";
    for (size_t k = 0; k < f->args.size(); ++k)
      usage += std::string(k ? ", " : "") + (f->args[k] == TargetArg::kChannel ? "<channel>" : "<org>");
    usage += ")";
    if (role->args.size() != f->args.size())
      return r.error(*nodes[i], at,
                     "expected " + usage + ", " + std::to_string(f->args.size()) + " argument" +
                         (f->args.size() == 1 ? "" : "s") + " (got " + std::to_string(role->args.size()) + ")");
    for (size_t k = 0; k < f->args.size(); ++k) {
      std::vector<std::string> valid;
      if (f->args[k] == TargetArg::kChannel)
        for (const ChannelSpec& c : spec.channels) valid.push_back(c.name);
      else
        for (const OrgSpec& o : spec.network.orgs) valid.push_back(o.name);
      if (std::find(valid.begin(), valid.end(), role->args[k]) == valid.end())
        return r.error(*nodes[i], at,
                       std::string("unknown ") + (f->args[k] == TargetArg::kChannel ? "channel" : "organisation") + " '" +
                           role->args[k] + "' in " + usage + suggestion(role->args[k], valid));
    }
    if (f->impossible)
      if (auto why = f->impossible(spec)) return r.error(*nodes[i], at, role->text + ": " + *why);
    roles->push_back(std::move(*role));
  }
  out->assign(picked.begin(), picked.end());
  return Status::ok();
}

void LoadContext::warn(const YamlNode& at, std::string_view path, std::string_view text) {
  spec.warnings.push_back({one_line(r.doc().where(at.loc)), std::string(path), one_line(text)});
}

std::vector<std::string> LoadContext::names_of(const std::vector<size_t>& nodes) const {
  std::vector<std::string> out;
  out.reserve(nodes.size());
  for (size_t i : nodes)
    out.push_back(dir.nodes()[i].name);
  return out;
}

Status LoadContext::select_pair(const YamlNode& n, std::string_view path, std::vector<size_t>* a,
                                std::vector<size_t>* b) const {
  if (n.kind != YamlNode::Kind::kList || n.items.size() != 2)
    return r.error(n, path,
                   "expected two node sets, e.g. [Org1, orderers] (got " +
                       (n.kind == YamlNode::Kind::kList ? std::to_string(n.items.size()) + " entries" : n.describe()) +
                       ")");
  SCENARIO_TRY(select(n.items[0], child_path(path, 0), a));
  SCENARIO_TRY(select(n.items[1], child_path(path, 1), b));
  if (a->size() == 1 && *a == *b)
    return r.error(n, path, "the two sides are the same single node; there is no path between them");
  return Status::ok();
}

const ChannelSpec& LoadContext::channel_of(std::string_view chaincode) const {
  const auto cc = std::find_if(spec.chaincodes.begin(), spec.chaincodes.end(),
                               [&](const ChaincodeSpec& c) { return c.name == chaincode; });
  FABSIM_ASSERT(cc != spec.chaincodes.end());
  const auto ch = std::find_if(spec.channels.begin(), spec.channels.end(),
                               [&](const ChannelSpec& c) { return c.name == cc->channel; });
  FABSIM_ASSERT(ch != spec.channels.end());
  return *ch;
}

Status LoadContext::chaincode_ref(const YamlNode* n, const YamlNode& parent, std::string_view path,
                                  std::string* out) const {
  std::vector<std::string> names;
  for (const ChaincodeSpec& c : spec.chaincodes)
    names.push_back(c.name);
  if (!n) {
    if (names.size() == 1) {
      *out = names[0];
      return Status::ok();
    }
    return r.error(parent, path,
                   names.empty() ? "missing key 'chaincode' (and the scenario defines no chaincodes)"
                                 : "missing key 'chaincode' (needed when there is more than one chaincode)");
  }
  const std::string p = child_path(path, "chaincode");
  SCENARIO_TRY(r.text(*n, p, out));
  if (std::find(names.begin(), names.end(), *out) == names.end())
    return r.error(*n, p, "unknown chaincode '" + *out + "'" + suggestion(*out, names));
  return Status::ok();
}

int specificity(const NodeDirectory& dir, const std::string& selector) {
  if (selector == "all") return 0;
  if (selector == "peers" || selector == "clients" || selector == "orderers" || selector == "zookeepers" ||
      selector == "brokers")
    return 1;
  if (!dir.is_group(selector)) return 4;  // a node
  return selector.find('.') == std::string::npos ? 2 : 3;
}

namespace {

const std::vector<std::string> kTopKeys = {"name",    "description", "seed",     "duration",   "drain",
                                           "network", "ordering",    "channels", "chaincodes", "crypto",
                                           "costs",   "nodes",       "workload", "faults",     "expect",
                                           "kafka"};

bool channel_first(char c) { return c >= 'a' && c <= 'z'; }
bool channel_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-'; }

// Fabric's chaincode name rule: ^[a-zA-Z0-9]+([-_][a-zA-Z0-9]+)*$.
bool valid_chaincode_name(std::string_view s) {
  if (s.empty() || !is_alnum(s.front()) || !is_alnum(s.back())) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (is_alnum(s[i])) continue;
    if ((s[i] != '-' && s[i] != '_') || !is_alnum(s[i + 1])) return false;
  }
  return true;
}

Status read_channels(LoadContext& ctx, const YamlNode* n) {
  const FieldReader& r = ctx.r;
  std::vector<std::string> org_names;
  for (const OrgSpec& o : ctx.spec.network.orgs)
    org_names.push_back(o.name);
  // Every peer of the channel's orgs, in node order.
  auto peers_of = [&](const std::vector<std::string>& orgs) {
    std::vector<std::string> out;
    for (const NodeSpec& node : ctx.spec.nodes)
      if (node.role == NodeRole::kPeer && std::find(orgs.begin(), orgs.end(), node.org) != orgs.end())
        out.push_back(node.name);
    return out;
  };
  if (!n) {
    ctx.spec.channels.push_back({"mychannel", org_names, peers_of(org_names), ctx.spec.ordering.batch});
    return Status::ok();
  }
  SCENARIO_TRY(r.list(*n, "channels"));
  if (n->items.empty())
    return r.error(*n, "channels",
                   "expected at least one channel (leave the key out for the default, mychannel with every org)");
  std::set<std::string> names;
  for (size_t i = 0; i < n->items.size(); ++i) {
    const YamlNode& c = n->items[i];
    const std::string p = child_path("channels", i);
    SCENARIO_TRY(r.map(c, p, {"name", "orgs", "peers", "batch_timeout", "batch_size"}));
    ChannelSpec ch;
    auto name = r.required(c, p, "name", "the channel's name, e.g. mychannel");
    if (!name) return name.status();
    SCENARIO_TRY(r.text(**name, child_path(p, "name"), &ch.name));
    if (!matches(ch.name, channel_first, channel_char) || ch.name.size() >= 250)
      return r.error(**name, child_path(p, "name"),
                     "expected a channel name of lower-case letters, digits, '.' and '-' that starts with a letter, "
                     "shorter than 250 characters (got '" +
                         ch.name + "')");
    if (!names.insert(ch.name).second)
      return r.error(**name, child_path(p, "name"), "duplicate channel name '" + ch.name + "'");
    if (const YamlNode* orgs = c.find("orgs")) {
      std::vector<const YamlNode*> nodes;
      SCENARIO_TRY(r.text_list(*orgs, child_path(p, "orgs"), &ch.orgs, &nodes));
      if (ch.orgs.empty())
        return r.error(*orgs, child_path(p, "orgs"), "expected at least one organisation (got none)");
      for (size_t k = 0; k < ch.orgs.size(); ++k) {
        const std::string op =
            orgs->kind == YamlNode::Kind::kList ? child_path(child_path(p, "orgs"), k) : child_path(p, "orgs");
        if (std::find(org_names.begin(), org_names.end(), ch.orgs[k]) == org_names.end())
          return r.error(*nodes[k], op,
                         "unknown organisation '" + ch.orgs[k] + "'" + suggestion(ch.orgs[k], org_names));
        if (std::find(ch.orgs.begin(), ch.orgs.begin() + k, ch.orgs[k]) != ch.orgs.begin() + k)
          return r.error(*nodes[k], op, "organisation '" + ch.orgs[k] + "' is listed twice");
      }
    } else {
      ch.orgs = org_names;
    }
    if (const YamlNode* peers = c.find("peers")) {
      const std::string pp = child_path(p, "peers");
      // Node and group names (a group stands for its peers), in node order.
      std::vector<size_t> selected;
      SCENARIO_TRY(ctx.select(*peers, pp, &selected));
      std::vector<std::string> names;
      std::vector<const YamlNode*> items;
      SCENARIO_TRY(r.text_list(*peers, pp, &names, &items));
      std::string org_list;
      for (const auto& o : ch.orgs) org_list += (org_list.empty() ? "" : ", ") + o;
      if (names.empty()) return r.error(*peers, pp, "expected at least one peer (got none)");
      std::set<size_t> chosen;
      for (size_t i = 0; i < names.size(); ++i) {
        const std::string at = peers->kind == YamlNode::Kind::kList ? child_path(pp, i) : pp;
        bool any_peer = false;
        const std::vector<size_t> members = *ctx.dir.resolve(names[i]);
        for (size_t k : members) {
          const NodeSpec& node = ctx.spec.nodes[k];
          if (node.role != NodeRole::kPeer) {
            if (ctx.dir.is_group(names[i])) continue;  // a group's clients and orderers do not join
            return r.error(*items[i], at,
                           "'" + node.name + "' is " + (node.role == NodeRole::kClient ? "a client" : "an orderer") +
                               ", not a peer: only peers join a channel");
          }
          any_peer = true;
          if (std::find(ch.orgs.begin(), ch.orgs.end(), node.org) == ch.orgs.end())
            return r.error(*items[i], at,
                           "peer '" + node.name + "' cannot join channel '" + ch.name + "': its organisation " + node.org +
                               " is not on the channel (its orgs: " + org_list + ")");
          chosen.insert(k);
        }
        if (!any_peer) return r.error(*items[i], at, "group '" + names[i] + "' has no peers");
      }
      for (size_t k : chosen) ch.peers.push_back(ctx.spec.nodes[k].name);  // node order
    } else {
      ch.peers = peers_of(ch.orgs);
    }
    ch.batch = ctx.spec.ordering.batch;
    SCENARIO_TRY(read_batch_settings(r, c, p, &ch.batch));
    ctx.spec.channels.push_back(std::move(ch));
  }
  return Status::ok();
}

// The 0-based position of principal `msp_id`.role in policy text, for pointing at it.
size_t principal_position(std::string_view text, const std::string& msp_id) {
  for (const char q : {'\'', '"'}) {
    const size_t at = text.find(std::string(1, q) + msp_id + ".");
    if (at != std::string_view::npos) return at + 1;
  }
  return 0;
}

Status read_policy(const LoadContext& ctx, const YamlNode& n, const std::string& path, const ChannelSpec& channel,
                   EndorsementPolicySpec* out) {
  const FieldReader& r = ctx.r;
  SCENARIO_TRY(r.text(n, path, &out->text));
  const std::string first = out->text.substr(0, out->text.find(' '));
  if (first == "ANY" || first == "ALL" || first == "MAJORITY") {
    auto meta = parse_implicit_meta_policy(out->text);
    if (!meta) return r.error(n, path, "malformed implicit meta policy: " + meta.status().message());
    if (meta->sub_policy != "Endorsement")
      return r.error(n, path,
                     "implicit meta policies may only name the Endorsement sub-policy, as in 'MAJORITY "
                     "Endorsement' (got '" +
                         meta->sub_policy + "')");
    out->kind = EndorsementPolicySpec::Kind::kImplicitMeta;
    out->implicit_meta = *meta;
    return Status::ok();
  }
  size_t pos = 0;
  auto env = parse_signature_policy(out->text, &pos);
  if (!env)
    return r.error_at(r.position_in_scalar(n, pos), path, "malformed endorsement policy: " + env.status().message());
  std::vector<std::string> members;
  for (const std::string& org : channel.orgs)
    for (const OrgSpec& o : ctx.spec.network.orgs)
      if (o.name == org) members.push_back(o.msp_id);
  std::vector<std::string> all_msps;
  for (const OrgSpec& o : ctx.spec.network.orgs)
    all_msps.push_back(o.msp_id);
  for (const MspPrincipal& p : env->identities) {
    if (std::find(members.begin(), members.end(), p.msp_id) != members.end()) continue;
    std::string list;
    for (const std::string& m : members)
      list += (list.empty() ? "" : ", ") + m;
    // A typo gets a suggestion; the MSP of an org that is simply not on the channel does not.
    const bool known = std::find(all_msps.begin(), all_msps.end(), p.msp_id) != all_msps.end();
    const auto hint = known ? std::nullopt : closest(p.msp_id, members);
    return r.error_at(r.position_in_scalar(n, principal_position(out->text, p.msp_id)), path,
                      "principal '" + to_string(p) + "' names MSP '" + p.msp_id + "', which is not " +
                          (known ? "an organisation on channel '" : "the MSP of any organisation on channel '") +
                          channel.name + "' (its MSPs: " + list + ")" +
                          (hint ? "; did you mean '" + *hint + "'?" : ""));
  }
  out->kind = EndorsementPolicySpec::Kind::kSignature;
  out->signature = std::move(env).value();
  return Status::ok();
}

Status read_chaincodes(LoadContext& ctx, const YamlNode& n) {
  const FieldReader& r = ctx.r;
  SCENARIO_TRY(r.list(n, "chaincodes"));
  std::vector<std::string> kinds = ctx.options.chaincode_kinds;
  if (kinds.empty()) kinds = chaincode::ChaincodeRegistry::builtin().kinds();
  std::vector<std::string> channel_names;
  for (const ChannelSpec& c : ctx.spec.channels)
    channel_names.push_back(c.name);
  std::set<std::string> names;
  for (size_t i = 0; i < n.items.size(); ++i) {
    const YamlNode& c = n.items[i];
    const std::string p = child_path("chaincodes", i);
    SCENARIO_TRY(r.map(c, p, {"name", "channel", "kind", "endorsement_policy", "init"}));
    ChaincodeSpec cc;
    auto name = r.required(c, p, "name", "the chaincode's name, e.g. kv");
    if (!name) return name.status();
    SCENARIO_TRY(r.text(**name, child_path(p, "name"), &cc.name));
    if (!valid_chaincode_name(cc.name))
      return r.error(**name, child_path(p, "name"),
                     "expected a chaincode name of letters and digits, optionally joined by single '-' or '_' (got '" +
                         cc.name + "')");
    if (!names.insert(cc.name).second)
      return r.error(**name, child_path(p, "name"), "duplicate chaincode name '" + cc.name + "'");
    if (const YamlNode* ch = c.find("channel")) {
      SCENARIO_TRY(r.text(*ch, child_path(p, "channel"), &cc.channel));
      if (std::find(channel_names.begin(), channel_names.end(), cc.channel) == channel_names.end())
        return r.error(*ch, child_path(p, "channel"),
                       "unknown channel '" + cc.channel + "'" + suggestion(cc.channel, channel_names));
    } else if (channel_names.size() == 1) {
      cc.channel = channel_names[0];
    } else {
      return r.error(c, p, "missing key 'channel' (needed when there is more than one channel)");
    }
    auto kind = r.required(
        c, p, "kind", "the chaincode's kind: " + [&] {
          std::string s;
          for (const std::string& k : kinds)
            s += (s.empty() ? "" : ", ") + k;
          return s;
        }());
    if (!kind) return kind.status();
    SCENARIO_TRY(r.text(**kind, child_path(p, "kind"), &cc.kind));
    if (std::find(kinds.begin(), kinds.end(), cc.kind) == kinds.end())
      return r.error(**kind, child_path(p, "kind"),
                     "unknown chaincode kind '" + cc.kind + "'" + suggestion(cc.kind, kinds));
    const ChannelSpec& channel = *std::find_if(ctx.spec.channels.begin(), ctx.spec.channels.end(),
                                               [&](const ChannelSpec& s) { return s.name == cc.channel; });
    if (const YamlNode* pol = c.find("endorsement_policy")) {
      SCENARIO_TRY(read_policy(ctx, *pol, child_path(p, "endorsement_policy"), channel, &cc.endorsement_policy));
    } else {
      cc.endorsement_policy.implicit_meta = {ImplicitMetaRule::kMajority, "Endorsement"};
    }
    if (const YamlNode* init = c.find("init")) {
      SCENARIO_TRY(r.list(*init, child_path(p, "init")));
      std::vector<std::string> args;
      for (size_t k = 0; k < init->items.size(); ++k) {
        const YamlNode& a = init->items[k];
        if (a.kind != YamlNode::Kind::kScalar)
          return r.error(a, child_path(child_path(p, "init"), k),
                         "expected a text argument (got " + a.describe() + ")");
        args.push_back(a.text);
      }
      cc.init = std::move(args);
    }
    ctx.spec.chaincodes.push_back(std::move(cc));
  }
  return Status::ok();
}

Status read_crypto(LoadContext& ctx, const YamlNode& n) {
  const FieldReader& r = ctx.r;
  SCENARIO_TRY(r.map(n, "crypto", {"scheme", "verify_cache"}));
  if (const YamlNode* s = n.find("scheme")) {
    size_t index = 0;
    SCENARIO_TRY(r.one_of(*s, "crypto.scheme", {"ecdsa", "hmac"}, &index));
    ctx.spec.crypto.scheme = index == 0 ? CryptoScheme::kEcdsa : CryptoScheme::kHmac;
  }
  if (const YamlNode* v = n.find("verify_cache"))
    SCENARIO_TRY(r.boolean(*v, "crypto.verify_cache", &ctx.spec.crypto.verify_cache));
  return Status::ok();
}

Status read_costs(LoadContext& ctx, const YamlNode& n) {
  const FieldReader& r = ctx.r;
  SCENARIO_TRY(r.map(n, "costs", ctx.dir.names()));
  CostsSpec& costs = ctx.spec.costs;
  for (const YamlEntry& e : n.entries) {
    const std::string p = child_path("costs", e.key);
    CostScopeSpec scope;
    scope.selector = e.key;
    scope.specificity = specificity(ctx.dir, e.key);
    scope.nodes = ctx.names_of(*ctx.dir.resolve(e.key));
    if (e.value.kind != YamlNode::Kind::kMap && e.value.kind != YamlNode::Kind::kNull)
      return r.error(e.value, p, "expected a map of cost names to durations (got " + e.value.describe() + ")");
    for (const YamlEntry& c : e.value.entries) {
      if (c.key == kVariabilitySigmaKey) {
        double sigma = 0;
        SCENARIO_TRY(r.number(c.value, child_path(p, c.key), 0.0, CostModel::kMaxVariabilitySigma, false, &sigma));
        scope.variability_sigma = sigma;
        continue;
      }
      if (std::find(ctx.options.cost_names.begin(), ctx.options.cost_names.end(), c.key) ==
          ctx.options.cost_names.end()) {
        std::vector<std::string> keys = ctx.options.cost_names;
        keys.push_back(kVariabilitySigmaKey);
        return r.error_at(c.key_loc, p,
                          "unknown cost '" + c.key + "'" +
                              (ctx.options.cost_names.empty() ? " (no cost parameters are known)"
                                                              : suggestion(c.key, keys)));
      }
      Duration d;
      SCENARIO_TRY(r.duration(c.value, child_path(p, c.key), FieldReader::Sign::kNonNegative, &d));
      scope.values[c.key] = d;
    }
    costs.scopes.push_back(std::move(scope));
  }
  // Effective values: for each node and name, the most specific scope that sets it.
  std::map<std::string, std::map<std::string, int>> level;
  for (const CostScopeSpec& s : costs.scopes)
    for (const std::string& node : s.nodes) {
      if (s.variability_sigma) {
        auto [it, fresh] = level[node].try_emplace(kVariabilitySigmaKey, s.specificity);
        if (fresh || s.specificity > it->second) {
          it->second = s.specificity;
          costs.variability_by_node[node] = *s.variability_sigma;
        }
      }
      for (const auto& [name, value] : s.values) {
        auto [it, fresh] = level[node].try_emplace(name, s.specificity);
        if (fresh || s.specificity > it->second) {
          it->second = s.specificity;
          costs.by_node[node][name] = value;
        }
      }
    }
  return Status::ok();
}

Status read_top(LoadContext& ctx, const YamlNode& root) {
  const FieldReader& r = ctx.r;
  if (root.kind != YamlNode::Kind::kMap)
    return r.error(root, "",
                   "expected a map of scenario keys (name, duration, network, ...) (got " + root.describe() + ")");
  SCENARIO_TRY(r.map(root, "", kTopKeys));
  ScenarioSpec& s = ctx.spec;
  auto name = r.required(root, "", "name", "the scenario's name");
  if (!name) return name.status();
  SCENARIO_TRY(r.text(**name, "name", &s.name));
  if (const YamlNode* d = root.find("description")) SCENARIO_TRY(r.text(*d, "description", &s.description));
  if (const YamlNode* v = root.find("seed")) SCENARIO_TRY(r.seed(*v, "seed", &s.seed));
  auto duration = r.required(root, "", "duration", "how long the workload runs, e.g. 60s");
  if (!duration) return duration.status();
  SCENARIO_TRY(r.duration(**duration, "duration", FieldReader::Sign::kPositive, &s.duration));
  if (const YamlNode* v = root.find("drain"))
    SCENARIO_TRY(r.duration(*v, "drain", FieldReader::Sign::kNonNegative, &s.drain));
  if (s.duration.ns > Duration::max().ns - s.drain.ns) return r.error(root, "drain", "duration + drain is too long");
  return Status::ok();
}

Status read_scenario(LoadContext& ctx, const YamlNode& root) {
  SCENARIO_TRY(read_top(ctx, root));
  auto network = ctx.r.required(root, "", "network", "the organisations and links, e.g. {orgs: [{name: Org1}]}");
  if (!network) return network.status();
  if ((*network)->kind != YamlNode::Kind::kMap)
    return ctx.r.error(**network, "network", "expected a map (got " + (*network)->describe() + ")");
  SCENARIO_TRY(ctx.r.map(**network, "network", {"orgs", "links"}));
  SCENARIO_TRY(read_orgs(ctx, **network));
  if (const YamlNode* o = root.find("ordering")) SCENARIO_TRY(read_ordering(ctx, *o));
  SCENARIO_TRY(read_kafka(ctx, root.find("ordering"), root.find("kafka")));
  ctx.dir = NodeDirectory(ctx.spec.network.orgs, ctx.spec.ordering.orderers,
                          ctx.spec.kafka ? ctx.spec.kafka->zookeepers : 0, ctx.spec.kafka ? ctx.spec.kafka->brokers : 0);
  ctx.spec.nodes = ctx.dir.nodes();
  if (const YamlNode* l = (*network)->find("links")) SCENARIO_TRY(read_links(ctx, *l));
  SCENARIO_TRY(read_channels(ctx, root.find("channels")));
  warn_kafka_batch_sizes(ctx, root);
  if (const YamlNode* c = root.find("chaincodes")) SCENARIO_TRY(read_chaincodes(ctx, *c));
  if (const YamlNode* c = root.find("crypto")) SCENARIO_TRY(read_crypto(ctx, *c));
  if (const YamlNode* c = root.find("costs")) SCENARIO_TRY(read_costs(ctx, *c));
  SCENARIO_TRY(read_node_settings(ctx, root.find("nodes")));
  if (const YamlNode* w = root.find("workload")) SCENARIO_TRY(read_workload(ctx, *w, "workload"));
  if (const YamlNode* f = root.find("faults")) SCENARIO_TRY(read_faults(ctx, *f, "faults"));
  if (const YamlNode* e = root.find("expect")) SCENARIO_TRY(read_expect(ctx, *e, "expect"));
  return Status::ok();
}

}  // namespace
}  // namespace detail

Result<ScenarioSpec> load_scenario_text(std::string text, std::string display_name,
                                        const std::vector<std::string>& set_overrides, const LoaderOptions& options) {
  auto doc = YamlDocument::parse(std::move(text), std::move(display_name));
  if (!doc) return doc.status();
  for (const std::string& o : set_overrides)
    SCENARIO_TRY(doc->apply_override(o));
  detail::LoadContext ctx(*doc, options);
  SCENARIO_TRY(detail::read_scenario(ctx, doc->root()));
  return std::move(ctx.spec);
}

Result<std::string> read_scenario_file(const std::string& path) {
  // The path is printed in every message and written into results.json.
  if (auto problem = utf8_problem(path)) return Status::invalid_argument("the scenario file's path " + *problem);
  const std::string shown = one_line(path);  // a message stays on one line, whatever the path holds
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    const int e = errno;
    return Status::not_found(shown + ": cannot open the scenario file: " + std::strerror(e));
  }
  struct stat st {};
  std::string text;
  Status status = Status::ok();
  if (::fstat(fd, &st) != 0) {
    status = Status::invalid_argument(shown + ": cannot read the scenario file: " + std::strerror(errno));
  } else if (S_ISDIR(st.st_mode)) {
    status = Status::invalid_argument(shown + ": is a directory, not a scenario file");
  } else if (!S_ISREG(st.st_mode)) {  // a FIFO may never end, a device may never end or block
    status = Status::invalid_argument(shown + ": is not a regular file (a pipe, a device or a socket); "
                                      "a scenario file must be a regular file");
  } else if (static_cast<uint64_t>(st.st_size) > kMaxScenarioFileBytes) {
    status = Status::invalid_argument(shown + ": the scenario file has " + std::to_string(st.st_size) +
                                      " bytes; the limit is " + std::to_string(kMaxScenarioFileBytes));
  } else {
    // At most one byte past the limit, in case the file grows while it is read.
    text.resize(static_cast<size_t>(st.st_size) + 1);
    size_t got = 0;
    while (got < text.size()) {
      const ssize_t n = ::read(fd, text.data() + got, text.size() - got);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        status = Status::invalid_argument(shown + ": cannot read the scenario file: " + std::strerror(errno));
        break;
      }
      if (n == 0) break;
      got += static_cast<size_t>(n);
      if (got == text.size() && text.size() <= kMaxScenarioFileBytes)  // it grew, or its size was not known
        text.resize(std::min<size_t>(2 * text.size(), kMaxScenarioFileBytes + 1));
    }
    text.resize(got);
    if (status.is_ok() && got > kMaxScenarioFileBytes)
      status = Status::invalid_argument(shown + ": the scenario file has more than " +
                                        std::to_string(kMaxScenarioFileBytes) + " bytes (the limit)");
  }
  ::close(fd);
  if (!status.is_ok()) return status;
  return text;
}

Result<ScenarioSpec> load_scenario_file(const std::string& path, const std::vector<std::string>& set_overrides,
                                        const LoaderOptions& options) {
  auto text = read_scenario_file(path);
  if (!text) return text.status();
  return load_scenario_text(std::move(text).value(), path, set_overrides, options);
}

}  // namespace fabsim::scenario
