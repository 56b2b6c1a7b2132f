#include "sim/simulator.h"

#include <fmt/format.h>

#include "core/assert.h"

namespace fabsim {
namespace {
std::string describe_simulator(const void* p) {
  const auto* s = static_cast<const Simulator*>(p);
  return fmt::format("seed={} t={} event={}", s->seed(), format_time(s->now()), s->events_run());
}
}  // namespace

Simulator::Simulator(uint64_t seed) : seed_(seed) { set_assert_context(&describe_simulator, this); }

Simulator::~Simulator() { clear_assert_context(this); }

EventHandle Simulator::at(Time t, std::function<void()> f) {
  uint64_t index;
  if (!free_closures_.empty()) {
    index = free_closures_.back();
    free_closures_.pop_back();
    closures_[index] = std::move(f);
  } else {
    index = closures_.size();
    closures_.push_back(std::move(f));
  }
  return at(t, &Simulator::run_closure, this, index, 0);
}

void Simulator::run_closure(void* self, uint64_t index, uint64_t) {
  auto* sim = static_cast<Simulator*>(self);
  std::function<void()> f = std::move(sim->closures_[index]);
  sim->closures_[index] = nullptr;
  sim->free_closures_.push_back(index);
  f();
}

void Simulator::run_until(Time limit) {
  stopped_ = false;
  while (!stopped_ && queue_.run_next(limit, &now_)) ++events_run_;
  if (!stopped_ && limit != Time::max() && limit > now_) now_ = limit;
}

}  // namespace fabsim
