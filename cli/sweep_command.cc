#include "cli/sweep_command.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "cli/run_command.h"
#include "cli/run_directory.h"
#include "cli/sweep_summary.h"
#include "core/cost_model.h"
#include "core/units.h"
#include "scenarios/scenario_loader.h"

extern char** environ;

namespace fabsim::cli {

namespace fs = std::filesystem;

void add_sweep_options(CLI::App& app, SweepOptions& o) {
  // An empty --out or --jobs would otherwise mean its default, silently.
  const CLI::Validator given([](std::string& v) { return v.empty() ? std::string("an empty value") : std::string(); },
                             "", "NOT_EMPTY");
  app.add_option("file", o.file, "the scenario file (YAML; docs/scenario-format.md)")->required();
  app.add_option("--vary", o.vary,
                 "an axis of the grid: --vary path.to.key=V1,V2,... (repeatable; keys as --set takes them)")
      ->allow_extra_args(false);
  app.add_option("--set", o.sets, "override a field of the file in every cell: --set path.to.key=value (repeatable)")
      ->allow_extra_args(false);
  app.add_option("--seeds", o.seeds, "runs per cell, with seeds base, base+1, ... where base is the cell's seed (default 3)");
  app.add_option("--jobs", o.jobs, "runs at the same time (default: one per online core)")->check(given);
  app.add_option("--out", o.out_dir, "write sweep.csv, sweep.json and sweep.html here (default: sweep-<scenario name>)")
      ->check(given);
  app.add_flag("--expect", o.expect, "fail the sweep (exit 1) when a cell's runs miss the file's expectations");
}

namespace {

constexpr uint64_t kSeedsMax = 10000;
constexpr uint64_t kJobsMax = 1024;
constexpr uint64_t kRunsMax = 1000000;
constexpr size_t kStderrTailMax = 300;

// A whole number from 1 to `max` given to `flag`.
Result<uint64_t> parse_count(const std::string& flag, const std::string& text, uint64_t max) {
  auto n = parse_seed(text);
  if (!n.is_ok() || *n == 0 || *n > max)
    return Status::invalid_argument(fmt::format("{}: expected a whole number from 1 to {} (got '{}')", flag, max, text));
  return *n;
}

// The --set overrides of a cell: the sweep's, then one per axis.
std::vector<std::string> cell_sets(const SweepOptions& o, const std::vector<SweepAxis>& axes,
                                   const std::vector<std::string>& values) {
  std::vector<std::string> sets = o.sets;
  for (size_t i = 0; i < axes.size(); ++i) sets.push_back(axes[i].key + "=" + values[i]);
  return sets;
}

// A name that is safe as a directory name: letters, digits, '.', '_' and '-'; others '_'.
std::string directory_name(const std::string& name) {
  std::string out;
  for (char c : name) out += std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' ? c : '_';
  return out.empty() || out == "." || out == ".." ? "sweep" : out;
}

// The output directory: made (with any missing parents) and checked by writing a file into
// it. remove_created() takes away the directories made here, deepest first, if empty.
class OutDirectory {
 public:
  Status open(const fs::path& dir) {
    std::error_code ec;
    std::vector<fs::path> missing;
    for (fs::path p = fs::absolute(dir, ec); !p.empty() && !fs::exists(p, ec); p = p.parent_path()) {
      missing.push_back(p);
      if (p == p.parent_path()) break;
    }
    fs::create_directories(dir, ec);
    for (const fs::path& p : missing)
      if (fs::is_directory(p)) created_.push_back(p);
    const fs::path probe = dir / fmt::format(".sweep-probe-{}", getpid());
    bool ok = !ec && fs::is_directory(dir);
    if (ok) {
      std::ofstream f(probe);
      ok = static_cast<bool>(f << "probe\n");
    }
    fs::remove(probe, ec);
    if (!ok) {
      remove_created();
      return Status::invalid_argument(fmt::format("--out: cannot write into directory '{}'", dir.string()));
    }
    return Status::ok();
  }
  void remove_created() {
    std::error_code ec;
    for (const fs::path& p : created_) fs::remove(p, ec);  // deepest first; fails if not empty
    created_.clear();
  }

