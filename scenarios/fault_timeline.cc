#include "scenarios/fault_timeline.h"

#include <algorithm>

#include "core/assert.h"

namespace fabsim::scenario {

namespace {

// The index of alternative T in variant V.
template <typename V, typename T, size_t I = 0>
constexpr size_t variant_index() {
  if constexpr (std::is_same_v<std::variant_alternative_t<I, V>, T>)
    return I;
  else
    return variant_index<V, T, I + 1>();
}

}  // namespace

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

size_t fault_detail_index(FaultAction action) {
  switch (action) {
    case FaultAction::kCrash:
    case FaultAction::kPowerLoss:
    case FaultAction::kRestart:
    case FaultAction::kPause:
    case FaultAction::kResume: return variant_index<FaultDetail, NodeFault>();
    case FaultAction::kPartition: return variant_index<FaultDetail, PartitionFault>();
    case FaultAction::kHeal: return variant_index<FaultDetail, HealFault>();
    case FaultAction::kDegrade: return variant_index<FaultDetail, DegradeFault>();
    case FaultAction::kRestore: return variant_index<FaultDetail, RestoreFault>();
    case FaultAction::kClockOffset: return variant_index<FaultDetail, ClockOffsetFault>();
  }
  return std::variant_npos;
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
