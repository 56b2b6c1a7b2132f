// Rpc: the request/response bookkeeping a Kafka process (broker, producer, consumer) keeps
// for what it asked other hosts, and the one-shot callbacks of its timers. Components
// register a callback and get it run once: with the response, or with nullptr when the
// request timed out (Kafka's request.timeout.ms / replica.socket.timeout.ms: a lost
// request or response surfaces only as a timeout, as on a TCP connection that stalls).
//
// Timers: after(ctx, d, fn) runs fn once after d unless cancel(ctx, id) comes first.
// Every timer is set with `tag`, so the owner routes its timers here by tag.
//
// Ownership: owns the callbacks; single-threaded; volatile (a crash forgets everything).
#pragma once

#include <cstdint>
#include <functional>
#include <map>

#include "core/node.h"

namespace fabsim::kafka {

class Rpc {
 public:
  using Callback = std::function<void(NodeContext&, const Message*)>;
  using TimerFn = std::function<void(NodeContext&)>;

  // Correlation ids start at `first_correlation`, so that owners sharing a host keep
  // disjoint ranges (an orderer's channels: the range tells which lane a response is for).
  explicit Rpc(uint64_t tag, int64_t first_correlation = 1) : tag_(tag), next_correlation_(first_correlation) {}

  // Sends `msg` (its payload's field 1 is `correlation`, from next_correlation()).
  void call(NodeContext& ctx, HostId to, Message msg, int64_t correlation, Duration timeout, Callback cb);
  int64_t next_correlation() { return next_correlation_++; }
  // Hands a response to its callback; false when nobody waits for it (late or unknown).
  bool on_response(NodeContext& ctx, const Message& msg);
  // Forgets a request: its callback never runs.
  void abandon(NodeContext& ctx, int64_t correlation);

  TimerId after(NodeContext& ctx, Duration d, TimerFn fn);
  void cancel(NodeContext& ctx, TimerId& id);
  // Runs a timer this Rpc set; false when the tag is not ours or the timer was cancelled.
  bool on_timer(NodeContext& ctx, TimerId id, uint64_t tag);

 private:
  struct Waiting {
    Callback callback;
    TimerId timer = 0;
  };
  uint64_t tag_;
  int64_t next_correlation_;
  std::map<int64_t, Waiting> waiting_;
  std::map<TimerId, TimerFn> timers_;
};

}  // namespace fabsim::kafka
