#include "scenarios/fault_timeline.h"

#include <algorithm>

#include "core/assert.h"

namespace fabsim::scenario {

const char* fault_action_name(FaultAction action) {
  switch (action) {
    case FaultAction::kCrash: return "crash";
    case FaultAction::kRestart: return "restart";
    case FaultAction::kPause: return "pause";
    case FaultAction::kResume: return "resume";
    case FaultAction::kPartition: return "partition";
    case FaultAction::kHeal: return "heal";
    case FaultAction::kDegrade: return "degrade";
    case FaultAction::kRestore: return "restore";
    case FaultAction::kClockOffset: return "clock_offset";
    case FaultAction::kPowerLoss: return "power_loss";
  }
  return "?";
}

FaultAction undo_action(FaultAction action) {
  switch (action) {
    case FaultAction::kCrash:
    case FaultAction::kPowerLoss: return FaultAction::kRestart;
    case FaultAction::kPause: return FaultAction::kResume;
    case FaultAction::kPartition: return FaultAction::kHeal;
    case FaultAction::kDegrade: return FaultAction::kRestore;
    default: break;
  }
  FABSIM_ASSERT_MSG(false, std::string("no undo for fault action ") + fault_action_name(action));
  return action;
}

std::vector<TimelineEvent> fault_timeline(const std::vector<FaultSpec>& faults) {
  std::vector<TimelineEvent> events;
  for (size_t i = 0; i < faults.size(); ++i) {
    const FaultSpec& f = faults[i];
    events.push_back({f.at, f.action, i, false});
    if (f.undo_after) events.push_back({f.at + *f.undo_after, undo_action(f.action), i, true});
  }
  std::stable_sort(events.begin(), events.end(), [](const TimelineEvent& a, const TimelineEvent& b) {
    if (a.at != b.at) return a.at < b.at;
    if (a.fault != b.fault) return a.fault < b.fault;
    return !a.undo && b.undo;
  });
  return events;
}

}  // namespace fabsim::scenario
