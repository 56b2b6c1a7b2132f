// The time series' building blocks: busy time split into windows, and a fault's effect on
// throughput (analysis/timeseries.h).
#include "analysis/timeseries.h"

#include <gtest/gtest.h>

namespace fabsim {
namespace {

Time at_ms(int64_t ms) { return Time::zero() + Duration::millis(ms); }

TEST(WindowCount, CoversTheRunWithAShorterLastWindow) {
  EXPECT_EQ(window_count(Duration::seconds(1), at_ms(80'000)), 80u);
  EXPECT_EQ(window_count(Duration::seconds(1), at_ms(80'001)), 81u);
  EXPECT_EQ(window_count(Duration::seconds(1), Time::zero()), 1u);
}

TEST(BusyWindows, AnIntervalIsSplitAtWindowBoundaries) {
  BusyWindows b(Duration::seconds(1), at_ms(3000), 1);
  b.add(0, at_ms(500), at_ms(2250));  // 0.5 s, 1 s, 0.25 s
  const std::vector<double> u = b.utilisation(0, 1.0);
  ASSERT_EQ(u.size(), 3u);
  EXPECT_DOUBLE_EQ(u[0], 0.5);
  EXPECT_DOUBLE_EQ(u[1], 1.0);
  EXPECT_DOUBLE_EQ(u[2], 0.25);
}

TEST(BusyWindows, UtilisationIsOverTheCapacity) {
  BusyWindows b(Duration::seconds(1), at_ms(1000), 1);
  b.add(0, at_ms(0), at_ms(1000));
  b.add(0, at_ms(0), at_ms(500));
  EXPECT_DOUBLE_EQ(b.utilisation(0, 2.0)[0], 0.75);  // 1.5 core-seconds of 2 cores
}

TEST(BusyWindows, TheLastShortWindowIsOverItsOwnLength) {
  BusyWindows b(Duration::seconds(1), at_ms(1500), 1);
  b.add(0, at_ms(1000), at_ms(1250));
  EXPECT_DOUBLE_EQ(b.utilisation(0, 1.0)[1], 0.5);
}

TEST(BusyWindows, WorkPastTheEndIsClippedAndIdleResourcesAreMarked) {
  BusyWindows b(Duration::seconds(1), at_ms(1000), 2);
  b.add(0, at_ms(900), at_ms(5000));
  EXPECT_DOUBLE_EQ(b.utilisation(0, 1.0)[0], 0.1);
  EXPECT_TRUE(b.any(0));
  EXPECT_FALSE(b.any(1));
}

// Commits every 10 ms from 0 to 30 s, none in [10 s, 15 s) (a fault), then again.
std::vector<Time> commits_with_a_gap() {
  std::vector<Time> c;
  for (int64_t ms = 0; ms < 30'000; ms += 10)
    if (ms < 10'000 || ms >= 15'000) c.push_back(at_ms(ms));
  return c;
}

TEST(FaultImpact, ThroughputBeforeDuringAndAfter) {
  const FaultPeriod p{at_ms(10'000), at_ms(15'000), "crash", {"p"}, "crash p for 5s"};
  const FaultImpact f = fault_impact(p, commits_with_a_gap(), Time::zero(), at_ms(30'000), Duration::seconds(1));
  EXPECT_DOUBLE_EQ(*f.before_tps, 100.0);
  EXPECT_DOUBLE_EQ(*f.during_tps, 0.0);
  EXPECT_DOUBLE_EQ(*f.after_tps, 100.0);
}

TEST(FaultImpact, RecoveryIsWhenAWindowOfCommitsReachesNinetyPercentOfBefore) {
  const FaultPeriod p{at_ms(10'000), at_ms(15'000), "crash", {"p"}, "crash p for 5s"};
  const FaultImpact f = fault_impact(p, commits_with_a_gap(), Time::zero(), at_ms(30'000), Duration::seconds(1));
  // 90 commits of 10 ms spacing after 15 s: the 90th is at 15.89 s.
  ASSERT_TRUE(f.recovery);
  EXPECT_EQ(*f.recovery, Duration::millis(890));
}

TEST(FaultImpact, NoRecoveryWhenThroughputNeverComesBack) {
  std::vector<Time> c;
  for (int64_t ms = 0; ms < 10'000; ms += 10) c.push_back(at_ms(ms));
  const FaultPeriod p{at_ms(10'000), std::nullopt, "crash", {"p"}, "crash p"};
  const FaultImpact f = fault_impact(p, c, Time::zero(), at_ms(30'000), Duration::seconds(1));
  EXPECT_FALSE(f.during_tps);  // no end: no "during"
  EXPECT_DOUBLE_EQ(*f.after_tps, 0.0);
  EXPECT_FALSE(f.recovery);
}

TEST(FaultImpact, BeforeStartsAtTheFirstRequest) {
  const FaultPeriod p{at_ms(4'000), at_ms(5'000), "pause", {"p"}, "pause p for 1s"};
  std::vector<Time> c;
  for (int64_t ms = 2'000; ms < 4'000; ms += 10) c.push_back(at_ms(ms));
  const FaultImpact f = fault_impact(p, c, at_ms(2'000), at_ms(10'000), Duration::seconds(1));
  EXPECT_DOUBLE_EQ(*f.before_tps, 100.0);  // 200 commits over 2 s, not over 10 s
}

TEST(FormatDurationShort, ThreeSignificantDigitsAndAUnit) {
  const std::vector<std::pair<Duration, std::string>> cases = {
      {Duration::nanos(1'291'150'695), "1.29 s"}, {Duration::millis(12) + Duration::micros(345), "12.3 ms"},
      {Duration::micros(456), "456 us"},          {Duration::zero(), "0 s"},
      {Duration::seconds(15), "15 s"},            {Duration::seconds(150), "2.5 min"},
      {Duration::seconds(99), "99 s"},            {Duration::seconds(5400), "1.5 h"},
      {Duration::nanos(-2'500'000), "-2.5 ms"},   {Duration::nanos(7), "7 ns"},
  };
  for (const auto& [d, want] : cases) EXPECT_EQ(format_duration_short(d), want) << d.ns;
}

}  // namespace
}  // namespace fabsim
