// ScriptedWorld: a small World for kernel tests (network, host, fault rules).
//
// Every host with a process runs a ScriptedProcess: it appends each input it is handed —
// its start, a message, a timer, a client call — with ctx.now() to a log the test owns,
// then runs the test's reaction, which may send, set or cancel timers, persist, emit and
// charge CPU like any process. Tests compute the expected virtual times by hand from the
// kernel's rules and compare them with the log.
//
// Ownership: the ScriptedWorld owns the World and the log; processes point at the log, so
// the log is declared first and outlives them. Not movable (processes capture `this`).
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/node.h"
#include "core/time.h"
#include "sim/network.h"
#include "sim/trace.h"
#include "sim/world.h"

namespace fabsim::kerneltest {

constexpr Duration ns(int64_t n) { return Duration::nanos(n); }
constexpr Duration us(int64_t n) { return Duration::micros(n); }
constexpr Duration ms(int64_t n) { return Duration::millis(n); }
// A point in virtual time, counted from the start of the run.
constexpr Time at(Duration d) { return Time::zero() + d; }

// One input as a process saw it.
struct Seen {
  Time at;           // ctx.now(): the host's local clock (virtual time + clock offset)
  HostId host;
  std::string what;  // "start", "msg <label>", "timer <tag>", "call <name>"
  bool operator==(const Seen&) const = default;
};
inline void PrintTo(const Seen& s, std::ostream* os) {
  *os << "{" << format_time(s.at) << ", h" << s.host << ", \"" << s.what << "\"}";
}

// The test's script for a process: called after the input is logged.
using React = std::function<void(NodeContext& ctx, const Seen& input)>;

// A message of exactly `bytes` bytes (at least the label) whose payload starts with `label`;
// the rest is padding after a space, so the label reads back unchanged.
inline Message labelled(const std::string& label, size_t bytes = 0, uint32_t kind = 1) {
  std::string payload = label;
  if (payload.size() < bytes) payload.append(bytes - payload.size(), ' ');
  return Message{kind, make_bytes(std::move(payload))};
}
inline std::string label_of(const Message& m) {
  if (!m.payload) return {};
  return m.payload->substr(0, m.payload->find(' '));
}

class ScriptedProcess : public Process {
 public:
  ScriptedProcess(std::vector<Seen>* log, React react) : log_(log), react_(std::move(react)) {}
  void on_start(NodeContext& ctx) override { input(ctx, "start"); }
  void on_message(NodeContext& ctx, HostId from, const Message& msg) override { input(ctx, "msg " + label_of(msg)); }
  void on_timer(NodeContext& ctx, TimerId id, uint64_t tag) override { input(ctx, "timer " + std::to_string(tag)); }
  void on_call(NodeContext& ctx, const ClientCall& call) override { input(ctx, "call " + call.name); }

 private:
  void input(NodeContext& ctx, std::string what) {
    const Seen s{ctx.now(), ctx.self(), std::move(what)};
    log_->push_back(s);
    if (react_) react_(ctx, s);
  }
  std::vector<Seen>* log_;
  React react_;
};

class ScriptedWorld {
 public:
  explicit ScriptedWorld(uint64_t seed = 1) : world(seed) {}
  ScriptedWorld(const ScriptedWorld&) = delete;
  ScriptedWorld& operator=(const ScriptedWorld&) = delete;

  std::vector<Seen> log;  // before `world`: processes write to it until they are destroyed
  World world;

  ProcessFactory factory(React react) {
    return [this, react](HostId, const DurableStore&) { return std::make_unique<ScriptedProcess>(&log, react); };
  }
  HostId host(const std::string& name, React react = {}, uint32_t cores = 1) {
    return world.add_host(name, cores, factory(std::move(react)));
  }
  // A host that only forwards (null factory).
  HostId router(const std::string& name) { return world.add_host(name, 1, nullptr); }
  LinkId link(HostId a, HostId b, const LinkParams& p) { return world.add_link(a, b, p); }

  // Hands a message straight to the network at time t, with no host CPU in between.
  void send_at(Time t, HostId from, HostId to, const std::string& label, size_t bytes = 0) {
    world.sim().at(t, [this, from, to, label, bytes] { world.net().send(from, to, labelled(label, bytes)); });
  }
  void call_at(Time t, HostId h, const std::string& name) { world.call_at(t, h, ClientCall{name, {}}); }

  // Boots the hosts on the first call, then runs every event up to t.
  void run_until(Time t) {
    if (!started_) world.start();
    started_ = true;
    world.run_until(t);
  }
  void run() { run_until(Time::max()); }

  // The inputs of one kind ("start", "msg", "timer", "call") host h handled, in order.
  std::vector<Seen> seen(HostId h, std::string_view kind) const {
    std::vector<Seen> out;
    for (const Seen& s : log) {
      if (s.host == h && s.what.size() >= kind.size() && std::string_view(s.what).substr(0, kind.size()) == kind &&
          (s.what.size() == kind.size() || s.what[kind.size()] == ' ')) {
        out.push_back(s);
      }
    }
    return out;
  }
  // Every input except starts, of every host, in handling order.
  std::vector<Seen> inputs() const {
    std::vector<Seen> out;
    for (const Seen& s : log)
      if (s.what != "start") out.push_back(s);
    return out;
  }
  // The labels of the messages host h handled, in order.
  std::vector<std::string> labels(HostId h) const {
    std::vector<std::string> out;
    for (const Seen& s : seen(h, "msg")) out.push_back(s.what.substr(4));
    return out;
  }

 private:
  bool started_ = false;
};

// Captures the trace as text lines (leading padding trimmed) while it is alive. Declare
// it after the ScriptedWorld so it detaches first.
class TraceLines {
 public:
  explicit TraceLines(Trace& trace) : trace_(trace) {
    file_ = open_memstream(&buf_, &len_);
    trace_.write_lines_to(file_);
  }
  ~TraceLines() {
    trace_.write_lines_to(nullptr);
    std::fclose(file_);
    std::free(buf_);
  }
  TraceLines(const TraceLines&) = delete;
  TraceLines& operator=(const TraceLines&) = delete;

  std::vector<std::string> lines() {
    std::fflush(file_);
    std::vector<std::string> out;
    const std::string text(buf_, len_);
    size_t pos = 0;
    while (pos < text.size()) {
      size_t end = text.find('\n', pos);
      if (end == std::string::npos) end = text.size();
      std::string line = text.substr(pos, end - pos);
      line.erase(0, line.find_first_not_of(' '));
      out.push_back(std::move(line));
      pos = end + 1;
    }
    return out;
  }
  // Index of the first line containing `needle`, if any.
  std::optional<size_t> find(std::string_view needle) {
    const auto all = lines();
    for (size_t i = 0; i < all.size(); ++i)
      if (all[i].find(needle) != std::string::npos) return i;
    return std::nullopt;
  }

 private:
  Trace& trace_;
  std::FILE* file_ = nullptr;
  char* buf_ = nullptr;
  size_t len_ = 0;
};

}  // namespace fabsim::kerneltest
