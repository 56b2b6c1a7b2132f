// Loading a scenario file (YAML, docs/scenario-format.md) into a validated ScenarioSpec.
//
//   auto spec = load_scenario_file("scenarios/quickstart.yaml", {"ordering.batch_timeout=1s"}, {});
//   if (!spec) { print spec.status().message(); exit 2; }
//
// Steps: parse the YAML (scenarios/yaml_tree.h), apply the `--set path=value` overrides in
// order, then read and check every section against the schema. The first problem found
// ends the load with Status::invalid_argument and one message:
//   "<file>:<line>:<column>: <key.path>: <what was expected> (got '<value>')"
// or, for a value written by an override, "--set <path>=<value>: <key.path>: ...".
// Unknown keys and names come with the closest valid one ("did you mean 'ordering'?").
// Nothing is half-loaded: on error no spec is returned. No exception escapes.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "scenarios/scenario_spec.h"

namespace fabsim::scenario {

struct LoaderOptions {
  // The cost-model parameter names a `costs` section may set (costs.<selector>.<name>).
  // The cost model owns the list; with an empty list, any cost name is rejected.
  std::vector<std::string> cost_names;
  // The chaincode kinds a chaincode may name; empty means the builtin registry's kinds
  // (model/chaincode/registry.h: asset, kvstore, smallbank).
  std::vector<std::string> chaincode_kinds;
};

// `display_name` is what messages print as the file name.
Result<ScenarioSpec> load_scenario_text(std::string text, std::string display_name,
                                        const std::vector<std::string>& set_overrides = {},
                                        const LoaderOptions& options = {});

// The text of the file at `path` (the messages name it as given): not_found when it cannot
// be opened, invalid_argument when it is a directory or cannot be read.
Result<std::string> read_scenario_file(const std::string& path);

// Reads `path` (read_scenario_file) and loads it.
Result<ScenarioSpec> load_scenario_file(const std::string& path, const std::vector<std::string>& set_overrides = {},
                                        const LoaderOptions& options = {});

}  // namespace fabsim::scenario
