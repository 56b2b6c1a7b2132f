// The spec writer: a ScenarioSpec back as a scenario file, in the file's own shape (the keys
// of docs/scenario-format.md), so that loading what it writes gives the same spec:
//
//   load_scenario_text(write_scenario(spec).dump(2), ...) == spec
//
// for every spec the loader returns (with the same LoaderOptions). results.json carries it
// as `resolved_scenario`, which `fabsim run results.json` loads again; the shrinker will
// edit specs and write them the same way.
//
// The tree is JSON, which is YAML: the loader reads it as it is. It is "resolved": every
// default is written out and every group is expanded to its nodes, except where a default
// follows another key, which is left out when it holds so that a later `--set` of that key
// carries over as in the original file: a generator's `end` equal to `duration`, a
// channel's `peers` equal to every peer of its orgs, a channel's batch settings equal to
// the ordering section's. Selectors the file wrote as keys (`costs`, `nodes`) and the two
// sides of a link override stay as written, since their meaning is the selector.
//
// Every key the loader reads has its line here: a key added to the loader needs one too,
// and a case in tests/scenarios/scenario_writer_test.cc (which fails when a spec does not
// come back whole).
//
// Values are written in forms the loader parses back exactly: durations as a whole number
// of the largest unit that holds them (`2s`, `1500us`, `-500ms`), sizes and bandwidths
// likewise (`10MiB`, `1Gbps`), rates in plain decimal (`0.000001tps`, the rate parser takes
// no exponent), other numbers as JSON numbers (shortest round-trip form).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "core/time.h"
#include "scenarios/scenario_spec.h"

namespace fabsim::scenario {

// The spec as a scenario file's tree, keys in the order of docs/scenario-format.md.
nlohmann::ordered_json write_scenario(const ScenarioSpec& spec);

// Exact text forms of values, as write_scenario writes them. Each parses back to its
// argument for every value the loader can produce (a duration the loader read is a whole
// number of nanoseconds that a double holds exactly, and so is its count of any unit that
// divides it).
std::string write_duration(Duration d);     // "0s", "2m", "1500ms", "-250us", "7ns"
std::string write_size(uint64_t bytes);     // "10MiB", "10MB", "1000B"
std::string write_bandwidth(uint64_t bps);  // "1Gbps", "2500kbps", "7bps"
std::string write_rate(double tps);         // "300tps", "0.5tps"

}  // namespace fabsim::scenario
