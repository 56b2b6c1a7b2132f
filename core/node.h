// The node interface: how a protocol state machine (a "process") meets the world.
//
// A process is handed one input at a time — a delivered message, a timer that fired, a
// client call, a hand-off from one of its own components, or its start — through a
// NodeContext. It reads local time, its random streams and its durable store from the
// context, and answers through the same context with outputs: messages to send, timers to
// set or cancel, hand-offs to its own components (post), durable writes, analysis events,
// and the virtual CPU work it needs. It never reads a clock, a socket, a file or a global
// random generator. The driver (sim/Host in the simulator, or a test) decides when outputs
// take effect:
//   - cancel_timer() takes effect at once: a cancelled timer never fires afterwards;
//   - everything else is released when the charged CPU work is done, in this order:
//     durable writes, then timers, then posts, then messages, then analysis events.
// This lets the same code run under the simulator and in plain unit tests.
//
// Components and lanes. A node is a composition of components (a peer's endorser and
// committer, an orderer's Broadcast handlers and chain). Each component has its own input
// queue, a lane, with the concurrency Fabric gives it (LaneSpec): any number of inputs at
// once (gRPC handlers, each on its own goroutine), one at a time (a committer, a chain's
// goroutine), or one at a time per sender (a gRPC stream's goroutine). The process names
// its lanes once (Process::lanes()) and routes each message and call to one; a timer fires
// into the lane that set it; a post goes to the lane it names. Lanes compete for the node's
// cores in arrival order, so work that Fabric runs in parallel never waits behind a
// serial component, and work Fabric serialises stays in order.
//
// Work. charge(d) adds d to the work, run on one core. charge_parallel(tasks, width) adds
// a step whose tasks run on up to `width` cores at once (a worker pool inside one handler,
// e.g. VSCC across peer.validatorPoolSize goroutines). charge_disk(d) adds d of the host's
// disk (block writes, fsyncs), which holds no core. Steps run in the order charged; each
// task takes a core (or the disk) in turn with the node's other work.
#pragma once

#include <any>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/random.h"
#include "core/storage.h"
#include "core/time.h"

namespace fabsim {

using HostId = uint32_t;
inline constexpr HostId kNoHost = UINT32_MAX;

// Serialized bytes, shared by every copy of a message in flight.
using Bytes = std::shared_ptr<const std::string>;
inline Bytes make_bytes(std::string s) { return std::make_shared<const std::string>(std::move(s)); }

struct Message {
  uint32_t kind = 0;  // protocol-defined tag
  Bytes payload;      // the serialized message; the network charges its size
  size_t size() const { return payload ? payload->size() : 0; }
};

// Timer ids are unique within one process incarnation and never 0.
using TimerId = uint64_t;

// A component's input queue on its node; lane ids index Process::lanes().
using LaneId = uint32_t;
struct LaneSpec {
  enum class Kind : uint8_t {
    kConcurrent,       // any number of inputs at once, bounded by the node's cores
    kSerial,           // one input at a time, in arrival order
    kSerialPerSender,  // one input at a time per sender, senders concurrent
  };
  std::string name;  // for traces and statistics, e.g. "endorser", "committer"
  Kind kind = Kind::kConcurrent;
};

// Named random streams of one process incarnation: stream `name` is derived from (seed,
// prefix + "/" + name), so draws in one component never shift another's. Streams are made
// on first use and kept for the incarnation.
class NamedRngs {
 public:
  NamedRngs(uint64_t seed, std::string prefix) : seed_(seed), prefix_(std::move(prefix)) {}
  Rng& get(std::string_view name);

