// Host: a virtual machine in the simulated world. It runs one process (core/node.h) on N
// virtual cores and owns durable storage that survives crashes.
//
// Scheduling. Each input (message, timer fire, client call, post, the start of an
// incarnation) goes to one of the process's lanes (Process::lanes(): a component's queue).
// A lane admits inputs up to its concurrency — any number, one, or one per sender — and
// holds the rest in arrival order. An admitted input asks for a core; requests for cores
// are served first come, first served. On its core the process handles the input at once
// and answers with its outputs and its CPU work (NodeContext::Outputs::steps); the work
// then runs task by task, each task on a core of its own for its duration (a parallel
// step asks for up to `width` cores at once), every further task queueing for a core
// behind what is already waiting. When the last task ends the outputs are released
// (cancellations act at once) and the lane admits its next input. Queueing delay and
// saturation emerge from the cores and from the lanes' concurrency. A disk step
// (NodeContext::charge_disk) holds no core: it waits for the host's disk, which serves one
// request at a time in arrival order.
//
// The start input runs first and alone: no other input is handled before its work is done.
//
// Faults:
//  - crash: the process is destroyed with its timers, its input queue and its unreleased
//    outputs; messages arriving while down are dropped. Durable storage is kept.
//  - power loss: a crash, and the storage's unsynced writes are lost.
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
  Duration cpu_busy = Duration::zero();  // tasks' durations as run (after variability)
  Duration disk_busy = Duration::zero();  // disk steps' durations
  Duration queue_wait = Duration::zero();  // summed over inputs
  uint64_t max_queue = 0;  // inputs waiting (in lanes or for a core), at the most
};

// Per lane, for reports: what its component did.
struct LaneStats {
  std::string name;
  uint64_t inputs_handled = 0;
  Duration queue_wait = Duration::zero();  // arrival to handling, summed over inputs
  uint64_t max_waiting = 0;                // inputs held by the lane's concurrency, at the most
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
  // The lanes of the current (or last) incarnation, in Process::lanes() order.
  const std::vector<LaneStats>& lane_stats() const { return lane_stats_; }
  // Inputs waiting: held by a lane, or admitted and waiting for a core.
  size_t queued() const { return waiting_inputs_; }
  // Inputs waiting on lane `l` now: held by the lane, or admitted and waiting for a core.
  size_t lane_waiting(LaneId l) const;
  // Cores running a task now.
  uint32_t busy_cores() const { return busy_cores_; }
  // The live process, for inspection in tests; null while down or for a router.
  Process* process() { return process_.get(); }

  // ---- called by the World ------------------------------------------------------------
  void boot();
  void deliver(HostId from, Message&& msg, uint64_t payload_hash);
  void call(const ClientCall& call);
  void crash();
  // A crash, then every write to the host's storage that was not synced is lost
  // (DurableStore::power_loss). The host is down afterwards, as after a crash.
  Status power_loss();
  void restart();
  void pause();
  void resume();
  void set_clock_offset(Duration d) { clock_offset_ = d; }
  // Service-time variability (core/cost_model.h vary_lognormal): every CPU task's duration
  // is multiplied by a lognormal factor of mean 1 drawn from the host's own stream
  // "cpu/<name>", so switching it on shifts no other draw. 0 (the default) turns it off.
  void set_cpu_variability(double sigma);

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
    LaneId lane = 0;
    HostId key = kNoHost;  // the sender, for a kSerialPerSender lane
  };
  // A lane of the current incarnation. `running` counts admitted inputs whose work is not
  // done (per sender for kSerialPerSender).
  struct Lane {
    LaneSpec spec;
    uint32_t running = 0;
    std::deque<Input> held;
    std::map<HostId, uint32_t> running_by_sender;
  };
  // The work of one handled input, from its handling to the release of its outputs.
  struct Job {
    NodeContext::Outputs outputs;
    uint32_t incarnation = 0;
    LaneId lane = 0;
    HostId key = kNoHost;
    bool start = false;     // the start input's
    size_t step = 0;        // the step running
    size_t next_task = 0;   // the step's next task to run
    uint32_t running = 0;   // tasks on a core now
    uint32_t requested = 0; // core requests queued for this step
    bool in_use = false;
    // Timing, for the events it releases and the world's work sink (AnalysisEvent, WorkSpan).
    Time arrived;                  // its input reached the host
    Time handled;                  // its handler ran
    Time step_started;             // the current step's first task started
    std::vector<Time> task_start;  // per task of the current step, when it started
    std::vector<WorkSpan> spans;   // the labelled work done so far
  };
  // A request for a core: an admitted input (job == kNoJob) or a task of a job.
  static constexpr uint32_t kNoJob = UINT32_MAX;
  struct CoreRequest {
    uint32_t job = kNoJob;
    Input input;
  };

  static void on_timer_event(void* self, uint64_t timer, uint64_t incarnation);
  static void on_task_event(void* self, uint64_t job, uint64_t incarnation);
  void enqueue(Input&& in);
  bool lane_has_room(const Lane& lane, HostId key) const;
  void admit(Input&& in);
  void lane_done(LaneId lane, HostId key);
  void grant();
  void handle(Input& in);
  // Queues the job's current step for cores (or the disk). `holds_core`: the job's input
  // was just handled on a free core, which the step's first CPU task takes.
  void start_step(uint32_t job, bool holds_core);
  void run_task(uint32_t job);
  void pump_disk();  // starts the disk's next request if the disk is free
  void free_job(uint32_t job);
  static void on_disk_event(void* self, uint64_t job, uint64_t incarnation);
  void step_done(uint32_t job);
  void finish(uint32_t job);
  // Releases a handler's outputs; its events get the input's arrival, the handling time and
  // `spans` (the labelled work; may be null).
  void release(NodeContext::Outputs& out, Time arrived, Time handled, const std::vector<WorkSpan>* spans);
  // A task of the job's current step ran from `start` to now: tells the work sink and keeps
  // the labelled parts.
  void task_ran(Job& job, Time start, Time end);
  void start_incarnation();
  void drop_cancelled_timer_inputs();

  World& world_;
  HostId id_;
  std::string name_;
  uint32_t cores_;
  uint32_t busy_cores_ = 0;
  ProcessFactory factory_;
  std::unique_ptr<Process> process_;
  std::unique_ptr<Rng> rng_;
  std::unique_ptr<NamedRngs> named_rngs_;
  uint32_t incarnation_ = 0;
  bool up_ = false;
  bool paused_ = false;
  bool starting_ = false;  // the start input's work is not done
  bool granting_ = false;
  Duration clock_offset_ = Duration::zero();
  double cpu_sigma_ = 0.0;
  std::unique_ptr<Rng> cpu_rng_;  // set with a non-zero sigma
  DurableStore store_;
  TimerId next_timer_id_ = 0;
  struct LiveTimer {
    EventHandle handle;
    uint64_t tag;
    LaneId lane;
  };
  std::map<TimerId, LiveTimer> live_timers_;
  std::set<TimerId> cancelled_unarmed_;  // cancelled before their outputs were released
  std::vector<Lane> lanes_;
  std::vector<LaneStats> lane_stats_;
  std::deque<CoreRequest> core_queue_;
  // The disk: one request at a time, first come first served (job slots).
  bool disk_busy_ = false;
  std::deque<uint32_t> disk_queue_;
  size_t waiting_inputs_ = 0;
  std::vector<Job> jobs_;
  std::vector<uint32_t> free_jobs_;
  HostStats stats_;
};

}  // namespace fabsim
