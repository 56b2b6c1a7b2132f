// The fabsim subcommands, as functions that write to the given streams and return an exit
// status (0 ok, 1 a check failed, 2 bad input), so tests can call them directly.
#pragma once

#include <CLI/CLI.hpp>
#include <ostream>
#include <string>

#include "scenarios/demo_flood.h"

namespace fabsim::cli {

struct FloodOptions {
  FloodDemoConfig cfg;
  std::string seed = "1";
  std::string duration = "10s";
  std::string interval = "50ms";
  std::string latency = "2ms";
  std::string jitter = "500us";
  std::string bandwidth = "1Gbps";
  std::string cpu = "20us";
  std::string trace_file;
  bool check_determinism = false;
};

void add_flood_options(CLI::App& app, FloodOptions& o);
int run_flood(FloodOptions& o, std::ostream& out, std::ostream& err);

}  // namespace fabsim::cli