 private:
  uint64_t seed_;
  std::string prefix_;
  std::map<std::string, Rng, std::less<>> streams_;
};

struct ClientCall {
  std::string name;
  std::string args;
};

// A part of a handler's work as it ran on the host: a task on a core or a request to the
// disk, or a labelled segment of a serial task (NodeContext::charge with a label). For the
// analysis (phases, utilisation, traces); never hashed into the trace.
struct WorkSpan {
  const char* label = nullptr;  // the static label given when charged; null: unlabelled
  Time start;
  Time end;
  bool disk = false;
};

struct AnalysisEvent {
  std::string name;    // e.g. "flood.delivered"
  int64_t value = 0;   // a number the analysis aggregates (an id, a count, a latency in ns)
  std::string detail;  // free text, e.g. a transaction id; what the trace shows and hashes
  // A typed record, declared next to the component that emits it (e.g.
  // orderer::BlockWrittenEvent), for the analysis to read with std::any_cast instead of
  // parsing `detail`; empty for events that need none. Never hashed into the trace.
  std::any data;
  // Filled by the host when it releases the event (virtual time, not the host's clock): when
  // the input whose handler emitted it reached the host, when the handler ran, and the
  // labelled work of that handler (WorkSpan::label set), in the order it ran. Not hashed.
  Time input_arrived;
  Time handled;
  std::vector<WorkSpan> work;
};

class NodeContext {
 public:
  struct TimerRequest {
    TimerId id;
    Duration after;  // counted from the release of the outputs
    uint64_t tag;
    LaneId lane;     // the lane it fires into: the lane of the input that set it
  };
  // A hand-off to one of the process's own lanes, handled like a message from itself.
  struct Post {
    LaneId lane;
    Message msg;
  };
  // One step of work: `tasks` run on up to `width` cores at once; the step ends when every
  // task has run. A serial step is one task of width 1. A disk step is one task on the
  // host's disk (one queue per host) instead of a core.
  // A labelled part of a serial step's one task (or of a disk step), in charge order.
  struct Segment {
    const char* label;  // null: unlabelled
    Duration d;
  };
  struct CpuStep {
    std::vector<Duration> tasks;
    uint32_t width = 1;
    bool serial = true;  // made by charge(): later charge() calls add to it
    bool disk = false;   // made by charge_disk()
    const char* label = nullptr;    // a parallel step's label (charge_parallel)
    // Serial and disk steps, once one of their charges had a label: every charge's part of
    // the one task, in order (their sum is tasks[0]). Empty otherwise.
    std::vector<Segment> segments;
  };
  struct Send {
    HostId to;
    Message msg;
  };
  struct DurableWrite {
    std::string key;
    std::string value;
    bool erase;
  };
  struct Outputs {
    std::vector<Send> sends;
    std::vector<TimerRequest> timers;
    std::vector<TimerId> cancels;
    std::vector<DurableWrite> writes;
    std::vector<AnalysisEvent> events;
    std::vector<Post> posts;
    std::vector<CpuStep> steps;  // the work, in order; none when cpu and disk are 0
    Duration cpu;                // the sum of every CPU step's tasks
    Duration disk;               // the sum of the disk steps
    bool empty() const {
      return sends.empty() && timers.empty() && cancels.empty() && writes.empty() && events.empty() &&
             posts.empty() && cpu.ns == 0 && disk.ns == 0;
    }
  };

  // `next_timer_id` is the driver's per-incarnation counter; it is advanced by set_timer().
  // `named` serves rng(name); without it every name gets the main stream `rng`. `lane` is
  // the lane the input was routed to.
  NodeContext(HostId self, Time local_now, Rng& rng, DurableStore& store, TimerId& next_timer_id,
              NamedRngs* named = nullptr, LaneId lane = 0)
      : self_(self),
        now_(local_now),
        rng_(&rng),
        named_(named),
        store_(&store),
        next_timer_id_(&next_timer_id),
        lane_(lane) {}

  // ---- inputs -------------------------------------------------------------------------
  HostId self() const { return self_; }
  // The host's local clock: virtual time plus the host's clock offset.
  Time now() const { return now_; }
  Rng& rng() { return *rng_; }
  // The component's own stream (NamedRngs); the main stream when the driver has none.
  Rng& rng(std::string_view name) { return named_ != nullptr ? named_->get(name) : *rng_; }
  // The lane this input runs on.
  LaneId lane() const { return lane_; }
  // Durable state as of now (durable writes of this call are not visible until released).
  const DurableStore& store() const { return *store_; }
  // For components that open LevelDB databases on the host's Env (e.g. the ledger).
  DurableStore& mutable_store() { return *store_; }

