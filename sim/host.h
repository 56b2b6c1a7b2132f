// Host: a virtual machine in the simulated world. It runs one process (core/node.h) on N
// virtual cores and owns durable storage that survives crashes.
//
// Inputs (messages, timer fires, client calls, the start of an incarnation) wait in a FIFO
// queue until a core is free; the process handles one then, on that core, and its outputs
// are released when the CPU time it charged has elapsed (cancellations act at once). A
// core stays busy until that release, so queueing delay and saturation emerge.
//
// Faults:
//  - crash: the process is destroyed with its timers, its input queue and its unreleased
//    outputs; messages arriving while down are dropped. Durable storage is kept.
//  - restart: a new incarnation built by the factory from durable storage; it gets a
//    start input first.
//  - pause/resume: inputs are held (timers fire into the queue), then handled in order.
//  - clock offset: added to what the process reads as local time.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/node.h"
#include "core/storage.h"
#include "sim/event_queue.h"

namespace fabsim {

class World;

struct HostStats {
  uint64_t inputs_handled = 0;
  uint64_t inputs_dropped = 0;  // arrived while down, or lost in a crash
  Duration cpu_busy = Duration::zero();
  Duration queue_wait = Duration::zero();  // summed over inputs
  uint64_t max_queue = 0;
};

class Host {
 public:
  Host(World& world, HostId id, std::string name, uint32_t cores, ProcessFactory factory);
  ~Host();

  HostId id() const { return id_; }
  const std::string& name() const { return name_; }
  uint32_t cores() const { return cores_; }
  bool up() const { return up_; }
  bool paused() const { return paused_; }
  uint32_t incarnation() const { return incarnation_; }
  Duration clock_offset() const { return clock_offset_; }
  const DurableStore& store() const { return store_; }
  DurableStore& mutable_store() { return store_; }
  const HostStats& stats() const { return stats_; }
  size_t queued() const { return queue_.size(); }
  // The live process, for inspection in tests; null while down or for a router.
  Process* process() { return process_.get(); }

  // ---- called by the World ------------------------------------------------------------
  void boot();
  void deliver(HostId from, Message&& msg, uint64_t payload_hash);
  void call(const ClientCall& call);
  void crash();
  void restart();
  void pause();
  void resume();
  void set_clock_offset(Duration d) { clock_offset_ = d; }

 private:
  struct Input {
    enum Kind : uint8_t { kStart, kMessage, kTimer, kCall } kind = kStart;
    HostId from = kNoHost;
    Message msg;
    uint64_t hash = 0;
    TimerId timer = 0;
    uint64_t tag = 0;
    ClientCall call;
    Time arrived;
  };
  struct Pending {
    NodeContext::Outputs outputs;
    bool in_use = false;
  };

  static void on_timer_event(void* self, uint64_t timer, uint64_t incarnation);
  static void on_release_event(void* self, uint64_t pending, uint64_t incarnation);
  void enqueue(Input&& in);
  void pump();
  void handle(Input& in);
  void release(NodeContext::Outputs& out);
  void start_incarnation();

  World& world_;
  HostId id_;
  std::string name_;
  uint32_t cores_;
  uint32_t busy_cores_ = 0;
  ProcessFactory factory_;
  std::unique_ptr<Process> process_;
  std::unique_ptr<Rng> rng_;
  uint32_t incarnation_ = 0;
  bool up_ = false;
  bool paused_ = false;
  bool pumping_ = false;
  Duration clock_offset_ = Duration::zero();
  DurableStore store_;
  TimerId next_timer_id_ = 0;
  struct LiveTimer {
    EventHandle handle;
    uint64_t tag;
  };
  std::map<TimerId, LiveTimer> live_timers_;
  std::set<TimerId> cancelled_unarmed_;  // cancelled before their outputs were released
  std::deque<Input> queue_;
  std::vector<Pending> pending_;
  std::vector<uint32_t> free_pending_;
  HostStats stats_;
};

}  // namespace fabsim
