// Simulator: owns virtual time and the event queue, and is the only thing that moves time.
// It knows nothing about hosts or Fabric; the World (sim/world.h) builds on it.
//
// Invariants: time never goes backwards; an event scheduled for the past is a programmer
// error (asserted); events at equal times run in scheduling order.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "core/time.h"
#include "sim/event_queue.h"
#include "sim/trace.h"

namespace fabsim {

class Simulator {
 public:
  explicit Simulator(uint64_t seed);
  ~Simulator();
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  uint64_t seed() const { return seed_; }
  Time now() const { return now_; }
  uint64_t events_run() const { return events_run_; }
  Trace& trace() { return trace_; }

  // Fast path: a plain callback, no allocation.
  EventHandle at(Time t, EventFn fn, void* ctx, uint64_t a = 0, uint64_t b = 0) {
    FABSIM_ASSERT_MSG(t >= now_, "event scheduled in the past");
    return queue_.schedule(t, fn, ctx, a, b);
  }
  EventHandle after(Duration d, EventFn fn, void* ctx, uint64_t a = 0, uint64_t b = 0) {
    return at(now_ + d, fn, ctx, a, b);
  }
  // Convenience for rare events (faults, scenario actions): a closure.
  EventHandle at(Time t, std::function<void()> f);
  bool cancel(EventHandle h) { return queue_.cancel(h); }
  uint64_t pending() const { return queue_.size(); }

  // Runs every event with time <= limit (or until stop()), then sets now to `limit` if
  // the queue still has later events or is empty and limit is finite.
  void run_until(Time limit);
  // Runs until no event is left or stop() is called.
  void run() { run_until(Time::max()); }
  // Ends the current run_until() after the event being run.
  void stop() { stopped_ = true; }

 private:
  static void run_closure(void* self, uint64_t index, uint64_t);

  uint64_t seed_;
  Time now_ = Time::zero();
  uint64_t events_run_ = 0;
  bool stopped_ = false;
  EventQueue queue_;
  Trace trace_;
  std::vector<std::function<void()>> closures_;
  std::vector<uint64_t> free_closures_;
};

}  // namespace fabsim
