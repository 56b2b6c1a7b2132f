// Host rules (sim/host.h, core/node.h): cores and queueing, release of outputs after the
// charged CPU time, timer cancellation, crash and restart, pause and resume, clock offset,
// persist-before-send. Every expected time below is computed by hand from those rules.
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/host.h"
#include "tests/sim/scripted_world.h"

namespace fabsim::kerneltest {
namespace {

LinkParams latency_link(Duration latency) {
  LinkParams p;
  p.latency = latency;
  return p;
}

struct Emitted {
  Time at;
  HostId host;
  std::string name;
  bool operator==(const Emitted&) const = default;
};

TEST(Host, SimultaneousInputsWaitForAFreeCore) {
  // Three calls arrive at 5 ms; each charges 10 ms. A core stays busy until its release.
  struct Case {
    const char* name;
    uint32_t cores;
    std::vector<Time> handled;
    Duration queue_wait;
  };
  const Case cases[] = {
      {"OneCoreHandlesThemInTurn", 1, {at(ms(5)), at(ms(15)), at(ms(25))}, ms(30)},
      {"TwoCoresStartTwoAtOnce", 2, {at(ms(5)), at(ms(5)), at(ms(15))}, ms(10)},
      {"ThreeCoresStartAllAtOnce", 3, {at(ms(5)), at(ms(5)), at(ms(5))}, ms(0)},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ScriptedWorld w;
    const HostId h = w.host(
        "h", [](NodeContext& ctx, const Seen& in) { if (in.what != "start") ctx.charge(ms(10)); }, c.cores);
    for (int i = 0; i < 3; ++i) w.call_at(at(ms(5)), h, "c" + std::to_string(i));
    w.run();
    std::vector<Seen> expected;
    for (int i = 0; i < 3; ++i) expected.push_back({c.handled[i], h, "call c" + std::to_string(i)});
    EXPECT_EQ(w.seen(h, "call"), expected);
    EXPECT_EQ(w.world.host(h).stats().queue_wait, c.queue_wait);
  }
}

TEST(Host, OutputsAreReleasedWhenTheChargedCpuHasElapsed) {
  // A call at 1 ms charges 4 ms and sends over a 0-latency link, persists, emits and sets a
  // timer: nothing is visible at 5 ms - 1 ns, everything at 5 ms.
  ScriptedWorld w;
  std::vector<Emitted> emitted;
  w.world.set_event_sink([&](Time t, HostId h, const AnalysisEvent& e) { emitted.push_back({t, h, e.name}); });
  HostId b = 1;
  const HostId a = w.host("a", [&](NodeContext& ctx, const Seen& in) {
    if (in.what != "call go") return;
    ctx.charge(ms(4));
    ctx.send(b, labelled("m"));
    ctx.persist("k", "v");
    ctx.emit("e");
    ctx.set_timer(ms(1), 3);
  });
  b = w.host("b");
  w.link(a, b, latency_link(ms(0)));
  w.call_at(at(ms(1)), a, "go");

  w.run_until(at(ms(5)) - ns(1));
  EXPECT_TRUE(w.seen(b, "msg").empty());
  EXPECT_EQ(w.world.host(a).store().get("k"), std::nullopt);
  EXPECT_TRUE(emitted.empty());
  EXPECT_EQ(w.world.net().stats().sent, 0u);

  w.run_until(at(ms(5)));
  EXPECT_EQ(w.seen(b, "msg"), (std::vector<Seen>{{at(ms(5)), b, "msg m"}}));
  EXPECT_EQ(w.world.host(a).store().get("k"), "v");
  EXPECT_EQ(emitted, (std::vector<Emitted>{{at(ms(5)), a, "e"}}));
  EXPECT_TRUE(w.seen(a, "timer").empty());
}

TEST(Host, OutputsAreReleasedAsWritesThenTimersThenMessagesThenEvents) {
  // The handler asks in the opposite order; at the 2 ms release the trace shows the write,
  // the send, then the event, and the 0 ms timer (armed before the message to self left)
  // is handled before that message.
  ScriptedWorld w;
  TraceLines trace(w.world.trace());
  const HostId a = w.host("a", [](NodeContext& ctx, const Seen& in) {
    if (in.what != "call go") return;
    ctx.charge(ms(1));
    ctx.emit("e");
    ctx.send(ctx.self(), labelled("m"));
    ctx.set_timer(ms(0), 5);
    ctx.persist("k", "v");
  });
  w.call_at(at(ms(1)), a, "go");
  w.run();
  EXPECT_EQ(w.inputs(), (std::vector<Seen>{{at(ms(1)), a, "call go"}, {at(ms(2)), a, "timer 5"}, {at(ms(2)), a, "msg m"}}));
  const auto persist_line = trace.find("2ms a persist put key=k");
  const auto send_line = trace.find("2ms a send to=a");
  const auto emit_line = trace.find("2ms a emit e");
  ASSERT_TRUE(persist_line && send_line && emit_line);
  EXPECT_LT(*persist_line, *send_line);
  EXPECT_LT(*send_line, *emit_line);
}

TEST(Host, TimerFiresAfterItsDelayCountedFromReleaseWithItsTag) {
  // A call at 1 ms charges `cpu` and sets a timer `after` with `tag`.
  struct Case {
    const char* name;
    Duration cpu;
    Duration after;
    uint64_t tag;
    Time fires;
  };
  const Case cases[] = {
      {"NoCpu", ms(0), ms(3), 7, at(ms(4))},
      {"CountedFromRelease", ms(2), ms(3), 8, at(ms(6))},
      {"ZeroDelayFiresAtRelease", ms(2), ms(0), 9, at(ms(3))},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ScriptedWorld w;
    const HostId a = w.host("a", [&](NodeContext& ctx, const Seen& in) {
      if (in.what != "call go") return;
      ctx.charge(c.cpu);
      ctx.set_timer(c.after, c.tag);
    });
    w.call_at(at(ms(1)), a, "go");
    w.run();
    EXPECT_EQ(w.seen(a, "timer"), (std::vector<Seen>{{c.fires, a, "timer " + std::to_string(c.tag)}}));
  }
}

TEST(Host, CancelledTimerNeverReachesTheProcess) {
  // Calls drive the script:
  //   set        sets timer tag 2 (5 ms), remembered for "cancel"
  //   keep       sets timer tag 1 (5 ms), never cancelled: the control
  //   cancel     cancels the remembered timer
  //   set-cancel sets timer tag 2 (1 ms) and cancels it in the same handler, charging 2 ms
  //   busy       charges 10 ms
  //   slow-set   sets timer tag 2 (1 ms), remembered for "cancel", charging 10 ms
  struct Call {
    Time t;
    const char* name;
  };
  struct Case {
    const char* name;
    std::vector<Call> calls;
    std::vector<Seen> expected;  // calls and timers handled (host 0)
    uint32_t cores = 1;
  };
  const Case cases[] = {
      {"UncancelledTimerFires", {{at(ms(1)), "set"}}, {{at(ms(1)), 0, "call set"}, {at(ms(6)), 0, "timer 2"}}},
      {"CancelledBeforeItFires",
       {{at(ms(1)), "set"}, {at(ms(1)), "keep"}, {at(ms(3)), "cancel"}},
       {{at(ms(1)), 0, "call set"}, {at(ms(1)), 0, "call keep"}, {at(ms(3)), 0, "call cancel"},
        {at(ms(6)), 0, "timer 1"}}},
      {"SetAndCancelledInTheSameHandler",
       {{at(ms(1)), "set-cancel"}, {at(ms(1)), "keep"}},
       {{at(ms(1)), 0, "call set-cancel"}, {at(ms(3)), 0, "call keep"}, {at(ms(8)), 0, "timer 1"}}},
      // Both timers fire at 6 ms while the core is busy (2..12 ms) and queue behind
      // "cancel" (queued at 4 ms); "cancel" runs at 12 ms and removes timer 2 from the queue.
      {"FiredAndQueuedBehindABusyCore",
       {{at(ms(1)), "set"}, {at(ms(1)), "keep"}, {at(ms(2)), "busy"}, {at(ms(4)), "cancel"}},
       {{at(ms(1)), 0, "call set"}, {at(ms(1)), 0, "call keep"}, {at(ms(2)), 0, "call busy"},
        {at(ms(12)), 0, "call cancel"}, {at(ms(12)), 0, "timer 1"}}},
      // Two cores: "slow-set" holds its timer until its release at 11 ms; "cancel" runs on
      // the other core at 2 ms, before the timer is even armed.
      {"SetOnAnotherCoreAndNotYetReleased",
       {{at(ms(1)), "slow-set"}, {at(ms(2)), "cancel"}, {at(ms(2)), "keep"}},
       {{at(ms(1)), 0, "call slow-set"}, {at(ms(2)), 0, "call cancel"}, {at(ms(2)), 0, "call keep"},
        {at(ms(7)), 0, "timer 1"}},
       2},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ScriptedWorld w;
    TimerId remembered = 0;
    const HostId a = w.host("a", [&](NodeContext& ctx, const Seen& in) {
      if (in.what == "call set") {
        remembered = ctx.set_timer(ms(5), 2);
      } else if (in.what == "call keep") {
        ctx.set_timer(ms(5), 1);
      } else if (in.what == "call cancel") {
        ctx.cancel_timer(remembered);
      } else if (in.what == "call set-cancel") {
        ctx.cancel_timer(ctx.set_timer(ms(1), 2));
        ctx.charge(ms(2));
      } else if (in.what == "call busy") {
        ctx.charge(ms(10));
      } else if (in.what == "call slow-set") {
        remembered = ctx.set_timer(ms(1), 2);
        ctx.charge(ms(10));
      }
    }, c.cores);
    ASSERT_EQ(a, 0u);
    for (const Call& call : c.calls) w.call_at(call.t, a, call.name);
    w.run();
    EXPECT_EQ(w.inputs(), c.expected);
  }
}

TEST(Host, CrashDestroysTheProcessAndItsTimers) {
  // The process sets a 10 ms timer at each start; the host crashes at 5 ms.
  struct Case {
    const char* name;
    std::optional<Time> restart;
    std::vector<Seen> expected;
  };
  const Case cases[] = {
      {"StaysDown", std::nullopt, {{at(ms(0)), 0, "start"}}},
      {"RestartedTimerIsTheNewOne",
       at(ms(6)),
       {{at(ms(0)), 0, "start"}, {at(ms(6)), 0, "start"}, {at(ms(16)), 0, "timer 1"}}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ScriptedWorld w;
    const HostId a = w.host("a", [](NodeContext& ctx, const Seen& in) {
      if (in.what == "start") ctx.set_timer(ms(10), 1);
    });
    w.world.fault_at(at(ms(5)), Fault::crash(a));
    if (c.restart) w.world.fault_at(*c.restart, Fault::restart(a));
    w.run_until(at(ms(5)));
    EXPECT_FALSE(w.world.host(a).up());
    EXPECT_EQ(w.world.host(a).process(), nullptr);
    w.run();
    EXPECT_EQ(w.log, c.expected);
  }
}

TEST(Host, MessagesArrivingWhileDownAreDropped) {
  // b crashes at 5 ms; a message sent at 10 ms reaches b at 11 ms and is dropped there.
  ScriptedWorld w;
  TraceLines trace(w.world.trace());
  const HostId a = w.host("a");
  const HostId b = w.host("b");
  w.link(a, b, latency_link(ms(1)));
  w.world.fault_at(at(ms(5)), Fault::crash(b));
  w.send_at(at(ms(10)), a, b, "m");
  w.run();
  EXPECT_TRUE(w.seen(b, "msg").empty());
  EXPECT_EQ(w.world.host(b).stats().inputs_dropped, 1u);
  EXPECT_TRUE(trace.find("11ms b drop reason=host-down from=a kind=1").has_value());
}

TEST(Host, OutputsNotReleasedAtCrashAreLost) {
  // A call at 0 charges 10 ms, then sends, persists, emits and sets a timer; the host
  // crashes at 5 ms, before the release.
  struct Case {
    const char* name;
    std::optional<Time> restart;
  };
  const Case cases[] = {{"StaysDown", std::nullopt}, {"RestartedBeforeTheOldRelease", at(ms(7))}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ScriptedWorld w;
    std::vector<Emitted> emitted;
    w.world.set_event_sink([&](Time t, HostId h, const AnalysisEvent& e) { emitted.push_back({t, h, e.name}); });
    HostId b = 1;
    const HostId a = w.host("a", [&](NodeContext& ctx, const Seen& in) {
      if (in.what != "call go") return;
      ctx.charge(ms(10));
      ctx.send(b, labelled("m"));
      ctx.persist("k", "v");
      ctx.emit("e");
      ctx.set_timer(ms(1), 1);
    });
    b = w.host("b");
    w.link(a, b, latency_link(ms(1)));
    w.call_at(at(ms(0)), a, "go");
    w.world.fault_at(at(ms(5)), Fault::crash(a));
    if (c.restart) w.world.fault_at(*c.restart, Fault::restart(a));
    w.run();
    EXPECT_TRUE(w.seen(b, "msg").empty());
    EXPECT_TRUE(w.seen(a, "timer").empty());
    EXPECT_EQ(w.world.host(a).store().get("k"), std::nullopt);
    EXPECT_TRUE(emitted.empty());
    EXPECT_EQ(w.world.net().stats().sent, 0u);
  }
}

TEST(Host, DurableWritesReleasedBeforeACrashSurviveIt) {
  // "write" at 1 ms persists k=v (released at 2 ms); crash at 5 ms, restart at 6 ms.
  ScriptedWorld w;
  const HostId a = w.host("a", [](NodeContext& ctx, const Seen& in) {
    if (in.what == "call write") {
      ctx.charge(ms(1));
      ctx.persist("k", "v");
    } else if (in.what == "start") {
      ctx.emit("seen-k", 0, ctx.store().get("k").value_or("<none>"));
    }
  });
  std::vector<std::string> seen_at_start;
  w.world.set_event_sink([&](Time, HostId, const AnalysisEvent& e) { seen_at_start.push_back(e.detail); });
  w.call_at(at(ms(1)), a, "write");
  w.world.fault_at(at(ms(5)), Fault::crash(a));
  w.world.fault_at(at(ms(6)), Fault::restart(a));
  w.run();
  EXPECT_EQ(w.world.host(a).store().get("k"), "v");
  EXPECT_EQ(seen_at_start, (std::vector<std::string>{"<none>", "v"}));
}

TEST(Host, RestartBuildsANewIncarnationFromTheDurableStore) {
  // The factory sees the durable store; the new process gets a start input; the
  // incarnation counts up. k=v is persisted at boot, the crash is at 5 ms, restart at 6 ms.
  ScriptedWorld w;
  std::vector<std::optional<std::string>> factory_saw;
  const HostId a = w.world.add_host("a", 1, [&](HostId, const DurableStore& store) -> std::unique_ptr<Process> {
    factory_saw.push_back(store.get("k"));
    return std::make_unique<ScriptedProcess>(&w.log, [](NodeContext& ctx, const Seen& in) {
      if (in.what == "start") ctx.persist("k", "v");
    });
  });
  w.world.fault_at(at(ms(5)), Fault::crash(a));
  w.world.fault_at(at(ms(6)), Fault::restart(a));
  w.run_until(at(ms(1)));
  EXPECT_EQ(w.world.host(a).incarnation(), 1u);
  w.run();
  EXPECT_EQ(factory_saw, (std::vector<std::optional<std::string>>{std::nullopt, "v"}));
  EXPECT_EQ(w.log, (std::vector<Seen>{{at(ms(0)), a, "start"}, {at(ms(6)), a, "start"}}));
  EXPECT_EQ(w.world.host(a).incarnation(), 2u);
  EXPECT_TRUE(w.world.host(a).up());
  EXPECT_NE(w.world.host(a).process(), nullptr);
}

TEST(Host, PausedHostHoldsInputsAndHandlesThemInArrivalOrderAfterResume) {
  // b is paused 1..10 ms and charges 1 ms per input. m1 arrives at 3 ms, the call at
  // 3.5 ms, m2 at 4 ms; after the resume at 10 ms they run at 10, 11 and 12 ms.
  ScriptedWorld w;
  const HostId a = w.host("a");
  const HostId b = w.host("b", [](NodeContext& ctx, const Seen& in) {
    if (in.what != "start") ctx.charge(ms(1));
  });
  w.link(a, b, latency_link(ms(1)));
  w.world.fault_at(at(ms(1)), Fault::pause(b));
  w.send_at(at(ms(2)), a, b, "m1");
  w.call_at(at(us(3500)), b, "c");
  w.send_at(at(ms(3)), a, b, "m2");
  w.world.fault_at(at(ms(10)), Fault::resume(b));
  w.run();
  EXPECT_EQ(w.inputs(), (std::vector<Seen>{{at(ms(10)), b, "msg m1"}, {at(ms(11)), b, "call c"}, {at(ms(12)), b, "msg m2"}}));
}

TEST(Host, TimersFiringDuringAPauseAreHeldUntilResume) {
  // A 5 ms timer set at start; paused at 2 ms.
  struct Case {
    const char* name;
    Time resume;
    Time handled;
  };
  const Case cases[] = {
      {"FiresWhilePaused", at(ms(9)), at(ms(9))},
      {"ResumedBeforeItFires", at(ms(4)), at(ms(5))},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ScriptedWorld w;
    const HostId a = w.host("a", [](NodeContext& ctx, const Seen& in) {
      if (in.what == "start") ctx.set_timer(ms(5), 1);
    });
    w.world.fault_at(at(ms(2)), Fault::pause(a));
    w.world.fault_at(c.resume, Fault::resume(a));
    w.run();
    EXPECT_EQ(w.seen(a, "timer"), (std::vector<Seen>{{c.handled, a, "timer 1"}}));
  }
}

TEST(Host, ClockOffsetShiftsLocalTimeButNotTimers) {
  // The offset is set at 1 ms; a call at 2 ms sets a 5 ms timer, which fires at virtual
  // 7 ms. The process reads virtual time + offset both times.
  struct Case {
    const char* name;
    Duration offset;
  };
  for (const Case& c : {Case{"Ahead", ms(100)}, Case{"Behind", ms(-1)}, Case{"None", ms(0)}}) {
    SCOPED_TRACE(c.name);
    ScriptedWorld w;
    const HostId a = w.host("a", [](NodeContext& ctx, const Seen& in) {
      if (in.what == "call go") ctx.set_timer(ms(5), 1);
    });
    w.world.fault_at(at(ms(1)), Fault::clock_offset(a, c.offset));
    w.call_at(at(ms(2)), a, "go");
    w.run();
    EXPECT_EQ(w.inputs(), (std::vector<Seen>{{at(ms(2) + c.offset), a, "call go"}, {at(ms(7) + c.offset), a, "timer 1"}}));
  }
}

TEST(Host, DurableWriteIsVisibleWhenItsMessageArrives) {
  // "go" persists k=v, then sends to b over a 0-latency link and to itself, charging 1 ms.
  // Both receivers read a's store on arrival; the trace shows the write before the sends.
  ScriptedWorld w;
  TraceLines trace(w.world.trace());
  std::map<std::string, std::optional<std::string>> read_on_arrival;
  HostId b = 1;
  const HostId a = w.host("a", [&](NodeContext& ctx, const Seen& in) {
    if (in.what == "call go") {
      ctx.charge(ms(1));
      ctx.send(b, labelled("to-b"));
      ctx.send(ctx.self(), labelled("to-self"));
      ctx.persist("k", "v");
    } else if (in.what == "msg to-self") {
      read_on_arrival["self"] = ctx.store().get("k");
    }
  });
  b = w.host("b", [&](NodeContext& ctx, const Seen& in) {
    if (in.what == "msg to-b") read_on_arrival["b"] = w.world.host(a).store().get("k");
  });
  w.link(a, b, latency_link(ms(0)));
  w.call_at(at(ms(1)), a, "go");
  w.run();
  EXPECT_EQ(read_on_arrival,
            (std::map<std::string, std::optional<std::string>>{{"b", std::string("v")}, {"self", std::string("v")}}));
  const auto persist_line = trace.find("2ms a persist put key=k");
  const auto send_line = trace.find("2ms a send to=b");
  ASSERT_TRUE(persist_line.has_value());
  ASSERT_TRUE(send_line.has_value());
  EXPECT_LT(*persist_line, *send_line);
}

}  // namespace
}  // namespace fabsim::kerneltest
