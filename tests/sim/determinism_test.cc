// Same inputs + same seed => same trace hash; the run-twice check names the first
// diverging event when a run is not deterministic.
#include <gtest/gtest.h>

#include "scenarios/demo_flood.h"
#include "sim/determinism.h"

namespace fabsim {
namespace {

FloodDemoConfig faulty_config(uint64_t seed) {
  FloodDemoConfig c;
  c.seed = seed;
  c.hosts = 30;
  c.messages = 40;
  c.interval = Duration::millis(50);
  c.duration = Duration::seconds(4);
  c.crashes = 3;
  c.partition = true;
  c.loss = 0.01;
  return c;
}

TEST(Determinism, SameSeedGivesSameTraceHash) {
  const FloodDemoResult a = run_flood_demo(faulty_config(7));
  const FloodDemoResult b = run_flood_demo(faulty_config(7));
  EXPECT_EQ(a.trace_hash, b.trace_hash);
  EXPECT_EQ(a.trace_events, b.trace_events);
  EXPECT_GT(a.trace_events, 1000u);
}

TEST(Determinism, DifferentSeedGivesDifferentTraceHash) {
  EXPECT_NE(run_flood_demo(faulty_config(7)).trace_hash, run_flood_demo(faulty_config(8)).trace_hash);
}

TEST(Determinism, RunTwiceCheckPassesForADeterministicRun) {
  const DeterminismReport rep = check_determinism([](TraceProbe& p) {
    run_flood_demo(faulty_config(3), [&](World& w) { w.trace().attach_probe(&p); });
  });
  EXPECT_TRUE(rep.same) << rep.text();
  EXPECT_GT(rep.events, 1000u);
}

TEST(Determinism, RunTwiceCheckNamesTheFirstDivergingEvent) {
  int run = 0;
  const DeterminismReport rep = check_determinism([&](TraceProbe& p) {
    ++run;
    FloodDemoConfig c = faulty_config(3);
    // The second run (only) adds an extra client call at 1s: everything before 1s agrees.
    run_flood_demo(c, [&](World& w) {
      w.trace().attach_probe(&p);
      if (run == 2) w.call_at(Time::zero() + Duration::seconds(1), 0, ClientCall{"originate", "999"});
    });
  });
  ASSERT_FALSE(rep.same);
  EXPECT_NE(rep.second_run_line.find("call=originate"), std::string::npos) << rep.text();
  EXPECT_NE(rep.second_run_line.find("1s"), std::string::npos) << rep.text();
  EXPECT_NE(rep.first_run_line, rep.second_run_line);
  EXPECT_NE(rep.text().find("FAILED"), std::string::npos);
}

TEST(Determinism, RunTwiceCheckReportsAShorterSecondRun) {
  int run = 0;
  const DeterminismReport rep = check_determinism([&](TraceProbe& p) {
    ++run;
    run_flood_demo(faulty_config(3), [&](World& w) {
      w.trace().attach_probe(&p);
      // The second run stops early; stopping is not itself a traced event.
      if (run == 2) w.sim().at(Time::zero() + Duration::seconds(2), [&w] { w.sim().stop(); });
    });
  });
  ASSERT_FALSE(rep.same);
  EXPECT_EQ(rep.second_run_line, "(run ended)");
  EXPECT_NE(rep.first_run_line, "(run ended)");
}

}  // namespace
}  // namespace fabsim
