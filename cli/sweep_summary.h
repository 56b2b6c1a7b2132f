// What a sweep (cli/sweep_command.h) found, and the files that say it: sweep.csv,
// sweep.json and sweep.html (docs/formats.md, "Sweep outputs").
//
// Each run's results.json is read generically: every number in it becomes a metric named
// by its key path (caliper.throughput_tps, latency_ns.p99, phases.endorse.p95_ns, ...),
// objects recursively, a list of objects by each item's "name" (channels.mychannel.
// throughput_tps) or else by index (fault_timeline.0.recovery_ns). Lists of numbers or
// strings (time series, histograms, texts), booleans and strings are not metrics; nor are
// the top-level inputs and series `seed`, `resolved_scenario`, `faults`, `timeseries` and
// `failure_messages` (keyed by message text; failed_by_reason counts the same failures).
//
// Per cell and metric, over the cell's runs that left a results.json: a run whose file
// lacks the metric while another run of the cell has it counts 0 (results.json leaves zero
// counts out of its maps, e.g. invalid_by_code); a null (a latency when nothing committed)
// is left out, and n says how many runs gave a value. The mean comes with a 95% interval,
// mean ± t(0.975, n-1)·s/√n with s the sample standard deviation and t Student's quantile
// (Boost.Math); with n = 1 the interval is null, with n = 0 the mean too.
//
// Everything is in grid order and metric order (first appearance, walking the cells and
// their runs in order), so the same runs give the same bytes.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cli/sweep_command.h"

namespace fabsim::cli {

// One run of a cell: how its process ended and what its results.json said.
struct SweepRun {
  uint64_t seed = 0;
  int exit_status = -1;  // the exit code, or 128 + the signal that killed it
  bool has_results = false;
  bool safety_hold = false;       // with has_results
  bool expectations_met = false;  // with has_results
  std::vector<std::string> unmet;  // the unmet expectations' texts
  std::string failure;    // empty: the run completed; else why it failed
  std::string reproduce;  // the command that runs it again
  std::vector<std::pair<std::string, std::optional<double>>> metrics;  // document order; nullopt: null
};

struct SweepCell {
  std::vector<std::string> values;  // one per axis
  std::vector<SweepRun> runs;       // in seed order
};

struct SweepResults {
  std::string scenario;  // the file's name: field
  std::string file;
  std::vector<SweepAxis> axes;
  std::vector<std::string> sets;
  uint64_t seeds_per_cell = 0;
  bool expect = false;
  std::vector<SweepCell> cells;  // grid order
};

struct MetricStats {
  uint64_t n = 0;
  std::optional<double> mean, ci95_low, ci95_high;
};

// The numbers of a results.json, as described above.
std::vector<std::pair<std::string, std::optional<double>>> flatten_metrics(const nlohmann::ordered_json& results);
// Mean and 95% interval of `values`.
MetricStats metric_stats(const std::vector<double>& values);

// Fills `run` from its exit status and results.json (nullptr: none could be read), and
// decides whether it failed: killed by a signal, an exit status other than 0 and 1, no
// results.json, safety violated, a node error or a fault that could not be applied, or
// exit 1 with no unmet expectation to explain it. `stderr_tail` (the run's last stderr
// line) goes into the failure text.
void classify_run(int exit_status, const nlohmann::ordered_json* results, const std::string& stderr_tail,
                  SweepRun* run);

// Every metric name in the sweep, in order of first appearance.
std::vector<std::string> metric_names(const SweepResults& s);
// One cell's statistics for each of `names`.
std::vector<MetricStats> cell_stats(const SweepCell& cell, const std::vector<std::string>& names);
// A cell meets its expectations when every run that left results met them.
bool cell_expectations_met(const SweepCell& cell);

// The cells as a table a reader looks at first: the axes' values, runs, failed runs,
// throughput and p99 latency (mean ± half the 95% interval) and the expectations.
struct SummaryTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};
SummaryTable summary_table(const SweepResults& s);
// The text that names a cell: "key1=v1 key2=v2".
std::string cell_text(const std::vector<SweepAxis>& axes, const std::vector<std::string>& values);

std::string sweep_csv(const SweepResults& s);
nlohmann::ordered_json sweep_json(const SweepResults& s);
std::string sweep_html(const SweepResults& s);

}  // namespace fabsim::cli
