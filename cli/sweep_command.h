// `fabsim sweep FILE --vary KEY=V1,V2,... [--vary ...] [--set KEY=VALUE]... [--seeds N]
// [--out DIR] [--jobs N] [--expect]`: run a scenario over a grid of `--set` values, several
// seeds per cell, each run its own `fabsim run` process, and summarise every numeric result
// per cell as a mean with a 95% interval (cli/sweep_summary.h writes sweep.csv, sweep.json
// and sweep.html).
//
// The grid is every combination of the --vary values, the first --vary outermost (its
// value changes slowest); each cell runs seeds base, base+1, ..., base+N-1 (mod 2^64),
// where base is the cell's seed as the file (after --set and --vary) gives it. A run is
// `<fabsim> run FILE --set <--set>... --set K1=V1 ... --seed S --out <scratch>/run-<i>`,
// with TMPDIR pointing into the scratch directory (so a killed run leaves nothing
// elsewhere) and its stdout discarded, its stderr kept for the failure report. Up to
// --jobs runs at once; the results are put in grid order whatever order the processes
// finish in, so the same inputs give the same files.
//
// Exit status: 0 every run completed (a run that exits 1 only because the file's
// expectations are unmet is complete) and, with --expect, every cell met them; 1 a run
// failed (see RunVerdict) or, with --expect, a cell did not meet its expectations; 2 bad
// input — found before any run starts: every cell's scenario is loaded in-process first —
// or outputs that could not be written, with no file left; 130 interrupted by SIGINT (143
// SIGTERM): the running children are killed and nothing is left behind.
//
// Not thread-safe: while it runs and writes its files it blocks SIGINT, SIGTERM and SIGCHLD
// in the calling thread and waits for them with sigtimedwait, then restores the mask (a
// SIGINT that comes while the files are written is dropped: the sweep has completed).
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "core/status.h"

namespace CLI {
class App;
}

namespace fabsim::cli {

struct SweepOptions {
  std::string file;
  std::vector<std::string> vary;  // "KEY=V1,V2,..." as given
  std::vector<std::string> sets;  // applied to every cell, before the --vary values
  std::string seeds = "3";        // runs per cell
  std::string jobs;               // empty: one per online core
  std::string out_dir;            // empty: sweep-<scenario name> in the working directory
  bool expect = false;            // a cell whose runs miss the file's expectations fails the sweep
  std::string fabsim = "/proc/self/exe";  // the binary each run executes
  bool progress_bar = false;      // stderr is a terminal: redraw one bar instead of a line per run
};

// One --vary axis.
struct SweepAxis {
  std::string key;
  std::vector<std::string> values;
};

void add_sweep_options(CLI::App& app, SweepOptions& o);
int run_sweep_command(const SweepOptions& o, std::ostream& out, std::ostream& err);

// The pieces, for tests.
// "KEY=V1,V2,...": values are split at commas outside quotes, (), [] and {}, so a policy
// "AND('A.peer','B.peer')" or a flow list "[Org1, Org2]" is one value. No '=', an empty
// key, an empty list or an empty value is an error naming the argument.
Result<SweepAxis> parse_vary(const std::string& arg);
// Every combination of the axes' values, the first axis outermost: cell i's values, one
// per axis in axis order.
std::vector<std::vector<std::string>> grid_cells(const std::vector<SweepAxis>& axes);

}  // namespace fabsim::cli
