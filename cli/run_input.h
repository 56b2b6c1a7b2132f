// What `fabsim run FILE` was given: a scenario file, or a results file (results.json) read
// back as the scenario it ran, with the flags' --set and --seed on top; and results.json's
// "input", which records it.
//
// A file is a results file when its text is a JSON object with a top-level "fabsim" or
// "resolved_scenario" key; it must then have both (docs/formats.md, "Reproducing a run").
// Its `resolved_scenario` is the scenario in the file format, with the run's --set and
// --seed already applied (scenarios/scenario_writer.h), and the scenario loader reads it
// where it stands: the text handed to the loader is the file's own with every byte outside
// that value blanked (line breaks kept), so a message about it names the file, line and
// column of the results file itself.
//
// Any other text is a scenario file, except that a file named *.json must be JSON: a
// malformed one (a truncated results.json, say) is reported as malformed JSON at its line
// and column rather than as whatever YAML makes of it.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "cli/run_command.h"
#include "scenarios/scenario_spec.h"

namespace fabsim::cli {

struct ResultsFile {
  nlohmann::ordered_json fabsim;  // as recorded: {"version", "commit"}
  nlohmann::ordered_json input;   // as recorded (null when absent)
  std::string trace_hash;         // as recorded ("" when absent)
  std::string scenario_text;      // the text for the loader: resolved_scenario in place, the rest blank
};

// nullopt when `text` is not a results file. An error (invalid_argument, one line
// "<path>:<line>:<column>: <what>") for malformed JSON in a *.json file, and for a results
// file without "fabsim" (written before results files could be run) or without a
// resolved_scenario map.
Result<std::optional<ResultsFile>> read_results_file(const std::string& path, const std::string& text);

// The lines `fabsim run` prints before a run from `file`: what it reproduces and, when the
// file was written by another commit than this build's, a warning.
std::string reproducing_lines(const std::string& path, const ResultsFile& file);

// After a run of the recorded scenario unchanged (no --set, no --seed): whether its trace
// hash is the one recorded (nullopt when the file records none), and the line that says so:
// "reproduced: ..." or "not reproduced: ..." (then `fabsim run` exits with status 1).
std::optional<bool> reproduces_trace_hash(const ResultsFile& file, uint64_t trace_hash);
std::string reproduced_line(const std::string& path, const ResultsFile& file, uint64_t trace_hash);

struct RunInput {
  scenario::ScenarioSpec spec;
  std::optional<uint64_t> seed;        // the --seed flag
  std::optional<ResultsFile> results;  // set when the file is a results file
  // results.json "input": {"file", "text", "sets", "seed"} for a scenario file;
  // {"file", "reproduces": <the results file's own "input">, "sets", "seed"} for a results
  // file. "seed" is the --seed flag's value, null without one.
  nlohmann::ordered_json json;
};

// Reads `o.file` and loads its scenario with `o.sets` and then `o.seed` applied. The error
// is the one line to print: the flag's, the file's or the loader's. A file whose text is
// not UTF-8 (in a comment, say: the loader checks what it reads) is refused too, since
// results.json records the text.
Result<RunInput> load_run_input(const RunOptions& o);

}  // namespace fabsim::cli
