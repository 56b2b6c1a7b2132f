// World fault rules (sim/world.h): apply() refuses faults that do not fit the current state
// or name unknown hosts and links; fault_at() records such refusals and the run goes on;
// every applied fault is written to the trace.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/status.h"
#include "sim/world.h"
#include "tests/sim/scripted_world.h"

namespace fabsim::kerneltest {
namespace {

// Hosts a (0) and b (1), one link (0) between them.
constexpr HostId kA = 0, kB = 1;
constexpr LinkId kAB = 0;

void build_pair(ScriptedWorld& w) {
  w.host("a");
  w.host("b");
  LinkParams p;
  p.latency = ms(1);
  w.link(kA, kB, p);
}

struct RefusedCase {
  const char* name;
  std::vector<Fault> setup;  // applied first, each must succeed
  Fault fault;
  StatusCode expected;
};

void expect_refused(const RefusedCase& c) {
  SCOPED_TRACE(c.name);
  ScriptedWorld w;
  build_pair(w);
  w.run_until(at(ms(0)));
  for (const Fault& f : c.setup) ASSERT_TRUE(w.world.apply(f).is_ok());
  const Status s = w.world.apply(c.fault);
  EXPECT_EQ(s.code(), c.expected) << s.to_string();
}

TEST(Fault, ApplyRefusesAFaultThatDoesNotFitTheStateWithFailedPrecondition) {
  const RefusedCase cases[] = {
      {"RestartOfAHostThatIsUp", {}, Fault::restart(kA), StatusCode::kFailedPrecondition},
      {"CrashOfAHostThatIsDown", {Fault::crash(kA)}, Fault::crash(kA), StatusCode::kFailedPrecondition},
      {"ResumeOfAHostThatIsNotPaused", {}, Fault::resume(kA), StatusCode::kFailedPrecondition},
      {"ResumeAfterResume", {Fault::pause(kA), Fault::resume(kA)}, Fault::resume(kA), StatusCode::kFailedPrecondition},
      {"PauseOfAPausedHost", {Fault::pause(kA)}, Fault::pause(kA), StatusCode::kFailedPrecondition},
      {"PauseOfAHostThatIsDown", {Fault::crash(kA)}, Fault::pause(kA), StatusCode::kFailedPrecondition},
      {"HealOfAPartitionNeverMade", {}, Fault::heal(0), StatusCode::kFailedPrecondition},
      {"HealOfAHealedPartition",
       {Fault::make_partition({{kA}, {kB}}, false), Fault::heal(0)},
       Fault::heal(0),
       StatusCode::kFailedPrecondition},
  };
  for (const RefusedCase& c : cases) expect_refused(c);
}

TEST(Fault, ApplyRefusesAnUnknownHostOrLinkWithInvalidArgument) {
  const HostId kNone = 7;
  const LinkId kNoLink = 3;
  const RefusedCase cases[] = {
      {"CrashUnknownHost", {}, Fault::crash(kNone), StatusCode::kInvalidArgument},
      {"RestartUnknownHost", {}, Fault::restart(kNone), StatusCode::kInvalidArgument},
      {"PauseUnknownHost", {}, Fault::pause(kNone), StatusCode::kInvalidArgument},
      {"ResumeUnknownHost", {}, Fault::resume(kNone), StatusCode::kInvalidArgument},
      {"ClockOffsetUnknownHost", {}, Fault::clock_offset(kNone, ms(1)), StatusCode::kInvalidArgument},
      {"PartitionWithAnUnknownHost", {}, Fault::make_partition({{kA}, {kNone}}, false), StatusCode::kInvalidArgument},
      {"LinkDownUnknownLink", {}, Fault::link_down(kNoLink), StatusCode::kInvalidArgument},
      {"LinkUpUnknownLink", {}, Fault::link_up(kNoLink), StatusCode::kInvalidArgument},
      {"DegradeUnknownLink", {}, Fault::degrade(kNoLink, {ms(1), 0.0, 1.0}), StatusCode::kInvalidArgument},
      {"RestoreUnknownLink", {}, Fault::restore(kNoLink), StatusCode::kInvalidArgument},
      {"DegradeWithBandwidthFactorZero", {}, Fault::degrade(kAB, {ms(0), 0.0, 0.0}), StatusCode::kInvalidArgument},
  };
  for (const RefusedCase& c : cases) expect_refused(c);
}

TEST(Fault, FaultAtRecordsARefusalAndTheRunGoesOn) {
  // Restart of a (up) at 1 ms is refused; the crash at 2 ms and the call to b at 3 ms still
  // happen.
  ScriptedWorld w;
  build_pair(w);
  w.world.fault_at(at(ms(1)), Fault::restart(kA));
  w.world.fault_at(at(ms(2)), Fault::crash(kA));
  w.call_at(at(ms(3)), kB, "after");
  w.run();
  EXPECT_EQ(w.world.fault_errors(), (std::vector<std::string>{"at 1ms: restart of a, which is up"}));
  EXPECT_FALSE(w.world.host(kA).up());
  EXPECT_EQ(w.seen(kB, "call"), (std::vector<Seen>{{at(ms(3)), kB, "call after"}}));
}

TEST(Fault, EveryAppliedFaultIsTraced) {
  // One fault per millisecond; each applied one leaves exactly its line, a refused one none.
  struct Case {
    Fault fault;
    const char* line;  // the expected trace line; null if the fault is refused
  };
  const Case cases[] = {
      {Fault::crash(kA), "1ms a fault crash a"},
      {Fault::restart(kA), "2ms a fault restart a"},
      {Fault::restart(kA), nullptr},
      {Fault::pause(kB), "4ms b fault pause b"},
      {Fault::resume(kB), "5ms b fault resume b"},
      {Fault::make_partition({{kA}, {kB}}, true), "6ms - fault partition id=0 one-way [a] [b]"},
      {Fault::heal(0), "7ms - fault heal id=0"},
      {Fault::heal(), "8ms - fault heal all"},
      {Fault::degrade(kAB, {ms(1), 0.5, 0.25}), "9ms - fault degrade a-b +latency=1ms +loss=0.5 bandwidth*0.25"},
      {Fault::restore(kAB), "10ms - fault restore a-b"},
      {Fault::link_down(kAB), "11ms - fault link-down a-b"},
      {Fault::link_up(kAB), "12ms - fault link-up a-b"},
      {Fault::clock_offset(kB, ms(-3)), "13ms b fault clock-offset b offset=-3ms"},
  };
  ScriptedWorld w;
  TraceLines trace(w.world.trace());
  build_pair(w);
  int64_t t = 1;
  for (const Case& c : cases) w.world.fault_at(at(ms(t++)), c.fault);
  w.run();
  std::vector<std::string> fault_lines;
  for (const std::string& line : trace.lines())
    if (line.find(" fault ") != std::string::npos) fault_lines.push_back(line);
  std::vector<std::string> expected;
  for (const Case& c : cases)
    if (c.line != nullptr) expected.push_back(c.line);
  EXPECT_EQ(fault_lines, expected);
  EXPECT_EQ(w.world.fault_errors().size(), 1u);
}

}  // namespace
}  // namespace fabsim::kerneltest