  // ---- outputs ------------------------------------------------------------------------
  void send(HostId to, Message msg) { out_.sends.push_back({to, std::move(msg)}); }
  TimerId set_timer(Duration after, uint64_t tag = 0) { return set_timer_on(lane_, after, tag); }
  // A timer that fires into `lane` (a component arming its own timer from another lane's
  // input, e.g. from the start input).
  TimerId set_timer_on(LaneId lane, Duration after, uint64_t tag = 0) {
    const TimerId id = ++*next_timer_id_;
    out_.timers.push_back({id, after, tag, lane});
    return id;
  }
  void cancel_timer(TimerId id) { out_.cancels.push_back(id); }
  void persist(std::string key, std::string value) { out_.writes.push_back({std::move(key), std::move(value), false}); }
  void erase(std::string key) { out_.writes.push_back({std::move(key), {}, true}); }
  void emit(std::string name, int64_t value = 0, std::string detail = {}, std::any data = {}) {
    out_.events.push_back({std::move(name), value, std::move(detail), std::move(data)});
  }
  void post(LaneId lane, Message msg) { out_.posts.push_back({lane, std::move(msg)}); }
  // Serial work after what was charged so far; consecutive charges make one task. A
  // `label` (a static string, e.g. "mvcc") names this part for the analysis (WorkSpan); it
  // changes nothing in how the work runs.
  void charge(Duration cpu, const char* label = nullptr) {
    if (cpu.ns == 0) return;
    if (out_.steps.empty() || !out_.steps.back().serial) out_.steps.push_back({{Duration::zero()}, 1, true});
    add_to_step(out_.steps.back(), cpu, label);
    out_.cpu += cpu;
  }
  // Tasks run on up to `width` (>= 1) cores at once, after the work charged so far; tasks
  // of zero cost are left out.
  void charge_parallel(std::span<const Duration> tasks, uint32_t width, const char* label = nullptr);
  // d of the host's disk (writes and syncs), after the work charged so far: it holds no
  // core, and waits while the disk serves earlier requests.
  void charge_disk(Duration d, const char* label = nullptr) {
    if (d.ns == 0) return;
    if (out_.steps.empty() || !out_.steps.back().disk) out_.steps.push_back({{Duration::zero()}, 1, false, true});
    add_to_step(out_.steps.back(), d, label);
    out_.disk += d;
  }

  // ---- for the driver -----------------------------------------------------------------
  Outputs& outputs() { return out_; }

 private:
  static void add_to_step(CpuStep& step, Duration d, const char* label) {
    if (label != nullptr || !step.segments.empty()) {
      if (step.segments.empty() && step.tasks[0].ns > 0) step.segments.push_back({nullptr, step.tasks[0]});
      step.segments.push_back({label, d});
    }
    step.tasks[0] += d;
  }

  HostId self_;
  Time now_;
  Rng* rng_;
  NamedRngs* named_;
  DurableStore* store_;
  TimerId* next_timer_id_;
  LaneId lane_;
  Outputs out_;
};

class Process {
 public:
  virtual ~Process() = default;
  // The process's lanes (see the header comment), asked once per incarnation; lane 0 gets
  // the start input. The default is one concurrent lane: inputs in arrival order on free
  // cores.
  virtual std::vector<LaneSpec> lanes() const { return {{"main", LaneSpec::Kind::kConcurrent}}; }
  // Which lane a message or a call goes to (an index into lanes()).
  virtual LaneId lane_of_message(HostId /*from*/, const Message& /*msg*/) const { return 0; }
  virtual LaneId lane_of_call(const ClientCall& /*call*/) const { return 0; }
  // Called first in every incarnation (at boot and after each restart).
  virtual void on_start(NodeContext& ctx) {}
  virtual void on_message(NodeContext& ctx, HostId from, const Message& msg) = 0;
  virtual void on_timer(NodeContext& ctx, TimerId id, uint64_t tag) {}
  virtual void on_call(NodeContext& ctx, const ClientCall& call) {}
};

// Builds a fresh process for a host, at boot and at every restart. It may read the
// host's durable store to recover state; volatile state starts empty.
using ProcessFactory = std::function<std::unique_ptr<Process>(HostId self, const DurableStore& store)>;

}  // namespace fabsim
