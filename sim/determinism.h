// The run-twice determinism check. `run` must build a fresh world from the same inputs,
// attach the given probe to its trace, and run it. The first run records the running
// trace hash after every event; the second compares event by event; if they differ, a
// third run fetches the first run's line for the first diverging event, so the report
// names that event in both runs.
#pragma once

#include <functional>
#include <string>

#include "sim/trace.h"

namespace fabsim {

struct DeterminismReport {
  bool same = false;
  uint64_t events = 0;            // events in the first run
  uint64_t first_divergence = 0;  // index of the first differing event (if !same)
  std::string first_run_line;     // that event in the first run ("(run ended)" if none)
  std::string second_run_line;    // that event in the second run
  // A short human-readable report, ending in a newline.
  std::string text() const;
};

DeterminismReport check_determinism(const std::function<void(TraceProbe&)>& run);

}  // namespace fabsim
