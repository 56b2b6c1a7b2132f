// Fault targets beyond node and group names: role functions such as
// orderer-leader(mychannel), which name whichever node holds a role when the fault fires.
//
// The registry below is the one place a role function is defined: its name, its
// arguments (a channel or an org, checked at load with a located error and a suggestion)
// and how the network resolves it. The loader reads it to check a target; the runner asks
// it to resolve one; neither switches on the function's name, so adding a role (Kafka's
// kafka-leader(channel), gossip's gossip-leader(org, channel)) adds an entry here and
// nothing in either.
//
// Syntax: `name(arg)` or `name(arg1, arg2)`; inside a YAML flow list, quote a target with a
// comma ("gossip-leader(Org1, ch)").
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "scenarios/scenario_spec.h"
#include "sim/world.h"

namespace fabsim {
class FabricNetwork;
}

namespace fabsim::scenario {

enum class TargetArg : uint8_t { kChannel, kOrg };

struct RoleFunction {
  std::string name;
  std::vector<TargetArg> args;
  std::string meaning;  // for docs and messages
  // The nodes that hold the role now (node order); an error when nobody does.
  std::function<Result<std::vector<HostId>>(const FabricNetwork&, const std::vector<std::string>& args)> resolve;
  // The nodes that hold the role for the whole run when the scenario alone decides it (solo:
  // its one orderer), so that the loader's timeline check can follow them; nullopt when
  // only the run can tell (an elected leader).
  std::function<std::optional<std::vector<std::string>>(const ScenarioSpec&, const std::vector<std::string>& args)>
      fixed_holders;
  // Why no node of the scenario can ever hold the role (Kafka roles with solo ordering), for
  // a located error at load; nullopt when some node may. Unset: always possible.
  std::function<std::optional<std::string>(const ScenarioSpec&)> impossible;
};

// Every role function, in a fixed order.
const std::vector<RoleFunction>& role_functions();
const RoleFunction* find_role_function(std::string_view name);

// `text` split as name(arg, ...) with the spaces around arguments trimmed; nullopt when it
// does not have that shape (then it is a node or group name).
std::optional<RoleTargetSpec> parse_role_target(std::string_view text);

// The nodes `t` names for the whole run when the scenario fixes them (RoleFunction::fixed_holders).
std::optional<std::vector<std::string>> fixed_role_holders(const ScenarioSpec& spec, const RoleTargetSpec& t);

// The nodes `t` names now.
Result<std::vector<HostId>> resolve_role_target(const FabricNetwork& net, const RoleTargetSpec& t);

}  // namespace fabsim::scenario
