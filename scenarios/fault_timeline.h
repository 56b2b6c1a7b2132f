// The fault timeline: a scenario's faults, plus the undo each `for:` implies, in the order
// they happen. The loader walks it to reject conflicting faults; the runner schedules it.
//
// Order: by time; at the same time, by the position of the fault in the file, where an
// undo takes the position of the fault whose `for:` made it (stable and total, so the same
// file always gives the same timeline).
#pragma once

#include <cstddef>
#include <vector>

#include "scenarios/scenario_spec.h"

namespace fabsim::scenario {

struct TimelineEvent {
  Duration at;
  FaultAction action = FaultAction::kCrash;  // for an undo: restart, resume, heal or restore
  size_t fault = 0;                          // index into the scenario's faults
  bool undo = false;                         // made by the fault's `for:`
};

// The undo of an action that takes `for:` (crash -> restart, pause -> resume,
// partition -> heal, degrade -> restore).
FaultAction undo_action(FaultAction action);

std::vector<TimelineEvent> fault_timeline(const std::vector<FaultSpec>& faults);

}  // namespace fabsim::scenario
