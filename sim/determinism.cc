#include "sim/determinism.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace fabsim {

DeterminismReport check_determinism(const std::function<void(TraceProbe&)>& run) {
  std::vector<uint64_t> first;
  TraceProbe p1;
  p1.record = &first;
  run(p1);

  TraceProbe p2;
  p2.compare = &first;
  run(p2);

  DeterminismReport rep;
  rep.events = first.size();
  if (!p2.diverged && p2.events == first.size()) {
    rep.same = true;
    return rep;
  }
  constexpr const char* kEnded = "(run ended)";
  if (p2.diverged) {
    rep.first_divergence = p2.divergence_index;
    rep.second_run_line = p2.divergence_line;
  } else {  // the second run is a prefix of the first
    rep.first_divergence = p2.events;
    rep.second_run_line = kEnded;
  }
  TraceProbe p3;
  p3.capture_index = rep.first_divergence;
  run(p3);
  rep.first_run_line = p3.captured_line.empty() ? kEnded : p3.captured_line;
  return rep;
}

std::string DeterminismReport::text() const {
  if (same) return fmt::format("determinism: OK, two runs gave the same {} trace events\n", events);
  return fmt::format(
      "determinism: FAILED, the runs diverge at trace event #{}\n  run 1: {}\n  run 2: {}\n", first_divergence,
      first_run_line, second_run_line);
}

}  // namespace fabsim
