// The flood demo world: FloodProcess (model/demo/flood.h) on a random connected graph,
// with optional faults. Used by `fabsim demo flood`, kernel tests and benchmarks.
//
// Graph: a ring over all hosts (so it is connected), plus random chords drawn from the
// stream "demo/graph" until the mean degree reaches `degree`. Rumors originate at hosts
// drawn from "demo/workload", one every `interval`, starting at 10 ms.
// Faults (all optional): `crashes` random hosts crash at 30% of the duration and restart
// at 60%; `partition` splits the hosts into two halves from 40% to 55%.
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>

#include "analysis/summary.h"
#include "core/time.h"
#include "sim/network.h"
#include "sim/world.h"

namespace fabsim {

struct FloodDemoConfig {
  uint64_t seed = 1;
  uint32_t hosts = 50;
  uint32_t degree = 4;
  uint32_t messages = 100;
  Duration interval = Duration::millis(50);
  Duration duration = Duration::seconds(10);
  uint32_t rumor_bytes = 1024;
  uint32_t cores = 1;
  Duration cpu_per_message = Duration::micros(20);
  Duration pull_interval = Duration::millis(500);
  Duration latency = Duration::millis(2);
  Duration jitter = Duration::micros(500);  // uniform in [0, jitter]
  uint64_t bandwidth_bps = 1'000'000'000;
  double loss = 0.0;
  uint32_t crashes = 0;
  bool partition = false;
};

struct FloodDemoResult {
  uint64_t rumors_scheduled = 0;     // client calls scheduled
  std::set<std::string> originated;  // rumor ids learned anywhere (a call to a down host is lost)
  uint64_t deliveries = 0;           // distinct (host, rumor) pairs learned
  uint64_t hosts = 0;
  // Every originated rumor at every host.
  uint64_t expected_deliveries() const { return originated.size() * hosts; }
  Summary latency_ns;
  NetworkStats net;
  uint64_t trace_hash = 0;
  uint64_t trace_events = 0;
  uint64_t kernel_events = 0;
  std::vector<std::string> fault_errors;
};

// Builds the world (not yet started). The result collects analysis events while it runs.
std::unique_ptr<World> build_flood_world(const FloodDemoConfig& cfg, FloodDemoResult* result);

// Builds, runs for cfg.duration, and fills the result. `configure` (optional) is called
// on the world before it runs, e.g. to attach a trace sink or a determinism recorder.
FloodDemoResult run_flood_demo(const FloodDemoConfig& cfg, const std::function<void(World&)>& configure = {});

}  // namespace fabsim
