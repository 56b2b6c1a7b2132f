// The event queue's ordering rules: by time, FIFO among equal times, cancellation.
#include <gtest/gtest.h>

#include <vector>

#include "core/random.h"
#include "sim/event_queue.h"
#include "sim/simulator.h"

namespace fabsim {
namespace {

struct Log {
  std::vector<std::pair<int64_t, uint64_t>> fired;  // (time, id)
  Time* now = nullptr;
};

void record(void* ctx, uint64_t id, uint64_t) {
  auto* log = static_cast<Log*>(ctx);
  log->fired.push_back({log->now->ns, id});
}

TEST(EventQueue, RunsInTimeOrder) {
  EventQueue q;
  Time now;
  Log log{{}, &now};
  for (int64_t t : {50, 10, 40, 20, 30}) q.schedule(Time{t}, &record, &log, static_cast<uint64_t>(t), 0);
  while (q.run_next(Time::max(), &now)) {}
  std::vector<std::pair<int64_t, uint64_t>> expected{{10, 10}, {20, 20}, {30, 30}, {40, 40}, {50, 50}};
  EXPECT_EQ(log.fired, expected);
}

TEST(EventQueue, EqualTimesRunInSchedulingOrder) {
  EventQueue q;
  Time now;
  Log log{{}, &now};
  // Interleave two times so equal keys reach their bucket by different routes
  // (direct insertion and redistribution).
  for (uint64_t i = 0; i < 100; ++i) q.schedule(Time{static_cast<int64_t>(i % 2 == 0 ? 1000 : 7)}, &record, &log, i, 0);
  while (q.run_next(Time::max(), &now)) {}
  std::vector<uint64_t> at7, at1000;
  for (auto [t, id] : log.fired) (t == 7 ? at7 : at1000).push_back(id);
  ASSERT_EQ(at7.size(), 50u);
  ASSERT_EQ(at1000.size(), 50u);
  for (size_t i = 1; i < 50; ++i) {
    EXPECT_LT(at7[i - 1], at7[i]);
    EXPECT_LT(at1000[i - 1], at1000[i]);
  }
}

// Equal times scheduled at different moments (before and after `last` advanced) keep FIFO.
struct Chain {
  Simulator* sim;
  std::vector<int> order;
};

TEST(EventQueue, EqualTimesScheduledLaterStillRunAfterEarlierOnes) {
  Simulator sim(1);
  Chain c{&sim, {}};
  // Event A at t=100 scheduled at t=0; at t=50 an event schedules B at t=100 too.
  sim.at(Time{100}, [&] { c.order.push_back(1); });
  sim.at(Time{50}, [&] { sim.at(Time{100}, [&] { c.order.push_back(2); }); });
  sim.at(Time{100}, [&] { c.order.push_back(3); });
  sim.run();
  EXPECT_EQ(c.order, (std::vector<int>{1, 3, 2}));
}

TEST(EventQueue, CancelledEventNeverRuns) {
  EventQueue q;
  Time now;
  Log log{{}, &now};
  q.schedule(Time{10}, &record, &log, 1, 0);
  EventHandle h = q.schedule(Time{20}, &record, &log, 2, 0);
  q.schedule(Time{30}, &record, &log, 3, 0);
  EXPECT_TRUE(q.cancel(h));
  EXPECT_EQ(q.size(), 2u);
  while (q.run_next(Time::max(), &now)) {}
  std::vector<std::pair<int64_t, uint64_t>> expected{{10, 1}, {30, 3}};
  EXPECT_EQ(log.fired, expected);
}

TEST(EventQueue, CancelTwiceOrAfterFiringIsANoOp) {
  EventQueue q;
  Time now;
  Log log{{}, &now};
  EventHandle h = q.schedule(Time{10}, &record, &log, 1, 0);
  while (q.run_next(Time::max(), &now)) {}
  EXPECT_FALSE(q.cancel(h));
  // The slot is reused by a new event; the stale handle must not cancel it.
  q.schedule(Time{20}, &record, &log, 2, 0);
  EXPECT_FALSE(q.cancel(h));
  while (q.run_next(Time::max(), &now)) {}
  EXPECT_EQ(log.fired.size(), 2u);
}

TEST(EventQueue, RunNextStopsAtLimitWithoutConsumingLaterEvents) {
  EventQueue q;
  Time now;
  Log log{{}, &now};
  q.schedule(Time{10}, &record, &log, 1, 0);
  q.schedule(Time{100}, &record, &log, 2, 0);
  EXPECT_TRUE(q.run_next(Time{50}, &now));
  EXPECT_FALSE(q.run_next(Time{50}, &now));
  // Something may still be scheduled between the limit and the next event.
  q.schedule(Time{60}, &record, &log, 3, 0);
  while (q.run_next(Time::max(), &now)) {}
  std::vector<std::pair<int64_t, uint64_t>> expected{{10, 1}, {60, 3}, {100, 2}};
  EXPECT_EQ(log.fired, expected);
}

// The radix heap against a naive reference (sort by time, then sequence) on random work.
TEST(EventQueue, MatchesNaiveReferenceOnRandomSchedules) {
  Simulator sim(1);
  Rng rng(17);
  struct Ref {
    int64_t t;
    uint64_t seq;
  };
  std::vector<Ref> ref;
  std::vector<uint64_t> got;
  uint64_t seq = 0;
  std::function<void(uint64_t)> fire = [&](uint64_t id) {
    got.push_back(id);
    if (seq < 20000) {
      const int reps = static_cast<int>(rng.uniform_int(0, 2));
      for (int i = 0; i < reps; ++i) {
        const int64_t t = sim.now().ns + rng.uniform_int(0, rng.bernoulli(0.1) ? 1'000'000 : 50);
        const uint64_t me = seq++;
        ref.push_back({t, me});
        sim.at(Time{t}, [&fire, me] { fire(me); });
      }
    }
  };
  for (int i = 0; i < 100; ++i) {
    const int64_t t = rng.uniform_int(0, 1000);
    const uint64_t me = seq++;
    ref.push_back({t, me});
    sim.at(Time{t}, [&fire, me] { fire(me); });
  }
  sim.run();
  std::stable_sort(ref.begin(), ref.end(), [](const Ref& a, const Ref& b) { return a.t < b.t || (a.t == b.t && a.seq < b.seq); });
  ASSERT_EQ(got.size(), ref.size());
  for (size_t i = 0; i < ref.size(); ++i) ASSERT_EQ(got[i], ref[i].seq) << "at position " << i;
}

TEST(Simulator, RunUntilAdvancesTimeToTheLimit) {
  Simulator sim(1);
  sim.at(Time{10}, [] {});
  sim.run_until(Time{500});
  EXPECT_EQ(sim.now(), Time{500});
  EXPECT_EQ(sim.events_run(), 1u);
}

TEST(Simulator, StopEndsTheRunAfterTheCurrentEvent) {
  Simulator sim(1);
  int ran = 0;
  sim.at(Time{10}, [&] { ++ran; sim.stop(); });
  sim.at(Time{20}, [&] { ++ran; });
  sim.run();
  EXPECT_EQ(ran, 1);
  EXPECT_EQ(sim.now(), Time{10});
}

}  // namespace
}  // namespace fabsim
