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

#include <cstdint>
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

// The largest scenario file read: far above any scenario written by hand or generated for a
// large network, and small enough that the loader's memory stays bounded (docs/scenario-format.md).
inline constexpr uint64_t kMaxScenarioFileBytes = 16ull << 20;

// Bounds on what a scenario asks of the simulator, each reasoned in docs/scenario-format.md
// ("Limits"), so that a slip (1e12tps, an extra digit) is a located error at load rather than
// an overflow or a run that exhausts memory:
//  * kMaxRateTps: arrivals are whole nanoseconds apart at most once per nanosecond.
//  * kMaxGapMeans: a Poisson gap is -ln(1-u)/rate with u drawn from 53 bits, so at most
//    ln(2^53) < 37 mean gaps; every gap after a generator's end must fit in Time, which
//    sets the lowest rate: rate >= kMaxGapMeans / (the time left on the clock after the end).
//  * kMaxExpectedRequests: rate x window, summed over the open-loop and phases generators
//    (with the ledgers on disk a transaction takes ~1.8 KB of memory: 1,000,000 on 16
//    peers peaked at 1.76 GB, docs/performance.md; ten million is ~18 GB).
//  * kMaxInFlight: clients x outstanding, summed over the closed-loop generators.
//  * kMaxNetworkNodes: peers and clients of every org together.
inline constexpr double kMaxRateTps = 1e9;
inline constexpr double kMaxGapMeans = 40;
inline constexpr double kMaxExpectedRequests = 1e7;
inline constexpr uint64_t kMaxInFlight = 100'000;
inline constexpr uint64_t kMaxNetworkNodes = 10'000;

// The text of the file at `path` (the messages name it as given). The path must be UTF-8 and
// name a regular file (a symbolic link to one is followed) of at most kMaxScenarioFileBytes:
// a FIFO, a device or a directory is refused without reading from it (invalid_argument);
// not_found when it cannot be opened.
Result<std::string> read_scenario_file(const std::string& path);

// Reads `path` (read_scenario_file) and loads it.
Result<ScenarioSpec> load_scenario_file(const std::string& path, const std::vector<std::string>& set_overrides = {},
                                        const LoaderOptions& options = {});

}  // namespace fabsim::scenario
