// Interaction: a multi-node sans-IO harness for protocol tests across components, in the
// spirit of etcd raft's interaction tests (rafttest/interaction_env*.go): the test holds the
// network in its hands. Processes (core/node.h) are driven directly — no kernel, no CPU
// queueing, no link delays — and every message a process sends waits in one pending list
// until the test delivers it, drops it, or cuts its sender or receiver off:
//
//   call(h, c)        a client call, handled at once
//   deliver(h)        the messages pending for h, in the order they were sent
//   stabilize()       deliver every pending message, oldest first, until none is left
//   drop(a, b)        forget the messages pending from a to b
//   isolate(h)/heal() messages to or from h are dropped as they are sent, until healed
//   advance(d)        move the clock; the timers that fall due fire in deadline order
//   crash(h)/restart(h)  volatile state and the messages pending for h are lost; a new
//                     process is built from the node's factory on its durable store
//
// Outputs are applied when the handler returns (persist, then timers, then posts and sends,
// then events — the kernel's release order); a timer's deadline counts the handler's CPU
// and disk work, as the kernel does (with no queueing). Every handled input and what it produced is appended to a
// transcript, one readable line each, for tests to compare with a golden file
// (expect_transcript; FABSIM_REWRITE=1 rewrites the file for review instead).
//
// Determinism: one seed; each node's streams are derived from (seed, name, incarnation) as
// the kernel's are. Ownership: owns the processes and their durable stores; the factories
// may borrow objects (MSPs, identities) that must outlive the harness.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <deque>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/assert.h"
#include "core/node.h"
#include "core/random.h"
#include "core/storage.h"
#include "core/time.h"
#include "tests/harness/golden.h"

namespace fabsim::harness {

class Interaction {
 public:
  // A short text for a message in the transcript (its kind and what matters of it).
  using Describe = std::function<std::string(const Message&)>;
  static constexpr size_t kStabilizeStepsMax = 100'000;

  Interaction(uint64_t seed, Describe describe) : seed_(seed), describe_(std::move(describe)) {}

  // Adds a node and starts its first incarnation (on_start).
  void add(HostId id, std::string name, ProcessFactory factory) {
    FABSIM_ASSERT(!nodes_.contains(id));
    Node& n = nodes_[id];
    n.name = std::move(name);
    n.factory = std::move(factory);
    n.store = std::make_unique<DurableStore>();
    boot(id);
  }

  Time now() const { return now_; }
  Process* process(HostId h) { return nodes_.at(h).process.get(); }

  void call(HostId h, const ClientCall& c) {
    line(fmt::format("> call {} {}", name(h), c.name));
    handle(h, nodes_.at(h).process->lane_of_call(c), [&](NodeContext& ctx, Process& p) { p.on_call(ctx, c); });
  }

  // Delivers the messages pending for h (those pending now), in send order; returns how many.
  size_t deliver(HostId to) {
    std::vector<Pending> mine;
    for (auto it = pending_.begin(); it != pending_.end();) {
      if (it->to == to) {
        mine.push_back(std::move(*it));
        it = pending_.erase(it);
      } else {
        ++it;
      }
    }
    for (Pending& m : mine) deliver_one(m);
    return mine.size();
  }

  // Delivers pending messages, oldest first, until none is left; returns how many.
  size_t stabilize() {
    size_t steps = 0;
    while (!pending_.empty()) {
      FABSIM_ASSERT_MSG(++steps <= kStabilizeStepsMax, "the nodes keep talking: no stable state");
      Pending m = std::move(pending_.front());
      pending_.pop_front();
      deliver_one(m);
    }
    return steps;
  }

  void drop(HostId from, HostId to) {
    size_t n = 0;
    for (auto it = pending_.begin(); it != pending_.end();) {
      if (it->from == from && it->to == to) {
        it = pending_.erase(it);
        ++n;
      } else {
        ++it;
      }
    }
    line(fmt::format("> drop {} -> {}: {} message(s)", name(from), name(to), n));
  }

  void isolate(HostId h) {
    isolated_[h] = true;
    line(fmt::format("> isolate {}", name(h)));
  }
  void heal(HostId h) {
    isolated_.erase(h);
    line(fmt::format("> heal {}", name(h)));
  }

  // Moves the clock by d; timers due by then fire in (deadline, node, id) order.
  void advance(Duration d) {
    const Time until = now_ + d;
    line(fmt::format("> advance {} (to {})", format_duration(d), format_time(until)));
    for (;;) {
      HostId who = kNoHost;
      TimerId id = 0;
      Time when = Time::max();
      for (auto& [h, n] : nodes_)
        for (auto& [t, timer] : n.timers)
          if (timer.deadline < when) {
            when = timer.deadline;
            who = h;
            id = t;
          }
      if (who == kNoHost || when > until) break;
      now_ = when;
      const Timer timer = nodes_[who].timers[id];
      nodes_[who].timers.erase(id);
      line(fmt::format("{} timer tag={} fires at {}", name(who), timer.tag, format_time(now_)));
      handle(who, timer.lane, [&](NodeContext& ctx, Process& p) { p.on_timer(ctx, id, timer.tag); });
    }
    now_ = until;
  }

