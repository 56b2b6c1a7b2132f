// `fabsim run FILE [--seed N] [--set k=v]... [--out DIR] [--trace FILE] [--keep-data DIR]
// [--check-determinism]`: load a scenario file, run it (scenarios/scenario_runner.h), print
// the report, write results.json and transactions.csv, check the expectations.
//
// The hosts' durable data (ledgers) lives on disk in a run directory (cli/run_directory.h):
// a temporary one removed at the end, or --keep-data DIR. Results do not depend on it.
//
// Exit status: 0 the run met every expectation (and the safety checks hold, unless the
// file says `invariants: ignore`); 1 a check failed (an expectation, a safety check, a
// fault that could not be applied, --check-determinism); 2 bad input (the file, a flag,
// an output that cannot be written) — then no output file is left behind.
//
// Outputs are written to temporary names in the same directory and renamed into place
// once complete, so a reader never sees half a file.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "scenarios/scenario_runner.h"
#include "scenarios/scenario_spec.h"

namespace CLI {
class App;
}

namespace fabsim::cli {

struct RunOptions {
  std::string file;
  std::string seed;  // empty: the file's seed
  std::vector<std::string> sets;
  std::string out_dir;  // empty: no files
  std::string trace_file;
  std::string keep_data;  // empty: a temporary run directory, removed at the end
  bool check_determinism = false;
};

void add_run_options(CLI::App& app, RunOptions& o);
int run_scenario_command(const RunOptions& o, std::ostream& out, std::ostream& err);
// What the command runs: `o.file` read and loaded with the `--set` overrides and `--seed`;
// a refusal is one message naming its place (the file position, the --set, the flag).
Result<scenario::ScenarioSpec> load_run_scenario(const RunOptions& o);

// The pieces, for tests.
std::string reproduce_command(const RunOptions& o, uint64_t seed);
nlohmann::ordered_json results_json(const scenario::ScenarioSpec& spec, const scenario::RunReport& report,
                                    const std::vector<std::string>& unmet, const std::string& reproduce);
std::string transactions_csv(const scenario::RunReport& report);

}  // namespace fabsim::cli
