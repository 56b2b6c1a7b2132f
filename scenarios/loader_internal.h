// Shared by the loader's section readers (scenario_loader.cc, network_reader.cc,
// node_settings_reader.cc, workload_reader.cc, fault_reader.cc, expect_reader.cc); not part
// of the scenarios library's interface.
//
// LoadContext holds one load's state: the reader over the document, the options, the spec
// filled so far and the node directory (valid once the network and ordering sections are
// read). Sections are read in dependency order: top-level values, network.orgs, ordering,
// network.links, channels, chaincodes, crypto, costs, nodes, workload, faults, expect.
#pragma once

#include <cctype>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "scenarios/field_reader.h"
#include "scenarios/node_directory.h"
#include "scenarios/scenario_loader.h"
#include "scenarios/scenario_spec.h"

namespace fabsim::scenario::detail {

struct LoadContext {
  LoadContext(const YamlDocument& doc, const LoaderOptions& opts) : r(doc), options(opts) {}

  FieldReader r;
  const LoaderOptions& options;
  ScenarioSpec spec;
  NodeDirectory dir;

  // The nodes `n` selects: a node or group name, or a list of them (their union), in
  // directory order. Unknown names are reported at the name, with a suggestion.
  Status select(const YamlNode& n, std::string_view path, std::vector<size_t>* out) const;
  std::vector<std::string> names_of(const std::vector<size_t>& nodes) const;
  // A fault target: like select(), and also role functions such as orderer-leader(ch)
  // (scenarios/targets.h), each checked (known function, arity, channels and orgs that
  // exist) into `roles`; with `roles` null, exactly select(). The nodes and the roles
  // together must not be empty.
  Status select_targets(const YamlNode& n, std::string_view path, std::vector<size_t>* out,
                        std::vector<RoleTargetSpec>* roles) const;
  // `between: [A, B]`: two node sets (each a name or a list of names) with at least one
  // pair of different nodes.
  Status select_pair(const YamlNode& n, std::string_view path, std::vector<size_t>* a, std::vector<size_t>* b) const;
  // Adds a warning located at `at` to spec.warnings (ScenarioSpec::warnings).
  void warn(const YamlNode& at, std::string_view path, std::string_view text);
  // The chaincode named by `n`, or the only chaincode when `n` is null.
  Status chaincode_ref(const YamlNode* n, const YamlNode& parent, std::string_view path, std::string* out) const;
  // The channel of a chaincode already read (the name must be one).
  const ChannelSpec& channel_of(std::string_view chaincode) const;
};

// network.orgs (then the node directory can be built), network.links and ordering.
Status read_orgs(LoadContext& ctx, const YamlNode& network);
Status read_links(LoadContext& ctx, const YamlNode& n);
Status read_ordering(LoadContext& ctx, const YamlNode& n);
// The `kafka:` section (kafka_reader.cc), after read_ordering: required with type kafka,
// refused without it.
Status read_kafka(LoadContext& ctx, const YamlNode* ordering, const YamlNode* kafka);
// The warnings of Fabric's Kafka guide on the channels' batch sizes (kafka_reader.cc), after
// the channels are read; nothing with solo ordering.
void warn_kafka_batch_sizes(LoadContext& ctx, const YamlNode& root);
// `batch_timeout` and `batch_size` of `n` over `*batch`, validated; errors name `prefix`.
Status read_batch_settings(const FieldReader& r, const YamlNode& n, const std::string& prefix,
                           orderer::BatchSettings* batch);
// `nodes` (null when the section is absent): fills spec.node_settings, by_node for every node.
Status read_node_settings(LoadContext& ctx, const YamlNode* n);
// The value of `nodes` key `name` (a key the section reads) in `s`: a whole number or a
// duration. The spec writer (scenarios/scenario_writer.h) writes a scope's keys with it.
std::variant<uint32_t, Duration> node_setting_value(const NodeSettings& s, std::string_view name);
Status read_workload(LoadContext& ctx, const YamlNode& n, std::string_view path);
Status read_faults(LoadContext& ctx, const YamlNode& n, std::string_view path);
Status read_expect(LoadContext& ctx, const YamlNode& n, std::string_view path);

// The level of a `costs` or `nodes` selector: all 0, role (peers, clients, orderers) 1,
// org 2, org role (Org1.peers) 3, node 4. `selector` is a name `dir` resolves.
int specificity(const NodeDirectory& dir, const std::string& selector);

// Name rules: `first` holds for the first character, `rest` for the others.
inline bool is_alpha(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }
inline bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
inline bool matches(std::string_view s, bool (*first)(char), bool (*rest)(char)) {
  if (s.empty() || !first(s[0])) return false;
  for (size_t i = 1; i < s.size(); ++i)
    if (!rest(s[i])) return false;
  return true;
}

// "12.5s", "250ms": a duration as messages print it.
std::string show(Duration d);

}  // namespace fabsim::scenario::detail
