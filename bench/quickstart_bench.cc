// BM_Quickstart: the reference end-to-end run of the issue "End to end" — scenarios/
// quickstart.yaml's network (2 organisations × 2 peers, solo orderer, kvstore under
// AND('Org1MSP.peer','Org2MSP.peer')) with MaxMessageCount 100 and 1,000 tps offered for
// 100 s: 100,000 transactions, each through endorsement, ordering, validation and commit on
// every peer, plus the post-run safety checks.
//
// Reported: committed_tps_wall = transactions committed VALID per wall-clock second of the
// whole run (items_per_second is the same figure), and peak_rss_mib = the process's peak
// resident set (getrusage; run the benchmark alone with --benchmark_filter for a figure of
// its own). Variants: ecdsa (verification cache on) and hmac. BM_Quickstart keeps the hosts'
// files in memory (the library's default); BM_QuickstartOnDisk runs the HMAC variant with
// them on disk in a temporary directory, as `fabsim run` does (World::set_storage_root).
#include <benchmark/benchmark.h>
#include <stdlib.h>
#include <sys/resource.h>

#include <filesystem>
#include <string>
#include <vector>

#include "core/cost_model.h"
#include "scenarios/scenario_loader.h"
#include "scenarios/scenario_runner.h"

#ifndef FABSIM_SOURCE_DIR
#error "FABSIM_SOURCE_DIR must be defined"
#endif

namespace {

void run_quickstart(benchmark::State& state, bool on_disk) {
  const bool ecdsa = state.range(0) == 1;
  const int64_t rate = state.range(1);
  const int64_t seconds = state.range(2);
  const std::vector<std::string> sets = {
      "ordering.batch_size.max_message_count=100",
      "workload.0.rate=" + std::to_string(rate) + "tps",
      "duration=" + std::to_string(seconds) + "s",
      "drain=10s",
      std::string("crypto.scheme=") + (ecdsa ? "ecdsa" : "hmac"),
      "crypto.verify_cache=true",
  };
  fabsim::scenario::LoaderOptions lo;
  lo.cost_names = fabsim::cost_names();
  auto spec = fabsim::scenario::load_scenario_file(std::string(FABSIM_SOURCE_DIR) + "/scenarios/quickstart.yaml", sets, lo);
  if (!spec.is_ok()) {
    state.SkipWithError(spec.status().message().c_str());
    return;
  }
  uint64_t committed = 0;
  for (auto _ : state) {
    std::string root;
    fabsim::scenario::RunHooks hooks;
    if (on_disk) {
      std::string templ = (std::filesystem::temp_directory_path() / "fabsim-bench-XXXXXX").string();
      if (::mkdtemp(templ.data()) == nullptr) {
        state.SkipWithError("cannot create a temporary directory");
        return;
      }
      root = templ;
      hooks.on_world = [&root](fabsim::World& w) { w.set_storage_root(root); };
    }
    auto report = fabsim::scenario::run_scenario(*spec, hooks);
    if (!root.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(root, ec);
    }
    if (!report.is_ok()) {
      state.SkipWithError(report.status().message().c_str());
      return;
    }
    if (!report->invariants.hold()) {
      state.SkipWithError("safety checks failed");
      return;
    }
    committed += report->metrics.succeeded;
    benchmark::DoNotOptimize(report->trace_hash);
  }
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  state.SetItemsProcessed(static_cast<int64_t>(committed));
  state.counters["committed_tps_wall"] = benchmark::Counter(static_cast<double>(committed), benchmark::Counter::kIsRate);
  state.counters["committed"] = static_cast<double>(committed) / static_cast<double>(state.iterations());
  state.counters["peak_rss_mib"] = static_cast<double>(ru.ru_maxrss) / 1024.0;
}

void BM_Quickstart(benchmark::State& state) { run_quickstart(state, /*on_disk=*/false); }
void BM_QuickstartOnDisk(benchmark::State& state) { run_quickstart(state, /*on_disk=*/true); }

// Args: ecdsa (1) or hmac (0), offered rate (tps), duration (s).
BENCHMARK(BM_Quickstart)
    ->ArgNames({"ecdsa", "tps", "s"})
    ->Args({1, 1000, 100})
    ->Args({0, 1000, 100})
    ->Iterations(1)
    ->Unit(benchmark::kSecond)
    ->UseRealTime();

BENCHMARK(BM_QuickstartOnDisk)
    ->ArgNames({"ecdsa", "tps", "s"})
    ->Args({0, 1000, 100})
    ->Iterations(1)
    ->Unit(benchmark::kSecond)
    ->UseRealTime();

}  // namespace