 private:
  std::vector<fs::path> created_;
};

// What a sweep will run: the axes, and per cell its values, overrides and seeds.
struct Plan {
  std::vector<SweepAxis> axes;
  std::string scenario;  // the first cell's scenario name
  uint64_t seeds = 0;
  uint64_t jobs = 0;
  std::vector<std::vector<std::string>> cells;
  std::vector<std::vector<std::string>> sets;  // per cell
  std::vector<uint64_t> base_seed;             // per cell
  std::vector<scenario::LoadWarning> warnings;  // every cell's, in cell order (repeats included)
};

// Checks every flag and loads every cell's scenario; the first problem is the error.
Result<Plan> make_plan(const SweepOptions& o) {
  Plan plan;
  std::set<std::string> keys;
  for (const std::string& v : o.vary) {
    auto axis = parse_vary(v);
    if (!axis.is_ok()) return axis.status();
    if (!keys.insert(axis->key).second)
      return Status::invalid_argument(fmt::format("--vary {}: the key '{}' is varied twice", v, axis->key));
    plan.axes.push_back(*axis);
  }
  if (plan.axes.empty()) return Status::invalid_argument("sweep: give at least one --vary KEY=V1,V2,...");
  auto seeds = parse_count("--seeds", o.seeds, kSeedsMax);
  if (!seeds.is_ok()) return seeds.status();
  plan.seeds = *seeds;
  const long cores = sysconf(_SC_NPROCESSORS_ONLN);
  auto jobs = o.jobs.empty() ? Result<uint64_t>(static_cast<uint64_t>(std::max(1L, cores)))
                             : parse_count("--jobs", o.jobs, kJobsMax);
  if (!jobs.is_ok()) return jobs.status();
  plan.jobs = *jobs;
  uint64_t runs = plan.seeds;  // checked before the grid is made: it could be too large to hold
  for (const SweepAxis& axis : plan.axes) {
    runs = runs > kRunsMax ? runs : runs * axis.values.size();
    if (runs > kRunsMax) return Status::invalid_argument(fmt::format("sweep: more than {} runs in the grid", kRunsMax));
  }
  plan.cells = grid_cells(plan.axes);
  scenario::LoaderOptions lo;
  lo.cost_names = cost_names();
  // The file with the sweep's own overrides first, so that their errors name no cell.
  auto base = scenario::load_scenario_file(o.file, o.sets, lo);
  if (!base.is_ok()) return base.status();
  plan.warnings = base->warnings;
  for (const auto& values : plan.cells) {
    plan.sets.push_back(cell_sets(o, plan.axes, values));
    auto spec = scenario::load_scenario_file(o.file, plan.sets.back(), lo);
    if (!spec.is_ok())
      return Status::invalid_argument(
          fmt::format("in the cell {}: {}", cell_text(plan.axes, values), spec.status().message()));
    plan.warnings.insert(plan.warnings.end(), spec->warnings.begin(), spec->warnings.end());
    if (plan.scenario.empty()) plan.scenario = spec->name;
    plan.base_seed.push_back(spec->seed);
  }
  return plan;
}

// The last non-empty line of a file that is not a load warning (print_load_warnings), at most kStderrTailMax bytes of it.
std::string last_line(const fs::path& path) {
  std::ifstream f(path);
  std::string line, last;
  while (std::getline(f, line))
    if (line.find_first_not_of(" \t\r") != std::string::npos && !line.starts_with("warning: ")) last = line;
  if (last.size() > kStderrTailMax) last = last.substr(0, kStderrTailMax) + "...";
  return last;
}

std::optional<nlohmann::ordered_json> read_json(const fs::path& path) {
  std::ifstream f(path);
  if (!f) return std::nullopt;
  std::stringstream text;
  text << f.rdbuf();
  auto j = nlohmann::ordered_json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  return j;
}

// The child processes: spawned with the signals this process blocks restored, in their own
// process group (a terminal's Ctrl-C reaches only the sweep, which kills them), stdin and
// stdout on /dev/null, stderr in a file, TMPDIR in the scratch directory.
class Runner {
 public:
  Runner(std::string fabsim, const std::string& scratch) : fabsim_(std::move(fabsim)) {
    for (char** e = environ; *e != nullptr; ++e)
      if (std::strncmp(*e, "TMPDIR=", 7) != 0) env_.emplace_back(*e);
    env_.push_back("TMPDIR=" + scratch);
  }

  // Starts the program with `args` after its name; the pid, or why it could not start.
  Result<pid_t> spawn(const std::vector<std::string>& args, const fs::path& stderr_file) {
    std::vector<std::string> argv_s = {fabsim_};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv, envp;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    for (auto& e : env_) envp.push_back(e.data());
    envp.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, stderr_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawnattr_init(&attr);
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    for (int s : {SIGINT, SIGTERM, SIGCHLD, SIGPIPE}) sigaddset(&defaults, s);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, fabsim_.c_str(), &fa, &attr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) return Status::unavailable(fmt::format("cannot start '{}': {}", fabsim_, std::strerror(rc)));
    return pid;
  }

