#include "scenarios/targets.h"

#include <fmt/format.h>

#include "scenarios/fabric_network.h"

namespace fabsim::scenario {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

bool name_char(char c) { return (c >= 'a' && c <= 'z') || c == '-'; }

// The one node holding a role, or `none` when nobody does.
Result<std::vector<HostId>> one_holder(HostId h, const std::string& none) {
  if (h == kNoHost) return Status::not_found(none);
  return std::vector<HostId>{h};
}

// The Kafka roles' RoleFunction::impossible: they need Kafka ordering.
std::optional<std::string> without_kafka(const ScenarioSpec& spec) {
  if (spec.ordering.type == OrderingType::kKafka) return std::nullopt;
  return std::string("the scenario has no Kafka brokers: it needs 'ordering: {type: kafka}' and a 'kafka:' section "
                     "(ordering.type is solo)");
}

}  // namespace

const std::vector<RoleFunction>& role_functions() {
  static const std::vector<RoleFunction> kFunctions = {
      {"orderer-leader",
       {TargetArg::kChannel},
       "the ordering service node that leads the channel's ordering (solo: its only orderer)",
       [](const FabricNetwork& net, const std::vector<std::string>& args) {
         return one_holder(net.orderer_leader(args.at(0)), "no orderer leads channel " + args.at(0));
       },
       [](const ScenarioSpec& spec, const std::vector<std::string>&) -> std::optional<std::vector<std::string>> {
         if (spec.ordering.type != OrderingType::kSolo) return std::nullopt;
         for (const NodeSpec& n : spec.nodes)  // solo: the one orderer leads every channel
           if (n.role == NodeRole::kOrderer) return std::vector<std::string>{n.name};
         return std::nullopt;
       }},
      {"kafka-leader",
       {TargetArg::kChannel},
       "the Kafka broker that leads the channel's partition now (Kafka ordering)",
       [](const FabricNetwork& net, const std::vector<std::string>& args) {
         return one_holder(net.kafka_partition_leader(args.at(0)), "no broker leads the partition of channel " + args.at(0));
       },
       {},  // elected: only the run can tell
       without_kafka},
      {"kafka-controller",
       {},
       "the Kafka broker that is the controller now (Kafka ordering)",
       [](const FabricNetwork& net, const std::vector<std::string>&) {
         return one_holder(net.kafka_controller(), "no broker is the Kafka controller");
       },
       {},
       without_kafka},
  };
  return kFunctions;
}

const RoleFunction* find_role_function(std::string_view name) {
  for (const RoleFunction& f : role_functions())
    if (f.name == name) return &f;
  return nullptr;
}

std::optional<RoleTargetSpec> parse_role_target(std::string_view text) {
  const size_t open = text.find('(');
  if (open == std::string_view::npos || open == 0 || text.back() != ')') return std::nullopt;
  const std::string_view name = text.substr(0, open);
  for (char c : name)
    if (!name_char(c)) return std::nullopt;
  RoleTargetSpec t;
  t.function = std::string(name);
  t.text = std::string(text);
  std::string_view inside = text.substr(open + 1, text.size() - open - 2);
  if (trim(inside).empty()) return t;
  while (true) {
    const size_t comma = inside.find(',');
    t.args.emplace_back(trim(inside.substr(0, comma)));
    if (comma == std::string_view::npos) break;
    inside.remove_prefix(comma + 1);
  }
  return t;
}

std::optional<std::vector<std::string>> fixed_role_holders(const ScenarioSpec& spec, const RoleTargetSpec& t) {
  const RoleFunction* f = find_role_function(t.function);
  if (f == nullptr || !f->fixed_holders) return std::nullopt;
  return f->fixed_holders(spec, t.args);
}

Result<std::vector<HostId>> resolve_role_target(const FabricNetwork& net, const RoleTargetSpec& t) {
  const RoleFunction* f = find_role_function(t.function);
  if (f == nullptr) return Status::invalid_argument("unknown role function " + t.function);  // the loader checked
  return f->resolve(net, t.args);
}

}  // namespace fabsim::scenario
