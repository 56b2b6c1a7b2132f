#include "core/node.h"

#include "core/assert.h"

namespace fabsim {

Rng& NamedRngs::get(std::string_view name) {
  auto it = streams_.find(name);
  if (it == streams_.end()) {
    std::string full = prefix_;
    full += '/';
    full += name;
    it = streams_.emplace(std::string(name), Rng::stream(seed_, full)).first;
  }
  return it->second;
}

void NodeContext::charge_parallel(std::span<const Duration> tasks, uint32_t width, const char* label) {
  FABSIM_ASSERT_MSG(width >= 1, "a parallel step needs at least one worker");
  CpuStep step;
  step.width = width;
  step.serial = false;
  step.label = label;
  for (Duration d : tasks) {
    FABSIM_ASSERT_MSG(d.ns >= 0, "negative CPU charge");
    if (d.ns == 0) continue;
    step.tasks.push_back(d);
    out_.cpu += d;
  }
  if (!step.tasks.empty()) out_.steps.push_back(std::move(step));
}

}  // namespace fabsim