 private:
  std::string fabsim_;
  std::vector<std::string> env_;
};

// Blocks SIGINT, SIGTERM and SIGCHLD for its lifetime, so they can be waited for. At the
// end, what is still pending (a SIGINT that came while the files were written) is dropped:
// the sweep completed.
class BlockedSignals {
 public:
  BlockedSignals() {
    sigemptyset(&set_);
    for (int s : {SIGINT, SIGTERM, SIGCHLD}) sigaddset(&set_, s);
    sigprocmask(SIG_BLOCK, &set_, &old_);
  }
  ~BlockedSignals() {
    while (wait(0) != 0) {
    }
    sigprocmask(SIG_SETMASK, &old_, nullptr);
  }
  BlockedSignals(const BlockedSignals&) = delete;
  BlockedSignals& operator=(const BlockedSignals&) = delete;
  // Waits up to `ms` for one of them; the signal, or 0.
  int wait(long ms) {
    timespec ts{ms / 1000, (ms % 1000) * 1000000};
    const int s = sigtimedwait(&set_, nullptr, &ts);
    return s > 0 ? s : 0;
  }

 private:
  sigset_t set_{}, old_{};
};

struct Job {
  size_t cell = 0;
  size_t seed_index = 0;
  fs::path dir;  // its scratch: stderr.txt, out/
};

// What stderr shows while the runs go: on a terminal one bar redrawn in place, else a line
// per finished run; both with the time left, estimated from the runs so far (wall time,
// display only).
class Progress {
 public:
  Progress(const SweepOptions& o, size_t cells, size_t runs, std::ostream& err)
      : bar_(o.progress_bar), cells_(cells), runs_(runs), err_(err), start_(std::chrono::steady_clock::now()) {}

  void run_done(bool cell_done, bool failed, const std::string& what) {
    ++done_;
    cells_done_ += cell_done ? 1 : 0;
    failed_ += failed ? 1 : 0;
    if (bar_) {
      redraw();
    } else {
      err_ << fmt::format("sweep: [{}/{}] {} ({} left)\n", done_, runs_, what, left()) << std::flush;
    }
  }
  void redraw() {
    if (!bar_) return;
    constexpr size_t kWidth = 30;
    const size_t filled = done_ * kWidth / runs_;
    err_ << fmt::format("\r\x1b[K[{}{}] {}/{} cells, {}/{} runs{}, {} left", std::string(filled, '#'),
                        std::string(kWidth - filled, '.'), cells_done_, cells_, done_, runs_,
                        failed_ ? fmt::format(", {} failed", failed_) : "", left())
         << std::flush;
  }
  void end() {
    if (bar_) err_ << "\n";
  }
  long wait_ms() const { return bar_ ? 250 : 1000; }

 private:
  std::string left() const {
    if (done_ == 0) return "?";
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const auto s = static_cast<uint64_t>(elapsed / static_cast<double>(done_) * static_cast<double>(runs_ - done_) + 0.5);
    if (s >= 3600) return fmt::format("{}h{:02}m", s / 3600, s / 60 % 60);
    if (s >= 60) return fmt::format("{}m{:02}s", s / 60, s % 60);
    return fmt::format("{}s", s);
  }