  void crash(HostId h) {
    Node& n = nodes_.at(h);
    n.process.reset();
    n.timers.clear();
    for (auto it = pending_.begin(); it != pending_.end();) it = it->to == h ? pending_.erase(it) : std::next(it);
    line(fmt::format("> crash {}", n.name));
  }
  void restart(HostId h) {
    line(fmt::format("> restart {}", name(h)));
    boot(h);
  }

  // The analysis events emitted so far, in order.
  const std::vector<std::pair<HostId, AnalysisEvent>>& events() const { return events_; }
  const std::vector<std::string>& transcript() const { return transcript_; }

  // Compares the transcript with the golden file `path`, or rewrites the file when the
  // environment has FABSIM_REWRITE=1.
  void expect_transcript(const std::string& path) const { expect_golden(transcript_, path); }

 private:
  struct Timer {
    Time deadline;
    uint64_t tag = 0;
    LaneId lane = 0;  // the lane it fires into (core/node.h)
  };
  struct Node {
    std::string name;
    ProcessFactory factory;
    std::unique_ptr<DurableStore> store;  // before the process: it holds databases on the store's Env
    std::unique_ptr<Process> process;
    std::unique_ptr<Rng> rng;
    std::unique_ptr<NamedRngs> named;
    uint32_t incarnation = 0;
    TimerId next_timer_id = 0;
    std::map<TimerId, Timer> timers;
  };
  struct Pending {
    HostId from;
    HostId to;
    Message msg;
    std::optional<LaneId> lane;  // a post names its lane; a message is routed on delivery
  };

  std::string name(HostId h) const {
    auto it = nodes_.find(h);
    return it == nodes_.end() ? fmt::format("host{}", h) : it->second.name;
  }
  void line(std::string l) { transcript_.push_back(std::move(l)); }

  void boot(HostId h) {
    Node& n = nodes_.at(h);
    ++n.incarnation;
    n.next_timer_id = 0;
    const std::string stream = fmt::format("proc/{}/{}", n.name, n.incarnation);
    n.rng = std::make_unique<Rng>(Rng::stream(seed_, stream));
    n.named = std::make_unique<NamedRngs>(seed_, stream);
    n.process = n.factory(h, *n.store);
    line(fmt::format("{} starts (incarnation {})", n.name, n.incarnation));
    handle(h, 0, [&](NodeContext& ctx, Process& p) { p.on_start(ctx); });
  }

  void deliver_one(Pending& m) {
    Node& n = nodes_.at(m.to);
    if (!n.process) {
      line(fmt::format("{} is down: {} from {} dropped", n.name, describe_(m.msg), name(m.from)));
      return;
    }
    line(fmt::format("{} <- {} {}", n.name, name(m.from), describe_(m.msg)));
    // Routed as the kernel routes it (Process::lane_of_message), so lane-aware processes
    // (several channels) see the lane their input belongs to.
    const LaneId lane = m.lane ? *m.lane : n.process->lane_of_message(m.from, m.msg);
    handle(m.to, lane, [&](NodeContext& ctx, Process& p) { p.on_message(ctx, m.from, m.msg); });
  }

  template <typename F>
  void handle(HostId h, LaneId lane, F&& f) {
    Node& n = nodes_.at(h);
    FABSIM_ASSERT(n.process != nullptr);
    NodeContext ctx(h, now_, *n.rng, *n.store, n.next_timer_id, n.named.get(), lane);
    f(ctx, *n.process);
    NodeContext::Outputs& out = ctx.outputs();
    for (TimerId id : out.cancels) n.timers.erase(id);
    for (auto& w : out.writes) {
      if (w.erase) {
        n.store->erase(w.key);
      } else {
        n.store->put(w.key, std::move(w.value));
      }
    }
    for (const auto& t : out.timers) {
      n.timers[t.id] = Timer{now_ + out.cpu + out.disk + t.after, t.tag, t.lane};
      line(fmt::format("  {} sets timer tag={} for {}", n.name, t.tag, format_time(now_ + out.cpu + out.disk + t.after)));
    }
    for (auto& p : out.posts) send(h, h, std::move(p.msg), p.lane);
    for (auto& s : out.sends) send(h, s.to, std::move(s.msg));
    for (auto& e : out.events) {
      line(fmt::format("  {} event {} {} {}", n.name, e.name, e.value, e.detail));
      events_.emplace_back(h, std::move(e));
    }
  }

  void send(HostId from, HostId to, Message msg, std::optional<LaneId> lane = std::nullopt) {
    if (isolated_.contains(from) || isolated_.contains(to)) {
      line(fmt::format("  {} -> {} {} (lost: isolated)", name(from), name(to), describe_(msg)));
      return;
    }
    line(fmt::format("  {} -> {} {}", name(from), name(to), describe_(msg)));
    pending_.push_back({from, to, std::move(msg), lane});
  }

  uint64_t seed_;
  Describe describe_;
  Time now_ = Time::zero();
  std::map<HostId, Node> nodes_;
  std::map<HostId, bool> isolated_;
  std::deque<Pending> pending_;
  std::vector<std::pair<HostId, AnalysisEvent>> events_;
  std::vector<std::string> transcript_;
};

}  // namespace fabsim::harness
