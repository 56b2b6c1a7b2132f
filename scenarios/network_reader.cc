// The sections that describe the machines: network.orgs, network.links and ordering.
#include <algorithm>
#include <set>

#include "model/orderer/block_cutter.h"
#include "scenarios/loader_internal.h"

namespace fabsim::scenario::detail {
namespace {

bool org_char(char c) { return is_alnum(c) || c == '_' || c == '-'; }
bool msp_char(char c) { return is_alnum(c) || c == '.' || c == '-'; }

// `orderer<N>`, and Kafka's `zookeeper<N>` and `kafka<N>`: node names an org must not take.
bool is_orderer_node_name(std::string_view s) {
  for (std::string_view prefix : {"orderer", "zookeeper", "kafka"})
    if (s.size() > prefix.size() && s.starts_with(prefix) &&
        s.find_first_not_of("0123456789", prefix.size()) == std::string_view::npos)
      return true;
  return false;
}

}  // namespace

Status read_orgs(LoadContext& ctx, const YamlNode& network) {
  const FieldReader& r = ctx.r;
  auto orgs = r.required(network, "network", "orgs", "a list of organisations, e.g. [{name: Org1, peers: 2}]");
  if (!orgs) return orgs.status();
  const YamlNode& list = **orgs;
  SCENARIO_TRY(r.list(list, "network.orgs"));
  if (list.items.empty()) return r.error(list, "network.orgs", "expected at least one organisation (got none)");
  std::set<std::string> names, msp_ids;
  uint64_t nodes = 0;  // peers and clients so far (kMaxNetworkNodes)
  for (size_t i = 0; i < list.items.size(); ++i) {
    const YamlNode& o = list.items[i];
    const std::string p = child_path("network.orgs", i);
    SCENARIO_TRY(r.map(o, p, {"name", "msp_id", "peers", "clients"}));
    OrgSpec org;
    auto name = r.required(o, p, "name", "the organisation's name, e.g. Org1");
    if (!name) return name.status();
    SCENARIO_TRY(r.text(**name, child_path(p, "name"), &org.name));
    if (!matches(org.name, is_alpha, org_char))
      return r.error(
          **name, child_path(p, "name"),
          "expected a name of letters, digits, '_' and '-' that starts with a letter (got '" + org.name + "')");
    if (is_reserved_group_name(org.name) || is_orderer_node_name(org.name))
      return r.error(**name, child_path(p, "name"), "'" + org.name + "' is reserved (it names a group or an orderer)");
    if (!names.insert(org.name).second)
      return r.error(**name, child_path(p, "name"), "duplicate organisation name '" + org.name + "'");
    org.msp_id = org.name + "MSP";
    if (const YamlNode* m = o.find("msp_id")) {
      SCENARIO_TRY(r.text(*m, child_path(p, "msp_id"), &org.msp_id));
      if (!std::all_of(org.msp_id.begin(), org.msp_id.end(), msp_char))
        return r.error(*m, child_path(p, "msp_id"),
                       "expected an MSP ID of letters, digits, '.' and '-' (got '" + org.msp_id + "')");
    }
    if (org.msp_id == kOrdererMspId)
      return r.error(o.find("msp_id") ? *o.find("msp_id") : **name,
                     child_path(p, o.find("msp_id") ? "msp_id" : "name"),
                     "MSP ID '" + org.msp_id + "' is reserved for the orderer organisation");
    if (!msp_ids.insert(org.msp_id).second)
      return r.error(o.find("msp_id") ? *o.find("msp_id") : o, child_path(p, "msp_id"),
                     "duplicate MSP ID '" + org.msp_id + "'");
    if (const YamlNode* n = o.find("peers")) SCENARIO_TRY(r.whole32(*n, child_path(p, "peers"), 1, 1000, &org.peers));
    if (const YamlNode* n = o.find("clients"))
      SCENARIO_TRY(r.whole32(*n, child_path(p, "clients"), 0, 1000, &org.clients));
    nodes += uint64_t{org.peers} + org.clients;
    if (nodes > kMaxNetworkNodes)
      return r.error(o, p,
                     "the organisations so far have " + std::to_string(nodes) +
                         " peers and clients together; the limit is " + std::to_string(kMaxNetworkNodes));
    ctx.spec.network.orgs.push_back(std::move(org));
  }
  return Status::ok();
}

namespace {

const std::vector<std::string> kLinkKeys = {"latency", "jitter", "bandwidth", "loss", "duplicate"};

// Reads the link parameters present in map `n` over `link` (absent ones are kept).
Status read_link_params(const FieldReader& r, const YamlNode& n, std::string_view path, LinkSpec* link) {
  using Sign = FieldReader::Sign;
  if (const YamlNode* v = n.find("latency"))
    SCENARIO_TRY(r.duration(*v, child_path(path, "latency"), Sign::kNonNegative, &link->latency));
  if (const YamlNode* v = n.find("jitter"))
    SCENARIO_TRY(r.duration(*v, child_path(path, "jitter"), Sign::kNonNegative, &link->jitter));
  if (const YamlNode* v = n.find("bandwidth"))
    SCENARIO_TRY(r.bandwidth(*v, child_path(path, "bandwidth"), &link->bandwidth_bps));
  if (const YamlNode* v = n.find("loss")) SCENARIO_TRY(r.number(*v, child_path(path, "loss"), 0, 1, true, &link->loss));
  if (const YamlNode* v = n.find("duplicate"))
    SCENARIO_TRY(r.number(*v, child_path(path, "duplicate"), 0, 1, true, &link->duplicate));
  return Status::ok();
}

}  // namespace

Status read_links(LoadContext& ctx, const YamlNode& n) {
  const FieldReader& r = ctx.r;
  SCENARIO_TRY(r.map(n, "network.links", {"default", "overrides"}));
  NetworkSpec& net = ctx.spec.network;
  if (const YamlNode* d = n.find("default")) {
    SCENARIO_TRY(r.map(*d, "network.links.default", kLinkKeys));
    SCENARIO_TRY(read_link_params(r, *d, "network.links.default", &net.default_link));
  }
  if (const YamlNode* ov = n.find("overrides")) {
    SCENARIO_TRY(r.list(*ov, "network.links.overrides"));
    for (size_t i = 0; i < ov->items.size(); ++i) {
      const YamlNode& o = ov->items[i];
      const std::string p = child_path("network.links.overrides", i);
      std::vector<std::string> keys = kLinkKeys;
      keys.insert(keys.begin(), "between");
      SCENARIO_TRY(r.map(o, p, keys));
      auto between = r.required(o, p, "between", "the two node sets the override joins, e.g. [Org1, Org2]");
      if (!between) return between.status();
      LinkOverrideSpec spec;
      std::vector<size_t> a, b;
      SCENARIO_TRY(ctx.select_pair(**between, child_path(p, "between"), &a, &b));
      SCENARIO_TRY(r.text_list((*between)->items[0], child_path(p, "between.0"), &spec.between_a));
      SCENARIO_TRY(r.text_list((*between)->items[1], child_path(p, "between.1"), &spec.between_b));
      spec.nodes_a = ctx.names_of(a);
      spec.nodes_b = ctx.names_of(b);
      spec.link = net.default_link;
      SCENARIO_TRY(read_link_params(r, o, p, &spec.link));
      net.link_overrides.push_back(std::move(spec));
    }
  }
  return Status::ok();
}

namespace {

// Points a validate_batch_settings message at the field it names under `prefix`
// ("ordering", "channels[1]").
const YamlNode& batch_field(const YamlNode& parent, const std::string& prefix, const std::string& message,
                            std::string* path) {
  const YamlNode* size = parent.find("batch_size");
  for (const char* key : {"max_message_count", "absolute_max_bytes", "preferred_max_bytes"}) {
    if (message.starts_with(std::string("batch_size.") + key) && size) {
      *path = prefix + ".batch_size." + key;
      if (const YamlNode* v = size->find(key)) return *v;
      return *size;
    }
  }
  if (message.starts_with("batch_timeout") && parent.find("batch_timeout")) {
    *path = prefix + ".batch_timeout";
    return *parent.find("batch_timeout");
  }
  *path = prefix;
  return parent;
}

}  // namespace

Status read_batch_settings(const FieldReader& r, const YamlNode& n, const std::string& prefix,
                           orderer::BatchSettings* batch) {
  if (const YamlNode* t = n.find("batch_timeout"))
    SCENARIO_TRY(r.duration(*t, prefix + ".batch_timeout", FieldReader::Sign::kPositive, &batch->batch_timeout));
  if (const YamlNode* s = n.find("batch_size")) {
    const std::string p = prefix + ".batch_size";
    SCENARIO_TRY(r.map(*s, p, {"max_message_count", "absolute_max_bytes", "preferred_max_bytes"}));
    orderer::BatchSize& b = batch->size;
    if (const YamlNode* v = s->find("max_message_count"))
      SCENARIO_TRY(r.whole32(*v, p + ".max_message_count", 0, UINT32_MAX, &b.max_message_count));
    uint64_t bytes = 0;
    if (const YamlNode* v = s->find("absolute_max_bytes")) {
      SCENARIO_TRY(r.size(*v, p + ".absolute_max_bytes", UINT32_MAX, &bytes));
      b.absolute_max_bytes = static_cast<uint32_t>(bytes);
    }
    if (const YamlNode* v = s->find("preferred_max_bytes")) {
      SCENARIO_TRY(r.size(*v, p + ".preferred_max_bytes", UINT32_MAX, &bytes));
      b.preferred_max_bytes = static_cast<uint32_t>(bytes);
    }
  }
  if (Status s = orderer::validate_batch_settings(*batch); !s.is_ok()) {
    std::string path;
    const YamlNode& at = batch_field(n, prefix, s.message(), &path);
    return r.error(at, path, "invalid batch settings: " + s.message());
  }
  return Status::ok();
}

Status read_ordering(LoadContext& ctx, const YamlNode& n) {
  const FieldReader& r = ctx.r;
  OrderingSpec& o = ctx.spec.ordering;
  SCENARIO_TRY(r.map(n, "ordering", {"type", "orderers", "batch_timeout", "batch_size"}));
  if (const YamlNode* t = n.find("type")) {
    size_t index = 0;
    SCENARIO_TRY(r.one_of(*t, "ordering.type", {"solo", "kafka"}, &index));
    o.type = index == 0 ? OrderingType::kSolo : OrderingType::kKafka;
  }
  if (o.type == OrderingType::kKafka) o.orderers = 3;  // Fabric's samples run three OSNs
  if (const YamlNode* c = n.find("orderers")) {
    SCENARIO_TRY(r.whole32(*c, "ordering.orderers", 1, 1000, &o.orderers));
    if (o.type == OrderingType::kSolo && o.orderers != 1)
      return r.error(*c, "ordering.orderers", "solo ordering has exactly one orderer (got '" + c->text + "')");
  }
  return read_batch_settings(r, n, "ordering", &o.batch);
}

}  // namespace fabsim::scenario::detail