  const bool bar_;
  const size_t cells_, runs_;
  std::ostream& err_;
  const std::chrono::steady_clock::time_point start_;
  size_t done_ = 0, cells_done_ = 0, failed_ = 0;
};

// Runs every (cell, seed) of the plan, --jobs at a time, and fills `results` in grid
// order. Returns the signal that interrupted it, or 0.
int execute(const SweepOptions& o, const Plan& plan, const fs::path& scratch, BlockedSignals& signals,
            SweepResults* results, std::ostream& err) {
  const size_t total = plan.cells.size() * plan.seeds;
  Runner runner(o.fabsim, scratch.string());
  Progress progress(o, plan.cells.size(), total, err);
  std::map<pid_t, Job> running;
  std::vector<size_t> runs_left(plan.cells.size(), plan.seeds);
  auto finish = [&](const Job& job, int exit_status, const std::string& spawn_error) {
    SweepRun& run = results->cells[job.cell].runs[job.seed_index];
    const auto json = read_json(job.dir / "out" / "results.json");
    const std::string tail = spawn_error.empty() ? last_line(job.dir / "stderr.txt") : spawn_error;
    classify_run(exit_status, json ? &*json : nullptr, tail, &run);
    std::error_code ec;
    fs::remove_all(job.dir, ec);
    const std::string what = run.failure.empty()
                                 ? (run.expectations_met ? "completed" : "completed, expectations unmet")
                                 : "FAILED: " + run.failure;
    progress.run_done(--runs_left[job.cell] == 0, !run.failure.empty(),
                      fmt::format("{} seed {}: {}", cell_text(plan.axes, plan.cells[job.cell]), run.seed, what));
  };
  size_t next = 0;
  int interrupted = 0;
  while ((next < total || !running.empty()) && interrupted == 0) {
    for (; running.size() < plan.jobs && next < total; ++next) {
      const Job job{next / plan.seeds, next % plan.seeds, scratch / fmt::format("run-{}", next)};
      std::vector<std::string> args = {"run", o.file};
      for (const auto& s : plan.sets[job.cell]) args.insert(args.end(), {"--set", s});
      args.insert(args.end(), {"--seed", std::to_string(results->cells[job.cell].runs[job.seed_index].seed), "--out",
                               (job.dir / "out").string()});
      std::error_code ec;
      fs::create_directories(job.dir, ec);
      auto pid = runner.spawn(args, job.dir / "stderr.txt");
      if (pid.is_ok()) {
        running.emplace(*pid, job);
      } else {
        finish(job, 127, pid.status().message());
      }
    }
    for (auto it = running.begin(); it != running.end();) {
      int status = 0;
      if (waitpid(it->first, &status, WNOHANG) != it->first) {
        ++it;
        continue;
      }
      const Job job = it->second;
      it = running.erase(it);
      finish(job, WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status), "");
    }
    if (next < total || !running.empty()) {
      const int s = signals.wait(progress.wait_ms());
      if (s == SIGINT || s == SIGTERM) interrupted = s;
      progress.redraw();
    }
  }
  for (const auto& [pid, job] : running) kill(pid, SIGKILL);
  for (const auto& [pid, job] : running) waitpid(pid, nullptr, 0);
  progress.end();
  return interrupted;
}

// The summary table as Markdown, then the failed runs with their reproduce commands.
void print_summary(const SweepResults& r, std::ostream& out) {
  const SummaryTable t = summary_table(r);
  out << "| " << fmt::format("{}", fmt::join(t.header, " | ")) << " |\n|";
  for (size_t i = 0; i < t.header.size(); ++i) out << (i < r.axes.size() ? "---|" : "---:|");
  out << "\n";
  for (const auto& row : t.rows) out << "| " << fmt::format("{}", fmt::join(row, " | ")) << " |\n";
  for (const SweepCell& cell : r.cells)
    for (const SweepRun& run : cell.runs)
      if (!run.failure.empty())
        out << fmt::format("FAILED: {} seed {}: {}\n  reproduce: {}\n", cell_text(r.axes, cell.values), run.seed,
                           run.failure, run.reproduce);
}

// Writes the three files through temporary names, renamed once all are complete; on any
// failure none is left (nor the directories made for them). The sweep's exit status.
int write_sweep_outputs(const SweepResults& r, const fs::path& dir, std::ostream& out, std::ostream& err,
                        OutDirectory* out_files) {
  const auto dump = [](const nlohmann::ordered_json& j) {
    return j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
  };
  const std::vector<std::pair<std::string, std::string>> files = {
      {"sweep.csv", sweep_csv(r)}, {"sweep.json", dump(sweep_json(r))}, {"sweep.html", sweep_html(r)}};
  std::error_code ec;
  bool ok = true;
  for (const auto& [name, text] : files) {
    std::ofstream f(dir / (name + ".tmp"), std::ios::binary | std::ios::trunc);
    ok = ok && f && (f << text) && f.flush();
  }
  std::vector<fs::path> placed;
  for (const auto& [name, text] : files) {
    if (ok) fs::rename(dir / (name + ".tmp"), dir / name, ec);
    ok = ok && !ec;
    if (ok) placed.push_back(dir / name);
  }
  if (!ok) {
    for (const auto& [name, text] : files) fs::remove(dir / (name + ".tmp"), ec);
    for (const fs::path& p : placed) fs::remove(p, ec);
    out_files->remove_created();
    err << fmt::format("fabsim: --out: could not write the sweep's files into '{}'\n", dir.string());
    return 2;
  }
  print_summary(r, out);
  out << fmt::format("results: {}, {}, {}\n", (dir / "sweep.csv").string(), (dir / "sweep.json").string(),
                     (dir / "sweep.html").string());
  bool failed = false, unmet = false;
  for (const SweepCell& cell : r.cells) {
    for (const SweepRun& run : cell.runs) failed = failed || !run.failure.empty();
    unmet = unmet || !cell_expectations_met(cell);
  }
  if (r.expect) out << (unmet ? "expectations: unmet in some cells\n" : "expectations: met in every cell\n");
  return failed || (r.expect && unmet) ? 1 : 0;
}

}  // namespace

