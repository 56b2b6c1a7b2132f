// `fabsim run FILE [--seed N] [--set k=v]... [--out DIR] [--trace FILE] [--keep-data DIR]
// [--check-determinism]`: load a scenario file, run it (scenarios/scenario_runner.h), print
// the report, write results.json, transactions.csv,
// timeseries.csv and report.html, check the expectations. FILE may be
// a results.json, whose resolved scenario then runs again (cli/run_input.h); run with no
// --set and no --seed, it must give the recorded trace hash.
//
// The hosts' durable data (ledgers) lives on disk in a run directory (cli/run_directory.h):
// a temporary one removed at the end, or --keep-data DIR. Results do not depend on it.
//
// Exit status: 0 the run met every expectation (and the safety checks hold, unless the
// file says `invariants: ignore`); 1 a check failed (an expectation, a safety check, a
// fault that could not be applied, --check-determinism, a results.json whose trace hash
// the run did not reproduce); 2 bad input (the file, a flag,
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
  std::string perfetto;  // --perfetto FILE: the run as trace-event JSON (cli/perfetto_trace.h)
  std::string keep_data;  // empty: a temporary run directory, removed at the end
  bool check_determinism = false;
  std::string window;  // the time series' window ("500ms"); empty: 1 s
  // Warn when more than this share of the requested transactions failed before any
  // commit ("0.2"); empty: 0.5.
  std::string warn_failures;
  bool quiet = false;  // print one line: the verdict and the reproduce command
  bool json = false;   // print results.json instead of the text report
  // Show a progress line (simulated time, wall time left) on `out` while a run takes more
  // than a second: set when stdout is a terminal (not a flag).
  bool progress = false;
};

// The most windows a run's time series may have (--window against duration + drain).
inline constexpr uint64_t kMaxWindows = 100'000;

void add_run_options(CLI::App& app, RunOptions& o);
int run_scenario_command(const RunOptions& o, std::ostream& out, std::ostream& err);
// What the command runs: `o.file` read and loaded with the `--set` overrides and `--seed`;
// a refusal is one message naming its place (the file position, the --set, the flag).
Result<scenario::ScenarioSpec> load_run_scenario(const RunOptions& o);

// Prints each warning of a loaded scenario once (a message repeated is printed once), as
// `warning: <where>: <key>: <text>`, to `err` (docs/scenario-format.md "Warnings").
void print_load_warnings(const std::vector<scenario::LoadWarning>& warnings, std::ostream& err);

// The pieces, for tests.
std::string reproduce_command(const RunOptions& o, uint64_t seed);
// `input`: what the run was given (results.json "input", docs/formats.md).
nlohmann::ordered_json results_json(const scenario::ScenarioSpec& spec, const scenario::RunReport& report,
                                    const std::vector<std::string>& unmet, const std::string& reproduce,
                                    const nlohmann::ordered_json& input = nullptr);
std::string transactions_csv(const scenario::RunReport& report);
// One row per window, one column per series (docs/formats.md, "timeseries.csv").
std::string timeseries_csv(const scenario::RunReport& report);
nlohmann::ordered_json timeseries_json(const TimeSeries& ts);
// A CSV field as RFC 4180 writes it: one with a comma, quote or line break is quoted,
// quotes doubled.
std::string csv_field(const std::string& s);

}  // namespace fabsim::cli
