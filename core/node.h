// The node interface: how a protocol state machine (a "process") meets the world.
//
// A process is handed one input at a time — a delivered message, a timer that fired, a
// client call, or its start — through a NodeContext. It reads local time, its random
// stream and its durable store from the context, and answers through the same context
// with outputs: messages to send, timers to set or cancel, durable writes, analysis
// events, and the virtual CPU time the work cost. It never reads a clock, a socket, a
// file or a global random generator. The driver (sim/Host in the simulator, or a test)
// decides when outputs take effect:
//   - cancel_timer() takes effect at once: a cancelled timer never fires afterwards;
//   - everything else is released when the charged CPU time has elapsed, in this order:
//     durable writes, then timers, then messages, then analysis events.
// This lets the same code run under the simulator and in plain unit tests.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
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

struct ClientCall {
  std::string name;
  std::string args;
};

struct AnalysisEvent {
  std::string name;    // e.g. "flood.delivered"
  int64_t value = 0;   // a number the analysis aggregates (an id, a count, a latency in ns)
  std::string detail;  // free text, e.g. a transaction id
};

class NodeContext {
 public:
  struct TimerRequest {
    TimerId id;
    Duration after;  // counted from the release of the outputs
    uint64_t tag;
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
    Duration cpu;
    bool empty() const {
      return sends.empty() && timers.empty() && cancels.empty() && writes.empty() && events.empty() && cpu.ns == 0;
    }
  };

  // `next_timer_id` is the driver's per-incarnation counter; it is advanced by set_timer().
  NodeContext(HostId self, Time local_now, Rng& rng, DurableStore& store, TimerId& next_timer_id)
      : self_(self), now_(local_now), rng_(&rng), store_(&store), next_timer_id_(&next_timer_id) {}

  // ---- inputs -------------------------------------------------------------------------
  HostId self() const { return self_; }
  // The host's local clock: virtual time plus the host's clock offset.
  Time now() const { return now_; }
  Rng& rng() { return *rng_; }
  // Durable state as of now (durable writes of this call are not visible until released).
  const DurableStore& store() const { return *store_; }
  // For components that open LevelDB databases on the host's Env (e.g. the ledger).
  DurableStore& mutable_store() { return *store_; }

  // ---- outputs ------------------------------------------------------------------------
  void send(HostId to, Message msg) { out_.sends.push_back({to, std::move(msg)}); }
  TimerId set_timer(Duration after, uint64_t tag = 0) {
    const TimerId id = ++*next_timer_id_;
    out_.timers.push_back({id, after, tag});
    return id;
  }
  void cancel_timer(TimerId id) { out_.cancels.push_back(id); }
  void persist(std::string key, std::string value) { out_.writes.push_back({std::move(key), std::move(value), false}); }
  void erase(std::string key) { out_.writes.push_back({std::move(key), {}, true}); }
  void emit(std::string name, int64_t value = 0, std::string detail = {}) {
    out_.events.push_back({std::move(name), value, std::move(detail)});
  }
  void charge(Duration cpu) { out_.cpu += cpu; }

  // ---- for the driver -----------------------------------------------------------------
  Outputs& outputs() { return out_; }

 private:
  HostId self_;
  Time now_;
  Rng* rng_;
  DurableStore* store_;
  TimerId* next_timer_id_;
  Outputs out_;
};

class Process {
 public:
  virtual ~Process() = default;
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