Result<SweepAxis> parse_vary(const std::string& arg) {
  const size_t eq = arg.find('=');
  if (eq == std::string::npos)
    return Status::invalid_argument(fmt::format("--vary {}: expected KEY=V1,V2,... (no '=')", arg));
  SweepAxis axis{arg.substr(0, eq), {}};
  if (axis.key.empty()) return Status::invalid_argument(fmt::format("--vary {}: the key is empty", arg));
  const std::string list = arg.substr(eq + 1);
  if (list.empty()) return Status::invalid_argument(fmt::format("--vary {}: the list of values is empty", arg));
  int depth = 0;
  char quote = 0;
  std::string value;
  auto push = [&]() -> bool {
    if (value.empty()) return false;
    axis.values.push_back(value);
    value.clear();
    return true;
  };
  for (char c : list) {
    if (quote != 0) {
      quote = c == quote ? 0 : quote;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '(' || c == '[' || c == '{') {
      ++depth;
    } else if ((c == ')' || c == ']' || c == '}') && depth > 0) {
      --depth;
    } else if (c == ',' && depth == 0) {
      if (!push()) return Status::invalid_argument(fmt::format("--vary {}: an empty value in the list", arg));
      continue;
    }
    value += c;
  }
  if (!push()) return Status::invalid_argument(fmt::format("--vary {}: an empty value in the list", arg));
  return axis;
}

std::vector<std::vector<std::string>> grid_cells(const std::vector<SweepAxis>& axes) {
  std::vector<std::vector<std::string>> cells = {{}};
  for (const SweepAxis& axis : axes) {
    std::vector<std::vector<std::string>> longer;
    for (const auto& cell : cells)
      for (const std::string& v : axis.values) {
        longer.push_back(cell);
        longer.back().push_back(v);
      }
    cells = std::move(longer);
  }
  return cells;
}

int run_sweep_command(const SweepOptions& o, std::ostream& out, std::ostream& err) {
  auto plan = make_plan(o);
  if (!plan.is_ok()) {
    err << "fabsim: " << plan.status().message() << "\n";
    return 2;
  }
  print_load_warnings(plan->warnings, err);  // here once; each run's copy goes to its stderr.txt
  const fs::path out_dir = o.out_dir.empty() ? fs::path("sweep-" + directory_name(plan->scenario)) : fs::path(o.out_dir);
  OutDirectory out_files;
  if (Status s = out_files.open(out_dir); !s.is_ok()) {
    err << "fabsim: " << s.message() << "\n";
    return 2;
  }
  auto scratch = RunDirectory::temporary();
  if (!scratch.is_ok()) {
    out_files.remove_created();
    err << "fabsim: " << scratch.status().message() << "\n";
    return 2;
  }

  SweepResults results{plan->scenario, o.file, plan->axes, o.sets, plan->seeds, o.expect, {}};
  for (size_t c = 0; c < plan->cells.size(); ++c) {
    SweepCell cell{plan->cells[c], std::vector<SweepRun>(plan->seeds)};
    for (uint64_t i = 0; i < plan->seeds; ++i) {
      cell.runs[i].seed = plan->base_seed[c] + i;
      cell.runs[i].reproduce = reproduce_command(RunOptions{o.file, "", plan->sets[c]}, cell.runs[i].seed);
    }
    results.cells.push_back(std::move(cell));
  }
  out << fmt::format("sweep: {} ({}): {} cells x {} seeds = {} runs, {} at a time\n", plan->scenario, o.file,
                     plan->cells.size(), plan->seeds, plan->cells.size() * plan->seeds,
                     std::min<uint64_t>(plan->jobs, plan->cells.size() * plan->seeds));
  out.flush();
  BlockedSignals signals;  // until the files are written
  const int interrupted = execute(o, *plan, scratch->path(), signals, &results, err);
  if (interrupted != 0) {
    out_files.remove_created();
    err << fmt::format("fabsim: sweep interrupted by {}; the runs were stopped and nothing was written\n",
                       interrupted == SIGINT ? "SIGINT" : "SIGTERM");
    return 128 + interrupted;
  }
  return write_sweep_outputs(results, out_dir, out, err, &out_files);
}

}  // namespace fabsim::cli
